//! The community liaison's pages (社区专员), made for a phone at the door: a home with the visits
//! due (the most overdue first), the households in care and one household, a visit as recorded,
//! and the liaison's results. The visit form is in `liaison_visit.rs`.
//!
//! Every page shows households as every other page does: masked name (李**), masked address,
//! masked phone. Only the communities the liaison covers now are in reach; any other household or
//! visit is "not found".
//!
//! Offline: `offline.js` keeps visit forms filled without a network in an outbox on the phone and
//! sends them when it is back; the service worker (`/sw.js`, scope `/liaison`) keeps the assets,
//! the offline shell (`/liaison/offline`, no personal data) and the visit form (its household
//! choices are masked labels only; replaced at each online visit, dropped at logout and after a
//! day). Nothing else is cached: the home, households, results and visits need the network.

use super::error::UiError;
use super::page::{Ctx, Pager, SelectOption};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use chuishao_domain::assistance::AssistanceId;
use chuishao_domain::calendar::{local_date, parse_day};
use chuishao_domain::liaison::{visit_interval, CareFlag, VisitPolicy};
use chuishao_domain::personal::mask_address;
use chuishao_domain::{CaseId, CommunityCode, Role, Scope};
use chuishao_store::{HouseholdFilter, StoredHousehold, VisitFilter};
use serde::Deserialize;

/// The signed-in liaison and the communities they cover now.
pub(super) struct Liaison {
    pub actor: chuishao_domain::Actor,
    pub username: String,
    pub covers: Vec<CommunityCode>,
}

/// The pages are the liaison's: anyone else gets 403 (or the login page).
pub(super) fn liaison(ctx: &Ctx) -> Result<Liaison, UiError> {
    let user = ctx.require_role(&[Role::Liaison])?;
    let covers = match &user.actor.scope {
        Scope::Community { covers, .. } => covers.clone(),
        _ => vec![],
    };
    Ok(Liaison { actor: user.actor.clone(), username: user.username.clone(), covers })
}

pub(super) fn today(state: &AppState) -> NaiveDate {
    local_date(state.now())
}

/// A household as the liaison pages list it (masked).
pub(super) struct HouseholdRow {
    pub id: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub community: String,
    pub flags: Vec<String>,
    pub note: String,
    pub due_on: String,
    pub due_note: String,
    pub overdue: bool,
    pub last_visit: String,
    pub registered_on: String,
    pub interval: String,
}

/// "逾期 3 天" / "今天应访" / "还有 5 天": how a due day stands today.
fn due_note(ctx: &Ctx, due: Option<NaiveDate>, today: NaiveDate) -> (String, bool) {
    match due.map(|d| (today - d).num_days()) {
        None => (ctx.t("ui-liaison-no-schedule"), false),
        Some(0) => (ctx.t("ui-liaison-due-today"), true),
        Some(n) if n > 0 => (ctx.t1("ui-liaison-overdue-days", "days", &n.to_string()), true),
        Some(n) => (ctx.t1("ui-liaison-days-left", "days", &(-n).to_string()), false),
    }
}

pub(super) fn flag_labels(ctx: &Ctx, flags: &[CareFlag]) -> Vec<String> {
    flags.iter().map(|f| ctx.label("care_flag", f.as_str())).collect()
}

pub(super) fn household_row(
    ctx: &Ctx,
    state: &AppState,
    h: &StoredHousehold,
    policies: &[VisitPolicy],
    today: NaiveDate,
) -> HouseholdRow {
    let hh = &h.household;
    let (due_note, overdue) = due_note(ctx, h.next_visit_due, today);
    HouseholdRow {
        id: hh.id.clone(),
        name: hh.contact_name.as_ref().map(|n| n.masked()).unwrap_or_default(),
        address: mask_address(&hh.address),
        phone: hh.phone.as_ref().map(|p| p.masked()).unwrap_or_default(),
        community: state.names().name_of(hh.community.as_str()),
        flags: flag_labels(ctx, &hh.care_flags),
        note: hh.note.clone().unwrap_or_default(),
        due_on: h.next_visit_due.map(|d| d.to_string()).unwrap_or_default(),
        due_note,
        overdue,
        last_visit: h.last_visit_on.map(|d| d.to_string()).unwrap_or_default(),
        registered_on: h.registered_on.to_string(),
        interval: visit_interval(&hh.care_flags, policies)
            .map(|d| ctx.t1("ui-liaison-interval-days", "days", &d.to_string()))
            .unwrap_or_default(),
    }
}

