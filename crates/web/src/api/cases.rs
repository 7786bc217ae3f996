use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{bad_query, fields as body, paging, take_expected_version, ApiJson, ApiQuery, IdempotentJson};
use crate::i18n::Lang;
use crate::view::{case_view, fmt_time, CaseView, Page};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chuishao_domain::case::{
    can_see, Assignee, AttachmentMeta, Channel, ContactMethod, DispatchOrder, DutyRef, GeoPoint, NewCase, Satisfaction,
};
use chuishao_domain::catalog::Owner;
use chuishao_domain::field::required_text;
use chuishao_domain::personal::{PersonName, Phone, Reporter};
use chuishao_domain::{
    calendar, Actor, Case, CaseAction, CaseCommand, CaseId, CaseStatus, CommunityCode, DepartmentId, FieldError,
    RequestKind, Role, Scope, StreetCode, UnitId,
};
use chuishao_store::{CaseFilter, Once, Visibility};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationIn {
    pub lat: f64,
    pub lon: f64,
    /// wgs84 (the default) or gcj02 (高德/腾讯 map SDKs); stored in WGS-84.
    pub crs: Option<String>,
}

impl LocationIn {
    pub fn to_point(&self) -> ApiResult<GeoPoint> {
        let p = super::route::to_wgs84(self.lat, self.lon, self.crs.as_deref(), "location")?;
        Ok(GeoPoint { lat: p.lat, lon: p.lon })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReporterIn {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCaseRequest {
    /// consult, help, complaint, report or suggestion
    #[schema(value_type = String, example = "complaint")]
    pub kind: RequestKind,
    /// hotline, web, open311, liaison_visit, grid_patrol or walk_in
    #[schema(value_type = String, example = "hotline")]
    pub channel: Channel,
    pub text: String,
    /// 12-digit community code; places the case in its street.
    pub community_code: Option<String>,
    /// 9-digit street code, when no community is known.
    pub street_code: Option<String>,
    pub location: Option<LocationIn>,
    pub address: Option<String>,
    pub reporter: Option<ReporterIn>,
    /// A duty catalog code, e.g. `C-031`.
    pub duty_item: Option<String>,
}

/// A case as this actor sees it, with the actions open to them now.
fn view_for(
    state: &AppState,
    actor: &Actor,
    case: &Case,
    lang: Lang,
    events: Option<&[chuishao_store::StoredEvent]>,
) -> CaseView {
    let mut view = case_view(case, &state.names(), lang, events);
    let cal = state.calendar();
    let env = chuishao_domain::case::Env { now: state.now(), calendar: &cal };
    view.allowed_actions =
        chuishao_domain::case::allowed_actions(case, actor, &env).iter().map(|a| a.as_str().to_string()).collect();
    view
}

/// Where a new case is: its community and street, from what the request gives and who files it.
async fn place_of(
    state: &AppState,
    actor: &Actor,
    req: &CreateCaseRequest,
) -> ApiResult<(StreetCode, Option<CommunityCode>)> {
    let d = &actor.district;
    if let Some(c) = req.community_code.as_deref() {
        let code = CommunityCode::parse_field("community_code", c).map_err(ApiError::from)?;
        let community = state
            .store
            .community(d, &code)
            .await?
            .ok_or_else(|| ApiError::from(FieldError::unknown("community_code")))?;
        if let Some(s) = req.street_code.as_deref() {
            if s != community.street.as_str() {
                return Err(ApiError::from(FieldError::unknown("street_code")));
            }
        }
        return Ok((community.street, Some(code)));
    }
    if let Some(s) = req.street_code.as_deref() {
        let code = StreetCode::parse_field("street_code", s).map_err(ApiError::from)?;
        state.store.street(d, &code).await?.ok_or_else(|| ApiError::from(FieldError::unknown("street_code")))?;
        return Ok((code, None));
    }
    // Without a code, the place the request gives: its point, else a name in its address.
    let point = req.location.as_ref().map(LocationIn::to_point).transpose()?;
    if let Some(place) = crate::intake::locate(state, d, point, req.address.as_deref()).await? {
        return Ok(place);
    }
    // Else the filer's own place stands in: a street's dispatcher, a community's liaison.
    match &actor.scope {
        Scope::Street { code } => Ok((code.clone(), None)),
        // A liaison covering one community files there; covering several, they must say where.
        Scope::Community { covers, .. } if covers.len() == 1 => Ok((covers[0].street(), Some(covers[0].clone()))),
        _ => Err(ApiError::place_required()),
    }
}

/// Receive a request (受理): 201 with the new case.
#[utoipa::path(post, path = "/api/v1/cases", request_body = CreateCaseRequest,
    responses((status = 201, body = CaseView), (status = 400), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    IdempotentJson(req, idem): IdempotentJson<CreateCaseRequest>,
) -> ApiResult<Response> {
    let actor = &user.actor;
    let new = new_case(&state, actor, req).await?;
    let cal = state.calendar();
    match state.store.receive_case_once(actor, state.now(), &cal, new, idem.as_ref()).await? {
        Once::Created(outcome) => {
            tracing::info!(case = %outcome.case.id, number = %outcome.case.number, "case received");
            let case = crate::intake::after_receive(&state, outcome.case, lang).await;
            let outcome = chuishao_store::CommandOutcome { case, events: vec![] };
            let view = view_for(&state, actor, &outcome.case, lang, None);
            let location = format!("/api/v1/cases/{}", outcome.case.id);
            Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)).into_response())
        }
        Once::Replayed(id) => {
            let case = CaseId::parse(&id).ok_or_else(ApiError::internal)?;
            let (case, _) = state.store.load_case(&actor.district, case).await?.ok_or_else(ApiError::internal)?;
            Ok(Json(view_for(&state, actor, &case, lang, None)).into_response())
        }
    }
}

