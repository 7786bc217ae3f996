//! Signing in and out with a form; the session is the same as the API's (cookie + store row).

use super::csrf::CsrfForm;
use super::error::UiError;
use super::page::{cookie, local_path, Ctx};
use crate::auth::{cleared_session_cookie, sign_in, token_district, token_hash, SESSION_COOKIE};
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::Role;
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

/// Where a user lands after signing in when no page asked for it: a liaison on their phone
/// home, a department in its whistle inbox, the system admin in administration, everyone
/// else on the workbench (a resident on their own requests).
fn home_of(role: Role) -> &'static str {
    match role {
        Role::Liaison => "/liaison",
        Role::DepartmentStaff => "/inbox",
        Role::SystemAdmin => "/admin",
        _ => "/my",
    }
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

/// `POST /login`
pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> Result<Response, UiError> {
    let next = local_path(f.next.as_deref());
    let signed = match sign_in(&state, &f.username, f.password, None).await {
        Ok(s) => s,
        // The same name and password in two districts: the form refuses rather than guess.
        Err(e) if e.status == StatusCode::UNAUTHORIZED || e.field.is_some() => {
            let error = Some(ApiError::new(StatusCode::UNAUTHORIZED, "login_failed").message(ctx.lang));
            let page = LoginPage { ctx: &ctx, username: f.username.trim().to_string(), next, error };
            return Ok(ctx.page_with(StatusCode::UNAUTHORIZED, page));
        }
        Err(e) => return Err(e.into()),
    };
    let cookie = signed.cookie();
    let user = signed.user;
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
    Ok(([(header::SET_COOKIE, cleared_session_cookie())], Redirect::to("/")).into_response())
}
