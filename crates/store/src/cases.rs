//! Case event streams, their query projection, access list and audit record — written together.

use crate::attachments::Upload;
use crate::idempotency::{claim_in, Idempotency, Once};
use crate::{from_ms, streams, to_ms, CommandError, Store, StoreError};
use chuishao_domain::case::{AttachmentMeta, Env, NewCase, Visibility};
use chuishao_domain::{
    case, Actor, Case, CaseCommand, CaseError, CaseEvent, CaseEventData, CaseId, CaseStatus, DistrictCode, Role,
    Timestamp, WorkCalendar,
};
use sqlx::any::AnyArguments;
use sqlx::{Any, Row};

/// A case event as stored.
pub type StoredEvent = streams::Stored<CaseEvent>;

/// The result of a command: the case after it, and the events it caused.
#[derive(Debug, Clone)]
pub struct CommandOutcome {
    pub case: Case,
    pub events: Vec<CaseEvent>,
}

/// Filters of the case list; all optional.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Vec<CaseStatus>,
    pub street: Option<String>,
    pub community: Option<String>,
    /// A unit or department id the case is dispatched to now.
    pub assignee: Option<String>,
    pub duty_item: Option<String>,
    /// The channel it came in by (`Channel::as_str`).
    pub channel: Option<String>,
    pub overdue: Option<bool>,
    /// Free text: matches the request text, the number or the address.
    pub q: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone)]
pub struct CasePage {
    pub items: Vec<Case>,
    pub total: u64,
}

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// Builds `WHERE` clauses with `$n` placeholders numbered in order, the same on both backends.
#[derive(Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    pub(crate) fn push(&mut self, clause_with_placeholder: &str, arg: Arg) {
        self.args.push(arg);
        let n = self.args.len();
        self.clauses.push(clause_with_placeholder.replace("$?", &format!("${n}")));
    }
    /// `column IN (…)` over the given values; nothing when there are none.
    pub(crate) fn push_any(&mut self, column: &str, values: impl IntoIterator<Item = Arg>) {
        self.push_in(&format!("{column} IN ({{}})"), values);
    }

    /// A clause whose `{}` stands for a list of placeholders, one per value; nothing when there
    /// are no values.
    pub(crate) fn push_in(&mut self, template: &str, values: impl IntoIterator<Item = Arg>) {
        let first = self.args.len() + 1;
        self.args.extend(values);
        if self.args.len() >= first {
            self.clauses.push(template.replace("{}", &placeholders(first, self.args.len() + 1 - first)));
        }
    }

    /// A clause with two placeholders, bound in order.
    pub(crate) fn push_pair(&mut self, clause: &str, first: Arg, second: Arg) {
        self.push_all(clause, [first, second]);
    }

    /// A clause with one placeholder per value, bound in order.
    pub(crate) fn push_all(&mut self, clause: &str, values: impl IntoIterator<Item = Arg>) {
        let mut clause = clause.to_string();
        for v in values {
            self.args.push(v);
            clause = clause.replacen("$?", &format!("${}", self.args.len()), 1);
        }
        self.clauses.push(clause);
    }
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
    pub(crate) fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
        bind_args(q, &self.args)
    }
}

/// The cases a visitor may see that a filter admits, its statuses and overdue flag aside (the
/// queues differ only in those); none when the visitor may see nothing.
fn filter_where(district: &DistrictCode, visibility: &Visibility, filter: &CaseFilter) -> Option<Where> {
    let mut w = Where::default();
    w.push("c.district = $?", Arg::Text(district.to_string()));
    // The same rule as `case::can_see`, as SQL.
    match visibility {
        Visibility::District(d) if d == district => {}
        Visibility::Street(s) => w.push("c.street = $?", Arg::Text(s.to_string())),
        Visibility::Communities(cs) if !cs.is_empty() => {
            w.push_any("c.community", cs.iter().map(|c| Arg::Text(c.to_string())))
        }
        Visibility::Reporter(u) => w.push("c.reporter_user = $?", Arg::Text(u.clone())),
        Visibility::Principal(p) => w.push_pair(
            "c.id IN (SELECT a.case_id FROM case_access a WHERE a.district = $? AND a.principal = $?)",
            Arg::Text(district.to_string()),
            Arg::Text(p.clone()),
        ),
        Visibility::District(_) | Visibility::Communities(_) | Visibility::Nothing => return None,
    }
    for (col, v) in [
        ("c.street", &filter.street),
        ("c.community", &filter.community),
        ("c.assignee_id", &filter.assignee),
        ("c.duty_item", &filter.duty_item),
        ("c.channel", &filter.channel),
    ] {
        if let Some(v) = v {
            w.push(&format!("{col} = $?"), Arg::Text(v.clone()));
        }
    }
    if let Some(t) = filter.from {
        w.push("c.received_at >= $?", Arg::Int(to_ms(t)));
    }
    if let Some(t) = filter.to {
        w.push("c.received_at < $?", Arg::Int(to_ms(t)));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        w.push_pair(
            "(c.text LIKE $? ESCAPE '\\' OR c.number = $?)",
            Arg::Text(format!("%{escaped}%")),
            Arg::Text(q.to_string()),
        );
    }
    Some(w)
}

