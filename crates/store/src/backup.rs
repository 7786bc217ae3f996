//! Backups of the embedded database, and a check that stored events fold to what is projected.

use crate::{Backend, Store, StoreError};
use chuishao_domain::{assistance, case, whistle, DistrictCode};
use sqlx::Row;
use std::path::Path;

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerifyReport {
    pub districts: usize,
    pub cases: usize,
    pub whistles: usize,
    pub assistance: usize,
    pub events: usize,
    /// Stored attachment files, each checked against its hash and size.
    pub blobs: usize,
    /// Streams whose folded events differ from their projection, and stored files whose bytes
    /// do not match their hash (should be empty).
    pub mismatches: Vec<String>,
}

impl Store {
    /// A consistent online copy of the SQLite database into a new file at `target` (`VACUUM
    /// INTO`: one read transaction, so writers carry on), fsynced before answering. PostgreSQL
    /// is backed up with its own tools (docs/operations.md).
    pub async fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl(
                "PostgreSQL is backed up with pg_dump or pg_basebackup (see docs/operations.md)".into(),
            ));
        }
        if target.exists() {
            return Err(StoreError::Duplicate("backup file"));
        }
        let path = target.to_str().ok_or_else(|| StoreError::Corrupt("backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        sync_file_and_dir(target).map_err(|e| StoreError::Corrupt(format!("syncing the backup: {e}")))?;
        Ok(())
    }

    /// Folds every case's, whistle's and assistance request's events and compares them with
    /// the projection; checks every stored file's bytes against its hash.
    pub async fn verify(&self) -> Result<VerifyReport, StoreError> {
        let mut report = VerifyReport::default();
        let (blobs, bad) = self.verify_blobs().await?;
        report.blobs = blobs;
        report.mismatches.extend(bad);
        for d in self.districts().await? {
            report.districts += 1;
            let district = &d.code;
            report.cases += self
                .verify_table("cases", district, &mut report.events, &mut report.mismatches, async |id| {
                    let Some(cid) = chuishao_domain::CaseId::parse(id) else { return Ok(None) };
                    let events = self.case_events(district, cid).await?;
                    let folded = case::fold(events.iter().map(|e| &e.event));
                    Ok(Some((events.len(), folded == self.projected_case(district, cid).await?)))
                })
                .await?;
            report.whistles += self
                .verify_table("whistles", district, &mut report.events, &mut report.mismatches, async |id| {
                    let Some(wid) = whistle::WhistleId::parse(id) else { return Ok(None) };
                    let events = self.whistle_events(district, wid).await?;
                    let folded = whistle::fold(events.iter().map(|e| &e.event));
                    Ok(Some((events.len(), folded == self.projected_whistle(district, wid).await?)))
                })
                .await?;
            report.assistance += self
                .verify_table("assistance_requests", district, &mut report.events, &mut report.mismatches, async |id| {
                    let Some(aid) = assistance::AssistanceId::parse(id) else { return Ok(None) };
                    let events = self.assistance_events(district, aid).await?;
                    let folded = assistance::fold(events.iter().map(|e| &e.event));
                    Ok(Some((events.len(), folded == self.projected_assistance(district, aid).await?)))
                })
                .await?;
        }
        Ok(report)
    }

    /// Checks every stream of one projection table: `check` folds one id's events and answers
    /// (events read, folded == projected), or None for an unreadable id. Answers the count.
    async fn verify_table(
        &self,
        table: &str,
        district: &DistrictCode,
        events: &mut usize,
        mismatches: &mut Vec<String>,
        mut check: impl AsyncFnMut(&str) -> Result<Option<(usize, bool)>, StoreError>,
    ) -> Result<usize, StoreError> {
        let ids: Vec<String> = sqlx::query(&format!("SELECT id FROM {table} WHERE district = $1 ORDER BY id"))
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        for id in &ids {
            match check(id).await? {
                None => mismatches.push(format!("{table} {id}: bad id")),
                Some((n, same)) => {
                    *events += n;
                    if !same {
                        mismatches.push(format!("{table} {id}"));
                    }
                }
            }
        }
        Ok(ids.len())
    }
}

/// Makes a written file durable: its contents, then its directory entry.
pub fn sync_file_and_dir(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()?;
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Puts an SQLite backup in place of the database file at `target` (the server must be
/// stopped): the backup is checked to open as a chuishao database, copied beside the target,
/// fsynced, and renamed over it; the target's stale WAL and shared-memory files are removed.
pub async fn restore_sqlite(backup: &Path, target: &Path) -> Result<VerifyReport, StoreError> {
    let io = |e: std::io::Error| StoreError::Corrupt(format!("restoring: {e}"));
    if !backup.is_file() {
        return Err(StoreError::NotFound);
    }
    // Work on a copy beside the target, so the backup itself is never written to.
    let staging = target.with_extension("restoring");
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(backup, &staging).map_err(io)?;
    let check = Store::connect(&format!("sqlite://{}", staging.display())).await?;
    let report = check.verify().await;
    check.close().await;
    let report = match report {
        Ok(r) if r.districts > 0 && r.mismatches.is_empty() => r,
        Ok(r) if r.districts == 0 => return Err(StoreError::Corrupt("the backup holds no district".into())),
        Ok(r) => return Err(StoreError::Corrupt(format!("the backup is inconsistent: {:?}", r.mismatches))),
        Err(e) => return Err(e),
    };
    sync_file_and_dir(&staging).map_err(io)?;
    for suffix in ["-wal", "-shm"] {
        let mut stale = target.as_os_str().to_owned();
        stale.push(suffix);
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
    }
    std::fs::rename(&staging, target).map_err(io)?;
    sync_file_and_dir(target).map_err(io)?;
    Ok(report)
}
