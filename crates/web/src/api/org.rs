use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::i18n::{label, Lang};
use crate::view::Page;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use chuishao_domain::catalog::Owner;
use chuishao_domain::{DistrictCode, RequestKind, StreetCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Reference data is public; `district` defaults to the deployment's first district.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DistrictQuery {
    pub district: Option<String>,
}

async fn district_of(state: &AppState, given: Option<&str>) -> ApiResult<DistrictCode> {
    match given {
        Some(d) => {
            let code = DistrictCode::parse_field("district", d)
                .map_err(|e| ApiError::new(axum::http::StatusCode::BAD_REQUEST, "invalid_query").field(e.field))?;
            if state.store.districts().await?.iter().any(|x| x.code == code) {
                Ok(code)
            } else {
                Err(ApiError::not_found())
            }
        }
        None => state.store.districts().await?.into_iter().next().map(|d| d.code).ok_or_else(ApiError::not_found),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StreetView {
    pub code: String,
    pub name: String,
}

/// The streets (街道) of a district.
#[utoipa::path(get, path = "/api/v1/streets", params(DistrictQuery), responses((status = 200, body = Page<StreetView>)))]
pub async fn streets(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DistrictQuery>,
) -> ApiResult<Json<Page<StreetView>>> {
    let d = district_of(&state, q.district.as_deref()).await?;
    let items = state.store.streets(&d).await?;
    Ok(Json(Page::all(items.into_iter().map(|s| StreetView { code: s.code.to_string(), name: s.name }).collect())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    pub id: String,
    pub street: String,
    /// The catalog role key, e.g. `city_management`.
    pub role: String,
    pub name: String,
    /// office, centre, discipline or enforcement
    pub kind: String,
}

/// The units (内设机构) of one street.
#[utoipa::path(get, path = "/api/v1/streets/{code}/units", params(("code" = String, Path), DistrictQuery),
    responses((status = 200, body = Page<UnitView>), (status = 404)))]
pub async fn units(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<DistrictQuery>,
) -> ApiResult<Json<Page<UnitView>>> {
    let d = district_of(&state, q.district.as_deref()).await?;
    let code = StreetCode::parse(&code).map_err(|_| ApiError::not_found())?;
    state.store.street(&d, &code).await?.ok_or_else(ApiError::not_found)?;
    let items = state.store.units(&d, &code).await?;
    Ok(Json(Page::all(
        items
            .into_iter()
            .map(|u| UnitView {
                id: u.id.to_string(),
                street: u.street.to_string(),
                role: u.role,
                name: u.name,
                kind: u.kind.as_str().into(),
            })
            .collect(),
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CommunityQuery {
    pub district: Option<String>,
    /// Only the communities of this street.
    pub street: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityView {
    pub code: String,
    pub street: String,
    pub name: String,
}

/// The communities (社区) of a district or of one street.
#[utoipa::path(get, path = "/api/v1/communities", params(CommunityQuery), responses((status = 200, body = Page<CommunityView>)))]
pub async fn communities(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CommunityQuery>,
) -> ApiResult<Json<Page<CommunityView>>> {
    let d = district_of(&state, q.district.as_deref()).await?;
    let street = match q.street.as_deref() {
        Some(s) => Some(
            StreetCode::parse(s)
                .map_err(|_| ApiError::new(axum::http::StatusCode::BAD_REQUEST, "invalid_query").field("street"))?,
        ),
        None => None,
    };
    let items = state.store.communities(&d, street.as_ref()).await?;
    Ok(Json(Page::all(
        items
            .into_iter()
            .map(|c| CommunityView { code: c.code.to_string(), street: c.street.to_string(), name: c.name })
            .collect(),
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: String,
    pub name: String,
    pub short_name: String,
    /// department or utility
    pub kind: String,
    pub category: String,
}

/// District departments (职能部门) and public utilities (公共服务企业).
#[utoipa::path(get, path = "/api/v1/departments", params(DistrictQuery), responses((status = 200, body = Page<DepartmentView>)))]
pub async fn departments(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DistrictQuery>,
) -> ApiResult<Json<Page<DepartmentView>>> {
    let d = district_of(&state, q.district.as_deref()).await?;
    let items = state.store.departments(&d).await?;
    Ok(Json(Page::all(items.into_iter().map(department_view).collect())))
}

fn department_view(x: chuishao_domain::org::Department) -> DepartmentView {
    DepartmentView {
        id: x.id.to_string(),
        name: x.name,
        short_name: x.short_name,
        kind: x.kind.as_str().into(),
        category: x.category,
    }
}

/// A department as sent: its id is in the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentIn {
    pub name: String,
    pub short_name: String,
    /// `department` (职能部门) or `utility` (公共服务企业)
    pub kind: String,
    #[serde(default)]
    pub category: String,
}

/// Adds a department or utility, or changes the names, kind or category of the one with this id
/// (system admin). Whistles already blown keep the names they were blown with.
#[utoipa::path(put, path = "/api/v1/departments/{id}", request_body = DepartmentIn,
    responses((status = 200, body = DepartmentView), (status = 201, body = DepartmentView), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn put_department(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    Path(id): Path<String>,
    crate::extract::ApiJson(b): crate::extract::ApiJson<DepartmentIn>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    user.require(&[chuishao_domain::Role::SystemAdmin])?;
    let dep = chuishao_domain::org::Department::parse(&id, &b.name, &b.short_name, &b.kind, &b.category)?;
    let created = save_department(&state, &user.actor, &dep).await?;
    let status = if created { axum::http::StatusCode::CREATED } else { axum::http::StatusCode::OK };
    Ok((status, Json(department_view(dep))).into_response())
}

/// Stores a department and re-reads the names pages and answers show.
pub(crate) async fn save_department(
    state: &AppState,
    actor: &chuishao_domain::Actor,
    dep: &chuishao_domain::org::Department,
) -> Result<bool, chuishao_store::StoreError> {
    let created = state.store.put_department(actor, dep, state.now()).await?;
    state.reload().await?;
    tracing::info!(by = %actor.user_id, department = %dep.id, created, "department saved");
    Ok(created)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CatalogQuery {
    pub district: Option<String>,
    /// consult, help, complaint, report or suggestion
    pub kind: Option<String>,
    /// Matches name, category or keywords.
    pub q: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerView {
    /// `unit_role` (a unit of the case's street) or `department`
    pub kind: String,
    /// The unit role key or the department id.
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DutyItemView {
    pub code: String,
    pub category: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub owner: OwnerView,
    pub cooperating: Vec<OwnerView>,
    pub whistleable: bool,
    /// e.g. `24h`, `30m`, `7wd` (working days)
    pub response_deadline: String,
    pub resolution_deadline: String,
    pub keywords: Vec<String>,
    pub examples: Vec<String>,
}

fn owner_view(o: &Owner, state: &AppState) -> OwnerView {
    match o {
        Owner::UnitRole(role) => OwnerView {
            kind: "unit_role".into(),
            id: role.clone(),
            name: chuishao_domain::org::DEFAULT_UNIT_TEMPLATE
                .iter()
                .find(|(r, _, _)| r == role)
                .map(|(_, n, _)| n.to_string())
                .unwrap_or_default(),
        },
        Owner::Department(id) => {
            OwnerView { kind: "department".into(), id: id.to_string(), name: state.names().name_of(id.as_str()) }
        }
    }
}

/// A duty item as the API shows it.
pub(crate) fn item_view(state: &AppState, lang: Lang, i: chuishao_domain::catalog::DutyItem) -> DutyItemView {
    DutyItemView {
        kind_label: label(lang, "kind", i.kind.as_str()),
        kind: i.kind.as_str().into(),
        owner: owner_view(&i.owner, state),
        cooperating: i.cooperating.iter().map(|o| owner_view(o, state)).collect(),
        whistleable: i.whistleable,
        response_deadline: i.response_deadline.to_string(),
        resolution_deadline: i.resolution_deadline.to_string(),
        code: i.code,
        category: i.category,
        name: i.name,
        keywords: i.keywords,
        examples: i.examples,
    }
}

/// The duty catalog (职责清单).
#[utoipa::path(get, path = "/api/v1/catalog", params(CatalogQuery), responses((status = 200, body = Page<DutyItemView>)))]
pub async fn catalog(
    State(state): State<AppState>,
    lang: Lang,
    ApiQuery(q): ApiQuery<CatalogQuery>,
) -> ApiResult<Json<Page<DutyItemView>>> {
    let d = district_of(&state, q.district.as_deref()).await?;
    let kind = match q.kind.as_deref() {
        Some(k) => Some(
            RequestKind::parse(k)
                .ok_or_else(|| ApiError::new(axum::http::StatusCode::BAD_REQUEST, "invalid_query").field("kind"))?,
        ),
        None => None,
    };
    let needle = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let items = state
        .store
        .duty_items(&d)
        .await?
        .into_iter()
        .filter(|i| kind.is_none_or(|k| i.kind == k))
        .filter(|i| {
            needle.is_none_or(|n| {
                i.name.contains(n) || i.category.contains(n) || i.keywords.iter().any(|k| k.contains(n))
            })
        })
        .map(|i| item_view(&state, lang, i))
        .collect();
    Ok(Json(Page::all(items)))
}
