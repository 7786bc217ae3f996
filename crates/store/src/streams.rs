//! What every event-sourced aggregate stores alike: its event rows and its access list. The
//! tables differ by name only (`case_events` / `whistle_events`, `case_access` / …).

use crate::{from_ms, to_ms, StoreError};
use chuishao_domain::assistance::{AssistanceEvent, AssistanceEventData};
use chuishao_domain::whistle::{WhistleEvent, WhistleEventData};
use chuishao_domain::{ActorRef, CaseEvent, CaseEventData, Role, Timestamp};
use sqlx::{Any, Row};

/// One stream's tables: events, access list, and the name of the id column.
#[derive(Clone, Copy)]
pub(crate) struct Stream {
    pub events: &'static str,
    pub access: &'static str,
    pub id_column: &'static str,
}

pub(crate) const CASES: Stream = Stream { events: "case_events", access: "case_access", id_column: "case_id" };
pub(crate) const WHISTLES: Stream =
    Stream { events: "whistle_events", access: "whistle_access", id_column: "whistle_id" };
pub(crate) const ASSISTANCE: Stream =
    Stream { events: "assistance_events", access: "assistance_access", id_column: "assistance_id" };

/// The statement inserting a stream's projection row; `columns` start with the key (district, id).
pub(crate) fn insert_projection_sql(table: &str, columns: &[&str]) -> String {
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), placeholders.join(", "))
}

/// The statement updating a stream's projection row, guarded by the previous version (bound
/// last): a stale writer changes nothing and gets a conflict.
pub(crate) fn update_projection_sql(table: &str, columns: &[&str]) -> String {
    let sets: Vec<String> = columns.iter().enumerate().skip(2).map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    format!(
        "UPDATE {table} SET {} WHERE district = $1 AND id = $2 AND version = ${}",
        sets.join(", "),
        columns.len() + 1
    )
}

/// An event row as read back: its place, payload (JSON of the event data), who and when.
struct EventRow {
    pub seq: u64,
    pub payload: String,
    pub by: ActorRef,
    pub at: Timestamp,
    pub recorded_at: Timestamp,
}

async fn read<'e>(
    db: impl sqlx::Executor<'e, Database = Any>,
    stream: Stream,
    district: &str,
    id: &str,
) -> Result<Vec<EventRow>, StoreError> {
    let sql = format!(
        "SELECT seq, payload, actor_id, actor_name, actor_role, at, recorded_at FROM {} \
         WHERE district = $1 AND {} = $2 ORDER BY seq",
        stream.events, stream.id_column
    );
    let rows = sqlx::query(&sql).bind(district).bind(id).fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("actor_role")?;
            Ok(EventRow {
                seq: r.try_get::<i64, _>("seq")? as u64,
                payload: r.try_get("payload")?,
                by: ActorRef {
                    user_id: r.try_get("actor_id")?,
                    name: r.try_get("actor_name")?,
                    role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
                },
                at: from_ms(r.try_get("at")?),
                recorded_at: from_ms(r.try_get("recorded_at")?),
            })
        })
        .collect()
}

/// An event to write: its type name, payload, who and when.
struct NewRow<'a> {
    pub kind: &'static str,
    pub payload: String,
    pub by: &'a ActorRef,
    pub at: Timestamp,
}

/// Appends events after `from_version`. A taken sequence number means another writer got there
/// first: a conflict.
async fn append(
    tx: &mut sqlx::Transaction<'_, Any>,
    stream: Stream,
    district: &str,
    id: &str,
    from_version: u64,
    rows: Vec<NewRow<'_>>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO {} (district, {}, seq, type, payload, actor_id, actor_name, actor_role, at, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        stream.events, stream.id_column
    );
    for (i, r) in rows.into_iter().enumerate() {
        sqlx::query(&sql)
            .bind(district)
            .bind(id)
            .bind((from_version + 1 + i as u64) as i64)
            .bind(r.kind)
            .bind(r.payload)
            .bind(&r.by.user_id)
            .bind(&r.by.name)
            .bind(r.by.role.as_str())
            .bind(to_ms(r.at))
            .bind(to_ms(now))
            .execute(&mut **tx)
            .await
            .map_err(|e| match StoreError::from_insert(e, "event") {
                StoreError::Duplicate(_) => StoreError::Conflict,
                other => other,
            })?;
    }
    Ok(())
}

