//! `/whistles/{id}`: one whistle — its case, each summoned department's part with its deadlines
//! and timeline — and the forms of what the viewer may do now, as the decider says
//! (`whistle::allowed_actions`). A form posts to `/whistles/{id}/actions/{action}` with the
//! version it was shown at; a refusal shows the domain's message on the page and writes nothing.

use super::error::{FieldErrors, UiError};
use super::page::{local_time, Ctx, SelectOption};
use super::whistles::{countdown, kind_name, place_of, policy_words, span_words, Countdown};
use super::CsrfForm;
use crate::error::ApiError;
use crate::view::ActorView;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::case::{can_see as can_see_case, Satisfaction};
use chuishao_domain::personal::mask_address;
use chuishao_domain::whistle::{
    self, ReportMode, Whistle, WhistleAction, WhistleCommand, WhistleError, WhistleEventData, WhistleId,
};
use chuishao_domain::DepartmentId;
use chuishao_store::{CommandError, StoredWhistleEvent};
use serde::Deserialize;

/// One line of a timeline.
struct Line {
    at: String,
    text: String,
    who: String,
}

struct ClockRow {
    label: String,
    due: String,
    state: String,
    late: bool,
    /// Set while the clock runs: the page's script counts down to it.
    due_ms: Option<i64>,
}

/// One field of an action form.
struct FormField {
    id: String,
    name: &'static str,
    label: String,
    /// `text`, `textarea` or `radio`
    kind: &'static str,
    required: bool,
    value: String,
    options: Vec<SelectOption>,
    error: Option<String>,
}

/// One action form.
struct ActForm {
    id: String,
    action: &'static str,
    department: String,
    title: String,
    /// `h3` on the whistle, `h4` inside a department's section.
    heading: &'static str,
    fields: Vec<FormField>,
    /// Tucked into a disclosure: actions that turn a part away (decline, escalate, reject).
    secondary: bool,
    error: Option<String>,
}

struct PartView {
    anchor: String,
    name: String,
    task: String,
    status: String,
    next: Option<Countdown>,
    clocks: Vec<ClockRow>,
    decline_reason: Option<String>,
    rating: Option<String>,
    timeline: Vec<Line>,
    forms: Vec<ActForm>,
}

struct CaseInfo {
    number: String,
    text: Option<String>,
    address: Option<String>,
}

#[derive(Template)]
#[template(path = "whistle.html")]
struct WhistlePage<'a> {
    ctx: &'a Ctx,
    id: String,
    /// The version the forms act on (`expected_version`).
    version: u64,
    kind: String,
    status: String,
    level: String,
    place: String,
    case: Option<CaseInfo>,
    reason: String,
    address: Option<String>,
    blown_at: Option<String>,
    created_at: String,
    concluded_at: Option<String>,
    summary: Option<String>,
    rejection_reason: Option<String>,
    policy: String,
    notice: Option<String>,
    error: Option<String>,
    parts: Vec<PartView>,
    forms: Vec<ActForm>,
    timeline: Vec<Line>,
}

/// What a sent form said, kept to show it again with its messages.
#[derive(Debug, Default, Deserialize)]
pub struct ActInput {
    expected_version: Option<String>,
    department: Option<String>,
    who: Option<String>,
    mode: Option<String>,
    note: Option<String>,
    text: Option<String>,
    reason: Option<String>,
    satisfaction: Option<String>,
    comment: Option<String>,
    summary: Option<String>,
}

impl ActInput {
    fn value(&self, name: &str) -> String {
        let v = match name {
            "who" => &self.who,
            "mode" => &self.mode,
            "note" => &self.note,
            "text" => &self.text,
            "reason" => &self.reason,
            "satisfaction" => &self.satisfaction,
            "comment" => &self.comment,
            "summary" => &self.summary,
            _ => &None,
        };
        v.clone().unwrap_or_default()
    }
}

/// A form sent back with what went wrong.
struct Failed<'a> {
    action: WhistleAction,
    department: Option<&'a DepartmentId>,
    input: &'a ActInput,
    errors: FieldErrors,
}

