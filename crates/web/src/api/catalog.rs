//! Keeping the duty catalog (system admin): one item put by its code, the whole catalog
//! exported as CSV and imported from it (with a dry run saying what would change).

use super::org::{item_view, DutyItemView};
use crate::auth::CurrentUser;
use crate::catalog::{import as import_catalog, put_item};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chuishao_domain::catalog::{to_csv, CatalogDiff, DutyItem, Owner, RequestKind};
use chuishao_domain::deadline::DeadlineSpec;
use chuishao_domain::field::FieldError;
use chuishao_domain::Role;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A duty item as sent: its code is in the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyItemIn {
    pub category: String,
    pub name: String,
    /// consult, help, complaint, report or suggestion
    pub kind: String,
    /// `unit:ROLE` (that unit of the case's street) or `dept:ID`
    pub owner: String,
    #[serde(default)]
    pub cooperating: Vec<String>,
    #[serde(default)]
    pub whistleable: bool,
    /// e.g. `24h`, `30m`, `7wd` (working days)
    pub response_deadline: String,
    pub resolution_deadline: String,
    pub keywords: Vec<String>,
    #[serde(default)]
    pub examples: Vec<String>,
}

impl DutyItemIn {
    /// The item, its values read (`checked` follows in `put_item`).
    pub fn into_item(self, code: &str) -> Result<DutyItem, FieldError> {
        let owner = |field: &str, s: &str| s.parse::<Owner>().map_err(|_| FieldError::malformed(field, "owner"));
        let deadline =
            |field: &str, s: &str| s.parse::<DeadlineSpec>().map_err(|_| FieldError::malformed(field, "deadline_spec"));
        Ok(DutyItem {
            code: code.to_string(),
            category: self.category,
            name: self.name,
            kind: RequestKind::parse(self.kind.trim()).ok_or_else(|| FieldError::malformed("kind", "request_kind"))?,
            owner: owner("owner", &self.owner)?,
            cooperating: self.cooperating.iter().map(|o| owner("cooperating", o)).collect::<Result<_, _>>()?,
            whistleable: self.whistleable,
            response_deadline: deadline("response_deadline", &self.response_deadline)?,
            resolution_deadline: deadline("resolution_deadline", &self.resolution_deadline)?,
            keywords: self.keywords,
            examples: self.examples,
        })
    }
}

/// Adds a duty item or changes the one of this code (system admin). Cases already dispatched
/// keep the terms they were dispatched under; suggestions follow at once.
#[utoipa::path(put, path = "/api/v1/catalog/{code}", request_body = DutyItemIn,
    responses((status = 200, body = DutyItemView), (status = 201, body = DutyItemView), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn put(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<DutyItemIn>,
) -> ApiResult<Response> {
    user.require(&[Role::SystemAdmin])?;
    let item = body.into_item(&code)?;
    let (created, item) = put_item(&state, &user.actor, item).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(item_view(&state, lang, item))).into_response())
}

/// The catalog as a CSV file (UTF-8; the columns `import` reads).
#[utoipa::path(get, path = "/api/v1/catalog/export", responses((status = 200, content_type = "text/csv")), security(("bearer" = [])))]
pub async fn export(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Response> {
    user.require(&[Role::SystemAdmin, Role::DistrictSupervisor])?;
    let items = state.store.duty_items(&user.actor.district).await?;
    Ok(csv_file(&items))
}

/// The catalog as a downloadable CSV file (with a byte-order mark so spreadsheets read UTF-8).
pub fn csv_file(items: &[DutyItem]) -> Response {
    let body = format!("\u{feff}{}", to_csv(items));
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"duty-catalog.csv\""),
    ];
    (headers, body).into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Only say what would change.
    pub dry_run: Option<bool>,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ImportView {
    pub applied: bool,
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

fn import_view(d: CatalogDiff, applied: bool) -> ImportView {
    ImportView { applied, added: d.added, changed: d.changed, removed: d.removed, unchanged: d.unchanged }
}

/// Replaces the catalog with a new edition from a CSV file (system admin), all or nothing: a
/// bad line refuses the file with its number. Items not in the file are removed (cases keep
/// their terms). `dry_run=true` only says what would change.
#[utoipa::path(post, path = "/api/v1/catalog/import", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportView), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ImportView>> {
    user.require(&[Role::SystemAdmin])?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "catalog_file_unreadable").arg("line", "1"))?;
    let dry_run = q.dry_run.unwrap_or(false);
    let diff = import_catalog(&state, &user.actor, text, dry_run).await?;
    Ok(Json(import_view(diff, !dry_run)))
}
