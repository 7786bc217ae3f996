//! `/whistles/new?case={id}`: blowing the whistle from a case (街道吹哨). The form shows the case
//! (masked), the whistle kinds with the deadlines their policy sets, and the district's
//! departments — those the case's duty item names first, checked — each with its task. It is
//! written by the same store path as `POST /api/v1/whistles`, so the case's record shows it.

use super::error::{FieldErrors, UiError};
use super::page::{local_time, Ctx};
use super::whistles::{kind_name, policy_words};
use super::CsrfForm;
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::calendar::local_date;
use chuishao_domain::case::{can_see as can_see_case, Case};
use chuishao_domain::catalog::Owner;
use chuishao_domain::field::required_text;
use chuishao_domain::org::{Department, DepartmentKind};
use chuishao_domain::personal::mask_address;
use chuishao_domain::whistle::{
    self, CaseRef, NewWhistle, SummonsOrder, WhistleCommand, WhistleError, WhistleId, WhistleLevel, WhistlePolicy,
};
use chuishao_domain::{Actor, CaseId, DepartmentId, FieldError, Role};
use chuishao_store::CommandError;
use serde::Deserialize;
use std::collections::HashMap;

struct CaseSummary {
    number: String,
    kind: String,
    status: String,
    text: String,
    place: String,
    address: Option<String>,
    reporter: Option<String>,
    received_at: String,
}

struct KindChoice {
    value: String,
    label: String,
    deadlines: String,
    checked: bool,
}

struct DeptChoice {
    id: String,
    name: String,
    checked: bool,
    task: String,
}

struct DeptGroup {
    legend: String,
    items: Vec<DeptChoice>,
}

#[derive(Template)]
#[template(path = "whistle_new.html")]
struct NewPage<'a> {
    ctx: &'a Ctx,
    case_id: String,
    case: CaseSummary,
    /// Why this case cannot be whistled now, if it cannot.
    blocked: Option<String>,
    kinds: Vec<KindChoice>,
    groups: Vec<DeptGroup>,
    reason: String,
    task: String,
    errors: FieldErrors,
}

/// What the form said (or the defaults when it is first shown).
#[derive(Default)]
struct Input {
    sent: bool,
    kind: String,
    reason: String,
    task: String,
    chosen: Vec<String>,
    tasks: HashMap<String, String>,
}

