//! 吹哨报到 pages, the lists: the whistle board (`/whistles`) for a street's leaders and
//! dispatchers and for the district, and a department's inbox (`/inbox`). Each summoned
//! department shows where it stands and the time left to its next deadline.
//!
//! The whistle page and its forms are in `whistles_page.rs`, blowing a whistle from a case in
//! `whistles_new.rs`.

use super::error::UiError;
use super::page::{local_time, Ctx, Pager, SelectOption, Tab, Tabs};
use crate::i18n::{self, Lang};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chuishao_domain::case::Visibility;
use chuishao_domain::deadline::DeadlineUnit;
use chuishao_domain::whistle::{self, Summons, Whistle, WhistlePolicy, WhistleStatus};
use chuishao_domain::{CaseId, DeadlineSpec, DepartmentId, Role, Scope, Timestamp};
use chuishao_store::WhistleFilter;
use serde::Deserialize;
use std::collections::HashMap;

const PER_PAGE: u32 = 30;

/// The roles that see whistles by street or district on the board.
pub(super) const BOARD_ROLES: [Role; 4] =
    [Role::StreetLeader, Role::Dispatcher, Role::DistrictSupervisor, Role::Inspector];

// ---- shared by the whistle pages ------------------------------------------------------------

/// Time left to (or past) a deadline in words: `剩 25 分钟`, `已超时 2 小时 5 分钟`.
pub(super) fn span_words(lang: Lang, seconds: i64) -> String {
    let over = seconds < 0;
    // Time left rounds up (one second left is "1 minute left"); time past rounds down.
    let minutes = if over { seconds.unsigned_abs() / 60 } else { seconds.unsigned_abs().div_ceil(60) };
    let (d, h, m) = (minutes / (24 * 60), (minutes / 60) % 24, minutes % 60);
    let prefix = if over { "ui-wh-over-" } else { "ui-wh-left-" };
    let n = |x: u64| x.to_string();
    if minutes < 60 {
        i18n::t(lang, &format!("{prefix}m"), &[("m", n(m))])
    } else if minutes < 48 * 60 {
        i18n::t(lang, &format!("{prefix}hm"), &[("h", n(minutes / 60)), ("m", n(m))])
    } else {
        i18n::t(lang, &format!("{prefix}dh"), &[("d", n(d)), ("h", n(h))])
    }
}

/// A summoned department's next deadline as a countdown.
pub(super) struct Countdown {
    /// Which deadline: 签收时限, 报到时限, 完成时限.
    pub clock: String,
    pub due: String,
    pub words: String,
    pub overdue: bool,
    pub seconds_left: i64,
    /// The deadline in ms since the epoch: the page's script counts down to it (app.js).
    pub due_ms: i64,
}

/// The next unmet deadline of a part whose clocks run (none once it is done, or while a decline
/// waits on the street).
pub(super) fn countdown(ctx: &Ctx, w: &Whistle, s: &Summons, now: Timestamp) -> Option<Countdown> {
    if w.status != WhistleStatus::Active || !s.status.clocks_run() {
        return None;
    }
    let c = s.clocks.iter().find(|c| c.met_at.is_none())?;
    let seconds_left = (c.due - now).num_seconds();
    Some(Countdown {
        clock: ctx.label("clock", c.clock.as_str()),
        due: local_time(c.due),
        words: span_words(ctx.lang, seconds_left),
        overdue: seconds_left < 0,
        seconds_left,
        due_ms: c.due.timestamp_millis(),
    })
}

/// A whistle kind's name in the page language: the catalog's for the standard kinds, else the
/// name the policy table gives.
pub(super) fn kind_name(ctx: &Ctx, kind: &str, stored_name: &str) -> String {
    let key = format!("ui-wh-kind-{kind}");
    if i18n::has_key(ctx.lang, &key) {
        ctx.t(&key)
    } else {
        stored_name.to_string()
    }
}

fn spec_words(lang: Lang, s: &DeadlineSpec) -> String {
    let key = match s.unit {
        DeadlineUnit::Minutes => "ui-wh-spec-m",
        DeadlineUnit::Hours => "ui-wh-spec-h",
        DeadlineUnit::WorkingDays => "ui-wh-spec-wd",
    };
    i18n::t(lang, key, &[("n", s.amount.to_string())])
}

