//! Signing in and out with a form; the session is the same as the API's (cookie + store row).

use super::csrf::CsrfForm;
use super::error::UiError;
use super::page::{cookie, local_path, Ctx};
use crate::auth::{new_token, token_district, token_hash, verify_login, SESSION_COOKIE, SESSION_HOURS};
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::Role;
use chuishao_store::StoredUser;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    ctx: &'a Ctx,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Where a user lands after signing in when no page asked for it.
/// Every role has a list of its cases for now; the workbench, inbox and dashboard pages will
/// take over their roles' homes here.
fn home_of(_role: Role) -> &'static str {
    "/my"
}

/// `GET /login`
pub async fn form(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if let Some(u) = &ctx.user {
        return Redirect::to(home_of(u.actor.role)).into_response();
    }
    let next = local_path(q.next.as_deref());
    ctx.page(LoginPage { ctx: &ctx, username: String::new(), next, error: None })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// The one account these credentials open, checked as the API's login checks them: against
/// every account of that name (or a dummy), off the async workers, so neither the answer nor
/// its timing tells which names exist.
async fn check_credentials(state: &AppState, username: &str, password: String) -> Result<Option<StoredUser>, UiError> {
    let users = state.store.users_by_username(username.trim()).await?;
    let candidates = users.clone();
    let matching: Vec<bool> = tokio::task::spawn_blocking(move || {
        if candidates.is_empty() {
            vec![verify_login(None, &password)]
        } else {
            candidates.iter().map(|u| verify_login(Some(u), &password)).collect()
        }
    })
    .await
    .map_err(|_| UiError::internal())?;
    let mut matched: Vec<StoredUser> = users.into_iter().zip(matching).filter(|(_, ok)| *ok).map(|(u, _)| u).collect();
    // The same name with the same password in two districts: the API asks for the district;
    // the form refuses rather than guess.
    Ok(if matched.len() == 1 { matched.pop() } else { None })
}

/// `POST /login`
pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> Result<Response, UiError> {
    let next = local_path(f.next.as_deref());
    let Some(user) = check_credentials(&state, &f.username, f.password).await? else {
        let error = Some(ApiError::new(StatusCode::UNAUTHORIZED, "login_failed").message(ctx.lang));
        let page = LoginPage { ctx: &ctx, username: f.username.trim().to_string(), next, error };
        return Ok(ctx.page_with(StatusCode::UNAUTHORIZED, page));
    };
    // The scope must resolve, as for any request of this user.
    crate::auth::actor_of(&state.store, &user).await?;
    let (token, hash) = new_token(&user.district);
    let now = state.now();
    state.store.create_session(&hash, &user, now, now + chrono::Duration::hours(SESSION_HOURS)).await?;
    tracing::info!(user = %user.id, role = user.role.as_str(), "login (page)");
    let cookie = format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}", SESSION_HOURS * 3600);
    let to = if next == "/" || next.starts_with("/login") { home_of(user.role).to_string() } else { next };
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

/// `POST /logout`: ends the session (if it is still there) and forgets the cookie.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Some(d) = token_district(token) {
            state.store.delete_session(&d, &token_hash(token)).await?;
        }
    }
    let clear = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/")).into_response())
}
