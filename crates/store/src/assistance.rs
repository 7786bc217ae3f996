//! Hardship assistance requests (民生保障): event streams with a projection, access list and
//! audit, written together under the same rules as cases.

use crate::audit::{self, AuditEntry};
use crate::cases::{Arg, Where};
use crate::idempotency::{claim_in, Idempotency, Once};
use crate::{streams, to_ms, CommandError, Store, StoreError};
use chuishao_domain::assistance::{
    self, AssistanceCommand, AssistanceError, AssistanceEvent, AssistanceId, AssistanceKind, AssistanceRequest,
    AssistanceStatus, Env, NewAssistance,
};
use chuishao_domain::case::Visibility;
use chuishao_domain::{Actor, DistrictCode, Role, Timestamp, WorkCalendar};
use sqlx::{Any, Row};

pub type StoredAssistanceEvent = streams::Stored<AssistanceEvent>;

#[derive(Debug, Clone)]
pub struct AssistanceOutcome {
    pub request: AssistanceRequest,
    pub events: Vec<AssistanceEvent>,
}

#[derive(Debug, Clone, Default)]
pub struct AssistanceFilter {
    pub status: Vec<AssistanceStatus>,
    pub kind: Option<AssistanceKind>,
    pub street: Option<String>,
    pub community: Option<String>,
    pub submitted_by: Option<String>,
    pub household: Option<String>,
    pub overdue: Option<bool>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub page: u32,
    pub per_page: u32,
}

const COLUMNS: [&str; 18] = [
    "district",
    "id",
    "street",
    "community",
    "household_id",
    "visit_id",
    "kind",
    "status",
    "unit_id",
    "submitted_by",
    "submitted_at",
    "decided_at",
    "delivered_at",
    "overdue",
    "next_alert_at",
    "version",
    "state",
    "updated_at",
];

fn bind_projection<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    r: &'q AssistanceRequest,
    state: String,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    q.bind(r.district.as_str())
        .bind(r.id.to_string())
        .bind(r.street.as_str())
        .bind(r.community.as_str())
        .bind(r.household.clone())
        .bind(r.visit.clone())
        .bind(r.kind.as_str())
        .bind(r.status.as_str())
        .bind(r.unit.as_str())
        .bind(r.submitted_by.user_id.as_str())
        .bind(to_ms(r.submitted_at))
        .bind(r.decided_at.map(to_ms))
        .bind(r.delivered_at.map(to_ms))
        .bind(i64::from(r.is_overdue()))
        .bind(r.next_alert_at().map(to_ms))
        .bind(r.version as i64)
        .bind(state)
        .bind(to_ms(r.updated_at))
}

/// Events, projection, access list and audit of one command, in the caller's transaction.
async fn append_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    actor: &Actor,
    action: &str,
    from_version: u64,
    events: &[AssistanceEvent],
    after: &AssistanceRequest,
    now: Timestamp,
) -> Result<(), StoreError> {
    let district = after.district.as_str();
    let id = after.id.to_string();
    let state = serde_json::to_string(after)?;
    if from_version == 0 {
        let sql = streams::insert_projection_sql("assistance_requests", &COLUMNS);
        bind_projection(sqlx::query(&sql), after, state)
            .execute(&mut **tx)
            .await
            .map_err(|e| StoreError::from_insert(e, "assistance"))?;
    } else {
        let sql = streams::update_projection_sql("assistance_requests", &COLUMNS);
        let done =
            bind_projection(sqlx::query(&sql), after, state).bind(from_version as i64).execute(&mut **tx).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
    }
    streams::append_events(tx, streams::ASSISTANCE, district, &id, from_version, events, after.principals(), now)
        .await?;
    let types: Vec<&str> = events.iter().map(|e| e.data.type_name()).collect();
    let detail = serde_json::json!({ "action": action, "events": types, "version": after.version }).to_string();
    let entry = AuditEntry {
        district,
        actor,
        action: &format!("assistance.{action}"),
        object_kind: "assistance",
        object_id: &id,
        detail,
    };
    audit::insert(tx, entry, now).await
}

/// Writes a new request from its decided Submitted events, in the caller's transaction.
pub(crate) async fn create_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    actor: &Actor,
    events: &[AssistanceEvent],
    now: Timestamp,
) -> Result<AssistanceRequest, StoreError> {
    let after = assistance::fold(events.iter()).ok_or_else(|| StoreError::Corrupt("no submission".into()))?;
    append_in(tx, actor, "submit", 0, events, &after, now).await?;
    Ok(after)
}

