//! `/api/v1`: routes, handlers and the OpenAPI document.

pub mod assessment;
mod assistance;
mod attachments;
mod auth;
mod calendar;
mod cases;
pub mod catalog;
mod liaisons;
pub(crate) mod org;
pub mod route;
mod themes;
mod whistles;

use crate::error::{render_errors, ApiError};
use crate::photo::UPLOAD_BODY_LIMIT;
use crate::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "chuishao API", description = "吹哨报到 · 接诉即办: cases, whistles, community liaisons and hardship assistance, organisation, duty catalog, work calendar."),
    paths(
        health,
        auth::login, auth::logout, auth::me,
        org::streets, org::units, org::communities, org::departments, org::catalog,
        catalog::put, catalog::export, catalog::import, org::put_department,
        cases::create, cases::list, cases::get_one, cases::action, cases::audit,
        attachments::upload, attachments::list, attachments::get_one,
        calendar::list, calendar::put_day, calendar::delete_day, calendar::deadline,
        whistles::create, whistles::list, whistles::get_one, whistles::department_action, whistles::action,
        whistles::inbox, whistles::policies, whistles::add_policy, whistles::metrics,
        liaisons::coverage, liaisons::get_liaison, liaisons::assign, liaisons::due_visits, liaisons::liaison_results,
        liaisons::results, liaisons::list_households, liaisons::create_household, liaisons::get_household,
        liaisons::update_household, liaisons::reveal_household, liaisons::visit_policies, liaisons::put_visit_policy,
        liaisons::create_visit, liaisons::list_visits, liaisons::get_visit,
        assistance::create, assistance::list, assistance::get_one, assistance::action,
        route::route, route::retrain, route::get_boundaries, route::post_boundaries,
        assessment::rates, assessment::behind, assessment::rankings, assessment::formulas, assessment::add_formula,
        assessment::monthly,
        themes::proposals, themes::hotspot_list, themes::repeat_list, themes::list, themes::get_one, themes::open, themes::close,
    ),
    components(schemas(
        crate::view::CaseView, crate::view::TimelineEntry, whistles::WhistleView, liaisons::HouseholdView,
        liaisons::VisitView, liaisons::VisitRecorded, assistance::AssistanceView,
        attachments::AttachmentView, attachments::Uploaded, attachments::UploadForm,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Health {
    status: &'static str,
    database: &'static str,
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn health(State(state): State<AppState>) -> (axum::http::StatusCode, Json<Health>) {
    match state.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, Json(Health { status: "ok", database: "ok" })),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "degraded", database: "unreachable" }))
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

pub fn routes(state: AppState) -> Router {
    let api = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/streets", get(org::streets))
        .route("/streets/{code}/units", get(org::units))
        .route("/communities", get(org::communities))
        .route("/departments", get(org::departments))
        .route("/departments/{id}", put(org::put_department))
        .route("/catalog", get(org::catalog))
        .route("/catalog/export", get(catalog::export))
        .route("/catalog/import", post(catalog::import))
        .route("/catalog/{code}", put(catalog::put))
        .route("/cases", post(cases::create).get(cases::list))
        .route("/cases/{id}", get(cases::get_one))
        .route("/cases/{id}/actions/{action}", post(cases::action))
        .route("/cases/{id}/audit", get(cases::audit))
        .route("/calendar", get(calendar::list))
        .route("/calendar/deadline", get(calendar::deadline))
        .route("/calendar/{date}", put(calendar::put_day))
        .route("/calendar/{date}", delete(calendar::delete_day))
        .route("/whistles", post(whistles::create).get(whistles::list))
        .route("/whistles/{id}", get(whistles::get_one))
        .route("/whistles/{id}/actions/{action}", post(whistles::action))
        .route("/whistles/{id}/departments/{department}/actions/{action}", post(whistles::department_action))
        .route("/inbox", get(whistles::inbox))
        .route("/whistle-policies", get(whistles::policies).post(whistles::add_policy))
        .route("/metrics/whistles", get(whistles::metrics))
        .route("/liaisons", get(liaisons::coverage))
        .route("/liaisons/{id}", get(liaisons::get_liaison))
        .route("/liaisons/{id}/communities", put(liaisons::assign))
        .route("/liaisons/{id}/due-visits", get(liaisons::due_visits))
        .route("/liaisons/{id}/results", get(liaisons::liaison_results))
        .route("/liaison-results", get(liaisons::results))
        .route("/households", get(liaisons::list_households).post(liaisons::create_household))
        .route("/households/{id}", get(liaisons::get_household).patch(liaisons::update_household))
        .route("/households/{id}/actions/reveal-contact", post(liaisons::reveal_household))
        .route("/visit-policies", get(liaisons::visit_policies))
        .route("/visit-policies/{flag}", put(liaisons::put_visit_policy))
        .route("/visits", post(liaisons::create_visit).get(liaisons::list_visits))
        .route("/visits/{id}", get(liaisons::get_visit))
        .route("/assistance", post(assistance::create).get(assistance::list))
        .route("/assistance/{id}", get(assistance::get_one))
        .route("/assistance/{id}/actions/{action}", post(assistance::action))
        .route("/route", post(route::route))
        .route("/routing/retrain", post(route::retrain))
        .route("/boundaries", get(route::get_boundaries).post(route::post_boundaries))
        .route("/rates", get(assessment::rates))
        .route("/rates/cases", get(assessment::behind))
        .route("/rankings", get(assessment::rankings))
        .route("/assessment/formulas", get(assessment::formulas).post(assessment::add_formula))
        .route("/reports/monthly", get(assessment::monthly))
        .route("/themes/proposals", get(themes::proposals))
        .route("/analysis/hotspots", get(themes::hotspot_list))
        .route("/analysis/repeats", get(themes::repeat_list))
        .route("/themes", get(themes::list).post(themes::open))
        .route("/themes/{id}", get(themes::get_one))
        .route("/themes/{id}/actions/close", post(themes::close))
        .route("/cases/{id}/attachments/{sha256}", get(attachments::get_one))
        .layer(RequestBodyLimitLayer::new(1024 * 1024))
        // Added after the 1 MB limit, so only this route takes a photo's size.
        .route(
            "/cases/{id}/attachments",
            post(attachments::upload).get(attachments::list).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        );
    Router::new()
        .route("/healthz", get(health))
        .nest("/api/v1", api)
        .fallback(not_found)
        .with_state(state)
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(render_errors))
        // Requests are traced by method, path and status only: never bodies or query strings,
        // which may carry residents' personal data.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
        }))
}
