//! Keeping the district's departments and public utilities (区级部门、公共服务企业): one added,
//! or one's names, kind or category changed — with its audit record. A department's id stays:
//! whistles, cases and the catalog name it.

use crate::audit::{self, AuditEntry};
use crate::{Store, StoreError};
use chuishao_domain::org::Department;
use chuishao_domain::{Actor, Timestamp};

/// Writes a new department of `district`.
pub(crate) async fn insert_department(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    district: &str,
    dep: &Department,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO departments (district, id, name, short_name, kind, category) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(district)
    .bind(dep.id.as_str())
    .bind(&dep.name)
    .bind(&dep.short_name)
    .bind(dep.kind.as_str())
    .bind(&dep.category)
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::from_insert(e, "department"))?;
    Ok(())
}

impl Store {
    /// Adds `dep` to `actor`'s district or changes the one of its id; whether it was new.
    pub async fn put_department(&self, actor: &Actor, dep: &Department, now: Timestamp) -> Result<bool, StoreError> {
        let _guard = self.write_guard().await;
        let d = actor.district.as_str();
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE departments SET name = $1, short_name = $2, kind = $3, category = $4 WHERE district = $5 AND id = $6",
        )
        .bind(&dep.name)
        .bind(&dep.short_name)
        .bind(dep.kind.as_str())
        .bind(&dep.category)
        .bind(d)
        .bind(dep.id.as_str())
        .execute(&mut *tx)
        .await?;
        let created = updated.rows_affected() == 0;
        if created {
            insert_department(&mut tx, d, dep).await?;
        }
        let detail = serde_json::json!({
            "name": dep.name, "short_name": dep.short_name, "kind": dep.kind.as_str(), "category": dep.category,
        });
        let entry = AuditEntry {
            district: d,
            actor,
            action: if created { "department.add" } else { "department.change" },
            object_kind: "department",
            object_id: dep.id.as_str(),
            detail: detail.to_string(),
        };
        audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(created)
    }
}
