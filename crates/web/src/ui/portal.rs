//! The resident portal: a welcome page, the request form (with a map of the district's
//! communities), and tracking a request by its number and access code.
//!
//! Privacy: a request filed here without an account is owned by a web identity derived from its
//! access code (`web:` + a hash of the code), so only whoever holds the code — shown once, on the
//! page after sending — can read it back, and then only masked.

use super::csrf::{self, CsrfForm};
use super::error::{FieldErrors, UiError};
use super::map::{community_map, MapSvg};
use super::page::{local_time, Ctx, SelectOption};
use crate::auth::random_secret;
use crate::i18n::{self, Lang};
use crate::photo::{self, PhotoError};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chuishao_domain::case::{can_see, AttachmentMeta, Channel, GeoPoint, NewCase, Satisfaction};
use chuishao_domain::field::{optional_text, required_text};
use chuishao_domain::personal::{mask_address, PersonName, Phone, Reporter};
use chuishao_domain::{
    Actor, Case, CaseCommand, CaseEventData, CaseId, CaseStatus, CommunityCode, DistrictCode, FieldError, RequestKind,
    Role, Scope, StreetCode,
};
use chuishao_routing::Router;
use chuishao_store::{CommandError, Idempotency, Once, StoreError, StoredEvent, Upload};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- the welcome page --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
}

/// `GET /`
pub async fn home(ctx: Ctx) -> Response {
    ctx.page(HomePage { ctx: &ctx })
}

// ---- access codes ------------------------------------------------------------------------

/// 32 letters and digits that cannot be mistaken for each other (no 0/O, 1/I).
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The access code of a request form: ten characters (50 bits) derived from the form's secret
/// id, so sending the same form again shows the same code, and nothing stored reveals it.
fn access_code(form_id: &str) -> String {
    let digest = Sha256::digest(format!("chuishao-access-code-v1:{form_id}").as_bytes());
    let mut bits: u64 = 0;
    for b in &digest[..8] {
        bits = (bits << 8) | u64::from(*b);
    }
    let mut code = String::with_capacity(11);
    for i in 0..10 {
        if i == 5 {
            code.push('-');
        }
        code.push(char::from(CODE_ALPHABET[((bits >> (i * 5)) & 31) as usize]));
    }
    code
}

/// What a visitor typed as a code, in canonical form (`k7p2q xab9m` → `K7P2QXAB9M`).
fn normalise_code(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// The web identity that owns a request filed without an account under this code.
fn web_identity(code: &str) -> String {
    let digest = Sha256::digest(format!("chuishao-web-reporter-v1:{}", normalise_code(code)).as_bytes());
    format!("web:{}", hex(&digest[..16]))
}

/// The identity a request filed without an account acts under: a resident owning only it.
fn web_resident(district: &DistrictCode, code: &str) -> Actor {
    Actor {
        user_id: web_identity(code),
        // Not the reporter's name: events record who acted, and this needs no personal data.
        name: i18n::t(Lang::Zh, "ui-web-resident", &[]),
        role: Role::Resident,
        scope: Scope::Own,
        district: district.clone(),
    }
}

// ---- the request form --------------------------------------------------------------------

/// What the visitor entered, kept to fill the form again.
#[derive(Debug, Clone, Default)]
struct SubmitInput {
    kind: String,
    text: String,
    community_code: String,
    address: String,
    lat: String,
    lon: String,
    phone: String,
    name: String,
}

struct StreetGroup {
    name: String,
    communities: Vec<SelectOption>,
}

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitPage<'a> {
    ctx: &'a Ctx,
    input: SubmitInput,
    errors: FieldErrors,
    kinds: Vec<SelectOption>,
    places: Vec<StreetGroup>,
    map: Arc<MapSvg>,
    form_id: String,
    photo_again: bool,
}

#[derive(Template)]
#[template(path = "submitted.html")]
struct SubmittedPage<'a> {
    ctx: &'a Ctx,
    number: String,
    /// Shown to visitors without an account: their only key to the request.
    code: Option<String>,
    photo: bool,
}

/// The district the portal serves: the signed-in resident's, else the first one stored.
async fn portal_district(state: &AppState, ctx: &Ctx) -> Result<DistrictCode, UiError> {
    if let Some(u) = &ctx.user {
        return Ok(u.actor.district.clone());
    }
    state.store.districts().await?.into_iter().next().map(|d| d.code).ok_or_else(UiError::not_found)
}

