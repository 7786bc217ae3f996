//! Accounts and login sessions.

use crate::{from_ms, to_ms, Store, StoreError};
use chuishao_domain::actor::ScopeKind;
use chuishao_domain::{Actor, CommunityCode, DistrictCode, Role, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub district: DistrictCode,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub scope_kind: ScopeKind,
    /// A code or id; empty for residents.
    pub scope_id: String,
}

#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: String,
    pub district: DistrictCode,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub scope_kind: String,
    pub scope_id: String,
    pub disabled: bool,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: StoredUser,
    pub expires_at: Timestamp,
}

const USER_COLUMNS: &str =
    "district, id, username, display_name, password_hash, role, scope_kind, scope_id, disabled, created_at";

fn user_row(r: &AnyRow) -> Result<StoredUser, StoreError> {
    let district: String = r.try_get("district")?;
    let role: String = r.try_get("role")?;
    Ok(StoredUser {
        id: r.try_get("id")?,
        district: DistrictCode::parse(&district).map_err(StoreError::Corrupt)?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        scope_kind: r.try_get("scope_kind")?,
        scope_id: r.try_get("scope_id")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: from_ms(r.try_get("created_at")?),
    })
}

impl Store {
    /// Adds an account; `by` names the administrator who added it (audited with the role and
    /// scope, never the password) — none for accounts made by the demo or the command line.
    pub async fn create_user(&self, u: &NewUser, by: Option<&Actor>, now: Timestamp) -> Result<(), StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
            .bind(u.district.as_str())
            .bind(&u.id)
            .bind(&u.username)
            .bind(&u.display_name)
            .bind(&u.password_hash)
            .bind(u.role.as_str())
            .bind(u.scope_kind.as_str())
            .bind(&u.scope_id)
            .bind(0_i64)
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_insert(e, "username"))?;
        // A liaison starts out covering the community they are registered in.
        if u.role == Role::Liaison {
            let community = CommunityCode::parse(&u.scope_id).map_err(StoreError::Corrupt)?;
            crate::liaisons::assign_in(&mut tx, &u.district, &u.id, &community, "system", now).await?;
        }
        if let Some(actor) = by {
            let detail = serde_json::json!({ "username": u.username, "role": u.role.as_str(), "scope": u.scope_id });
            let entry = crate::audit::AuditEntry {
                district: u.district.as_str(),
                actor,
                action: "user.create",
                object_kind: "user",
                object_id: &u.id,
                detail: detail.to_string(),
            };
            crate::audit::insert(&mut tx, entry, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The accounts with this username — one per district at most.
    pub async fn users_by_username(&self, username: &str) -> Result<Vec<StoredUser>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1 ORDER BY district"))
            .bind(username)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_row).collect()
    }

    pub async fn user(&self, district: &DistrictCode, id: &str) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE district = $1 AND id = $2"))
            .bind(district.as_str())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_row).transpose()
    }

    pub async fn users(&self, district: &DistrictCode) -> Result<Vec<StoredUser>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE district = $1 ORDER BY username"))
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_row).collect()
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: &StoredUser,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        // Expired sessions of the district are swept as new ones are made.
        sqlx::query("DELETE FROM sessions WHERE district = $1 AND expires_at < $2")
            .bind(user.district.as_str())
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, district, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user.district.as_str())
        .bind(&user.id)
        .bind(to_ms(now))
        .bind(to_ms(expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session of a district for a token hash, with its user (disabled users have none).
    pub async fn session(
        &self,
        district: &DistrictCode,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionInfo>, StoreError> {
        let cols = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
        let row = sqlx::query(&format!(
            "SELECT {cols}, s.expires_at AS expires_at FROM sessions s \
             JOIN users u ON u.district = s.district AND u.id = s.user_id \
             WHERE s.district = $1 AND s.token_hash = $2 AND s.expires_at > $3 AND u.disabled = $4"
        ))
        .bind(district.as_str())
        .bind(token_hash)
        .bind(to_ms(now))
        .bind(0_i64)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some(SessionInfo { user: user_row(&r)?, expires_at: from_ms(r.try_get("expires_at")?) })),
            None => Ok(None),
        }
    }

    pub async fn delete_session(&self, district: &DistrictCode, token_hash: &str) -> Result<(), StoreError> {
        let _guard = self.write_guard().await;
        sqlx::query("DELETE FROM sessions WHERE district = $1 AND token_hash = $2")
            .bind(district.as_str())
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