impl Store {
    pub async fn assistance_events(
        &self,
        district: &DistrictCode,
        id: AssistanceId,
    ) -> Result<Vec<StoredAssistanceEvent>, StoreError> {
        streams::read_events(&self.pool, streams::ASSISTANCE, district.as_str(), &id.to_string()).await
    }

    /// The request as its events fold, with the events.
    pub async fn load_assistance(
        &self,
        district: &DistrictCode,
        id: AssistanceId,
    ) -> Result<Option<(AssistanceRequest, Vec<StoredAssistanceEvent>)>, StoreError> {
        let events = self.assistance_events(district, id).await?;
        Ok(assistance::fold(events.iter().map(|e| &e.event)).map(|r| (r, events)))
    }

    pub async fn projected_assistance(
        &self,
        district: &DistrictCode,
        id: AssistanceId,
    ) -> Result<Option<AssistanceRequest>, StoreError> {
        let row = sqlx::query("SELECT state FROM assistance_requests WHERE district = $1 AND id = $2")
            .bind(district.as_str())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some(serde_json::from_str(&r.try_get::<String, _>("state")?)?)),
            None => Ok(None),
        }
    }

    /// Submits a request, once per idempotency key.
    pub async fn submit_assistance(
        &self,
        actor: &Actor,
        new: NewAssistance,
        now: Timestamp,
        calendar: &WorkCalendar,
        idem: Option<&Idempotency>,
    ) -> Result<Once<AssistanceOutcome>, CommandError> {
        if let Some(id) = self.replayed(actor, idem, "assistance").await? {
            return Ok(Once::Replayed(id));
        }
        let now = crate::whole_ms(now);
        let events = assistance::decide(None, &AssistanceCommand::Submit(new), actor, &Env { now, calendar })?;
        let written = async {
            let _guard = self.write_guard().await;
            let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
            let request = create_in(&mut tx, actor, &events, now).await?;
            claim_in(&mut tx, actor, idem, "assistance", &request.id.to_string(), now).await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(AssistanceOutcome { request, events: events.clone() })
        }
        .await;
        self.settle(actor, idem, "assistance", written).await
    }

    /// Runs a command on a request with optimistic concurrency, as for cases and whistles: a
    /// stale expected version conflicts unless only the ticker wrote since.
    pub async fn execute_assistance(
        &self,
        actor: &Actor,
        id: AssistanceId,
        command: &AssistanceCommand,
        expected_version: Option<u64>,
        now: Timestamp,
        calendar: &WorkCalendar,
    ) -> Result<AssistanceOutcome, CommandError> {
        let now = crate::whole_ms(now);
        let env = Env { now, calendar };
        for attempt in 1.. {
            let events = self.assistance_events(&actor.district, id).await?;
            let state = assistance::fold(events.iter().map(|e| &e.event));
            if let (Some(expected), Some(r)) = (expected_version, &state) {
                let only_system = events.iter().filter(|e| e.seq > expected).all(|e| e.event.by.role == Role::System);
                if expected != r.version && !(expected < r.version && only_system) {
                    let seen = assistance::fold(events.iter().take(expected as usize).map(|e| &e.event));
                    assistance::decide(seen.as_ref(), command, actor, &env)?;
                    return Err(CommandError::StaleVersion { expected, actual: r.version });
                }
            }
            let new_events = assistance::decide(state.as_ref(), command, actor, &env)?;
            let Some(before) = state else { return Err(AssistanceError::NotFound.into()) };
            if new_events.is_empty() {
                return Ok(AssistanceOutcome { request: before, events: vec![] });
            }
            let after =
                new_events.iter().fold(Some(before.clone()), assistance::evolve).ok_or(AssistanceError::NotFound)?;
            let written: Result<(), StoreError> = async {
                let _guard = self.write_guard().await;
                let mut tx = self.pool.begin().await?;
                append_in(&mut tx, actor, command.action().as_str(), before.version, &new_events, &after, now).await?;
                tx.commit().await?;
                Ok(())
            }
            .await;
            match written {
                Ok(()) => return Ok(AssistanceOutcome { request: after, events: new_events }),
                Err(StoreError::Conflict) if expected_version.is_none() && attempt < 16 => continue,
                Err(StoreError::Conflict) => {
                    let actual = self.projected_assistance(&actor.district, id).await?.map_or(0, |r| r.version);
                    return Err(CommandError::StaleVersion { expected: before.version, actual });
                }
                Err(e) => return Err(e.into()),
            }
        }
        unreachable!("the loop returns")
    }

    /// Writes requests whose histories were decided elsewhere (the demo simulator).
    pub async fn import_assistance(
        &self,
        actor: &Actor,
        histories: &[Vec<AssistanceEvent>],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for history in histories {
            let events: Vec<AssistanceEvent> =
                history.iter().map(|e| AssistanceEvent { at: crate::whole_ms(e.at), ..e.clone() }).collect();
            let after = assistance::fold(events.iter())
                .ok_or_else(|| StoreError::Corrupt("history without a submission".into()))?;
            append_in(&mut tx, actor, "import", 0, &events, &after, now).await?;
        }
        tx.commit().await?;
        Ok(histories.len())
    }

    /// Requests an actor may see, filtered and paged, newest first.
    pub async fn list_assistance(
        &self,
        district: &DistrictCode,
        visibility: &Visibility,
        filter: &AssistanceFilter,
    ) -> Result<(Vec<AssistanceRequest>, u64), StoreError> {
        let mut w = Where::default();
        w.push("r.district = $?", Arg::Text(district.to_string()));
        match visibility {
            Visibility::District(d) if d == district => {}
            Visibility::Street(s) => w.push("r.street = $?", Arg::Text(s.to_string())),
            Visibility::Communities(cs) if !cs.is_empty() => {
                w.push_any("r.community", cs.iter().map(|c| Arg::Text(c.to_string())))
            }
            Visibility::Principal(p) => w.push_pair(
                "r.id IN (SELECT a.assistance_id FROM assistance_access a WHERE a.district = $? AND a.principal = $?)",
                Arg::Text(district.to_string()),
                Arg::Text(p.clone()),
            ),
            _ => return Ok((vec![], 0)),
        }
        w.push_any("r.status", filter.status.iter().map(|s| Arg::Text(s.as_str().to_string())));
        if let Some(k) = filter.kind {
            w.push("r.kind = $?", Arg::Text(k.as_str().to_string()));
        }
        if let Some(s) = &filter.street {
            w.push("r.street = $?", Arg::Text(s.clone()));
        }
        if let Some(c) = &filter.community {
            w.push("r.community = $?", Arg::Text(c.clone()));
        }
        if let Some(u) = &filter.submitted_by {
            w.push("r.submitted_by = $?", Arg::Text(u.clone()));
        }
        if let Some(h) = &filter.household {
            w.push("r.household_id = $?", Arg::Text(h.clone()));
        }
        if let Some(b) = filter.overdue {
            w.push("r.overdue = $?", Arg::Int(i64::from(b)));
        }
        if let Some(t) = filter.from {
            w.push("r.submitted_at >= $?", Arg::Int(to_ms(t)));
        }
        if let Some(t) = filter.to {
            w.push("r.submitted_at < $?", Arg::Int(to_ms(t)));
        }
        let where_sql = w.sql();
        let count_sql = format!("SELECT COUNT(*) AS n FROM assistance_requests r{where_sql}");
        let total: i64 = w.bind(sqlx::query(&count_sql)).fetch_one(&self.pool).await?.try_get("n")?;
        let per_page = filter.per_page.clamp(1, 200);
        let offset = i64::from(filter.page.max(1) - 1) * i64::from(per_page);
        let sql = format!(
            "SELECT r.state AS state FROM assistance_requests r{where_sql} ORDER BY r.submitted_at DESC, r.id \
             LIMIT {per_page} OFFSET {offset}"
        );
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        let items = rows
            .iter()
            .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("state")?)?))
            .collect::<Result<Vec<AssistanceRequest>, StoreError>>()?;
        Ok((items, total as u64))
    }

    /// One ticker pass over assistance requests: warnings and overdue, exactly once each.
    pub(crate) async fn tick_assistance(&self, now: Timestamp, calendar: &WorkCalendar) -> Result<usize, StoreError> {
        let mut emitted = 0;
        loop {
            let rows = sqlx::query(
                "SELECT district, id FROM assistance_requests WHERE next_alert_at IS NOT NULL AND next_alert_at <= $1 \
                 ORDER BY next_alert_at LIMIT 500",
            )
            .bind(to_ms(now))
            .fetch_all(&self.pool)
            .await?;
            let mut progressed = false;
            for r in &rows {
                let d: String = r.try_get("district")?;
                let id: String = r.try_get("id")?;
                let district = DistrictCode::parse(&d).map_err(StoreError::Corrupt)?;
                let id = AssistanceId::parse(&id).ok_or_else(|| StoreError::Corrupt(format!("assistance id {id}")))?;
                let system = Actor::system(district);
                match self.execute_assistance(&system, id, &AssistanceCommand::Tick, None, now, calendar).await {
                    Ok(out) => {
                        emitted += out.events.len();
                        progressed |= !out.events.is_empty();
                    }
                    Err(e) => tracing::error!(assistance = %id, error = %e, "assistance tick skipped"),
                }
            }
            if !progressed {
                return Ok(emitted);
            }
        }
    }
}