/// The district's communities by street, for the list beside the map (from the router's
/// directory: no query).
fn places_of(router: &Router, chosen: &str) -> Vec<StreetGroup> {
    let d = &router.directory;
    let mut streets: Vec<(&String, &String)> = d.streets.iter().collect();
    streets.sort();
    streets
        .into_iter()
        .map(|(code, name)| {
            let mut communities: Vec<SelectOption> = d
                .communities
                .iter()
                .filter(|(c, _)| c.starts_with(code.as_str()))
                .map(|(c, n)| SelectOption { value: c.clone(), label: n.clone(), selected: c == chosen })
                .collect();
            communities.sort_by(|a, b| a.value.cmp(&b.value));
            StreetGroup { name: name.clone(), communities }
        })
        .collect()
}

fn kinds(ctx: &Ctx, chosen: &str) -> Vec<SelectOption> {
    RequestKind::ALL
        .iter()
        .map(|k| SelectOption {
            value: k.as_str().into(),
            label: ctx.label("kind", k.as_str()),
            selected: k.as_str() == chosen,
        })
        .collect()
}

async fn submit_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    input: SubmitInput,
    errors: FieldErrors,
    photo_again: bool,
) -> Result<Response, UiError> {
    let district = portal_district(state, ctx).await?;
    let router = state.routing.router(&state.store, &district).await?;
    let page = SubmitPage {
        ctx,
        kinds: kinds(ctx, input.kind.trim()),
        places: places_of(&router, input.community_code.trim()),
        input,
        errors,
        map: community_map(&router),
        // A fresh id per form shown: sending one form twice files one request.
        form_id: random_secret(),
        photo_again,
    };
    Ok(ctx.page_with(status, page))
}

/// `GET /submit`
pub async fn submit_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, UiError> {
    let input = SubmitInput { kind: "complaint".into(), ..Default::default() };
    submit_page(&state, &ctx, StatusCode::OK, input, FieldErrors::default(), false).await
}

/// A photo as sent: only its bytes count (its name and declared type are not trusted or kept).
struct Photo {
    bytes: Bytes,
}

/// The form's fields as sent.
struct Sent {
    input: SubmitInput,
    csrf: String,
    form_id: String,
    photo: Option<Photo>,
}

async fn read_form(mut mp: Multipart) -> Result<Sent, UiError> {
    let mut sent = Sent { input: SubmitInput::default(), csrf: String::new(), form_id: String::new(), photo: None };
    while let Some(field) = mp.next_field().await.map_err(|e| UiError::status(e.status()))? {
        let name = field.name().unwrap_or("").to_string();
        if name == "photo" {
            let bytes = field.bytes().await.map_err(|e| UiError::status(e.status()))?;
            if !bytes.is_empty() {
                sent.photo = Some(Photo { bytes });
            }
            continue;
        }
        let value = field.text().await.map_err(|e| UiError::status(e.status()))?;
        let i = &mut sent.input;
        match name.as_str() {
            csrf::FIELD => sent.csrf = value,
            "form_id" => sent.form_id = value,
            "kind" => i.kind = value,
            "text" => i.text = value,
            "community_code" => i.community_code = value,
            "address" => i.address = value,
            "lat" => i.lat = value,
            "lon" => i.lon = value,
            "phone" => i.phone = value,
            "name" => i.name = value,
            _ => {}
        }
    }
    Ok(sent)
}

/// A request checked field by field (every problem found at once, for the form).
struct Checked {
    kind: RequestKind,
    text: String,
    reporter: Reporter,
    address: Option<String>,
    location: Option<GeoPoint>,
    street: StreetCode,
    community: Option<CommunityCode>,
    photo: Option<CheckedPhoto>,
}

/// A photo taken: what its event will record (type sniffed, hash computed) and its bytes.
struct CheckedPhoto {
    meta: AttachmentMeta,
    bytes: Bytes,
}

impl CheckedPhoto {
    fn upload(&self) -> Upload<'_> {
        Upload { name: &self.meta.name, content_type: &self.meta.content_type, bytes: &self.bytes }
    }
}