/// A household of the liaison's communities, or 404 (absent and out of reach look the same).
pub(super) async fn my_household(state: &AppState, me: &Liaison, id: &str) -> Result<StoredHousehold, UiError> {
    let h = state.store.household(&me.actor.district, id.trim()).await?.ok_or_else(UiError::not_found)?;
    if !me.covers.contains(&h.household.community) {
        return Err(UiError::not_found());
    }
    Ok(h)
}

// ---- home ------------------------------------------------------------------------------------

/// Visits falling due within this many days are on the home page.
const DUE_WITHIN_DAYS: i64 = 7;
const DUE_ON_HOME: u32 = 50;

#[derive(Template)]
#[template(path = "liaison_home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
    offline_js: &'static str,
    username: String,
    communities: String,
    due: Vec<HouseholdRow>,
    due_total: u64,
    /// More are due than the home lists.
    more: bool,
    within: String,
}

/// `GET /liaison`: my communities and my due visits, the most overdue first.
pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, UiError> {
    let me = liaison(&ctx)?;
    let today = today(&state);
    let filter = HouseholdFilter {
        communities: me.covers.clone(),
        due_by: Some(today + chrono::Duration::days(DUE_WITHIN_DAYS)),
        page: 1,
        per_page: DUE_ON_HOME,
        ..Default::default()
    };
    let (items, due_total) = state.store.list_households(&me.actor.district, &filter).await?;
    let names = state.names();
    let page = HomePage {
        ctx: &ctx,
        offline_js: super::assets::offline_js_url(),
        username: me.username.clone(),
        communities: me.covers.iter().map(|c| names.name_of(c.as_str())).collect::<Vec<_>>().join(if ctx.is_en() {
            ", "
        } else {
            "、"
        }),
        due: items.iter().map(|h| household_row(&ctx, &state, h, &[], today)).collect(),
        more: due_total > items.len() as u64,
        due_total,
        within: DUE_WITHIN_DAYS.to_string(),
    };
    Ok(ctx.page(page))
}

#[derive(Template)]
#[template(path = "liaison_offline.html")]
struct OfflinePage<'a> {
    ctx: &'a Ctx,
    offline_js: &'static str,
    username: String,
}

/// `GET /liaison/offline`: what the service worker shows for a liaison page while there is no
/// network — links and the outbox, no personal data.
pub async fn offline(ctx: Ctx) -> Result<Response, UiError> {
    let me = liaison(&ctx)?;
    Ok(ctx.page(OfflinePage { ctx: &ctx, offline_js: super::assets::offline_js_url(), username: me.username }))
}

// ---- households ------------------------------------------------------------------------------

const HOUSEHOLDS_PER_PAGE: u32 = 50;

#[derive(Template)]
#[template(path = "household_list.html")]
struct HouseholdsPage<'a> {
    ctx: &'a Ctx,
    offline_js: &'static str,
    username: String,
    rows: Vec<HouseholdRow>,
    total: u64,
    flags: Vec<SelectOption>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct HouseholdsQuery {
    flag: Option<String>,
    page: Option<String>,
}

