//! `/my`: a resident's own requests, newest first — one query for the page and one for the
//! count. Officials get their workbench at the same address (see [`super::workbench`]).

use super::error::UiError;
use super::page::{local_time, Ctx, Pager, Tab, Tabs};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chuishao_domain::case::Visibility;
use chuishao_domain::CaseStatus;
use chuishao_store::CaseFilter;

const PER_PAGE: u32 = 30;

struct Row {
    number: String,
    kind: String,
    status: String,
    text: String,
    place: String,
    assignee: String,
    received_at: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage<'a> {
    ctx: &'a Ctx,
    resident: bool,
    tabs: Tabs,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
}

/// `GET /my?view=…&page=N`: a resident's requests (`view=open|overdue|all`), an official's
/// workbench (the queues and filters of [`super::workbench::queue`]).
pub async fn my_work(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::workbench::QueueQuery>,
) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    if !user.is_resident() {
        return super::workbench::queue(&state, &ctx, q).await;
    }
    let view = match q.view.as_deref() {
        Some("overdue") => "overdue",
        Some("all") => "all",
        _ => "open",
    };
    let page = Pager::page_of(q.page.as_deref());
    let filter = CaseFilter {
        status: if view == "all" { vec![] } else { CaseStatus::ALL.into_iter().filter(|s| !s.is_terminal()).collect() },
        overdue: (view == "overdue").then_some(true),
        page,
        per_page: PER_PAGE,
        ..Default::default()
    };
    let actor = &user.actor;
    let found = state.store.list_cases(&actor.district, &Visibility::of(actor), &filter).await?;
    let names = state.names();
    let rows = found
        .items
        .iter()
        .map(|c| {
            let mut place = names.name_of(c.street.as_str());
            if let Some(cc) = &c.community {
                place = format!("{place} · {}", names.name_of(cc.as_str()));
            }
            Row {
                number: c.number.clone(),
                kind: ctx.label("kind", c.kind.as_str()),
                status: ctx.label("status", c.status.as_str()),
                text: c.text.chars().take(60).collect(),
                place,
                assignee: c.assignee.as_ref().map(|a| a.name().to_string()).unwrap_or_default(),
                received_at: local_time(c.received_at),
                due: c.resolution.as_ref().filter(|d| !d.is_met()).map(|d| local_time(d.due)).unwrap_or_default(),
                overdue: c.is_overdue(),
            }
        })
        .collect();
    let pager = Pager::new(page, found.total, PER_PAGE, |p| format!("/my?view={view}&page={p}"));
    let tabs = [("open", "ui-my-tab-open"), ("overdue", "ui-my-tab-overdue"), ("all", "ui-my-tab-all")]
        .into_iter()
        .map(|(v, key)| Tab { href: format!("/my?view={v}"), label: ctx.t(key), current: v == view, count: None })
        .collect();
    let tabs = Tabs { label: ctx.t("ui-my-tabs"), items: tabs };
    let resident = user.is_resident();
    let page_view = MyWorkPage { ctx: &ctx, resident, tabs, rows, total: found.total, pager };
    Ok(ctx.page(page_view))
}
