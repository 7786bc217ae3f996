//! The case (诉求 / 工单) as an event-sourced decider.
//!
//! `decide` checks a command against the state, the actor's role and scope, and `now`, and
//! answers the events it causes; `evolve` folds one event into the state. State is only ever
//! built by folding events.

use crate::actor::{Actor, ActorRef, Role, Scope};
use crate::calendar::WorkCalendar;
use crate::catalog::{DutyTerms, RequestKind};
use crate::deadline::{Deadline, DeadlineKind};
use crate::field::{required_text, FieldError, FieldRule};
use crate::org::{CommunityCode, DepartmentId, DistrictCode, StreetCode, UnitId};
use crate::personal::Reporter;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub Uuid);

impl CaseId {
    pub fn parse(s: &str) -> Option<CaseId> {
        Uuid::parse_str(s).ok().map(CaseId)
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// 来源渠道.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Hotline,
    Web,
    Open311,
    LiaisonVisit,
    GridPatrol,
    WalkIn,
}

impl Channel {
    pub const ALL: [Channel; 6] =
        [Channel::Hotline, Channel::Web, Channel::Open311, Channel::LiaisonVisit, Channel::GridPatrol, Channel::WalkIn];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Hotline => "hotline",
            Channel::Web => "web",
            Channel::Open311 => "open311",
            Channel::LiaisonVisit => "liaison_visit",
            Channel::GridPatrol => "grid_patrol",
            Channel::WalkIn => "walk_in",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Received,
    /// A consultation answered on the spot, awaiting callback or closing.
    Answered,
    Dispatched,
    Accepted,
    ReturnRequested,
    /// A return was approved; waiting to be dispatched again.
    Returned,
    Contacted,
    Resolved,
    Verified,
    CallbackRecorded,
    Closed,
    /// Sent back for another round; waiting to be dispatched again.
    Reopened,
    Terminated,
    Merged,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 14] = [
        CaseStatus::Received,
        CaseStatus::Answered,
        CaseStatus::Dispatched,
        CaseStatus::Accepted,
        CaseStatus::ReturnRequested,
        CaseStatus::Returned,
        CaseStatus::Contacted,
        CaseStatus::Resolved,
        CaseStatus::Verified,
        CaseStatus::CallbackRecorded,
        CaseStatus::Closed,
        CaseStatus::Reopened,
        CaseStatus::Terminated,
        CaseStatus::Merged,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::Answered => "answered",
            CaseStatus::Dispatched => "dispatched",
            CaseStatus::Accepted => "accepted",
            CaseStatus::ReturnRequested => "return_requested",
            CaseStatus::Returned => "returned",
            CaseStatus::Contacted => "contacted",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Verified => "verified",
            CaseStatus::CallbackRecorded => "callback_recorded",
            CaseStatus::Closed => "closed",
            CaseStatus::Reopened => "reopened",
            CaseStatus::Terminated => "terminated",
            CaseStatus::Merged => "merged",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
    /// Closed, terminated and merged cases take no more handling.
    pub fn is_terminal(self) -> bool {
        matches!(self, CaseStatus::Closed | CaseStatus::Terminated | CaseStatus::Merged)
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whom a case is dispatched to. Names are recorded so a timeline reads without look-ups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Assignee {
    Unit { id: UnitId, street: StreetCode, name: String },
    Department { id: DepartmentId, name: String },
}

/// A street's unit as the one a case is dispatched to.
impl From<crate::org::Unit> for Assignee {
    fn from(u: crate::org::Unit) -> Self {
        Assignee::Unit { id: u.id, street: u.street, name: u.name }
    }
}

/// A department as the one a case is dispatched to.
impl From<crate::org::Department> for Assignee {
    fn from(d: crate::org::Department) -> Self {
        Assignee::Department { id: d.id, name: d.name }
    }
}

impl Assignee {
    /// A stable key for access lists: `unit:<id>` or `dept:<id>`.
    pub fn principal(&self) -> String {
        match self {
            Assignee::Unit { id, .. } => format!("unit:{id}"),
            Assignee::Department { id, .. } => format!("dept:{id}"),
        }
    }
    pub fn name(&self) -> &str {
        match self {
            Assignee::Unit { name, .. } | Assignee::Department { name, .. } => name,
        }
    }
    pub fn id(&self) -> &str {
        match self {
            Assignee::Unit { id, .. } => id.as_str(),
            Assignee::Department { id, .. } => id.as_str(),
        }
    }
    pub fn kind_str(&self) -> &'static str {
        match self {
            Assignee::Unit { .. } => "unit",
            Assignee::Department { .. } => "department",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn parse(lat: f64, lon: f64) -> Result<GeoPoint, FieldError> {
        if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() {
            return Err(FieldError::new("location.lat", FieldRule::OutOfRange { min: -90, max: 90 }));
        }
        if !(-180.0..=180.0).contains(&lon) || !lon.is_finite() {
            return Err(FieldError::new("location.lon", FieldRule::OutOfRange { min: -180, max: 180 }));
        }
        Ok(GeoPoint { lat, lon })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

impl Satisfaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::BasicallySatisfied => "basically_satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    Phone,
    Visit,
    Sms,
    Other,
}

/// What the resident said when called back (回访).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    pub contacted: bool,
    pub solved: bool,
    pub satisfaction: Satisfaction,
    pub note: Option<String>,
    pub at: Timestamp,
}

/// Metadata of a file attached to a case; the bytes live elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: Option<String>,
}

impl AttachmentMeta {
    pub const MAX_SIZE: u64 = 50 * 1024 * 1024;

    pub fn parse(name: &str, content_type: &str, size: u64, sha256: Option<&str>) -> Result<Self, FieldError> {
        let name = required_text("name", name, 200)?;
        let content_type = required_text("content_type", content_type, 100)?;
        if !content_type.contains('/') {
            return Err(FieldError::malformed("content_type", "media_type"));
        }
        if size == 0 || size > Self::MAX_SIZE {
            return Err(FieldError::new("size", FieldRule::OutOfRange { min: 1, max: Self::MAX_SIZE as i64 }));
        }
        let sha256 = match sha256.map(str::trim) {
            None | Some("") => None,
            Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => Some(h.to_ascii_lowercase()),
            Some(_) => return Err(FieldError::malformed("sha256", "sha256_hex")),
        };
        Ok(Self { name, content_type, size, sha256 })
    }
}

/// The duty item a case is handled under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyRef {
    pub code: String,
    pub name: String,
}

/// A request as it is received, parsed and placed (street known) by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCase {
    pub id: CaseId,
    /// Human-readable number, e.g. `110101-20261128-0042`.
    pub number: String,
    pub district: DistrictCode,
    pub street: StreetCode,
    pub community: Option<CommunityCode>,
    pub kind: RequestKind,
    pub channel: Channel,
    pub text: String,
    pub address: Option<String>,
    pub location: Option<GeoPoint>,
    pub reporter: Option<Reporter>,
    /// The resident account that filed it, if any.
    pub reporter_user: Option<String>,
    pub duty_item: Option<DutyRef>,
}

/// A pending request for more time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingExtension {
    pub days: u32,
    pub reason: String,
    pub requested_by: String,
    pub at: Timestamp,
}