/// The text field of an action, in the catalog's words: (field name, label key, textarea, required).
fn fields_of(action: WhistleAction) -> &'static [(&'static str, &'static str, bool, bool)] {
    use WhistleAction as A;
    match action {
        A::ReportIn => &[("who", "ui-wh-f-who", false, true), ("note", "ui-wh-f-note", true, false)],
        A::RecordAction => &[("text", "ui-wh-f-action-text", true, true)],
        A::Finish => &[("note", "ui-wh-f-result", true, false)],
        A::Decline => &[("reason", "ui-wh-f-decline-reason", true, true)],
        A::Excuse | A::Escalate | A::Approve => &[("note", "ui-wh-f-note", true, false)],
        A::Reject => &[("reason", "ui-wh-f-reject-reason", true, true)],
        A::Conclude => &[("summary", "ui-wh-f-summary", true, true)],
        A::Rate => &[("comment", "ui-wh-f-comment", true, false)],
        _ => &[],
    }
}

fn field_label(ctx: &Ctx, action: WhistleAction, field: &str) -> String {
    match field {
        "mode" => ctx.t("ui-wh-f-mode"),
        "satisfaction" => ctx.t("ui-wh-f-satisfaction"),
        _ => fields_of(action).iter().find(|(n, ..)| *n == field).map(|(_, k, ..)| ctx.t(k)).unwrap_or_default(),
    }
}

fn act_form(ctx: &Ctx, action: WhistleAction, department: Option<&DepartmentId>, failed: Option<&Failed>) -> ActForm {
    let dept = department.map(|d| d.to_string()).unwrap_or_default();
    let id = if dept.is_empty() { format!("f-{action}") } else { format!("f-{action}-{dept}") };
    let mine = failed.filter(|f| f.action == action && f.department == department);
    let value = |name: &str| mine.map(|f| f.input.value(name)).unwrap_or_default();
    let error = |name: &str| mine.and_then(|f| f.errors.get(name).map(str::to_string));
    let mut fields = vec![];
    let radio = |name: &'static str, options: Vec<(String, String)>, default: &str| {
        let chosen = Some(value(name)).filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string());
        FormField {
            id: format!("{id}-{name}"),
            name,
            label: field_label(ctx, action, name),
            kind: "radio",
            required: true,
            value: String::new(),
            options: options
                .into_iter()
                .map(|(v, label)| SelectOption { selected: v == chosen, value: v, label })
                .collect(),
            error: error(name),
        }
    };
    if action == WhistleAction::ReportIn {
        let modes = [ReportMode::OnSite, ReportMode::Meeting]
            .map(|m| (m.as_str().to_string(), ctx.label("report_mode", m.as_str())))
            .to_vec();
        fields.push(radio("mode", modes, ReportMode::OnSite.as_str()));
    }
    if action == WhistleAction::Rate {
        let levels = [Satisfaction::Satisfied, Satisfaction::BasicallySatisfied, Satisfaction::Dissatisfied]
            .map(|s| (s.as_str().to_string(), ctx.label("satisfaction", s.as_str())))
            .to_vec();
        fields.push(radio("satisfaction", levels, Satisfaction::Satisfied.as_str()));
    }
    for (name, key, textarea, required) in fields_of(action) {
        fields.push(FormField {
            id: format!("{id}-{name}"),
            name,
            label: ctx.t(key),
            kind: if *textarea { "textarea" } else { "text" },
            required: *required,
            value: value(name),
            options: vec![],
            error: error(name),
        });
    }
    ActForm {
        id,
        action: action.as_str(),
        department: dept,
        title: ctx.label("whistle_action", action.as_str()),
        heading: if department.is_some() { "h4" } else { "h3" },
        fields,
        secondary: matches!(action, WhistleAction::Decline | WhistleAction::Escalate | WhistleAction::Reject),
        error: mine.and_then(|f| f.errors.get("form").map(str::to_string)),
    }
}

