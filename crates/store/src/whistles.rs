//! Whistles: their event streams, projection, access list and audit — written together, and
//! with the case they were blown from when there is one — and the policy table of whistle kinds.

use crate::audit::{self, AuditEntry};
use crate::cases::{append_in as append_case_in, case_events_in, Arg, Where};
use crate::{streams, to_ms, CommandError, Store, StoreError};
use chrono::NaiveDate;
use chuishao_domain::case::{self, Visibility, WhistleNote};
use chuishao_domain::whistle::{
    self, Env, Whistle, WhistleCommand, WhistleError, WhistleEvent, WhistleId, WhistlePolicy, WhistleStatus,
};
use chuishao_domain::{Actor, CaseCommand, CaseError, CaseId, DistrictCode, Role, Timestamp, WorkCalendar};
use sqlx::{Any, Row};

/// A whistle event as stored.
pub type StoredWhistleEvent = streams::Stored<WhistleEvent>;

#[derive(Debug, Clone)]
pub struct WhistleOutcome {
    pub whistle: Whistle,
    pub events: Vec<WhistleEvent>,
}

#[derive(Debug, Clone, Default)]
pub struct WhistleFilter {
    pub status: Vec<WhistleStatus>,
    pub street: Option<String>,
    /// Whistles summoning this department.
    pub department: Option<String>,
    pub case: Option<CaseId>,
    /// Only whistles with a running part past a deadline now.
    pub overdue: Option<bool>,
    /// Only whistles that sent something up to the district (an overdue or an escalated decline).
    pub escalated: Option<bool>,
    /// Created at or after / before.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone)]
pub struct WhistlePage {
    pub items: Vec<Whistle>,
    pub total: u64,
}

const COLUMNS: [&str; 17] = [
    "district",
    "id",
    "street",
    "community",
    "case_id",
    "level",
    "kind",
    "status",
    "created_at",
    "blown_at",
    "concluded_at",
    "overdue",
    "escalations",
    "next_alert_at",
    "version",
    "state",
    "updated_at",
];

/// The whistle's note on its case's record.
fn note(w: &Whistle, summary: Option<String>) -> WhistleNote {
    WhistleNote {
        whistle: w.id,
        kind: w.kind.clone(),
        kind_name: w.kind_name.clone(),
        departments: w.summons.iter().map(|s| s.name.clone()).collect(),
        summary,
    }
}

fn bind_projection<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    w: &'q Whistle,
    state: String,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    q.bind(w.district.as_str())
        .bind(w.id.to_string())
        .bind(w.street.as_str())
        .bind(w.community.as_ref().map(|c| c.to_string()))
        .bind(w.case.as_ref().map(|c| c.id.to_string()))
        .bind(w.level.as_str())
        .bind(w.kind.as_str())
        .bind(w.status.as_str())
        .bind(to_ms(w.created_at))
        .bind(w.blown_at.map(to_ms))
        .bind(w.concluded_at.map(to_ms))
        .bind(i64::from(w.is_overdue()))
        .bind(w.escalations() as i64)
        .bind(w.next_alert_at().map(to_ms))
        .bind(w.version as i64)
        .bind(state)
        .bind(to_ms(w.updated_at))
}

async fn append_whistle_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    actor: &Actor,
    action: &str,
    from_version: u64,
    events: &[WhistleEvent],
    after: &Whistle,
    now: Timestamp,
) -> Result<(), StoreError> {
    let district = after.district.as_str();
    let id = after.id.to_string();
    let state = serde_json::to_string(after)?;
    if from_version == 0 {
        let sql = streams::insert_projection_sql("whistles", &COLUMNS);
        bind_projection(sqlx::query(&sql), after, state)
            .execute(&mut **tx)
            .await
            .map_err(|e| StoreError::from_insert(e, "whistle"))?;
    } else {
        let sql = streams::update_projection_sql("whistles", &COLUMNS);
        let done =
            bind_projection(sqlx::query(&sql), after, state).bind(from_version as i64).execute(&mut **tx).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
    }
    streams::append_events(tx, streams::WHISTLES, district, &id, from_version, events, after.principals(), now).await?;
    let types: Vec<&str> = events.iter().map(|e| e.data.type_name()).collect();
    let detail = serde_json::json!({ "action": action, "events": types, "version": after.version }).to_string();
    let entry = AuditEntry {
        district,
        actor,
        action: &format!("whistle.{action}"),
        object_kind: "whistle",
        object_id: &id,
        detail,
    };
    audit::insert(tx, entry, now).await
}

