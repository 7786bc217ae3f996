use crate::auth::{cleared_session_cookie, sign_in, CurrentUser};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::i18n::{label, Lang};
use crate::view::fmt_time;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chuishao_domain::{Actor, Scope};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Needed only where the same username exists in several districts.
    pub district: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScopeView {
    /// own, district, street, community, unit or department
    pub kind: String,
    pub id: String,
    pub name: String,
    /// A liaison's communities covered now (absent for other roles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covers: Option<Vec<crate::view::NamedRef>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub district: String,
    pub scope: ScopeView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; also set as an HttpOnly cookie.
    pub token: String,
    pub expires_at: String,
    pub user: UserView,
}

fn user_view(state: &AppState, username: &str, actor: &Actor, lang: Lang) -> UserView {
    UserView {
        id: actor.user_id.clone(),
        username: username.to_string(),
        display_name: actor.name.clone(),
        role: actor.role.as_str().into(),
        role_label: label(lang, "role", actor.role.as_str()),
        district: actor.district.to_string(),
        scope: ScopeView {
            kind: actor.scope.kind().as_str().into(),
            id: actor.scope.id().into(),
            name: state.names().name_of(actor.scope.id()),
            covers: match &actor.scope {
                Scope::Community { covers, .. } => Some(
                    covers
                        .iter()
                        .map(|c| crate::view::NamedRef { code: c.to_string(), name: state.names().name_of(c.as_str()) })
                        .collect(),
                ),
                _ => None,
            },
        },
    }
}

/// Log in with username and password: a bearer token and a session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "login_failed")))]
pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let signed = sign_in(&state, &req.username, req.password, req.district.as_deref()).await?;
    let cookie = signed.cookie();
    let body = LoginResponse {
        expires_at: fmt_time(signed.expires_at),
        user: user_view(&state, &signed.user.username, &signed.actor, lang),
        token: signed.token,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// End this session.
#[utoipa::path(post, path = "/api/v1/auth/logout", responses((status = 204)), security(("bearer" = [])))]
pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Response> {
    state.store.delete_session(&user.actor.district, &user.token_hash).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared_session_cookie())]).into_response())
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/auth/me", responses((status = 200, body = UserView)), security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, lang: Lang, user: CurrentUser) -> Json<UserView> {
    Json(user_view(&state, &user.user.username, &user.actor, lang))
}
