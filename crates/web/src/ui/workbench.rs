//! The workbench (工作台) of dispatchers, unit and department staff and street leaders: their
//! cases in queues by lifecycle stage, with filters, time left to each case's current deadline,
//! and bulk dispatch of undispatched cases. One query for the page and one for its count; the
//! filters' choices come from the district's cached routing directory.

use super::csrf;
use super::error::{FieldErrors, UiError};
use super::page::{local_time, Ctx, Pager, SelectOption, Tab, Tabs};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chuishao_domain::case::{Assignee, Channel, DispatchOrder, Visibility};
use chuishao_domain::catalog::DutyItem;
use chuishao_domain::{calendar, Actor, Case, CaseCommand, CaseId, CaseStatus, Role, Scope, Timestamp};
use chuishao_routing::{OwnerKind, Request as RouteRequest, Router};
use chuishao_store::{CaseFilter, CommandError};
use serde::Deserialize;
use std::collections::HashMap;

const PER_PAGE: u32 = 30;

// ---- shared by the queue and the case page ---------------------------------------------

/// "3 小时" / "2 天": the size of a span, in the largest unit that reads naturally.
fn span(ctx: &Ctx, seconds: i64) -> String {
    let s = seconds.abs();
    if s < 3600 {
        ctx.t1("ui-wb-span-minutes", "n", &(s / 60).max(1).to_string())
    } else if s < 48 * 3600 {
        ctx.t1("ui-wb-span-hours", "n", &(s / 3600).to_string())
    } else {
        ctx.t1("ui-wb-span-days", "n", &(s / 86_400).to_string())
    }
}

/// Time left to `due` ("剩 3 小时"), or how long it is overdue ("超期 2 天"), and whether it is.
pub(super) fn time_left(ctx: &Ctx, due: Timestamp, now: Timestamp) -> (String, bool) {
    let seconds = (due - now).num_seconds();
    if seconds >= 0 {
        (ctx.t1("ui-wb-left", "span", &span(ctx, seconds)), false)
    } else {
        (ctx.t1("ui-wb-over", "span", &span(ctx, seconds)), true)
    }
}

/// The deadline a case is held to now: contact first, then the result.
pub(super) fn current_deadline(c: &Case) -> Option<&chuishao_domain::deadline::Deadline> {
    if !c.is_open() {
        return None;
    }
    c.response.iter().chain(c.resolution.iter()).find(|d| !d.is_met())
}

/// What the time column says of a case: its current deadline, else how long an undispatched
/// case has waited.
fn clock_of(ctx: &Ctx, c: &Case, now: Timestamp) -> (String, bool) {
    match current_deadline(c) {
        Some(d) => time_left(ctx, d.due, now),
        None if matches!(c.status, CaseStatus::Received | CaseStatus::Returned | CaseStatus::Reopened) => {
            // Returned or reopened: waiting since that happened (its last event).
            let since = if c.status == CaseStatus::Received { c.received_at } else { c.updated_at };
            (ctx.t1("ui-wb-waiting", "span", &span(ctx, (now - since).num_seconds())), false)
        }
        None => (String::new(), false),
    }
}

/// `street · community`, by name.
pub(super) fn place_of(state: &AppState, c: &Case) -> String {
    let names = state.names();
    let mut place = names.name_of(c.street.as_str());
    if let Some(cc) = &c.community {
        place = format!("{place} · {}", names.name_of(cc.as_str()));
    }
    place
}

/// The street an actor works in, if one.
fn street_of(actor: &Actor) -> Option<&str> {
    match &actor.scope {
        Scope::Street { code } | Scope::Unit { street: code, .. } => Some(code.as_str()),
        Scope::Community { code, .. } => Some(&code.as_str()[..9]),
        _ => None,
    }
}

/// Who may dispatch at all (the domain decides per case).
pub(super) fn may_dispatch(actor: &Actor) -> bool {
    matches!(actor.role, Role::Dispatcher | Role::StreetLeader | Role::DistrictSupervisor)
}