/// The new case a request describes, placed and parsed; refused with the field at fault.
pub(crate) async fn new_case(state: &AppState, actor: &Actor, req: CreateCaseRequest) -> ApiResult<NewCase> {
    let (street, community) = place_of(state, actor, &req).await?;
    let location = req.location.as_ref().map(LocationIn::to_point).transpose()?;
    let reporter = match &req.reporter {
        Some(r) => Some(Reporter {
            name: PersonName::parse_field("reporter.name", &r.name).map_err(ApiError::from)?,
            phone: Phone::parse_field("reporter.phone", &r.phone).map_err(ApiError::from)?,
        }),
        None => None,
    };
    let duty_item = match req.duty_item.as_deref() {
        Some(code) => {
            let item = state
                .store
                .duty_item(&actor.district, code.trim())
                .await?
                .ok_or_else(|| ApiError::from(FieldError::unknown("duty_item")))?;
            Some(DutyRef { code: item.code, name: item.name })
        }
        None => None,
    };
    if actor.role == Role::Resident && !matches!(req.channel, Channel::Web | Channel::Open311) {
        return Err(ApiError::from(FieldError::malformed("channel", "one_of")).arg("values", "web, open311"));
    }
    let reporter_user = (actor.role == Role::Resident).then(|| actor.user_id.clone());
    let id = CaseId(uuid::Uuid::now_v7());
    let district = actor.district.clone();
    Ok(NewCase {
        id,
        number: String::new(), // taken by the store in the same transaction
        district,
        street,
        community,
        kind: req.kind,
        channel: req.channel,
        text: req.text,
        address: req.address,
        location,
        reporter,
        reporter_user,
        duty_item,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// One or more statuses, comma-separated.
    pub status: Option<String>,
    pub street: Option<String>,
    pub community: Option<String>,
    /// The unit the case is dispatched to now.
    pub unit: Option<String>,
    /// The department the case is dispatched to now.
    pub department: Option<String>,
    pub duty_item: Option<String>,
    /// The channel it came in by: hotline, web, open311, liaison_visit, grid_patrol, walk_in.
    pub channel: Option<String>,
    pub overdue: Option<bool>,
    /// Text in the request, or its exact number.
    pub q: Option<String>,
    /// Received at or after: RFC 3339 or a date (Beijing).
    pub from: Option<String>,
    /// Received before: RFC 3339, or a date (the whole day is included).
    pub to: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

fn parse_bound(field: &str, s: &str, end_of_day: bool) -> ApiResult<chuishao_domain::Timestamp> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.to_utc());
    }
    let d = calendar::parse_day(s).ok_or_else(|| bad_query(field))?;
    let d = if end_of_day { d.succ_opt().ok_or_else(|| bad_query(field))? } else { d };
    Ok(calendar::start_of_day(d))
}

