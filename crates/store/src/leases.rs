//! Leases: one instance at a time does a piece of background work (the deadline ticker).
//! Correctness never rests on them — the deciders and version checks already make every alert
//! happen exactly once — they only keep several instances from doing the same work twice.

use crate::{to_ms, Store, StoreError};
use chuishao_domain::Timestamp;

impl Store {
    /// Takes or renews the lease `name` for `holder` until `now + ttl`; answers whether it is
    /// held. A lease held by another and not yet expired is not taken.
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: Timestamp,
        ttl: chrono::Duration,
    ) -> Result<bool, StoreError> {
        let _guard = self.write_guard().await;
        let held: Option<String> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.holder = excluded.holder OR leases.expires_at < $4 \
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(to_ms(now + ttl))
        .bind(to_ms(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(held.as_deref() == Some(holder))
    }
}
