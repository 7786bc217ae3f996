//! Organisation and duty catalog: reference data of a district.

use crate::{Store, StoreError};
use chuishao_domain::catalog::DutyItem;
use chuishao_domain::org::{Community, Department, DepartmentKind, District, Street, Unit, UnitKind};
use chuishao_domain::{CommunityCode, DepartmentId, DistrictCode, StreetCode, UnitId};
use sqlx::any::AnyRow;
use sqlx::Row;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value}"))
}

fn street_row(r: &AnyRow) -> Result<Street, StoreError> {
    let code: String = r.try_get("code")?;
    Ok(Street { code: StreetCode::parse(&code).map_err(|_| corrupt("street", &code))?, name: r.try_get("name")? })
}

fn community_row(r: &AnyRow) -> Result<Community, StoreError> {
    let code: String = r.try_get("code")?;
    let street: String = r.try_get("street")?;
    Ok(Community {
        code: CommunityCode::parse(&code).map_err(|_| corrupt("community", &code))?,
        street: StreetCode::parse(&street).map_err(|_| corrupt("street", &street))?,
        name: r.try_get("name")?,
    })
}

fn unit_row(r: &AnyRow) -> Result<Unit, StoreError> {
    let id: String = r.try_get("id")?;
    let street: String = r.try_get("street")?;
    let kind: String = r.try_get("kind")?;
    Ok(Unit {
        id: UnitId::parse(&id).map_err(|_| corrupt("unit", &id))?,
        street: StreetCode::parse(&street).map_err(|_| corrupt("street", &street))?,
        role: r.try_get("role")?,
        name: r.try_get("name")?,
        kind: UnitKind::parse(&kind).ok_or_else(|| corrupt("unit kind", &kind))?,
    })
}

fn department_row(r: &AnyRow) -> Result<Department, StoreError> {
    let id: String = r.try_get("id")?;
    let kind: String = r.try_get("kind")?;
    Ok(Department {
        id: DepartmentId::parse(&id).map_err(|_| corrupt("department", &id))?,
        name: r.try_get("name")?,
        short_name: r.try_get("short_name")?,
        kind: DepartmentKind::parse(&kind).ok_or_else(|| corrupt("department kind", &kind))?,
        category: r.try_get("category")?,
    })
}

/// The reference data of one district, loaded in one go.
#[derive(Debug, Clone)]
pub struct OrgData {
    pub district: District,
    pub streets: Vec<Street>,
    pub communities: Vec<Community>,
    pub units: Vec<Unit>,
    pub departments: Vec<Department>,
    pub duty_items: Vec<DutyItem>,
}