/// Cases you may see, newest first, with filters.
#[utoipa::path(get, path = "/api/v1/cases", params(ListQuery),
    responses((status = 200, body = Page<CaseView>), (status = 400), (status = 401)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<CaseView>>> {
    let mut status = vec![];
    for s in q.status.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
        status.push(CaseStatus::parse(s).ok_or_else(|| bad_query("status"))?);
    }
    if q.unit.is_some() && q.department.is_some() {
        return Err(bad_query("department"));
    }
    if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        required_text("q", text, 200).map_err(|_| bad_query("q"))?;
    }
    let (page, per_page) = paging(q.page, q.per_page)?;
    let filter = CaseFilter {
        status,
        street: q.street.clone(),
        community: q.community.clone(),
        assignee: q.unit.clone().or(q.department.clone()),
        duty_item: q.duty_item.clone(),
        channel: q
            .channel
            .as_deref()
            .map(|c| {
                chuishao_domain::case::Channel::parse(c.trim())
                    .map(|c| c.as_str().to_string())
                    .ok_or_else(|| bad_query("channel"))
            })
            .transpose()?,
        overdue: q.overdue,
        q: q.q.clone(),
        from: q.from.as_deref().map(|s| parse_bound("from", s, false)).transpose()?,
        to: q.to.as_deref().map(|s| parse_bound("to", s, true)).transpose()?,
        page,
        per_page,
    };
    let result = state.store.list_cases(&user.actor.district, &Visibility::of(&user.actor), &filter).await?;
    Ok(Json(Page {
        items: result.items.iter().map(|c| view_for(&state, &user.actor, c, lang, None)).collect(),
        total: result.total,
        page,
        per_page,
    }))
}

/// A case id (UUID) or number (`110101-20261128-0042`) → the id, if it exists in the district.
async fn resolve_id(state: &AppState, actor: &Actor, s: &str) -> ApiResult<CaseId> {
    if let Some(id) = CaseId::parse(s) {
        return Ok(id);
    }
    state.store.case_id_by_number(&actor.district, s.trim()).await?.ok_or_else(ApiError::case_not_found)
}

/// Loads a case the actor may see; anything else is 404.
pub(super) async fn visible_case(
    state: &AppState,
    actor: &Actor,
    s: &str,
) -> ApiResult<(Case, Vec<chuishao_store::StoredEvent>)> {
    let id = resolve_id(state, actor, s).await?;
    let (case, events) = state.store.load_case(&actor.district, id).await?.ok_or_else(ApiError::case_not_found)?;
    if !can_see(actor, &case) {
        return Err(ApiError::case_not_found());
    }
    Ok((case, events))
}