/// Puts a whistle note on its case, in the caller's transaction.
async fn note_case_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    actor: &Actor,
    case_id: CaseId,
    note: WhistleNote,
    now: Timestamp,
    calendar: &WorkCalendar,
) -> Result<(), CommandError> {
    let events = case_events_in(&mut **tx, &actor.district, case_id).await?;
    let state = case::fold(events.iter().map(|e| &e.event)).ok_or(CaseError::NotFound)?;
    let new = case::decide(Some(&state), &CaseCommand::RecordWhistle(note), actor, &case::Env { now, calendar })?;
    let after = new.iter().fold(Some(state.clone()), case::evolve).ok_or(CaseError::NotFound)?;
    append_case_in(tx, actor, "record-whistle", Some(&state), &new, &after, now, None).await?;
    Ok(())
}

impl Store {
    /// Writes the default whistle kinds for a district that has none.
    pub(crate) async fn seed_policies_in(
        tx: &mut sqlx::Transaction<'_, Any>,
        district: &DistrictCode,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for p in whistle::default_policies() {
            sqlx::query(
                "INSERT INTO whistle_policies (district, kind, version, effective_from, policy, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(district.as_str())
            .bind(&p.kind)
            .bind(i64::from(p.version))
            .bind(p.effective_from.format("%Y-%m-%d").to_string())
            .bind(serde_json::to_string(&p)?)
            .bind("system")
            .bind(to_ms(now))
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Every version of every whistle kind, by kind then version.
    pub async fn whistle_policies(&self, district: &DistrictCode) -> Result<Vec<WhistlePolicy>, StoreError> {
        let rows = sqlx::query("SELECT policy FROM whistle_policies WHERE district = $1 ORDER BY kind, version")
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("policy")?)?)).collect()
    }