impl Store {
    /// Whether any district has been set up (an empty database gets the demo).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM districts").fetch_one(&self.pool).await?;
        Ok(n == 0)
    }

    /// Writes a district's organisation and catalog in one transaction, replacing nothing:
    /// a second import of the same codes is a duplicate.
    pub async fn import_org(&self, org: &OrgData) -> Result<(), StoreError> {
        let _guard = self.write_guard().await;
        let d = org.district.code.as_str();
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO districts (code, name) VALUES ($1, $2)")
            .bind(d)
            .bind(&org.district.name)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_insert(e, "district"))?;
        for s in &org.streets {
            sqlx::query("INSERT INTO streets (district, code, name) VALUES ($1, $2, $3)")
                .bind(d)
                .bind(s.code.as_str())
                .bind(&s.name)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_insert(e, "street"))?;
        }
        for c in &org.communities {
            sqlx::query("INSERT INTO communities (district, code, street, name) VALUES ($1, $2, $3, $4)")
                .bind(d)
                .bind(c.code.as_str())
                .bind(c.street.as_str())
                .bind(&c.name)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_insert(e, "community"))?;
        }
        for u in &org.units {
            sqlx::query("INSERT INTO units (district, id, street, role, name, kind) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(d)
                .bind(u.id.as_str())
                .bind(u.street.as_str())
                .bind(&u.role)
                .bind(&u.name)
                .bind(u.kind.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_insert(e, "unit"))?;
        }
        for dep in &org.departments {
            crate::departments::insert_department(&mut tx, d, dep).await?;
        }
        for (i, item) in org.duty_items.iter().enumerate() {
            crate::catalog::insert_item(&mut tx, d, item, i as i64).await?;
        }
        // Every district starts with the default whistle kinds (editable later).
        Store::seed_policies_in(&mut tx, &org.district.code, chrono::Utc::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn districts(&self) -> Result<Vec<District>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM districts ORDER BY code").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                Ok(District {
                    code: DistrictCode::parse(&code).map_err(|_| corrupt("district", &code))?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    pub async fn streets(&self, district: &DistrictCode) -> Result<Vec<Street>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM streets WHERE district = $1 ORDER BY code")
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(street_row).collect()
    }

    pub async fn street(&self, district: &DistrictCode, code: &StreetCode) -> Result<Option<Street>, StoreError> {
        let row = sqlx::query("SELECT code, name FROM streets WHERE district = $1 AND code = $2")
            .bind(district.as_str())
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(street_row).transpose()
    }

    pub async fn communities(
        &self,
        district: &DistrictCode,
        street: Option<&StreetCode>,
    ) -> Result<Vec<Community>, StoreError> {
        let rows = match street {
            Some(s) => {
                sqlx::query(
                    "SELECT code, street, name FROM communities WHERE district = $1 AND street = $2 ORDER BY code",
                )
                .bind(district.as_str())
                .bind(s.as_str())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query("SELECT code, street, name FROM communities WHERE district = $1 ORDER BY code")
                    .bind(district.as_str())
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(community_row).collect()
    }

    pub async fn community(
        &self,
        district: &DistrictCode,
        code: &CommunityCode,
    ) -> Result<Option<Community>, StoreError> {
        let row = sqlx::query("SELECT code, street, name FROM communities WHERE district = $1 AND code = $2")
            .bind(district.as_str())
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(community_row).transpose()
    }

    pub async fn units(&self, district: &DistrictCode, street: &StreetCode) -> Result<Vec<Unit>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, street, role, name, kind FROM units WHERE district = $1 AND street = $2 ORDER BY id",
        )
        .bind(district.as_str())
        .bind(street.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(unit_row).collect()
    }

    pub async fn unit(&self, district: &DistrictCode, id: &UnitId) -> Result<Option<Unit>, StoreError> {
        let row = sqlx::query("SELECT id, street, role, name, kind FROM units WHERE district = $1 AND id = $2")
            .bind(district.as_str())
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(unit_row).transpose()
    }

    /// The unit of `street` holding the catalog role `role` (e.g. `city_management`).
    pub async fn unit_by_role(
        &self,
        district: &DistrictCode,
        street: &StreetCode,
        role: &str,
    ) -> Result<Option<Unit>, StoreError> {
        let row = sqlx::query(
            "SELECT id, street, role, name, kind FROM units WHERE district = $1 AND street = $2 AND role = $3",
        )
        .bind(district.as_str())
        .bind(street.as_str())
        .bind(role)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(unit_row).transpose()
    }

    pub async fn departments(&self, district: &DistrictCode) -> Result<Vec<Department>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, short_name, kind, category FROM departments WHERE district = $1 ORDER BY kind, id",
        )
        .bind(district.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(department_row).collect()
    }

    pub async fn department(
        &self,
        district: &DistrictCode,
        id: &DepartmentId,
    ) -> Result<Option<Department>, StoreError> {
        let row =
            sqlx::query("SELECT id, name, short_name, kind, category FROM departments WHERE district = $1 AND id = $2")
                .bind(district.as_str())
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(department_row).transpose()
    }

    pub async fn duty_items(&self, district: &DistrictCode) -> Result<Vec<DutyItem>, StoreError> {
        let rows = sqlx::query("SELECT item FROM duty_items WHERE district = $1 ORDER BY position")
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("item")?)?)).collect()
    }

    pub async fn duty_item(&self, district: &DistrictCode, code: &str) -> Result<Option<DutyItem>, StoreError> {
        let row = sqlx::query("SELECT item FROM duty_items WHERE district = $1 AND code = $2")
            .bind(district.as_str())
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some(serde_json::from_str(&r.try_get::<String, _>("item")?)?)),
            None => Ok(None),
        }
    }
}
