//! Read-only figures for the dashboard page that the rollups do not hold: today's intake by
//! channel and the open/overdue counts right now. Aggregates in SQL, one query each.

use crate::cases::{Arg, Where};
use crate::{Store, StoreError};
use chuishao_domain::{CaseStatus, DistrictCode, Timestamp};
use sqlx::Row;

impl Store {
    /// Cases received in [lo, hi) per channel, of one street or of the whole district.
    pub async fn intake_by_channel(
        &self,
        district: &DistrictCode,
        (lo, hi): (Timestamp, Timestamp),
        street: Option<&str>,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let w = crate::assessment::received_where(district, (lo, hi), street);
        let sql = format!("SELECT channel, COUNT(*) AS n FROM cases{} GROUP BY channel ORDER BY channel", w.sql());
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("channel")?, r.try_get::<i64, _>("n")?.max(0) as u64))).collect()
    }

    /// Cases not yet ended (closed, terminated, merged), and how many of them are overdue — of
    /// one street or of the whole district.
    pub async fn open_and_overdue(
        &self,
        district: &DistrictCode,
        street: Option<&str>,
    ) -> Result<(u64, u64), StoreError> {
        let mut w = Where::default();
        w.push("district = $?", Arg::Text(district.to_string()));
        if let Some(s) = street {
            w.push("street = $?", Arg::Text(s.to_string()));
        }
        // The statuses still open, listed: a range of `cases_open` each, read without the rows.
        let open = CaseStatus::ALL.into_iter().filter(|s| !s.is_terminal()).map(|s| Arg::Text(s.as_str().into()));
        w.push_any("status", open);
        let sql = format!(
            "SELECT COUNT(*) AS n, CAST(SUM(CASE WHEN overdue <> 0 THEN 1 ELSE 0 END) AS BIGINT) AS late FROM cases{}",
            w.sql()
        );
        let row = w.bind(sqlx::query(&sql)).fetch_one(&self.pool).await?;
        let open = row.try_get::<i64, _>("n")?.max(0) as u64;
        let late = row.try_get::<Option<i64>, _>("late")?.unwrap_or(0).max(0) as u64;
        Ok((open, late))
    }
}
