//! `/admin/departments/…`: a department or public utility added, or one's names, kind or
//! category changed, by the system admin — the same check and store path as
//! `PUT /api/v1/departments/{id}`. The id names it for good (whistles, cases, the catalog).

use super::admin::{tabs, Tab, WRITERS};
use super::csrf::CsrfPairs;
use super::error::{FieldErrors, UiError};
use super::page::{Ctx, SelectOption};
use crate::api::org::save_department;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::org::{Department, DepartmentKind};

#[derive(Debug, Clone, Default)]
struct DepartmentInput {
    id: String,
    name: String,
    short_name: String,
    kind: String,
    category: String,
}

#[derive(Template)]
#[template(path = "admin_department.html")]
struct DepartmentPage<'a> {
    ctx: &'a Ctx,
    tabs: Vec<Tab>,
    is_new: bool,
    action: String,
    input: DepartmentInput,
    kinds: Vec<SelectOption>,
    errors: FieldErrors,
}

fn page(
    ctx: &Ctx,
    status: StatusCode,
    is_new: bool,
    input: DepartmentInput,
    errors: FieldErrors,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let kinds = [DepartmentKind::Department, DepartmentKind::Utility]
        .into_iter()
        .map(|k| SelectOption {
            value: k.as_str().into(),
            label: ctx.t(&format!("ui-admin-dep-kind-{}", k.as_str())),
            selected: input.kind == k.as_str(),
        })
        .collect();
    let action = if is_new { "/admin/departments/new".to_string() } else { format!("/admin/departments/{}", input.id) };
    let tabs = tabs(ctx, user.actor.role, "/admin");
    Ok(ctx.page_with(status, DepartmentPage { ctx, tabs, is_new, action, input, kinds, errors }))
}

/// `GET /admin/departments/new`
pub async fn new_form(ctx: Ctx) -> Result<Response, UiError> {
    let input = DepartmentInput { kind: "department".into(), ..Default::default() };
    page(&ctx, StatusCode::OK, true, input, FieldErrors::default())
}

/// `GET /admin/departments/{id}`
pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let dep = found(&state, &user.actor.district, &id).await?;
    let input = DepartmentInput {
        id: dep.id.to_string(),
        name: dep.name,
        short_name: dep.short_name,
        kind: dep.kind.as_str().into(),
        category: dep.category,
    };
    page(&ctx, StatusCode::OK, false, input, FieldErrors::default())
}

async fn found(state: &AppState, district: &chuishao_domain::DistrictCode, id: &str) -> Result<Department, UiError> {
    let id = chuishao_domain::DepartmentId::parse(id).map_err(|_| UiError::not_found())?;
    state.store.department(district, &id).await?.ok_or_else(UiError::not_found)
}

async fn save(state: &AppState, ctx: &Ctx, path_id: Option<String>, f: CsrfPairs) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let d = &user.actor.district;
    let is_new = path_id.is_none();
    let mut input = DepartmentInput {
        id: f.get("id").trim().to_string(),
        name: f.get("name").into(),
        short_name: f.get("short_name").into(),
        kind: f.get("kind").into(),
        category: f.get("category").into(),
    };
    if let Some(id) = path_id {
        input.id = found(state, d, &id).await?.id.to_string();
    }
    let mut errors = FieldErrors::default();
    let dep = match Department::parse(&input.id, &input.name, &input.short_name, &input.kind, &input.category) {
        Ok(dep) => dep,
        Err(e) => {
            let label = match e.field.as_str() {
                "id" => "ui-admin-dep-f-id",
                "name" => "ui-admin-dep-f-name",
                "short_name" => "ui-admin-dep-f-short",
                "kind" => "ui-admin-dep-f-kind",
                _ => "ui-admin-dep-f-category",
            };
            errors.add_field_error(ctx, e, &ctx.t(label));
            return page(ctx, StatusCode::UNPROCESSABLE_ENTITY, is_new, input, errors);
        }
    };
    if is_new && state.store.department(d, &dep.id).await?.is_some() {
        errors.add("id", ctx.t("ui-admin-dep-taken"));
        return page(ctx, StatusCode::UNPROCESSABLE_ENTITY, is_new, input, errors);
    }
    save_department(state, &user.actor, &dep).await?;
    Ok(Redirect::to(&format!("/admin?saved={}#dep-{}", dep.id, dep.id)).into_response())
}

/// `POST /admin/departments/new`
pub async fn create(State(state): State<AppState>, ctx: Ctx, form: CsrfPairs) -> Result<Response, UiError> {
    save(&state, &ctx, None, form).await
}

/// `POST /admin/departments/{id}`
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: CsrfPairs,
) -> Result<Response, UiError> {
    save(&state, &ctx, Some(id), form).await
}
