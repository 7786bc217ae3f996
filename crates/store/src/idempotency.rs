//! Idempotency keys: a form filled offline and sent again (or twice) answers what the first
//! sending created, instead of creating it twice.

use crate::{to_ms, CommandError, Store, StoreError};
use chuishao_domain::{Actor, Timestamp};
use sqlx::{Any, Row};

/// The client's key for one form, and a hash of what it sent under it.
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: String,
    pub request_hash: String,
}

/// What a creating call did: created the object now, or found it created by an earlier sending
/// of the same form (its id).
#[derive(Debug, Clone)]
pub enum Once<T> {
    Created(T),
    Replayed(String),
}

const TAKEN: StoreError = StoreError::Duplicate("idempotency_key");

impl Store {
    /// The object an earlier sending under this key created, if any. The same key with another
    /// request (or for another kind of object) is refused.
    pub async fn replayed(
        &self,
        actor: &Actor,
        idem: Option<&Idempotency>,
        kind: &str,
    ) -> Result<Option<String>, StoreError> {
        let Some(idem) = idem else { return Ok(None) };
        let row = sqlx::query(
            "SELECT request_hash, object_kind, object_id FROM idempotency_keys \
             WHERE district = $1 AND user_id = $2 AND idem_key = $3",
        )
        .bind(actor.district.as_str())
        .bind(&actor.user_id)
        .bind(&idem.key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let hash: String = row.try_get("request_hash")?;
        let object_kind: String = row.try_get("object_kind")?;
        if hash != idem.request_hash || object_kind != kind {
            return Err(StoreError::IdempotencyKeyReused);
        }
        Ok(Some(row.try_get("object_id")?))
    }

    /// Settles a creating call: a lost race for the key (another sending committed first)
    /// answers what that sending created.
    pub(crate) async fn settle<T>(
        &self,
        actor: &Actor,
        idem: Option<&Idempotency>,
        kind: &str,
        result: Result<T, CommandError>,
    ) -> Result<Once<T>, CommandError> {
        match result {
            Ok(t) => Ok(Once::Created(t)),
            Err(CommandError::Store(StoreError::Duplicate("idempotency_key"))) => {
                let id = self.replayed(actor, idem, kind).await?.ok_or(StoreError::Conflict)?;
                Ok(Once::Replayed(id))
            }
            Err(e) => Err(e),
        }
    }
}

/// Records the key with the object it created, in the creating transaction.
pub(crate) async fn claim_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    actor: &Actor,
    idem: Option<&Idempotency>,
    kind: &str,
    object_id: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let Some(idem) = idem else { return Ok(()) };
    sqlx::query(
        "INSERT INTO idempotency_keys (district, user_id, idem_key, request_hash, object_kind, object_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(actor.district.as_str())
    .bind(&actor.user_id)
    .bind(&idem.key)
    .bind(&idem.request_hash)
    .bind(kind)
    .bind(object_id)
    .bind(to_ms(now))
    .execute(&mut **tx)
    .await
    .map_err(|e| match StoreError::from_insert(e, "idempotency_key") {
        StoreError::Duplicate(_) => TAKEN,
        other => other,
    })?;
    Ok(())
}
