//! The audit log: who did what, when — written in the same transaction as the change.

use crate::{to_ms, StoreError};
use chuishao_domain::{Actor, Timestamp};

pub(crate) struct AuditEntry<'a> {
    pub district: &'a str,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: &'a str,
    /// JSON; never residents' personal data.
    pub detail: String,
}

pub(crate) async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    e: AuditEntry<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (district, id, at, actor_id, actor_role, action, object_kind, object_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(e.district)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(to_ms(now))
    .bind(&e.actor.user_id)
    .bind(e.actor.role.as_str())
    .bind(e.action)
    .bind(e.object_kind)
    .bind(e.object_id)
    .bind(e.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
