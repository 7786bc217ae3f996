//! Logging a visit at the door (`/liaison/visits/new`): the household (or a place, for a walk in
//! the community), the day, what was seen and asked, follow-ups; optionally a case raised from
//! it and a hardship assistance request — one POST, written by the same store call as
//! `POST /api/v1/visits` (`record_visit`: all or nothing, once per idempotency key).
//!
//! The form carries an idempotency key made when it is shown (and made again by `offline.js` on
//! every load, so a form opened from the phone's cache is a new form). A form sent twice — a
//! resend from the outbox after the first answer was lost — is recorded once and answers the
//! first visit.

use super::csrf::CsrfForm;
use super::error::{FieldErrors, UiError};
use super::liaison::{flag_labels, liaison, my_household, today, Liaison};
use super::page::{Ctx, SelectOption};
use crate::auth::random_secret;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::assistance::AssistanceError;
use chuishao_domain::assistance::{AssistanceId, AssistanceKind, NewAssistance};
use chuishao_domain::calendar::parse_day;
use chuishao_domain::case::{Channel, DutyRef, NewCase};
use chuishao_domain::field::{optional_text, required_text};
use chuishao_domain::liaison::{self, visit_fields};
use chuishao_domain::personal::{mask_address, Reporter};
use chuishao_domain::{CaseError, CaseId, CommunityCode, FieldError, RequestKind};
use chuishao_store::{CommandError, HouseholdFilter, Idempotency, NewVisit, Once, StoreError, StoredHousehold, Visit};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The form's fields as sent (and shown again with its messages).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VisitInput {
    pub idempotency_key: String,
    pub household_id: String,
    pub community_code: String,
    pub place: String,
    pub visited_on: String,
    pub seen: String,
    pub asked: String,
    pub follow_ups: String,
    /// "1" when ticked.
    pub raise_case: String,
    pub case_kind: String,
    pub case_text: String,
    pub case_duty_item: String,
    pub raise_assistance: String,
    pub assistance_kind: String,
    pub assistance_description: String,
    pub assistance_requested: String,
}

impl VisitInput {
    fn raises_case(&self) -> bool {
        !self.raise_case.trim().is_empty()
    }
    fn raises_assistance(&self) -> bool {
        !self.raise_assistance.trim().is_empty()
    }
}

/// Most households a form offers (a community's are far fewer).
const HOUSEHOLDS_ON_FORM: u32 = 500;

#[derive(Template)]
#[template(path = "liaison_visit_form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    offline_js: &'static str,
    username: String,
    input: VisitInput,
    errors: FieldErrors,
    households: Vec<SelectOption>,
    communities: Vec<SelectOption>,
    case_kinds: Vec<SelectOption>,
    duty_items: Vec<SelectOption>,
    assistance_kinds: Vec<SelectOption>,
    today: String,
    earliest: String,
}

fn options<'a>(items: impl Iterator<Item = (&'a str, String)>, chosen: &str) -> Vec<SelectOption> {
    items.map(|(v, label)| SelectOption { value: v.to_string(), label, selected: v == chosen.trim() }).collect()
}

/// A household as the form offers it: masked name · masked address · care flags.
fn household_label(ctx: &Ctx, h: &StoredHousehold, several_communities: Option<String>) -> String {
    let hh = &h.household;
    let mut parts = vec![];
    if let Some(c) = several_communities {
        parts.push(c);
    }
    if let Some(n) = &hh.contact_name {
        parts.push(n.masked());
    }
    parts.push(mask_address(&hh.address));
    let flags = flag_labels(ctx, &hh.care_flags);
    if !flags.is_empty() {
        parts.push(flags.join("、"));
    }
    parts.join(" · ")
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    me: &Liaison,
    status: StatusCode,
    input: VisitInput,
    errors: FieldErrors,
) -> Result<Response, UiError> {
    let d = &me.actor.district;
    let filter =
        HouseholdFilter { communities: me.covers.clone(), page: 1, per_page: HOUSEHOLDS_ON_FORM, ..Default::default() };
    let (found, _) = state.store.list_households(d, &filter).await?;
    let names = state.names();
    let several = me.covers.len() > 1;
    let households = found
        .iter()
        .map(|h| SelectOption {
            value: h.household.id.clone(),
            label: household_label(ctx, h, several.then(|| names.name_of(h.household.community.as_str()))),
            selected: h.household.id == input.household_id.trim(),
        })
        .collect();
    let communities = me
        .covers
        .iter()
        .map(|c| SelectOption {
            value: c.to_string(),
            label: names.name_of(c.as_str()),
            selected: c.as_str() == input.community_code.trim(),
        })
        .collect();
    let duty_items = state
        .store
        .duty_items(d)
        .await?
        .into_iter()
        .map(|i| SelectOption {
            selected: i.code == input.case_duty_item.trim(),
            label: format!("{} {}", i.code, i.name),
            value: i.code,
        })
        .collect();
    let today = today(state);
    let page = FormPage {
        ctx,
        offline_js: super::assets::offline_js_url(),
        username: me.username.clone(),
        households,
        communities,
        case_kinds: options(
            RequestKind::ALL.iter().map(|k| (k.as_str(), ctx.label("kind", k.as_str()))),
            &input.case_kind,
        ),
        duty_items,
        assistance_kinds: options(
            AssistanceKind::ALL.iter().map(|k| (k.as_str(), ctx.label("assistance_kind", k.as_str()))),
            &input.assistance_kind,
        ),
        today: today.to_string(),
        earliest: (today - chrono::Duration::days(365)).to_string(),
        input,
        errors,
    };
    Ok(ctx.page_with(status, page))
}