async fn check(
    state: &AppState,
    ctx: &Ctx,
    district: &DistrictCode,
    sent: &Sent,
) -> Result<Result<Checked, FieldErrors>, UiError> {
    let i = &sent.input;
    let mut errors = FieldErrors::default();
    let label = |key: &str| ctx.t(key);
    let kind = RequestKind::parse(i.kind.trim());
    if kind.is_none() {
        errors.add("kind", ctx.t("ui-submit-kind-invalid"));
    }
    let text =
        required_text("text", &i.text, 2000).map_err(|e| errors.add_field_error(ctx, e, &label("ui-submit-text"))).ok();
    let phone = Phone::parse_field("phone", &i.phone)
        .map_err(|e| {
            if i.phone.trim().is_empty() {
                errors.add_field_error(ctx, FieldError::required("phone"), &label("ui-submit-phone"))
            } else {
                errors.add_field_error(ctx, e, &label("ui-submit-phone"))
            }
        })
        .ok();
    let name = if i.name.trim().is_empty() {
        PersonName::parse_field("name", &i18n::t(Lang::Zh, "ui-web-resident", &[])).ok()
    } else {
        PersonName::parse_field("name", &i.name)
            .map_err(|e| errors.add_field_error(ctx, e, &label("ui-submit-name")))
            .ok()
    };
    let address = optional_text("address", Some(&i.address), 200)
        .map_err(|e| errors.add_field_error(ctx, e, &label("ui-submit-address")))
        .ok()
        .flatten();
    let location = match (i.lat.trim(), i.lon.trim()) {
        ("", "") => None,
        (lat, lon) => match (lat.parse::<f64>(), lon.parse::<f64>()) {
            (Ok(lat), Ok(lon)) => {
                GeoPoint::parse(lat, lon).map_err(|_| errors.add("map", ctx.t("ui-submit-map-invalid"))).ok()
            }
            _ => {
                errors.add("map", ctx.t("ui-submit-map-invalid"));
                None
            }
        },
    };
    let photo = match sent.photo.as_ref().map(|p| (p, photo::check(&p.bytes))) {
        None => None,
        Some((_, Err(PhotoError::TooLarge))) => {
            errors.add("photo", ctx.t("ui-submit-photo-size"));
            None
        }
        Some((_, Err(_))) => {
            errors.add("photo", ctx.t("ui-submit-photo-type"));
            None
        }
        Some((p, Ok(content_type))) => {
            // The file's own name may carry a path or personal words: none of it is kept.
            let name = photo::file_name("", content_type);
            let bytes = axum::body::Bytes::from(photo::without_location(p.bytes.to_vec()));
            let upload = Upload { name: &name, content_type, bytes: &bytes };
            match upload.meta() {
                Ok(meta) => Some(CheckedPhoto { meta, bytes }),
                Err(_) => {
                    errors.add("photo", ctx.t("ui-submit-photo-type"));
                    None
                }
            }
        }
    };
    // Where: the community chosen (on the map or in the list), else the point or the address
    // placed by the district's boundaries and gazetteer.
    let mut place: Option<(StreetCode, Option<CommunityCode>)> = None;
    let chosen = i.community_code.trim();
    if !chosen.is_empty() {
        match CommunityCode::parse(chosen) {
            Ok(code) => match state.store.community(district, &code).await? {
                Some(c) => place = Some((c.street, Some(code))),
                None => {
                    errors.add_field_error(ctx, FieldError::unknown("community_code"), &label("ui-submit-community"))
                }
            },
            Err(_) => errors.add_field_error(ctx, FieldError::unknown("community_code"), &label("ui-submit-community")),
        }
    } else if location.is_some() || address.is_some() {
        match crate::intake::locate(state, district, location, address.as_deref()).await? {
            Some(found) => place = Some(found),
            None => errors.add("community_code", ctx.t("ui-submit-place-not-found")),
        }
    } else {
        errors.add("community_code", ctx.t("ui-submit-place-required"));
    }
    Ok(match (kind, text, phone, name, place) {
        (Some(kind), Some(text), Some(phone), Some(name), Some((street, community))) if errors.is_empty() => {
            Ok(Checked { kind, text, reporter: Reporter { name, phone }, address, location, street, community, photo })
        }
        _ => Err(errors),
    })
}

