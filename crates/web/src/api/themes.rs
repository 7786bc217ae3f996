//! 每月一题 over HTTP: proposals of rising recurring problems, and themes opened, owned, tracked
//! month by month (before and after) and closed.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{bad_query, fields as body, ApiJson, ApiQuery};
use crate::i18n::{label, Lang};
use crate::view::{fmt_time, NamedRef, Page};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use chuishao_domain::assessment::Proposal;
use chuishao_domain::calendar::local_date;
use chuishao_domain::field::required_text;
use chuishao_domain::frequency::{hotspots, repeats, Thresholds};
use chuishao_domain::{Actor, FieldError, Role, Scope};
use chuishao_routing::{LatLon, Level};
use chuishao_store::{Dimension, Slice, Theme};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn month_str(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn parse_month(field: &str, s: &str) -> ApiResult<NaiveDate> {
    chuishao_domain::calendar::parse_day(&format!("{}-01", s.trim())).ok_or_else(|| bad_query(field))
}

fn shift(d: NaiveDate, months: i32) -> NaiveDate {
    if months >= 0 {
        d.checked_add_months(chrono::Months::new(months as u32)).unwrap_or(d)
    } else {
        d.checked_sub_months(chrono::Months::new((-months) as u32)).unwrap_or(d)
    }
}

/// Who may propose and open themes: the district supervisor for any area, a street's leader for
/// their street; readers also include dispatchers and the inspector.
fn may_read(a: &Actor) -> bool {
    matches!(a.role, Role::DistrictSupervisor | Role::Inspector | Role::StreetLeader | Role::Dispatcher)
}

fn street_of(a: &Actor) -> Option<String> {
    match (a.role, &a.scope) {
        (Role::StreetLeader | Role::Dispatcher, Scope::Street { code }) => Some(code.to_string()),
        _ => None,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ProposalQuery {
    /// YYYY-MM (default: last month)
    pub month: Option<String>,
    /// street (default) or community
    pub area: Option<String>,
    /// Fewest receipts this month for a rise to count (default 3).
    pub min_count: Option<i64>,
    /// Fewest repeat requests of an item in an area to propose it (default 2).
    pub min_repeats: Option<i64>,
    /// Fewest receipts of an item in one grid cell to propose it (default 3).
    pub min_hotspot: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CellCount {
    pub cell: NamedRef,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalView {
    pub area: NamedRef,
    pub duty_item: NamedRef,
    pub count: i64,
    /// Receipts in the two months before, most recent first.
    pub before: Vec<i64>,
    pub growth: f64,
    /// rising (环比上升), repeats (重复诉求), hotspot (热点网格)
    pub reasons: Vec<String>,
    pub reason_labels: Vec<String>,
    /// Requests this month repeating the same caller's earlier one on the item (30 days).
    pub repeats: i64,
    /// The grid cells where the item gathered in the area, most first.
    pub hotspots: Vec<CellCount>,
}

/// The month asked for (default last month).
fn month_of_query(state: &AppState, month: Option<&str>) -> ApiResult<NaiveDate> {
    match month {
        Some(m) => parse_month("month", m),
        None => Ok(shift(local_date(state.now()).with_day(1).ok_or_else(ApiError::internal)?, -1)),
    }
}

/// The analysis of the month asked for (default last month), of the actor's street or of the
/// district, with the names to show.
struct Analysis {
    found: crate::proposals::Analysis,
    names: std::sync::Arc<crate::Names>,
    items: Vec<chuishao_domain::DutyItem>,
}

impl Analysis {
    async fn load(
        state: &AppState,
        actor: &Actor,
        month: Option<&str>,
        back: chrono::Duration,
        area: Dimension,
    ) -> ApiResult<Analysis> {
        if !may_read(actor) {
            return Err(ApiError::forbidden());
        }
        let month = month_of_query(state, month)?;
        let d = &actor.district;
        let found = crate::proposals::Analysis::load(state, d, street_of(actor).as_deref(), month, back, area).await?;
        let items = state.store.duty_items(d).await?;
        Ok(Analysis { found, names: state.names(), items })
    }

    fn item(&self, code: &str) -> NamedRef {
        let name = self.items.iter().find(|i| i.code == code).map(|i| i.name.clone()).unwrap_or_default();
        NamedRef { code: code.to_string(), name }
    }

    fn area(&self, code: &str) -> NamedRef {
        NamedRef { code: code.to_string(), name: self.names.name_of(code) }
    }
}

fn cell_ref(router: &chuishao_routing::Router, code: &str) -> NamedRef {
    let name = router.atlas.area(Level::Grid, code).map(|a| a.name.clone()).unwrap_or_default();
    NamedRef { code: code.to_string(), name }
}

/// High-frequency problems (高频诉求) proposed as 每月一题 themes: duty items whose receipts in
/// an area rose this month over the two before, that residents keep asking about again (repeat
/// requests: the same caller on the same item within 30 days), or that gather in one grid cell
/// (hotspots) — each with its reasons, repeats and busiest cells.
#[utoipa::path(get, path = "/api/v1/themes/proposals", params(ProposalQuery),
    responses((status = 200, body = Page<ProposalView>), (status = 403)), security(("bearer" = [])))]
pub async fn proposals(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ProposalQuery>,
) -> ApiResult<Json<Page<ProposalView>>> {
    let actor = &user.actor;
    let area = match q.area.as_deref() {
        None | Some("street") => Dimension::Street,
        Some("community") => Dimension::Community,
        Some(_) => return Err(bad_query("area")),
    };
    let defaults = Thresholds::default();
    let th = Thresholds {
        min_count: q.min_count.unwrap_or(defaults.min_count).max(1),
        min_repeats: q.min_repeats.unwrap_or(defaults.min_repeats).max(1),
        min_hotspot: q.min_hotspot.unwrap_or(defaults.min_hotspot).max(1),
        ..defaults
    };
    let a = Analysis::load(&state, actor, q.month.as_deref(), th.repeat_window, area).await?;
    let own = street_of(actor);
    let found: Vec<ProposalView> = a
        .found
        .propose(&state, &actor.district, area, &th)
        .await?
        .into_iter()
        .filter(|p: &Proposal| own.as_ref().is_none_or(|s| p.area.starts_with(s.as_str())))
        .map(|p| ProposalView {
            area: a.area(&p.area),
            duty_item: a.item(&p.duty_item),
            count: p.count,
            before: p.before,
            growth: (p.growth * 100.0).round() / 100.0,
            reason_labels: p.reasons.iter().map(|r| label(lang, "proposal-reason", r)).collect(),
            reasons: p.reasons.iter().map(|r| r.to_string()).collect(),
            repeats: p.repeats,
            hotspots: p
                .hotspots
                .iter()
                .map(|(c, n)| CellCount { cell: cell_ref(&a.found.router, c), count: *n })
                .collect(),
        })
        .collect();
    Ok(Json(Page::all(found)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AnalysisQuery {
    /// YYYY-MM (default: last month)
    pub month: Option<String>,
    /// Only this duty item.
    pub duty_item: Option<String>,
    /// Hotspots: fewest receipts in a cell (default 3).
    pub min_count: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HotspotView {
    pub cell: NamedRef,
    pub street: Option<NamedRef>,
    pub community: Option<NamedRef>,
    /// The cell's centre (WGS-84).
    pub lat: f64,
    pub lon: f64,
    pub count: i64,
    pub items: Vec<ItemCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemCount {
    pub duty_item: NamedRef,
    pub count: i64,
}

/// Hotspots: the grid cells where the month's requests gathered, most first, with what was asked
/// there (a street's officials see their street).
#[utoipa::path(get, path = "/api/v1/analysis/hotspots", params(AnalysisQuery),
    responses((status = 200, body = Page<HotspotView>), (status = 403)), security(("bearer" = [])))]
pub async fn hotspot_list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AnalysisQuery>,
) -> ApiResult<Json<Page<HotspotView>>> {
    let mut a =
        Analysis::load(&state, &user.actor, q.month.as_deref(), chrono::Duration::zero(), Dimension::Street).await?;
    if let Some(item) = &q.duty_item {
        a.found.receipts.retain(|r| r.duty_item.as_deref() == Some(item.as_str()));
    }
    let found = hotspots(&a.found.receipts, a.found.lo, a.found.hi, q.min_count.unwrap_or(3).max(1))
        .into_iter()
        .take(200)
        .map(|h| {
            let centre =
                a.found.router.atlas.area(Level::Grid, &h.cell).map(|x| x.centre()).unwrap_or(LatLon::new(0.0, 0.0));
            let place = a.found.router.atlas.locate(centre);
            HotspotView {
                cell: cell_ref(&a.found.router, &h.cell),
                street: place.street.map(|f| a.area(&f.code)),
                community: place.community.map(|f| a.area(&f.code)),
                lat: (centre.lat * 1e5).round() / 1e5,
                lon: (centre.lon * 1e5).round() / 1e5,
                count: h.count,
                items: h.items.iter().map(|(code, n)| ItemCount { duty_item: a.item(code), count: *n }).collect(),
            }
        })
        .collect();
    Ok(Json(Page::all(found)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepeatView {
    pub number: String,
    pub earlier: String,
    pub street: NamedRef,
    pub duty_item: NamedRef,
    pub days_between: i64,
}

/// Repeat requests of the month: the same caller on the same duty item within 30 days of an
/// earlier request — by case number only (who called is never shown).
#[utoipa::path(get, path = "/api/v1/analysis/repeats", params(AnalysisQuery),
    responses((status = 200, body = Page<RepeatView>), (status = 403)), security(("bearer" = [])))]
pub async fn repeat_list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AnalysisQuery>,
) -> ApiResult<Json<Page<RepeatView>>> {
    let window = Thresholds::default().repeat_window;
    let a = Analysis::load(&state, &user.actor, q.month.as_deref(), window, Dimension::Street).await?;
    let found = repeats(&a.found.receipts, a.found.lo, a.found.hi, window)
        .into_iter()
        .filter(|r| q.duty_item.as_ref().is_none_or(|i| *i == r.duty_item))
        .map(|r| RepeatView {
            street: a.area(&r.area),
            duty_item: a.item(&r.duty_item),
            number: r.number,
            earlier: r.earlier,
            days_between: r.days_between,
        })
        .collect();
    Ok(Json(Page::all(found)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCount {
    pub month: String,
    pub received: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeView {
    pub id: String,
    pub title: String,
    pub duty_item: NamedRef,
    /// district, street or community
    pub area_level: String,
    pub area: NamedRef,
    pub owner: NamedRef,
    /// open or closed
    pub status: String,
    pub note: Option<String>,
    pub summary: Option<String>,
    pub opened_month: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    /// Receipts of the item in the area, month by month: six months before opening, then every
    /// month since (up to the current one).
    pub months: Vec<MonthCount>,
    /// Mean receipts per month before and since opening.
    pub mean_before: f64,
    pub mean_since: Option<f64>,
}

async fn theme_view(state: &AppState, actor: &Actor, t: &Theme) -> ApiResult<ThemeView> {
    let names = state.names();
    let d = &actor.district;
    let item = state.store.duty_item(d, &t.duty_item).await?;
    let opened = parse_month("opened_month", &t.opened_month)?;
    let now = local_date(state.now()).with_day(1).ok_or_else(ApiError::internal)?;
    let end = t.closed_at.map(|c| local_date(c).with_day(1).unwrap_or(now)).unwrap_or(now).max(opened);
    let slice = Slice {
        street: (t.area_level == "street").then(|| t.area_code.clone()),
        community: (t.area_level == "community").then(|| t.area_code.clone()),
        duty_item: Some(t.duty_item.clone()),
        ..Slice::default()
    };
    let counts =
        state.store.tallies(d, &month_str(shift(opened, -6)), &month_str(end), Dimension::Month, &slice).await?;
    let mut months = vec![];
    let mut m = shift(opened, -6);
    while m <= end && months.len() < 60 {
        let key = month_str(m);
        let received = counts.iter().find(|(k, _)| *k == key).map_or(0, |(_, t)| t.received);
        months.push(MonthCount { month: key, received });
        m = shift(m, 1);
    }
    let (before, since): (Vec<&MonthCount>, Vec<&MonthCount>) = months.iter().partition(|c| c.month < t.opened_month);
    let mean = |v: &[&MonthCount]| v.iter().map(|c| c.received).sum::<i64>() as f64 / v.len().max(1) as f64;
    let owner_id = t.owner.split_once(':').map_or(t.owner.as_str(), |(_, id)| id);
    Ok(ThemeView {
        id: t.id.clone(),
        title: t.title.clone(),
        duty_item: NamedRef { code: t.duty_item.clone(), name: item.map(|i| i.name).unwrap_or_default() },
        area_level: t.area_level.clone(),
        area: NamedRef { code: t.area_code.clone(), name: names.name_of(&t.area_code) },
        owner: NamedRef { code: t.owner.clone(), name: names.name_of(owner_id) },
        status: t.status.clone(),
        note: t.note.clone(),
        summary: t.summary.clone(),
        opened_month: t.opened_month.clone(),
        opened_at: fmt_time(t.opened_at),
        closed_at: t.closed_at.map(fmt_time),
        mean_before: (mean(&before) * 100.0).round() / 100.0,
        mean_since: (!since.is_empty()).then(|| (mean(&since) * 100.0).round() / 100.0),
        months,
    })
}

fn visible(actor: &Actor, t: &Theme) -> bool {
    street_of(actor).is_none_or(|s| t.area_code.starts_with(&s))
}

/// Themes (每月一题), newest first.
#[utoipa::path(get, path = "/api/v1/themes", responses((status = 200, body = Page<ThemeView>), (status = 403)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Page<ThemeView>>> {
    let actor = &user.actor;
    if !may_read(actor) {
        return Err(ApiError::forbidden());
    }
    let mut out = vec![];
    for t in state.store.themes(&actor.district).await?.iter().filter(|t| visible(actor, t)) {
        out.push(theme_view(&state, actor, t).await?);
    }
    Ok(Json(Page::all(out)))
}

/// A theme the actor may read, or 404.
async fn readable(state: &AppState, actor: &Actor, id: &str) -> ApiResult<Theme> {
    state
        .store
        .theme(&actor.district, id)
        .await?
        .filter(|t| may_read(actor) && visible(actor, t))
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "theme_not_found"))
}

/// One theme with its month-by-month count.
#[utoipa::path(get, path = "/api/v1/themes/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ThemeView), (status = 404)), security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ThemeView>> {
    let actor = &user.actor;
    let t = readable(&state, actor, &id).await?;
    Ok(Json(theme_view(&state, actor, &t).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenTheme {
    pub title: String,
    /// The duty item code the theme tackles.
    pub duty_item: String,
    /// A street or community code; none for the whole district.
    pub area: Option<String>,
    /// The unit or department id that owns it.
    pub owner: String,
    pub note: Option<String>,
}

/// Open a theme (district supervisor; a street leader for their street).
#[utoipa::path(post, path = "/api/v1/themes", request_body = OpenTheme,
    responses((status = 201, body = ThemeView), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<OpenTheme>,
) -> ApiResult<Response> {
    let actor = &user.actor;
    let d = &actor.district;
    let title = required_text("title", &req.title, 100)?;
    let note = chuishao_domain::field::optional_text("note", req.note.as_deref(), 1000)?;
    state
        .store
        .duty_item(d, req.duty_item.trim())
        .await?
        .ok_or_else(|| ApiError::from(FieldError::unknown("duty_item")))?;
    let (level, code) = match req.area.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => ("district", d.to_string()),
        Some(a) if a.len() == 9 => ("street", a.to_string()),
        Some(a) if a.len() == 12 => ("community", a.to_string()),
        Some(_) => return Err(FieldError::unknown("area").into()),
    };
    if level != "district" && state.names().name_of(&code).is_empty() {
        return Err(FieldError::unknown("area").into());
    }
    let allowed = match (actor.role, &actor.scope) {
        (Role::DistrictSupervisor, _) => true,
        (Role::StreetLeader, Scope::Street { code: s }) => level != "district" && code.starts_with(s.as_str()),
        _ => false,
    };
    if !allowed {
        return Err(ApiError::forbidden());
    }
    let owner_id = req.owner.trim();
    let owner = if state
        .store
        .department(d, &chuishao_domain::DepartmentId::parse_field("owner", owner_id)?)
        .await?
        .is_some()
    {
        format!("dept:{owner_id}")
    } else if chuishao_domain::UnitId::parse(owner_id).is_ok()
        && state
            .store
            .unit(d, &chuishao_domain::UnitId::parse(owner_id).map_err(|_| FieldError::unknown("owner"))?)
            .await?
            .is_some()
    {
        format!("unit:{owner_id}")
    } else {
        return Err(FieldError::unknown("owner").into());
    };
    let now = state.now();
    let theme = Theme {
        id: uuid::Uuid::now_v7().to_string(),
        title,
        duty_item: req.duty_item.trim().to_string(),
        area_level: level.into(),
        area_code: code,
        owner,
        status: "open".into(),
        note,
        summary: None,
        opened_month: month_str(local_date(now)),
        opened_by: actor.user_id.clone(),
        opened_at: now,
        closed_at: None,
        version: 1,
    };
    state.store.add_theme(actor, &theme, now).await?;
    Ok((StatusCode::CREATED, Json(theme_view(&state, actor, &theme).await?)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseBody {
    summary: String,
}

/// Close a theme with a summary of what was done (who may open it).
#[utoipa::path(post, path = "/api/v1/themes/{id}/actions/close", params(("id" = String, Path)),
    request_body(content = Object, description = "{summary}"),
    responses((status = 200, body = ThemeView), (status = 403), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(v): ApiJson<serde_json::Value>,
) -> ApiResult<Json<ThemeView>> {
    let actor = &user.actor;
    let b: CloseBody = body(v)?;
    let summary = required_text("summary", &b.summary, 2000)?;
    let t = readable(&state, actor, &id).await?;
    if !matches!(actor.role, Role::DistrictSupervisor | Role::StreetLeader) {
        return Err(ApiError::forbidden());
    }
    if t.status != "open" {
        return Err(ApiError::new(StatusCode::CONFLICT, "theme_closed"));
    }
    let closed = state.store.close_theme(actor, &id, &summary, state.now()).await?;
    Ok(Json(theme_view(&state, actor, &closed).await?))
}

#[cfg(test)]
mod tests {
    use crate::i18n::{has_key, Lang};

    #[test]
    fn every_proposal_reason_has_a_label_in_both_catalogs() {
        for r in chuishao_domain::frequency::REASONS {
            for lang in [Lang::Zh, Lang::En] {
                assert!(has_key(lang, &format!("proposal-reason-{r}")), "{r} in {lang:?}");
            }
        }
    }
}