impl Input {
    fn from_pairs(pairs: &[(String, String)]) -> (String, Input) {
        let mut case = String::new();
        let mut i = Input { sent: true, ..Default::default() };
        for (k, v) in pairs {
            match k.as_str() {
                "case" => case = v.clone(),
                "kind" => i.kind = v.clone(),
                "reason" => i.reason = v.clone(),
                "task" => i.task = v.clone(),
                "department" => i.chosen.push(v.trim().to_string()),
                _ => {
                    if let Some(d) = k.strip_prefix("task-") {
                        i.tasks.insert(d.to_string(), v.clone());
                    }
                }
            }
        }
        (case, i)
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    case: Option<String>,
}

/// The case of the form (id or number): one the viewer may see, else "not found".
async fn case_for(state: &AppState, actor: &Actor, id: &str) -> Result<Case, UiError> {
    // By id, or by the number people read out (as the API takes either).
    let id = match CaseId::parse(id.trim()) {
        Some(id) => id,
        None if id.trim().len() <= 40 => {
            state.store.case_id_by_number(&actor.district, id.trim()).await?.ok_or_else(UiError::not_found)?
        }
        None => return Err(UiError::not_found()),
    };
    let (case, _) = state.store.load_case(&actor.district, id).await?.ok_or_else(UiError::not_found)?;
    if !can_see_case(actor, &case) {
        return Err(UiError::not_found());
    }
    Ok(case)
}

/// The version of each kind in force today, in the table's order.
fn in_force(all: Vec<WhistlePolicy>, today: chrono::NaiveDate) -> Vec<WhistlePolicy> {
    let mut by_kind: Vec<WhistlePolicy> = vec![];
    for p in all.into_iter().filter(|p| p.effective_from <= today) {
        match by_kind.iter_mut().find(|q| q.kind == p.kind) {
            Some(q) if q.version < p.version => *q = p,
            Some(_) => {}
            None => by_kind.push(p),
        }
    }
    by_kind
}

fn level_of(actor: &Actor) -> WhistleLevel {
    if actor.role == Role::DistrictSupervisor {
        WhistleLevel::District
    } else {
        WhistleLevel::Street
    }
}

fn new_whistle(
    actor: &Actor,
    case: &Case,
    policy: WhistlePolicy,
    reason: String,
    departments: Vec<SummonsOrder>,
) -> NewWhistle {
    NewWhistle {
        id: WhistleId(uuid::Uuid::now_v7()),
        district: actor.district.clone(),
        street: case.street.clone(),
        community: case.community.clone(),
        case: Some(CaseRef { id: case.id, number: case.number.clone() }),
        level: level_of(actor),
        policy,
        reason,
        address: None,
        location: None,
        departments,
    }
}

/// Whether the decider lets this viewer blow a whistle on this case at all (asked with sample
/// arguments, as `allowed_actions` does for a whistle's actions).
fn may_blow(state: &AppState, actor: &Actor, case: &Case, policies: &[WhistlePolicy], deps: &[Department]) -> bool {
    let (Some(policy), Some(dep)) = (policies.first(), deps.first()) else { return false };
    let order = SummonsOrder { department: dep.id.clone(), name: dep.name.clone(), task: "—".into() };
    let sample = new_whistle(actor, case, policy.clone(), "—".into(), vec![order]);
    let cal = state.calendar();
    let env = whistle::Env { now: state.now(), calendar: &cal };
    whistle::decide(None, &WhistleCommand::Blow(Box::new(sample)), actor, &env).is_ok()
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    case: &Case,
    input: Input,
    errors: FieldErrors,
) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    let actor = &user.actor;
    let d = &actor.district;
    let policies = in_force(state.store.whistle_policies(d).await?, local_date(state.now()));
    let departments = state.store.departments(d).await?;
    // The departments the case's duty item names as owner or co-operating: the suggestions.
    let mut suggested: Vec<DepartmentId> = vec![];
    if let Some(item) = &case.duty_item {
        if let Some(item) = state.store.duty_item(d, &item.code).await? {
            for o in std::iter::once(&item.owner).chain(item.cooperating.iter()) {
                if let Owner::Department(id) = o {
                    suggested.push(id.clone());
                }
            }
        }
    }
    let blocked = if !case.is_open() {
        Some(ctx.t1("ui-wh-new-case-closed", "status", &ctx.label("status", case.status.as_str())))
    } else if !may_blow(state, actor, case, &policies, &departments) {
        Some(ctx.t("ui-wh-new-not-allowed"))
    } else {
        None
    };
    let chosen_kind = if input.sent {
        input.kind.clone()
    } else if policies.iter().any(|p| p.kind == "enforcement") {
        "enforcement".to_string()
    } else {
        policies.first().map(|p| p.kind.clone()).unwrap_or_default()
    };
    let kinds = policies
        .iter()
        .map(|p| KindChoice {
            value: p.kind.clone(),
            label: kind_name(ctx, &p.kind, &p.name),
            deadlines: policy_words(ctx, p),
            checked: p.kind == chosen_kind,
        })
        .collect();
    let choice = |dep: &Department| DeptChoice {
        id: dep.id.to_string(),
        name: dep.name.clone(),
        checked: if input.sent {
            input.chosen.iter().any(|c| c == dep.id.as_str())
        } else {
            suggested.contains(&dep.id)
        },
        task: input.tasks.get(dep.id.as_str()).cloned().unwrap_or_default(),
    };
    let mut groups = vec![];
    let first: Vec<DeptChoice> = departments.iter().filter(|dep| suggested.contains(&dep.id)).map(choice).collect();
    if !first.is_empty() {
        groups.push(DeptGroup { legend: ctx.t("ui-wh-new-suggested"), items: first });
    }
    for (kind, key) in
        [(DepartmentKind::Department, "ui-wh-new-departments"), (DepartmentKind::Utility, "ui-wh-new-utilities")]
    {
        let items: Vec<DeptChoice> =
            departments.iter().filter(|dep| dep.kind == kind && !suggested.contains(&dep.id)).map(choice).collect();
        if !items.is_empty() {
            groups.push(DeptGroup { legend: ctx.t(key), items });
        }
    }
    let names = state.names();
    let mut place = names.name_of(case.street.as_str());
    if let Some(c) = &case.community {
        place = format!("{place} · {}", names.name_of(c.as_str()));
    }
    let summary = CaseSummary {
        number: case.number.clone(),
        kind: ctx.label("kind", case.kind.as_str()),
        status: ctx.label("status", case.status.as_str()),
        text: case.text.clone(),
        place,
        address: case.address.as_deref().map(mask_address),
        reporter: case.reporter.as_ref().map(|r| {
            let m = r.masked();
            format!("{} · {}", m.name, m.phone)
        }),
        received_at: local_time(case.received_at),
    };
    let page = NewPage {
        ctx,
        case_id: case.id.to_string(),
        case: summary,
        blocked,
        kinds,
        groups,
        reason: input.reason,
        task: input.task,
        errors,
    };
    Ok(ctx.page_with(status, page))
}