#[derive(Deserialize)]
pub struct NewVisitQuery {
    household: Option<String>,
}

/// `GET /liaison/visits/new[?household=ID]`
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewVisitQuery>,
) -> Result<Response, UiError> {
    let me = liaison(&ctx)?;
    let mut input = VisitInput {
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        visited_on: today(&state).to_string(),
        case_kind: RequestKind::Help.as_str().into(),
        ..Default::default()
    };
    if let Some(h) = q.household.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        // A household of another community is not found, as on its own page.
        input.household_id = my_household(&state, &me, h).await?.household.id;
    }
    form_page(&state, &ctx, &me, StatusCode::OK, input, FieldErrors::default()).await
}

/// The key a form names, if it is one a form could carry.
fn form_key(input: &VisitInput) -> Option<String> {
    let k = input.idempotency_key.trim();
    (k.len() >= 16 && k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic())).then(|| k.to_string())
}

/// The idempotency of a form: its key, and a hash of what it says (not of its CSRF token, which
/// changes with the session).
fn idempotency(key: String, i: &VisitInput) -> Idempotency {
    let fields = [
        &i.household_id,
        &i.community_code,
        &i.place,
        &i.visited_on,
        &i.seen,
        &i.asked,
        &i.follow_ups,
        &i.raise_case,
        &i.case_kind,
        &i.case_text,
        &i.case_duty_item,
        &i.raise_assistance,
        &i.assistance_kind,
        &i.assistance_description,
        &i.assistance_requested,
    ];
    let mut h = Sha256::new();
    h.update(b"chuishao-ui-visit-v1");
    for f in fields {
        h.update([0x1f]);
        h.update(f.trim().as_bytes());
    }
    Idempotency { key, request_hash: h.finalize().iter().map(|b| format!("{b:02x}")).collect() }
}

/// Where a recorded visit is shown.
fn shown(id: &str, again: bool) -> Response {
    let q = if again { "?again=1" } else { "" };
    Redirect::to(&format!("/liaison/visits/{id}{q}")).into_response()
}

/// A visit checked field by field: every problem found at once, for the form.
struct Checked {
    new: NewVisit,
}

