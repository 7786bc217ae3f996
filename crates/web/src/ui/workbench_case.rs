//! `/cases/{id}`: one case as an official works it — the facts (personal data masked, revealed
//! only by the audited reveal-contact action), deadlines with time left, the timeline in words,
//! the router's suggestions and possible duplicates for dispatchers, and a form for every
//! lifecycle action the domain allows this actor now. Actions run through the same store command
//! as the API's, at the version the page was rendered with.

use super::csrf;
use super::error::{FieldErrors, UiError};
use super::page::{local_time, Ctx, SelectOption};
use super::workbench::{
    current_deadline, dispatch_order, item_options, may_dispatch, place_of, refusal, route_case, suggested_target,
    target_groups, time_left, OptionGroup, OrderError,
};
use crate::view::ActorView;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::case::{allowed_actions, can_see, ContactMethod, Env, Satisfaction};
use chuishao_domain::personal::mask_address;
use chuishao_domain::{
    Actor, Case, CaseAction, CaseCommand, CaseError, CaseEvent, CaseEventData, CaseId, FieldError, Role, Scope,
};
use chuishao_routing::duplicates::phone_key;
use chuishao_routing::Probe;
use chuishao_store::{CommandError, StoredEvent};
use serde::Deserialize;
use std::collections::HashMap;

/// One input of an action form.
pub struct FormField {
    pub id: String,
    pub name: &'static str,
    pub label: String,
    /// `textarea`, `text`, `number` or `select`.
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    pub options: Vec<SelectOption>,
    pub groups: Vec<OptionGroup>,
    pub error: Option<String>,
}

/// A form for one lifecycle action.
pub struct ActionForm {
    pub action: &'static str,
    pub label: String,
    pub fields: Vec<FormField>,
    pub open: bool,
}

struct DeadlineRow {
    label: String,
    due: String,
    left: String,
    overdue: bool,
    met: Option<String>,
}

struct TimelineRow {
    at: String,
    title: String,
    who: String,
    detail: String,
}

struct AttachmentRow {
    name: String,
    size: String,
    /// Where its image is served, when its bytes were kept.
    href: Option<String>,
    alt: String,
}

struct Suggestion {
    items: Vec<String>,
    reason: String,
    place: String,
}

struct Revealed {
    name: String,
    phone: String,
    address: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage<'a> {
    ctx: &'a Ctx,
    id: String,
    number: String,
    version: u64,
    status: String,
    kind: String,
    channel: String,
    text: String,
    place: String,
    address: Option<String>,
    reporter: Option<String>,
    duty_item: Option<String>,
    assignee: Option<String>,
    received_at: String,
    round: u32,
    result: Option<String>,
    callback: Option<String>,
    pending_extension: Option<String>,
    termination: Option<String>,
    deadlines: Vec<DeadlineRow>,
    timeline: Vec<TimelineRow>,
    attachments: Vec<AttachmentRow>,
    /// The photo form is offered (the domain allows this actor to attach now).
    may_add_photo: bool,
    suggestion: Option<Suggestion>,
    duplicates: Vec<(String, String)>,
    actions: Vec<ActionForm>,
    whistle_href: Option<String>,
    done: Option<String>,
    error: Option<String>,
    revealed: Option<Revealed>,
}

/// The actions a page offers (the rest are the system's, or need a file upload).
fn offered(a: CaseAction) -> bool {
    !matches!(a, CaseAction::Receive | CaseAction::Tick | CaseAction::RecordWhistle | CaseAction::AddAttachment)
}

fn yes_no(ctx: &Ctx, chosen: &str) -> Vec<SelectOption> {
    [("yes", "ui-case-yes"), ("no", "ui-case-no")]
        .into_iter()
        .map(|(v, k)| SelectOption { value: v.into(), label: ctx.t(k), selected: v == chosen })
        .collect()
}

/// What a failed form sent, to show it again with its message.
#[derive(Default)]
struct Failed {
    action: Option<CaseAction>,
    input: HashMap<String, String>,
    errors: FieldErrors,
}