/// `$first, $first+1, …` — `n` placeholders.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Binds arguments in order.
pub(crate) fn bind_args<'q>(
    mut q: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    args: &'q [Arg],
) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s.as_str()),
            Arg::Int(i) => q.bind(*i),
        };
    }
    q
}

/// All events of a case, read through any executor (the pool, or an open transaction).
pub(crate) async fn case_events_in<'e>(
    db: impl sqlx::Executor<'e, Database = Any>,
    district: &DistrictCode,
    id: CaseId,
) -> Result<Vec<StoredEvent>, StoreError> {
    streams::read_events(db, streams::CASES, district.as_str(), &id.to_string()).await
}

/// The audit detail of a command: what happened, never whom it concerns.
fn audit_detail(action: &str, events: &[CaseEvent], version: u64) -> String {
    let types: Vec<&str> = events.iter().map(|e| e.data.type_name()).collect();
    let reason = events.iter().find_map(|e| match &e.data {
        CaseEventData::ContactRevealed { reason } => Some(reason.clone()),
        _ => None,
    });
    serde_json::json!({ "action": action, "events": types, "version": version, "reason": reason }).to_string()
}

const PROJECTION_COLUMNS: [&str; 27] = [
    "district",
    "id",
    "number",
    "kind",
    "channel",
    "status",
    "street",
    "community",
    "assignee_kind",
    "assignee_id",
    "duty_item",
    "text",
    "reporter_user",
    "received_at",
    "response_due",
    "resolution_due",
    "contacted_at",
    "resolved_at",
    "closed_at",
    "overdue",
    "next_alert_at",
    "round",
    "version",
    "state",
    "updated_at",
    "received_by",
    "callback_at",
];

fn bind_projection<'q>(
    q: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    c: &'q Case,
    state_json: String,
) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
    q.bind(c.district.as_str())
        .bind(c.id.to_string())
        .bind(c.number.as_str())
        .bind(c.kind.as_str())
        .bind(c.channel.as_str())
        .bind(c.status.as_str())
        .bind(c.street.as_str())
        .bind(c.community.as_ref().map(|x| x.as_str().to_string()))
        .bind(c.assignee.as_ref().map(|a| a.kind_str().to_string()))
        .bind(c.assignee.as_ref().map(|a| a.id().to_string()))
        .bind(c.duty_item.as_ref().map(|d| d.code.clone()))
        .bind(c.text.as_str())
        .bind(c.reporter_user.clone())
        .bind(to_ms(c.received_at))
        .bind(c.response.as_ref().map(|d| to_ms(d.due)))
        .bind(c.resolution.as_ref().map(|d| to_ms(d.due)))
        .bind(c.contacted_at.map(to_ms))
        .bind(c.resolved_at.map(to_ms))
        .bind(c.closed_at.map(to_ms))
        .bind(i64::from(c.is_overdue()))
        .bind(c.next_alert_at().map(to_ms))
        .bind(i64::from(c.round))
        .bind(c.version as i64)
        .bind(state_json)
        .bind(to_ms(c.updated_at))
        .bind(c.received_by.as_str())
        .bind(c.callback.as_ref().map(|cb| to_ms(cb.at)))
}