/// What an event says, in words, and the department it concerns.
fn event_line(ctx: &Ctx, w: &Whistle, e: &StoredWhistleEvent) -> (Option<DepartmentId>, Line) {
    use WhistleEventData as E;
    let ev = &e.event;
    let label = ctx.label("whistle_event", ev.data.type_name());
    let with = |detail: &str| if detail.is_empty() { label.clone() } else { ctx.labelled(&label, detail) };
    let opt = |s: &Option<String>| with(s.as_deref().unwrap_or(""));
    let name_of = |d: &DepartmentId| w.summons_of(d).map(|s| s.name.clone()).unwrap_or_else(|| d.to_string());
    let (department, text) = match &ev.data {
        E::Requested(new) | E::Blown { whistle: new, .. } => {
            let names: Vec<&str> = new.departments.iter().map(|d| d.name.as_str()).collect();
            (None, with(&names.join(ctx.t("ui-wh-list-sep").as_str())))
        }
        E::Approved { note, .. } => (None, opt(note)),
        E::Rejected { reason } => (None, with(reason)),
        E::Signed { department } => (Some(department.clone()), label.clone()),
        E::ReportedIn { department, who, mode, note } => {
            let mut detail = ctx.aside(who, &ctx.label("report_mode", mode.as_str()));
            if let Some(n) = note {
                detail = format!("{detail} {n}");
            }
            (Some(department.clone()), with(&detail))
        }
        E::ActionRecorded { department, text, .. } => (Some(department.clone()), with(text)),
        E::Finished { department, note } => (Some(department.clone()), opt(note)),
        E::Declined { department, reason } => (Some(department.clone()), with(reason)),
        E::Excused { department, note } | E::Escalated { department, note } => (Some(department.clone()), opt(note)),
        E::Overdue { department, clock, due, .. } => {
            let detail =
                ctx.aside(&ctx.label("clock", clock.as_str()), &ctx.t1("ui-wh-due-at", "due", &local_time(*due)));
            (Some(department.clone()), with(&detail))
        }
        E::Concluded { summary } => (None, with(summary)),
        E::Rated { department, satisfaction, comment } => {
            let mut detail = format!("{} · {}", name_of(department), ctx.label("satisfaction", satisfaction.as_str()));
            if let Some(c) = comment {
                detail = format!("{detail} {c}");
            }
            (Some(department.clone()), with(&detail))
        }
    };
    let by = ActorView::of(&ev.by, ctx.lang);
    (department, Line { at: local_time(ev.at), text, who: format!("{} · {}", by.name, by.role_label) })
}

fn clock_rows(ctx: &Ctx, w: &Whistle, s: &whistle::Summons, now: chuishao_domain::Timestamp) -> Vec<ClockRow> {
    let running = w.status == whistle::WhistleStatus::Active && s.status.clocks_run();
    s.clocks
        .iter()
        .map(|c| {
            let (state, late, ticking) = match c.met_at {
                Some(m) if c.late() => (ctx.t1("ui-wh-met-late", "at", &local_time(m)), true, false),
                Some(m) => (ctx.t1("ui-wh-met", "at", &local_time(m)), false, false),
                None if running => {
                    let left = (c.due - now).num_seconds();
                    (span_words(ctx.lang, left), left < 0, true)
                }
                None => (ctx.t("ui-wh-clock-stopped"), c.overdue, false),
            };
            let due_ms = ticking.then(|| c.due.timestamp_millis());
            ClockRow { label: ctx.label("clock", c.clock.as_str()), due: local_time(c.due), state, late, due_ms }
        })
        .collect()
}