/// `GET /whistles/new?case={case_id}`
pub async fn form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewQuery>) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    let case = case_for(&state, &user.actor, q.case.as_deref().unwrap_or("")).await?;
    render(&state, &ctx, StatusCode::OK, &case, Input::default(), FieldErrors::default()).await
}

/// `POST /whistles/new`: blows the whistle; on to its page.
pub async fn blow(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    let actor = &user.actor;
    let (case_id, input) = Input::from_pairs(&pairs);
    let case = case_for(&state, actor, &case_id).await?;
    let d = &actor.district;
    let mut errors = FieldErrors::default();
    if !case.is_open() {
        errors.add("form", ctx.t1("ui-wh-new-case-closed", "status", &ctx.label("status", case.status.as_str())));
    }
    let policy = state.store.policy_in_force(d, input.kind.trim(), local_date(state.now())).await?;
    if policy.is_none() {
        errors.add("kind", ctx.t("ui-wh-new-kind-required"));
    }
    let reason = required_text("reason", &input.reason, 2000)
        .map_err(|e| errors.add_field_error(&ctx, e, &ctx.t("ui-wh-reason")))
        .ok();
    let departments = state.store.departments(d).await?;
    let mut orders = vec![];
    for id in &input.chosen {
        let Some(dep) = departments.iter().find(|dep| dep.id.as_str() == id) else {
            errors.add("departments", ctx.t("ui-wh-new-department-unknown"));
            continue;
        };
        let own = input.tasks.get(id).map(|t| t.trim()).filter(|t| !t.is_empty());
        match own.or(Some(input.task.trim()).filter(|t| !t.is_empty())) {
            Some(task) => {
                orders.push(SummonsOrder { department: dep.id.clone(), name: dep.name.clone(), task: task.to_string() })
            }
            None => errors.add(&format!("task-{id}"), ctx.t1("ui-wh-new-task-required", "department", &dep.name)),
        }
    }
    if input.chosen.is_empty() {
        errors.add("departments", ctx.t("ui-wh-new-departments-required"));
    }
    let (Some(policy), Some(reason), true) = (policy, reason, errors.is_empty()) else {
        return render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, &case, input, errors).await;
    };
    let new = new_whistle(actor, &case, policy, reason, orders);
    let cal = state.calendar();
    match state.store.start_whistle(actor, &WhistleCommand::Blow(Box::new(new)), state.now(), &cal).await {
        Ok(outcome) => {
            tracing::info!(whistle = %outcome.whistle.id, kind = %outcome.whistle.kind, "whistle blown (page)");
            Ok(Redirect::to(&format!("/whistles/{}?done=blow", outcome.whistle.id)).into_response())
        }
        Err(CommandError::Store(s)) => Err(s.into()),
        Err(e) => {
            let api = match e {
                CommandError::Whistle(WhistleError::Field(f)) | CommandError::Field(f) => {
                    // Named as the form names it: a department's task belongs to the group.
                    let (field, label) = match f.field.as_str() {
                        "reason" => ("reason", ctx.t("ui-wh-reason")),
                        _ if f.field.starts_with("departments") => {
                            ("departments", ctx.t("ui-wh-new-departments-legend"))
                        }
                        _ => ("form", ctx.t("ui-wh-new-title")),
                    };
                    errors.add_field_error(&ctx, FieldError { field: field.to_string(), ..f }, &label);
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "field_malformed")
                }
                other => {
                    let api = ApiError::from(other);
                    errors.add("form", api.message(ctx.lang));
                    api
                }
            };
            render(&state, &ctx, api.status, &case, input, errors).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chuishao_domain::DeadlineSpec;

    #[test]
    fn the_newest_version_in_force_of_each_kind_is_offered() {
        let mut later = whistle::default_policies()[1].clone();
        later.version = 2;
        later.sign = DeadlineSpec::minutes(30);
        later.effective_from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut future = later.clone();
        future.version = 3;
        future.effective_from = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let mut all = whistle::default_policies();
        all.extend([later, future]);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let offered = in_force(all, today);
        assert_eq!(offered.len(), 3);
        let enforcement = offered.iter().find(|p| p.kind == "enforcement").unwrap();
        assert_eq!(enforcement.version, 2);
    }
}