/// The idempotency key of a form (a hash of its secret id) and a hash of what it says.
fn idempotency(sent: &Sent, photo: Option<&AttachmentMeta>) -> Idempotency {
    let i = &sent.input;
    let fields = [&i.kind, &i.text, &i.community_code, &i.address, &i.lat, &i.lon, &i.phone, &i.name];
    let mut h = Sha256::new();
    for f in fields {
        h.update(f.trim().as_bytes());
        h.update([0x1f]);
    }
    if let Some(sha) = photo.and_then(|p| p.sha256.as_deref()) {
        h.update(sha.as_bytes());
    }
    Idempotency {
        key: hex(&Sha256::digest(format!("chuishao-form-v1:{}", sent.form_id).as_bytes())),
        request_hash: hex(&h.finalize()),
    }
}

/// `POST /submit` (multipart: the form and an optional photo).
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, UiError> {
    let sent = read_form(mp).await?;
    if !csrf::verify(&headers, &sent.csrf) {
        return Err(UiError::csrf());
    }
    if sent.form_id.len() < 32 || sent.form_id.len() > 64 {
        return Err(UiError::bad_request());
    }
    let district = portal_district(&state, &ctx).await?;
    let photo_sent = sent.photo.is_some();
    let checked = match check(&state, &ctx, &district, &sent).await? {
        Ok(c) => c,
        Err(errors) => {
            return submit_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, sent.input, errors, photo_sent).await
        }
    };
    // A signed-in resident files under their account; anyone else under the form's code.
    let code = access_code(&sent.form_id);
    let (actor, code) = match &ctx.user {
        Some(u) if u.is_resident() => (u.actor.clone(), None),
        _ => (web_resident(&district, &code), Some(code)),
    };
    let idem = idempotency(&sent, checked.photo.as_ref().map(|p| &p.meta));
    let new = NewCase {
        id: CaseId(uuid::Uuid::now_v7()),
        number: String::new(), // taken by the store in the same transaction
        district: district.clone(),
        street: checked.street,
        community: checked.community,
        kind: checked.kind,
        channel: Channel::Web,
        text: checked.text,
        address: checked.address,
        location: checked.location,
        reporter: Some(checked.reporter),
        reporter_user: Some(actor.user_id.clone()),
        duty_item: None,
    };
    let cal = state.calendar();
    let now = state.now();
    // The photo is kept in the same transaction as the case: acknowledged with it, or not at all.
    let photo = checked.photo.as_ref().map(CheckedPhoto::upload);
    let received = state.store.receive_case_with(&actor, now, &cal, new, Some(&idem), photo).await;
    let number = match received {
        Ok(Once::Created(outcome)) => {
            let case = outcome.case;
            tracing::info!(case = %case.id, number = %case.number, "case received (web form)");
            crate::intake::after_receive(&state, case, ctx.lang).await.number
        }
        Ok(Once::Replayed(id)) => {
            let id = CaseId::parse(&id).ok_or_else(UiError::internal)?;
            let (case, _) = state.store.load_case(&district, id).await?.ok_or_else(UiError::internal)?;
            case.number
        }
        Err(CommandError::Store(StoreError::IdempotencyKeyReused)) => {
            let mut errors = FieldErrors::default();
            errors.add("form", ctx.t("ui-submit-form-reused"));
            return submit_page(&state, &ctx, StatusCode::CONFLICT, sent.input, errors, photo_sent).await;
        }
        Err(CommandError::Case(chuishao_domain::CaseError::Field(f))) | Err(CommandError::Field(f)) => {
            let mut errors = FieldErrors::default();
            let key = match f.field.as_str() {
                "text" => "ui-submit-text",
                "address" => "ui-submit-address",
                _ => "ui-submit-community",
            };
            errors.add_field_error(&ctx, f, &ctx.t(key));
            return submit_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, sent.input, errors, photo_sent).await;
        }
        Err(e) => return Err(e.into()),
    };
    Ok(ctx.page(SubmittedPage { ctx: &ctx, number, code, photo: checked.photo.is_some() }))
}

// ---- tracking ----------------------------------------------------------------------------

struct DeadlineRow {
    label: String,
    due: String,
    met: Option<String>,
    overdue: bool,
}

struct TimelineRow {
    at: String,
    text: String,
}