/// Dispatch targets for cases of `street`: its units, then the district's departments, as
/// `unit:<id>` / `dept:<id>` values.
pub(super) fn target_groups(ctx: &Ctx, router: &Router, street: &str, chosen: &str) -> Vec<OptionGroup> {
    let d = &router.directory;
    let mut units: Vec<SelectOption> = d
        .units
        .iter()
        .filter(|((s, _), _)| s == street)
        .map(|(_, (id, name))| {
            let value = format!("unit:{id}");
            SelectOption { selected: value == chosen, value, label: name.clone() }
        })
        .collect();
    units.sort_by(|a, b| a.value.cmp(&b.value));
    let mut deps: Vec<SelectOption> = d
        .departments
        .iter()
        .map(|(id, name)| {
            let value = format!("dept:{id}");
            SelectOption { selected: value == chosen, value, label: name.clone() }
        })
        .collect();
    deps.sort_by(|a, b| a.value.cmp(&b.value));
    vec![
        OptionGroup { label: ctx.t("ui-wb-units"), options: units },
        OptionGroup { label: ctx.t("ui-wb-departments"), options: deps },
    ]
}

/// The duty catalog as options: `C-055 占道经营`.
pub(super) fn item_options(router: &Router, chosen: &str) -> Vec<SelectOption> {
    router
        .directory
        .items
        .iter()
        .map(|i| SelectOption {
            value: i.code.clone(),
            label: format!("{} {}", i.code, i.name),
            selected: i.code == chosen,
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct OptionGroup {
    pub label: String,
    pub options: Vec<SelectOption>,
}

/// Why a dispatch could not be put together from a form, by field.
pub(super) enum OrderError {
    Field(&'static str, String),
    Store(UiError),
}

/// A dispatch order from a target (`unit:<id>` / `dept:<id>`) and a duty item code, checked
/// against the store (the unit's street is checked by the domain).
pub(super) async fn dispatch_order(
    state: &AppState,
    ctx: &Ctx,
    district: &chuishao_domain::DistrictCode,
    target: &str,
    item: &str,
    note: Option<String>,
) -> Result<DispatchOrder, OrderError> {
    let store_err = |e: chuishao_store::StoreError| OrderError::Store(e.into());
    let item_code = item.trim();
    if item_code.is_empty() {
        return Err(OrderError::Field("duty_item", ctx.t("ui-case-need-item")));
    }
    let item: DutyItem = state
        .store
        .duty_item(district, item_code)
        .await
        .map_err(store_err)?
        .ok_or_else(|| OrderError::Field("duty_item", ctx.t("ui-case-need-item")))?;
    let unknown = || OrderError::Field("target", ctx.t("ui-case-need-target"));
    let assignee = match target.trim().split_once(':') {
        Some(("unit", id)) => {
            let id = chuishao_domain::UnitId::parse(id).map_err(|_| unknown())?;
            Assignee::from(state.store.unit(district, &id).await.map_err(store_err)?.ok_or_else(unknown)?)
        }
        Some(("dept", id)) => {
            let id = chuishao_domain::DepartmentId::parse(id).map_err(|_| unknown())?;
            Assignee::from(state.store.department(district, &id).await.map_err(store_err)?.ok_or_else(unknown)?)
        }
        _ => return Err(unknown()),
    };
    Ok(DispatchOrder { assignee, duty: item.terms(), note })
}

/// The router's proposal for a case: its top items, the owner and the item chosen by. The case
/// is placed already (at intake), so its street and community stand, not its point: an owner
/// must be of the case's street.
pub(super) fn route_case(router: &Router, c: &Case) -> chuishao_routing::Routed {
    router.route(&RouteRequest {
        text: &c.text,
        at: None,
        address: None,
        street: Some(c.street.as_str()),
        community: c.community.as_ref().map(|cc| cc.as_str()),
    })
}

/// The proposal as form values: (`unit:<id>` / `dept:<id>`, item code); none when the router
/// leaves it to the district (兜底).
pub(super) fn suggested_target(r: &chuishao_routing::Routed) -> Option<(String, String)> {
    let item = r.item.as_ref()?;
    let target = match r.owner.kind {
        OwnerKind::Unit => format!("unit:{}", r.owner.id),
        OwnerKind::Department => format!("dept:{}", r.owner.id),
        OwnerKind::District => return None,
    };
    Some((target, item.code.clone()))
}

/// A refused command in the visitor's words, with its status.
pub(super) fn refusal(ctx: &Ctx, e: CommandError) -> Result<(StatusCode, String), UiError> {
    if let CommandError::StaleVersion { .. } = e {
        return Ok((StatusCode::CONFLICT, ctx.t("ui-case-stale")));
    }
    let api = crate::error::ApiError::from(e);
    if api.status.is_server_error() {
        return Err(UiError::internal());
    }
    Ok((api.status, api.message(ctx.lang)))
}

// ---- the queues --------------------------------------------------------------------------

/// The queues: each a set of statuses (or the overdue flag), named by its tab.
const QUEUES: [(&str, &str); 7] = [
    ("dispatch", "ui-wb-tab-dispatch"),
    ("accept", "ui-wb-tab-accept"),
    ("handling", "ui-wb-tab-handling"),
    ("verify", "ui-wb-tab-verify"),
    ("callback", "ui-wb-tab-callback"),
    ("overdue", "ui-wb-tab-overdue"),
    ("all", "ui-wb-tab-all"),
];

fn statuses_of(queue: &str) -> Vec<CaseStatus> {
    use CaseStatus as S;
    match queue {
        "dispatch" => vec![S::Received, S::Returned, S::Reopened],
        "accept" => vec![S::Dispatched],
        "handling" => vec![S::Accepted, S::Contacted, S::ReturnRequested],
        "verify" => vec![S::Resolved],
        "callback" => vec![S::Verified, S::Answered, S::CallbackRecorded],
        "overdue" => S::ALL.into_iter().filter(|s| !s.is_terminal()).collect(),
        _ => vec![],
    }
}

/// How many cases a queue holds, from the counts per status (cases, of them overdue): what its
/// list would total under the same filters.
fn queue_count(queue: &str, by_status: &[(String, u64, u64)]) -> u64 {
    let statuses = statuses_of(queue);
    let listed = |s: &str| statuses.is_empty() || statuses.iter().any(|x| x.as_str() == s);
    by_status.iter().filter(|(s, _, _)| listed(s)).map(|(_, n, late)| if queue == "overdue" { *late } else { *n }).sum()
}

/// Where each role starts: the stage that waits for them.
fn default_queue(role: Role) -> &'static str {
    match role {
        Role::Dispatcher => "dispatch",
        Role::UnitStaff | Role::DepartmentStaff => "accept",
        Role::StreetLeader => "handling",
        _ => "all",
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    pub(super) view: Option<String>,
    pub(super) q: Option<String>,
    pub(super) street: Option<String>,
    pub(super) community: Option<String>,
    pub(super) duty_item: Option<String>,
    pub(super) channel: Option<String>,
    pub(super) assignee: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) page: Option<String>,
}

/// The filters as the visitor set them (to fill the form and keep them across tabs and pages).
#[derive(Default)]
struct Filters {
    q: String,
    street: String,
    community: String,
    duty_item: String,
    channel: String,
    assignee: String,
    from: String,
    to: String,
}

impl Filters {
    fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("street", &self.street),
            ("community", &self.community),
            ("duty_item", &self.duty_item),
            ("channel", &self.channel),
            ("assignee", &self.assignee),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }
}

struct Row {
    id: String,
    number: String,
    status: String,
    kind: String,
    text: String,
    place: String,
    assignee: String,
    received_at: String,
    clock: String,
    overdue: bool,
    /// Undispatched: may be ticked for bulk dispatch (`id@version`).
    pick: Option<String>,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage<'a> {
    ctx: &'a Ctx,
    tabs: Tabs,
    view: &'static str,
    filters: Filters,
    errors: FieldErrors,
    streets: Vec<SelectOption>,
    communities: Vec<SelectOption>,
    items: Vec<SelectOption>,
    channels: Vec<SelectOption>,
    assignees: Vec<OptionGroup>,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
    /// Bulk dispatch is offered (the dispatch queue, a dispatching role, something to pick).
    bulk: bool,
    bulk_targets: Vec<OptionGroup>,
}

fn trimmed(s: &Option<String>) -> String {
    s.as_deref().map(str::trim).unwrap_or("").chars().take(200).collect()
}

fn options(pairs: Vec<(String, String)>, chosen: &str) -> Vec<SelectOption> {
    pairs.into_iter().map(|(value, label)| SelectOption { selected: value == chosen, value, label }).collect()
}

/// `GET /my` for officials: the workbench.
pub async fn queue(state: &AppState, ctx: &Ctx, q: QueueQuery) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    let actor = &user.actor;
    let view = q
        .view
        .as_deref()
        .and_then(|v| QUEUES.iter().find(|(k, _)| *k == v).map(|(k, _)| *k))
        .unwrap_or_else(|| default_queue(actor.role));
    let page = Pager::page_of(q.page.as_deref());
    let filters = Filters {
        q: trimmed(&q.q),
        street: trimmed(&q.street),
        community: trimmed(&q.community),
        duty_item: trimmed(&q.duty_item),
        // A channel the catalog does not know filters nothing (the form offers only known ones).
        channel: Channel::parse(&trimmed(&q.channel)).map(|c| c.as_str().to_string()).unwrap_or_default(),
        assignee: trimmed(&q.assignee),
        from: trimmed(&q.from),
        to: trimmed(&q.to),
    };
    let mut errors = FieldErrors::default();
    let day = |field: &str, s: &str, errors: &mut FieldErrors| -> Option<chrono::NaiveDate> {
        if s.is_empty() {
            return None;
        }
        let d = calendar::parse_day(s);
        if d.is_none() {
            errors.add(field, ctx.t("ui-wb-bad-date"));
        }
        d
    };
    let from = day("from", &filters.from, &mut errors).map(calendar::start_of_day);
    let to = day("to", &filters.to, &mut errors).and_then(|d| d.succ_opt()).map(calendar::start_of_day);
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let filter = CaseFilter {
        status: statuses_of(view),
        street: some(&filters.street),
        community: some(&filters.community),
        assignee: some(filters.assignee.split_once(':').map(|(_, id)| id).unwrap_or(&filters.assignee)),
        duty_item: some(&filters.duty_item),
        channel: some(&filters.channel),
        overdue: (view == "overdue").then_some(true),
        q: some(&filters.q),
        from,
        to,
        page,
        per_page: PER_PAGE,
    };
    let visibility = Visibility::of(actor);
    // The page, and every queue's count under the same filters in one grouped query.
    let (found, by_status) = tokio::try_join!(
        state.store.list_cases(&actor.district, &visibility, &filter),
        state.store.count_by_status(&actor.district, &visibility, &filter),
    )?;
    let now = state.now();
    let bulk = view == "dispatch" && may_dispatch(actor);
    let rows: Vec<Row> = found
        .items
        .iter()
        .map(|c| {
            let (clock, overdue) = clock_of(ctx, c, now);
            let pickable = matches!(c.status, CaseStatus::Received | CaseStatus::Returned | CaseStatus::Reopened);
            Row {
                id: c.id.to_string(),
                number: c.number.clone(),
                status: ctx.label("status", c.status.as_str()),
                kind: ctx.label("kind", c.kind.as_str()),
                text: c.text.chars().take(60).collect(),
                place: place_of(state, c),
                assignee: c.assignee.as_ref().map(|a| a.name().to_string()).unwrap_or_default(),
                received_at: local_time(c.received_at),
                clock,
                overdue: overdue || c.is_overdue(),
                pick: (bulk && pickable).then(|| format!("{}@{}", c.id, c.version)),
            }
        })
        .collect();
    // The filters' choices, from the cached directory (no query).
    let router = state.routing.router(&state.store, &actor.district).await?;
    let d = &router.directory;
    let home_street = street_of(actor).map(str::to_string);
    let district_wide = home_street.is_none();
    let mut streets: Vec<(String, String)> = d.streets.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    streets.sort();
    let mut communities: Vec<(String, String)> = d
        .communities
        .iter()
        .filter(|(code, _)| home_street.as_deref().is_none_or(|s| code.starts_with(s)))
        .filter(|(code, _)| filters.street.is_empty() || code.starts_with(filters.street.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    communities.sort();
    let assignees = match actor.role {
        // Their own unit or department: nothing to choose.
        Role::UnitStaff | Role::DepartmentStaff => vec![],
        _ => {
            let street = home_street.clone().unwrap_or_else(|| filters.street.clone());
            let mut groups = target_groups(ctx, &router, &street, &filters.assignee);
            if street.is_empty() {
                groups.remove(0);
            }
            groups
        }
    };
    let bulk_targets = match (&home_street, bulk) {
        (Some(s), true) => target_groups(ctx, &router, s, ""),
        _ => vec![],
    };
    let fq = filters.query();
    let amp = if fq.is_empty() { String::new() } else { format!("&{fq}") };
    let pager = Pager::new(page, found.total, PER_PAGE, |p| format!("/my?view={view}{amp}&page={p}"));
    let tabs = QUEUES
        .iter()
        .map(|(v, key)| Tab {
            href: format!("/my?view={v}{amp}"),
            label: ctx.t(key),
            current: *v == view,
            count: Some(queue_count(v, &by_status)),
        })
        .collect();
    let tabs = Tabs { label: ctx.t("ui-wb-queues"), items: tabs };
    let channels = Channel::ALL
        .iter()
        .map(|c| SelectOption {
            value: c.as_str().to_string(),
            label: ctx.label("channel", c.as_str()),
            selected: c.as_str() == filters.channel,
        })
        .collect();
    let bulk = bulk && rows.iter().any(|r| r.pick.is_some());
    let page_view = WorkbenchPage {
        ctx,
        tabs,
        view,
        streets: if district_wide { options(streets, &filters.street) } else { vec![] },
        communities: options(communities, &filters.community),
        items: item_options(&router, &filters.duty_item),
        channels,
        assignees,
        filters,
        errors,
        rows,
        total: found.total,
        pager,
        bulk,
        bulk_targets,
    };
    Ok(ctx.page(page_view))
}

// ---- bulk dispatch -----------------------------------------------------------------------

struct BulkRow {
    id: String,
    number: String,
    ok: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "workbench_bulk.html")]
struct BulkPage<'a> {
    ctx: &'a Ctx,
    error: Option<String>,
    rows: Vec<BulkRow>,
    done: usize,
    failed: usize,
}

/// `POST /my/bulk-dispatch`: dispatches each ticked case on its own — to one chosen owner under
/// one duty item, or each to the router's proposal — and reports case by case. Each case is one
/// command in one transaction, at the version the list showed: nothing is half-done.
pub async fn bulk_dispatch(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, UiError> {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str()).unwrap_or("");
    if !csrf::verify(&headers, get(csrf::FIELD)) {
        return Err(UiError::csrf());
    }
    let user = ctx.require_user()?;
    if !may_dispatch(&user.actor) {
        return Err(UiError::forbidden());
    }
    let actor = &user.actor;
    let picked: Vec<&str> = fields.iter().filter(|(k, _)| k == "case").map(|(_, v)| v.as_str()).take(200).collect();
    let suggested = get("mode") == "suggested";
    let page = |status: StatusCode, error: Option<String>, rows: Vec<BulkRow>| {
        let done = rows.iter().filter(|r| r.ok).count();
        let failed = rows.len() - done;
        ctx.page_with(status, BulkPage { ctx: &ctx, error, rows, done, failed })
    };
    if picked.is_empty() {
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, Some(ctx.t("ui-wb-bulk-none")), vec![]));
    }
    // One owner for all: checked once, before any case is touched.
    let common = if suggested {
        None
    } else {
        match dispatch_order(&state, &ctx, &actor.district, get("target"), get("duty_item"), None).await {
            Ok(o) => Some(o),
            Err(OrderError::Field(_, m)) => return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, Some(m), vec![])),
            Err(OrderError::Store(e)) => return Err(e),
        }
    };
    let router = state.routing.router(&state.store, &actor.district).await?;
    let cal = state.calendar();
    let mut rows = vec![];
    let mut cache: HashMap<String, DispatchOrder> = HashMap::new();
    for p in picked {
        let (id, version) = p.split_once('@').unwrap_or((p, ""));
        let (Some(id), Ok(version)) = (CaseId::parse(id), version.parse::<u64>()) else {
            return Err(UiError::bad_request());
        };
        let Some((case, _)) = state.store.load_case(&actor.district, id).await? else {
            rows.push(BulkRow {
                id: id.to_string(),
                number: id.to_string(),
                ok: false,
                message: ctx.t("ui-case-gone"),
            });
            continue;
        };
        if !chuishao_domain::case::can_see(actor, &case) {
            rows.push(BulkRow {
                id: id.to_string(),
                number: id.to_string(),
                ok: false,
                message: ctx.t("ui-case-gone"),
            });
            continue;
        }
        let mut row =
            BulkRow { id: case.id.to_string(), number: case.number.clone(), ok: false, message: String::new() };
        // The domain also allows redispatching a dispatched case; a bulk dispatch of the
        // waiting queue must not do that behind anyone's back.
        if !matches!(case.status, CaseStatus::Received | CaseStatus::Returned | CaseStatus::Reopened) {
            row.message = ctx.t1("ui-wb-bulk-not-waiting", "status", &ctx.label("status", case.status.as_str()));
            rows.push(row);
            continue;
        }
        let order = match &common {
            Some(o) => o.clone(),
            None => {
                let Some((target, item)) = suggested_target(&route_case(&router, &case)) else {
                    row.message = ctx.t("ui-wb-bulk-no-suggestion");
                    rows.push(row);
                    continue;
                };
                let key = format!("{target}|{item}");
                match cache.get(&key) {
                    Some(o) => o.clone(),
                    None => match dispatch_order(&state, &ctx, &actor.district, &target, &item, None).await {
                        Ok(o) => {
                            cache.insert(key, o.clone());
                            o
                        }
                        Err(OrderError::Field(_, m)) => {
                            row.message = m;
                            rows.push(row);
                            continue;
                        }
                        Err(OrderError::Store(e)) => return Err(e),
                    },
                }
            }
        };
        let to = format!("{} · {} {}", order.assignee.name(), order.duty.code, order.duty.name);
        match state.store.execute(actor, case.id, &CaseCommand::Dispatch(order), Some(version), state.now(), &cal).await
        {
            Ok(out) => {
                state.routing.note_case(&out.case);
                row.ok = true;
                row.message = ctx.t1("ui-wb-bulk-dispatched", "to", &to);
            }
            Err(e) => row.message = refusal(&ctx, e)?.1,
        }
        rows.push(row);
    }
    Ok(page(StatusCode::OK, None, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn time_left_reads_in_the_largest_natural_unit() {
        let ctx = Ctx::bare(Lang::Zh, "/my");
        let now = chrono::Utc::now();
        let h = chrono::Duration::hours;
        assert_eq!(time_left(&ctx, now + h(3) + chrono::Duration::minutes(5), now), ("剩 3 小时".into(), false));
        assert_eq!(time_left(&ctx, now - h(50), now), ("超期 2 天".into(), true));
        assert_eq!(time_left(&ctx, now + chrono::Duration::seconds(20), now).0, "剩 1 分钟");
        let en = Ctx::bare(Lang::En, "/my");
        assert_eq!(time_left(&en, now + h(5), now).0, "5 h left");
        assert_eq!(time_left(&en, now - h(72), now).0, "3 days overdue");
    }
}
