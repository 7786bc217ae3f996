//! `/admin` (系统管理): the organisation (streets with their communities and units, the
//! departments), the duty catalog, and the import of boundaries. Users and roles are in
//! `admin_users.rs`, the work calendar in `admin_calendar.rs`.
//!
//! The system admin does everything here; the district supervisor reads the organisation, the
//! catalog and the calendar (as the API lets them), and changes nothing.

use super::csrf;
use super::error::{FieldErrors, UiError};
use super::page::{Ctx, SelectOption};
use crate::api::route::{import_boundaries as import_checked, ImportError};
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chuishao_domain::catalog::Owner;
use chuishao_domain::deadline::{DeadlineSpec, DeadlineUnit};
use chuishao_domain::{Role, StreetCode};
use chuishao_routing::Level;
use serde::Deserialize;

/// Who opens the admin pages.
pub const ROLES: [Role; 2] = [Role::SystemAdmin, Role::DistrictSupervisor];
/// Who changes anything on them (users, calendar, imports): as the API allows.
pub const WRITERS: [Role; 1] = [Role::SystemAdmin];

pub struct Tab {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The admin pages' own tabs; the system admin's only ones left out for others.
pub fn tabs(ctx: &Ctx, role: Role, current: &str) -> Vec<Tab> {
    [
        ("/admin", "ui-admin-tab-org", false),
        ("/admin/catalog", "ui-admin-tab-catalog", false),
        ("/admin/users", "ui-admin-tab-users", true),
        ("/admin/calendar", "ui-admin-tab-calendar", false),
        ("/admin/imports", "ui-admin-tab-imports", true),
    ]
    .into_iter()
    .filter(|(_, _, writers_only)| !writers_only || WRITERS.contains(&role))
    .map(|(href, key, _)| Tab { href, label: ctx.t(key), current: href == current })
    .collect()
}

// ---- organisation ------------------------------------------------------------------------

struct StreetRow {
    code: String,
    name: String,
    communities: u64,
    units: u64,
    href: String,
    current: bool,
}

struct NamedRow {
    code: String,
    name: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin_org.html")]
struct OrgPage<'a> {
    ctx: &'a Ctx,
    tabs: Vec<Tab>,
    streets: Vec<StreetRow>,
    total_communities: u64,
    total_units: u64,
    departments: Vec<NamedRow>,
    street_name: Option<String>,
    communities: Vec<NamedRow>,
    units: Vec<NamedRow>,
    can_edit: bool,
    /// The department just saved, to say so.
    saved: Option<String>,
}

#[derive(Deserialize)]
pub struct OrgQuery {
    street: Option<String>,
    saved: Option<String>,
}

/// `GET /admin?street=CODE`: the streets with counts, the departments; one street's
/// communities and units when chosen.
pub async fn org(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OrgQuery>) -> Result<Response, UiError> {
    let user = ctx.require_role(&ROLES)?;
    let d = &user.actor.district;
    let (streets, counts, departments) =
        tokio::try_join!(state.store.streets(d), state.store.org_counts(d), state.store.departments(d))?;
    let chosen = match q.street.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(streets.iter().find(|x| x.code.as_str() == s).ok_or_else(UiError::not_found)?.code.clone()),
    };
    let (communities, units) = match &chosen {
        Some(code) => {
            let street: &StreetCode = code;
            let (c, u) = tokio::try_join!(state.store.communities(d, Some(street)), state.store.units(d, street))?;
            (
                c.iter()
                    .map(|c| NamedRow { code: c.code.to_string(), name: c.name.clone(), detail: String::new() })
                    .collect(),
                u.iter()
                    .map(|u| NamedRow { code: u.id.to_string(), name: u.name.clone(), detail: u.role.clone() })
                    .collect(),
            )
        }
        None => (vec![], vec![]),
    };
    let rows: Vec<StreetRow> = streets
        .iter()
        .map(|s| {
            let c = counts.get(s.code.as_str()).copied().unwrap_or_default();
            StreetRow {
                code: s.code.to_string(),
                name: s.name.clone(),
                communities: c.communities,
                units: c.units,
                href: format!("/admin?street={}#street-detail", s.code),
                current: chosen.as_ref() == Some(&s.code),
            }
        })
        .collect();
    let page = OrgPage {
        ctx: &ctx,
        tabs: tabs(&ctx, user.actor.role, "/admin"),
        total_communities: rows.iter().map(|r| r.communities).sum(),
        total_units: rows.iter().map(|r| r.units).sum(),
        street_name: chosen.as_ref().and_then(|c| streets.iter().find(|s| &s.code == c)).map(|s| s.name.clone()),
        streets: rows,
        departments: departments
            .iter()
            .map(|x| NamedRow { code: x.id.to_string(), name: x.name.clone(), detail: x.category.clone() })
            .collect(),
        communities,
        units,
        can_edit: WRITERS.contains(&user.actor.role),
        saved: q.saved.filter(|id| departments.iter().any(|x| x.id.as_str() == id)),
    };
    Ok(ctx.page(page))
}

// ---- duty catalog ------------------------------------------------------------------------

struct ItemRow {
    code: String,
    category: String,
    name: String,
    kind: String,
    owner: String,
    response: String,
    resolution: String,
    whistleable: bool,
}

#[derive(Template)]
#[template(path = "admin_catalog.html")]
struct CatalogPage<'a> {
    ctx: &'a Ctx,
    tabs: Vec<Tab>,
    q: String,
    total: usize,
    items: Vec<ItemRow>,
    /// The system admin keeps the catalog; others read it.
    can_edit: bool,
    saved: Option<String>,
}

#[derive(Deserialize)]
pub struct CatalogQuery {
    q: Option<String>,
    /// The item just saved, to say so.
    saved: Option<String>,
}