/// A request as its resident sees it: plain words, personal data masked, no internal notes.
struct TrackView {
    number: String,
    kind: String,
    status: String,
    status_note: String,
    text: String,
    place: String,
    address: Option<String>,
    reporter_name: String,
    reporter_phone: String,
    received_at: String,
    deadlines: Vec<DeadlineRow>,
    timeline: Vec<TimelineRow>,
    result: Option<String>,
    callback: Option<String>,
    awaiting_callback: bool,
    /// The visitor filed it and may rate it now (a verified case, not yet called back).
    can_rate: bool,
    photos: usize,
    /// The resident's own photos whose files were kept: signed links, good for an hour.
    photo_links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage<'a> {
    ctx: &'a Ctx,
    number: String,
    /// The access code typed, carried by the rating form (never in an address).
    code: String,
    error: Option<String>,
    /// After a rating: thanks, or why it was refused.
    notice: Option<String>,
    view: Option<TrackView>,
}

/// `GET /track`
pub async fn track_form(ctx: Ctx) -> Response {
    ctx.page(TrackPage { ctx: &ctx, number: String::new(), code: String::new(), error: None, notice: None, view: None })
}

#[derive(Deserialize)]
struct TrackForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    code: String,
}

/// What happened, in words for the resident; internal steps (notes, returns asked, extensions
/// asked, alerts, contact reveals) are left out.
fn resident_line(ctx: &Ctx, e: &chuishao_domain::CaseEvent) -> Option<String> {
    use CaseEventData as E;
    Some(match &e.data {
        E::Received(_) => ctx.t("ui-track-ev-received"),
        E::AnsweredDirectly { answer } => ctx.t1("ui-track-ev-answered", "answer", answer),
        E::Dispatched { assignee, .. } => ctx.t1("ui-track-ev-dispatched", "assignee", assignee.name()),
        E::Accepted => ctx.t("ui-track-ev-accepted"),
        E::ReturnApproved { .. } => ctx.t("ui-track-ev-reassigning"),
        E::Contacted { .. } => ctx.t("ui-track-ev-contacted"),
        E::ExtensionGranted { resolution_due, .. } => {
            ctx.t1("ui-track-ev-extended", "due", &local_time(*resolution_due))
        }
        E::Resolved { result } => ctx.t1("ui-track-ev-resolved", "result", result),
        E::Verified { .. } => ctx.t("ui-track-ev-verified"),
        E::CallbackRecorded { satisfaction, .. } => {
            ctx.t1("ui-track-ev-callback", "satisfaction", &ctx.label("satisfaction", satisfaction.as_str()))
        }
        E::Closed { .. } => ctx.t("ui-track-ev-closed"),
        E::Reopened { .. } => ctx.t("ui-track-ev-reopened"),
        E::Terminated { reason } => ctx.t1("ui-track-ev-terminated", "reason", reason),
        E::Merged { into_number, .. } => ctx.t1("ui-track-ev-merged", "number", into_number),
        E::WhistleBlown(_) => ctx.t("ui-track-ev-whistle"),
        E::WhistleConcluded(_) => ctx.t("ui-track-ev-whistle-concluded"),
        E::AttachmentAdded(_) if e.by.role == Role::Resident => ctx.t("ui-track-ev-photo"),
        _ => return None,
    })
}

/// How long a photo link of the tracking page works.
const PHOTO_LINK_MS: i64 = 60 * 60 * 1000;

fn photo_signature(number: &str, sha: &str, until: i64) -> String {
    csrf::signature(&format!("chuishao-track-photo-v1:{number}:{sha}:{until}"))
}

/// The resident's own photos of a case (those they sent, whose files were kept) as signed
/// links: the tracking page has no session, and its access code must not go into an address.
async fn photo_links(
    state: &AppState,
    ctx: &Ctx,
    case: &Case,
    events: &[StoredEvent],
) -> Result<Vec<(String, String)>, UiError> {
    let theirs: Vec<&str> = events
        .iter()
        .filter(|e| e.event.by.role == Role::Resident)
        .filter_map(|e| match &e.event.data {
            CaseEventData::AttachmentAdded(a) => a.sha256.as_deref(),
            _ => None,
        })
        .collect();
    let stored = state.store.stored_blobs(&case.district, &theirs).await?;
    let until = state.now().timestamp_millis() + PHOTO_LINK_MS;
    Ok(theirs
        .iter()
        .filter(|sha| stored.contains(**sha))
        .enumerate()
        .map(|(i, sha)| {
            let sig = photo_signature(&case.number, sha, until);
            let href = format!("/track/photos/{}/{sha}?until={until}&sig={sig}", case.number);
            (href, ctx.t2("ui-case-photo-alt", "n", &(i + 1).to_string(), "name", &ctx.t("ui-submit-photo")))
        })
        .collect())
}

