//! What every event-sourced aggregate stores alike: its event rows and its access list. The
//! tables differ by name only (`case_events` / `whistle_events`, `case_access` / …).

use crate::{from_ms, to_ms, StoreError};
use chuishao_domain::{ActorRef, Role, Timestamp};
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

/// An event row as read back: its place, payload (JSON of the event data), who and when.
pub(crate) struct EventRow {
    pub seq: u64,
    pub payload: String,
    pub by: ActorRef,
    pub at: Timestamp,
    pub recorded_at: Timestamp,
}

pub(crate) async fn read<'e>(
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
pub(crate) struct NewRow<'a> {
    pub kind: &'static str,
    pub payload: String,
    pub by: &'a ActorRef,
    pub at: Timestamp,
}

/// Appends events after `from_version`. A taken sequence number means another writer got there
/// first: a conflict.
pub(crate) async fn append(
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
pub(crate) async fn grant(
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
