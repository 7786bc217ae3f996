//! What smart dispatch reads: boundaries (GeoJSON geometries), the gazetteer, labelled examples,
//! the closed cases it learns from, and the open cases duplicates are checked against.

use crate::audit::{self, AuditEntry};
use crate::{to_ms, Store, StoreError};
use chuishao_domain::{Actor, Case, CaseStatus, DistrictCode, Timestamp};
use sqlx::Row;

/// A boundary as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBoundary {
    pub level: String,
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    /// A GeoJSON geometry object (text).
    pub geometry: String,
    pub approximate: bool,
}

/// A gazetteer entry: a place name and the community it lies in.
#[derive(Debug, Clone, PartialEq)]
pub struct GazetteerEntry {
    pub name: String,
    pub kind: String,
    pub community: String,
}

/// A labelled text: what the classifier learns besides the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledText {
    pub duty_item: String,
    pub text: String,
}

impl Store {
    /// Replaces the boundaries of the levels present in `boundaries` (other levels stay), in one
    /// transaction. Audited by count, not content.
    pub async fn replace_boundaries(
        &self,
        actor: &Actor,
        boundaries: &[StoredBoundary],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let d = actor.district.as_str();
        let mut levels: Vec<&str> = boundaries.iter().map(|b| b.level.as_str()).collect();
        levels.sort();
        levels.dedup();
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for level in &levels {
            sqlx::query("DELETE FROM boundaries WHERE district = $1 AND level = $2")
                .bind(d)
                .bind(*level)
                .execute(&mut *tx)
                .await?;
        }
        for b in boundaries {
            sqlx::query(
                "INSERT INTO boundaries (district, level, code, name, parent, geometry, approximate, imported_by, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(d)
            .bind(&b.level)
            .bind(&b.code)
            .bind(&b.name)
            .bind(b.parent.clone())
            .bind(&b.geometry)
            .bind(i64::from(b.approximate))
            .bind(&actor.user_id)
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_insert(e, "boundary"))?;
        }
        let counts: Vec<(String, usize)> =
            levels.iter().map(|l| (l.to_string(), boundaries.iter().filter(|b| b.level == *l).count())).collect();
        let detail = serde_json::json!({ "levels": counts }).to_string();
        let entry = AuditEntry {
            district: d,
            actor,
            action: "boundaries.import",
            object_kind: "boundaries",
            object_id: d,
            detail,
        };
        audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(boundaries.len())
    }

    pub async fn boundaries(&self, district: &DistrictCode) -> Result<Vec<StoredBoundary>, StoreError> {
        let rows = sqlx::query(
            "SELECT level, code, name, parent, geometry, approximate FROM boundaries WHERE district = $1 ORDER BY level, code",
        )
        .bind(district.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredBoundary {
                    level: r.try_get("level")?,
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    parent: r.try_get("parent")?,
                    geometry: r.try_get("geometry")?,
                    approximate: r.try_get::<i64, _>("approximate")? != 0,
                })
            })
            .collect()
    }

    /// Adds gazetteer entries (a name already there keeps its first place).
    pub async fn add_gazetteer(
        &self,
        district: &DistrictCode,
        entries: &[GazetteerEntry],
    ) -> Result<usize, StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for e in entries {
            sqlx::query(
                "INSERT INTO gazetteer (district, name, kind, community) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(district.as_str())
            .bind(&e.name)
            .bind(&e.kind)
            .bind(&e.community)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(entries.len())
    }

    pub async fn gazetteer(&self, district: &DistrictCode) -> Result<Vec<GazetteerEntry>, StoreError> {
        let rows = sqlx::query("SELECT name, kind, community FROM gazetteer WHERE district = $1 ORDER BY name")
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(GazetteerEntry {
                    name: r.try_get("name")?,
                    kind: r.try_get("kind")?,
                    community: r.try_get("community")?,
                })
            })
            .collect()
    }

    /// Adds labelled examples for the classifier.
    pub async fn add_routing_examples(
        &self,
        district: &DistrictCode,
        examples: &[LabelledText],
        source: &str,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for e in examples {
            sqlx::query(
                "INSERT INTO routing_examples (district, id, duty_item, text, source, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(district.as_str())
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&e.duty_item)
            .bind(&e.text)
            .bind(source)
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(examples.len())
    }

    /// The labelled examples, and the texts of closed cases with the duty item they were finally
    /// handled under (the most recent `limit`).
    pub async fn routing_training(&self, district: &DistrictCode, limit: u32) -> Result<Vec<LabelledText>, StoreError> {
        let d = district.as_str();
        let mut out: Vec<LabelledText> =
            sqlx::query("SELECT duty_item, text FROM routing_examples WHERE district = $1 ORDER BY id")
                .bind(d)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Ok(LabelledText { duty_item: r.try_get("duty_item")?, text: r.try_get("text")? }))
                .collect::<Result<_, StoreError>>()?;
        let closed = sqlx::query(&format!(
            "SELECT duty_item, text FROM cases WHERE district = $1 AND status = 'closed' AND duty_item IS NOT NULL \
             ORDER BY received_at DESC LIMIT {limit}"
        ))
        .bind(d)
        .fetch_all(&self.pool)
        .await?;
        for r in &closed {
            out.push(LabelledText { duty_item: r.try_get("duty_item")?, text: r.try_get("text")? });
        }
        Ok(out)
    }

    /// Open cases received since `since` (all open ones with `None`), for the duplicate index.
    pub async fn open_cases(&self, district: &DistrictCode, since: Option<Timestamp>) -> Result<Vec<Case>, StoreError> {
        let ended = [CaseStatus::Closed, CaseStatus::Terminated, CaseStatus::Merged];
        let placeholders: Vec<String> = (0..ended.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT state FROM cases WHERE district = $1 AND received_at >= $2 AND status NOT IN ({}) ORDER BY received_at",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(district.as_str()).bind(since.map_or(i64::MIN, to_ms));
        for s in ended {
            q = q.bind(s.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("state")?)?)).collect()
    }

    /// Cases that ended since `since` (closed, terminated, merged): to drop from the index.
    pub async fn ended_case_ids(&self, district: &DistrictCode, since: Timestamp) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE district = $1 AND updated_at >= $2 AND status IN ('closed', 'terminated', 'merged')",
        )
        .bind(district.as_str())
        .bind(to_ms(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }
}
