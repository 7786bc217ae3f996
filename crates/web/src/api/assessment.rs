//! 考核 over HTTP: the three rates and the composite by street, community, unit/department,
//! duty item or liaison for a month or a range of months; the cases behind any figure; the
//! monthly ranking with its classes; the formula versions; the monthly report (JSON or CSV).

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{bad_query, ApiJson, ApiQuery};
use crate::i18n::{label, t, Lang};
use crate::view::{case_view, CaseView, Page};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use chuishao_domain::assessment::{self, in_force, rank, Formula, RankingRules, Rates, Tally};
use chuishao_domain::calendar::{local_date, start_of_day};
use chuishao_domain::{Actor, Role, Scope};
use chuishao_store::{Dimension, Slice};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Who may read figures: the district's supervisors and inspectors, and the streets' officials
/// (a street's own cases only when drilling down).
fn may_read(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::DistrictSupervisor | Role::Inspector | Role::StreetLeader | Role::Dispatcher | Role::SystemAdmin
    )
}

fn parse_month(field: &str, s: &str) -> ApiResult<NaiveDate> {
    chuishao_domain::calendar::parse_day(&format!("{}-01", s.trim())).ok_or_else(|| bad_query(field))
}

fn month_str(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn next_month(d: NaiveDate) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(1)).unwrap_or(d)
}

fn previous_month(d: NaiveDate) -> NaiveDate {
    d.checked_sub_months(chrono::Months::new(1)).unwrap_or(d)
}

/// One month's part of the asked stretch: the whole month (figures from the rollups) or some of
/// its days [first, until) (figures summed from the cases).
#[derive(Debug, Clone, Copy)]
struct Period {
    month: NaiveDate,
    first: NaiveDate,
    until: NaiveDate,
}

impl Period {
    fn whole(&self) -> bool {
        self.first == self.month && self.until == next_month(self.month)
    }
}

/// A bound of a stretch: `YYYY-MM` (the month's first day, or for the end its last) or
/// `YYYY-MM-DD`. The flag tells whether days were named.
fn parse_bound(field: &str, s: &str, end: bool) -> ApiResult<(NaiveDate, bool)> {
    let s = s.trim();
    if s.len() == 10 {
        return chuishao_domain::calendar::parse_day(s).map(|d| (d, true)).ok_or_else(|| bad_query(field));
    }
    let m = parse_month(field, s)?;
    Ok((if end { next_month(m).pred_opt().unwrap_or(m) } else { m }, false))
}

/// The stretch asked for — a month, months `from`..`to`, or days `from`..`to` (inclusive) —
/// defaulting to last month, cut at month ends; at most 24 months. The flag tells whether days
/// were named (the answer then names days too).
fn periods(
    state: &AppState,
    q_month: Option<&str>,
    q_from: Option<&str>,
    q_to: Option<&str>,
) -> ApiResult<(Vec<Period>, bool)> {
    let ((from, days_from), (to, days_to)) = match (q_month, q_from, q_to) {
        (Some(m), None, None) => {
            let m = parse_month("month", m)?;
            ((m, false), (next_month(m).pred_opt().unwrap_or(m), false))
        }
        (None, Some(f), Some(t)) => (parse_bound("from", f, false)?, parse_bound("to", t, true)?),
        (None, None, None) => {
            let this = local_date(state.now()).with_day(1).ok_or_else(ApiError::internal)?;
            let last = previous_month(this);
            ((last, false), (this.pred_opt().unwrap_or(last), false))
        }
        (Some(_), _, _) => return Err(bad_query("month")),
        _ => return Err(bad_query("from")),
    };
    let until = to.succ_opt().ok_or_else(|| bad_query("to"))?;
    let mut out = vec![];
    let mut month = from.with_day(1).ok_or_else(|| bad_query("from"))?;
    while month < until && out.len() <= 24 {
        let next = next_month(month);
        out.push(Period { month, first: from.max(month), until: until.min(next) });
        month = next;
    }
    if out.is_empty() || out.len() > 24 || from > to {
        return Err(bad_query("to"));
    }
    Ok((out, days_from || days_to))
}