#[derive(Deserialize)]
pub struct PhotoLink {
    until: i64,
    sig: String,
}

/// `GET /track/photos/{number}/{sha256}?until=…&sig=…`: a photo the resident sent, by the
/// signed link of their tracking page; anything else is 404.
pub async fn track_photo(
    State(state): State<AppState>,
    Path((number, sha)): Path<(String, String)>,
    Query(link): Query<PhotoLink>,
) -> Result<Response, UiError> {
    let signed = csrf::same(&link.sig, &photo_signature(&number, &sha, link.until));
    if !signed || link.until < state.now().timestamp_millis() {
        return Err(UiError::not_found());
    }
    let (case, _) = case_by_number(&state, &number).await?.ok_or_else(UiError::not_found)?;
    let blob = photo::case_file(&state.store, &case, &sha).await?.ok_or_else(UiError::not_found)?;
    Ok(photo::serve(blob))
}

fn track_view(
    state: &AppState,
    ctx: &Ctx,
    case: &Case,
    events: &[StoredEvent],
    rater: Option<&Actor>,
    photo_links: Vec<(String, String)>,
) -> TrackView {
    let names = state.names();
    let mut place = names.name_of(case.street.as_str());
    if let Some(c) = &case.community {
        place = format!("{place} · {}", names.name_of(c.as_str()));
    }
    let masked = case.reporter.as_ref().map(Reporter::masked);
    let deadlines = case
        .response
        .iter()
        .chain(case.resolution.iter())
        .map(|d| DeadlineRow {
            label: ctx.t(&format!("ui-track-deadline-{}", d.kind.as_str())),
            due: local_time(d.due),
            met: d.met_at.map(local_time),
            overdue: d.overdue && !d.is_met(),
        })
        .collect();
    let callback = case.callback.as_ref().map(|cb| {
        ctx.t2(
            "ui-track-callback",
            "satisfaction",
            &ctx.label("satisfaction", cb.satisfaction.as_str()),
            "solved",
            &ctx.t(if cb.solved { "ui-track-solved-yes" } else { "ui-track-solved-no" }),
        )
    });
    TrackView {
        number: case.number.clone(),
        kind: ctx.label("kind", case.kind.as_str()),
        status: ctx.label("status", case.status.as_str()),
        status_note: ctx.t(&format!("ui-track-status-{}", case.status.as_str())),
        text: case.text.clone(),
        place,
        address: case.address.as_deref().map(mask_address),
        reporter_name: masked.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
        reporter_phone: masked.map(|m| m.phone).unwrap_or_default(),
        received_at: local_time(case.received_at),
        deadlines,
        timeline: events
            .iter()
            .filter_map(|e| resident_line(ctx, &e.event).map(|text| TimelineRow { at: local_time(e.event.at), text }))
            .collect(),
        result: case.result.clone(),
        callback,
        awaiting_callback: matches!(case.status, CaseStatus::Verified | CaseStatus::Answered),
        can_rate: rater.is_some_and(|a| {
            let env = chuishao_domain::case::Env { now: state.now(), calendar: &state.calendar() };
            chuishao_domain::case::allowed_actions(case, a, &env)
                .contains(&chuishao_domain::case::CaseAction::RecordCallback)
        }),
        photos: case.attachments.len(),
        photo_links,
    }
}

