//! Community liaisons over HTTP: who covers which community, households in care and their due
//! visits, visits logged at the door (raising cases and assistance in the same call), and each
//! liaison's results.

use super::assistance::{assistance_view, AssistanceIn, AssistanceView};
use super::cases::{new_case, CreateCaseRequest, LocationIn, ReporterIn};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{bad_query, fields as body, paging, take_expected_version, ApiJson, ApiQuery, IdempotentJson};
use crate::i18n::{label, Lang};
use crate::view::{case_view, fmt_time, ActorView, CaseView, NamedRef, Page};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use chuishao_domain::calendar::local_date;
use chuishao_domain::case::Channel;
use chuishao_domain::field::{required_text, FieldRule};
use chuishao_domain::liaison::{
    self, household_fields, visit_interval, CareFlag, Household, HouseholdInput, VisitPolicy,
};
use chuishao_domain::personal::mask_address;
use chuishao_domain::{Actor, CaseId, CommunityCode, FieldError, RequestKind, Role, Scope, StreetCode};
use chuishao_store::{
    CommandError, HouseholdFilter, LiaisonResults, NewVisit, Once, StoredHousehold, StoredUser, Visit, VisitFilter,
    VisitOutcome,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

// ---- who may see what ------------------------------------------------------------------------

/// The communities whose households and visits an actor may read: a liaison's own, a street's
/// for its officials and units, every one for the district's supervisors and inspectors.
async fn readable_communities(state: &AppState, actor: &Actor) -> ApiResult<Vec<CommunityCode>> {
    let d = &actor.district;
    let street = match (actor.role, &actor.scope) {
        (Role::Liaison, Scope::Community { covers, .. }) => return Ok(covers.clone()),
        (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => Some(code.clone()),
        (Role::UnitStaff, Scope::Unit { street, .. })
            if unit_role(state, actor).await?.as_deref() == Some(liaison::CARE_UNIT_ROLE) =>
        {
            Some(street.clone())
        }
        (Role::DistrictSupervisor | Role::Inspector, Scope::District { .. }) => None,
        _ => return Ok(vec![]),
    };
    Ok(state.store.communities(d, street.as_ref()).await?.into_iter().map(|c| c.code).collect())
}

/// The role key of a unit staff's unit (`livelihood`…), for rules that depend on it.
pub(crate) async fn unit_role(state: &AppState, actor: &Actor) -> ApiResult<Option<String>> {
    Ok(match &actor.scope {
        Scope::Unit { id, .. } => state.store.unit(&actor.district, id).await?.map(|u| u.role),
        _ => None,
    })
}

/// Whether the actor may read the households and visits of a community.
pub(crate) async fn reads_households(state: &AppState, actor: &Actor, community: &CommunityCode) -> ApiResult<bool> {
    let role = unit_role(state, actor).await?;
    Ok(liaison::may_read_households(actor, &actor.district, community, role.as_deref()))
}

/// The communities asked for (a comma list), narrowed to what the actor may read.
async fn communities_asked(state: &AppState, actor: &Actor, asked: Option<&str>) -> ApiResult<Vec<CommunityCode>> {
    let readable = readable_communities(state, actor).await?;
    let Some(asked) = asked.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(readable) };
    let mut out = vec![];
    for c in asked.split(',').map(str::trim) {
        let code = CommunityCode::parse(c).map_err(|_| bad_query("community"))?;
        if readable.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

fn not_found(code: &'static str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, code)
}

/// A liaison account of the actor's district, or 404.
async fn liaison_user(state: &AppState, actor: &Actor, id: &str) -> ApiResult<(StoredUser, CommunityCode)> {
    let user = state
        .store
        .user(&actor.district, id)
        .await?
        .filter(|u| u.role == Role::Liaison)
        .ok_or_else(|| not_found("liaison_not_found"))?;
    let home = CommunityCode::parse(&user.scope_id).map_err(|_| ApiError::internal())?;
    Ok((user, home))
}

/// Who may see a liaison's page, due visits and results: the liaison, the officials of their
/// street, the district.
fn may_see_liaison(actor: &Actor, liaison_id: &str, street: &StreetCode) -> bool {
    match (actor.role, &actor.scope) {
        (Role::Liaison, _) => actor.user_id == liaison_id,
        (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => code == street,
        (Role::DistrictSupervisor | Role::Inspector, Scope::District { code }) => *code == street.district(),
        _ => false,
    }
}

fn named(state: &AppState, code: &str) -> NamedRef {
    NamedRef { code: code.to_string(), name: state.names().name_of(code) }
}

fn today(state: &AppState) -> NaiveDate {
    local_date(state.now())
}

fn parse_day(field: &str, s: &str) -> Result<NaiveDate, FieldError> {
    chuishao_domain::calendar::parse_day(s).ok_or_else(|| FieldError::malformed(field, "date"))
}

// ---- liaisons and their communities ------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct CoveredCommunity {
    pub community: NamedRef,
    pub since: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LiaisonView {
    pub id: String,
    pub name: String,
    /// The community the liaison is registered in.
    pub home: NamedRef,
    pub communities: Vec<CoveredCommunity>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageView {
    pub street: Option<NamedRef>,
    pub liaisons: Vec<LiaisonView>,
    /// Communities of the street that no liaison covers now.
    pub uncovered: Vec<NamedRef>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CoverageQuery {
    /// A 9-digit street code; a street's officials always see their own.
    pub street: Option<String>,
}

/// Who covers which community (社区专员覆盖): the liaisons of a street with the communities they
/// cover now, and the communities nobody covers.
#[utoipa::path(get, path = "/api/v1/liaisons", params(CoverageQuery),
    responses((status = 200, body = CoverageView), (status = 403)), security(("bearer" = [])))]
pub async fn coverage(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> ApiResult<Json<CoverageView>> {
    let actor = &user.actor;
    let d = &actor.district;
    let asked =
        q.street.as_deref().map(|s| StreetCode::parse(s.trim()).map_err(|_| bad_query("street"))).transpose()?;
    let street = match (actor.role, &actor.scope) {
        (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => Some(code.clone()),
        (Role::DistrictSupervisor | Role::Inspector, Scope::District { .. }) => asked,
        _ => return Err(ApiError::forbidden()),
    };
    let stints = state.store.liaison_assignments(d, street.as_ref(), None, false).await?;
    let mut liaisons: Vec<LiaisonView> = vec![];
    for u in state.store.users(d).await?.into_iter().filter(|u| u.role == Role::Liaison) {
        let home = u.scope_id.clone();
        let mine: Vec<CoveredCommunity> = stints
            .iter()
            .filter(|a| a.liaison_id == u.id)
            .map(|a| CoveredCommunity {
                community: named(&state, a.community.as_str()),
                since: fmt_time(a.assigned_at),
            })
            .collect();
        let in_street = street.as_ref().is_none_or(|s| home.starts_with(s.as_str()));
        if mine.is_empty() && !in_street {
            continue;
        }
        liaisons.push(LiaisonView { id: u.id, name: u.display_name, home: named(&state, &home), communities: mine });
    }
    let communities = state.store.communities(d, street.as_ref()).await?;
    let uncovered = communities
        .iter()
        .filter(|c| !stints.iter().any(|a| a.community == c.code))
        .map(|c| NamedRef { code: c.code.to_string(), name: c.name.clone() })
        .collect();
    Ok(Json(CoverageView { street: street.map(|s| named(&state, s.as_str())), liaisons, uncovered }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    pub community: NamedRef,
    pub assigned_at: String,
    pub assigned_by: String,
    pub ended_at: Option<String>,
    pub ended_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LiaisonDetail {
    #[serde(flatten)]
    pub liaison: LiaisonView,
    /// Every stint, open and ended, newest first per community.
    pub history: Vec<AssignmentView>,
}

async fn liaison_detail(state: &AppState, actor: &Actor, id: &str) -> ApiResult<LiaisonDetail> {
    let (u, home) = liaison_user(state, actor, id).await?;
    if !may_see_liaison(actor, &u.id, &home.street()) {
        return Err(not_found("liaison_not_found"));
    }
    let stints = state.store.liaison_assignments(&actor.district, None, Some(&u.id), true).await?;
    Ok(LiaisonDetail {
        liaison: LiaisonView {
            id: u.id.clone(),
            name: u.display_name.clone(),
            home: named(state, home.as_str()),
            communities: stints
                .iter()
                .filter(|a| a.ended_at.is_none())
                .map(|a| CoveredCommunity {
                    community: named(state, a.community.as_str()),
                    since: fmt_time(a.assigned_at),
                })
                .collect(),
        },
        history: stints
            .iter()
            .map(|a| AssignmentView {
                community: named(state, a.community.as_str()),
                assigned_at: fmt_time(a.assigned_at),
                assigned_by: a.assigned_by.clone(),
                ended_at: a.ended_at.map(fmt_time),
                ended_by: a.ended_by.clone(),
            })
            .collect(),
    })
}

/// One liaison: the communities covered now and the whole assignment history.
#[utoipa::path(get, path = "/api/v1/liaisons/{id}", params(("id" = String, Path)),
    responses((status = 200, body = LiaisonDetail), (status = 404)), security(("bearer" = [])))]
pub async fn get_liaison(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<LiaisonDetail>> {
    Ok(Json(liaison_detail(&state, &user.actor, &id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// 12-digit community codes of the liaison's street; empty to cover none.
    pub communities: Vec<String>,
}

/// Assign a liaison to communities of their street (the street's dispatchers and leaders, the
/// district supervisor). Communities left out end their stint; the history stays.
#[utoipa::path(put, path = "/api/v1/liaisons/{id}/communities", params(("id" = String, Path)), request_body = AssignRequest,
    responses((status = 200, body = LiaisonDetail), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> ApiResult<Json<LiaisonDetail>> {
    let actor = &user.actor;
    let (u, home) = liaison_user(&state, actor, &id).await?;
    let street = home.street();
    if !may_see_liaison(actor, &u.id, &street) {
        return Err(not_found("liaison_not_found"));
    }
    if !liaison::may_assign_liaisons(actor, &street) {
        return Err(ApiError::forbidden());
    }
    if req.communities.len() > 20 {
        return Err(FieldError::new("communities", FieldRule::OutOfRange { min: 0, max: 20 }).into());
    }
    let mut codes = vec![];
    for (i, c) in req.communities.iter().enumerate() {
        let field = format!("communities[{i}]");
        let code = CommunityCode::parse_field(&field, c.trim())?;
        // A liaison serves the street that employs them.
        if code.street() != street || state.store.community(&actor.district, &code).await?.is_none() {
            return Err(FieldError::unknown(field).into());
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    state.store.set_liaison_communities(actor, &u.id, &codes, state.now()).await?;
    Ok(Json(liaison_detail(&state, actor, &id).await?))
}

// ---- households ------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagView {
    pub flag: String,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdView {
    pub id: String,
    pub street: NamedRef,
    pub community: NamedRef,
    /// Masked: numbers are starred.
    pub address: String,
    /// Masked: 张*.
    pub contact_name: Option<String>,
    /// Masked: 138****5678.
    pub phone: Option<String>,
    pub care_flags: Vec<FlagView>,
    pub note: Option<String>,
    pub active: bool,
    pub registered_on: String,
    pub last_visit_on: Option<String>,
    /// The visit interval in days from the household's flags (the shortest applies).
    pub interval_days: Option<u32>,
    pub next_visit_due: Option<String>,
    /// Days past the due date (0 when due today, negative when not yet due).
    pub days_overdue: Option<i64>,
    pub version: u64,
}

fn flag_views(flags: &[CareFlag], lang: Lang) -> Vec<FlagView> {
    flags.iter().map(|f| FlagView { flag: f.as_str().into(), label: label(lang, "care_flag", f.as_str()) }).collect()
}

fn household_view(state: &AppState, h: &StoredHousehold, policies: &[VisitPolicy], lang: Lang) -> HouseholdView {
    let hh = &h.household;
    HouseholdView {
        id: hh.id.clone(),
        street: named(state, hh.street.as_str()),
        community: named(state, hh.community.as_str()),
        address: mask_address(&hh.address),
        contact_name: hh.contact_name.as_ref().map(|n| n.masked()),
        phone: hh.phone.as_ref().map(|p| p.masked()),
        care_flags: flag_views(&hh.care_flags, lang),
        note: hh.note.clone(),
        active: hh.active,
        registered_on: h.registered_on.to_string(),
        last_visit_on: h.last_visit_on.map(|d| d.to_string()),
        interval_days: visit_interval(&hh.care_flags, policies),
        next_visit_due: h.next_visit_due.map(|d| d.to_string()),
        days_overdue: h.next_visit_due.map(|d| (today(state) - d).num_days()),
        version: h.version,
    }
}

/// The household a form names, if it names one the actor may read; else 422 `household_id`.
pub(crate) async fn household_field(
    state: &AppState,
    actor: &Actor,
    id: Option<&str>,
) -> ApiResult<Option<StoredHousehold>> {
    let Some(id) = id.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    match readable_household(state, actor, id).await {
        Ok(h) => Ok(Some(h)),
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(FieldError::unknown("household_id").into()),
        Err(e) => Err(e),
    }
}

/// A household the actor may read, or 404.
async fn readable_household(state: &AppState, actor: &Actor, id: &str) -> ApiResult<StoredHousehold> {
    let h = state.store.household(&actor.district, id).await?.ok_or_else(|| not_found("household_not_found"))?;
    if !reads_households(state, actor, &h.household.community).await? {
        return Err(not_found("household_not_found"));
    }
    Ok(h)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct HouseholdQuery {
    /// One or more community codes, comma-separated (within what you may see).
    pub community: Option<String>,
    /// A care flag: living_alone, elderly, disabled, low_income, serious_illness, unemployed, entitled_group.
    pub flag: Option<String>,
    /// Only households due for a visit on or before this date.
    pub due_by: Option<String>,
    pub include_inactive: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Households in care that you may see, the most overdue for a visit first. Personal data masked.
#[utoipa::path(get, path = "/api/v1/households", params(HouseholdQuery),
    responses((status = 200, body = Page<HouseholdView>), (status = 400)), security(("bearer" = [])))]
pub async fn list_households(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<HouseholdQuery>,
) -> ApiResult<Json<Page<HouseholdView>>> {
    let actor = &user.actor;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let flag = q.flag.as_deref().map(|f| CareFlag::parse(f.trim()).ok_or_else(|| bad_query("flag"))).transpose()?;
    let due_by = q.due_by.as_deref().map(|s| parse_day("due_by", s).map_err(|_| bad_query("due_by"))).transpose()?;
    let filter = HouseholdFilter {
        communities: communities_asked(&state, actor, q.community.as_deref()).await?,
        flag,
        due_by,
        include_inactive: q.include_inactive.unwrap_or(false),
        page,
        per_page,
    };
    let (items, total) = state.store.list_households(&actor.district, &filter).await?;
    let policies = state.store.visit_policies(&actor.district).await?;
    Ok(Json(Page {
        items: items.iter().map(|h| household_view(&state, h, &policies, lang)).collect(),
        total,
        page,
        per_page,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHouseholdRequest {
    /// 12-digit community code; a liaison covering one community may leave it out.
    pub community_code: Option<String>,
    pub address: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub care_flags: Vec<String>,
    pub note: Option<String>,
}

/// The community a liaison's form is about: the code given, or the only one they cover.
async fn community_of(state: &AppState, actor: &Actor, given: Option<&str>) -> ApiResult<CommunityCode> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => {
            let code = CommunityCode::parse_field("community_code", c)?;
            state
                .store
                .community(&actor.district, &code)
                .await?
                .ok_or_else(|| ApiError::from(FieldError::unknown("community_code")))?;
            Ok(code)
        }
        None => match &actor.scope {
            Scope::Community { covers, .. } if covers.len() == 1 => Ok(covers[0].clone()),
            _ => Err(FieldError::required("community_code").into()),
        },
    }
}

/// Register a household in care (liaisons of its community, the street's officials). Send an
/// `Idempotency-Key` so that a form sent twice registers it once.
#[utoipa::path(post, path = "/api/v1/households", request_body = CreateHouseholdRequest,
    responses((status = 201, body = HouseholdView), (status = 200, body = HouseholdView, description = "sent again under the same Idempotency-Key"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn create_household(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    IdempotentJson(req, idem): IdempotentJson<CreateHouseholdRequest>,
) -> ApiResult<Response> {
    let actor = &user.actor;
    let community = community_of(&state, actor, req.community_code.as_deref()).await?;
    if !liaison::may_manage_households(actor, &actor.district, &community) {
        return Err(ApiError::forbidden());
    }
    let input = HouseholdInput {
        address: req.address,
        contact_name: req.contact_name,
        phone: req.phone,
        care_flags: req.care_flags,
        note: req.note,
    };
    let f = household_fields(&input)?;
    let household = Household {
        id: uuid::Uuid::now_v7().to_string(),
        district: actor.district.clone(),
        street: community.street(),
        community,
        address: f.address,
        contact_name: f.contact_name,
        phone: f.phone,
        care_flags: f.care_flags,
        note: f.note,
        active: true,
    };
    let policies = state.store.visit_policies(&actor.district).await?;
    match state.store.add_household(actor, &household, today(&state), state.now(), idem.as_ref()).await? {
        Once::Created(h) => {
            let location = format!("/api/v1/households/{}", h.household.id);
            let view = household_view(&state, &h, &policies, lang);
            Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)).into_response())
        }
        Once::Replayed(id) => {
            let h = readable_household(&state, actor, &id).await?;
            Ok(Json(household_view(&state, &h, &policies, lang)).into_response())
        }
    }
}

/// One household (masked).
#[utoipa::path(get, path = "/api/v1/households/{id}", params(("id" = String, Path)),
    responses((status = 200, body = HouseholdView), (status = 404)), security(("bearer" = [])))]
pub async fn get_household(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<HouseholdView>> {
    let h = readable_household(&state, &user.actor, &id).await?;
    let policies = state.store.visit_policies(&user.actor.district).await?;
    Ok(Json(household_view(&state, &h, &policies, lang)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateHousehold {
    address: Option<String>,
    contact_name: Option<String>,
    phone: Option<String>,
    care_flags: Option<Vec<String>>,
    note: Option<String>,
    active: Option<bool>,
}

/// Change a household's details or flags, or take it out of care (`active: false`); its visit
/// schedule follows. Optional `expected_version` guards against overwriting someone else's edit.
#[utoipa::path(patch, path = "/api/v1/households/{id}", params(("id" = String, Path)),
    request_body(content = Object, description = "any of address, contact_name, phone, care_flags, note, active; optional expected_version"),
    responses((status = 200, body = HouseholdView), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn update_household(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(mut v): ApiJson<serde_json::Value>,
) -> ApiResult<Json<HouseholdView>> {
    let actor = &user.actor;
    let expected = take_expected_version(&mut v)?;
    let change: UpdateHousehold = body(v)?;
    let current = readable_household(&state, actor, &id).await?;
    let h = &current.household;
    if !liaison::may_manage_households(actor, &actor.district, &h.community) {
        return Err(ApiError::forbidden());
    }
    // Unchanged fields keep their stored values; an empty string clears an optional one.
    let input = HouseholdInput {
        address: change.address.unwrap_or_else(|| h.address.clone()),
        contact_name: change.contact_name.or_else(|| h.contact_name.as_ref().map(|n| n.as_str().to_string())),
        phone: change.phone.or_else(|| h.phone.as_ref().map(|p| p.as_str().to_string())),
        care_flags: change.care_flags.unwrap_or_else(|| h.care_flags.iter().map(|f| f.as_str().to_string()).collect()),
        note: change.note.or_else(|| h.note.clone()),
    };
    let f = household_fields(&input)?;
    let updated = Household {
        address: f.address,
        contact_name: f.contact_name,
        phone: f.phone,
        care_flags: f.care_flags,
        note: f.note,
        active: change.active.unwrap_or(h.active),
        ..h.clone()
    };
    let stored = state.store.update_household(actor, &updated, expected, state.now()).await?;
    let policies = state.store.visit_policies(&actor.district).await?;
    Ok(Json(household_view(&state, &stored, &policies, lang)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonBody {
    reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevealedHousehold {
    pub address: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
}

/// See a household's address and contact in full, giving a reason; the reveal is audited.
/// Only those who manage the community's households may.
#[utoipa::path(post, path = "/api/v1/households/{id}/actions/reveal-contact", params(("id" = String, Path)),
    request_body(content = Object, description = "{reason}"),
    responses((status = 200, body = RevealedHousehold), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn reveal_household(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(v): ApiJson<serde_json::Value>,
) -> ApiResult<Json<RevealedHousehold>> {
    let actor = &user.actor;
    let b: ReasonBody = body(v)?;
    let reason = required_text("reason", &b.reason, 500)?;
    let h = readable_household(&state, actor, &id).await?;
    if !liaison::may_manage_households(actor, &actor.district, &h.household.community) {
        return Err(ApiError::forbidden());
    }
    state.store.record_household_reveal(actor, &id, &reason, state.now()).await?;
    Ok(Json(RevealedHousehold {
        address: h.household.address.clone(),
        contact_name: h.household.contact_name.as_ref().map(|n| n.as_str().to_string()),
        phone: h.household.phone.as_ref().map(|p| p.as_str().to_string()),
    }))
}

// ---- visit policies and due visits -------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitPolicyView {
    pub flag: String,
    pub label: String,
    pub interval_days: u32,
}

fn policy_views(policies: &[VisitPolicy], lang: Lang) -> Vec<VisitPolicyView> {
    policies
        .iter()
        .map(|p| VisitPolicyView {
            flag: p.flag.as_str().into(),
            label: label(lang, "care_flag", p.flag.as_str()),
            interval_days: p.interval_days,
        })
        .collect()
}

/// How often households with each care flag are visited (e.g. 独居老人 every 30 days).
#[utoipa::path(get, path = "/api/v1/visit-policies",
    responses((status = 200, body = Vec<VisitPolicyView>)), security(("bearer" = [])))]
pub async fn visit_policies(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
) -> ApiResult<Json<Vec<VisitPolicyView>>> {
    Ok(Json(policy_views(&state.store.visit_policies(&user.actor.district).await?, lang)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitPolicyRequest {
    pub interval_days: u32,
}

/// Change a care flag's visit interval (district supervisor, system admin); households carrying
/// the flag are rescheduled at once.
#[utoipa::path(put, path = "/api/v1/visit-policies/{flag}", params(("flag" = String, Path)), request_body = VisitPolicyRequest,
    responses((status = 200, body = Vec<VisitPolicyView>), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn put_visit_policy(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(flag): Path<String>,
    ApiJson(req): ApiJson<VisitPolicyRequest>,
) -> ApiResult<Json<Vec<VisitPolicyView>>> {
    user.require(&[Role::DistrictSupervisor, Role::SystemAdmin])?;
    let flag = CareFlag::parse(&flag)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "unknown_care_flag").arg("flag", flag))?;
    if !(1..=VisitPolicy::MAX_INTERVAL_DAYS).contains(&req.interval_days) {
        let max = i64::from(VisitPolicy::MAX_INTERVAL_DAYS);
        return Err(FieldError::new("interval_days", FieldRule::OutOfRange { min: 1, max }).into());
    }
    let policy = VisitPolicy { flag, interval_days: req.interval_days };
    state.store.set_visit_policy(&user.actor, policy, state.now()).await?;
    Ok(Json(policy_views(&state.store.visit_policies(&user.actor.district).await?, lang)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DueQuery {
    /// Include households due within this many days from today (0–366, default 7).
    pub within_days: Option<u32>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A liaison's due visits (待走访): households of the communities they cover whose visit falls
/// due by today + `within_days`, the most overdue first.
#[utoipa::path(get, path = "/api/v1/liaisons/{id}/due-visits", params(("id" = String, Path), DueQuery),
    responses((status = 200, body = Page<HouseholdView>), (status = 404)), security(("bearer" = [])))]
pub async fn due_visits(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> ApiResult<Json<Page<HouseholdView>>> {
    let actor = &user.actor;
    let (u, home) = liaison_user(&state, actor, &id).await?;
    if !may_see_liaison(actor, &u.id, &home.street()) {
        return Err(not_found("liaison_not_found"));
    }
    let within = q.within_days.unwrap_or(7);
    if within > 366 {
        return Err(bad_query("within_days"));
    }
    let (page, per_page) = paging(q.page, q.per_page)?;
    let filter = HouseholdFilter {
        communities: state.store.liaison_covers(&actor.district, &u.id).await?,
        due_by: Some(today(&state) + chrono::Duration::days(within.into())),
        page,
        per_page,
        ..Default::default()
    };
    let (items, total) = state.store.list_households(&actor.district, &filter).await?;
    let policies = state.store.visit_policies(&actor.district).await?;
    Ok(Json(Page {
        items: items.iter().map(|h| household_view(&state, h, &policies, lang)).collect(),
        total,
        page,
        per_page,
    }))
}

// ---- visits ----------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitView {
    pub id: String,
    pub street: NamedRef,
    pub community: NamedRef,
    pub household: Option<HouseholdRefView>,
    pub place: Option<String>,
    pub by: ActorView,
    pub visited_on: String,
    pub seen: String,
    pub asked: Option<String>,
    pub follow_ups: Option<String>,
    /// The case the visit raised: its id and number.
    pub case: Option<NamedRef>,
    pub assistance_id: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdRefView {
    pub id: String,
    /// Masked.
    pub address: String,
}

async fn visit_view(state: &AppState, v: &Visit, lang: Lang) -> ApiResult<VisitView> {
    let d = &v.district;
    let household = match &v.household_id {
        Some(h) => state
            .store
            .household(d, h)
            .await?
            .map(|h| HouseholdRefView { id: h.household.id.clone(), address: mask_address(&h.household.address) }),
        None => None,
    };
    let case = match v.case_id.as_deref().and_then(CaseId::parse) {
        Some(id) => {
            state.store.projected_case(d, id).await?.map(|c| NamedRef { code: c.id.to_string(), name: c.number })
        }
        None => None,
    };
    Ok(VisitView {
        id: v.id.clone(),
        street: named(state, v.street.as_str()),
        community: named(state, v.community.as_str()),
        household,
        place: v.place.clone(),
        by: ActorView::of(&v.by, lang),
        visited_on: v.visited_on.to_string(),
        seen: v.notes.seen.clone(),
        asked: v.notes.asked.clone(),
        follow_ups: v.notes.follow_ups.clone(),
        case,
        assistance_id: v.assistance_id.clone(),
        recorded_at: fmt_time(v.recorded_at),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseCaseIn {
    /// consult, help, complaint, report or suggestion
    #[schema(value_type = String, example = "help")]
    pub kind: RequestKind,
    pub text: String,
    pub address: Option<String>,
    pub location: Option<LocationIn>,
    /// The resident to contact; defaults to the household's contact.
    pub reporter: Option<ReporterIn>,
    /// A duty catalog code, e.g. `C-031`.
    pub duty_item: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVisitRequest {
    /// The household visited; or leave it out and give a `place` (a walk in the community).
    pub household_id: Option<String>,
    /// Required without a household, unless you cover one community only.
    pub community_code: Option<String>,
    pub place: Option<String>,
    /// The day of the visit (default today); forms sent later keep the day they were filled.
    pub visited_on: Option<String>,
    /// What was seen.
    pub seen: String,
    /// What the household asked for.
    pub asked: Option<String>,
    pub follow_ups: Option<String>,
    /// Raise a case (channel liaison_visit) from this visit.
    pub raise_case: Option<RaiseCaseIn>,
    /// Raise a hardship assistance request from this visit.
    pub raise_assistance: Option<AssistanceIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitRecorded {
    pub visit: VisitView,
    pub case: Option<CaseView>,
    pub assistance: Option<AssistanceView>,
}

async fn recorded_view(state: &AppState, actor: &Actor, out: &VisitOutcome, lang: Lang) -> ApiResult<VisitRecorded> {
    let case = out.case.as_ref().map(|c| {
        let mut view = case_view(&c.case, &state.names(), lang, None);
        let cal = state.calendar();
        let env = chuishao_domain::case::Env { now: state.now(), calendar: &cal };
        view.allowed_actions = chuishao_domain::case::allowed_actions(&c.case, actor, &env)
            .iter()
            .map(|a| a.as_str().to_string())
            .collect();
        view
    });
    Ok(VisitRecorded {
        visit: visit_view(state, &out.visit, lang).await?,
        case,
        assistance: out.assistance.as_ref().map(|a| assistance_view(state, a, actor, lang, None)),
    })
}

/// Log a visit (走访), optionally raising a case and/or a hardship assistance request in the
/// same call — all stored together or not at all. Send an `Idempotency-Key`: a form filled
/// offline and sent again under the same key is stored once (200 with what was stored).
#[utoipa::path(post, path = "/api/v1/visits", request_body = CreateVisitRequest,
    responses((status = 201, body = VisitRecorded), (status = 200, body = VisitRecorded, description = "sent again under the same Idempotency-Key"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn create_visit(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    IdempotentJson(req, idem): IdempotentJson<CreateVisitRequest>,
) -> ApiResult<Response> {
    let actor = &user.actor;
    // A form sent again answers what was stored, even if the sender's scope changed since.
    if let Some(id) = state.store.replayed(actor, idem.as_ref(), "visit").await? {
        return replayed_visit(&state, actor, &id, lang).await;
    }
    let household = household_field(&state, actor, req.household_id.as_deref()).await?;
    let community = match &household {
        Some(h) => h.household.community.clone(),
        None => community_of(&state, actor, req.community_code.as_deref()).await?,
    };
    if !liaison::may_log_visit(actor, &community) {
        return Err(ApiError::forbidden());
    }
    let place = chuishao_domain::field::optional_text("place", req.place.as_deref(), 200)?;
    if household.is_none() && place.is_none() {
        return Err(FieldError::required("place").into());
    }
    let visited_on = match req.visited_on.as_deref() {
        Some(s) => parse_day("visited_on", s)?,
        None => today(&state),
    };
    let notes =
        liaison::visit_fields(visited_on, today(&state), &req.seen, req.asked.as_deref(), req.follow_ups.as_deref())?;
    let household_id = household.as_ref().map(|h| h.household.id.clone());
    let visit = Visit::new(actor, &community, household_id, place, visited_on, notes, state.now());
    let raise_case = match req.raise_case {
        Some(c) => {
            // The household's contact is whom the handler calls back, unless another is named.
            let reporter = c.reporter.or_else(|| {
                let h = &household.as_ref()?.household;
                Some(ReporterIn {
                    name: h.contact_name.as_ref()?.as_str().to_string(),
                    phone: h.phone.as_ref()?.as_str().to_string(),
                })
            });
            let address = c.address.or_else(|| household.as_ref().map(|h| h.household.address.clone()));
            let request = CreateCaseRequest {
                kind: c.kind,
                channel: Channel::LiaisonVisit,
                text: c.text,
                community_code: Some(community.to_string()),
                street_code: None,
                location: c.location,
                address,
                reporter,
                duty_item: c.duty_item,
            };
            Some(new_case(&state, actor, request).await.map_err(|e| e.prefixed("raise_case"))?)
        }
        None => None,
    };
    let raise_assistance = match req.raise_assistance {
        Some(a) => Some(
            super::assistance::new_assistance(
                &state,
                actor,
                &community,
                visit.household_id.clone(),
                Some(visit.id.clone()),
                a,
            )
            .await
            .map_err(|e| e.prefixed("raise_assistance"))?,
        ),
        None => None,
    };
    let new = NewVisit { visit, raise_case, raise_assistance };
    let cal = state.calendar();
    // The visit's own fields were checked above: a refusal here is about what it raises.
    let recorded =
        state.store.record_visit(actor, new, state.now(), &cal, idem.as_ref()).await.map_err(|e| match e {
            CommandError::Case(c) => ApiError::from(c).prefixed("raise_case"),
            CommandError::Assistance(a) => ApiError::from(a).prefixed("raise_assistance"),
            other => ApiError::from(other),
        })?;
    match recorded {
        Once::Created(out) => {
            tracing::info!(visit = %out.visit.id, case = ?out.visit.case_id, assistance = ?out.visit.assistance_id, "visit recorded");
            let location = format!("/api/v1/visits/{}", out.visit.id);
            let view = recorded_view(&state, actor, &out, lang).await?;
            Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)).into_response())
        }
        Once::Replayed(id) => replayed_visit(&state, actor, &id, lang).await,
    }
}

/// What an earlier sending of a visit stored: the visit, its case and its request (200).
async fn replayed_visit(state: &AppState, actor: &Actor, id: &str, lang: Lang) -> ApiResult<Response> {
    let d = &actor.district;
    let visit = state.store.visit(d, id).await?.ok_or_else(ApiError::internal)?;
    let case = match visit.case_id.as_deref().and_then(CaseId::parse) {
        Some(c) => state.store.load_case(d, c).await?.map(|(case, events)| chuishao_store::CommandOutcome {
            case,
            events: events.into_iter().map(|e| e.event).collect(),
        }),
        None => None,
    };
    let assistance = match visit.assistance_id.as_deref().and_then(chuishao_domain::assistance::AssistanceId::parse) {
        Some(a) => state.store.load_assistance(d, a).await?.map(|(r, _)| r),
        None => None,
    };
    let out = VisitOutcome { visit, case, assistance };
    Ok(Json(recorded_view(state, actor, &out, lang).await?).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct VisitQuery {
    /// One or more community codes, comma-separated (within what you may see).
    pub community: Option<String>,
    /// A liaison's user id.
    pub liaison: Option<String>,
    pub household: Option<String>,
    /// The case a visit raised (its id): from a case to the visit it came from.
    pub case: Option<String>,
    /// Visited on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Visited on or before (YYYY-MM-DD).
    pub to: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Visits you may see, the latest first.
#[utoipa::path(get, path = "/api/v1/visits", params(VisitQuery),
    responses((status = 200, body = Page<VisitView>), (status = 400)), security(("bearer" = [])))]
pub async fn list_visits(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<VisitQuery>,
) -> ApiResult<Json<Page<VisitView>>> {
    let actor = &user.actor;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let day = |field: &str, s: Option<&str>| s.map(|s| parse_day(field, s).map_err(|_| bad_query(field))).transpose();
    let filter = VisitFilter {
        communities: communities_asked(&state, actor, q.community.as_deref()).await?,
        liaison: q.liaison.clone(),
        household: q.household.clone(),
        case: q.case.clone(),
        from: day("from", q.from.as_deref())?,
        to: day("to", q.to.as_deref())?.and_then(|d| d.succ_opt()),
        page,
        per_page,
    };
    let (items, total) = state.store.list_visits(&actor.district, &filter).await?;
    let mut views = Vec::with_capacity(items.len());
    for v in &items {
        views.push(visit_view(&state, v, lang).await?);
    }
    Ok(Json(Page { items: views, total, page, per_page }))
}

/// One visit.
#[utoipa::path(get, path = "/api/v1/visits/{id}", params(("id" = String, Path)),
    responses((status = 200, body = VisitView), (status = 404)), security(("bearer" = [])))]
pub async fn get_visit(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<VisitView>> {
    let actor = &user.actor;
    let v = state.store.visit(&actor.district, &id).await?.ok_or_else(|| not_found("visit_not_found"))?;
    if !reads_households(&state, actor, &v.community).await? {
        return Err(not_found("visit_not_found"));
    }
    Ok(Json(visit_view(&state, &v, lang).await?))
}

// ---- results ---------------------------------------------------------------------------------

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ResultsView {
    pub liaison_id: Option<String>,
    pub liaison_name: Option<String>,
    pub visits: u64,
    pub households_visited: u64,
    pub households_in_care: u64,
    pub cases_raised: u64,
    pub cases_solved: u64,
    pub assistance_submitted: u64,
    pub assistance_delivered: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsReport {
    /// First day counted (YYYY-MM-DD, Beijing).
    pub from: String,
    /// Last day counted, inclusive.
    pub to: String,
    pub days: i64,
    pub streets: Vec<NamedRef>,
    pub liaisons: Vec<ResultsView>,
    /// Over the liaisons listed: "N liaisons, D days, X problems solved, Y hardship"; households
    /// shared by several liaisons count once.
    pub totals: ResultsView,
    pub liaison_count: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ResultsQuery {
    /// First day (YYYY-MM-DD); default 99 days before `to`.
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD); default today.
    pub to: Option<String>,
    /// Street codes, comma-separated (district roles; a street's officials get their own).
    pub street: Option<String>,
}

fn period(state: &AppState, q: &ResultsQuery) -> ApiResult<(NaiveDate, NaiveDate)> {
    let to = match q.to.as_deref() {
        Some(s) => parse_day("to", s).map_err(|_| bad_query("to"))?,
        None => today(state),
    };
    let from = match q.from.as_deref() {
        Some(s) => parse_day("from", s).map_err(|_| bad_query("from"))?,
        None => to.checked_sub_signed(chrono::Duration::days(99)).ok_or_else(|| bad_query("to"))?,
    };
    if from > to || (to - from).num_days() > 3660 {
        return Err(bad_query("from"));
    }
    Ok((from, to))
}

fn results_view(r: LiaisonResults) -> ResultsView {
    ResultsView {
        liaison_id: Some(r.liaison_id),
        liaison_name: Some(r.liaison_name),
        visits: r.visits,
        households_visited: r.households_visited,
        households_in_care: r.households_in_care,
        cases_raised: r.cases_raised,
        cases_solved: r.cases_solved,
        assistance_submitted: r.assistance_submitted,
        assistance_delivered: r.assistance_delivered,
    }
}

fn report(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
    streets: &[StreetCode],
    (rows, totals): (Vec<LiaisonResults>, LiaisonResults),
) -> ResultsReport {
    let liaisons: Vec<ResultsView> = rows.into_iter().map(results_view).collect();
    let totals = ResultsView { liaison_id: None, liaison_name: None, ..results_view(totals) };
    ResultsReport {
        from: from.to_string(),
        to: to.to_string(),
        days: (to - from).num_days() + 1,
        streets: streets.iter().map(|s| named(state, s.as_str())).collect(),
        liaison_count: liaisons.len() as u64,
        liaisons,
        totals,
    }
}

/// What a liaison achieved in a period: visits, households, cases raised and solved, hardship
/// requests submitted and delivered.
#[utoipa::path(get, path = "/api/v1/liaisons/{id}/results", params(("id" = String, Path), ResultsQuery),
    responses((status = 200, body = ResultsReport), (status = 404)), security(("bearer" = [])))]
pub async fn liaison_results(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ResultsQuery>,
) -> ApiResult<Json<ResultsReport>> {
    let actor = &user.actor;
    let (u, home) = liaison_user(&state, actor, &id).await?;
    if !may_see_liaison(actor, &u.id, &home.street()) {
        return Err(not_found("liaison_not_found"));
    }
    let (from, to) = period(&state, &q)?;
    let end = to.succ_opt().ok_or_else(|| bad_query("to"))?;
    let rows = state.store.liaison_results(&actor.district, std::slice::from_ref(&u.id), &[], from, end).await?;
    Ok(Json(report(&state, from, to, &[], rows)))
}

/// Results of every liaison of some streets in a period, with totals — the pilot's "25
/// liaisons, 100 days, 229 problems solved, 55 hardship cases" as one query.
#[utoipa::path(get, path = "/api/v1/liaison-results", params(ResultsQuery),
    responses((status = 200, body = ResultsReport), (status = 403)), security(("bearer" = [])))]
pub async fn results(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ResultsQuery>,
) -> ApiResult<Json<ResultsReport>> {
    let actor = &user.actor;
    let mut asked = vec![];
    for s in q.street.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
        asked.push(StreetCode::parse(s).map_err(|_| bad_query("street"))?);
    }
    let streets = match (actor.role, &actor.scope) {
        (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => vec![code.clone()],
        (Role::DistrictSupervisor | Role::Inspector, Scope::District { .. }) => asked,
        _ => return Err(ApiError::forbidden()),
    };
    let (from, to) = period(&state, &q)?;
    let end = to.succ_opt().ok_or_else(|| bad_query("to"))?;
    let rows = state.store.liaison_results(&actor.district, &[], &streets, from, end).await?;
    Ok(Json(report(&state, from, to, &streets, rows)))
}
