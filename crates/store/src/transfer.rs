//! Moving a deployment's data between databases (a street outgrowing SQLite moves to
//! PostgreSQL): every table row by row in one transaction, then checked by counts and by
//! replaying every stream.

use crate::{Backend, Store, StoreError, VerifyReport};
use sqlx::{Column, Row};

/// The tables that hold a deployment's data, parents first. Sessions and leases are not moved.
pub const TABLES: [&str; 33] = [
    "districts",
    "streets",
    "communities",
    "units",
    "departments",
    "duty_items",
    "work_calendar",
    "whistle_policies",
    "users",
    "case_numbers",
    "case_events",
    "cases",
    "case_access",
    "whistle_events",
    "whistles",
    "whistle_access",
    "liaison_assignments",
    "visit_policies",
    "households",
    "visits",
    "idempotency_keys",
    "assistance_events",
    "assistance_requests",
    "assistance_access",
    "boundaries",
    "gazetteer",
    "routing_examples",
    "case_rollups",
    "assessment_formulas",
    "themes",
    "synthetic_cases",
    "attachment_blobs",
    "audit_log",
];

#[derive(Debug, Clone, Default)]
pub struct TransferReport {
    /// (table, rows copied)
    pub tables: Vec<(String, u64)>,
    pub verify: VerifyReport,
}

/// The columns of `table` declared with a type: `(PostgreSQL data_type, SQLite declared type)`.
async fn columns_of_type(store: &Store, table: &str, of: (&str, &str)) -> Result<Vec<String>, StoreError> {
    let (sql, kind) = match store.backend {
        Backend::Postgres => (
            "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 AND data_type = $2",
            of.0,
        ),
        Backend::Sqlite => ("SELECT name FROM pragma_table_info($1) WHERE type = $2", of.1),
    };
    let rows = sqlx::query(sql).bind(table).bind(kind).fetch_all(&store.pool).await?;
    rows.iter().map(|r| r.try_get::<String, _>("name").map_err(StoreError::from)).collect()
}

const BIGINT: (&str, &str) = ("bigint", "BIGINT");
const BINARY: (&str, &str) = ("bytea", "BLOB");

/// Tables whose rows are large (files): copied one row at a time by key rather than read whole.
const ROW_BY_ROW: [(&str, [&str; 2]); 1] = [("attachment_blobs", ["district", "sha256"])];

/// Inserts one source row into the same table of the target, binding each column by its type.
async fn copy_row(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &str,
    row: &sqlx::any::AnyRow,
    ints: &[String],
    binaries: &[String],
) -> Result<(), StoreError> {
    let names: Vec<String> = row.columns().iter().map(|c| c.name().to_string()).collect();
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), placeholders.join(", "));
    let mut q = sqlx::query(&sql);
    for (i, name) in names.iter().enumerate() {
        q = if ints.contains(name) {
            q.bind(row.try_get::<Option<i64>, _>(i)?)
        } else if binaries.contains(name) {
            q.bind(row.try_get::<Option<Vec<u8>>, _>(i)?)
        } else {
            q.bind(row.try_get::<Option<String>, _>(i)?)
        };
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

async fn count(store: &Store, table: &str) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&store.pool).await?;
    Ok(n as u64)
}

impl Store {
    /// The number of rows of one of the [`TABLES`] (for checks after a move).
    pub async fn count_rows(&self, table: &str) -> Result<u64, StoreError> {
        let table = TABLES.iter().find(|t| **t == table).ok_or(StoreError::NotFound)?;
        count(self, table).await
    }

    /// Copies everything from `self` into the empty database `target` (migrated first), in one
    /// transaction, then checks row counts and that every stream folds to its projection there.
    pub async fn transfer_to(&self, target: &Store) -> Result<TransferReport, StoreError> {
        target.migrate().await?;
        if !target.is_empty().await? {
            return Err(StoreError::Duplicate("data in the target database"));
        }
        // The target's seeded calendar is replaced by the source's (which may have been edited).
        let _guard = target.write_guard().await;
        let mut tx = target.pool.begin().await?;
        sqlx::query("DELETE FROM work_calendar").execute(&mut *tx).await?;
        let mut report = TransferReport::default();
        // Read the source as of one moment, even if it is still being written to.
        let mut source = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *source).await?;
        }
        for table in TABLES {
            let ints = columns_of_type(target, table, BIGINT).await?;
            let binaries = columns_of_type(target, table, BINARY).await?;
            let copied = match ROW_BY_ROW.iter().find(|(t, _)| *t == table) {
                Some((_, [k1, k2])) => {
                    let keys = sqlx::query(&format!("SELECT {k1}, {k2} FROM {table}")).fetch_all(&mut *source).await?;
                    for key in &keys {
                        let row = sqlx::query(&format!("SELECT * FROM {table} WHERE {k1} = $1 AND {k2} = $2"))
                            .bind(key.try_get::<String, _>(0)?)
                            .bind(key.try_get::<String, _>(1)?)
                            .fetch_one(&mut *source)
                            .await?;
                        copy_row(&mut tx, table, &row, &ints, &binaries).await?;
                    }
                    keys.len()
                }
                None => {
                    let rows = sqlx::query(&format!("SELECT * FROM {table}")).fetch_all(&mut *source).await?;
                    for row in &rows {
                        copy_row(&mut tx, table, row, &ints, &binaries).await?;
                    }
                    rows.len()
                }
            };
            report.tables.push((table.to_string(), copied as u64));
        }
        // Each day's number sequence stays ahead of every number the cases carry.
        sqlx::query(
            "INSERT INTO case_numbers (district, day, last) \
             SELECT district, substr(number, 8, 8), MAX(CAST(substr(number, 17) AS BIGINT)) FROM cases \
             GROUP BY district, substr(number, 8, 8) \
             ON CONFLICT (district, day) DO UPDATE SET last = \
             CASE WHEN excluded.last > case_numbers.last THEN excluded.last ELSE case_numbers.last END",
        )
        .execute(&mut *tx)
        .await?;
        source.commit().await?;
        tx.commit().await?;
        drop(_guard);
        for (table, copied) in &report.tables {
            let (from, to) = (count(self, table).await?, count(target, table).await?);
            // The day-number table may gain rows from the recount above; nothing else may differ.
            let complete = if table == "case_numbers" { to >= *copied } else { to == *copied };
            if !complete || from < *copied {
                return Err(StoreError::Corrupt(format!("{table}: {from} rows in the source, {to} in the target")));
            }
        }
        report.verify = target.verify().await?;
        if !report.verify.mismatches.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "streams disagree after the move: {:?}",
                report.verify.mismatches
            )));
        }
        Ok(report)
    }
}