/// A dispatch decided by the caller: to whom, and under which duty item's deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchOrder {
    pub assignee: Assignee,
    pub duty: DutyTerms,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CaseCommand {
    Receive(Box<NewCase>),
    AnswerDirectly {
        answer: String,
    },
    Dispatch(DispatchOrder),
    Accept,
    RequestReturn {
        reason: String,
    },
    /// Approve a return; optionally dispatch again at once.
    ApproveReturn {
        note: Option<String>,
        redispatch: Option<DispatchOrder>,
    },
    RejectReturn {
        reason: String,
    },
    Contact {
        method: ContactMethod,
        note: Option<String>,
    },
    RequestExtension {
        days: u32,
        reason: String,
    },
    GrantExtension {
        note: Option<String>,
    },
    DenyExtension {
        reason: String,
    },
    Resolve {
        result: String,
    },
    Verify {
        note: Option<String>,
    },
    /// The on-site check failed: back to the handler.
    SendBack {
        reason: String,
    },
    RecordCallback {
        contacted: bool,
        solved: bool,
        satisfaction: Satisfaction,
        note: Option<String>,
    },
    Close {
        note: Option<String>,
    },
    Reopen {
        reason: String,
    },
    Terminate {
        reason: String,
    },
    Merge {
        into: CaseId,
        into_number: String,
    },
    AddNote {
        text: String,
    },
    AddAttachment(AttachmentMeta),
    RevealContact {
        reason: String,
    },
    /// The ticker: emit due deadline warnings and overdue events.
    Tick,
    /// Put a whistle blown for this case (or its conclusion) on the case's record.
    RecordWhistle(WhistleNote),
}

/// A whistle as the case's timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhistleNote {
    pub whistle: crate::whistle::WhistleId,
    pub kind: String,
    pub kind_name: String,
    pub departments: Vec<String>,
    /// Set when the whistle concluded.
    pub summary: Option<String>,
}

/// The name of a command, as it appears in `/actions/{action}` and in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseAction {
    Receive,
    AnswerDirectly,
    Dispatch,
    Accept,
    RequestReturn,
    ApproveReturn,
    RejectReturn,
    Contact,
    RequestExtension,
    GrantExtension,
    DenyExtension,
    Resolve,
    Verify,
    SendBack,
    RecordCallback,
    Close,
    Reopen,
    Terminate,
    Merge,
    AddNote,
    AddAttachment,
    RevealContact,
    Tick,
    RecordWhistle,
}