/// A policy's deadlines in words: `签收 1 小时，报到 24 小时，完成 5 个工作日`.
pub(super) fn policy_words(ctx: &Ctx, p: &WhistlePolicy) -> String {
    let mut args = vec![("sign", spec_words(ctx.lang, &p.sign)), ("report", spec_words(ctx.lang, &p.report_in))];
    let key = match &p.complete {
        Some(c) => {
            args.push(("complete", spec_words(ctx.lang, c)));
            "ui-wh-policy"
        }
        // No completion deadline: the departments act as soon as they are there.
        None => "ui-wh-policy-at-once",
    };
    i18n::t(ctx.lang, key, &args)
}

/// Where a whistle is: street, and community when it has one.
pub(super) fn place_of(state: &AppState, w: &Whistle) -> String {
    let names = state.names();
    let mut place = names.name_of(w.street.as_str());
    if let Some(c) = &w.community {
        place = format!("{place} · {}", names.name_of(c.as_str()));
    }
    place
}

pub(super) fn short(text: &str, n: usize) -> String {
    let mut s: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        s.push('…');
    }
    s
}

// ---- the board ------------------------------------------------------------------------------

struct PartCell {
    name: String,
    status: String,
    next: Option<Countdown>,
}

struct BoardRow {
    href: String,
    kind: String,
    status: String,
    overdue: bool,
    case_number: Option<String>,
    case_text: String,
    reason: String,
    place: String,
    blown_at: String,
    parts: Vec<PartCell>,
}

#[derive(Template)]
#[template(path = "whistles.html")]
struct BoardPage<'a> {
    ctx: &'a Ctx,
    view: &'static str,
    tabs: Tabs,
    departments: Vec<SelectOption>,
    rows: Vec<BoardRow>,
    total: u64,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct BoardQuery {
    view: Option<String>,
    department: Option<String>,
    page: Option<String>,
}

/// `GET /whistles?view=active|overdue|closed&department=ID&page=N`
pub async fn board(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BoardQuery>) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    if user.actor.role == Role::DepartmentStaff {
        return Err(UiError::Redirect("/inbox".into()));
    }
    let user = ctx.require_role(&BOARD_ROLES)?;
    let actor = &user.actor;
    let view = match q.view.as_deref() {
        Some("overdue") => "overdue",
        Some("closed") => "closed",
        _ => "active",
    };
    let department = q.department.as_deref().and_then(|d| DepartmentId::parse(d.trim()).ok());
    let page = Pager::page_of(q.page.as_deref());
    let status = match view {
        "closed" => vec![WhistleStatus::Concluded, WhistleStatus::Rejected],
        "overdue" => vec![WhistleStatus::Active],
        _ => vec![WhistleStatus::Active, WhistleStatus::Requested],
    };
    let filter = WhistleFilter {
        status,
        department: department.as_ref().map(|d| d.to_string()),
        overdue: (view == "overdue").then_some(true),
        page,
        per_page: PER_PAGE,
        ..Default::default()
    };
    let d = &actor.district;
    let found = state.store.list_whistles(d, &Visibility::of(actor), &filter).await?;
    // One query for every case on the page.
    let case_ids: Vec<CaseId> = found.items.iter().filter_map(|w| w.case.as_ref().map(|c| c.id)).collect();
    let briefs: HashMap<String, String> =
        state.store.case_briefs(d, &case_ids).await?.into_iter().map(|b| (b.id, b.text)).collect();
    let all_departments = state.store.departments(d).await?;
    let now = state.now();
    let rows = found
        .items
        .iter()
        .map(|w| {
            let parts: Vec<PartCell> = w
                .summons
                .iter()
                .map(|s| PartCell {
                    name: s.name.clone(),
                    status: ctx.label("summons_status", s.status.as_str()),
                    next: countdown(&ctx, w, s, now),
                })
                .collect();
            BoardRow {
                href: format!("/whistles/{}", w.id),
                kind: kind_name(&ctx, &w.kind, &w.kind_name),
                status: ctx.label("whistle_status", w.status.as_str()),
                overdue: parts.iter().any(|p| p.next.as_ref().is_some_and(|n| n.overdue)),
                case_number: w.case.as_ref().map(|c| c.number.clone()),
                case_text: w
                    .case
                    .as_ref()
                    .and_then(|c| briefs.get(&c.id.to_string()))
                    .map(|t| short(t, 40))
                    .unwrap_or_default(),
                reason: short(&w.reason, 60),
                place: place_of(&state, w),
                blown_at: local_time(w.blown_at.unwrap_or(w.created_at)),
                parts,
            }
        })
        .collect();
    let chosen = department.as_ref().map(|d| d.to_string()).unwrap_or_default();
    let departments = all_departments
        .iter()
        .map(|dep| SelectOption {
            value: dep.id.to_string(),
            label: dep.name.clone(),
            selected: dep.id.as_str() == chosen,
        })
        .collect();
    let dept_q = if chosen.is_empty() { String::new() } else { format!("&department={chosen}") };
    let tabs = [("active", "ui-wh-tab-active"), ("overdue", "ui-wh-tab-overdue"), ("closed", "ui-wh-tab-closed")]
        .into_iter()
        .map(|(v, key)| Tab {
            href: format!("/whistles?view={v}{dept_q}"),
            label: ctx.t(key),
            current: v == view,
            count: None,
        })
        .collect();
    let tabs = Tabs { label: ctx.t("ui-wh-tabs"), items: tabs };
    let pager = Pager::new(page, found.total, PER_PAGE, |p| format!("/whistles?view={view}{dept_q}&page={p}"));
    Ok(ctx.page(BoardPage { ctx: &ctx, view, tabs, departments, rows, total: found.total, pager }))
}

