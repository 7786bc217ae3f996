//! 吹哨报到 over HTTP: blow or request a whistle, the departments' parts, conclusion and rating,
//! the department inbox, the policy table and the monthly whistle figures.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{bad_query, fields as body, paging, take_expected_version as expected_version, ApiJson, ApiQuery};
use crate::i18n::{label, Lang};
use crate::view::{fmt_time, localize_times, ActorView, NamedRef, Page, TimelineEntry};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Datelike;
use chuishao_domain::calendar::{local_date, start_of_day};
use chuishao_domain::case::{can_see as can_see_case, AttachmentMeta, GeoPoint, Satisfaction, Visibility};
use chuishao_domain::whistle::{
    self, CaseRef, NewWhistle, ReportMode, SummonsOrder, Whistle, WhistleAction, WhistleCommand, WhistleId,
    WhistleLevel, WhistlePolicy, WhistleStatus,
};
use chuishao_domain::{Actor, CaseId, CommunityCode, DeadlineSpec, DepartmentId, FieldError, Role, Scope, StreetCode};
use chuishao_store::{StoredWhistleEvent, WhistleFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

// ---- views ---------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    /// sign, report_in or complete
    pub clock: String,
    pub label: String,
    pub due: String,
    pub met_at: Option<String>,
    pub overdue: bool,
    /// Met after it was due.
    pub late: bool,
    /// Seconds until due (negative: past due); absent once met.
    pub seconds_left: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportInView {
    pub who: String,
    pub mode: String,
    pub mode_label: String,
    pub at: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionRecordView {
    pub text: String,
    pub attachments: u32,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingView {
    pub satisfaction: String,
    pub satisfaction_label: String,
    pub comment: Option<String>,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummonsView {
    pub department: String,
    pub name: String,
    pub task: String,
    pub status: String,
    pub status_label: String,
    pub clocks: Vec<ClockView>,
    pub signed_at: Option<String>,
    pub report: Option<ReportInView>,
    pub actions: Vec<ActionRecordView>,
    pub finished_at: Option<String>,
    pub decline_reason: Option<String>,
    pub escalated: bool,
    pub rating: Option<RatingView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpenActionView {
    /// The action name in `/actions/{action}`.
    pub action: String,
    pub label: String,
    /// For a department's part: which department.
    pub department: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WhistleView {
    pub id: String,
    pub level: String,
    pub level_label: String,
    pub kind: String,
    pub kind_name: String,
    pub policy_version: u32,
    pub status: String,
    pub status_label: String,
    pub district: String,
    pub street: NamedRef,
    pub community: Option<NamedRef>,
    pub case: Option<NamedRef>,
    pub reason: String,
    pub address: Option<String>,
    pub requested_by: Option<String>,
    pub blown_by: Option<String>,
    pub created_at: String,
    pub blown_at: Option<String>,
    pub concluded_at: Option<String>,
    pub summary: Option<String>,
    pub rejection_reason: Option<String>,
    pub overdue: bool,
    /// Departments not yet done or excused.
    pub outstanding: u32,
    /// Overdue clocks and escalated declines: what went up to the district.
    pub escalations: u32,
    pub departments: Vec<SummonsView>,
    pub version: u64,
    pub allowed_actions: Vec<OpenActionView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEntry>>,
}

fn clock_views(s: &whistle::Summons, now: chuishao_domain::Timestamp, lang: Lang) -> Vec<ClockView> {
    s.clocks
        .iter()
        .map(|c| ClockView {
            clock: c.clock.as_str().into(),
            label: label(lang, "clock", c.clock.as_str()),
            due: fmt_time(c.due),
            met_at: c.met_at.map(fmt_time),
            overdue: c.overdue,
            late: c.late(),
            seconds_left: c.met_at.is_none().then(|| (c.due - now).num_seconds()),
        })
        .collect()
}

fn whistle_view(
    state: &AppState,
    w: &Whistle,
    actor: &Actor,
    lang: Lang,
    events: Option<&[StoredWhistleEvent]>,
) -> WhistleView {
    let names = state.names();
    let now = state.now();
    let cal = state.calendar();
    let open = whistle::allowed_actions(w, actor, &whistle::Env { now, calendar: &cal });
    WhistleView {
        id: w.id.to_string(),
        level: w.level.as_str().into(),
        level_label: label(lang, "whistle_level", w.level.as_str()),
        kind: w.kind.clone(),
        kind_name: w.kind_name.clone(),
        policy_version: w.policy_version,
        status: w.status.as_str().into(),
        status_label: label(lang, "whistle_status", w.status.as_str()),
        district: w.district.to_string(),
        street: NamedRef { code: w.street.to_string(), name: names.name_of(w.street.as_str()) },
        community: w.community.as_ref().map(|c| NamedRef { code: c.to_string(), name: names.name_of(c.as_str()) }),
        case: w.case.as_ref().map(|c| NamedRef { code: c.id.to_string(), name: c.number.clone() }),
        reason: w.reason.clone(),
        address: w.address.clone(),
        requested_by: w.requested_by.clone(),
        blown_by: w.blown_by.clone(),
        created_at: fmt_time(w.created_at),
        blown_at: w.blown_at.map(fmt_time),
        concluded_at: w.concluded_at.map(fmt_time),
        summary: w.summary.clone(),
        rejection_reason: w.rejection_reason.clone(),
        overdue: w.is_overdue(),
        outstanding: w.outstanding() as u32,
        escalations: w.escalations() as u32,
        departments: w
            .summons
            .iter()
            .map(|s| SummonsView {
                department: s.department.to_string(),
                name: s.name.clone(),
                task: s.task.clone(),
                status: s.status.as_str().into(),
                status_label: label(lang, "summons_status", s.status.as_str()),
                clocks: clock_views(s, now, lang),
                signed_at: s.signed_at.map(fmt_time),
                report: s.report.as_ref().map(|r| ReportInView {
                    mode: r.mode.as_str().into(),
                    mode_label: label(lang, "report_mode", r.mode.as_str()),
                    who: r.who.clone(),
                    at: fmt_time(r.at),
                    note: r.note.clone(),
                }),
                actions: s
                    .actions
                    .iter()
                    .map(|a| ActionRecordView {
                        text: a.text.clone(),
                        attachments: a.attachments.len() as u32,
                        at: fmt_time(a.at),
                    })
                    .collect(),
                finished_at: s.finished_at.map(fmt_time),
                decline_reason: s.decline_reason.clone(),
                escalated: s.escalated,
                rating: s.rating.as_ref().map(|r| RatingView {
                    satisfaction: r.satisfaction.as_str().into(),
                    satisfaction_label: label(lang, "satisfaction", r.satisfaction.as_str()),
                    comment: r.comment.clone(),
                    at: fmt_time(r.at),
                }),
            })
            .collect(),
        version: w.version,
        allowed_actions: open
            .into_iter()
            .map(|o| OpenActionView {
                action: o.action.as_str().into(),
                label: label(lang, "whistle_action", o.action.as_str()),
                department: o.department.map(|d| d.to_string()),
            })
            .collect(),
        timeline: events.map(|evs| {
            evs.iter()
                .map(|e| {
                    let kind = e.event.data.type_name();
                    let mut data = serde_json::to_value(&e.event.data).unwrap_or(serde_json::Value::Null);
                    if let serde_json::Value::Object(m) = &mut data {
                        m.remove("type");
                        // The whole whistle as blown repeats the view above; keep the timeline lean.
                        m.remove("whistle");
                    }
                    localize_times(&mut data);
                    TimelineEntry {
                        seq: e.seq,
                        kind: kind.into(),
                        label: label(lang, "whistle_event", kind),
                        at: fmt_time(e.event.at),
                        actor: ActorView::of(&e.event.by, lang),
                        data,
                    }
                })
                .collect()
        }),
    }
}

// ---- blowing -------------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SummonsIn {
    /// A department id, e.g. `dc-cgzf`.
    pub department: String,
    pub task: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationIn {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWhistleRequest {
    /// The case (id or number) the whistle is blown from; absent for a problem the street found.
    pub case_id: Option<String>,
    /// community, street or district; defaults to the blower's level.
    pub level: Option<String>,
    /// A kind from the policy table: emergency, enforcement, coordination…
    pub kind: String,
    pub reason: String,
    pub community_code: Option<String>,
    pub street_code: Option<String>,
    pub address: Option<String>,
    pub location: Option<LocationIn>,
    pub departments: Vec<SummonsIn>,
}

fn level_of(s: Option<&str>, actor: &Actor) -> ApiResult<WhistleLevel> {
    Ok(match s {
        Some("community") => WhistleLevel::Community,
        Some("street") => WhistleLevel::Street,
        Some("district") => WhistleLevel::District,
        Some(_) => {
            return Err(
                ApiError::from(FieldError::malformed("level", "one_of")).arg("values", "community, street, district")
            )
        }
        None => match actor.role {
            Role::Liaison => WhistleLevel::Community,
            Role::DistrictSupervisor => WhistleLevel::District,
            _ => WhistleLevel::Street,
        },
    })
}

/// Blow a whistle (street leader, district supervisor) or request one (community liaison).
#[utoipa::path(post, path = "/api/v1/whistles", request_body = CreateWhistleRequest,
    responses((status = 201, body = WhistleView), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiJson(req): ApiJson<CreateWhistleRequest>,
) -> ApiResult<Response> {
    let actor = &user.actor;
    let d = &actor.district;
    let level = level_of(req.level.as_deref(), actor)?;
    // Place: the case's, else the codes given, else the blower's own.
    let mut case_ref = None;
    let (street, community) = if let Some(c) = req.case_id.as_deref() {
        let id = match CaseId::parse(c) {
            Some(id) => Some(id),
            None => state.store.case_id_by_number(d, c.trim()).await?,
        };
        let case = match id {
            Some(id) => state.store.load_case(d, id).await?.map(|(c, _)| c),
            None => None,
        }
        .filter(|c| can_see_case(actor, c))
        .ok_or_else(|| ApiError::from(FieldError::unknown("case_id")))?;
        if !case.is_open() {
            return Err(ApiError::new(StatusCode::CONFLICT, "case_closed")
                .field("case_id")
                .key_arg("status", format!("status-{}", case.status.as_str())));
        }
        case_ref = Some(CaseRef { id: case.id, number: case.number.clone() });
        (case.street, case.community)
    } else if let Some(c) = req.community_code.as_deref() {
        let code = CommunityCode::parse_field("community_code", c)?;
        state.store.community(d, &code).await?.ok_or_else(|| ApiError::from(FieldError::unknown("community_code")))?;
        (code.street(), Some(code))
    } else if let Some(s) = req.street_code.as_deref() {
        let code = StreetCode::parse_field("street_code", s)?;
        state.store.street(d, &code).await?.ok_or_else(|| ApiError::from(FieldError::unknown("street_code")))?;
        (code, None)
    } else {
        match &actor.scope {
            Scope::Street { code } => (code.clone(), None),
            Scope::Community { covers, .. } if covers.len() == 1 => (covers[0].street(), Some(covers[0].clone())),
            _ => return Err(ApiError::place_required()),
        }
    };
    let today = local_date(state.now());
    let policy = state.store.policy_in_force(d, req.kind.trim(), today).await?.ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_whistle_kind")
            .field("kind")
            .arg("kind", req.kind.clone())
    })?;
    let mut departments = vec![];
    for (i, s) in req.departments.iter().enumerate() {
        let field = format!("departments[{i}].department");
        let id = DepartmentId::parse_field(&field, &s.department)?;
        let dep = state.store.department(d, &id).await?.ok_or_else(|| ApiError::from(FieldError::unknown(field)))?;
        departments.push(SummonsOrder { department: dep.id, name: dep.name, task: s.task.clone() });
    }
    let location = req.location.as_ref().map(|l| GeoPoint::parse(l.lat, l.lon)).transpose()?;
    let new = NewWhistle {
        id: WhistleId(uuid::Uuid::now_v7()),
        district: d.clone(),
        street,
        community,
        case: case_ref,
        level,
        policy,
        reason: req.reason,
        address: req.address,
        location,
        departments,
    };
    let command = if actor.role == Role::Liaison {
        WhistleCommand::Request(Box::new(new))
    } else {
        WhistleCommand::Blow(Box::new(new))
    };
    let cal = state.calendar();
    let outcome = state.store.start_whistle(actor, &command, state.now(), &cal).await?;
    tracing::info!(whistle = %outcome.whistle.id, kind = %outcome.whistle.kind, "whistle started");
    let view = whistle_view(&state, &outcome.whistle, actor, lang, None);
    let location = format!("/api/v1/whistles/{}", outcome.whistle.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)).into_response())
}

// ---- reading -------------------------------------------------------------------------------

async fn visible(state: &AppState, actor: &Actor, id: &str) -> ApiResult<(Whistle, Vec<StoredWhistleEvent>)> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "whistle_not_found");
    let id = WhistleId::parse(id).ok_or_else(not_found)?;
    let (w, events) = state.store.load_whistle(&actor.district, id).await?.ok_or_else(not_found)?;
    if !whistle::can_see(actor, &w) {
        return Err(not_found());
    }
    Ok((w, events))
}

/// One whistle: each department's part and clocks, and the full timeline.
#[utoipa::path(get, path = "/api/v1/whistles/{id}", params(("id" = String, Path)),
    responses((status = 200, body = WhistleView), (status = 404)), security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<WhistleView>> {
    let (w, events) = visible(&state, &user.actor, &id).await?;
    Ok(Json(whistle_view(&state, &w, &user.actor, lang, Some(&events))))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct WhistleQuery {
    /// requested, rejected, active, concluded (comma-separated)
    pub status: Option<String>,
    pub department: Option<String>,
    pub street: Option<String>,
    /// The case (id) the whistles were blown from.
    pub case: Option<String>,
    /// Only whistles with a running part past a deadline now.
    pub overdue: Option<bool>,
    /// Only whistles that sent something up to the district (an overdue or an escalated decline).
    pub escalated: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Whistles you may see, newest first.
#[utoipa::path(get, path = "/api/v1/whistles", params(WhistleQuery),
    responses((status = 200, body = Page<WhistleView>), (status = 400)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<WhistleQuery>,
) -> ApiResult<Json<Page<WhistleView>>> {
    let mut status = vec![];
    for s in q.status.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
        status.push(WhistleStatus::parse(s).ok_or_else(|| bad_query("status"))?);
    }
    let (page, per_page) = paging(q.page, q.per_page)?;
    let case = match q.case.as_deref() {
        Some(c) => Some(CaseId::parse(c).ok_or_else(|| bad_query("case"))?),
        None => None,
    };
    let filter = WhistleFilter {
        status,
        street: q.street.clone(),
        department: q.department.clone(),
        case,
        overdue: q.overdue,
        escalated: q.escalated,
        from: None,
        to: None,
        page,
        per_page,
    };
    let found = state.store.list_whistles(&user.actor.district, &Visibility::of(&user.actor), &filter).await?;
    Ok(Json(Page {
        items: found.items.iter().map(|w| whistle_view(&state, w, &user.actor, lang, None)).collect(),
        total: found.total,
        page,
        per_page,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItem {
    pub whistle: String,
    pub kind: String,
    pub kind_name: String,
    pub level: String,
    pub reason: String,
    pub street: NamedRef,
    pub case_number: Option<String>,
    pub blown_at: Option<String>,
    pub task: String,
    pub status: String,
    pub status_label: String,
    pub clocks: Vec<ClockView>,
    /// The soonest unmet deadline, in seconds (negative: overdue).
    pub seconds_left: Option<i64>,
    pub allowed_actions: Vec<OpenActionView>,
}

/// A department's open summons with time left — the department inbox (部门待办).
#[utoipa::path(get, path = "/api/v1/inbox", responses((status = 200, body = Page<InboxItem>), (status = 403)), security(("bearer" = [])))]
pub async fn inbox(State(state): State<AppState>, lang: Lang, user: CurrentUser) -> ApiResult<Json<Page<InboxItem>>> {
    let Scope::Department { id: department } = &user.actor.scope else {
        return Err(ApiError::forbidden());
    };
    let found = state.store.department_inbox(&user.actor).await?;
    let now = state.now();
    let mut items: Vec<InboxItem> = found
        .iter()
        .filter_map(|w| {
            let s = w.summons_of(department)?;
            let view = whistle_view(&state, w, &user.actor, lang, None);
            let clocks = clock_views(s, now, lang);
            Some(InboxItem {
                whistle: w.id.to_string(),
                kind: w.kind.clone(),
                kind_name: w.kind_name.clone(),
                level: w.level.as_str().into(),
                reason: w.reason.clone(),
                street: view.street,
                case_number: w.case.as_ref().map(|c| c.number.clone()),
                blown_at: w.blown_at.map(fmt_time),
                task: s.task.clone(),
                status: s.status.as_str().into(),
                status_label: label(lang, "summons_status", s.status.as_str()),
                seconds_left: clocks.iter().filter_map(|c| c.seconds_left).min(),
                clocks,
                allowed_actions: view
                    .allowed_actions
                    .into_iter()
                    .filter(|a| a.department.as_deref() == Some(department.as_str()))
                    .collect(),
            })
        })
        .collect();
    items.sort_by_key(|i| i.seconds_left.unwrap_or(i64::MAX));
    Ok(Json(Page::all(items)))
}

// ---- actions -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportInBody {
    who: String,
    #[serde(default = "on_site")]
    mode: ReportMode,
    note: Option<String>,
}

fn on_site() -> ReportMode {
    ReportMode::OnSite
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentIn {
    name: String,
    content_type: String,
    size: u64,
    sha256: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordActionBody {
    text: String,
    #[serde(default)]
    attachments: Vec<AttachmentIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentNoteBody {
    department: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateBody {
    department: String,
    satisfaction: Satisfaction,
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConcludeBody {
    summary: String,
}

fn department_id(field: &str, s: &str) -> ApiResult<DepartmentId> {
    Ok(DepartmentId::parse_field(field, s)?)
}

async fn run(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    id: &str,
    command: WhistleCommand,
    expected: Option<u64>,
) -> ApiResult<Json<WhistleView>> {
    let (w, _) = visible(state, &user.actor, id).await?;
    let cal = state.calendar();
    let outcome = state.store.execute_whistle(&user.actor, w.id, &command, expected, state.now(), &cal).await?;
    Ok(Json(whistle_view(state, &outcome.whistle, &user.actor, lang, None)))
}

/// A summoned department's part: `sign`, `report-in`, `record-action`, `finish`, `decline`.
/// Only that department's staff may act; for anyone else the part does not exist (404).
#[utoipa::path(post, path = "/api/v1/whistles/{id}/departments/{department}/actions/{action}",
    params(("id" = String, Path), ("department" = String, Path), ("action" = String, Path)),
    request_body(content = Object, description = "report-in: {who, mode: on_site|meeting, note?}; record-action: {text, attachments?}; finish: {note?}; decline: {reason}; plus optional expected_version"),
    responses((status = 200, body = WhistleView), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn department_action(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path((id, department, action)): Path<(String, String, String)>,
    ApiJson(mut v): ApiJson<serde_json::Value>,
) -> ApiResult<Json<WhistleView>> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "unknown_action").arg("action", action.clone());
    let action = WhistleAction::parse(&action).filter(|a| a.is_department_action()).ok_or_else(not_found)?;
    let expected = expected_version(&mut v)?;
    let department =
        DepartmentId::parse(&department).map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "whistle_not_found"))?;
    let command = match action {
        WhistleAction::Sign => {
            body::<Empty>(v)?;
            WhistleCommand::Sign { department }
        }
        WhistleAction::ReportIn => {
            let b: ReportInBody = body(v)?;
            WhistleCommand::ReportIn { department, who: b.who, mode: b.mode, note: b.note }
        }
        WhistleAction::RecordAction => {
            let b: RecordActionBody = body(v)?;
            let attachments = b
                .attachments
                .iter()
                .map(|a| AttachmentMeta::parse(&a.name, &a.content_type, a.size, a.sha256.as_deref()))
                .collect::<Result<Vec<_>, _>>()?;
            WhistleCommand::RecordAction { department, text: b.text, attachments }
        }
        WhistleAction::Finish => WhistleCommand::Finish { department, note: body::<NoteBody>(v)?.note },
        WhistleAction::Decline => WhistleCommand::Decline { department, reason: body::<ReasonBody>(v)?.reason },
        _ => return Err(not_found()),
    };
    run(&state, &user, lang, &id, command, expected).await
}

/// The street's actions on a whistle: `approve`, `reject` (a requested whistle), `excuse`,
/// `escalate` (a declined department), `conclude`, `rate` (each department, after conclusion).
#[utoipa::path(post, path = "/api/v1/whistles/{id}/actions/{action}",
    params(("id" = String, Path), ("action" = String, Path)),
    request_body(content = Object, description = "approve: {note?}; reject: {reason}; excuse/escalate: {department, note?}; conclude: {summary}; rate: {department, satisfaction, comment?}; plus optional expected_version"),
    responses((status = 200, body = WhistleView), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn action(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path((id, action)): Path<(String, String)>,
    ApiJson(mut v): ApiJson<serde_json::Value>,
) -> ApiResult<Json<WhistleView>> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "unknown_action").arg("action", action.clone());
    let action = WhistleAction::parse(&action).ok_or_else(not_found)?;
    let expected = expected_version(&mut v)?;
    let command = match action {
        WhistleAction::Approve => WhistleCommand::Approve { note: body::<NoteBody>(v)?.note },
        WhistleAction::Reject => WhistleCommand::Reject { reason: body::<ReasonBody>(v)?.reason },
        WhistleAction::Excuse => {
            let b: DepartmentNoteBody = body(v)?;
            WhistleCommand::Excuse { department: department_id("department", &b.department)?, note: b.note }
        }
        WhistleAction::Escalate => {
            let b: DepartmentNoteBody = body(v)?;
            WhistleCommand::Escalate { department: department_id("department", &b.department)?, note: b.note }
        }
        WhistleAction::Conclude => WhistleCommand::Conclude { summary: body::<ConcludeBody>(v)?.summary },
        WhistleAction::Rate => {
            let b: RateBody = body(v)?;
            WhistleCommand::Rate {
                department: department_id("department", &b.department)?,
                satisfaction: b.satisfaction,
                comment: b.comment,
            }
        }
        _ => return Err(not_found()),
    };
    run(&state, &user, lang, &id, command, expected).await
}

// ---- policies ------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PolicyView {
    pub kind: String,
    pub version: u32,
    pub name: String,
    /// e.g. `15m`, `1h`, `3wd`
    pub sign: String,
    pub report_in: String,
    /// Absent: act at once.
    pub complete: Option<String>,
    pub effective_from: String,
}

fn policy_view(p: &WhistlePolicy) -> PolicyView {
    PolicyView {
        kind: p.kind.clone(),
        version: p.version,
        name: p.name.clone(),
        sign: p.sign.to_string(),
        report_in: p.report_in.to_string(),
        complete: p.complete.map(|c| c.to_string()),
        effective_from: p.effective_from.to_string(),
    }
}

/// The whistle kinds and their deadlines, every version.
#[utoipa::path(get, path = "/api/v1/whistle-policies", responses((status = 200, body = Page<PolicyView>)), security(("bearer" = [])))]
pub async fn policies(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<Page<PolicyView>>> {
    let all = state.store.whistle_policies(&user.actor.district).await?;
    Ok(Json(Page::all(all.iter().map(policy_view).collect())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRequest {
    pub kind: String,
    pub name: String,
    pub sign: String,
    pub report_in: String,
    pub complete: Option<String>,
    /// YYYY-MM-DD; whistles blown from that day use this version.
    pub effective_from: String,
}

/// Adds a version of a whistle kind (system admin; audited). Past whistles keep their version.
#[utoipa::path(post, path = "/api/v1/whistle-policies", request_body = PolicyRequest,
    responses((status = 201, body = PolicyView), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn add_policy(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<PolicyRequest>,
) -> ApiResult<(StatusCode, Json<PolicyView>)> {
    user.require(&[Role::SystemAdmin])?;
    let spec = |field: &str, s: &str| -> ApiResult<DeadlineSpec> {
        s.parse().map_err(|_| ApiError::from(FieldError::malformed(field, "deadline_spec")))
    };
    let kind = req.kind.trim();
    if kind.is_empty() || kind.len() > 32 || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(FieldError::malformed("kind", "snake_case_key").into());
    }
    let policy = WhistlePolicy {
        kind: kind.to_string(),
        version: 0,
        name: chuishao_domain::field::required_text("name", &req.name, 50)?,
        sign: spec("sign", &req.sign)?,
        report_in: spec("report_in", &req.report_in)?,
        complete: req.complete.as_deref().map(|c| spec("complete", c)).transpose()?,
        effective_from: chuishao_domain::calendar::parse_day(&req.effective_from)
            .ok_or_else(|| ApiError::from(FieldError::malformed("effective_from", "date")))?,
    };
    let stored = state.store.add_whistle_policy(&policy, &user.actor, state.now()).await?;
    Ok((StatusCode::CREATED, Json(policy_view(&stored))))
}

// ---- metrics -------------------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
pub struct MonthQuery {
    /// YYYY-MM (Beijing time); defaults to this month.
    pub month: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WhistleMetrics {
    pub month: String,
    #[schema(value_type = Object)]
    pub streets: serde_json::Value,
    #[schema(value_type = Object)]
    pub departments: serde_json::Value,
}

/// Whistle figures for a month: per street the 吹哨率 and counts by kind; per department the
/// on-time sign and report-in rates, median report-in time and the street's ratings.
#[utoipa::path(get, path = "/api/v1/metrics/whistles", params(MonthQuery),
    responses((status = 200, body = WhistleMetrics), (status = 400), (status = 403)), security(("bearer" = [])))]
pub async fn metrics(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<Json<WhistleMetrics>> {
    user.require(&[
        Role::DistrictSupervisor,
        Role::Inspector,
        Role::StreetLeader,
        Role::Dispatcher,
        Role::DepartmentStaff,
    ])?;
    let first = match q.month.as_deref() {
        Some(m) => chrono::NaiveDate::parse_from_str(&format!("{}-01", m.trim()), "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2100).contains(&d.year()))
            .ok_or_else(|| bad_query("month"))?,
        None => local_date(state.now()).with_day(1).ok_or_else(ApiError::internal)?,
    };
    let next = first.checked_add_months(chrono::Months::new(1)).ok_or_else(|| bad_query("month"))?;
    let (from, to) = (start_of_day(first), start_of_day(next));
    let d = &user.actor.district;
    let whistles = state.store.whistles_between(d, from, to).await?;
    let counts = state.store.case_counts_by_street(d, from, to).await?;
    let counts: Vec<(StreetCode, u64, u64)> =
        counts.into_iter().filter_map(|(s, n, w)| StreetCode::parse(&s).ok().map(|s| (s, n, w))).collect();
    let figures = whistle::figures(&whistles, &counts, state.now());
    // A street sees its own row, a department its own; the district sees all.
    let (own_street, own_department) = match &user.actor.scope {
        Scope::Street { code } => (Some(code.clone()), None),
        Scope::Department { id } => (None, Some(id.clone())),
        _ => (None, None),
    };
    let names = state.names();
    let streets = figures
        .streets
        .iter()
        .filter(|s| own_street.as_ref().is_none_or(|o| *o == s.street) && own_department.is_none())
        .map(|s| {
            serde_json::json!({
                "street": {"code": s.street.to_string(), "name": names.name_of(s.street.as_str())},
                "cases": s.cases,
                "cases_whistled": s.cases_whistled,
                "whistle_rate": s.whistle_rate,
                "whistles": s.whistles,
                "by_kind": s.by_kind,
            })
        })
        .collect();
    let departments = figures
        .departments
        .iter()
        .filter(|f| own_department.as_ref().is_none_or(|o| *o == f.department))
        .map(|f| {
            let ratings: serde_json::Map<String, serde_json::Value> =
                ["satisfied", "basically_satisfied", "dissatisfied"]
                    .iter()
                    .map(|k| {
                        let count = f.ratings.get(*k).copied().unwrap_or(0);
                        (k.to_string(), serde_json::json!({"count": count, "label": label(lang, "satisfaction", k)}))
                    })
                    .collect();
            serde_json::json!({
                "department": {"code": f.department.to_string(), "name": f.name},
                "summoned": f.summoned,
                "excused": f.excused,
                "declined": f.declined,
                "sign_counted": f.sign_counted,
                "signed_on_time": f.signed_on_time,
                "report_in_counted": f.report_in_counted,
                "reported_in_on_time": f.reported_in_on_time,
                "sign_rate": f.sign_rate,
                "report_in_rate": f.report_in_rate,
                "median_report_in_minutes": f.median_report_in_minutes,
                "overdue_events": f.overdue_events,
                "ratings": ratings,
            })
        })
        .collect();
    Ok(Json(WhistleMetrics {
        month: first.format("%Y-%m").to_string(),
        streets: serde_json::Value::Array(streets),
        departments: serde_json::Value::Array(departments),
    }))
}