impl CaseAction {
    pub const ALL: [CaseAction; 24] = [
        CaseAction::Receive,
        CaseAction::AnswerDirectly,
        CaseAction::Dispatch,
        CaseAction::Accept,
        CaseAction::RequestReturn,
        CaseAction::ApproveReturn,
        CaseAction::RejectReturn,
        CaseAction::Contact,
        CaseAction::RequestExtension,
        CaseAction::GrantExtension,
        CaseAction::DenyExtension,
        CaseAction::Resolve,
        CaseAction::Verify,
        CaseAction::SendBack,
        CaseAction::RecordCallback,
        CaseAction::Close,
        CaseAction::Reopen,
        CaseAction::Terminate,
        CaseAction::Merge,
        CaseAction::AddNote,
        CaseAction::AddAttachment,
        CaseAction::RevealContact,
        CaseAction::Tick,
        CaseAction::RecordWhistle,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CaseAction::Receive => "receive",
            CaseAction::AnswerDirectly => "answer-directly",
            CaseAction::Dispatch => "dispatch",
            CaseAction::Accept => "accept",
            CaseAction::RequestReturn => "request-return",
            CaseAction::ApproveReturn => "approve-return",
            CaseAction::RejectReturn => "reject-return",
            CaseAction::Contact => "contact",
            CaseAction::RequestExtension => "request-extension",
            CaseAction::GrantExtension => "grant-extension",
            CaseAction::DenyExtension => "deny-extension",
            CaseAction::Resolve => "resolve",
            CaseAction::Verify => "verify",
            CaseAction::SendBack => "send-back",
            CaseAction::RecordCallback => "record-callback",
            CaseAction::Close => "close",
            CaseAction::Reopen => "reopen",
            CaseAction::Terminate => "terminate",
            CaseAction::Merge => "merge",
            CaseAction::AddNote => "add-note",
            CaseAction::AddAttachment => "add-attachment",
            CaseAction::RevealContact => "reveal-contact",
            CaseAction::Tick => "tick",
            CaseAction::RecordWhistle => "record-whistle",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for CaseAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl CaseCommand {
    pub fn action(&self) -> CaseAction {
        match self {
            CaseCommand::Receive(_) => CaseAction::Receive,
            CaseCommand::AnswerDirectly { .. } => CaseAction::AnswerDirectly,
            CaseCommand::Dispatch(_) => CaseAction::Dispatch,
            CaseCommand::Accept => CaseAction::Accept,
            CaseCommand::RequestReturn { .. } => CaseAction::RequestReturn,
            CaseCommand::ApproveReturn { .. } => CaseAction::ApproveReturn,
            CaseCommand::RejectReturn { .. } => CaseAction::RejectReturn,
            CaseCommand::Contact { .. } => CaseAction::Contact,
            CaseCommand::RequestExtension { .. } => CaseAction::RequestExtension,
            CaseCommand::GrantExtension { .. } => CaseAction::GrantExtension,
            CaseCommand::DenyExtension { .. } => CaseAction::DenyExtension,
            CaseCommand::Resolve { .. } => CaseAction::Resolve,
            CaseCommand::Verify { .. } => CaseAction::Verify,
            CaseCommand::SendBack { .. } => CaseAction::SendBack,
            CaseCommand::RecordCallback { .. } => CaseAction::RecordCallback,
            CaseCommand::Close { .. } => CaseAction::Close,
            CaseCommand::Reopen { .. } => CaseAction::Reopen,
            CaseCommand::Terminate { .. } => CaseAction::Terminate,
            CaseCommand::Merge { .. } => CaseAction::Merge,
            CaseCommand::AddNote { .. } => CaseAction::AddNote,
            CaseCommand::AddAttachment(_) => CaseAction::AddAttachment,
            CaseCommand::RevealContact { .. } => CaseAction::RevealContact,
            CaseCommand::Tick => CaseAction::Tick,
            CaseCommand::RecordWhistle(_) => CaseAction::RecordWhistle,
        }
    }
}

/// One thing that happened to a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub at: Timestamp,
    pub by: ActorRef,
    #[serde(flatten)]
    pub data: CaseEventData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseEventData {
    Received(Box<NewCase>),
    AnsweredDirectly {
        answer: String,
    },
    Dispatched {
        assignee: Assignee,
        duty_item: DutyRef,
        response_due: Timestamp,
        response_warn_at: Timestamp,
        resolution_due: Timestamp,
        resolution_warn_at: Timestamp,
        note: Option<String>,
        redispatch: bool,
    },
    Accepted,
    ReturnRequested {
        reason: String,
    },
    ReturnApproved {
        note: Option<String>,
    },
    ReturnRejected {
        reason: String,
    },
    Contacted {
        method: ContactMethod,
        note: Option<String>,
    },
    ExtensionRequested {
        days: u32,
        reason: String,
    },
    ExtensionGranted {
        days: u32,
        resolution_due: Timestamp,
        resolution_warn_at: Timestamp,
        note: Option<String>,
    },
    ExtensionDenied {
        reason: String,
    },
    Resolved {
        result: String,
    },
    Verified {
        note: Option<String>,
    },
    VerificationFailed {
        reason: String,
    },
    CallbackRecorded {
        contacted: bool,
        solved: bool,
        satisfaction: Satisfaction,
        note: Option<String>,
    },
    Closed {
        note: Option<String>,
    },
    Reopened {
        reason: String,
    },
    Terminated {
        reason: String,
    },
    Merged {
        into: CaseId,
        into_number: String,
    },
    NoteAdded {
        text: String,
    },
    AttachmentAdded(AttachmentMeta),
    ContactRevealed {
        reason: String,
    },
    DeadlineWarning {
        deadline: DeadlineKind,
        due: Timestamp,
    },
    DeadlineOverdue {
        deadline: DeadlineKind,
        due: Timestamp,
        escalated_to: Vec<Role>,
    },
    WhistleBlown(WhistleNote),
    WhistleConcluded(WhistleNote),
}

impl CaseEventData {
    /// The snake_case type name stored beside the payload.
    pub fn type_name(&self) -> &'static str {
        match self {
            CaseEventData::Received(_) => "received",
            CaseEventData::AnsweredDirectly { .. } => "answered_directly",
            CaseEventData::Dispatched { .. } => "dispatched",
            CaseEventData::Accepted => "accepted",
            CaseEventData::ReturnRequested { .. } => "return_requested",
            CaseEventData::ReturnApproved { .. } => "return_approved",
            CaseEventData::ReturnRejected { .. } => "return_rejected",
            CaseEventData::Contacted { .. } => "contacted",
            CaseEventData::ExtensionRequested { .. } => "extension_requested",
            CaseEventData::ExtensionGranted { .. } => "extension_granted",
            CaseEventData::ExtensionDenied { .. } => "extension_denied",
            CaseEventData::Resolved { .. } => "resolved",
            CaseEventData::Verified { .. } => "verified",
            CaseEventData::VerificationFailed { .. } => "verification_failed",
            CaseEventData::CallbackRecorded { .. } => "callback_recorded",
            CaseEventData::Closed { .. } => "closed",
            CaseEventData::Reopened { .. } => "reopened",
            CaseEventData::Terminated { .. } => "terminated",
            CaseEventData::Merged { .. } => "merged",
            CaseEventData::NoteAdded { .. } => "note_added",
            CaseEventData::AttachmentAdded(_) => "attachment_added",
            CaseEventData::ContactRevealed { .. } => "contact_revealed",
            CaseEventData::DeadlineWarning { .. } => "deadline_warning",
            CaseEventData::DeadlineOverdue { .. } => "deadline_overdue",
            CaseEventData::WhistleBlown(_) => "whistle_blown",
            CaseEventData::WhistleConcluded(_) => "whistle_concluded",
        }
    }
}

/// The state of one case: only ever the fold of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub number: String,
    pub district: DistrictCode,
    pub street: StreetCode,
    pub community: Option<CommunityCode>,
    pub kind: RequestKind,
    pub channel: Channel,
    pub text: String,
    pub address: Option<String>,
    pub location: Option<GeoPoint>,
    pub reporter: Option<Reporter>,
    pub reporter_user: Option<String>,
    pub duty_item: Option<DutyRef>,
    pub status: CaseStatus,
    pub assignee: Option<Assignee>,
    /// Everyone the case was ever dispatched to (they keep read access).
    pub past_assignees: Vec<Assignee>,
    pub received_at: Timestamp,
    pub received_by: String,
    pub dispatched_at: Option<Timestamp>,
    pub accepted_at: Option<Timestamp>,
    pub contacted_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub resolved_by: Option<String>,
    pub result: Option<String>,
    pub verified_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub response: Option<Deadline>,
    pub resolution: Option<Deadline>,
    pub pending_extension: Option<PendingExtension>,
    pub status_before_return: Option<CaseStatus>,
    pub callback: Option<Callback>,
    /// 1 for the first round; each reopening adds one.
    pub round: u32,
    pub returns: u32,
    pub extensions: u32,
    pub merged_into: Option<CaseId>,
    pub termination_reason: Option<String>,
    pub notes: u32,
    pub attachments: Vec<AttachmentMeta>,
    /// The number of events folded so far.
    pub version: u64,
    pub updated_at: Timestamp,
}

