//! Hardship assistance (民生保障) over HTTP: submit (from a visit or on its own), the street's
//! 民生保障办公室 reviews, approves or rejects, and delivers; lists and timelines.

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{bad_query, fields as body, paging, take_expected_version, ApiJson, ApiQuery, IdempotentJson};
use crate::i18n::{label, Lang};
use crate::view::{fmt_time, localize_times, ActorView, NamedRef, Page, TimelineEntry};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chuishao_domain::assistance::{
    self, AssistanceAction, AssistanceCommand, AssistanceDeadline, AssistanceId, AssistanceKind, AssistanceRequest,
    AssistanceStatus, NewAssistance,
};
use chuishao_domain::case::Visibility;
use chuishao_domain::{liaison, Actor, CommunityCode, FieldError, Scope, Timestamp};
use chuishao_store::{AssistanceFilter, Once, StoredAssistanceEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct AssistanceClockView {
    /// decision or delivery
    pub clock: String,
    pub label: String,
    pub start: String,
    pub due: String,
    pub met_at: Option<String>,
    pub overdue: bool,
    pub late: bool,
    /// Seconds until due (negative: past due) while the clock runs.
    pub seconds_left: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssistanceView {
    pub id: String,
    pub kind: String,
    pub kind_label: String,
    pub status: String,
    pub status_label: String,
    pub street: NamedRef,
    pub community: NamedRef,
    pub household_id: Option<String>,
    pub visit_id: Option<String>,
    pub description: String,
    pub requested: Option<String>,
    /// The street's 民生保障办公室 that owns the flow.
    pub unit: NamedRef,
    pub submitted_by: ActorView,
    pub submitted_at: String,
    pub reviewed_at: Option<String>,
    pub decided_at: Option<String>,
    pub delivered_at: Option<String>,
    pub clocks: Vec<AssistanceClockView>,
    pub overdue: bool,
    pub review_note: Option<String>,
    pub approval_note: Option<String>,
    pub rejection_reason: Option<String>,
    pub delivery_note: Option<String>,
    pub withdraw_reason: Option<String>,
    pub notes: u32,
    pub version: u64,
    /// Actions open to you now, as `/actions/{action}` names.
    pub allowed_actions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEntry>>,
}

fn clock_view(c: &AssistanceDeadline, running: bool, now: Timestamp, lang: Lang) -> AssistanceClockView {
    AssistanceClockView {
        clock: c.clock.as_str().into(),
        label: label(lang, "assistance_clock", c.clock.as_str()),
        start: fmt_time(c.start),
        due: fmt_time(c.due),
        met_at: c.met_at.map(fmt_time),
        overdue: c.overdue,
        late: c.late(),
        seconds_left: (running && c.met_at.is_none()).then(|| (c.due - now).num_seconds()),
    }
}

pub(crate) fn assistance_view(
    state: &AppState,
    r: &AssistanceRequest,
    actor: &Actor,
    lang: Lang,
    events: Option<&[StoredAssistanceEvent]>,
) -> AssistanceView {
    let names = state.names();
    let now = state.now();
    let cal = state.calendar();
    let env = assistance::Env { now, calendar: &cal };
    let named = |code: &str| NamedRef { code: code.to_string(), name: names.name_of(code) };
    let deciding = matches!(r.status, AssistanceStatus::Submitted | AssistanceStatus::UnderReview);
    let mut clocks = vec![clock_view(&r.decision, deciding, now, lang)];
    if let Some(d) = &r.delivery {
        clocks.push(clock_view(d, r.status == AssistanceStatus::Approved, now, lang));
    }
    AssistanceView {
        id: r.id.to_string(),
        kind: r.kind.as_str().into(),
        kind_label: label(lang, "assistance_kind", r.kind.as_str()),
        status: r.status.as_str().into(),
        status_label: label(lang, "assistance_status", r.status.as_str()),
        street: named(r.street.as_str()),
        community: named(r.community.as_str()),
        household_id: r.household.clone(),
        visit_id: r.visit.clone(),
        description: r.description.clone(),
        requested: r.requested.clone(),
        unit: NamedRef { code: r.unit.to_string(), name: r.unit_name.clone() },
        submitted_by: ActorView::of(&r.submitted_by, lang),
        submitted_at: fmt_time(r.submitted_at),
        reviewed_at: r.reviewed_at.map(fmt_time),
        decided_at: r.decided_at.map(fmt_time),
        delivered_at: r.delivered_at.map(fmt_time),
        clocks,
        overdue: r.is_overdue(),
        review_note: r.review_note.clone(),
        approval_note: r.approval_note.clone(),
        rejection_reason: r.rejection_reason.clone(),
        delivery_note: r.delivery_note.clone(),
        withdraw_reason: r.withdraw_reason.clone(),
        notes: r.notes,
        version: r.version,
        allowed_actions: assistance::allowed_actions(r, actor, &env)
            .into_iter()
            .filter(|a| *a != AssistanceAction::Tick)
            .map(|a| a.as_str().to_string())
            .collect(),
        timeline: events.map(|evs| {
            evs.iter()
                .map(|e| {
                    let kind = e.event.data.type_name();
                    let mut data = serde_json::to_value(&e.event.data).unwrap_or(serde_json::Value::Null);
                    if let serde_json::Value::Object(m) = &mut data {
                        m.remove("type");
                        // The request as submitted repeats the view above.
                        m.remove("request");
                    }
                    localize_times(&mut data);
                    TimelineEntry {
                        seq: e.seq,
                        kind: kind.into(),
                        label: label(lang, "assistance_event", kind),
                        at: fmt_time(e.event.at),
                        actor: ActorView::of(&e.event.by, lang),
                        data,
                    }
                })
                .collect()
        }),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistanceIn {
    /// assistive_device, temporary_relief, subsistence_allowance, meal_aid, home_care, employment_aid
    #[schema(value_type = String, example = "assistive_device")]
    pub kind: AssistanceKind,
    pub description: String,
    /// What is asked for, e.g. 助行器一台.
    pub requested: Option<String>,
}

/// A new request placed in a community, owned by its street's 民生保障办公室.
pub(crate) async fn new_assistance(
    state: &AppState,
    actor: &Actor,
    community: &CommunityCode,
    household: Option<String>,
    visit: Option<String>,
    req: AssistanceIn,
) -> ApiResult<NewAssistance> {
    let street = community.street();
    let unit = state.store.unit_by_role(&actor.district, &street, liaison::CARE_UNIT_ROLE).await?.ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_assistance_office").field("community_code")
    })?;
    Ok(NewAssistance {
        id: AssistanceId(uuid::Uuid::now_v7()),
        district: actor.district.clone(),
        street,
        community: community.clone(),
        household,
        visit,
        kind: req.kind,
        description: req.description,
        requested: req.requested,
        unit: unit.id,
        unit_name: unit.name,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAssistanceRequest {
    /// 12-digit community code; from the household when one is given.
    pub community_code: Option<String>,
    pub household_id: Option<String>,
    /// assistive_device, temporary_relief, subsistence_allowance, meal_aid, home_care, employment_aid
    #[schema(value_type = String, example = "assistive_device")]
    pub kind: AssistanceKind,
    pub description: String,
    /// What is asked for, e.g. 助行器一台.
    pub requested: Option<String>,
}

/// Submit a hardship assistance request (liaisons of the community, the street's officials and
/// 民生保障办公室). Send an `Idempotency-Key` so a form sent twice is stored once.
#[utoipa::path(post, path = "/api/v1/assistance", request_body = CreateAssistanceRequest,
    responses((status = 201, body = AssistanceView), (status = 200, body = AssistanceView, description = "sent again under the same Idempotency-Key"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    IdempotentJson(req, idem): IdempotentJson<CreateAssistanceRequest>,
) -> ApiResult<Response> {
    let actor = &user.actor;
    let d = &actor.district;
    let household = super::liaisons::household_field(&state, actor, req.household_id.as_deref()).await?;
    let community = match (&household, req.community_code.as_deref()) {
        (Some(h), _) => h.household.community.clone(),
        (None, Some(c)) => {
            let code = CommunityCode::parse_field("community_code", c.trim())?;
            state
                .store
                .community(d, &code)
                .await?
                .ok_or_else(|| ApiError::from(FieldError::unknown("community_code")))?;
            code
        }
        (None, None) => match &actor.scope {
            Scope::Community { covers, .. } if covers.len() == 1 => covers[0].clone(),
            _ => return Err(FieldError::required("community_code").into()),
        },
    };
    let request = AssistanceIn { kind: req.kind, description: req.description, requested: req.requested };
    let new = new_assistance(&state, actor, &community, household.map(|h| h.household.id), None, request).await?;
    let cal = state.calendar();
    match state.store.submit_assistance(actor, new, state.now(), &cal, idem.as_ref()).await? {
        Once::Created(out) => {
            tracing::info!(assistance = %out.request.id, kind = out.request.kind.as_str(), "assistance submitted");
            let location = format!("/api/v1/assistance/{}", out.request.id);
            let view = assistance_view(&state, &out.request, actor, lang, None);
            Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)).into_response())
        }
        Once::Replayed(id) => {
            let (r, _) = visible(&state, actor, &id).await?;
            Ok(Json(assistance_view(&state, &r, actor, lang, None)).into_response())
        }
    }
}

async fn visible(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> ApiResult<(AssistanceRequest, Vec<StoredAssistanceEvent>)> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "assistance_not_found");
    let id = AssistanceId::parse(id).ok_or_else(not_found)?;
    let (r, events) = state.store.load_assistance(&actor.district, id).await?.ok_or_else(not_found)?;
    if !assistance::can_see(actor, &r) {
        return Err(not_found());
    }
    Ok((r, events))
}

/// One request with its clocks and whole timeline.
#[utoipa::path(get, path = "/api/v1/assistance/{id}", params(("id" = String, Path)),
    responses((status = 200, body = AssistanceView), (status = 404)), security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AssistanceView>> {
    let (r, events) = visible(&state, &user.actor, &id).await?;
    Ok(Json(assistance_view(&state, &r, &user.actor, lang, Some(&events))))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AssistanceQuery {
    /// submitted, under_review, approved, rejected, delivered, withdrawn (comma-separated)
    pub status: Option<String>,
    pub kind: Option<String>,
    pub street: Option<String>,
    pub community: Option<String>,
    /// The user id of who submitted it (a liaison's own requests).
    pub submitted_by: Option<String>,
    pub household: Option<String>,
    pub overdue: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Hardship assistance requests you may see, newest first.
#[utoipa::path(get, path = "/api/v1/assistance", params(AssistanceQuery),
    responses((status = 200, body = Page<AssistanceView>), (status = 400)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AssistanceQuery>,
) -> ApiResult<Json<Page<AssistanceView>>> {
    let mut status = vec![];
    for s in q.status.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
        status.push(AssistanceStatus::parse(s).ok_or_else(|| bad_query("status"))?);
    }
    let kind =
        q.kind.as_deref().map(|k| AssistanceKind::parse(k.trim()).ok_or_else(|| bad_query("kind"))).transpose()?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let filter = AssistanceFilter {
        status,
        kind,
        street: q.street.clone(),
        community: q.community.clone(),
        submitted_by: q.submitted_by.clone(),
        household: q.household.clone(),
        overdue: q.overdue,
        from: None,
        to: None,
        page,
        per_page,
    };
    let actor = &user.actor;
    let (items, total) = state.store.list_assistance(&actor.district, &Visibility::of(actor), &filter).await?;
    Ok(Json(Page {
        items: items.iter().map(|r| assistance_view(&state, r, actor, lang, None)).collect(),
        total,
        page,
        per_page,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequiredNoteBody {
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextBody {
    text: String,
}

/// The flow at the street's 民生保障办公室: `start-review`, `approve` {note?}, `reject` {reason},
/// `deliver` {note}; `withdraw` {reason} by the submitter; `add-note` {text}. Optional
/// `expected_version` in each body.
#[utoipa::path(post, path = "/api/v1/assistance/{id}/actions/{action}",
    params(("id" = String, Path), ("action" = String, Path)),
    request_body(content = Object, description = "start-review: {note?}; approve: {note?}; reject: {reason}; deliver: {note}; withdraw: {reason}; add-note: {text}; plus optional expected_version"),
    responses((status = 200, body = AssistanceView), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn action(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path((id, action)): Path<(String, String)>,
    ApiJson(mut v): ApiJson<serde_json::Value>,
) -> ApiResult<Json<AssistanceView>> {
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, "unknown_action").arg("action", action.clone());
    let parsed = AssistanceAction::parse(&action).ok_or_else(unknown)?;
    let expected = take_expected_version(&mut v)?;
    let command = match parsed {
        AssistanceAction::StartReview => AssistanceCommand::StartReview { note: body::<NoteBody>(v)?.note },
        AssistanceAction::Approve => AssistanceCommand::Approve { note: body::<NoteBody>(v)?.note },
        AssistanceAction::Reject => AssistanceCommand::Reject { reason: body::<ReasonBody>(v)?.reason },
        AssistanceAction::Deliver => AssistanceCommand::Deliver { note: body::<RequiredNoteBody>(v)?.note },
        AssistanceAction::Withdraw => AssistanceCommand::Withdraw { reason: body::<ReasonBody>(v)?.reason },
        AssistanceAction::AddNote => AssistanceCommand::AddNote { text: body::<TextBody>(v)?.text },
        AssistanceAction::Submit | AssistanceAction::Tick => return Err(unknown()),
    };
    let actor = &user.actor;
    let (r, _) = visible(&state, actor, &id).await?;
    let cal = state.calendar();
    let out = state.store.execute_assistance(actor, r.id, &command, expected, state.now(), &cal).await?;
    Ok(Json(assistance_view(&state, &out.request, actor, lang, None)))
}
