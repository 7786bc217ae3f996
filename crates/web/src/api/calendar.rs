use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::i18n::{label, Lang};
use crate::view::{fmt_time, Page};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{Datelike, NaiveDate};
use chuishao_domain::calendar::CalendarDay;
use chuishao_domain::{DayKind, DeadlineSpec, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct CalendarQuery {
    /// Only this year.
    pub year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDayView {
    pub date: String,
    /// holiday or makeup_workday
    pub kind: String,
    pub kind_label: String,
    pub note: String,
}

/// Statutory holidays and make-up workdays (调休) on the work calendar.
#[utoipa::path(get, path = "/api/v1/calendar", params(CalendarQuery), responses((status = 200, body = Page<CalendarDayView>)))]
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> Json<Page<CalendarDayView>> {
    let cal = state.calendar();
    let items = cal
        .days()
        .filter(|d| q.year.is_none_or(|y| d.date.year() == y))
        .map(|d| CalendarDayView {
            date: d.date.to_string(),
            kind: d.kind.as_str().into(),
            kind_label: label(lang, "daykind", d.kind.as_str()),
            note: d.note.clone(),
        })
        .collect();
    Json(Page::all(items))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDayRequest {
    /// holiday or makeup_workday
    pub kind: String,
    #[serde(default)]
    pub note: String,
}

fn parse_date(s: &str) -> ApiResult<NaiveDate> {
    chuishao_domain::calendar::parse_day(s)
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "invalid_path").field("date"))
}

/// Sets one day as a holiday or a make-up workday (system admin; audited).
#[utoipa::path(put, path = "/api/v1/calendar/{date}", params(("date" = String, Path)), request_body = CalendarDayRequest,
    responses((status = 200, body = CalendarDayView), (status = 403)), security(("bearer" = [])))]
pub async fn put_day(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(date): Path<String>,
    ApiJson(req): ApiJson<CalendarDayRequest>,
) -> ApiResult<Json<CalendarDayView>> {
    user.require(&[Role::SystemAdmin])?;
    let date = parse_date(&date)?;
    let kind = DayKind::parse(&req.kind).ok_or_else(|| {
        ApiError::from(chuishao_domain::FieldError::malformed("kind", "one_of"))
            .arg("values", "holiday, makeup_workday")
    })?;
    let note = chuishao_domain::field::optional_text("note", Some(&req.note), 100)?.unwrap_or_default();
    let day = CalendarDay { date, kind, note };
    state.store.set_calendar_day(&day, &user.actor, state.now()).await?;
    state.reload().await?;
    Ok(Json(CalendarDayView {
        date: day.date.to_string(),
        kind: kind.as_str().into(),
        kind_label: label(lang, "daykind", kind.as_str()),
        note: day.note,
    }))
}

/// Removes one day's exception (system admin; audited).
#[utoipa::path(delete, path = "/api/v1/calendar/{date}", params(("date" = String, Path)),
    responses((status = 204), (status = 404)), security(("bearer" = [])))]
pub async fn delete_day(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(date): Path<String>,
) -> ApiResult<StatusCode> {
    user.require(&[Role::SystemAdmin])?;
    let date = parse_date(&date)?;
    if !state.store.remove_calendar_day(date, &user.actor, state.now()).await? {
        return Err(ApiError::not_found());
    }
    state.reload().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeadlineQuery {
    /// RFC 3339 start time.
    pub start: String,
    /// e.g. `24h`, `30m`, `7wd`
    pub spec: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineAnswer {
    pub start: String,
    pub spec: String,
    pub due: String,
}

/// When is something due? Counts working days on the calendar.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", params(DeadlineQuery), responses((status = 200, body = DeadlineAnswer)))]
pub async fn deadline(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<DeadlineAnswer>> {
    let start = chrono::DateTime::parse_from_rfc3339(q.start.trim())
        .ok()
        .map(|t| t.to_utc())
        .filter(|t| (2000..=2100).contains(&t.year()))
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query").field("start"))?;
    let spec: DeadlineSpec =
        q.spec.parse().map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query").field("spec"))?;
    let due = spec.due_from(start, &state.calendar());
    Ok(Json(DeadlineAnswer { start: fmt_time(start), spec: spec.to_string(), due: fmt_time(due) }))
}