/// The forms for what this actor may do now, prefilled (a dispatch with the top suggestion).
fn action_forms(
    ctx: &Ctx,
    router: &chuishao_routing::Router,
    case: &Case,
    allowed: &[CaseAction],
    suggestion: Option<&(String, String)>,
    duplicate: Option<&str>,
    failed: &Failed,
) -> Vec<ActionForm> {
    use CaseAction as A;
    let mut forms = vec![];
    for &a in allowed.iter().filter(|a| offered(**a)) {
        let action = a.as_str();
        let mine = failed.action == Some(a);
        let value = |name: &str, default: &str| -> String {
            if mine {
                failed.input.get(name).cloned().unwrap_or_default()
            } else {
                default.to_string()
            }
        };
        let field = |name: &'static str, key: &str, kind: &'static str, required: bool, default: &str| FormField {
            id: format!("{action}-{name}"),
            name,
            label: ctx.t(key),
            kind,
            required,
            value: value(name, default),
            options: vec![],
            groups: vec![],
            error: if mine { failed.errors.get(name).map(str::to_string) } else { None },
        };
        let with_options = |mut f: FormField, options: Vec<SelectOption>| {
            f.options = options;
            f
        };
        let (target, item) = suggestion
            .cloned()
            .unwrap_or_else(|| (String::new(), case.duty_item.as_ref().map(|d| d.code.clone()).unwrap_or_default()));
        let dispatch_fields = |required: bool| {
            let mut t = field("target", "ui-case-target", "select", required, &target);
            t.groups = target_groups(ctx, router, case.street.as_str(), &t.value);
            let mut none = vec![];
            if !required {
                none.push(SelectOption { value: String::new(), label: ctx.t("ui-case-keep-waiting"), selected: false });
            }
            t.options = none;
            let i = field("duty_item", "ui-case-item", "select", required, &item);
            let chosen = i.value.clone();
            let mut item_opts =
                vec![SelectOption { value: String::new(), label: ctx.t("ui-case-choose"), selected: false }];
            item_opts.extend(item_options(router, &chosen));
            vec![t, with_options(i, item_opts)]
        };
        let fields = match a {
            A::AnswerDirectly => vec![field("answer", "ui-case-answer", "textarea", true, "")],
            A::Dispatch => {
                let mut f = dispatch_fields(true);
                f.push(field("note", "ui-case-note", "textarea", false, ""));
                f
            }
            A::ApproveReturn => {
                let mut f = dispatch_fields(false);
                f.push(field("note", "ui-case-note", "textarea", false, ""));
                f
            }
            A::Accept => vec![],
            A::RequestReturn
            | A::RejectReturn
            | A::DenyExtension
            | A::SendBack
            | A::Reopen
            | A::Terminate
            | A::RevealContact => vec![field("reason", "ui-case-reason", "textarea", true, "")],
            A::Contact => {
                let m = field("method", "ui-case-method", "select", true, "phone");
                let chosen = m.value.clone();
                let opts = ["phone", "visit", "sms", "other"]
                    .into_iter()
                    .map(|v| SelectOption {
                        value: v.into(),
                        label: ctx.t(match v {
                            "phone" => "ui-case-method-phone",
                            "visit" => "ui-case-method-visit",
                            "sms" => "ui-case-method-sms",
                            _ => "ui-case-method-other",
                        }),
                        selected: v == chosen,
                    })
                    .collect();
                vec![with_options(m, opts), field("note", "ui-case-note", "textarea", false, "")]
            }
            A::RequestExtension => vec![
                field("days", "ui-case-days", "number", true, "3"),
                field("reason", "ui-case-reason", "textarea", true, ""),
            ],
            A::Resolve => vec![field("result", "ui-case-result", "textarea", true, "")],
            A::GrantExtension | A::Verify | A::Close => vec![field("note", "ui-case-note", "textarea", false, "")],
            A::RecordCallback => {
                let c = field("contacted", "ui-case-contacted", "select", true, "yes");
                let s = field("solved", "ui-case-solved", "select", true, "yes");
                let sat = field("satisfaction", "ui-case-satisfaction", "select", true, "satisfied");
                let chosen = sat.value.clone();
                let sats = ["satisfied", "basically_satisfied", "dissatisfied"]
                    .into_iter()
                    .map(|v| SelectOption {
                        value: v.into(),
                        label: ctx.label("satisfaction", v),
                        selected: v == chosen,
                    })
                    .collect();
                let (cv, sv) = (c.value.clone(), s.value.clone());
                vec![
                    with_options(c, yes_no(ctx, &cv)),
                    with_options(s, yes_no(ctx, &sv)),
                    with_options(sat, sats),
                    field("note", "ui-case-note", "textarea", false, ""),
                ]
            }
            A::Merge => vec![field("into", "ui-case-merge-into", "text", true, duplicate.unwrap_or(""))],
            A::AddNote => vec![field("text", "ui-case-note-text", "textarea", true, "")],
            A::Receive | A::Tick | A::RecordWhistle | A::AddAttachment => continue,
        };
        forms.push(ActionForm { action, label: ctx.label("action", action), fields, open: mine });
    }
    // With nothing failed, the first form with fields stands open: the next step.
    if failed.action.is_none() {
        if let Some(f) = forms.iter_mut().find(|f| !f.fields.is_empty() && f.action != "reveal-contact") {
            f.open = true;
        }
    }
    forms
}