impl Case {
    pub fn is_open(&self) -> bool {
        !self.status.is_terminal()
    }

    fn deadlines(&self) -> impl Iterator<Item = &Deadline> {
        self.response.iter().chain(self.resolution.iter())
    }

    /// When the ticker must next look at this case.
    pub fn next_alert_at(&self) -> Option<Timestamp> {
        if !self.is_open() {
            return None;
        }
        self.deadlines().filter_map(Deadline::next_alert).min()
    }

    /// A deadline has passed and what it asked for is still not done.
    pub fn is_overdue(&self) -> bool {
        self.is_open() && self.deadlines().any(|d| d.overdue && !d.is_met())
    }

    /// Everyone who may read the case by assignment: `unit:<id>` / `dept:<id>`.
    pub fn principals(&self) -> Vec<String> {
        self.past_assignees.iter().map(Assignee::principal).collect()
    }
}

/// What `decide` needs besides the state: the time and the work calendar.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub now: Timestamp,
    pub calendar: &'a WorkCalendar,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CaseError {
    /// Absent, or outside the actor's scope: the two are indistinguishable on purpose.
    #[error("case not found")]
    NotFound,
    #[error("a case with this id already exists")]
    AlreadyExists,
    #[error("a {role:?} may not {action}")]
    RoleNotPermitted { action: CaseAction, role: Role },
    #[error("only the unit or department the case is dispatched to may {action}")]
    NotAssignedToYou { action: CaseAction },
    #[error("cannot {action} while the case is {status}")]
    InvalidState { action: CaseAction, status: CaseStatus },
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error("an extension request is already pending")]
    ExtensionPending,
    #[error("no extension request is pending")]
    NoExtensionPending,
    #[error("only consultations can be answered directly")]
    NotConsultation,
    #[error("the resident must be contacted before the case is resolved")]
    NotContacted,
    #[error("the result must be verified by someone other than who resolved it")]
    VerifierIsResolver,
    #[error("a case cannot be merged into itself")]
    MergeIntoSelf,
    #[error("the unit belongs to another street")]
    UnitOutsideStreet,
    #[error("the case has no reporter contact to reveal")]
    NoReporter,
}

impl CaseError {
    /// Stable snake_case code clients key on.
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::NotFound => "case_not_found",
            CaseError::AlreadyExists => "case_exists",
            CaseError::RoleNotPermitted { .. } => "role_not_permitted",
            CaseError::NotAssignedToYou { .. } => "not_assigned_to_you",
            CaseError::InvalidState { .. } => "invalid_state",
            CaseError::Field(f) => f.code(),
            CaseError::ExtensionPending => "extension_pending",
            CaseError::NoExtensionPending => "no_extension_pending",
            CaseError::NotConsultation => "not_consultation",
            CaseError::NotContacted => "resident_not_contacted",
            CaseError::VerifierIsResolver => "verifier_is_resolver",
            CaseError::MergeIntoSelf => "merge_into_self",
            CaseError::UnitOutsideStreet => "unit_outside_street",
            CaseError::NoReporter => "no_reporter_contact",
        }
    }
}

/// Which cases an actor may see, by role and scope. Single reads (`can_see`) and lists (the
/// store's query filter) both derive from this one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    District(DistrictCode),
    Street(StreetCode),
    /// A liaison's: the communities they cover now.
    Communities(Vec<CommunityCode>),
    /// Cases ever dispatched to this unit or department (`unit:<id>` / `dept:<id>`).
    Principal(String),
    /// A resident's own requests.
    Reporter(String),
    Nothing,
}