/// `GET /liaison/households?flag=&page=`: the households in care of my communities (masked), the
/// most overdue for a visit first.
pub async fn households(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HouseholdsQuery>,
) -> Result<Response, UiError> {
    let me = liaison(&ctx)?;
    let flag = q.flag.as_deref().and_then(CareFlag::parse);
    let page = Pager::page_of(q.page.as_deref());
    let filter = HouseholdFilter {
        communities: me.covers.clone(),
        flag,
        page,
        per_page: HOUSEHOLDS_PER_PAGE,
        ..Default::default()
    };
    let (items, total) = state.store.list_households(&me.actor.district, &filter).await?;
    let policies = state.store.visit_policies(&me.actor.district).await?;
    let today = today(&state);
    let flag_q = flag.map(|f| format!("flag={}&", f.as_str())).unwrap_or_default();
    let pager = Pager::new(page, total, HOUSEHOLDS_PER_PAGE, |p| format!("/liaison/households?{flag_q}page={p}"));
    let flags = CareFlag::ALL
        .iter()
        .map(|f| SelectOption {
            value: f.as_str().into(),
            label: ctx.label("care_flag", f.as_str()),
            selected: Some(*f) == flag,
        })
        .collect();
    let view = HouseholdsPage {
        ctx: &ctx,
        offline_js: super::assets::offline_js_url(),
        username: me.username.clone(),
        rows: items.iter().map(|h| household_row(&ctx, &state, h, &policies, today)).collect(),
        total,
        flags,
        pager,
    };
    Ok(ctx.page(view))
}

/// A visit as a household's page lists it.
struct VisitRow {
    id: String,
    visited_on: String,
    by: String,
    seen: String,
    case: bool,
    assistance: bool,
}

const VISITS_ON_HOUSEHOLD: u32 = 10;

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage<'a> {
    ctx: &'a Ctx,
    offline_js: &'static str,
    username: String,
    h: HouseholdRow,
    visits: Vec<VisitRow>,
    visits_total: u64,
}

/// `GET /liaison/households/{id}`: one household (masked): care flags, schedule, last visits.
pub async fn household(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, UiError> {
    let me = liaison(&ctx)?;
    let d = &me.actor.district;
    let h = my_household(&state, &me, &id).await?;
    let policies = state.store.visit_policies(d).await?;
    let filter = VisitFilter {
        communities: vec![h.household.community.clone()],
        household: Some(h.household.id.clone()),
        page: 1,
        per_page: VISITS_ON_HOUSEHOLD,
        ..Default::default()
    };
    let (visits, visits_total) = state.store.list_visits(d, &filter).await?;
    let visits = visits
        .iter()
        .map(|v| VisitRow {
            id: v.id.clone(),
            visited_on: v.visited_on.to_string(),
            by: v.by.name.clone(),
            seen: v.notes.seen.chars().take(80).collect(),
            // The number is on the visit's own page: one query here rather than one per visit.
            case: v.case_id.is_some(),
            assistance: v.assistance_id.is_some(),
        })
        .collect();
    let view = HouseholdPage {
        ctx: &ctx,
        offline_js: super::assets::offline_js_url(),
        username: me.username.clone(),
        h: household_row(&ctx, &state, &h, &policies, today(&state)),
        visits,
        visits_total,
    };
    Ok(ctx.page(view))
}

// ---- a visit as recorded ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "liaison_visit.html")]
struct VisitPage<'a> {
    ctx: &'a Ctx,
    offline_js: &'static str,
    username: String,
    again: bool,
    visited_on: String,
    recorded_at: String,
    community: String,
    household: Option<(String, String, String)>,
    place: String,
    seen: String,
    asked: String,
    follow_ups: String,
    case: Option<(String, String)>,
    assistance: Option<(String, String)>,
}

#[derive(Deserialize)]
pub struct VisitQuery {
    again: Option<String>,
}

