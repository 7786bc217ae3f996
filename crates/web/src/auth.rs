//! Accounts: password hashing, login sessions, and the authenticated actor of a request.

use crate::error::ApiError;
use crate::AppState;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use base64::Engine;
use chuishao_domain::actor::ScopeKind;
use chuishao_domain::{Actor, CommunityCode, DepartmentId, DistrictCode, Role, Scope, StreetCode, UnitId};
use chuishao_store::{Store, StoreError, StoredUser};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub const SESSION_COOKIE: &str = "chuishao_session";
pub const SESSION_HOURS: i64 = 12;

/// An argon2id hash in PHC string form.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Checked when the username is unknown, so a miss takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("chuishao-timing-guard").unwrap_or_default());

pub fn verify_login(user: Option<&StoredUser>, password: &str) -> bool {
    match user {
        Some(u) if !u.disabled => verify_password(password, &u.password_hash),
        _ => {
            let _ = verify_password(password, &DUMMY_HASH);
            false
        }
    }
}

/// A fresh random secret (URL-safe base64 of 32 bytes).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh bearer token for a district's user — `110101.<random>`, so its session is found on
/// the district's rows — and the hash under which it is stored (only the hash is kept).
pub fn new_token(district: &DistrictCode) -> (String, String) {
    let token = format!("{district}.{}", random_secret());
    let hash = token_hash(&token);
    (token, hash)
}

/// The district a token names, if it has the form `110101.<random>`.
pub fn token_district(token: &str) -> Option<DistrictCode> {
    token.split_once('.').and_then(|(d, _)| DistrictCode::parse(d).ok())
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A session opened by signing in.
pub struct SignedIn {
    pub user: StoredUser,
    pub actor: Actor,
    /// The bearer token (also the session cookie's value); only its hash is stored.
    pub token: String,
    pub expires_at: chuishao_domain::Timestamp,
}

impl SignedIn {
    /// The session cookie carrying the token.
    pub fn cookie(&self) -> String {
        format!("{SESSION_COOKIE}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}", self.token, SESSION_HOURS * 3600)
    }
}

/// The cookie that forgets the session.
pub fn cleared_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

/// Signs in with a username and password (and the district, where the same name exists in
/// several): `login_failed` (401) when they open no account, `field_required` on `district`
/// when they open accounts in several districts. The password is checked against every account
/// of that name (or a dummy), off the async workers — argon2 is deliberately slow — so neither
/// the answer nor its timing tells which names exist where.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: String,
    district: Option<&str>,
) -> Result<SignedIn, ApiError> {
    let mut users = state.store.users_by_username(username.trim()).await?;
    if let Some(d) = district {
        users.retain(|u| u.district.as_str() == d.trim());
    }
    let candidates = users.clone();
    let matching: Vec<bool> = tokio::task::spawn_blocking(move || {
        if candidates.is_empty() {
            vec![verify_login(None, &password)]
        } else {
            candidates.iter().map(|u| verify_login(Some(u), &password)).collect()
        }
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let mut matched: Vec<StoredUser> = users.into_iter().zip(matching).filter(|(_, ok)| *ok).map(|(u, _)| u).collect();
    let user = match matched.len() {
        0 => return Err(ApiError::new(StatusCode::UNAUTHORIZED, "login_failed")),
        1 => matched.remove(0),
        _ => return Err(chuishao_domain::FieldError::required("district").into()),
    };
    // The scope must resolve, as for any request of this user.
    let actor = actor_of(&state.store, &user).await?;
    let (token, hash) = new_token(&user.district);
    let now = state.now();
    let expires_at = now + chrono::Duration::hours(SESSION_HOURS);
    state.store.create_session(&hash, &user, now, expires_at).await?;
    tracing::info!(user = %user.id, role = user.role.as_str(), "login");
    Ok(SignedIn { user, actor, token, expires_at })
}

#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    #[error("role {0} needs a {1} scope")]
    Missing(&'static str, &'static str),
    #[error("scope {0} does not exist in district {1}")]
    Unknown(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Turns a stored scope (kind + id) into a checked [`Scope`], looking up what it names.
pub async fn resolve_scope(
    store: &Store,
    district: &DistrictCode,
    role: Role,
    scope_id: &str,
) -> Result<Scope, ScopeError> {
    let kind = role.scope_kind();
    let unknown = || ScopeError::Unknown(scope_id.to_string(), district.to_string());
    if kind != ScopeKind::Own && kind != ScopeKind::District && scope_id.trim().is_empty() {
        return Err(ScopeError::Missing(role.as_str(), kind.as_str()));
    }
    Ok(match kind {
        ScopeKind::Own => Scope::Own,
        ScopeKind::District => {
            if !scope_id.is_empty() && scope_id != district.as_str() {
                return Err(unknown());
            }
            Scope::District { code: district.clone() }
        }
        ScopeKind::Street => {
            let code = StreetCode::parse(scope_id).map_err(|_| unknown())?;
            store.street(district, &code).await?.ok_or_else(unknown)?;
            Scope::Street { code }
        }
        ScopeKind::Community => {
            let code = CommunityCode::parse(scope_id).map_err(|_| unknown())?;
            store.community(district, &code).await?.ok_or_else(unknown)?;
            Scope::community(code)
        }
        ScopeKind::Unit => {
            let id = UnitId::parse(scope_id).map_err(|_| unknown())?;
            let unit = store.unit(district, &id).await?.ok_or_else(unknown)?;
            Scope::Unit { id, street: unit.street }
        }
        ScopeKind::Department => {
            let id = DepartmentId::parse(scope_id).map_err(|_| unknown())?;
            store.department(district, &id).await?.ok_or_else(unknown)?;
            Scope::Department { id }
        }
    })
}

pub async fn actor_of(store: &Store, user: &StoredUser) -> Result<Actor, ApiError> {
    let mut scope = resolve_scope(store, &user.district, user.role, &user.scope_id).await.map_err(|e| {
        tracing::error!(user = %user.id, error = %e, "user has an unusable scope");
        ApiError::forbidden()
    })?;
    // A liaison covers what they are assigned now, which may change between two requests.
    if let Scope::Community { covers, .. } = &mut scope {
        *covers = store.liaison_covers(&user.district, &user.id).await?;
    }
    Ok(Actor {
        user_id: user.id.clone(),
        name: user.display_name.clone(),
        role: user.role,
        scope,
        district: user.district.clone(),
    })
}

/// The logged-in user of a request: `Authorization: Bearer <token>` or the session cookie.
pub struct CurrentUser {
    pub actor: Actor,
    pub user: StoredUser,
    pub token_hash: String,
}

fn bearer_or_cookie(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = v.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string());
    }
    parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        c.split(';').find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == SESSION_COOKIE).then(|| v.to_string())
        })
    })
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_or_cookie(parts).ok_or_else(ApiError::unauthorized)?;
        let district = token_district(&token).ok_or_else(ApiError::unauthorized)?;
        let hash = token_hash(&token);
        let session =
            state.store.session(&district, &hash, state.clock.now()).await?.ok_or_else(ApiError::unauthorized)?;
        let actor = actor_of(&state.store, &session.user).await?;
        Ok(CurrentUser { actor, user: session.user, token_hash: hash })
    }
}

impl CurrentUser {
    /// Refuses unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.actor.role) {
            Ok(())
        } else {
            Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden"))
        }
    }
}