/// Who the visitor is to this request, if the code (or their account) opens it: the signed-in
/// resident who filed it, or the web identity its access code stands for.
fn tracker(ctx: &Ctx, case: &Case, code: &str) -> Option<Actor> {
    if let Some(u) = ctx.user.as_ref().filter(|u| u.is_resident() && can_see(&u.actor, case)) {
        return Some(u.actor.clone());
    }
    let by_code = !code.is_empty()
        && case.reporter_user.as_deref().is_some_and(|u| {
            let expected = web_identity(code);
            u.len() == expected.len() && u.bytes().zip(expected.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
        });
    by_code.then(|| web_resident(&case.district, code))
}

/// The case a number names, with its events.
async fn case_by_number(state: &AppState, number: &str) -> Result<Option<(Case, Vec<StoredEvent>)>, UiError> {
    let district = number.get(..6).and_then(|d| DistrictCode::parse(d).ok());
    if let (Some(d), true) = (district, number.len() <= 40) {
        if let Some(id) = state.store.case_id_by_number(&d, number).await? {
            return Ok(state.store.load_case(&d, id).await?);
        }
    }
    Ok(None)
}

fn not_found_page(ctx: &Ctx, number: String) -> Response {
    // No such number and a wrong code answer alike: nothing tells which numbers exist.
    let error = Some(ctx.t("ui-track-not-found"));
    let page = TrackPage { ctx, number, code: String::new(), error, notice: None, view: None };
    ctx.page_with(StatusCode::NOT_FOUND, page)
}

/// `POST /track` (a form, so the code stays out of addresses and histories). Reads only.
pub async fn track(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, UiError> {
    let f: TrackForm = serde_urlencoded::from_bytes(&body).map_err(|_| UiError::bad_request())?;
    let number = f.number.trim().to_string();
    let code = normalise_code(&f.code);
    match case_by_number(&state, &number).await? {
        Some((case, events)) => match tracker(&ctx, &case, &code) {
            Some(who) => {
                let links = photo_links(&state, &ctx, &case, &events).await?;
                let view = track_view(&state, &ctx, &case, &events, Some(&who), links);
                Ok(ctx.page(TrackPage { ctx: &ctx, number, code, error: None, notice: None, view: Some(view) }))
            }
            None => Ok(not_found_page(&ctx, number)),
        },
        None => Ok(not_found_page(&ctx, number)),
    }
}

#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    code: String,
    contacted: Option<String>,
    solved: Option<String>,
    satisfaction: Option<String>,
    #[serde(default)]
    note: String,
}

/// `POST /track/rate`: the resident who filed a verified request rates the result — recorded as
/// its callback (回访), counted in the rates like one made by phone.
pub async fn rate(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<RateForm>,
) -> Result<Response, UiError> {
    let number = f.number.trim().to_string();
    let code = normalise_code(&f.code);
    let Some((case, _)) = case_by_number(&state, &number).await? else { return Ok(not_found_page(&ctx, number)) };
    let Some(who) = tracker(&ctx, &case, &code) else { return Ok(not_found_page(&ctx, number)) };
    let yes_no = |v: &Option<String>| match v.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let satisfaction = f.satisfaction.as_deref().and_then(|s| {
        [Satisfaction::Satisfied, Satisfaction::BasicallySatisfied, Satisfaction::Dissatisfied]
            .into_iter()
            .find(|x| x.as_str() == s)
    });
    let cal = state.calendar();
    let (status, notice) = match (yes_no(&f.contacted), yes_no(&f.solved), satisfaction) {
        (Some(contacted), Some(solved), Some(satisfaction)) => {
            let note = Some(f.note.trim().to_string()).filter(|n| !n.is_empty());
            let cmd = CaseCommand::RecordCallback { contacted, solved, satisfaction, note };
            match state.store.execute(&who, case.id, &cmd, Some(case.version), state.now(), &cal).await {
                Ok(_) => (StatusCode::OK, ctx.t("ui-track-rate-thanks")),
                Err(CommandError::Case(e)) => (StatusCode::CONFLICT, crate::error::ApiError::from(e).message(ctx.lang)),
                Err(CommandError::Field(e)) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, crate::error::ApiError::from(e).message(ctx.lang))
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => (StatusCode::UNPROCESSABLE_ENTITY, ctx.t("ui-track-rate-choose")),
    };
    let (case, events) = case_by_number(&state, &number).await?.ok_or_else(UiError::internal)?;
    let links = photo_links(&state, &ctx, &case, &events).await?;
    let view = track_view(&state, &ctx, &case, &events, Some(&who), links);
    let page = TrackPage { ctx: &ctx, number, code, error: None, notice: Some(notice), view: Some(view) };
    Ok(ctx.page_with(status, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_codes_are_stable_per_form_and_read_back_loosely() {
        let a = access_code("form-one-0123456789abcdefghijklmnopqrstuvwxyz");
        assert_eq!(a, access_code("form-one-0123456789abcdefghijklmnopqrstuvwxyz"));
        assert_ne!(a, access_code("form-two-0123456789abcdefghijklmnopqrstuvwxyz"));
        assert_eq!(a.len(), 11);
        assert!(a.chars().all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8))));
        let typed = a.to_lowercase().replace('-', " ");
        assert_eq!(web_identity(&typed), web_identity(&a));
        assert_ne!(web_identity(&a), web_identity(&access_code("another")));
    }
}
