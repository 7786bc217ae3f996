//! What the API shows: cases with labels from the catalog, times in Beijing time, personal data
//! masked.

use crate::i18n::{label, Lang};
use crate::Names;
use chuishao_domain::calendar::beijing;
use chuishao_domain::case::Assignee;
use chuishao_domain::personal::mask_address;
use chuishao_domain::{Case, CaseEvent, Role, Timestamp};
use chuishao_store::StoredEvent;
use serde::Serialize;
use utoipa::ToSchema;

/// RFC 3339 in Beijing time: `2026-11-28T09:00:00+08:00`.
pub fn fmt_time(t: Timestamp) -> String {
    t.with_timezone(&beijing()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Rewrites the time fields of an event's JSON (`due`, `*_due`, `*_at`) to Beijing time. Only
/// those keys: a resident's text that happens to look like a time is left alone.
pub fn localize_times(v: &mut serde_json::Value) {
    if let serde_json::Value::Object(map) = v {
        for (k, val) in map.iter_mut() {
            match val {
                serde_json::Value::String(s) if k == "due" || k.ends_with("_due") || k.ends_with("_at") => {
                    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                        *s = fmt_time(t.to_utc());
                    }
                }
                serde_json::Value::Object(_) => localize_times(val),
                _ => {}
            }
        }
    }
}

/// Where a request is, to about 100 m: enough to find the place, not the door.
fn coarse(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NamedRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssigneeView {
    /// `unit` or `department`
    pub kind: String,
    pub id: String,
    pub name: String,
}

impl From<&Assignee> for AssigneeView {
    fn from(a: &Assignee) -> Self {
        AssigneeView { kind: a.kind_str().into(), id: a.id().into(), name: a.name().into() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    /// `response` or `resolution`
    pub kind: String,
    pub label: String,
    pub start: String,
    pub due: String,
    pub warn_at: String,
    pub met_at: Option<String>,
    pub warned: bool,
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MaskedReporterView {
    /// Masked: 张*
    pub name: String,
    /// Masked: 138****5678
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PendingExtensionView {
    pub days: u32,
    pub reason: String,
    pub requested_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackView {
    pub contacted: bool,
    pub solved: bool,
    pub satisfaction: String,
    pub satisfaction_label: String,
    pub note: Option<String>,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    pub id: String,
    pub name: String,
    pub role: String,
    pub role_label: String,
}

impl ActorView {
    /// Officials act under their names; a resident's name is personal data and is masked.
    pub fn of(by: &chuishao_domain::ActorRef, lang: Lang) -> ActorView {
        ActorView {
            id: by.user_id.clone(),
            name: if by.role == Role::Resident { mask_name_value(&by.name) } else { by.name.clone() },
            role: by.role.as_str().into(),
            role_label: label(lang, "role", by.role.as_str()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub seq: u64,
    /// The event type, e.g. `dispatched`.
    #[serde(rename = "type")]
    pub kind: String,
    pub label: String,
    pub at: String,
    pub actor: ActorView,
    /// The event's own fields (personal data masked).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    /// Human-readable number, e.g. `110101-20261128-0042`.
    pub number: String,
    pub kind: String,
    pub kind_label: String,
    pub channel: String,
    pub channel_label: String,
    pub status: String,
    pub status_label: String,
    pub district: String,
    pub street: NamedRef,
    pub community: Option<NamedRef>,
    pub text: String,
    /// Masked: house and room numbers hidden.
    pub address: Option<String>,
    pub location: Option<LocationView>,
    pub reporter: Option<MaskedReporterView>,
    pub duty_item: Option<NamedRef>,
    pub assignee: Option<AssigneeView>,
    pub received_at: String,
    pub dispatched_at: Option<String>,
    pub accepted_at: Option<String>,
    pub contacted_at: Option<String>,
    pub resolved_at: Option<String>,
    pub verified_at: Option<String>,
    pub closed_at: Option<String>,
    pub deadlines: Vec<DeadlineView>,
    pub overdue: bool,
    pub pending_extension: Option<PendingExtensionView>,
    pub result: Option<String>,
    pub callback: Option<CallbackView>,
    pub round: u32,
    pub returns: u32,
    pub extensions: u32,
    pub merged_into: Option<String>,
    pub termination_reason: Option<String>,
    pub notes: u32,
    pub attachments: u32,
    pub version: u64,
    /// What you may do now (`/actions/{action}` names), for forms to offer.
    pub allowed_actions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEntry>>,
}

pub fn case_view(c: &Case, names: &Names, lang: Lang, events: Option<&[StoredEvent]>) -> CaseView {
    let t = |x: Option<Timestamp>| x.map(fmt_time);
    CaseView {
        id: c.id.to_string(),
        number: c.number.clone(),
        kind: c.kind.as_str().into(),
        kind_label: label(lang, "kind", c.kind.as_str()),
        channel: c.channel.as_str().into(),
        channel_label: label(lang, "channel", c.channel.as_str()),
        status: c.status.as_str().into(),
        status_label: label(lang, "status", c.status.as_str()),
        district: c.district.to_string(),
        street: NamedRef { code: c.street.to_string(), name: names.name_of(c.street.as_str()) },
        community: c.community.as_ref().map(|cc| NamedRef { code: cc.to_string(), name: names.name_of(cc.as_str()) }),
        text: c.text.clone(),
        address: c.address.as_deref().map(mask_address),
        location: c.location.map(|p| LocationView { lat: coarse(p.lat), lon: coarse(p.lon) }),
        reporter: c.reporter.as_ref().map(|r| {
            let m = r.masked();
            MaskedReporterView { name: m.name, phone: m.phone }
        }),
        duty_item: c.duty_item.as_ref().map(|d| NamedRef { code: d.code.clone(), name: d.name.clone() }),
        assignee: c.assignee.as_ref().map(AssigneeView::from),
        received_at: fmt_time(c.received_at),
        dispatched_at: t(c.dispatched_at),
        accepted_at: t(c.accepted_at),
        contacted_at: t(c.contacted_at),
        resolved_at: t(c.resolved_at),
        verified_at: t(c.verified_at),
        closed_at: t(c.closed_at),
        deadlines: c
            .response
            .iter()
            .chain(c.resolution.iter())
            .map(|d| DeadlineView {
                kind: d.kind.as_str().into(),
                label: label(lang, "deadline", d.kind.as_str()),
                start: fmt_time(d.start),
                due: fmt_time(d.due),
                warn_at: fmt_time(d.warn_at),
                met_at: t(d.met_at),
                warned: d.warned,
                overdue: d.overdue,
            })
            .collect(),
        overdue: c.is_overdue(),
        pending_extension: c.pending_extension.as_ref().map(|p| PendingExtensionView {
            days: p.days,
            reason: p.reason.clone(),
            requested_at: fmt_time(p.at),
        }),
        result: c.result.clone(),
        callback: c.callback.as_ref().map(|cb| CallbackView {
            contacted: cb.contacted,
            solved: cb.solved,
            satisfaction: cb.satisfaction.as_str().into(),
            satisfaction_label: label(lang, "satisfaction", cb.satisfaction.as_str()),
            note: cb.note.clone(),
            at: fmt_time(cb.at),
        }),
        round: c.round,
        returns: c.returns,
        extensions: c.extensions,
        merged_into: c.merged_into.map(|m| m.to_string()),
        termination_reason: c.termination_reason.clone(),
        notes: c.notes,
        attachments: c.attachments.len() as u32,
        version: c.version,
        allowed_actions: vec![],
        timeline: events.map(|evs| evs.iter().map(|e| timeline_entry(e.seq, &e.event, lang)).collect()),
    }
}

/// One event for the timeline: labelled, in Beijing time, with personal data masked.
pub fn timeline_entry(seq: u64, e: &CaseEvent, lang: Lang) -> TimelineEntry {
    let kind = e.data.type_name();
    let mut data = serde_json::to_value(&e.data).unwrap_or(serde_json::Value::Null);
    // Only `received` carries personal data (the reporter and the address).
    if let serde_json::Value::Object(map) = &mut data {
        map.remove("type");
        map.remove("reporter_user");
        if let Some(serde_json::Value::Object(rep)) = map.get_mut("reporter") {
            for (k, masker) in [("name", mask_name_value as fn(&str) -> String), ("phone", mask_phone_value)] {
                if let Some(serde_json::Value::String(s)) = rep.get_mut(k) {
                    *s = masker(s);
                }
            }
        }
        if let Some(serde_json::Value::String(a)) = map.get_mut("address") {
            *a = mask_address(a);
        }
        if let Some(serde_json::Value::Object(loc)) = map.get_mut("location") {
            for v in loc.values_mut() {
                if let Some(x) = v.as_f64() {
                    *v = serde_json::json!(coarse(x));
                }
            }
        }
    }
    localize_times(&mut data);
    TimelineEntry {
        seq,
        kind: kind.into(),
        label: label(lang, "event", kind),
        at: fmt_time(e.at),
        actor: ActorView::of(&e.by, lang),
        data,
    }
}

fn mask_name_value(s: &str) -> String {
    chuishao_domain::personal::mask_name(s)
}

fn mask_phone_value(s: &str) -> String {
    chuishao_domain::personal::Phone::parse(s).map(|p| p.masked()).unwrap_or_else(|_| "****".into())
}

/// A page of a list: `{items, total, page, per_page}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl<T: ToSchema> Page<T> {
    /// An unpaged list: everything on page one.
    pub fn all(items: Vec<T>) -> Self {
        let n = items.len() as u32;
        Page { total: n.into(), items, page: 1, per_page: n.max(1) }
    }
}
