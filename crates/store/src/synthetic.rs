//! City-scale synthetic data (`chuishao demo --scale beijing`): case projections written in bulk
//! without event streams, in their own table so nothing shows them as cases, and counted into
//! the same monthly rollups — what the assessment benchmarks run on.

use crate::assessment::apply_in;
use crate::{to_ms, Store, StoreError};
use chuishao_domain::assessment::{month_of, RollupKey, Tally};
use chuishao_domain::calendar::start_of_day;
use chuishao_domain::{DistrictCode, Timestamp};
use sqlx::Row;
use std::collections::HashMap;

/// One synthetic case.
#[derive(Debug, Clone)]
pub struct SyntheticCase {
    pub district: DistrictCode,
    pub id: i64,
    pub street: String,
    pub duty_item: String,
    pub received_at: Timestamp,
    /// (when, contacted, solved, satisfaction) of its callback, if any.
    pub callback: Option<(Timestamp, bool, bool, &'static str)>,
}

/// Rows per INSERT statement.
const ROWS_PER_STATEMENT: usize = 1000;

impl Store {
    /// Writes a batch of synthetic cases, adding what they count for to `rollups` (written by
    /// `add_synthetic_rollups` once the load is done: far fewer keys than rows).
    pub async fn insert_synthetic(
        &self,
        batch: &[SyntheticCase],
        rollups: &mut HashMap<(DistrictCode, RollupKey), Tally>,
    ) -> Result<(), StoreError> {
        for c in batch {
            let key = |t: Timestamp| RollupKey {
                month: month_of(t),
                street: c.street.clone(),
                community: None,
                assignee: None,
                // Street × month is what the city benchmarks ask; per-item keys would multiply
                // the rollups a hundredfold for synthetic data nobody drills into by item.
                duty_item: None,
                liaison: None,
            };
            *rollups.entry((c.district.clone(), key(c.received_at))).or_default() +=
                Tally { received: 1, ..Tally::default() };
            if let Some((at, contacted, solved, sat)) = c.callback {
                *rollups.entry((c.district.clone(), key(at))).or_default() += Tally {
                    valid: 1,
                    contacted: i64::from(contacted),
                    solved: i64::from(solved),
                    satisfied: i64::from(sat == "satisfied"),
                    basically_satisfied: i64::from(sat == "basically_satisfied"),
                    dissatisfied: i64::from(sat == "dissatisfied"),
                    ..Tally::default()
                };
            }
        }
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for chunk in batch.chunks(ROWS_PER_STATEMENT) {
            // Generated values only (digit codes, C-nnn items, numbers, a fixed word): written
            // inline, which a bulk load of millions parses far faster than it binds.
            let mut sql = String::with_capacity(chunk.len() * 96);
            sql.push_str(
                "INSERT INTO synthetic_cases (district, id, street, duty_item, received_at, callback_at, contacted, solved, satisfaction) VALUES ",
            );
            for (i, c) in chunk.iter().enumerate() {
                let safe = |v: &str| v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if !(safe(c.street.as_str()) && safe(c.duty_item.as_str())) {
                    return Err(StoreError::Corrupt("synthetic values must be plain codes".into()));
                }
                let cb = c.callback;
                let callback_at = cb.map_or("NULL".to_string(), |x| to_ms(x.0).to_string());
                let sat = cb.map_or("NULL".to_string(), |x| format!("'{}'", x.3));
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "('{}',{},'{}','{}',{},{},{},{},{})",
                    c.district.as_str(),
                    c.id,
                    c.street,
                    c.duty_item,
                    to_ms(c.received_at),
                    callback_at,
                    i64::from(cb.is_some_and(|x| x.1)),
                    i64::from(cb.is_some_and(|x| x.2)),
                    sat
                ));
            }
            sqlx::query(&sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Drops the secondary indexes of the synthetic table for a bulk load (building them once at
    /// the end is far cheaper than keeping them while rows arrive in random street order).
    pub async fn begin_synthetic_load(&self) -> Result<(), StoreError> {
        for idx in ["synthetic_by_callback", "synthetic_by_street"] {
            sqlx::query(&format!("DROP INDEX IF EXISTS {idx}")).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Rebuilds the secondary indexes after a bulk load.
    pub async fn end_synthetic_load(&self) -> Result<(), StoreError> {
        sqlx::query("CREATE INDEX IF NOT EXISTS synthetic_by_callback ON synthetic_cases (callback_at)")
            .execute(&self.pool)
            .await?;
        sqlx::query("CREATE INDEX IF NOT EXISTS synthetic_by_street ON synthetic_cases (street, callback_at, id, contacted, solved, satisfaction)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Adds the rollups gathered while loading synthetic cases, in one transaction.
    pub async fn add_synthetic_rollups(
        &self,
        rollups: HashMap<(DistrictCode, RollupKey), Tally>,
    ) -> Result<usize, StoreError> {
        let mut by_district: HashMap<DistrictCode, Vec<(RollupKey, Tally)>> = HashMap::new();
        for ((d, k), t) in rollups {
            by_district.entry(d).or_default().push((k, t));
        }
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let mut n = 0;
        for (d, changes) in by_district {
            n += changes.len();
            apply_in(&mut tx, &d, &changes).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Every street's tally for a month across all districts, from the rollups.
    pub async fn city_tallies(&self, month: &str) -> Result<Vec<(String, Tally)>, StoreError> {
        let rows = sqlx::query(
            "SELECT street, CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(valid) AS BIGINT) AS valid, \
             CAST(SUM(contacted) AS BIGINT) AS contacted, CAST(SUM(solved) AS BIGINT) AS solved, \
             CAST(SUM(satisfied) AS BIGINT) AS satisfied, CAST(SUM(basically_satisfied) AS BIGINT) AS basically_satisfied, \
             CAST(SUM(dissatisfied) AS BIGINT) AS dissatisfied FROM case_rollups WHERE month = $1 GROUP BY street",
        )
        .bind(month)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("street")?, crate::assessment::tally_row(r)?))).collect()
    }

    /// The same figures by scanning the synthetic cases: valid callbacks in the month (receipts
    /// are left out — the ranking rests on callbacks).
    pub async fn city_tallies_raw(&self, month: chrono::NaiveDate) -> Result<Vec<(String, Tally)>, StoreError> {
        let next = month.checked_add_months(chrono::Months::new(1)).ok_or(StoreError::NotFound)?;
        let rows = sqlx::query(
            "SELECT street, CAST(0 AS BIGINT) AS received, COUNT(*) AS valid, CAST(SUM(contacted) AS BIGINT) AS contacted, \
             CAST(SUM(solved) AS BIGINT) AS solved, \
             CAST(SUM(CASE WHEN satisfaction = 'satisfied' THEN 1 ELSE 0 END) AS BIGINT) AS satisfied, \
             CAST(SUM(CASE WHEN satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END) AS BIGINT) AS basically_satisfied, \
             CAST(SUM(CASE WHEN satisfaction = 'dissatisfied' THEN 1 ELSE 0 END) AS BIGINT) AS dissatisfied \
             FROM synthetic_cases WHERE callback_at >= $1 AND callback_at < $2 GROUP BY street",
        )
        .bind(to_ms(start_of_day(month)))
        .bind(to_ms(start_of_day(next)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("street")?, crate::assessment::tally_row(r)?))).collect()
    }

    /// The synthetic cases behind one street's monthly figure, as the drill-down pages them:
    /// how many there are, and one page (ids and callbacks), oldest callback first.
    pub async fn synthetic_behind(
        &self,
        street: &str,
        month: chrono::NaiveDate,
        (offset, limit): (u64, u64),
    ) -> Result<(u64, Vec<(i64, bool, bool, String)>), StoreError> {
        let next = month.checked_add_months(chrono::Months::new(1)).ok_or(StoreError::NotFound)?;
        let (lo, hi) = (to_ms(start_of_day(month)), to_ms(start_of_day(next)));
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) FROM synthetic_cases WHERE street = $1 AND callback_at >= $2 AND callback_at < $3",
        )
        .bind(street)
        .bind(lo)
        .bind(hi)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        let rows = sqlx::query(&format!(
            "SELECT id, contacted, solved, satisfaction FROM synthetic_cases \
             WHERE street = $1 AND callback_at >= $2 AND callback_at < $3 ORDER BY callback_at, id \
             LIMIT {limit} OFFSET {offset}"
        ))
        .bind(street)
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
        .await?;
        let page = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get::<i64, _>("contacted")? != 0,
                    r.try_get::<i64, _>("solved")? != 0,
                    r.try_get::<Option<String>, _>("satisfaction")?.unwrap_or_default(),
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((total.max(0) as u64, page))
    }
}