impl Visibility {
    pub fn of(actor: &Actor) -> Visibility {
        match (actor.role, &actor.scope) {
            (Role::DistrictSupervisor | Role::Inspector | Role::System, Scope::District { code }) => {
                Visibility::District(code.clone())
            }
            (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => Visibility::Street(code.clone()),
            (Role::Liaison, Scope::Community { covers, .. }) => Visibility::Communities(covers.clone()),
            (Role::UnitStaff, Scope::Unit { id, .. }) => Visibility::Principal(format!("unit:{id}")),
            (Role::DepartmentStaff, Scope::Department { id }) => Visibility::Principal(format!("dept:{id}")),
            (Role::Resident, Scope::Own) => Visibility::Reporter(actor.user_id.clone()),
            _ => Visibility::Nothing,
        }
    }

    pub fn admits(&self, case: &Case) -> bool {
        match self {
            Visibility::District(code) => *code == case.district,
            Visibility::Street(code) => *code == case.street,
            Visibility::Communities(codes) => case.community.as_ref().is_some_and(|c| codes.contains(c)),
            Visibility::Principal(p) => case.past_assignees.iter().any(|a| a.principal() == *p),
            Visibility::Reporter(user) => case.reporter_user.as_deref() == Some(user.as_str()),
            Visibility::Nothing => false,
        }
    }
}

/// Whether the actor may see the case at all.
pub fn can_see(actor: &Actor, case: &Case) -> bool {
    actor.district == case.district && Visibility::of(actor).admits(case)
}

/// The street's dispatchers and leaders, or the district supervisor.
fn is_supervisor(actor: &Actor, case: &Case) -> bool {
    match (actor.role, &actor.scope) {
        (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => *code == case.street,
        (Role::DistrictSupervisor, Scope::District { code }) => *code == case.district,
        _ => false,
    }
}

/// The resident who filed the case, signed in (or holding its tracking code).
fn is_reporter(actor: &Actor, case: &Case) -> bool {
    actor.role == Role::Resident && case.reporter_user.as_deref() == Some(actor.user_id.as_str())
}

fn is_leader(actor: &Actor, case: &Case) -> bool {
    match (actor.role, &actor.scope) {
        (Role::StreetLeader, Scope::Street { code }) => *code == case.street,
        (Role::DistrictSupervisor, Scope::District { code }) => *code == case.district,
        _ => false,
    }
}

/// Staff of the unit or department the case is dispatched to now.
fn is_handler(actor: &Actor, case: &Case) -> bool {
    match (actor.role, &actor.scope, &case.assignee) {
        (Role::UnitStaff, Scope::Unit { id, .. }, Some(Assignee::Unit { id: a, .. })) => id == a,
        (Role::DepartmentStaff, Scope::Department { id }, Some(Assignee::Department { id: a, .. })) => id == a,
        _ => false,
    }
}

/// Checks the actor's role (and assignment) for an action on a visible case.
fn permit(action: CaseAction, actor: &Actor, case: &Case) -> Result<(), CaseError> {
    use CaseAction as A;
    let denied = CaseError::RoleNotPermitted { action, role: actor.role };
    let ok = match action {
        A::Accept | A::RequestReturn | A::Contact | A::RequestExtension | A::Resolve => {
            if is_handler(actor, case) {
                true
            } else if matches!(actor.role, Role::UnitStaff | Role::DepartmentStaff) {
                return Err(CaseError::NotAssignedToYou { action });
            } else {
                false
            }
        }
        A::AnswerDirectly | A::Dispatch | A::ApproveReturn | A::RejectReturn | A::Close | A::Reopen | A::Merge => {
            is_supervisor(actor, case)
        }
        // 回访: the street calls the resident back — or the resident rates the result themselves
        // (the portal's rating form), which counts the same.
        A::RecordCallback => is_supervisor(actor, case) || is_reporter(actor, case),
        A::GrantExtension | A::DenyExtension | A::Terminate => is_leader(actor, case),
        A::Verify | A::SendBack => {
            is_supervisor(actor, case) || (actor.role == Role::Liaison && actor.scope.covers(case.community.as_ref()))
        }
        A::AddNote | A::AddAttachment => !matches!(actor.role, Role::Inspector | Role::System),
        A::RevealContact => is_handler(actor, case) || is_supervisor(actor, case),
        A::Tick => actor.role == Role::System,
        A::RecordWhistle => is_leader(actor, case),
        A::Receive => false,
    };
    if ok {
        Ok(())
    } else {
        Err(denied)
    }
}

fn require_status(action: CaseAction, case: &Case, allowed: &[CaseStatus]) -> Result<(), CaseError> {
    if allowed.contains(&case.status) {
        Ok(())
    } else {
        Err(CaseError::InvalidState { action, status: case.status })
    }
}

fn reason(field: &str, text: &str) -> Result<String, CaseError> {
    Ok(required_text(field, text, 1000)?)
}

fn optional_note(note: &Option<String>) -> Result<Option<String>, CaseError> {
    Ok(crate::field::optional_text("note", note.as_deref(), 1000)?)
}

/// May this actor receive (record) a new case in this place?
fn may_receive(actor: &Actor, new: &NewCase) -> bool {
    if actor.district != new.district {
        return false;
    }
    match (actor.role, &actor.scope) {
        (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => *code == new.street,
        (Role::DistrictSupervisor, Scope::District { code }) => *code == new.district,
        (Role::Liaison, scope) => scope.covers(new.community.as_ref()),
        (Role::Resident, Scope::Own) => new.reporter_user.as_deref() == Some(actor.user_id.as_str()),
        _ => false,
    }
}

fn dispatched(case: &Case, order: &DispatchOrder, env: &Env, redispatch: bool) -> Result<CaseEventData, CaseError> {
    if let Assignee::Unit { street, .. } = &order.assignee {
        if *street != case.street {
            return Err(CaseError::UnitOutsideStreet);
        }
    }
    let (now, cal) = (env.now, env.calendar);
    let response_due = order.duty.response.due_from(now, cal);
    let resolution_due = order.duty.resolution.due_from(now, cal);
    Ok(CaseEventData::Dispatched {
        assignee: order.assignee.clone(),
        duty_item: DutyRef { code: order.duty.code.clone(), name: order.duty.name.clone() },
        response_due,
        response_warn_at: order.duty.response.warning_at(now, response_due, cal),
        resolution_due,
        resolution_warn_at: order.duty.resolution.warning_at(now, resolution_due, cal),
        note: optional_note(&order.note)?,
        redispatch,
    })
}

/// Deadline warnings and overdue events that are due now and not yet emitted.
fn due_alerts(case: &Case, now: Timestamp) -> Vec<CaseEventData> {
    if !case.is_open() {
        return vec![];
    }
    case.deadlines()
        .filter(|d| !d.is_met() && !d.overdue)
        .filter_map(|d| {
            if now >= d.due {
                let escalated_to = match d.kind {
                    DeadlineKind::Response => vec![Role::StreetLeader],
                    DeadlineKind::Resolution => vec![Role::StreetLeader, Role::DistrictSupervisor],
                };
                Some(CaseEventData::DeadlineOverdue { deadline: d.kind, due: d.due, escalated_to })
            } else if now >= d.warn_at && !d.warned {
                Some(CaseEventData::DeadlineWarning { deadline: d.kind, due: d.due })
            } else {
                None
            }
        })
        .collect()
}

/// Decides what a command causes. Answers the events to append, or why not.
pub fn decide(
    state: Option<&Case>,
    command: &CaseCommand,
    actor: &Actor,
    env: &Env,
) -> Result<Vec<CaseEvent>, CaseError> {
    use CaseCommand as C;
    use CaseEventData as E;
    use CaseStatus as S;
    let action = command.action();
    let stamp = |data: Vec<CaseEventData>| -> Vec<CaseEvent> {
        data.into_iter().map(|data| CaseEvent { at: env.now, by: actor.as_ref(), data }).collect()
    };
    let case = match (state, command) {
        (None, C::Receive(new)) => {
            if !may_receive(actor, new) {
                return Err(CaseError::RoleNotPermitted { action, role: actor.role });
            }
            if new.street.district() != new.district {
                return Err(FieldError::unknown("street_code").into());
            }
            if new.community.as_ref().is_some_and(|c| c.street() != new.street) {
                return Err(FieldError::unknown("community_code").into());
            }
            let mut new = new.clone();
            new.text = required_text("text", &new.text, 2000)?;
            new.address = crate::field::optional_text("address", new.address.as_deref(), 200)?;
            return Ok(stamp(vec![E::Received(new)]));
        }
        (Some(_), C::Receive(_)) => return Err(CaseError::AlreadyExists),
        (None, _) => return Err(CaseError::NotFound),
        (Some(case), _) => case,
    };
    if !can_see(actor, case) {
        return Err(CaseError::NotFound);
    }
    permit(action, actor, case)?;
    let events = match command {
        C::Receive(_) => unreachable!("handled above"),
        C::AnswerDirectly { answer } => {
            require_status(action, case, &[S::Received])?;
            if case.kind != RequestKind::Consult {
                return Err(CaseError::NotConsultation);
            }
            vec![E::AnsweredDirectly { answer: required_text("answer", answer, 2000)? }]
        }
        C::Dispatch(order) => {
            require_status(action, case, &[S::Received, S::Returned, S::Reopened, S::Dispatched])?;
            vec![dispatched(case, order, env, case.status != S::Received)?]
        }
        C::Accept => {
            require_status(action, case, &[S::Dispatched])?;
            vec![E::Accepted]
        }
        C::RequestReturn { reason: r } => {
            require_status(action, case, &[S::Dispatched, S::Accepted])?;
            vec![E::ReturnRequested { reason: reason("reason", r)? }]
        }
        C::ApproveReturn { note, redispatch } => {
            require_status(action, case, &[S::ReturnRequested])?;
            let mut events = vec![E::ReturnApproved { note: optional_note(note)? }];
            if let Some(order) = redispatch {
                events.push(dispatched(case, order, env, true)?);
            }
            events
        }
        C::RejectReturn { reason: r } => {
            require_status(action, case, &[S::ReturnRequested])?;
            vec![E::ReturnRejected { reason: reason("reason", r)? }]
        }
        C::Contact { method, note } => {
            require_status(action, case, &[S::Accepted, S::Contacted])?;
            vec![E::Contacted { method: *method, note: optional_note(note)? }]
        }
        C::RequestExtension { days, reason: r } => {
            require_status(action, case, &[S::Accepted, S::Contacted])?;
            if case.pending_extension.is_some() {
                return Err(CaseError::ExtensionPending);
            }
            if !(1..=30).contains(days) {
                return Err(FieldError::new("days", FieldRule::OutOfRange { min: 1, max: 30 }).into());
            }
            vec![E::ExtensionRequested { days: *days, reason: reason("reason", r)? }]
        }
        C::GrantExtension { note } => {
            let pending = case.pending_extension.as_ref().ok_or(CaseError::NoExtensionPending)?;
            require_status(action, case, &[S::Accepted, S::Contacted])?;
            let current = case.resolution.as_ref().ok_or(CaseError::InvalidState { action, status: case.status })?;
            let resolution_due = env.calendar.add_working_days(current.due, pending.days);
            // Extended by working days, the deadline warns by working time.
            let resolution_warn_at = crate::deadline::working_time_warning(current.start, resolution_due, env.calendar);
            vec![E::ExtensionGranted {
                days: pending.days,
                resolution_due,
                resolution_warn_at,
                note: optional_note(note)?,
            }]
        }
        C::DenyExtension { reason: r } => {
            if case.pending_extension.is_none() {
                return Err(CaseError::NoExtensionPending);
            }
            require_status(action, case, &[S::Accepted, S::Contacted])?;
            vec![E::ExtensionDenied { reason: reason("reason", r)? }]
        }
        C::Resolve { result } => {
            if case.status == S::Accepted {
                return Err(CaseError::NotContacted);
            }
            require_status(action, case, &[S::Contacted])?;
            vec![E::Resolved { result: required_text("result", result, 2000)? }]
        }
        C::Verify { note } => {
            require_status(action, case, &[S::Resolved])?;
            if case.resolved_by.as_deref() == Some(actor.user_id.as_str()) {
                return Err(CaseError::VerifierIsResolver);
            }
            vec![E::Verified { note: optional_note(note)? }]
        }
        C::SendBack { reason: r } => {
            require_status(action, case, &[S::Resolved])?;
            if case.resolved_by.as_deref() == Some(actor.user_id.as_str()) {
                return Err(CaseError::VerifierIsResolver);
            }
            vec![E::VerificationFailed { reason: reason("reason", r)? }]
        }
        C::RecordCallback { contacted, solved, satisfaction, note } => {
            require_status(action, case, &[S::Verified, S::Answered])?;
            vec![E::CallbackRecorded {
                contacted: *contacted,
                solved: *solved,
                satisfaction: *satisfaction,
                note: optional_note(note)?,
            }]
        }
        C::Close { note } => {
            require_status(action, case, &[S::CallbackRecorded, S::Answered])?;
            vec![E::Closed { note: optional_note(note)? }]
        }
        C::Reopen { reason: r } => {
            require_status(action, case, &[S::CallbackRecorded, S::Closed])?;
            vec![E::Reopened { reason: reason("reason", r)? }]
        }
        C::Terminate { reason: r } => {
            if !case.is_open() {
                return Err(CaseError::InvalidState { action, status: case.status });
            }
            vec![E::Terminated { reason: reason("reason", r)? }]
        }
        C::Merge { into, into_number } => {
            require_status(action, case, &[S::Received, S::Dispatched, S::Accepted, S::Returned, S::Reopened])?;
            if *into == case.id {
                return Err(CaseError::MergeIntoSelf);
            }
            vec![E::Merged { into: *into, into_number: into_number.clone() }]
        }
        C::AddNote { text } => vec![E::NoteAdded { text: required_text("text", text, 2000)? }],
        C::AddAttachment(meta) => {
            let checked = AttachmentMeta::parse(&meta.name, &meta.content_type, meta.size, meta.sha256.as_deref())?;
            vec![E::AttachmentAdded(checked)]
        }
        C::RevealContact { reason: r } => {
            if !case.is_open() {
                return Err(CaseError::InvalidState { action, status: case.status });
            }
            if case.reporter.is_none() {
                return Err(CaseError::NoReporter);
            }
            vec![E::ContactRevealed { reason: reason("reason", r)? }]
        }
        C::Tick => due_alerts(case, env.now),
        C::RecordWhistle(note) => match note.summary {
            None if !case.is_open() => return Err(CaseError::InvalidState { action, status: case.status }),
            None => vec![E::WhistleBlown(note.clone())],
            Some(_) => vec![E::WhistleConcluded(note.clone())],
        },
    };
    Ok(stamp(events))
}

fn set_deadline_met(d: &mut Option<Deadline>, at: Timestamp) {
    if let Some(d) = d {
        if d.met_at.is_none() {
            d.met_at = Some(at);
        }
    }
}

fn deadline_mut(case: &mut Case, kind: DeadlineKind) -> Option<&mut Deadline> {
    match kind {
        DeadlineKind::Response => case.response.as_mut(),
        DeadlineKind::Resolution => case.resolution.as_mut(),
    }
}

/// Folds one event into the state. An event that cannot apply (anything but `received` on an
/// empty state) leaves the state as it is; `decide` never produces one.
pub fn evolve(state: Option<Case>, event: &CaseEvent) -> Option<Case> {
    use CaseEventData as E;
    use CaseStatus as S;
    let at = event.at;
    let mut case = match (state, &event.data) {
        (None, E::Received(new)) => {
            let new = new.as_ref().clone();
            return Some(Case {
                id: new.id,
                number: new.number,
                district: new.district,
                street: new.street,
                community: new.community,
                kind: new.kind,
                channel: new.channel,
                text: new.text,
                address: new.address,
                location: new.location,
                reporter: new.reporter,
                reporter_user: new.reporter_user,
                duty_item: new.duty_item,
                status: S::Received,
                assignee: None,
                past_assignees: vec![],
                received_at: at,
                received_by: event.by.user_id.clone(),
                dispatched_at: None,
                accepted_at: None,
                contacted_at: None,
                resolved_at: None,
                resolved_by: None,
                result: None,
                verified_at: None,
                closed_at: None,
                response: None,
                resolution: None,
                pending_extension: None,
                status_before_return: None,
                callback: None,
                round: 1,
                returns: 0,
                extensions: 0,
                merged_into: None,
                termination_reason: None,
                notes: 0,
                attachments: vec![],
                version: 1,
                updated_at: at,
            });
        }
        (None, _) => return None,
        (Some(case), _) => case,
    };
    case.version += 1;
    case.updated_at = at;
    match &event.data {
        E::Received(_) => {}
        E::AnsweredDirectly { answer } => {
            case.status = S::Answered;
            case.result = Some(answer.clone());
            case.resolved_at = Some(at);
            case.resolved_by = Some(event.by.user_id.clone());
        }
        E::Dispatched {
            assignee,
            duty_item,
            response_due,
            response_warn_at,
            resolution_due,
            resolution_warn_at,
            ..
        } => {
            case.status = S::Dispatched;
            if !case.past_assignees.contains(assignee) {
                case.past_assignees.push(assignee.clone());
            }
            case.assignee = Some(assignee.clone());
            case.duty_item = Some(duty_item.clone());
            case.dispatched_at = Some(at);
            case.accepted_at = None;
            case.contacted_at = None;
            case.response = Some(Deadline::new(DeadlineKind::Response, at, *response_due, *response_warn_at));
            case.resolution = Some(Deadline::new(DeadlineKind::Resolution, at, *resolution_due, *resolution_warn_at));
            case.pending_extension = None;
            case.status_before_return = None;
        }
        E::Accepted => {
            case.status = S::Accepted;
            case.accepted_at = Some(at);
        }
        E::ReturnRequested { .. } => {
            case.status_before_return = Some(case.status);
            case.status = S::ReturnRequested;
        }
        E::ReturnApproved { .. } => {
            case.status = S::Returned;
            case.returns += 1;
            case.assignee = None;
            case.pending_extension = None;
            case.response = None;
            case.resolution = None;
            case.status_before_return = None;
        }
        E::ReturnRejected { .. } => {
            case.status = case.status_before_return.take().unwrap_or(S::Dispatched);
        }
        E::Contacted { .. } => {
            case.status = S::Contacted;
            if case.contacted_at.is_none() {
                case.contacted_at = Some(at);
            }
            set_deadline_met(&mut case.response, at);
        }
        E::ExtensionRequested { days, reason } => {
            case.pending_extension = Some(PendingExtension {
                days: *days,
                reason: reason.clone(),
                requested_by: event.by.user_id.clone(),
                at,
            });
        }
        E::ExtensionGranted { resolution_due, resolution_warn_at, .. } => {
            case.pending_extension = None;
            case.extensions += 1;
            if let Some(d) = &case.resolution {
                case.resolution =
                    Some(Deadline::new(DeadlineKind::Resolution, d.start, *resolution_due, *resolution_warn_at));
            }
        }
        E::ExtensionDenied { .. } => case.pending_extension = None,
        E::Resolved { result } => {
            case.status = S::Resolved;
            case.resolved_at = Some(at);
            case.resolved_by = Some(event.by.user_id.clone());
            case.result = Some(result.clone());
            case.pending_extension = None;
            set_deadline_met(&mut case.resolution, at);
        }
        E::Verified { .. } => {
            case.status = S::Verified;
            case.verified_at = Some(at);
        }
        E::VerificationFailed { .. } => {
            case.status = S::Contacted;
            case.resolved_at = None;
            case.resolved_by = None;
            if let Some(d) = case.resolution.as_mut() {
                d.met_at = None;
            }
        }
        E::CallbackRecorded { contacted, solved, satisfaction, note } => {
            case.status = S::CallbackRecorded;
            case.callback = Some(Callback {
                contacted: *contacted,
                solved: *solved,
                satisfaction: *satisfaction,
                note: note.clone(),
                at,
            });
        }
        E::Closed { .. } => {
            case.status = S::Closed;
            case.closed_at = Some(at);
        }
        E::Reopened { .. } => {
            // A new round: what the last one found stays in the events, not in the state.
            case.status = S::Reopened;
            case.round += 1;
            case.assignee = None;
            case.callback = None;
            case.result = None;
            case.dispatched_at = None;
            case.accepted_at = None;
            case.response = None;
            case.resolution = None;
            case.contacted_at = None;
            case.resolved_at = None;
            case.resolved_by = None;
            case.verified_at = None;
            case.closed_at = None;
        }
        E::Terminated { reason } => {
            case.status = S::Terminated;
            case.termination_reason = Some(reason.clone());
            case.closed_at = Some(at);
            case.pending_extension = None;
            case.status_before_return = None;
        }
        E::Merged { into, .. } => {
            case.status = S::Merged;
            case.merged_into = Some(*into);
            case.closed_at = Some(at);
            case.pending_extension = None;
            case.status_before_return = None;
        }
        E::NoteAdded { .. } => case.notes += 1,
        E::AttachmentAdded(meta) => case.attachments.push(meta.clone()),
        E::ContactRevealed { .. } | E::WhistleBlown(_) | E::WhistleConcluded(_) => {}
        E::DeadlineWarning { deadline, .. } => {
            if let Some(d) = deadline_mut(&mut case, *deadline) {
                d.warned = true;
            }
        }
        E::DeadlineOverdue { deadline, .. } => {
            if let Some(d) = deadline_mut(&mut case, *deadline) {
                d.warned = true;
                d.overdue = true;
            }
        }
    }
    Some(case)
}

/// The state after all `events`.
pub fn fold<'a>(events: impl IntoIterator<Item = &'a CaseEvent>) -> Option<Case> {
    events.into_iter().fold(None, evolve)
}

/// The actions this actor may take on the case now — what a form should offer. Each candidate is
/// put to `decide` with well-formed sample arguments, so the answer follows the same rules.
pub fn allowed_actions(case: &Case, actor: &Actor, env: &Env) -> Vec<CaseAction> {
    let text = || "—".to_string();
    let order = || DispatchOrder {
        assignee: match &case.assignee {
            Some(a) => a.clone(),
            None => Assignee::Unit {
                id: UnitId::parse("sample").expect("a valid slug"),
                street: case.street.clone(),
                name: String::new(),
            },
        },
        duty: DutyTerms {
            code: String::new(),
            name: String::new(),
            response: crate::DeadlineSpec::hours(24),
            resolution: crate::DeadlineSpec::working_days(7),
        },
        note: None,
    };
    let samples = [
        CaseCommand::AnswerDirectly { answer: text() },
        CaseCommand::Dispatch(order()),
        CaseCommand::Accept,
        CaseCommand::RequestReturn { reason: text() },
        CaseCommand::ApproveReturn { note: None, redispatch: None },
        CaseCommand::RejectReturn { reason: text() },
        CaseCommand::Contact { method: ContactMethod::Phone, note: None },
        CaseCommand::RequestExtension { days: 1, reason: text() },
        CaseCommand::GrantExtension { note: None },
        CaseCommand::DenyExtension { reason: text() },
        CaseCommand::Resolve { result: text() },
        CaseCommand::Verify { note: None },
        CaseCommand::SendBack { reason: text() },
        CaseCommand::RecordCallback {
            contacted: true,
            solved: true,
            satisfaction: Satisfaction::Satisfied,
            note: None,
        },
        CaseCommand::Close { note: None },
        CaseCommand::Reopen { reason: text() },
        CaseCommand::Terminate { reason: text() },
        CaseCommand::Merge { into: CaseId(Uuid::nil()), into_number: String::new() },
        CaseCommand::AddNote { text: text() },
        CaseCommand::AddAttachment(AttachmentMeta {
            name: text(),
            content_type: "image/jpeg".into(),
            size: 1,
            sha256: None,
        }),
        CaseCommand::RevealContact { reason: text() },
    ];
    samples.iter().filter(|c| decide(Some(case), c, actor, env).is_ok()).map(CaseCommand::action).collect()
}