pub(super) fn deadline_text(ctx: &Ctx, s: &DeadlineSpec) -> String {
    let key = match s.unit {
        DeadlineUnit::Minutes => "ui-admin-deadline-m",
        DeadlineUnit::Hours => "ui-admin-deadline-h",
        DeadlineUnit::WorkingDays => "ui-admin-deadline-wd",
    };
    ctx.t1(key, "n", &s.amount.to_string())
}

/// `GET /admin/catalog?q=…`: the duty items, searched in code, category, name and keywords.
pub async fn catalog(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CatalogQuery>,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&ROLES)?;
    let all = state.store.duty_items(&user.actor.district).await?;
    let saved = q.saved.filter(|c| all.iter().any(|i| &i.code == c));
    let q = q.q.unwrap_or_default().trim().chars().take(50).collect::<String>();
    let needle = q.to_lowercase();
    let names = state.names();
    let owner = |o: &Owner| match o {
        Owner::UnitRole(role) => chuishao_domain::org::DEFAULT_UNIT_TEMPLATE
            .iter()
            .find(|(r, _, _)| r == role)
            .map(|(_, n, _)| n.to_string())
            .unwrap_or_else(|| role.clone()),
        Owner::Department(id) => names.name_of(id.as_str()),
    };
    let items = all
        .iter()
        .filter(|i| {
            needle.is_empty()
                || [&i.code, &i.category, &i.name].iter().any(|t| t.to_lowercase().contains(&needle))
                || i.keywords.iter().any(|k| k.to_lowercase().contains(&needle))
        })
        .map(|i| ItemRow {
            code: i.code.clone(),
            category: i.category.clone(),
            name: i.name.clone(),
            kind: ctx.label("kind", i.kind.as_str()),
            owner: owner(&i.owner),
            response: deadline_text(&ctx, &i.response_deadline),
            resolution: deadline_text(&ctx, &i.resolution_deadline),
            whistleable: i.whistleable,
        })
        .collect();
    let can_edit = WRITERS.contains(&user.actor.role);
    let page = CatalogPage {
        ctx: &ctx,
        tabs: tabs(&ctx, user.actor.role, "/admin/catalog"),
        q,
        total: all.len(),
        items,
        can_edit,
        saved,
    };
    Ok(ctx.page(page))
}

// ---- imports -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_imports.html")]
struct ImportsPage<'a> {
    ctx: &'a Ctx,
    tabs: Vec<Tab>,
    /// Areas now stored, by level.
    stored: Vec<SelectOption>,
    errors: FieldErrors,
    imported: Vec<SelectOption>,
    /// What importing a catalog changed, in words.
    catalog_done: Option<String>,
}

fn level_label(ctx: &Ctx, l: Level) -> String {
    ctx.t(match l {
        Level::Street => "ui-admin-level-street",
        Level::Community => "ui-admin-level-community",
        Level::Grid => "ui-admin-level-grid",
    })
}

pub(super) async fn imports_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    errors: FieldErrors,
    imported: Vec<SelectOption>,
    catalog_done: Option<String>,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let router = state.routing.router(&state.store, &user.actor.district).await?;
    let stored = Level::ALL
        .iter()
        .map(|l| SelectOption {
            value: router.atlas.count(*l).to_string(),
            label: level_label(ctx, *l),
            selected: false,
        })
        .collect();
    let page =
        ImportsPage { ctx, tabs: tabs(ctx, user.actor.role, "/admin/imports"), stored, errors, imported, catalog_done };
    Ok(ctx.page_with(status, page))
}

/// The file sent as `name` in a multipart form whose token checks; empty if none was chosen.
pub(super) async fn uploaded(headers: &HeaderMap, mut mp: Multipart, name: &str) -> Result<Vec<u8>, UiError> {
    let (mut token, mut file) = (String::new(), Vec::new());
    while let Some(field) = mp.next_field().await.map_err(|e| UiError::status(e.status()))? {
        match field.name() {
            Some(csrf::FIELD) => token = field.text().await.map_err(|e| UiError::status(e.status()))?,
            Some(n) if n == name => file = field.bytes().await.map_err(|e| UiError::status(e.status()))?.to_vec(),
            _ => {}
        }
    }
    if !csrf::verify(headers, &token) {
        return Err(UiError::csrf());
    }
    Ok(file)
}

/// `GET /admin/imports`
pub async fn imports_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, UiError> {
    imports_page(&state, &ctx, StatusCode::OK, FieldErrors::default(), vec![], None).await
}

/// `POST /admin/imports` (multipart: the token and a GeoJSON file): the same checks and store
/// path as `POST /api/v1/boundaries` — a bad file is refused whole, with its named error.
pub async fn import_boundaries(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let file = uploaded(&headers, mp, "boundaries").await?;
    let mut errors = FieldErrors::default();
    if file.iter().all(u8::is_ascii_whitespace) {
        errors.add("boundaries", ctx.t("ui-admin-import-no-file"));
        return imports_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, vec![], None).await;
    }
    let Ok(text) = std::str::from_utf8(&file) else {
        errors.add("boundaries", ApiError::new(StatusCode::BAD_REQUEST, "malformed_json").message(ctx.lang));
        return imports_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, vec![], None).await;
    };
    match import_checked(&state, &user.actor, text).await {
        Ok(counts) => {
            let imported = counts
                .iter()
                .map(|(l, n)| SelectOption { value: n.to_string(), label: level_label(&ctx, *l), selected: false })
                .collect();
            imports_page(&state, &ctx, StatusCode::OK, errors, imported, None).await
        }
        Err(ImportError::Boundary(e)) => {
            let e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_geojson").arg("detail", e.to_string());
            errors.add("boundaries", e.message(ctx.lang));
            imports_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, vec![], None).await
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}