/// Loads a whistle the viewer may see; anything else is "not found".
async fn visible(state: &AppState, ctx: &Ctx, id: &str) -> Result<(Whistle, Vec<StoredWhistleEvent>), UiError> {
    let user = ctx.require_user()?;
    let id = WhistleId::parse(id).ok_or_else(UiError::not_found)?;
    let (w, events) = state.store.load_whistle(&user.actor.district, id).await?.ok_or_else(UiError::not_found)?;
    if !whistle::can_see(&user.actor, &w) {
        return Err(UiError::not_found());
    }
    Ok((w, events))
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    w: &Whistle,
    events: &[StoredWhistleEvent],
    notice: Option<String>,
    error: Option<String>,
    failed: Option<&Failed<'_>>,
) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    let actor = &user.actor;
    // The case as its viewer may see it (a summoned department sees only its number).
    let case = match &w.case {
        Some(c) => {
            let seen =
                state.store.load_case(&actor.district, c.id).await?.map(|(c, _)| c).filter(|c| can_see_case(actor, c));
            Some(CaseInfo {
                number: c.number.clone(),
                text: seen.as_ref().map(|c| c.text.clone()),
                address: seen.as_ref().and_then(|c| c.address.as_deref().map(mask_address)),
            })
        }
        None => None,
    };
    let now = state.now();
    let cal = state.calendar();
    let open = whistle::allowed_actions(w, actor, &whistle::Env { now, calendar: &cal });
    let lines: Vec<(Option<DepartmentId>, Line)> = events.iter().map(|e| event_line(ctx, w, e)).collect();
    let mut whistle_lines = vec![];
    let mut part_lines: Vec<(DepartmentId, Line)> = vec![];
    for (d, line) in lines {
        match d {
            Some(d) => part_lines.push((d, line)),
            None => whistle_lines.push(line),
        }
    }
    let parts = w
        .summons
        .iter()
        .map(|s| PartView {
            anchor: format!("part-{}", s.department),
            name: s.name.clone(),
            task: s.task.clone(),
            status: ctx.label("summons_status", s.status.as_str()),
            next: countdown(ctx, w, s, now),
            clocks: clock_rows(ctx, w, s, now),
            decline_reason: s.decline_reason.clone(),
            rating: s.rating.as_ref().map(|r| {
                let mut t = ctx.label("satisfaction", r.satisfaction.as_str());
                if let Some(c) = &r.comment {
                    t = format!("{t} · {c}");
                }
                t
            }),
            timeline: part_lines
                .iter()
                .filter(|(d, _)| *d == s.department)
                .map(|(_, l)| Line { at: l.at.clone(), text: l.text.clone(), who: l.who.clone() })
                .collect(),
            forms: open
                .iter()
                .filter(|o| o.department.as_ref() == Some(&s.department))
                .map(|o| act_form(ctx, o.action, Some(&s.department), failed))
                .collect(),
        })
        .collect();
    let forms = open.iter().filter(|o| o.department.is_none()).map(|o| act_form(ctx, o.action, None, failed)).collect();
    let page = WhistlePage {
        ctx,
        id: w.id.to_string(),
        version: w.version,
        kind: kind_name(ctx, &w.kind, &w.kind_name),
        status: ctx.label("whistle_status", w.status.as_str()),
        level: ctx.label("whistle_level", w.level.as_str()),
        place: place_of(state, w),
        case,
        reason: w.reason.clone(),
        address: w.address.as_deref().map(mask_address),
        blown_at: w.blown_at.map(local_time),
        created_at: local_time(w.created_at),
        concluded_at: w.concluded_at.map(local_time),
        summary: w.summary.clone(),
        rejection_reason: w.rejection_reason.clone(),
        policy: format!(
            "{} v{} · {}",
            kind_name(ctx, &w.kind, &w.kind_name),
            w.policy_version,
            policy_words(ctx, &w.policy)
        ),
        notice,
        error,
        parts,
        forms,
        timeline: whistle_lines,
    };
    Ok(ctx.page_with(status, page))
}

#[derive(Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

/// `GET /whistles/{id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, UiError> {
    let (w, events) = visible(&state, &ctx, &id).await?;
    let notice = q
        .done
        .as_deref()
        .and_then(WhistleAction::parse)
        .map(|a| ctx.t1("ui-wh-done", "action", &ctx.label("whistle_action", a.as_str())));
    render(&state, &ctx, StatusCode::OK, &w, &events, notice, None, None).await
}

