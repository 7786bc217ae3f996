//! `/admin/users` (用户与角色, system admin): the district's accounts with role and scope; a new
//! account with a generated initial password, shown once on the answer and stored only hashed
//! (as `chuishao user add` does); disabling an account ends its sessions.

use super::admin::{tabs, Tab, WRITERS};
use super::csrf::CsrfForm;
use super::error::{FieldErrors, UiError};
use super::page::{local_time, Ctx, SelectOption};
use crate::auth::{hash_password, random_secret, resolve_scope, ScopeError};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::personal::mask_name;
use chuishao_domain::Role;
use chuishao_store::{NewUser, StoreError};
use serde::Deserialize;

struct UserRow {
    id: String,
    username: String,
    name: String,
    role: String,
    scope: String,
    created: String,
    disabled: bool,
    is_me: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AddUser {
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage<'a> {
    ctx: &'a Ctx,
    tabs: Vec<Tab>,
    users: Vec<UserRow>,
    roles: Vec<SelectOption>,
    input: AddUser,
    errors: FieldErrors,
    /// The account just made and its initial password: shown this once.
    created: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    input: AddUser,
    errors: FieldErrors,
    created: Option<(String, String)>,
) -> Result<Response, UiError> {
    let me = ctx.require_role(&WRITERS)?;
    let stored = state.store.users(&me.actor.district).await?;
    let names = state.names();
    let users = stored
        .iter()
        .map(|u| UserRow {
            id: u.id.clone(),
            username: u.username.clone(),
            // A resident's name is personal data: masked as everywhere else.
            name: if u.role == Role::Resident { mask_name(&u.display_name) } else { u.display_name.clone() },
            role: ctx.label("role", u.role.as_str()),
            scope: match names.name_of(&u.scope_id) {
                n if n.is_empty() || n == u.scope_id => u.scope_id.clone(),
                n => format!("{n} ({})", u.scope_id),
            },
            created: local_time(u.created_at),
            disabled: u.disabled,
            is_me: u.id == me.actor.user_id,
        })
        .collect();
    let roles = Role::LOGIN_ROLES
        .iter()
        .map(|r| SelectOption {
            value: r.as_str().into(),
            label: ctx.label("role", r.as_str()),
            selected: input.role == r.as_str(),
        })
        .collect();
    let page = UsersPage { ctx, tabs: tabs(ctx, me.actor.role, "/admin/users"), users, roles, input, errors, created };
    Ok(ctx.page_with(status, page))
}

/// `GET /admin/users`
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, UiError> {
    users_page(&state, &ctx, StatusCode::OK, AddUser::default(), FieldErrors::default(), None).await
}

/// `POST /admin/users`: adds an account; the form comes back with its messages on bad input.
pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<AddUser>,
) -> Result<Response, UiError> {
    let me = ctx.require_role(&WRITERS)?;
    let district = me.actor.district.clone();
    let mut errors = FieldErrors::default();
    let username = form.username.trim().to_string();
    if username.is_empty() || username.chars().count() > 64 || username.chars().any(char::is_whitespace) {
        errors.add("username", ctx.t("ui-admin-user-bad-username"));
    }
    let name = form.name.trim().to_string();
    if name.chars().count() > 64 {
        errors.add("name", ctx.t("ui-admin-user-bad-name"));
    }
    let role = Role::parse(form.role.trim()).filter(|r| *r != Role::System);
    let scope = match role {
        None => {
            errors.add("role", ctx.t("ui-admin-user-bad-role"));
            None
        }
        Some(role) => match resolve_scope(&state.store, &district, role, form.scope.trim()).await {
            Ok(s) => Some(s),
            Err(ScopeError::Missing(..)) => {
                errors.add("scope", ctx.t("ui-admin-user-scope-missing"));
                None
            }
            Err(ScopeError::Unknown(..)) => {
                errors.add("scope", ctx.t("ui-admin-user-scope-unknown"));
                None
            }
            Err(ScopeError::Store(e)) => return Err(e.into()),
        },
    };
    let (Some(role), Some(scope), true) = (role, scope, errors.is_empty()) else {
        return users_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, form, errors, None).await;
    };
    let password = random_secret()[..16].to_string();
    let password_hash = hash_password(&password).map_err(|_| UiError::internal())?;
    let user = NewUser {
        id: uuid::Uuid::now_v7().to_string(),
        district,
        display_name: if name.is_empty() { username.clone() } else { name },
        username: username.clone(),
        password_hash,
        role,
        scope_kind: role.scope_kind(),
        scope_id: scope.id().to_string(),
    };
    match state.store.create_user(&user, Some(&me.actor), state.now()).await {
        Ok(()) => {
            tracing::info!(by = %me.actor.user_id, role = role.as_str(), "user added");
            users_page(&state, &ctx, StatusCode::OK, AddUser::default(), errors, Some((username, password))).await
        }
        Err(StoreError::Duplicate(_)) => {
            errors.add("username", ctx.t("ui-admin-user-taken"));
            users_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, form, errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A form that carries only its token.
#[derive(Deserialize)]
pub struct TokenOnly {}

async fn set_disabled(state: &AppState, ctx: &Ctx, id: &str, disabled: bool) -> Result<Response, UiError> {
    let me = ctx.require_role(&WRITERS)?;
    // Locking oneself out would leave the district without its admin.
    if id == me.actor.user_id {
        return Err(UiError::status(StatusCode::CONFLICT));
    }
    if !state.store.set_user_disabled(&me.actor, id, disabled, state.now()).await? {
        return Err(UiError::not_found());
    }
    Ok(Redirect::to(&format!("/admin/users#user-{id}")).into_response())
}

/// `POST /admin/users/{id}/disable`
pub async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<TokenOnly>,
) -> Result<Response, UiError> {
    set_disabled(&state, &ctx, &id, true).await
}

/// `POST /admin/users/{id}/enable`
pub async fn enable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<TokenOnly>,
) -> Result<Response, UiError> {
    set_disabled(&state, &ctx, &id, false).await
}
