//! The bytes of files attached to cases, by content (`attachment_blobs`). A file is written in
//! the same transaction as the `attachment_added` event that names it, so an acknowledged upload
//! is never half there: both or neither.

use crate::cases::CommandOutcome;
use crate::{to_ms, CommandError, Store, StoreError};
use chuishao_domain::case::{AttachmentMeta, Env};
use chuishao_domain::{case, Actor, CaseCommand, CaseError, CaseId, DistrictCode, FieldError, Timestamp, WorkCalendar};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row};
use std::collections::HashSet;

/// The lowercase hex SHA-256 of `bytes`: a stored file's key.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A file to attach: its bytes, and the name and type to record (checked by the caller: the
/// store keeps what it is given).
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

impl Upload<'_> {
    /// What the `attachment_added` event records, the hash computed here from the bytes.
    pub fn meta(&self) -> Result<AttachmentMeta, FieldError> {
        AttachmentMeta::parse(self.name, self.content_type, self.bytes.len() as u64, Some(&sha256_hex(self.bytes)))
    }
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The result of attaching: the case after it, and whether this file was new to the case (a
/// file the case already has is not recorded twice).
#[derive(Debug, Clone)]
pub struct Attached {
    pub outcome: CommandOutcome,
    pub meta: AttachmentMeta,
    pub added: bool,
}

/// Writes a file's bytes inside the caller's transaction; a file already stored in the district
/// (same hash) is kept as it is.
pub(crate) async fn put_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    district: &str,
    meta: &AttachmentMeta,
    bytes: &[u8],
    now: Timestamp,
) -> Result<(), StoreError> {
    let sha = meta.sha256.as_deref().ok_or_else(|| StoreError::Corrupt("a stored file needs its hash".into()))?;
    sqlx::query(
        "INSERT INTO attachment_blobs (district, sha256, content_type, size, bytes, stored_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (district, sha256) DO NOTHING",
    )
    .bind(district)
    .bind(sha)
    .bind(meta.content_type.as_str())
    .bind(bytes.len() as i64)
    .bind(bytes.to_vec())
    .bind(to_ms(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Attaches a file to a case: the event and the bytes in one transaction, with the same
    /// optimistic concurrency as [`Store::execute`]. A file the case already has (same hash)
    /// changes nothing and answers `added: false`.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach(
        &self,
        actor: &Actor,
        id: CaseId,
        upload: Upload<'_>,
        expected_version: Option<u64>,
        now: Timestamp,
        calendar: &WorkCalendar,
    ) -> Result<Attached, CommandError> {
        let meta = upload.meta()?;
        let command = CaseCommand::AddAttachment(meta.clone());
        let events = self.case_events(&actor.district, id).await?;
        let state = case::fold(events.iter().map(|e| &e.event)).ok_or(CaseError::NotFound)?;
        // Refusals (scope, role) come first: a repeat must not answer what a refusal would not.
        case::decide(Some(&state), &command, actor, &Env { now: crate::whole_ms(now), calendar })?;
        if state.attachments.iter().any(|a| a.sha256 == meta.sha256) {
            return Ok(Attached { outcome: CommandOutcome { case: state, events: vec![] }, meta, added: false });
        }
        let outcome = self
            .execute_with(actor, id, &command, expected_version, now, calendar, Some((&meta, upload.bytes)))
            .await?;
        Ok(Attached { outcome, meta, added: true })
    }

    /// A stored file of the district, by its hash.
    pub async fn blob(&self, district: &DistrictCode, sha256: &str) -> Result<Option<Blob>, StoreError> {
        let row = sqlx::query("SELECT content_type, bytes FROM attachment_blobs WHERE district = $1 AND sha256 = $2")
            .bind(district.as_str())
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(Blob { content_type: r.try_get("content_type")?, bytes: r.try_get("bytes")? })).transpose()
    }

    /// Which of these hashes have their bytes stored in the district (attachments recorded
    /// before files were kept have metadata only).
    pub async fn stored_blobs(&self, district: &DistrictCode, hashes: &[&str]) -> Result<HashSet<String>, StoreError> {
        if hashes.is_empty() {
            return Ok(HashSet::new());
        }
        let sql = format!(
            "SELECT sha256 FROM attachment_blobs WHERE district = $1 AND sha256 IN ({})",
            crate::cases::placeholders(2, hashes.len())
        );
        let mut q = sqlx::query(&sql).bind(district.as_str());
        for h in hashes {
            q = q.bind(*h);
        }
        q.fetch_all(&self.pool).await?.iter().map(|r| r.try_get("sha256").map_err(StoreError::from)).collect()
    }

    /// Checks every stored file's bytes against its hash and size: (files checked, the keys of
    /// those that do not match).
    pub(crate) async fn verify_blobs(&self) -> Result<(usize, Vec<String>), StoreError> {
        let keys = sqlx::query("SELECT district, sha256 FROM attachment_blobs ORDER BY district, sha256")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("district")?, r.try_get::<String, _>("sha256")?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut bad = vec![];
        // One file at a time: files are large, and there may be many.
        for (district, sha) in &keys {
            let row = sqlx::query("SELECT size, bytes FROM attachment_blobs WHERE district = $1 AND sha256 = $2")
                .bind(district)
                .bind(sha)
                .fetch_one(&self.pool)
                .await?;
            let (size, bytes): (i64, Vec<u8>) = (row.try_get("size")?, row.try_get("bytes")?);
            if size != bytes.len() as i64 || sha256_hex(&bytes) != *sha {
                bad.push(format!("attachment_blobs {district} {sha}"));
            }
        }
        Ok((keys.len(), bad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_lowercase_hex_of_the_bytes() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let meta = Upload { name: "photo.png", content_type: "image/png", bytes: b"abc" }.meta().unwrap();
        assert_eq!((meta.size, meta.sha256.as_deref()), (3, Some(sha256_hex(b"abc").as_str())));
    }
}