fn text(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn optional(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The command a form asks for; `Err` holds field messages (nothing is sent to the store).
fn command_of(
    ctx: &Ctx,
    action: WhistleAction,
    department: Option<DepartmentId>,
    i: &ActInput,
) -> Result<WhistleCommand, FieldErrors> {
    use WhistleAction as A;
    use WhistleCommand as C;
    let mut errors = FieldErrors::default();
    // The department's part, for the actions on one; a form without it is malformed.
    let dep = || department.clone().ok_or_else(FieldErrors::default);
    let command = match action {
        A::Sign => C::Sign { department: dep()? },
        A::ReportIn => {
            let mode = match i.mode.as_deref().unwrap_or("on_site") {
                "on_site" => ReportMode::OnSite,
                "meeting" => ReportMode::Meeting,
                _ => {
                    errors.add("mode", ctx.t("ui-wh-f-mode-invalid"));
                    return Err(errors);
                }
            };
            C::ReportIn { department: dep()?, who: text(&i.who), mode, note: optional(&i.note) }
        }
        A::RecordAction => C::RecordAction { department: dep()?, text: text(&i.text), attachments: vec![] },
        A::Finish => C::Finish { department: dep()?, note: optional(&i.note) },
        A::Decline => C::Decline { department: dep()?, reason: text(&i.reason) },
        A::Excuse => C::Excuse { department: dep()?, note: optional(&i.note) },
        A::Escalate => C::Escalate { department: dep()?, note: optional(&i.note) },
        A::Approve => C::Approve { note: optional(&i.note) },
        A::Reject => C::Reject { reason: text(&i.reason) },
        A::Conclude => C::Conclude { summary: text(&i.summary) },
        A::Rate => {
            let satisfaction = [Satisfaction::Satisfied, Satisfaction::BasicallySatisfied, Satisfaction::Dissatisfied]
                .into_iter()
                .find(|s| Some(s.as_str()) == i.satisfaction.as_deref());
            let satisfaction = match satisfaction {
                Some(s) => s,
                None => {
                    errors.add("satisfaction", ctx.t("ui-wh-f-satisfaction-invalid"));
                    return Err(errors);
                }
            };
            C::Rate { department: dep()?, satisfaction, comment: optional(&i.comment) }
        }
        A::Request | A::Blow | A::Tick => return Err(errors),
    };
    Ok(command)
}

/// `POST /whistles/{id}/actions/{action}`: one action by form; back to the whistle page.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(input): CsrfForm<ActInput>,
) -> Result<Response, UiError> {
    let (w, _) = visible(&state, &ctx, &id).await?;
    let user = ctx.require_user()?;
    let action = WhistleAction::parse(&action)
        .filter(|a| !matches!(a, WhistleAction::Request | WhistleAction::Blow | WhistleAction::Tick))
        .ok_or_else(UiError::not_found)?;
    let department = match input.department.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(DepartmentId::parse(d).map_err(|_| UiError::not_found())?),
        None => None,
    };
    let expected = input
        .expected_version
        .as_deref()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(UiError::bad_request)?;
    let failed_with = |errors: FieldErrors| Failed { action, department: department.as_ref(), input: &input, errors };
    let command = match command_of(&ctx, action, department.clone(), &input) {
        Ok(c) => c,
        Err(errors) if errors.is_empty() => return Err(UiError::bad_request()),
        Err(errors) => {
            let (w, events) = visible(&state, &ctx, &id).await?;
            let failed = failed_with(errors);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(&state, &ctx, status, &w, &events, None, None, Some(&failed)).await;
        }
    };
    let cal = state.calendar();
    let done = state.store.execute_whistle(&user.actor, w.id, &command, Some(expected), state.now(), &cal).await;
    let e = match done {
        Ok(_) => {
            let anchor = department.map(|d| format!("#part-{d}")).unwrap_or_default();
            let to = format!("/whistles/{}?done={}{anchor}", w.id, action.as_str());
            return Ok(Redirect::to(&to).into_response());
        }
        Err(e) => e,
    };
    // Refused: the page again, as it is now, with why — beside the field when it is one.
    let mut errors = FieldErrors::default();
    let (status, page_error) = match e {
        CommandError::Whistle(WhistleError::Field(f)) | CommandError::Field(f) => {
            let field = f.field.clone();
            let label = field_label(&ctx, action, &field);
            if label.is_empty() {
                errors.add("form", ApiError::from(f).message(ctx.lang));
            } else {
                errors.add_field_error(&ctx, f, &label);
            }
            (StatusCode::UNPROCESSABLE_ENTITY, None)
        }
        CommandError::StaleVersion { .. } => (StatusCode::CONFLICT, Some(ctx.t("ui-wh-stale"))),
        CommandError::Store(s) => return Err(s.into()),
        other => {
            let api = ApiError::from(other);
            if api.status == StatusCode::NOT_FOUND {
                return Err(UiError::not_found());
            }
            (api.status, Some(api.message(ctx.lang)))
        }
    };
    let (w, events) = visible(&state, &ctx, &id).await?;
    let failed = failed_with(errors);
    render(&state, &ctx, status, &w, &events, None, page_error, Some(&failed)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_a_page_offers_has_its_fields_labelled() {
        for a in WhistleAction::ALL {
            for (name, key, ..) in fields_of(a) {
                assert!(!name.is_empty() && key.starts_with("ui-wh-f-"), "{a}: {name}");
            }
        }
    }
}