/// A single month (rankings): `YYYY-MM`, defaulting to last month.
fn one_month(state: &AppState, q_month: Option<&str>) -> ApiResult<NaiveDate> {
    Ok(periods(state, q_month, None, None)?.0[0].month)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatesView {
    pub response: f64,
    pub resolution: f64,
    pub satisfaction: f64,
    pub composite: f64,
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn rates_view(r: &Rates) -> RatesView {
    RatesView {
        response: round4(r.response),
        resolution: round4(r.resolution),
        satisfaction: round4(r.satisfaction),
        composite: round4(r.composite),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FigureRow {
    /// The street / community code, `unit:<id>` / `dept:<id>`, duty item code or liaison id.
    pub key: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub tally: Tally,
    pub rates: Option<RatesView>,
}

/// Rates over several months: each month by its own formula, combined by valid callbacks.
struct Combined {
    tally: Tally,
    satisfaction_num: f64,
    composite_num: f64,
}

impl Combined {
    fn new() -> Self {
        Combined { tally: Tally::default(), satisfaction_num: 0.0, composite_num: 0.0 }
    }
    fn add(&mut self, t: Tally, f: &Formula) {
        self.tally += t;
        if let Some(r) = assessment::rates(&t, f) {
            self.satisfaction_num += r.satisfaction * t.valid as f64;
            self.composite_num += r.composite * t.valid as f64;
        }
    }
    fn rates(&self) -> Option<Rates> {
        let v = self.tally.valid as f64;
        (self.tally.valid > 0).then(|| Rates {
            response: self.tally.contacted as f64 / v,
            resolution: self.tally.solved as f64 / v,
            satisfaction: self.satisfaction_num / v,
            composite: self.composite_num / v,
        })
    }
}

fn dimension_of(by: Option<&str>) -> ApiResult<(Dimension, &'static str)> {
    let by = by.unwrap_or("street");
    let d = Dimension::parse(by).ok_or_else(|| bad_query("by"))?;
    let name = match by {
        "department" => "department",
        "unit" => "unit",
        _ => match d {
            Dimension::Street => "street",
            Dimension::Community => "community",
            Dimension::Assignee => "assignee",
            Dimension::DutyItem => "duty_item",
            Dimension::Liaison => "liaison",
            Dimension::Month => "month",
        },
    };
    Ok((d, name))
}

/// The formula in force in a month (its first day).
fn formula_for(formulas: &[Formula], month: NaiveDate) -> Formula {
    in_force(formulas, month).cloned().unwrap_or_else(Formula::standard)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RatesQuery {
    /// YYYY-MM (default: last month)
    pub month: Option<String>,
    /// A stretch instead of `month`, inclusive: months (YYYY-MM to YYYY-MM) or days
    /// (YYYY-MM-DD to YYYY-MM-DD), at most 24 months.
    pub from: Option<String>,
    pub to: Option<String>,
    /// street (default), community, unit, department, duty_item, liaison
    pub by: Option<String>,
    pub street: Option<String>,
    pub community: Option<String>,
    /// A unit or department id.
    pub assignee: Option<String>,
    pub duty_item: Option<String>,
    pub liaison: Option<String>,
}

fn slice_of(q: &RatesQuery, actor: &Actor) -> Slice {
    let assignee = q.assignee.as_ref().map(|a| {
        if a.contains(':') {
            a.clone()
        } else if a.starts_with("dc-") {
            format!("dept:{a}")
        } else {
            format!("unit:{a}")
        }
    });
    Slice {
        street: q.street.clone(),
        community: q.community.clone(),
        assignee,
        duty_item: q.duty_item.clone(),
        liaison: q.liaison.clone(),
    }
    .scoped(actor)
}

trait Scoped {
    fn scoped(self, actor: &Actor) -> Self;
}

impl Scoped for Slice {
    /// A street's officials see figures of their street only.
    fn scoped(mut self, actor: &Actor) -> Self {
        if let (Role::StreetLeader | Role::Dispatcher, Scope::Street { code }) = (actor.role, &actor.scope) {
            self.street = Some(code.to_string());
        }
        self
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatesReport {
    pub from: String,
    pub to: String,
    pub by: String,
    /// The formula versions applied, by month.
    #[schema(value_type = Vec<Object>)]
    pub formulas: Vec<serde_json::Value>,
    pub rows: Vec<FigureRow>,
    pub total: FigureRow,
}

async fn figures(state: &AppState, actor: &Actor, q: &RatesQuery, lang: Lang) -> ApiResult<RatesReport> {
    let (periods, days) = periods(state, q.month.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let (dim, by) = dimension_of(q.by.as_deref())?;
    let d = &actor.district;
    let formulas = state.store.formulas(d).await?;
    let slice = slice_of(q, actor);
    let mut rows: std::collections::BTreeMap<String, Combined> = Default::default();
    let mut total = Combined::new();
    let mut applied = vec![];
    for p in &periods {
        // A month's figures, whole or in part, follow the formula in force for that month.
        let f = formula_for(&formulas, p.month);
        applied.push(serde_json::json!({"month": month_str(p.month), "version": f.version}));
        let tallies = if p.whole() {
            state.store.tallies(d, &month_str(p.month), &month_str(p.month), dim, &slice).await?
        } else {
            state.store.tallies_between(d, start_of_day(p.first), start_of_day(p.until), dim, &slice).await?
        };
        for (k, t) in tallies {
            if by == "department" && !k.starts_with("dept:") || by == "unit" && !k.starts_with("unit:") {
                continue;
            }
            rows.entry(k).or_insert_with(Combined::new).add(t, &f);
            total.add(t, &f);
        }
    }
    let names = state.names();
    let items = if dim == Dimension::DutyItem { state.store.duty_items(d).await? } else { vec![] };
    let name_of = |k: &str| -> String {
        let code = k.split_once(':').map_or(k, |(_, id)| id);
        if let Some(i) = items.iter().find(|i| i.code == code) {
            return i.name.clone();
        }
        match names.name_of(code) {
            n if n.is_empty() && k.is_empty() => t(lang, "figure-none", &[]),
            n => n,
        }
    };
    let row = |key: String, c: &Combined| FigureRow {
        name: name_of(&key),
        key,
        tally: c.tally,
        rates: c.rates().as_ref().map(rates_view),
    };
    let (first, last) = (periods[0], periods[periods.len() - 1]);
    let (from, to) = if days {
        (first.first.to_string(), last.until.pred_opt().unwrap_or(last.first).to_string())
    } else {
        (month_str(first.month), month_str(last.month))
    };
    Ok(RatesReport {
        from,
        to,
        by: by.into(),
        formulas: applied,
        rows: rows.iter().map(|(k, c)| row(k.clone(), c)).collect(),
        total: row(String::new(), &total),
    })
}

/// The three rates (响应率、解决率、满意率) and the composite, over valid callbacks, grouped as
/// asked; each month by the formula in force then. Every row's counts are behind
/// `/api/v1/rates/cases` with the same filters.
#[utoipa::path(get, path = "/api/v1/rates", params(RatesQuery),
    responses((status = 200, body = RatesReport), (status = 400), (status = 403)), security(("bearer" = [])))]
pub async fn rates(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<RatesQuery>,
) -> ApiResult<Json<RatesReport>> {
    if !may_read(&user.actor) {
        return Err(ApiError::forbidden());
    }
    Ok(Json(figures(&state, &user.actor, &q, lang).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct BehindQuery {
    /// YYYY-MM — or `from`/`to` (months or days, inclusive) as for `/api/v1/rates`.
    pub month: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// valid (callbacks in the month; default) or received
    pub measure: Option<String>,
    pub street: Option<String>,
    pub community: Option<String>,
    pub assignee: Option<String>,
    pub duty_item: Option<String>,
    pub liaison: Option<String>,
    /// Page number from 1 (default 1).
    pub page: Option<u32>,
    /// Cases per page, 1–1000 (default 100).
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BehindItem {
    pub case: CaseView,
    /// The callback counted: contacted, solved, satisfaction.
    #[schema(value_type = Object)]
    pub callback: Option<serde_json::Value>,
}

/// The cases behind a figure (drill-down): for `measure=valid` the cases whose callback counted in
/// the month (or stretch), with what the resident said — sum them to check any rate by hand.
/// Paged: `total` is the figure's count, the page the oldest first.
#[utoipa::path(get, path = "/api/v1/rates/cases", params(BehindQuery),
    responses((status = 200, body = Page<BehindItem>), (status = 400), (status = 403)), security(("bearer" = [])))]
pub async fn behind(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<BehindQuery>,
) -> ApiResult<Json<Page<BehindItem>>> {
    if !may_read(&user.actor) {
        return Err(ApiError::forbidden());
    }
    if q.month.is_none() && q.from.is_none() {
        return Err(bad_query("month"));
    }
    let (periods, _) = periods(&state, q.month.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let window = (start_of_day(periods[0].first), start_of_day(periods[periods.len() - 1].until));
    let receipts = match q.measure.as_deref() {
        None | Some("valid") => false,
        Some("received") => true,
        Some(_) => return Err(bad_query("measure")),
    };
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(100);
    if page == 0 {
        return Err(bad_query("page"));
    }
    if !(1..=1000).contains(&per_page) {
        return Err(bad_query("per_page"));
    }
    let rq = RatesQuery {
        month: None,
        from: None,
        to: None,
        by: None,
        street: q.street.clone(),
        community: q.community.clone(),
        assignee: q.assignee.clone(),
        duty_item: q.duty_item.clone(),
        liaison: q.liaison.clone(),
    };
    let slice = slice_of(&rq, &user.actor);
    let offset = u64::from(page - 1) * u64::from(per_page);
    let (total, cases) =
        state.store.cases_behind(&user.actor.district, window, receipts, &slice, (offset, u64::from(per_page))).await?;
    let names = state.names();
    let items: Vec<BehindItem> = cases
        .iter()
        .map(|c| BehindItem {
            case: case_view(c, &names, lang, None),
            callback: c.callback.as_ref().map(|cb| {
                serde_json::json!({
                    "contacted": cb.contacted,
                    "solved": cb.solved,
                    "satisfaction": cb.satisfaction.as_str(),
                    "satisfaction_label": label(lang, "satisfaction", cb.satisfaction.as_str()),
                    "at": crate::view::fmt_time(cb.at),
                })
            }),
        })
        .collect();
    Ok(Json(Page { items, total, page, per_page }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RankingQuery {
    /// YYYY-MM (default: last month)
    pub month: Option<String>,
    /// streets (default) or departments
    pub of: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RankedRow {
    pub rank: Option<usize>,
    pub key: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub tally: Tally,
    pub rates: Option<RatesView>,
    /// Last month's composite and the change.
    pub previous: Option<f64>,
    pub change: Option<f64>,
    /// advanced (先进), improved (进步), rectify (整改), governance (治理)
    pub class: Option<String>,
    pub class_label: Option<String>,
    /// For departments: how they answered whistles that month (summoned, on-time sign and
    /// report-in rates, median minutes to report in, the streets' ratings).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub whistles: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RankingView {
    pub month: String,
    pub of: String,
    pub formula_version: u32,
    #[schema(value_type = Object)]
    pub rules: RankingRules,
    pub rows: Vec<RankedRow>,
}

async fn ranking(state: &AppState, actor: &Actor, q: &RankingQuery, lang: Lang) -> ApiResult<RankingView> {
    let month = one_month(state, q.month.as_deref())?;
    let of = q.of.as_deref().unwrap_or("streets");
    let dim = match of {
        "streets" => Dimension::Street,
        "departments" => Dimension::Assignee,
        _ => return Err(bad_query("of")),
    };
    let d = &actor.district;
    let formulas = state.store.formulas(d).await?;
    let (f, fp) = (formula_for(&formulas, month), formula_for(&formulas, previous_month(month)));
    let slice = Slice::default();
    let now = state.store.tallies(d, &month_str(month), &month_str(month), dim, &slice).await?;
    let before = state
        .store
        .tallies(d, &month_str(previous_month(month)), &month_str(previous_month(month)), dim, &slice)
        .await?;
    // Departments are also assessed on the whistles they were summoned to that month.
    let whistle_record = if dim == Dimension::Assignee {
        let (from, to) = (start_of_day(month), start_of_day(next_month(month)));
        let whistles = state.store.whistles_between(d, from, to).await?;
        chuishao_domain::whistle::figures(&whistles, &[], state.now()).departments
    } else {
        vec![]
    };
    let mut keys: Vec<String> = match dim {
        Dimension::Street => state.store.streets(d).await?.iter().map(|s| s.code.to_string()).collect(),
        _ => now
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| k.starts_with("dept:"))
            .chain(whistle_record.iter().map(|w| format!("dept:{}", w.department)))
            .collect(),
    };
    keys.sort();
    keys.dedup();
    let entries = keys
        .into_iter()
        .map(|k| {
            let t = now.iter().find(|(x, _)| *x == k).map(|(_, t)| *t).unwrap_or_default();
            let p = before.iter().find(|(x, _)| *x == k).map(|(_, t)| *t);
            (k, t, p)
        })
        .collect();
    let rules = f.ranking.clone();
    let names = state.names();
    let rows = rank(entries, &f, Some(&fp), &rules)
        .into_iter()
        .map(|r| RankedRow {
            rank: r.rank,
            name: names.name_of(r.key.split_once(':').map_or(r.key.as_str(), |(_, id)| id)),
            key: r.key.clone(),
            tally: r.tally,
            rates: r.rates.as_ref().map(rates_view),
            previous: r.previous.map(round4),
            change: r.change.map(round4),
            class: r.class.map(|c| c.as_str().to_string()),
            class_label: r.class.map(|c| label(lang, "rank_class", c.as_str())),
            whistles: whistle_record.iter().find(|w| r.key.strip_prefix("dept:") == Some(w.department.as_str())).map(
                |w| {
                    serde_json::json!({
                        "summoned": w.summoned,
                        "excused": w.excused,
                        "declined": w.declined,
                        "sign_rate": w.sign_rate.map(round4),
                        "report_in_rate": w.report_in_rate.map(round4),
                        "median_report_in_minutes": w.median_report_in_minutes,
                        "overdue_events": w.overdue_events,
                        "ratings": w.ratings,
                    })
                },
            ),
        })
        .collect();
    Ok(RankingView { month: month_str(month), of: of.into(), formula_version: f.version, rules, rows })
}

/// The monthly ranking (月度排名) of the district's streets (or departments) by composite, with
/// last month's composite and the classes 先进 / 进步 / 整改 / 治理.
#[utoipa::path(get, path = "/api/v1/rankings", params(RankingQuery),
    responses((status = 200, body = RankingView), (status = 400), (status = 403)), security(("bearer" = [])))]
pub async fn rankings(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<RankingQuery>,
) -> ApiResult<Json<RankingView>> {
    if !may_read(&user.actor) {
        return Err(ApiError::forbidden());
    }
    Ok(Json(ranking(&state, &user.actor, &q, lang).await?))
}

/// The formula versions (version 1 is the standard one).
#[utoipa::path(get, path = "/api/v1/assessment/formulas",
    responses((status = 200, body = Vec<Object>)), security(("bearer" = [])))]
pub async fn formulas(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<Formula>>> {
    if !may_read(&user.actor) {
        return Err(ApiError::forbidden());
    }
    Ok(Json(state.store.formulas(&user.actor.district).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormulaRequest {
    /// YYYY-MM-DD; months from then on use it, earlier ones keep theirs.
    pub effective_from: String,
    pub basically_satisfied: f64,
    pub response_weight: f64,
    pub resolution_weight: f64,
    pub satisfaction_weight: f64,
    /// How the ranking classes places: advanced_share, improved_count, governance_count,
    /// governance_max_share, rectify_share, min_valid (the standard rules when left out).
    #[schema(value_type = Option<Object>)]
    pub ranking: Option<RankingRules>,
}

/// Adds a formula version from a date on (district supervisor, system admin).
#[utoipa::path(post, path = "/api/v1/assessment/formulas", request_body = FormulaRequest,
    responses((status = 201, body = Object), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn add_formula(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<FormulaRequest>,
) -> ApiResult<Response> {
    user.require(&[Role::DistrictSupervisor, Role::SystemAdmin])?;
    let formula = Formula {
        version: 0,
        effective_from: chuishao_domain::calendar::parse_day(&req.effective_from)
            .ok_or_else(|| ApiError::from(chuishao_domain::FieldError::malformed("effective_from", "date")))?,
        basically_satisfied: req.basically_satisfied,
        response_weight: req.response_weight,
        resolution_weight: req.resolution_weight,
        satisfaction_weight: req.satisfaction_weight,
        ranking: req.ranking.unwrap_or_default(),
    };
    formula.check()?;
    let stored = state.store.add_formula(&user.actor, &formula, state.now()).await?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// YYYY-MM (default: last month)
    pub month: Option<String>,
    /// json (default), csv or xlsx
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyReport {
    pub month: String,
    pub streets: RankingView,
    pub departments: RankingView,
    pub duty_items: RatesReport,
}

/// The monthly report: every street's rates, composite, rank and class; departments; duty items.
/// `format=csv` gives the street table as CSV with Chinese headers; `format=xlsx` the whole report
/// as a workbook (streets, departments, duty items, a chart of the streets' composites).
#[utoipa::path(get, path = "/api/v1/reports/monthly", params(ReportQuery),
    responses((status = 200, body = MonthlyReport), (status = 400), (status = 403)), security(("bearer" = [])))]
pub async fn monthly(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    if !may_read(&user.actor) {
        return Err(ApiError::forbidden());
    }
    let report = monthly_report(&state, &user.actor, q.month.as_deref(), lang).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(report).into_response()),
        Some("csv") => {
            let body = streets_csv(&report.streets, lang);
            let name = format!("attachment; filename=\"report-{}.csv\"", report.month);
            Ok((
                [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)],
                body,
            )
                .into_response())
        }
        Some("xlsx") => {
            let body = crate::report_xlsx::monthly_xlsx(&report, lang).map_err(|e| {
                tracing::error!("{e}");
                ApiError::internal()
            })?;
            let name = format!("attachment; filename=\"report-{}.xlsx\"", report.month);
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, name),
                ],
                body,
            )
                .into_response())
        }
        Some(_) => Err(bad_query("format")),
    }
}

pub async fn monthly_report(
    state: &AppState,
    actor: &Actor,
    month: Option<&str>,
    lang: Lang,
) -> ApiResult<MonthlyReport> {
    let streets = ranking(state, actor, &RankingQuery { month: month.map(String::from), of: None }, lang).await?;
    let departments = ranking(
        state,
        actor,
        &RankingQuery { month: Some(streets.month.clone()), of: Some("departments".into()) },
        lang,
    )
    .await?;
    let items = RatesQuery {
        month: Some(streets.month.clone()),
        from: None,
        to: None,
        by: Some("duty_item".into()),
        street: None,
        community: None,
        assignee: None,
        duty_item: None,
        liaison: None,
    };
    let duty_items = figures(state, actor, &items, lang).await?;
    Ok(MonthlyReport { month: streets.month.clone(), streets, departments, duty_items })
}

/// The columns of a ranking table: the catalog keys `report-col-*` (CSV and XLSX alike).
pub const RANKING_COLUMNS: [&str; 11] = [
    "rank",
    "code",
    "name",
    "received",
    "valid",
    "response",
    "resolution",
    "satisfaction",
    "composite",
    "previous",
    "class",
];

/// The street table as CSV, headers from the message catalog (Chinese by default).
pub fn streets_csv(r: &RankingView, lang: Lang) -> String {
    let h = |k: &str| t(lang, &format!("report-col-{k}"), &[]);
    let mut w = csv::Writer::from_writer(vec![]);
    let _ = w.write_record(RANKING_COLUMNS.map(h));
    for row in &r.rows {
        let pct = |x: Option<f64>| x.map(|v| format!("{:.2}", v * 100.0)).unwrap_or_default();
        let rates = row.rates.as_ref();
        let _ = w.write_record([
            row.rank.map(|x| x.to_string()).unwrap_or_default(),
            row.key.clone(),
            row.name.clone(),
            row.tally.received.to_string(),
            row.tally.valid.to_string(),
            pct(rates.map(|x| x.response)),
            pct(rates.map(|x| x.resolution)),
            pct(rates.map(|x| x.satisfaction)),
            pct(rates.map(|x| x.composite)),
            pct(row.previous),
            row.class_label.clone().unwrap_or_default(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
