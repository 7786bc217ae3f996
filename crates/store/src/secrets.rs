//! Deployment-wide secrets, shared by every instance through the database.

use crate::{to_ms, Store, StoreError};
use chuishao_domain::Timestamp;
use sqlx::Row;

impl Store {
    /// The secret named `name`: the stored one, or `fresh` stored now when there is none yet.
    /// Two instances starting together agree: the first insert wins, both read it back.
    pub async fn server_secret(&self, name: &str, fresh: &str, now: Timestamp) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .bind(to_ms(now))
        .execute(&self.pool)
        .await?;
        let row =
            sqlx::query("SELECT value FROM server_secrets WHERE name = $1").bind(name).fetch_one(&self.pool).await?;
        Ok(row.try_get("value")?)
    }
}