/// What happened, in an official's words: the event's label and its particulars (personal data
/// of the reporter never: it is only in `received`, which shows the channel).
fn timeline_row(ctx: &Ctx, e: &CaseEvent) -> TimelineRow {
    use CaseEventData as E;
    let who = ActorView::of(&e.by, ctx.lang);
    let opt = |n: &Option<String>| n.clone().unwrap_or_default();
    let yes = |b: bool| ctx.t(if b { "ui-case-yes" } else { "ui-case-no" });
    let detail = match &e.data {
        E::Received(n) => ctx.label("channel", n.channel.as_str()),
        E::AnsweredDirectly { answer } => answer.clone(),
        E::Dispatched { assignee, duty_item, response_due, resolution_due, note, redispatch, .. } => {
            let mut s = ctx.t2(
                "ui-case-ev-dispatched",
                "assignee",
                assignee.name(),
                "item",
                &format!("{} {}", duty_item.code, duty_item.name),
            );
            s.push_str(&ctx.t2(
                "ui-case-ev-dues",
                "response",
                &local_time(*response_due),
                "resolution",
                &local_time(*resolution_due),
            ));
            if *redispatch {
                s = format!("{} · {s}", ctx.t("ui-case-ev-redispatch"));
            }
            if let Some(n) = note {
                s = format!("{s} · {n}");
            }
            s
        }
        E::Accepted => String::new(),
        E::ReturnRequested { reason }
        | E::ReturnRejected { reason }
        | E::ExtensionDenied { reason }
        | E::VerificationFailed { reason }
        | E::Reopened { reason }
        | E::Terminated { reason }
        | E::ContactRevealed { reason } => reason.clone(),
        E::ReturnApproved { note } | E::Verified { note } | E::Closed { note } => opt(note),
        E::Contacted { method, note } => {
            let m = match method {
                ContactMethod::Phone => "ui-case-method-phone",
                ContactMethod::Visit => "ui-case-method-visit",
                ContactMethod::Sms => "ui-case-method-sms",
                ContactMethod::Other => "ui-case-method-other",
            };
            [ctx.t(m), opt(note)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")
        }
        E::ExtensionRequested { days, reason } => {
            format!("{} · {reason}", ctx.t1("ui-case-ev-days", "days", &days.to_string()))
        }
        E::ExtensionGranted { days, resolution_due, note, .. } => {
            let s = ctx.t2("ui-case-ev-extended", "days", &days.to_string(), "due", &local_time(*resolution_due));
            [s, opt(note)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")
        }
        E::Resolved { result } => result.clone(),
        E::CallbackRecorded { contacted, solved, satisfaction, note } => {
            let s = format!(
                "{} · {} · {}",
                ctx.labelled(&ctx.t("ui-case-contacted"), &yes(*contacted)),
                ctx.labelled(&ctx.t("ui-case-solved"), &yes(*solved)),
                ctx.label("satisfaction", satisfaction.as_str())
            );
            [s, opt(note)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")
        }
        E::Merged { into_number, .. } => ctx.t1("ui-case-ev-merged", "number", into_number),
        E::NoteAdded { text } => text.clone(),
        E::AttachmentAdded(a) => a.name.clone(),
        E::DeadlineWarning { deadline, due } | E::DeadlineOverdue { deadline, due, .. } => {
            format!("{} {}", ctx.label("deadline", deadline.as_str()), local_time(*due))
        }
        E::WhistleBlown(w) => format!("{} · {}", w.kind_name, w.departments.join(ctx.t("ui-wh-list-sep").as_str())),
        E::WhistleConcluded(w) => format!("{} · {}", w.kind_name, w.summary.clone().unwrap_or_default()),
    };
    TimelineRow {
        at: local_time(e.at),
        title: ctx.label("event", e.data.type_name()),
        who: format!("{} · {}", who.name, who.role_label),
        detail,
    }
}

fn human_size(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1_048_576.0)
    } else if n >= 1024 {
        format!("{:.0} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

/// A street leader or dispatcher of the case's street may blow the whistle from it.
fn may_whistle(actor: &Actor, case: &Case) -> bool {
    case.is_open()
        && matches!(actor.role, Role::StreetLeader | Role::Dispatcher)
        && matches!(&actor.scope, Scope::Street { code } if *code == case.street)
}

/// Loads a case this official may see by id or number; anything else (absent, another scope, a
/// resident) is the same 404 page.
pub(super) async fn visible_case(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<(Case, Vec<StoredEvent>), UiError> {
    if actor.role == Role::Resident {
        return Err(UiError::not_found());
    }
    let id = match CaseId::parse(id) {
        Some(id) => id,
        None if id.len() <= 40 => {
            state.store.case_id_by_number(&actor.district, id.trim()).await?.ok_or_else(UiError::not_found)?
        }
        None => return Err(UiError::not_found()),
    };
    let (case, events) = state.store.load_case(&actor.district, id).await?.ok_or_else(UiError::not_found)?;
    if !can_see(actor, &case) {
        return Err(UiError::not_found());
    }
    Ok((case, events))
}

/// The case page again with a refusal over it (from a form handled elsewhere: the photo's).
pub(super) async fn refused(
    state: &AppState,
    ctx: &Ctx,
    case: &Case,
    events: &[StoredEvent],
    status: StatusCode,
    message: String,
) -> Result<Response, UiError> {
    let out = Outcome { status, done: None, error: Some(message), revealed: None, failed: Failed::default() };
    render(state, ctx, case, events, out).await
}

struct Outcome {
    status: StatusCode,
    done: Option<String>,
    error: Option<String>,
    revealed: Option<Revealed>,
    failed: Failed,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    case: &Case,
    events: &[StoredEvent],
    out: Outcome,
) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    let actor = &user.actor;
    let now = state.now();
    let cal = state.calendar();
    let allowed = allowed_actions(case, actor, &Env { now, calendar: &cal });
    let router = state.routing.router(&state.store, &actor.district).await?;
    // Suggestions and duplicates for whoever may dispatch or merge it now.
    let (mut suggestion, mut proposal, mut duplicates) = (None, None, vec![]);
    if allowed.iter().any(|a| matches!(a, CaseAction::Dispatch | CaseAction::ApproveReturn | CaseAction::Merge))
        && may_dispatch(actor)
    {
        let routed = route_case(&router, case);
        proposal = suggested_target(&routed);
        suggestion = Some(Suggestion {
            items: routed
                .items
                .iter()
                .map(|i| format!("{} {} · {:.0}%", i.code, i.name, i.probability * 100.0))
                .collect(),
            reason: crate::api::route::reason(&routed, ctx.lang),
            place: crate::api::route::place_reason(&routed, ctx.lang),
        });
        let check = state
            .routing
            .check(
                &state.store,
                &actor.district,
                &Probe {
                    text: &case.text,
                    items: routed.items.iter().map(|i| i.code.as_str()).collect(),
                    at: case.location.map(|p| chuishao_routing::LatLon::new(p.lat, p.lon)),
                    received_ms: case.received_at.timestamp_millis(),
                    phone: case.reporter.as_ref().map(|r| phone_key(r.phone.as_str())),
                },
                now,
            )
            .await?;
        let me = case.id.to_string();
        for (id, number) in check
            .duplicates
            .iter()
            .map(|d| (d.id.clone(), d.number.clone()))
            .chain(check.repeat_of.iter().cloned())
            .filter(|(id, _)| *id != me)
        {
            if !duplicates.iter().any(|(i, _): &(String, String)| *i == id) {
                duplicates.push((id, number));
            }
        }
    }
    let likeliest = duplicates.first().map(|(_, n): &(String, String)| n.as_str());
    let actions = action_forms(ctx, &router, case, &allowed, proposal.as_ref(), likeliest, &out.failed);
    let deadlines = case
        .response
        .iter()
        .chain(case.resolution.iter())
        .map(|d| {
            let (left, overdue) = time_left(ctx, d.due, now);
            let current = current_deadline(case).is_some_and(|c| c.kind == d.kind);
            DeadlineRow {
                label: ctx.label("deadline", d.kind.as_str()),
                due: local_time(d.due),
                left: if current { left } else { String::new() },
                overdue: current && overdue,
                met: d.met_at.map(local_time),
            }
        })
        .collect();
    let callback = case.callback.as_ref().map(|cb| {
        let yes = |b: bool| ctx.t(if b { "ui-case-yes" } else { "ui-case-no" });
        format!(
            "{} · {} · {}",
            ctx.labelled(&ctx.t("ui-case-contacted"), &yes(cb.contacted)),
            ctx.labelled(&ctx.t("ui-case-solved"), &yes(cb.solved)),
            ctx.label("satisfaction", cb.satisfaction.as_str())
        )
    });
    let hashes: Vec<&str> = case.attachments.iter().filter_map(|a| a.sha256.as_deref()).collect();
    let stored = state.store.stored_blobs(&case.district, &hashes).await?;
    let page = CasePage {
        ctx,
        id: case.id.to_string(),
        number: case.number.clone(),
        version: case.version,
        status: ctx.label("status", case.status.as_str()),
        kind: ctx.label("kind", case.kind.as_str()),
        channel: ctx.label("channel", case.channel.as_str()),
        text: case.text.clone(),
        place: place_of(state, case),
        address: case.address.as_deref().map(mask_address),
        reporter: case.reporter.as_ref().map(|r| {
            let m = r.masked();
            format!("{} · {}", m.name, m.phone)
        }),
        duty_item: case.duty_item.as_ref().map(|d| format!("{} {}", d.code, d.name)),
        assignee: case.assignee.as_ref().map(|a| a.name().to_string()),
        received_at: local_time(case.received_at),
        round: case.round,
        result: case.result.clone(),
        callback,
        pending_extension: case
            .pending_extension
            .as_ref()
            .map(|p| format!("{} · {}", ctx.t1("ui-case-ev-days", "days", &p.days.to_string()), p.reason)),
        termination: case.termination_reason.clone(),
        deadlines,
        timeline: events.iter().map(|e| timeline_row(ctx, &e.event)).collect(),
        attachments: case
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| AttachmentRow {
                name: a.name.clone(),
                size: human_size(a.size),
                href: a.sha256.as_ref().filter(|s| stored.contains(*s)).map(|s| crate::photo::page_href(case, s)),
                alt: ctx.t2("ui-case-photo-alt", "n", &(i + 1).to_string(), "name", &a.name),
            })
            .collect(),
        may_add_photo: allowed.contains(&CaseAction::AddAttachment),
        suggestion,
        duplicates,
        actions,
        whistle_href: may_whistle(actor, case).then(|| format!("/whistles/new?case={}", case.id)),
        done: out.done,
        error: out.error,
        revealed: out.revealed,
    };
    Ok(ctx.page_with(out.status, page))
}

#[derive(Deserialize)]
pub struct CaseQuery {
    done: Option<String>,
}

/// `GET /cases/{id}` (id or number)
pub async fn case_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    let (case, events) = visible_case(&state, &user.actor, &id).await?;
    let done = q
        .done
        .as_deref()
        .and_then(CaseAction::parse)
        .filter(|a| offered(*a) || *a == CaseAction::AddAttachment)
        .map(|a| ctx.t1("ui-case-done", "action", &ctx.label("action", a.as_str())));
    let out = Outcome { status: StatusCode::OK, done, error: None, revealed: None, failed: Failed::default() };
    render(&state, &ctx, &case, &events, out).await
}

/// The wire name of a form field whose label the visitor sees, for the domain's field errors.
fn label_key(field: &str) -> &'static str {
    match field {
        "answer" => "ui-case-answer",
        "reason" => "ui-case-reason",
        "result" => "ui-case-result",
        "days" => "ui-case-days",
        "text" => "ui-case-note-text",
        "into" => "ui-case-merge-into",
        "target" | "unit" | "department" => "ui-case-target",
        "duty_item" => "ui-case-item",
        _ => "ui-case-note",
    }
}

/// A command from an action form, or the fields at fault.
async fn command_from(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    case: &Case,
    action: CaseAction,
    input: &HashMap<String, String>,
) -> Result<Result<CaseCommand, FieldErrors>, UiError> {
    use CaseAction as A;
    let get = |k: &str| input.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let opt = |k: &str| Some(get(k)).filter(|s| !s.is_empty());
    let mut errors = FieldErrors::default();
    let mut fail = |field: &str, key: &str| errors.add(field, ctx.t(key));
    let cmd = match action {
        A::AnswerDirectly => CaseCommand::AnswerDirectly { answer: get("answer") },
        A::Dispatch | A::ApproveReturn => {
            let (target, item) = (get("target"), get("duty_item"));
            let order = if action == A::ApproveReturn && target.is_empty() && item.is_empty() {
                None
            } else {
                match dispatch_order(state, ctx, &actor.district, &target, &item, None).await {
                    Ok(o) => Some(o),
                    Err(OrderError::Field(f, m)) => {
                        errors.add(f, m);
                        return Ok(Err(errors));
                    }
                    Err(OrderError::Store(e)) => return Err(e),
                }
            };
            match (action, order) {
                (A::Dispatch, Some(mut o)) => {
                    o.note = opt("note");
                    CaseCommand::Dispatch(o)
                }
                (_, redispatch) => CaseCommand::ApproveReturn { note: opt("note"), redispatch },
            }
        }
        A::Accept => CaseCommand::Accept,
        A::RequestReturn => CaseCommand::RequestReturn { reason: get("reason") },
        A::RejectReturn => CaseCommand::RejectReturn { reason: get("reason") },
        A::Contact => {
            let method = match get("method").as_str() {
                "phone" => ContactMethod::Phone,
                "visit" => ContactMethod::Visit,
                "sms" => ContactMethod::Sms,
                "other" => ContactMethod::Other,
                _ => {
                    fail("method", "ui-case-need-choice");
                    ContactMethod::Other
                }
            };
            CaseCommand::Contact { method, note: opt("note") }
        }
        A::RequestExtension => {
            let days = get("days").parse::<u32>().unwrap_or_else(|_| {
                fail("days", "ui-case-need-days");
                0
            });
            CaseCommand::RequestExtension { days, reason: get("reason") }
        }
        A::GrantExtension => CaseCommand::GrantExtension { note: opt("note") },
        A::DenyExtension => CaseCommand::DenyExtension { reason: get("reason") },
        A::Resolve => CaseCommand::Resolve { result: get("result") },
        A::Verify => CaseCommand::Verify { note: opt("note") },
        A::SendBack => CaseCommand::SendBack { reason: get("reason") },
        A::RecordCallback => {
            let mut yes = |k: &str| match get(k).as_str() {
                "yes" => true,
                "no" => false,
                _ => {
                    errors.add(k, ctx.t("ui-case-need-choice"));
                    false
                }
            };
            let (contacted, solved) = (yes("contacted"), yes("solved"));
            let satisfaction = match get("satisfaction").as_str() {
                "satisfied" => Satisfaction::Satisfied,
                "basically_satisfied" => Satisfaction::BasicallySatisfied,
                "dissatisfied" => Satisfaction::Dissatisfied,
                _ => {
                    errors.add("satisfaction", ctx.t("ui-case-need-choice"));
                    Satisfaction::Dissatisfied
                }
            };
            CaseCommand::RecordCallback { contacted, solved, satisfaction, note: opt("note") }
        }
        A::Close => CaseCommand::Close { note: opt("note") },
        A::Reopen => CaseCommand::Reopen { reason: get("reason") },
        A::Terminate => CaseCommand::Terminate { reason: get("reason") },
        A::Merge => {
            let into = get("into");
            let target = match CaseId::parse(&into) {
                Some(id) => Some(id),
                None if !into.is_empty() && into.len() <= 40 => {
                    state.store.case_id_by_number(&actor.district, &into).await?
                }
                None => None,
            };
            let target = match target {
                Some(id) => state.store.load_case(&actor.district, id).await?.map(|(c, _)| c),
                None => None,
            };
            match target.filter(|t| can_see(actor, t)) {
                Some(t) if t.is_open() => CaseCommand::Merge { into: t.id, into_number: t.number },
                Some(_) => {
                    errors.add("into", ctx.t("ui-case-merge-closed"));
                    return Ok(Err(errors));
                }
                None => {
                    errors.add("into", ctx.t("ui-case-merge-unknown"));
                    return Ok(Err(errors));
                }
            }
        }
        A::AddNote => CaseCommand::AddNote { text: get("text") },
        A::RevealContact => CaseCommand::RevealContact { reason: get("reason") },
        A::Receive | A::Tick | A::RecordWhistle | A::AddAttachment => return Err(UiError::not_found()),
    };
    let _ = case;
    Ok(if errors.is_empty() { Ok(cmd) } else { Err(errors) })
}

/// `POST /cases/{id}/actions/{action}`: runs one lifecycle action from its form at the version
/// the page showed; back to the case with `?done=…`, or the page again with the refusal.
pub async fn case_action(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, UiError> {
    let input: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    if !csrf::verify(&headers, input.get(csrf::FIELD).map(String::as_str).unwrap_or("")) {
        return Err(UiError::csrf());
    }
    let user = ctx.require_user()?;
    let actor = &user.actor;
    let action = CaseAction::parse(&action).filter(|a| offered(*a)).ok_or_else(UiError::not_found)?;
    let (case, events) = visible_case(&state, actor, &id).await?;
    let version = input.get("version").and_then(|v| v.trim().parse::<u64>().ok()).ok_or_else(UiError::bad_request)?;
    let failed = |status: StatusCode, error: Option<String>, errors: FieldErrors| Outcome {
        status,
        done: None,
        error,
        revealed: None,
        failed: Failed { action: Some(action), input: input.clone(), errors },
    };
    let command = match command_from(&state, &ctx, actor, &case, action, &input).await? {
        Ok(c) => c,
        Err(errors) => {
            let out = failed(StatusCode::UNPROCESSABLE_ENTITY, Some(ctx.t("ui-case-fix-below")), errors);
            return render(&state, &ctx, &case, &events, out).await;
        }
    };
    let cal = state.calendar();
    match state.store.execute(actor, case.id, &command, Some(version), state.now(), &cal).await {
        Ok(out) => {
            state.routing.note_case(&out.case);
            if action == CaseAction::RevealContact {
                // Shown once, on this answer only: never in an address, a list or a log.
                let revealed = out.case.reporter.as_ref().map(|r| Revealed {
                    name: r.name.as_str().to_string(),
                    phone: r.phone.as_str().to_string(),
                    address: out.case.address.clone().unwrap_or_default(),
                });
                let (case, events) = visible_case(&state, actor, &case.id.to_string()).await?;
                let done = Some(ctx.t1("ui-case-done", "action", &ctx.label("action", action.as_str())));
                let o = Outcome { status: StatusCode::OK, done, error: None, revealed, failed: Failed::default() };
                return render(&state, &ctx, &case, &events, o).await;
            }
            Ok(Redirect::to(&format!("/cases/{}?done={}", case.id, action.as_str())).into_response())
        }
        Err(CommandError::Case(CaseError::Field(f))) | Err(CommandError::Field(f)) => {
            let mut errors = FieldErrors::default();
            let field = match f.field.as_str() {
                "unit" | "department" => "target",
                other => other,
            }
            .to_string();
            let label = ctx.t(label_key(&field));
            errors.add_field_error(&ctx, FieldError { field, ..f }, &label);
            let out = failed(StatusCode::UNPROCESSABLE_ENTITY, Some(ctx.t("ui-case-fix-below")), errors);
            render(&state, &ctx, &case, &events, out).await
        }
        Err(CommandError::Case(CaseError::UnitOutsideStreet)) => {
            let mut errors = FieldErrors::default();
            let message = crate::error::ApiError::from(CaseError::UnitOutsideStreet).message(ctx.lang);
            errors.add("target", message.clone());
            let out = failed(StatusCode::UNPROCESSABLE_ENTITY, Some(message), errors);
            render(&state, &ctx, &case, &events, out).await
        }
        Err(e) => {
            let (status, message) = refusal(&ctx, e)?;
            // Shown over the case as it is now: the stale page's state is gone.
            let (case, events) = visible_case(&state, actor, &case.id.to_string()).await?;
            let mut out = failed(status, Some(message), FieldErrors::default());
            if status == StatusCode::CONFLICT {
                // What they typed stays, but in the form of the fresh page.
                out.failed.errors = FieldErrors::default();
            }
            render(&state, &ctx, &case, &events, out).await
        }
    }
}