// ---- the department inbox -------------------------------------------------------------------

struct InboxRow {
    href: String,
    kind: String,
    case_number: Option<String>,
    reason: String,
    place: String,
    task: String,
    status: String,
    blown_at: String,
    next: Option<Countdown>,
    /// What the department may do now, in words.
    next_steps: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage<'a> {
    ctx: &'a Ctx,
    department: String,
    rows: Vec<InboxRow>,
}

/// `GET /inbox`: the open summons of the signed-in department, most urgent first.
pub async fn inbox(State(state): State<AppState>, ctx: Ctx) -> Result<Response, UiError> {
    let user = ctx.require_role(&[Role::DepartmentStaff])?;
    let actor = &user.actor;
    let Scope::Department { id: department } = &actor.scope else { return Err(UiError::forbidden()) };
    let found = state.store.department_inbox(actor).await?;
    let now = state.now();
    let cal = state.calendar();
    let env = whistle::Env { now, calendar: &cal };
    let mut rows: Vec<InboxRow> = found
        .iter()
        .filter_map(|w| {
            let s = w.summons_of(department)?;
            let steps: Vec<String> = whistle::allowed_actions(w, actor, &env)
                .into_iter()
                .filter(|a| a.department.as_ref() == Some(department))
                .map(|a| ctx.label("whistle_action", a.action.as_str()))
                .collect();
            Some(InboxRow {
                href: format!("/whistles/{}#part-{}", w.id, s.department),
                kind: kind_name(&ctx, &w.kind, &w.kind_name),
                case_number: w.case.as_ref().map(|c| c.number.clone()),
                reason: short(&w.reason, 80),
                place: place_of(&state, w),
                task: s.task.clone(),
                status: ctx.label("summons_status", s.status.as_str()),
                blown_at: local_time(w.blown_at.unwrap_or(w.created_at)),
                next: countdown(&ctx, w, s, now),
                next_steps: steps.join(ctx.t("ui-wh-list-sep").as_str()),
            })
        })
        .collect();
    // Most urgent first; parts without a running clock (a decline waiting on the street) last,
    // newest first among themselves.
    rows.sort_by_key(|r| r.next.as_ref().map(|n| n.seconds_left).unwrap_or(i64::MAX));
    let department = state.names().name_of(department.as_str());
    Ok(ctx.page(InboxPage { ctx: &ctx, department, rows }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_in_minutes_hours_or_days() {
        assert_eq!(span_words(Lang::Zh, 25 * 60), "剩 25 分钟");
        assert_eq!(span_words(Lang::Zh, 1), "剩 1 分钟");
        assert_eq!(span_words(Lang::Zh, -(125 * 60)), "已超时 2 小时 5 分钟");
        assert_eq!(span_words(Lang::Zh, 3 * 24 * 3600 + 3600), "剩 3 天 1 小时");
        assert_eq!(span_words(Lang::En, 25 * 60), "25 min left");
    }

    #[test]
    fn the_key_families_built_at_run_time_are_in_both_catalogs() {
        let mut keys = vec![];
        for p in ["ui-wh-left-", "ui-wh-over-"] {
            keys.extend(["m", "hm", "dh"].map(|s| format!("{p}{s}")));
        }
        keys.extend(["m", "h", "wd"].map(|s| format!("ui-wh-spec-{s}")));
        keys.extend(whistle::default_policies().iter().map(|p| format!("ui-wh-kind-{}", p.kind)));
        for lang in [Lang::Zh, Lang::En] {
            for k in &keys {
                assert!(i18n::has_key(lang, k), "{k} is missing in {lang:?}");
            }
        }
    }
}
