//! Keeping the duty catalog (职责清单): one item added or changed, or the whole list replaced
//! by a new edition — each in one transaction with its audit record. Cases keep the terms they
//! were dispatched under (`DutyTerms`), so a change binds only what is dispatched after it.

use crate::audit::{self, AuditEntry};
use crate::{Store, StoreError};
use chuishao_domain::catalog::{CatalogDiff, DutyItem};
use chuishao_domain::{Actor, Timestamp};
use sqlx::Row;

async fn items_in(tx: &mut sqlx::Transaction<'_, sqlx::Any>, district: &str) -> Result<Vec<DutyItem>, StoreError> {
    let rows = sqlx::query("SELECT item FROM duty_items WHERE district = $1 ORDER BY position")
        .bind(district)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("item")?)?)).collect()
}

/// Writes one item at `position` of its district's catalog.
pub(crate) async fn insert_item(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    district: &str,
    item: &DutyItem,
    position: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO duty_items (district, code, position, item) VALUES ($1, $2, $3, $4)")
        .bind(district)
        .bind(&item.code)
        .bind(position)
        .bind(serde_json::to_string(item)?)
        .execute(&mut **tx)
        .await
        .map_err(|e| StoreError::from_insert(e, "duty_item"))?;
    Ok(())
}

impl Store {
    /// Adds `item` at the end of the catalog of `actor`'s district, or replaces the item of its
    /// code in place; whether it was new. The caller has checked the item and its owners.
    pub async fn put_duty_item(&self, actor: &Actor, item: &DutyItem, now: Timestamp) -> Result<bool, StoreError> {
        let _guard = self.write_guard().await;
        let d = actor.district.as_str();
        let mut tx = self.pool.begin().await?;
        let json = serde_json::to_string(item)?;
        let updated = sqlx::query("UPDATE duty_items SET item = $1 WHERE district = $2 AND code = $3")
            .bind(&json)
            .bind(d)
            .bind(&item.code)
            .execute(&mut *tx)
            .await?;
        let created = updated.rows_affected() == 0;
        if created {
            let next: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(position) + 1, 0) FROM duty_items WHERE district = $1")
                    .bind(d)
                    .fetch_one(&mut *tx)
                    .await?;
            insert_item(&mut tx, d, item, next).await?;
        }
        let entry = AuditEntry {
            district: d,
            actor,
            action: if created { "catalog.item.add" } else { "catalog.item.change" },
            object_kind: "duty_item",
            object_id: &item.code,
            detail: serde_json::json!({ "item": item }).to_string(),
        };
        audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces the catalog of `actor`'s district with `items`, in their order, and says what
    /// changed; nothing is written when nothing changes.
    pub async fn replace_duty_catalog(
        &self,
        actor: &Actor,
        items: &[DutyItem],
        now: Timestamp,
    ) -> Result<CatalogDiff, StoreError> {
        let _guard = self.write_guard().await;
        let d = actor.district.as_str();
        let mut tx = self.pool.begin().await?;
        let old = items_in(&mut tx, d).await?;
        let diff = CatalogDiff::between(&old, items);
        let same_order = old.iter().map(|i| &i.code).eq(items.iter().map(|i| &i.code));
        if diff.is_empty() && same_order {
            return Ok(diff);
        }
        sqlx::query("DELETE FROM duty_items WHERE district = $1").bind(d).execute(&mut *tx).await?;
        for (i, item) in items.iter().enumerate() {
            insert_item(&mut tx, d, item, i as i64).await?;
        }
        let entry = AuditEntry {
            district: d,
            actor,
            action: "catalog.import",
            object_kind: "catalog",
            object_id: d,
            detail: serde_json::to_string(&diff)?,
        };
        audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(diff)
    }
}

impl Store {
    /// The unit roles the district's streets have (`city_management`, `enforcement`…): what a
    /// duty item may name as `unit:ROLE`.
    pub async fn unit_roles(&self, district: &chuishao_domain::DistrictCode) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT role FROM units WHERE district = $1 ORDER BY role")
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>("role")?)).collect()
    }
}

impl Store {
    /// Where a district's routing data stands: the last audit record of a change to its
    /// catalog or boundaries (its time-ordered id; empty if none). Instances compare it to know
    /// their router is stale.
    pub async fn routing_revision(&self, district: &chuishao_domain::DistrictCode) -> Result<String, StoreError> {
        let rev: String = sqlx::query_scalar(
            "SELECT COALESCE(MAX(id), '') FROM audit_log \
             WHERE district = $1 AND object_kind IN ('duty_item', 'catalog', 'boundaries')",
        )
        .bind(district.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(rev)
    }
}