/// Whether a client that saw `expected` still sees the case as it is: either nothing happened
/// since, or only what changes nothing of its handling did — the system's deadline alerts and
/// the notes of whistles blown or concluded for it.
fn current_for(expected: u64, actual: u64, events: &[StoredEvent]) -> bool {
    let incidental = |e: &StoredEvent| {
        e.event.by.role == Role::System
            || matches!(e.event.data, CaseEventData::WhistleBlown(_) | CaseEventData::WhistleConcluded(_))
    };
    expected == actual || (expected < actual && events.iter().filter(|e| e.seq > expected).all(incidental))
}

/// The writes of one append, inside the caller's transaction: the events at `from_version + 1…`
/// (0 for a new case), the projection (guarded by the version), the access list, one audit
/// record, and for imported numbers the day's sequence.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn append_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    actor: &Actor,
    action: &str,
    before: Option<&Case>,
    events: &[CaseEvent],
    after: &Case,
    now: Timestamp,
    number_day: Option<&str>,
) -> Result<(), StoreError> {
    let from_version = before.map_or(0, |b| b.version);
    let district = after.district.as_str();
    let id = after.id.to_string();
    if let Some(day) = number_day {
        // Keep the daily number sequence ahead of numbers written here.
        let seq: i64 = after.number.rsplit('-').next().and_then(|s| s.parse().ok()).unwrap_or(0);
        sqlx::query(
            "INSERT INTO case_numbers (district, day, last) VALUES ($1, $2, $3) \
                 ON CONFLICT (district, day) DO UPDATE SET last = \
                 CASE WHEN excluded.last > case_numbers.last THEN excluded.last ELSE case_numbers.last END",
        )
        .bind(district)
        .bind(day)
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    }
    let state_json = serde_json::to_string(after)?;
    if from_version == 0 {
        let sql = streams::insert_projection_sql("cases", &PROJECTION_COLUMNS);
        bind_projection(sqlx::query(&sql), after, state_json)
            .execute(&mut **tx)
            .await
            .map_err(|e| StoreError::from_insert(e, "case"))?;
    } else {
        let sql = streams::update_projection_sql("cases", &PROJECTION_COLUMNS);
        let done =
            bind_projection(sqlx::query(&sql), after, state_json).bind(from_version as i64).execute(&mut **tx).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
    }
    streams::append_events(tx, streams::CASES, district, &id, from_version, events, after.principals(), now).await?;
    crate::assessment::apply_in(tx, &after.district, &chuishao_domain::assessment::delta(before, after)).await?;
    crate::audit::insert(
        tx,
        crate::audit::AuditEntry {
            district,
            actor,
            action: &format!("case.{action}"),
            object_kind: "case",
            object_id: &id,
            detail: audit_detail(action, events, after.version),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Receives a new case inside the caller's transaction, taking its number there.
pub(crate) async fn receive_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    actor: &Actor,
    env: &Env<'_>,
    new: NewCase,
) -> Result<CommandOutcome, CommandError> {
    let day = chuishao_domain::calendar::local_date(env.now).format("%Y%m%d").to_string();
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO case_numbers (district, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (district, day) DO UPDATE SET last = case_numbers.last + 1 RETURNING last",
    )
    .bind(actor.district.as_str())
    .bind(&day)
    .fetch_one(&mut **tx)
    .await
    .map_err(StoreError::from)?;
    let number = format!("{}-{}-{:04}", actor.district, day, last);
    let cmd = CaseCommand::Receive(Box::new(NewCase { number, ..new }));
    let events = case::decide(None, &cmd, actor, env)?;
    let after = case::fold(events.iter()).ok_or(CaseError::NotFound)?;
    append_in(tx, actor, "receive", None, &events, &after, env.now, None).await?;
    Ok(CommandOutcome { case: after, events })
}

impl Store {
    /// All events of a case, in order.
    pub async fn case_events(&self, district: &DistrictCode, id: CaseId) -> Result<Vec<StoredEvent>, StoreError> {
        case_events_in(&self.pool, district, id).await
    }

    /// The case as its events fold (the source of truth), with the events.
    pub async fn load_case(
        &self,
        district: &DistrictCode,
        id: CaseId,
    ) -> Result<Option<(Case, Vec<StoredEvent>)>, StoreError> {
        let events = self.case_events(district, id).await?;
        Ok(case::fold(events.iter().map(|e| &e.event)).map(|c| (c, events)))
    }

    /// The projected state of a case (what lists show).
    pub async fn projected_case(&self, district: &DistrictCode, id: CaseId) -> Result<Option<Case>, StoreError> {
        let row = sqlx::query("SELECT state FROM cases WHERE district = $1 AND id = $2")
            .bind(district.as_str())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some(serde_json::from_str(&r.try_get::<String, _>("state")?)?)),
            None => Ok(None),
        }
    }

    /// Finds a case by its human-readable number.
    pub async fn case_id_by_number(&self, district: &DistrictCode, number: &str) -> Result<Option<CaseId>, StoreError> {
        let row = sqlx::query("SELECT id FROM cases WHERE district = $1 AND number = $2")
            .bind(district.as_str())
            .bind(number)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|r| r.try_get::<String, _>("id").ok()).and_then(|s| CaseId::parse(&s)))
    }

    /// Appends a command's events to a stream at `from_version`, in a transaction of its own,
    /// with the bytes of the file the events attach, if any.
    #[allow(clippy::too_many_arguments)]
    async fn append(
        &self,
        actor: &Actor,
        action: &str,
        before: &Case,
        events: &[CaseEvent],
        after: &Case,
        now: Timestamp,
        file: Option<(&AttachmentMeta, &[u8])>,
    ) -> Result<(), StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        append_in(&mut tx, actor, action, Some(before), events, after, now, None).await?;
        if let Some((meta, bytes)) = file {
            crate::attachments::put_in(&mut tx, after.district.as_str(), meta, bytes, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Receives a new case. The request is checked before a number is taken, and the number is
    /// taken in the same transaction as the append, so a refused request leaves no trace.
    pub async fn receive_case(
        &self,
        actor: &Actor,
        now: Timestamp,
        calendar: &WorkCalendar,
        new: NewCase,
    ) -> Result<CommandOutcome, CommandError> {
        match self.receive_case_once(actor, now, calendar, new, None).await? {
            Once::Created(outcome) => Ok(outcome),
            Once::Replayed(_) => Err(StoreError::Conflict.into()),
        }
    }

    /// Receives a new case once per idempotency key: a form sent again answers the case the
    /// first sending created.
    pub async fn receive_case_once(
        &self,
        actor: &Actor,
        now: Timestamp,
        calendar: &WorkCalendar,
        new: NewCase,
        idem: Option<&Idempotency>,
    ) -> Result<Once<CommandOutcome>, CommandError> {
        self.receive_case_with(actor, now, calendar, new, idem, None).await
    }

    /// Receives a new case once per idempotency key, with a file attached in the same
    /// transaction (the resident's photo): the case is acknowledged with its file or not at all.
    pub async fn receive_case_with(
        &self,
        actor: &Actor,
        now: Timestamp,
        calendar: &WorkCalendar,
        new: NewCase,
        idem: Option<&Idempotency>,
        file: Option<Upload<'_>>,
    ) -> Result<Once<CommandOutcome>, CommandError> {
        if let Some(id) = self.replayed(actor, idem, "case").await? {
            return Ok(Once::Replayed(id));
        }
        let now = crate::whole_ms(now);
        let env = Env { now, calendar };
        case::decide(None, &CaseCommand::Receive(Box::new(new.clone())), actor, &env)?;
        let file = file.map(|f| f.meta().map(|meta| (meta, f.bytes))).transpose()?;
        let written = async {
            let _guard = self.write_guard().await;
            let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
            let mut outcome = receive_in(&mut tx, actor, &env, new).await?;
            if let Some((meta, bytes)) = &file {
                let before = outcome.case.clone();
                let attached = case::decide(Some(&before), &CaseCommand::AddAttachment(meta.clone()), actor, &env)?;
                let after = attached.iter().fold(Some(before.clone()), case::evolve).ok_or(CaseError::NotFound)?;
                append_in(&mut tx, actor, "add-attachment", Some(&before), &attached, &after, now, None).await?;
                crate::attachments::put_in(&mut tx, after.district.as_str(), meta, bytes, now).await?;
                outcome = CommandOutcome { case: after, events: [outcome.events, attached].concat() };
            }
            claim_in(&mut tx, actor, idem, "case", &outcome.case.id.to_string(), now).await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(outcome)
        }
        .await;
        self.settle(actor, idem, "case", written).await
    }

    /// Runs a command on a case: load, decide, append — with optimistic concurrency.
    ///
    /// With `expected_version`, a case at another version is a conflict. Without, a concurrent
    /// write is retried on the fresh state (the command is decided again).
    pub async fn execute(
        &self,
        actor: &Actor,
        id: CaseId,
        command: &CaseCommand,
        expected_version: Option<u64>,
        now: Timestamp,
        calendar: &WorkCalendar,
    ) -> Result<CommandOutcome, CommandError> {
        self.execute_with(actor, id, command, expected_version, now, calendar, None).await
    }

    /// [`Store::execute`], writing the bytes of the file an `add-attachment` command names in
    /// the same transaction as its event.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn execute_with(
        &self,
        actor: &Actor,
        id: CaseId,
        command: &CaseCommand,
        expected_version: Option<u64>,
        now: Timestamp,
        calendar: &WorkCalendar,
        file: Option<(&AttachmentMeta, &[u8])>,
    ) -> Result<CommandOutcome, CommandError> {
        let now = crate::whole_ms(now);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let events = self.case_events(&actor.district, id).await?;
            let state = case::fold(events.iter().map(|e| &e.event));
            let env = Env { now, calendar };
            if let (Some(expected), Some(s)) = (expected_version, &state) {
                if !current_for(expected, s.version, &events) {
                    // Answer as the client's own view would have: its refusal (role, scope,
                    // state) if the command was wrong there, else the conflict.
                    let seen = case::fold(events.iter().take(expected as usize).map(|e| &e.event));
                    case::decide(seen.as_ref(), command, actor, &env)?;
                    return Err(CommandError::StaleVersion { expected, actual: s.version });
                }
            }
            let new_events = case::decide(state.as_ref(), command, actor, &env)?;
            let Some(before) = state else {
                return Err(CaseError::NotFound.into());
            };
            if new_events.is_empty() {
                return Ok(CommandOutcome { case: before, events: vec![] });
            }
            let after = new_events.iter().fold(Some(before.clone()), case::evolve).ok_or(CaseError::NotFound)?;
            let action = command.action();
            match self.append(actor, action.as_str(), &before, &new_events, &after, now, file).await {
                Ok(()) => return Ok(CommandOutcome { case: after, events: new_events }),
                Err(StoreError::Conflict) if expected_version.is_none() && attempts < 16 => continue,
                Err(StoreError::Conflict) => {
                    let actual = self.projected_case(&actor.district, id).await?.map(|c| c.version).unwrap_or(0);
                    return Err(CommandError::StaleVersion { expected: before.version, actual });
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Writes cases whose whole history was decided elsewhere (the demo simulator, imports),
    /// all in one transaction. Each history is checked by folding; the daily number sequences
    /// are kept ahead of the numbers written.
    pub async fn import_cases(
        &self,
        actor: &Actor,
        histories: &[Vec<CaseEvent>],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for history in histories {
            let events: Vec<CaseEvent> =
                history.iter().map(|e| CaseEvent { at: crate::whole_ms(e.at), ..e.clone() }).collect();
            let after =
                case::fold(events.iter()).ok_or_else(|| StoreError::Corrupt("history without received".into()))?;
            let day = after.number.split('-').nth(1).map(str::to_string);
            append_in(&mut tx, actor, "import", None, &events, &after, now, day.as_deref()).await?;
        }
        tx.commit().await?;
        Ok(histories.len())
    }

    /// Cases an actor may see, filtered and paged, newest first.
    pub async fn list_cases(
        &self,
        district: &DistrictCode,
        visibility: &Visibility,
        filter: &CaseFilter,
    ) -> Result<CasePage, StoreError> {
        let Some(mut w) = filter_where(district, visibility, filter) else {
            return Ok(CasePage { items: vec![], total: 0 });
        };
        w.push_any("c.status", filter.status.iter().map(|s| Arg::Text(s.as_str().to_string())));
        if let Some(b) = filter.overdue {
            w.push("c.overdue = $?", Arg::Int(i64::from(b)));
        }
        let where_sql = w.sql();
        let count_sql = format!("SELECT COUNT(*) AS n FROM cases c{where_sql}");
        let total: i64 = w.bind(sqlx::query(&count_sql)).fetch_one(&self.pool).await?.try_get("n")?;
        let per_page = filter.per_page.clamp(1, 200);
        let offset = i64::from(filter.page.max(1) - 1) * i64::from(per_page);
        let list_sql = format!(
            "SELECT c.state AS state FROM cases c{where_sql} ORDER BY c.received_at DESC, c.id LIMIT {per_page} OFFSET {offset}"
        );
        let rows = w.bind(sqlx::query(&list_sql)).fetch_all(&self.pool).await?;
        let items = rows
            .iter()
            .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("state")?)?))
            .collect::<Result<Vec<Case>, StoreError>>()?;
        Ok(CasePage { items, total: total as u64 })
    }

    /// How many cases the filter admits in each status — its statuses and overdue flag aside —
    /// and how many of those are overdue: (status, cases, overdue). One grouped query for the
    /// counts of every queue.
    pub async fn count_by_status(
        &self,
        district: &DistrictCode,
        visibility: &Visibility,
        filter: &CaseFilter,
    ) -> Result<Vec<(String, u64, u64)>, StoreError> {
        let Some(w) = filter_where(district, visibility, filter) else {
            return Ok(vec![]);
        };
        // Grouped by an expression, not the column: grouped by `status`, SQLite walks an index
        // ordered by status over the whole district instead of the one the filters narrow best
        // (a street's, a unit's cases by id). Statuses are lower case already.
        let sql = format!(
            "SELECT LOWER(c.status) AS status, COUNT(*) AS n, \
             CAST(SUM(CASE WHEN c.overdue <> 0 THEN 1 ELSE 0 END) AS BIGINT) AS late FROM cases c{} \
             GROUP BY LOWER(c.status)",
            w.sql()
        );
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("status")?,
                    r.try_get::<i64, _>("n")?.max(0) as u64,
                    r.try_get::<Option<i64>, _>("late")?.unwrap_or(0).max(0) as u64,
                ))
            })
            .collect()
    }

    /// Cases with a deadline alert due at `now`, oldest alert first.
    pub async fn cases_due_for_tick(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<(DistrictCode, CaseId)>, StoreError> {
        let rows = sqlx::query(
            "SELECT district, id FROM cases WHERE next_alert_at IS NOT NULL AND next_alert_at <= $1 \
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
                    CaseId::parse(&id).ok_or_else(|| StoreError::Corrupt(format!("case id {id}")))?,
                ))
            })
            .collect()
    }

    /// One pass of the deadline ticker over cases and whistles: every due warning and overdue
    /// event, exactly once each (the deciders remember what they emitted; a concurrent pass loses
    /// the version race and, retried, finds nothing left to emit).
    pub async fn tick(&self, now: Timestamp, calendar: &WorkCalendar) -> Result<usize, StoreError> {
        let mut emitted = 0;
        loop {
            let due = self.cases_due_for_tick(now, 500).await?;
            let mut progressed = false;
            for (district, id) in due {
                let system = Actor::system(district);
                match self.execute(&system, id, &CaseCommand::Tick, None, now, calendar).await {
                    Ok(out) => {
                        emitted += out.events.len();
                        progressed |= !out.events.is_empty();
                    }
                    // One unreadable case must not stall every alert behind it.
                    Err(e) => tracing::error!(case = %id, error = %e, "deadline tick skipped"),
                }
            }
            if !progressed {
                break;
            }
        }
        Ok(emitted + self.tick_whistles(now, calendar).await? + self.tick_assistance(now, calendar).await?)
    }

    /// Audit records of one object, oldest first: (at, actor id, actor role, action, detail).
    pub async fn audit_of(
        &self,
        district: &DistrictCode,
        object_kind: &str,
        object_id: &str,
    ) -> Result<Vec<(Timestamp, String, String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor_id, actor_role, action, detail FROM audit_log \
             WHERE district = $1 AND object_kind = $2 AND object_id = $3 ORDER BY id",
        )
        .bind(district.as_str())
        .bind(object_kind)
        .bind(object_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    from_ms(r.try_get("at")?),
                    r.try_get("actor_id")?,
                    r.try_get("actor_role")?,
                    r.try_get("action")?,
                    r.try_get("detail")?,
                ))
            })
            .collect()
    }
}
