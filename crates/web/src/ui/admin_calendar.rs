//! `/admin/calendar` (工作日历): a year's statutory holidays and make-up workdays; the system
//! admin adds, changes or removes a day as `PUT/DELETE /api/v1/calendar/{date}` do (the store
//! audits it, then the cached calendar is reloaded so deadlines count on it at once).

use super::admin::{tabs, Tab, ROLES, WRITERS};
use super::csrf::CsrfForm;
use super::error::{FieldErrors, UiError};
use super::page::{Ctx, SelectOption};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use chuishao_domain::calendar::{local_date, parse_day, CalendarDay};
use chuishao_domain::field::optional_text;
use chuishao_domain::DayKind;
use serde::Deserialize;

struct DayRow {
    date: String,
    weekday: String,
    kind: String,
    holiday: bool,
    note: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DayForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage<'a> {
    ctx: &'a Ctx,
    tabs: Vec<Tab>,
    year: i32,
    years: Vec<SelectOption>,
    days: Vec<DayRow>,
    may_edit: bool,
    kinds: Vec<SelectOption>,
    input: DayForm,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

const KINDS: [DayKind; 2] = [DayKind::Holiday, DayKind::MakeupWorkday];

fn page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    year: i32,
    input: DayForm,
    errors: FieldErrors,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&ROLES)?;
    let this_year = local_date(state.now()).year();
    let cal = state.calendar();
    let days = cal
        .days()
        .filter(|d| d.date.year() == year)
        .map(|d| DayRow {
            date: d.date.to_string(),
            weekday: ctx.t(&format!("ui-admin-weekday-{}", d.date.weekday().num_days_from_monday())),
            kind: ctx.label("daykind", d.kind.as_str()),
            holiday: d.kind == DayKind::Holiday,
            note: d.note.clone(),
        })
        .collect();
    let years = (this_year - 2..=this_year + 2)
        .map(|y| SelectOption { value: y.to_string(), label: y.to_string(), selected: y == year })
        .collect();
    let kinds = KINDS
        .iter()
        .map(|k| SelectOption {
            value: k.as_str().into(),
            label: ctx.label("daykind", k.as_str()),
            selected: input.kind == k.as_str(),
        })
        .collect();
    let view = CalendarPage {
        ctx,
        tabs: tabs(ctx, user.actor.role, "/admin/calendar"),
        year,
        years,
        days,
        may_edit: WRITERS.contains(&user.actor.role),
        kinds,
        input,
        errors,
    };
    Ok(ctx.page_with(status, view))
}

/// `GET /admin/calendar?year=YYYY`
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, UiError> {
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => local_date(state.now()).year(),
        Some(y) => y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(UiError::bad_request)?,
    };
    page(&state, &ctx, StatusCode::OK, year, DayForm::default(), FieldErrors::default())
}

/// `POST /admin/calendar`: sets one day as a holiday or a make-up workday.
pub async fn set_day(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<DayForm>,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let mut errors = FieldErrors::default();
    let date = parse_day(form.date.trim()).filter(|d| (2000..=2100).contains(&d.year()));
    if date.is_none() {
        errors.add("date", ctx.t("ui-admin-cal-bad-date"));
    }
    let kind = DayKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.add("kind", ctx.t("ui-admin-cal-bad-kind"));
    }
    let note = match optional_text("note", Some(&form.note), 100) {
        Ok(n) => n.unwrap_or_default(),
        Err(e) => {
            errors.add_field_error(&ctx, e, &ctx.t("ui-admin-cal-note"));
            String::new()
        }
    };
    let (Some(date), Some(kind), true) = (date, kind, errors.is_empty()) else {
        let year = date.map_or_else(|| local_date(state.now()).year(), |d| d.year());
        return page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, year, form, errors);
    };
    state.store.set_calendar_day(&CalendarDay { date, kind, note }, &user.actor, state.now()).await?;
    state.reload().await?;
    Ok(Redirect::to(&format!("/admin/calendar?year={}#day-{date}", date.year())).into_response())
}

#[derive(Deserialize)]
pub struct TokenOnly {}

/// `POST /admin/calendar/{date}/remove`: the day becomes an ordinary weekday or weekend again.
pub async fn remove_day(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(date): Path<String>,
    CsrfForm(_): CsrfForm<TokenOnly>,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let date = parse_day(&date).ok_or_else(UiError::not_found)?;
    if !state.store.remove_calendar_day(date, &user.actor, state.now()).await? {
        return Err(UiError::not_found());
    }
    state.reload().await?;
    Ok(Redirect::to(&format!("/admin/calendar?year={}", date.year())).into_response())
}
