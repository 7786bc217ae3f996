//! 智能派单 over HTTP: route a request (where, what, who, duplicates, with reasons), retrain,
//! and the boundaries as GeoJSON (read and import).

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{bad_query, ApiJson, ApiQuery};
use crate::i18n::{label, t, Lang};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chuishao_domain::personal::Phone;
use chuishao_domain::{Actor, DistrictCode, FieldError, Role};
use chuishao_routing::boundaries::{self, BoundaryError};
use chuishao_routing::duplicates::phone_key;
use chuishao_routing::router::{Fallback, PlaceMethod};
use chuishao_routing::{Crs, LatLon, Level, OwnerKind, Probe, Request, Routed};
use chuishao_store::StoredBoundary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointIn {
    pub lat: f64,
    pub lon: f64,
    /// wgs84 (GPS, Open311; the default) or gcj02 (高德/腾讯 map SDKs)
    pub crs: Option<String>,
}

impl PointIn {
    /// The point in WGS-84, or the field at fault.
    pub fn to_wgs84(&self, field: &str) -> Result<LatLon, ApiError> {
        to_wgs84(self.lat, self.lon, self.crs.as_deref(), field)
    }
}

/// A client's point (in `crs`, WGS-84 by default) in WGS-84, or the field at fault.
pub fn to_wgs84(lat: f64, lon: f64, crs: Option<&str>, field: &str) -> Result<LatLon, ApiError> {
    let crs = match crs {
        None => Crs::Wgs84,
        Some(c) => Crs::parse(c).ok_or_else(|| {
            ApiError::from(FieldError::malformed(format!("{field}.crs"), "one_of")).arg("values", "wgs84, gcj02")
        })?,
    };
    let p = chuishao_domain::case::GeoPoint::parse(lat, lon)?;
    Ok(crs.to_wgs84(LatLon::new(p.lat, p.lon)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteRequest {
    /// The request in the resident's words.
    pub text: String,
    pub location: Option<PointIn>,
    pub address: Option<String>,
    /// The caller's phone: a repeat request (重复件) on the same matter is flagged.
    pub phone: Option<String>,
    pub street_code: Option<String>,
    pub community_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoutedView {
    /// Where: method polygon | nearest | gazetteer | given | unknown, street, community, grid.
    #[schema(value_type = Object)]
    pub place: serde_json::Value,
    /// The three most probable duty items with calibrated probabilities.
    #[schema(value_type = Vec<Object>)]
    pub items: serde_json::Value,
    /// unit | department | district (兜底), id, name.
    #[schema(value_type = Object)]
    pub owner: serde_json::Value,
    /// e.g. 东直门街道 · 城市管理办公室 · 职责清单 C-031 占道经营 · 置信度 0.91
    pub reason: String,
    pub place_reason: String,
    /// Whether intake would dispatch it on its own (above the configured threshold).
    pub auto_dispatch: bool,
    /// Open cases of the same matter nearby with near-identical words: proposed for merging.
    #[schema(value_type = Vec<Object>)]
    pub duplicates: serde_json::Value,
    /// Open cases from the same phone on the same matter (重复件).
    #[schema(value_type = Vec<Object>)]
    pub repeat_of: serde_json::Value,
}

/// The sentence a dispatcher reads: who and why.
pub fn reason(r: &Routed, lang: Lang) -> String {
    let confidence = r.item.as_ref().or(r.items.first()).map(|i| format!("{:.2}", i.probability)).unwrap_or_default();
    let (code, item) = r.item.as_ref().map(|i| (i.code.clone(), i.name.clone())).unwrap_or_default();
    let street = r.place.street.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let args = |extra: Vec<(&'static str, String)>| {
        let mut a = vec![
            ("street", street.clone()),
            ("owner", r.owner.name.clone()),
            ("code", code.clone()),
            ("item", item.clone()),
            ("confidence", confidence.clone()),
        ];
        a.extend(extra);
        a
    };
    match (r.owner.kind, r.owner.fallback) {
        (OwnerKind::Unit, _) => t(lang, "route-reason-unit", &args(vec![])),
        (OwnerKind::Department, _) => t(lang, "route-reason-department", &args(vec![])),
        (OwnerKind::District, f) => {
            let why = match f {
                Some(Fallback::UnknownPlace) => "unknown_place",
                Some(Fallback::NoSuchUnit) => "no_such_unit",
                _ => "unclear_matter",
            };
            t(lang, &format!("route-fallback-{why}"), &args(vec![]))
        }
    }
}

/// How the place was found, in words.
pub fn place_reason(r: &Routed, lang: Lang) -> String {
    let p = &r.place;
    let community = p.community.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let street = p.street.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let key = match p.method {
        PlaceMethod::Polygon if p.community.is_none() => "place-street",
        PlaceMethod::Polygon => "place-polygon",
        PlaceMethod::Nearest => "place-nearest",
        PlaceMethod::Gazetteer => "place-gazetteer",
        PlaceMethod::Given => "place-given",
        PlaceMethod::Unknown => "place-unknown",
    };
    let mut s = t(
        lang,
        key,
        &[
            ("community", community),
            ("street", street),
            ("distance", p.distance_m.map(|d| format!("{d:.0}")).unwrap_or_default()),
            ("name", p.matched.clone().unwrap_or_default()),
        ],
    );
    if p.approximate {
        s.push_str(&t(lang, "place-approximate", &[]));
    }
    s
}

fn may_route(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::Dispatcher | Role::StreetLeader | Role::DistrictSupervisor | Role::Liaison | Role::UnitStaff
    )
}

/// Route a request (智能派单): where it is, which duty items it is most likely about, who owns
/// it there, and open cases it may duplicate — each with its reason.
#[utoipa::path(post, path = "/api/v1/route", request_body = RouteRequest,
    responses((status = 200, body = RoutedView), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn route(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiJson(req): ApiJson<RouteRequest>,
) -> ApiResult<Json<RoutedView>> {
    let actor = &user.actor;
    if !may_route(actor) {
        return Err(ApiError::forbidden());
    }
    let text = chuishao_domain::field::required_text("text", &req.text, 2000)?;
    let at = req.location.as_ref().map(|p| p.to_wgs84("location")).transpose()?;
    let phone = req.phone.as_deref().map(|p| Phone::parse_field("phone", p)).transpose()?;
    let router = state.routing.router(&state.store, &actor.district).await?;
    let routed = router.route(&Request {
        text: &text,
        at,
        address: req.address.as_deref(),
        street: req.street_code.as_deref(),
        community: req.community_code.as_deref(),
    });
    let check = state
        .routing
        .check(
            &state.store,
            &actor.district,
            &Probe {
                text: &text,
                items: routed.items.iter().map(|i| i.code.as_str()).collect(),
                at,
                received_ms: state.now().timestamp_millis(),
                phone: phone.as_ref().map(|p| phone_key(p.as_str())),
            },
            state.now(),
        )
        .await?;
    Ok(Json(view(&state, &routed, &check, lang)))
}

fn view(state: &AppState, routed: &Routed, check: &chuishao_routing::Check, lang: Lang) -> RoutedView {
    let threshold = state.routing.config.read().unwrap_or_else(|e| e.into_inner()).auto_dispatch;
    let auto = routed.owner.kind != OwnerKind::District
        && threshold.is_some_and(|th| routed.item.as_ref().is_some_and(|i| i.probability >= th));
    let mut place = serde_json::to_value(&routed.place).unwrap_or_default();
    if let serde_json::Value::Object(m) = &mut place {
        m.insert("method_label".into(), label(lang, "place_method", method_str(routed.place.method)).into());
    }
    RoutedView {
        place,
        items: serde_json::to_value(&routed.items).unwrap_or_default(),
        owner: serde_json::to_value(&routed.owner).unwrap_or_default(),
        reason: reason(routed, lang),
        place_reason: place_reason(routed, lang),
        auto_dispatch: auto,
        duplicates: check
            .duplicates
            .iter()
            .map(|d| serde_json::json!({"id": d.id, "number": d.number, "distance_m": d.distance_m, "similarity": (d.similarity * 100.0).round() / 100.0}))
            .collect(),
        repeat_of: check.repeat_of.iter().map(|(id, n)| serde_json::json!({"id": id, "number": n})).collect(),
    }
}

fn method_str(m: PlaceMethod) -> &'static str {
    match m {
        PlaceMethod::Polygon => "polygon",
        PlaceMethod::Nearest => "nearest",
        PlaceMethod::Gazetteer => "gazetteer",
        PlaceMethod::Given => "given",
        PlaceMethod::Unknown => "unknown",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RetrainView {
    pub trained_on: usize,
    pub temperature: f64,
    pub streets: usize,
    pub communities: usize,
    pub grid_cells: usize,
}

/// Retrain the district's router now: the catalog, labelled examples and the latest closed
/// cases (their final duty item is the label); reloads boundaries too.
#[utoipa::path(post, path = "/api/v1/routing/retrain",
    responses((status = 200, body = RetrainView), (status = 403)), security(("bearer" = [])))]
pub async fn retrain(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<RetrainView>> {
    user.require(&[Role::DistrictSupervisor, Role::SystemAdmin])?;
    let r = state.routing.rebuild(&state.store, &user.actor.district).await?;
    Ok(Json(retrain_view(&r)))
}

pub fn retrain_view(r: &chuishao_routing::Router) -> RetrainView {
    RetrainView {
        trained_on: r.classifier.trained_on(),
        temperature: (r.classifier.temperature() * 1000.0).round() / 1000.0,
        streets: r.atlas.count(Level::Street),
        communities: r.atlas.count(Level::Community),
        grid_cells: r.atlas.count(Level::Grid),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct BoundaryQuery {
    /// street, community or grid (default community)
    pub level: Option<String>,
}

/// The boundaries of a level as a GeoJSON FeatureCollection (for maps).
#[utoipa::path(get, path = "/api/v1/boundaries", params(BoundaryQuery),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn get_boundaries(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<BoundaryQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let level = match q.level.as_deref() {
        None => Level::Community,
        Some(l) => Level::parse(l).ok_or_else(|| bad_query("level"))?,
    };
    let router = state.routing.router(&state.store, &user.actor.district).await?;
    let areas: Vec<_> = router.atlas.areas().iter().filter(|a| a.level == level).cloned().collect();
    Ok(Json(boundaries::to_geojson(&areas)))
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Boundary(#[from] BoundaryError),
    #[error(transparent)]
    Store(#[from] chuishao_store::StoreError),
}

/// Checks a GeoJSON FeatureCollection against the district's organisation and stores it, all or
/// nothing; answers how many areas of each level were imported.
pub async fn import_boundaries(
    state: &AppState,
    actor: &Actor,
    text: &str,
) -> Result<Vec<(Level, usize)>, ImportError> {
    let areas = boundaries::parse(text)?;
    let district: &DistrictCode = &actor.district;
    let streets: Vec<String> = state.store.streets(district).await?.iter().map(|s| s.code.to_string()).collect();
    let communities: Vec<String> =
        state.store.communities(district, None).await?.iter().map(|c| c.code.to_string()).collect();
    let stored = state.store.boundaries(district).await?;
    for (index, a) in areas.iter().enumerate() {
        let known = match a.level {
            Level::Street => streets.contains(&a.code),
            Level::Community => communities.contains(&a.code),
            Level::Grid => a.parent.as_ref().is_some_and(|p| {
                communities.contains(p)
                    || areas.iter().any(|b| b.level == Level::Community && &b.code == p)
                    || stored.iter().any(|b| b.level == "community" && &b.code == p)
            }),
        };
        if !known {
            let problem = match a.level {
                Level::Grid => "its parent community is not in this district".to_string(),
                l => format!("no {} with this code in the district", l.as_str()),
            };
            return Err(BoundaryError::Feature { index: index + 1, code: Some(a.code.clone()), problem }.into());
        }
    }
    let rows: Vec<StoredBoundary> = areas
        .iter()
        .map(|a| StoredBoundary {
            level: a.level.as_str().into(),
            code: a.code.clone(),
            name: a.name.clone(),
            parent: a.parent.clone(),
            geometry: boundaries::geometry_of(&a.shape).to_string(),
            approximate: a.approximate,
        })
        .collect();
    state.store.replace_boundaries(actor, &rows, state.now()).await?;
    state.routing.rebuild(&state.store, district).await?;
    Ok(Level::ALL
        .iter()
        .map(|l| (*l, areas.iter().filter(|a| a.level == *l).count()))
        .filter(|(_, n)| *n > 0)
        .collect())
}

/// Import boundaries (system admin): a GeoJSON FeatureCollection of streets, communities and/or
/// grid cells; the levels it holds replace the stored ones. A bad feature refuses the whole file
/// with its number and code.
#[utoipa::path(post, path = "/api/v1/boundaries", request_body(content = Object, description = "GeoJSON FeatureCollection"),
    responses((status = 200, body = Object), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn post_boundaries(
    State(state): State<AppState>,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    user.require(&[Role::SystemAdmin])?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "malformed_json"))?;
    match import_boundaries(&state, &user.actor, text).await {
        Ok(counts) => Ok(Json(serde_json::json!({
            "imported": counts.iter().map(|(l, n)| (l.as_str().to_string(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>()
        }))),
        Err(ImportError::Boundary(e)) => {
            Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_geojson").arg("detail", e.to_string()))
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}