    /// The version of a kind in force on `day` (a past whistle keeps the version it was blown under).
    pub async fn policy_in_force(
        &self,
        district: &DistrictCode,
        kind: &str,
        day: NaiveDate,
    ) -> Result<Option<WhistlePolicy>, StoreError> {
        let row = sqlx::query(
            "SELECT policy FROM whistle_policies WHERE district = $1 AND kind = $2 AND effective_from <= $3 \
             ORDER BY effective_from DESC, version DESC LIMIT 1",
        )
        .bind(district.as_str())
        .bind(kind)
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some(serde_json::from_str(&r.try_get::<String, _>("policy")?)?)),
            None => Ok(None),
        }
    }

    /// Adds a new version of a kind (or a new kind), audited. Earlier versions stay for history.
    pub async fn add_whistle_policy(
        &self,
        policy: &WhistlePolicy,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<WhistlePolicy, StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let d = actor.district.as_str();
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM whistle_policies WHERE district = $1 AND kind = $2")
                .bind(d)
                .bind(&policy.kind)
                .fetch_one(&mut *tx)
                .await?;
        let stored = WhistlePolicy { version: last.unwrap_or(0) as u32 + 1, ..policy.clone() };
        sqlx::query(
            "INSERT INTO whistle_policies (district, kind, version, effective_from, policy, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(d)
        .bind(&stored.kind)
        .bind(i64::from(stored.version))
        .bind(stored.effective_from.format("%Y-%m-%d").to_string())
        .bind(serde_json::to_string(&stored)?)
        .bind(&actor.user_id)
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, "whistle_policy"))?;
        let entry = AuditEntry {
            district: d,
            actor,
            action: "whistle_policy.add",
            object_kind: "whistle_policy",
            object_id: &format!("{}@{}", stored.kind, stored.version),
            detail: serde_json::to_string(&stored)?,
        };
        audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(stored)
    }

    pub async fn whistle_events(
        &self,
        district: &DistrictCode,
        id: WhistleId,
    ) -> Result<Vec<StoredWhistleEvent>, StoreError> {
        streams::read_events(&self.pool, streams::WHISTLES, district.as_str(), &id.to_string()).await
    }

    /// The whistle as its events fold, with the events.
    pub async fn load_whistle(
        &self,
        district: &DistrictCode,
        id: WhistleId,
    ) -> Result<Option<(Whistle, Vec<StoredWhistleEvent>)>, StoreError> {
        let events = self.whistle_events(district, id).await?;
        Ok(whistle::fold(events.iter().map(|e| &e.event)).map(|w| (w, events)))
    }

    pub async fn projected_whistle(
        &self,
        district: &DistrictCode,
        id: WhistleId,
    ) -> Result<Option<Whistle>, StoreError> {
        let row = sqlx::query("SELECT state FROM whistles WHERE district = $1 AND id = $2")
            .bind(district.as_str())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some(serde_json::from_str(&r.try_get::<String, _>("state")?)?)),
            None => Ok(None),
        }
    }

    /// Blows or requests a whistle. Blown from a case, the case's record shows it, in the same
    /// transaction.
    pub async fn start_whistle(
        &self,
        actor: &Actor,
        command: &WhistleCommand,
        now: Timestamp,
        calendar: &WorkCalendar,
    ) -> Result<WhistleOutcome, CommandError> {
        let now = crate::whole_ms(now);
        let events = whistle::decide(None, command, actor, &Env { now, calendar })?;
        let after = whistle::fold(events.iter()).ok_or(WhistleError::NotFound)?;
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        append_whistle_in(&mut tx, actor, command.action().as_str(), 0, &events, &after, now).await?;
        if let (Some(c), WhistleStatus::Active) = (&after.case, after.status) {
            note_case_in(&mut tx, actor, c.id, note(&after, None), now, calendar).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(WhistleOutcome { whistle: after, events })
    }

    /// Runs a command on a whistle with optimistic concurrency, as `execute` does for cases.
    pub async fn execute_whistle(
        &self,
        actor: &Actor,
        id: WhistleId,
        command: &WhistleCommand,
        expected_version: Option<u64>,
        now: Timestamp,
        calendar: &WorkCalendar,
    ) -> Result<WhistleOutcome, CommandError> {
        let now = crate::whole_ms(now);
        let env = Env { now, calendar };
        for attempt in 1.. {
            let events = self.whistle_events(&actor.district, id).await?;
            let state = whistle::fold(events.iter().map(|e| &e.event));
            if let (Some(expected), Some(w)) = (expected_version, &state) {
                let only_system =
                    |from: u64| events.iter().filter(|e| e.seq > from).all(|e| e.event.by.role == Role::System);
                if expected != w.version && !(expected < w.version && only_system(expected)) {
                    let seen = whistle::fold(events.iter().take(expected as usize).map(|e| &e.event));
                    whistle::decide(seen.as_ref(), command, actor, &env)?;
                    return Err(CommandError::StaleVersion { expected, actual: w.version });
                }
            }
            let new_events = whistle::decide(state.as_ref(), command, actor, &env)?;
            let Some(before) = state else { return Err(WhistleError::NotFound.into()) };
            if new_events.is_empty() {
                return Ok(WhistleOutcome { whistle: before, events: vec![] });
            }
            let after = new_events.iter().fold(Some(before.clone()), whistle::evolve).ok_or(WhistleError::NotFound)?;
            let case_note = match (&after.case, command) {
                // A request approved after its case ended goes ahead without a note on the case.
                (Some(c), WhistleCommand::Approve { .. }) => {
                    let open = self.load_case(&actor.district, c.id).await?.is_some_and(|(c, _)| c.is_open());
                    open.then(|| (c.id, note(&after, None)))
                }
                (Some(c), WhistleCommand::Conclude { .. }) => Some((c.id, note(&after, after.summary.clone()))),
                _ => None,
            };
            let written: Result<(), CommandError> = async {
                let _guard = self.write_guard().await;
                let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
                let action = command.action();
                append_whistle_in(&mut tx, actor, action.as_str(), before.version, &new_events, &after, now).await?;
                if let Some((case_id, n)) = case_note {
                    note_case_in(&mut tx, actor, case_id, n, now, calendar).await?;
                }
                tx.commit().await.map_err(StoreError::from)?;
                Ok(())
            }
            .await;
            match written {
                Ok(()) => return Ok(WhistleOutcome { whistle: after, events: new_events }),
                Err(CommandError::Store(StoreError::Conflict)) if expected_version.is_none() && attempt < 16 => {
                    continue
                }
                Err(CommandError::Store(StoreError::Conflict)) => {
                    let actual = self.projected_whistle(&actor.district, id).await?.map(|w| w.version).unwrap_or(0);
                    return Err(CommandError::StaleVersion { expected: before.version, actual });
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the loop returns")
    }

    /// Writes whistles whose histories were decided elsewhere (the demo simulator).
    pub async fn import_whistles(
        &self,
        actor: &Actor,
        histories: &[Vec<WhistleEvent>],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for history in histories {
            let events: Vec<WhistleEvent> =
                history.iter().map(|e| WhistleEvent { at: crate::whole_ms(e.at), ..e.clone() }).collect();
            let after =
                whistle::fold(events.iter()).ok_or_else(|| StoreError::Corrupt("history without a start".into()))?;
            append_whistle_in(&mut tx, actor, "import", 0, &events, &after, now).await?;
        }
        tx.commit().await?;
        Ok(histories.len())
    }

    /// Whistles an actor may see, filtered and paged, newest first.
    pub async fn list_whistles(
        &self,
        district: &DistrictCode,
        visibility: &Visibility,
        filter: &WhistleFilter,
    ) -> Result<WhistlePage, StoreError> {
        let mut w = Where::default();
        w.push("w.district = $?", Arg::Text(district.to_string()));
        let by_department =
            "w.id IN (SELECT a.whistle_id FROM whistle_access a WHERE a.district = $? AND a.principal = $?)";
        match visibility {
            Visibility::District(d) if d == district => {}
            Visibility::Street(s) => w.push("w.street = $?", Arg::Text(s.to_string())),
            Visibility::Communities(cs) if !cs.is_empty() => {
                w.push_any("w.community", cs.iter().map(|c| Arg::Text(c.to_string())))
            }
            Visibility::Principal(p) => {
                w.push_pair(by_department, Arg::Text(district.to_string()), Arg::Text(p.clone()))
            }
            _ => return Ok(WhistlePage { items: vec![], total: 0 }),
        }
        w.push_any("w.status", filter.status.iter().map(|s| Arg::Text(s.as_str().to_string())));
        if let Some(s) = &filter.street {
            w.push("w.street = $?", Arg::Text(s.clone()));
        }
        if let Some(d) = &filter.department {
            w.push_pair(by_department, Arg::Text(district.to_string()), Arg::Text(format!("dept:{d}")));
        }
        if let Some(c) = &filter.case {
            w.push("w.case_id = $?", Arg::Text(c.to_string()));
        }
        if let Some(b) = filter.overdue {
            w.push("w.overdue = $?", Arg::Int(i64::from(b)));
        }
        match filter.escalated {
            Some(true) => w.push("w.escalations > $?", Arg::Int(0)),
            Some(false) => w.push("w.escalations = $?", Arg::Int(0)),
            None => {}
        }
        if let Some(t) = filter.from {
            w.push("w.created_at >= $?", Arg::Int(to_ms(t)));
        }
        if let Some(t) = filter.to {
            w.push("w.created_at < $?", Arg::Int(to_ms(t)));
        }
        let where_sql = w.sql();
        let count_sql = format!("SELECT COUNT(*) AS n FROM whistles w{where_sql}");
        let total: i64 = w.bind(sqlx::query(&count_sql)).fetch_one(&self.pool).await?.try_get("n")?;
        let per_page = filter.per_page.clamp(1, 200);
        let offset = i64::from(filter.page.max(1) - 1) * i64::from(per_page);
        let list_sql = format!(
            "SELECT w.state AS state FROM whistles w{where_sql} ORDER BY w.created_at DESC, w.id LIMIT {per_page} OFFSET {offset}"
        );
        let rows = w.bind(sqlx::query(&list_sql)).fetch_all(&self.pool).await?;
        let items = rows
            .iter()
            .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("state")?)?))
            .collect::<Result<Vec<Whistle>, StoreError>>()?;
        Ok(WhistlePage { items, total: total as u64 })
    }

    /// Every whistle of a district blown (or approved) in [from, to), for metrics.
    pub async fn whistles_between(
        &self,
        district: &DistrictCode,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Whistle>, StoreError> {
        let rows = sqlx::query(
            "SELECT state FROM whistles WHERE district = $1 AND blown_at >= $2 AND blown_at < $3 ORDER BY blown_at",
        )
        .bind(district.as_str())
        .bind(to_ms(from))
        .bind(to_ms(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("state")?)?)).collect()
    }

    /// Cases received in [from, to) per street: (street, cases, of which some whistle was blown for).
    pub async fn case_counts_by_street(
        &self,
        district: &DistrictCode,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.street AS street, COUNT(*) AS n, \
             CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM whistles w WHERE w.district = c.district \
                 AND w.case_id = c.id AND w.status IN ('active', 'concluded')) THEN 1 ELSE 0 END) AS BIGINT) AS whistled \
             FROM cases c WHERE c.district = $1 AND c.received_at >= $2 AND c.received_at < $3 \
             GROUP BY c.street ORDER BY c.street",
        )
        .bind(district.as_str())
        .bind(to_ms(from))
        .bind(to_ms(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("street")?,
                    r.try_get::<i64, _>("n")? as u64,
                    r.try_get::<Option<i64>, _>("whistled")?.unwrap_or(0) as u64,
                ))
            })
            .collect()
    }

    pub(crate) async fn whistles_due_for_tick(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<(DistrictCode, WhistleId)>, StoreError> {
        let rows = sqlx::query(
            "SELECT district, id FROM whistles WHERE next_alert_at IS NOT NULL AND next_alert_at <= $1 \
             ORDER BY next_alert_at LIMIT $2",
        )
        .bind(to_ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let d: String = r.try_get("district")?;
                let id: String = r.try_get("id")?;
                Ok((
                    DistrictCode::parse(&d).map_err(StoreError::Corrupt)?,
                    WhistleId::parse(&id).ok_or_else(|| StoreError::Corrupt(format!("whistle id {id}")))?,
                ))
            })
            .collect()
    }

    /// One ticker pass over whistles: overdue sign, report-in and completion, exactly once each.
    pub(crate) async fn tick_whistles(&self, now: Timestamp, calendar: &WorkCalendar) -> Result<usize, StoreError> {
        let mut emitted = 0;
        loop {
            let due = self.whistles_due_for_tick(now, 500).await?;
            let mut progressed = false;
            for (district, id) in due {
                let system = Actor::system(district);
                match self.execute_whistle(&system, id, &WhistleCommand::Tick, None, now, calendar).await {
                    Ok(out) => {
                        emitted += out.events.len();
                        progressed |= !out.events.is_empty();
                    }
                    Err(e) => tracing::error!(whistle = %id, error = %e, "whistle tick skipped"),
                }
            }
            if !progressed {
                return Ok(emitted);
            }
        }
    }
}