async fn check(
    state: &AppState,
    ctx: &Ctx,
    me: &Liaison,
    i: &VisitInput,
) -> Result<Result<Checked, FieldErrors>, UiError> {
    let d = &me.actor.district;
    let mut errors = FieldErrors::default();
    let label = |key: &str| ctx.t(key);
    let household = match i.household_id.trim() {
        "" => None,
        id => match my_household(state, me, id).await {
            Ok(h) => Some(h),
            Err(_) => {
                errors.add_field_error(ctx, FieldError::unknown("household_id"), &label("ui-visit-household"));
                None
            }
        },
    };
    let community = match (&household, i.community_code.trim()) {
        (Some(h), _) => Some(h.household.community.clone()),
        // A household that is not the liaison's was reported above.
        (None, _) if !i.household_id.trim().is_empty() => None,
        (None, "") if me.covers.len() == 1 => Some(me.covers[0].clone()),
        (None, "") => {
            errors.add_field_error(ctx, FieldError::required("community_code"), &label("ui-visit-community"));
            None
        }
        (None, c) => match CommunityCode::parse(c) {
            Ok(code) if me.covers.contains(&code) => Some(code),
            _ => {
                errors.add_field_error(ctx, FieldError::unknown("community_code"), &label("ui-visit-community"));
                None
            }
        },
    };
    let place = optional_text("place", Some(&i.place), 200)
        .map_err(|e| errors.add_field_error(ctx, e, &label("ui-visit-place")))
        .ok()
        .flatten();
    if place.is_none() && i.household_id.trim().is_empty() {
        errors.add("household_id", ctx.t("ui-visit-household-or-place"));
    }
    let today = today(state);
    let visited_on = match i.visited_on.trim() {
        "" => Some(today),
        s => {
            let d = parse_day(s);
            if d.is_none() {
                errors.add_field_error(ctx, FieldError::malformed("visited_on", "date"), &label("ui-visit-day"));
            }
            d
        }
    };
    // The notes one by one, so that each field gets its own message.
    if let Some(day) = visited_on {
        // The domain's rule (not ahead of today, within the past year), in the form's words.
        if visit_fields(day, today, "-", None, None).is_err() {
            errors.add("visited_on", ctx.t("ui-visit-day-range"));
        }
    }
    let seen =
        required_text("seen", &i.seen, 2000).map_err(|e| errors.add_field_error(ctx, e, &label("ui-visit-seen"))).ok();
    let asked = optional_text("asked", Some(&i.asked), 2000)
        .map_err(|e| errors.add_field_error(ctx, e, &label("ui-visit-asked")))
        .ok()
        .flatten();
    let follow_ups = optional_text("follow_ups", Some(&i.follow_ups), 2000)
        .map_err(|e| errors.add_field_error(ctx, e, &label("ui-visit-follow-ups")))
        .ok()
        .flatten();

    let mut case_parts = None;
    if i.raises_case() {
        let kind = RequestKind::parse(i.case_kind.trim());
        if kind.is_none() {
            errors.add("case_kind", ctx.t("ui-submit-kind-invalid"));
        }
        let text = required_text("case_text", &i.case_text, 2000)
            .map_err(|e| errors.add_field_error(ctx, e, &label("ui-visit-case-text")))
            .ok();
        let duty = match i.case_duty_item.trim() {
            "" => Some(None),
            code => match state.store.duty_item(d, code).await? {
                Some(item) => Some(Some(DutyRef { code: item.code, name: item.name })),
                None => {
                    errors.add_field_error(ctx, FieldError::unknown("case_duty_item"), &label("ui-visit-case-duty"));
                    None
                }
            },
        };
        if let (Some(kind), Some(text), Some(duty)) = (kind, text, duty) {
            case_parts = Some((kind, text, duty));
        }
    }
    let mut assistance_parts = None;
    if i.raises_assistance() {
        let kind = AssistanceKind::parse(i.assistance_kind.trim());
        if kind.is_none() {
            errors.add("assistance_kind", ctx.t("ui-visit-assistance-kind-invalid"));
        }
        let description = required_text("assistance_description", &i.assistance_description, 2000)
            .map_err(|e| errors.add_field_error(ctx, e, &label("ui-visit-assistance-reason")))
            .ok();
        let requested = optional_text("assistance_requested", Some(&i.assistance_requested), 200)
            .map_err(|e| errors.add_field_error(ctx, e, &label("ui-visit-assistance-requested")))
            .ok();
        if let (Some(kind), Some(description), Some(requested)) = (kind, description, requested) {
            assistance_parts = Some((kind, description, requested));
        }
    }
    let (Some(community), Some(visited_on), Some(seen)) = (community, visited_on, seen) else {
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let actor = &me.actor;
    if !liaison::may_log_visit(actor, &community) {
        return Err(UiError::forbidden());
    }
    let household_id = household.as_ref().map(|h| h.household.id.clone());
    let notes = chuishao_domain::liaison::VisitNotes { seen, asked, follow_ups };
    let visit = Visit::new(actor, &community, household_id, place, visited_on, notes, state.now());
    // As the API does: the household's contact is whom the handler calls back, at its address.
    let raise_case = case_parts.map(|(kind, text, duty_item)| {
        let hh = household.as_ref().map(|h| &h.household);
        let reporter = hh.and_then(|h| Some(Reporter { name: h.contact_name.clone()?, phone: h.phone.clone()? }));
        NewCase {
            id: CaseId(uuid::Uuid::now_v7()),
            number: String::new(), // taken by the store in the same transaction
            district: d.clone(),
            street: community.street(),
            community: Some(community.clone()),
            kind,
            channel: Channel::LiaisonVisit,
            text,
            address: hh.map(|h| h.address.clone()),
            location: None,
            reporter,
            reporter_user: None,
            duty_item,
        }
    });
    let raise_assistance = match assistance_parts {
        Some((kind, description, requested)) => {
            let street = community.street();
            match state.store.unit_by_role(d, &street, liaison::CARE_UNIT_ROLE).await? {
                Some(unit) => Some(NewAssistance {
                    id: AssistanceId(uuid::Uuid::now_v7()),
                    district: d.clone(),
                    street,
                    community: community.clone(),
                    household: visit.household_id.clone(),
                    visit: Some(visit.id.clone()),
                    kind,
                    description,
                    requested,
                    unit: unit.id,
                    unit_name: unit.name,
                }),
                None => {
                    errors.add("assistance_kind", ctx.t("ui-visit-no-assistance-office"));
                    return Ok(Err(errors));
                }
            }
        }
        None => None,
    };
    Ok(Ok(Checked { new: NewVisit { visit, raise_case, raise_assistance } }))
}

/// The form field a refusal of the store is about, with the word the form shows for it.
fn refused_field(e: &CommandError) -> Option<(FieldError, &'static str, &'static str)> {
    let (f, prefix) = match e {
        CommandError::Case(CaseError::Field(f)) => (f, "case_"),
        CommandError::Assistance(AssistanceError::Field(f)) => (f, "assistance_"),
        CommandError::Field(f) => (f, ""),
        _ => return None,
    };
    let (field, key) = match (prefix, f.field.as_str()) {
        ("case_", "duty_item") => ("case_duty_item", "ui-visit-case-duty"),
        ("case_", _) => ("case_text", "ui-visit-case-text"),
        ("assistance_", "requested") => ("assistance_requested", "ui-visit-assistance-requested"),
        ("assistance_", _) => ("assistance_description", "ui-visit-assistance-reason"),
        (_, "visited_on") => ("visited_on", "ui-visit-day"),
        (_, "place") => ("place", "ui-visit-place"),
        _ => ("seen", "ui-visit-seen"),
    };
    Some((FieldError { field: field.to_string(), ..f.clone() }, field, key))
}

/// `POST /liaison/visits`: records the visit (and what it raises) once, then shows it.
pub async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(input): CsrfForm<VisitInput>,
) -> Result<Response, UiError> {
    let me = liaison(&ctx)?;
    let Some(key) = form_key(&input) else { return Err(UiError::bad_request()) };
    let idem = idempotency(key, &input);
    let actor = &me.actor;
    // A form sent again answers the visit it recorded, even if the liaison's communities changed.
    match state.store.replayed(actor, Some(&idem), "visit").await {
        Ok(Some(id)) => return Ok(shown(&id, true)),
        Ok(None) => {}
        Err(StoreError::IdempotencyKeyReused) => return reused(&state, &ctx, &me, input).await,
        Err(e) => return Err(e.into()),
    }
    let checked = match check(&state, &ctx, &me, &input).await? {
        Ok(c) => c,
        Err(errors) => return form_page(&state, &ctx, &me, StatusCode::UNPROCESSABLE_ENTITY, input, errors).await,
    };
    let cal = state.calendar();
    match state.store.record_visit(actor, checked.new, state.now(), &cal, Some(&idem)).await {
        Ok(Once::Created(out)) => {
            tracing::info!(visit = %out.visit.id, case = ?out.visit.case_id, assistance = ?out.visit.assistance_id, "visit recorded (page)");
            Ok(shown(&out.visit.id, false))
        }
        Ok(Once::Replayed(id)) => Ok(shown(&id, true)),
        Err(CommandError::Store(StoreError::IdempotencyKeyReused)) => reused(&state, &ctx, &me, input).await,
        Err(e) => match refused_field(&e) {
            Some((f, _, key)) => {
                let mut errors = FieldErrors::default();
                errors.add_field_error(&ctx, f, &ctx.t(key));
                form_page(&state, &ctx, &me, StatusCode::UNPROCESSABLE_ENTITY, input, errors).await
            }
            None => Err(e.into()),
        },
    }
}

/// The key was used for another form: show this one again under a new key, nothing written.
async fn reused(state: &AppState, ctx: &Ctx, me: &Liaison, mut input: VisitInput) -> Result<Response, UiError> {
    input.idempotency_key = format!("k{}", random_secret());
    let mut errors = FieldErrors::default();
    errors.add("form", ctx.t("ui-visit-form-reused"));
    form_page(state, ctx, me, StatusCode::CONFLICT, input, errors).await
}