/// Records who may read the stream by assignment (idempotent).
async fn grant(
    tx: &mut sqlx::Transaction<'_, Any>,
    stream: Stream,
    district: &str,
    id: &str,
    principals: Vec<String>,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO {} (district, {}, principal) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        stream.access, stream.id_column
    );
    for p in principals {
        sqlx::query(&sql).bind(district).bind(id).bind(p).execute(&mut **tx).await?;
    }
    Ok(())
}

/// An event as stored: its place in the stream and when it was written.
#[derive(Debug, Clone)]
pub struct Stored<E> {
    pub seq: u64,
    pub event: E,
    pub recorded_at: Timestamp,
}

/// The events of an aggregate's stream: when, by whom, and what (stored as JSON by type name).
pub(crate) trait StreamEvent: Sized {
    type Data: serde::Serialize + serde::de::DeserializeOwned;
    fn parts(&self) -> (Timestamp, &ActorRef, &Self::Data, &'static str);
    fn assemble(at: Timestamp, by: ActorRef, data: Self::Data) -> Self;
}

impl StreamEvent for CaseEvent {
    type Data = CaseEventData;
    fn parts(&self) -> (Timestamp, &ActorRef, &CaseEventData, &'static str) {
        (self.at, &self.by, &self.data, self.data.type_name())
    }
    fn assemble(at: Timestamp, by: ActorRef, data: CaseEventData) -> Self {
        CaseEvent { at, by, data }
    }
}

impl StreamEvent for WhistleEvent {
    type Data = WhistleEventData;
    fn parts(&self) -> (Timestamp, &ActorRef, &WhistleEventData, &'static str) {
        (self.at, &self.by, &self.data, self.data.type_name())
    }
    fn assemble(at: Timestamp, by: ActorRef, data: WhistleEventData) -> Self {
        WhistleEvent { at, by, data }
    }
}

impl StreamEvent for AssistanceEvent {
    type Data = AssistanceEventData;
    fn parts(&self) -> (Timestamp, &ActorRef, &AssistanceEventData, &'static str) {
        (self.at, &self.by, &self.data, self.data.type_name())
    }
    fn assemble(at: Timestamp, by: ActorRef, data: AssistanceEventData) -> Self {
        AssistanceEvent { at, by, data }
    }
}

/// A stream's events, in order, typed.
pub(crate) async fn read_events<'e, E: StreamEvent>(
    db: impl sqlx::Executor<'e, Database = Any>,
    stream: Stream,
    district: &str,
    id: &str,
) -> Result<Vec<Stored<E>>, StoreError> {
    read(db, stream, district, id)
        .await?
        .into_iter()
        .map(|r| {
            Ok(Stored {
                seq: r.seq,
                event: E::assemble(r.at, r.by, serde_json::from_str(&r.payload)?),
                recorded_at: r.recorded_at,
            })
        })
        .collect()
}

/// Appends typed events after `from_version` and grants read access to `principals`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn append_events<E: StreamEvent>(
    tx: &mut sqlx::Transaction<'_, Any>,
    stream: Stream,
    district: &str,
    id: &str,
    from_version: u64,
    events: &[E],
    principals: Vec<String>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let rows = events
        .iter()
        .map(|e| {
            let (at, by, data, kind) = e.parts();
            Ok(NewRow { kind, payload: serde_json::to_string(data)?, by, at })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    append(tx, stream, district, id, from_version, rows, now).await?;
    grant(tx, stream, district, id, principals).await
}