/// `GET /liaison/visits/{id}`: what a visit recorded — the case number if it raised one, the
/// hardship request if it filed one. `?again=1` when the form had been sent before.
pub async fn visit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<VisitQuery>,
) -> Result<Response, UiError> {
    let me = liaison(&ctx)?;
    let d = &me.actor.district;
    let v = state.store.visit(d, id.trim()).await?.ok_or_else(UiError::not_found)?;
    if !me.covers.contains(&v.community) && v.by.user_id != me.actor.user_id {
        return Err(UiError::not_found());
    }
    let household = match &v.household_id {
        Some(h) => state.store.household(d, h).await?.map(|h| {
            let hh = &h.household;
            (hh.id.clone(), hh.contact_name.as_ref().map(|n| n.masked()).unwrap_or_default(), mask_address(&hh.address))
        }),
        None => None,
    };
    let case = match v.case_id.as_deref().and_then(CaseId::parse) {
        Some(c) => {
            state.store.projected_case(d, c).await?.map(|c| (c.number.clone(), ctx.label("status", c.status.as_str())))
        }
        None => None,
    };
    let assistance = match v.assistance_id.as_deref().and_then(AssistanceId::parse) {
        Some(a) => state.store.projected_assistance(d, a).await?.map(|a| {
            (ctx.label("assistance_kind", a.kind.as_str()), ctx.label("assistance_status", a.status.as_str()))
        }),
        None => None,
    };
    let view = VisitPage {
        ctx: &ctx,
        offline_js: super::assets::offline_js_url(),
        username: me.username.clone(),
        again: q.again.is_some(),
        visited_on: v.visited_on.to_string(),
        recorded_at: super::page::local_time(v.recorded_at),
        community: state.names().name_of(v.community.as_str()),
        household,
        place: v.place.clone().unwrap_or_default(),
        seen: v.notes.seen.clone(),
        asked: v.notes.asked.clone().unwrap_or_default(),
        follow_ups: v.notes.follow_ups.clone().unwrap_or_default(),
        case,
        assistance,
    };
    Ok(ctx.page(view))
}

// ---- results ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "liaison_results.html")]
struct ResultsPage<'a> {
    ctx: &'a Ctx,
    offline_js: &'static str,
    username: String,
    from: String,
    to: String,
    days: String,
    errors: super::FieldErrors,
    figures: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct ResultsQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /liaison/results?from=&to=`: what I achieved in a period (default: the last 100 days, as
/// the API counts) — from the same store query as `/api/v1/liaisons/{id}/results`.
pub async fn results(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, UiError> {
    let me = liaison(&ctx)?;
    let mut errors = super::FieldErrors::default();
    let today = today(&state);
    let mut day = |field: &str, s: Option<&str>, label: &str| match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let d = parse_day(s);
            if d.is_none() {
                errors.add(field, ctx.t1("ui-liaison-results-bad-day", "field", label));
            }
            d
        }
    };
    let to_given = day("to", q.to.as_deref(), &ctx.t("ui-liaison-results-to"));
    let from_given = day("from", q.from.as_deref(), &ctx.t("ui-liaison-results-from"));
    let mut to = to_given.unwrap_or(today);
    let mut from = from_given.unwrap_or(to - chrono::Duration::days(99));
    if from > to || (to - from).num_days() > 3660 {
        errors.add("from", ctx.t("ui-liaison-results-bad-period"));
        to = today;
        from = to - chrono::Duration::days(99);
    }
    let end = to.succ_opt().ok_or_else(UiError::bad_request)?;
    let (rows, _) = state
        .store
        .liaison_results(&me.actor.district, std::slice::from_ref(&me.actor.user_id), &[], from, end)
        .await?;
    let r = rows.into_iter().next().unwrap_or_default();
    let figures = [
        ("ui-liaison-results-visits", r.visits),
        ("ui-liaison-results-households-visited", r.households_visited),
        ("ui-liaison-results-households-in-care", r.households_in_care),
        ("ui-liaison-results-cases-raised", r.cases_raised),
        ("ui-liaison-results-cases-solved", r.cases_solved),
        ("ui-liaison-results-assistance-submitted", r.assistance_submitted),
        ("ui-liaison-results-assistance-delivered", r.assistance_delivered),
    ]
    .into_iter()
    .map(|(k, n)| (ctx.t(k), n.to_string()))
    .collect();
    let view = ResultsPage {
        ctx: &ctx,
        offline_js: super::assets::offline_js_url(),
        username: me.username.clone(),
        from: from.to_string(),
        to: to.to_string(),
        days: ((to - from).num_days() + 1).to_string(),
        errors,
        figures,
    };
    Ok(ctx.page(view))
}