/// One case with its full timeline. `{id}` is the id or the number.
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = String, Path, description = "id or number")),
    responses((status = 200, body = CaseView), (status = 404)), security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseView>> {
    let (case, events) = visible_case(&state, &user.actor, &id).await?;
    Ok(Json(view_for(&state, &user.actor, &case, lang, Some(&events))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub at: String,
    pub actor_id: String,
    pub actor_role: String,
    pub action: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// The audit record of a case (inspectors, audit admins, the district supervisor).
#[utoipa::path(get, path = "/api/v1/cases/{id}/audit", params(("id" = String, Path)),
    responses((status = 200, body = Page<AuditEntryView>), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<AuditEntryView>>> {
    user.require(&[Role::Inspector, Role::AuditAdmin, Role::DistrictSupervisor])?;
    let id = resolve_id(&state, &user.actor, &id).await?;
    let rows = state.store.audit_of(&user.actor.district, "case", &id.to_string()).await?;
    if rows.is_empty() {
        return Err(ApiError::case_not_found());
    }
    Ok(Json(Page::all(
        rows.into_iter()
            .map(|(at, actor_id, actor_role, action, detail)| AuditEntryView {
                at: fmt_time(at),
                actor_id,
                actor_role,
                action,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    )))
}

// ---- actions -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    answer: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DispatchBody {
    unit: Option<String>,
    department: Option<String>,
    duty_item: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactBody {
    #[serde(default = "phone_method")]
    method: ContactMethod,
    note: Option<String>,
}

fn phone_method() -> ContactMethod {
    ContactMethod::Phone
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionBody {
    days: u32,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveBody {
    result: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CallbackBody {
    contacted: bool,
    solved: bool,
    satisfaction: Satisfaction,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    into: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextBody {
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentBody {
    name: String,
    content_type: String,
    size: u64,
    sha256: Option<String>,
}

/// Whom to dispatch to: the unit or department named, or else the duty item's owner.
async fn dispatch_order(state: &AppState, actor: &Actor, case: &Case, b: DispatchBody) -> ApiResult<DispatchOrder> {
    let d = &actor.district;
    let code = match b.duty_item.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => c.to_string(),
        None => case
            .duty_item
            .as_ref()
            .map(|x| x.code.clone())
            .ok_or_else(|| ApiError::from(FieldError::required("duty_item")))?,
    };
    let item =
        state.store.duty_item(d, &code).await?.ok_or_else(|| ApiError::from(FieldError::unknown("duty_item")))?;
    let assignee = match (b.unit.as_deref(), b.department.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
                .field("department")
                .arg("detail", "unit / department"))
        }
        (Some(u), None) => {
            let id = UnitId::parse_field("unit", u).map_err(ApiError::from)?;
            let unit = state.store.unit(d, &id).await?.ok_or_else(|| ApiError::from(FieldError::unknown("unit")))?;
            Assignee::from(unit)
        }
        (None, Some(dep)) => {
            let id = DepartmentId::parse_field("department", dep).map_err(ApiError::from)?;
            let dep = state
                .store
                .department(d, &id)
                .await?
                .ok_or_else(|| ApiError::from(FieldError::unknown("department")))?;
            Assignee::from(dep)
        }
        (None, None) => match &item.owner {
            Owner::UnitRole(role) => {
                let unit = state
                    .store
                    .unit_by_role(d, &case.street, role)
                    .await?
                    .ok_or_else(|| ApiError::from(FieldError::required("unit")))?;
                Assignee::from(unit)
            }
            Owner::Department(id) => {
                let dep = state
                    .store
                    .department(d, id)
                    .await?
                    .ok_or_else(|| ApiError::from(FieldError::required("department")))?;
                Assignee::from(dep)
            }
        },
    };
    Ok(DispatchOrder { assignee, duty: item.terms(), note: b.note })
}

/// Turns `/actions/{action}` and its body into a domain command.
async fn command_for(
    state: &AppState,
    actor: &Actor,
    case: &Case,
    action: CaseAction,
    v: serde_json::Value,
) -> ApiResult<CaseCommand> {
    use CaseAction as A;
    Ok(match action {
        A::AnswerDirectly => CaseCommand::AnswerDirectly { answer: body::<AnswerBody>(v)?.answer },
        A::Dispatch => CaseCommand::Dispatch(dispatch_order(state, actor, case, body(v)?).await?),
        A::Accept => {
            body::<Empty>(v)?;
            CaseCommand::Accept
        }
        A::RequestReturn => CaseCommand::RequestReturn { reason: body::<ReasonBody>(v)?.reason },
        A::ApproveReturn => {
            // Naming a new unit, department or duty item means: dispatch again at once.
            let b: DispatchBody = body(v)?;
            let note = b.note.clone();
            let redispatch = if b.unit.is_some() || b.department.is_some() || b.duty_item.is_some() {
                Some(dispatch_order(state, actor, case, DispatchBody { note: None, ..b }).await?)
            } else {
                None
            };
            CaseCommand::ApproveReturn { note, redispatch }
        }
        A::RejectReturn => CaseCommand::RejectReturn { reason: body::<ReasonBody>(v)?.reason },
        A::Contact => {
            let b: ContactBody = body(v)?;
            CaseCommand::Contact { method: b.method, note: b.note }
        }
        A::RequestExtension => {
            let b: ExtensionBody = body(v)?;
            CaseCommand::RequestExtension { days: b.days, reason: b.reason }
        }
        A::GrantExtension => CaseCommand::GrantExtension { note: body::<NoteBody>(v)?.note },
        A::DenyExtension => CaseCommand::DenyExtension { reason: body::<ReasonBody>(v)?.reason },
        A::Resolve => CaseCommand::Resolve { result: body::<ResolveBody>(v)?.result },
        A::Verify => CaseCommand::Verify { note: body::<NoteBody>(v)?.note },
        A::SendBack => CaseCommand::SendBack { reason: body::<ReasonBody>(v)?.reason },
        A::RecordCallback => {
            let b: CallbackBody = body(v)?;
            CaseCommand::RecordCallback {
                contacted: b.contacted,
                solved: b.solved,
                satisfaction: b.satisfaction,
                note: b.note,
            }
        }
        A::Close => CaseCommand::Close { note: body::<NoteBody>(v)?.note },
        A::Reopen => CaseCommand::Reopen { reason: body::<ReasonBody>(v)?.reason },
        A::Terminate => CaseCommand::Terminate { reason: body::<ReasonBody>(v)?.reason },
        A::Merge => {
            let b: MergeBody = body(v)?;
            let target = match visible_case(state, actor, &b.into).await {
                Ok((t, _)) => t,
                Err(_) => return Err(ApiError::from(FieldError::unknown("into"))),
            };
            if !target.is_open() {
                return Err(ApiError::new(StatusCode::CONFLICT, "merge_target_closed")
                    .field("into")
                    .key_arg("status", format!("status-{}", target.status.as_str())));
            }
            CaseCommand::Merge { into: target.id, into_number: target.number }
        }
        A::AddNote => CaseCommand::AddNote { text: body::<TextBody>(v)?.text },
        A::AddAttachment => {
            let b: AttachmentBody = body(v)?;
            CaseCommand::AddAttachment(
                AttachmentMeta::parse(&b.name, &b.content_type, b.size, b.sha256.as_deref()).map_err(ApiError::from)?,
            )
        }
        A::RevealContact => CaseCommand::RevealContact { reason: body::<ReasonBody>(v)?.reason },
        A::Receive | A::Tick | A::RecordWhistle => {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "unknown_action").arg("action", action.as_str()))
        }
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevealedContact {
    pub name: String,
    pub phone: String,
    pub address: Option<String>,
    pub case: CaseView,
}

/// Run a lifecycle command on a case. The body holds the action's fields and an optional
/// `expected_version`; the answer is the case's new state.
///
/// Actions: answer-directly, dispatch, accept, request-return, approve-return, reject-return,
/// contact, request-extension, grant-extension, deny-extension, resolve, verify, send-back,
/// record-callback, close, reopen, terminate, merge, add-note, add-attachment, reveal-contact.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions/{action}",
    params(("id" = String, Path, description = "id or number"), ("action" = String, Path)),
    request_body(content = Object, description = "the action's fields, plus optional expected_version"),
    responses((status = 200, body = CaseView), (status = 400), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn action(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path((id, action_name)): Path<(String, String)>,
    ApiJson(mut v): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    let action = CaseAction::parse(&action_name)
        .filter(|a| !matches!(a, CaseAction::Receive | CaseAction::Tick | CaseAction::RecordWhistle))
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "unknown_action").arg("action", action_name.clone()))?;
    let expected_version = take_expected_version(&mut v)?;
    let actor = &user.actor;
    let (case, _) = visible_case(&state, actor, &id).await?;
    let command = command_for(&state, actor, &case, action, v).await?;
    let cal = state.calendar();
    let outcome = state.store.execute(actor, case.id, &command, expected_version, state.now(), &cal).await?;
    let view = view_for(&state, actor, &outcome.case, lang, None);
    if action == CaseAction::RevealContact {
        // Reached only through a recorded contact_revealed event (who, when, why).
        let reporter = outcome.case.reporter.as_ref().ok_or_else(ApiError::internal)?;
        return Ok(Json(RevealedContact {
            name: reporter.name.as_str().to_string(),
            phone: reporter.phone.as_str().to_string(),
            address: outcome.case.address.clone(),
            case: view,
        })
        .into_response());
    }
    Ok(Json(view).into_response())
}
