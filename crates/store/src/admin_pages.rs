//! What the admin pages need beyond the existing store calls: per-street counts of the
//! organisation (one grouped query per table instead of one query per street), and disabling
//! or enabling an account (audited, and a disabled account's sessions end at once).

use crate::audit::{self, AuditEntry};
use crate::{Store, StoreError};
use chuishao_domain::{Actor, DistrictCode, Timestamp};
use sqlx::Row;
use std::collections::BTreeMap;

/// How many communities and units each street has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreetCounts {
    pub communities: u64,
    pub units: u64,
}

impl Store {
    /// Communities and units per street code.
    pub async fn org_counts(&self, district: &DistrictCode) -> Result<BTreeMap<String, StreetCounts>, StoreError> {
        let mut out: BTreeMap<String, StreetCounts> = BTreeMap::new();
        for (table, is_units) in [("communities", false), ("units", true)] {
            let sql = format!("SELECT street, COUNT(*) AS n FROM {table} WHERE district = $1 GROUP BY street");
            let rows = sqlx::query(&sql).bind(district.as_str()).fetch_all(&self.pool).await?;
            for r in &rows {
                let n = r.try_get::<i64, _>("n")?.max(0) as u64;
                let e = out.entry(r.try_get("street")?).or_default();
                if is_units {
                    e.units = n;
                } else {
                    e.communities = n;
                }
            }
        }
        Ok(out)
    }

    /// Disables (or enables again) an account of `actor`'s district; answers whether it exists.
    /// Disabling ends the account's sessions in the same transaction.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        user_id: &str,
        disabled: bool,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let d = actor.district.as_str();
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE district = $2 AND id = $3")
            .bind(i64::from(disabled))
            .bind(d)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE district = $1 AND user_id = $2")
                .bind(d)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let entry = AuditEntry {
            district: d,
            actor,
            action: if disabled { "user.disable" } else { "user.enable" },
            object_kind: "user",
            object_id: user_id,
            detail: "{}".into(),
        };
        audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
