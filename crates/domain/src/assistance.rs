//! Hardship assistance requests (民生保障): a household's need, raised by its liaison (or the
//! street), reviewed and decided by the street's livelihood office, and delivered. An
//! event-sourced decider like the case and the whistle: `decide` and `evolve`, with a decision
//! clock from submission and a delivery clock from approval.

use crate::actor::{Actor, ActorRef, Role, Scope};
use crate::calendar::WorkCalendar;
use crate::case::Visibility;
use crate::deadline::DeadlineSpec;
use crate::field::{optional_text, required_text, FieldError};
use crate::org::{CommunityCode, DistrictCode, StreetCode, UnitId};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AssistanceId(pub Uuid);

impl AssistanceId {
    pub fn parse(s: &str) -> Option<AssistanceId> {
        Uuid::parse_str(s).ok().map(AssistanceId)
    }
}

impl fmt::Display for AssistanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What kind of help is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssistanceKind {
    AssistiveDevice,
    TemporaryRelief,
    SubsistenceAllowance,
    MealAid,
    HomeCare,
    EmploymentAid,
}

impl AssistanceKind {
    pub const ALL: [AssistanceKind; 6] = [
        AssistanceKind::AssistiveDevice,
        AssistanceKind::TemporaryRelief,
        AssistanceKind::SubsistenceAllowance,
        AssistanceKind::MealAid,
        AssistanceKind::HomeCare,
        AssistanceKind::EmploymentAid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssistanceKind::AssistiveDevice => "assistive_device",
            AssistanceKind::TemporaryRelief => "temporary_relief",
            AssistanceKind::SubsistenceAllowance => "subsistence_allowance",
            AssistanceKind::MealAid => "meal_aid",
            AssistanceKind::HomeCare => "home_care",
            AssistanceKind::EmploymentAid => "employment_aid",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind's deadlines. Relief is urgent, so it is decided fastest; a subsistence allowance
    /// needs a means test, so its decision takes longest.
    pub fn policy(self) -> AssistancePolicy {
        let wd = DeadlineSpec::working_days;
        let (decision, delivery) = match self {
            AssistanceKind::AssistiveDevice => (wd(5), wd(10)),
            AssistanceKind::TemporaryRelief => (wd(3), wd(5)),
            AssistanceKind::SubsistenceAllowance => (wd(20), wd(10)),
            AssistanceKind::MealAid => (wd(5), wd(5)),
            AssistanceKind::HomeCare => (wd(5), wd(10)),
            AssistanceKind::EmploymentAid => (wd(5), wd(15)),
        };
        AssistancePolicy { decision, delivery }
    }
}

/// How long a kind of request may take: to decide (from submission) and to deliver (from approval).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AssistancePolicy {
    pub decision: DeadlineSpec,
    pub delivery: DeadlineSpec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssistanceStatus {
    Submitted,
    UnderReview,
    Approved,
    Rejected,
    Delivered,
    Withdrawn,
}

impl AssistanceStatus {
    pub const ALL: [AssistanceStatus; 6] = [
        AssistanceStatus::Submitted,
        AssistanceStatus::UnderReview,
        AssistanceStatus::Approved,
        AssistanceStatus::Rejected,
        AssistanceStatus::Delivered,
        AssistanceStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssistanceStatus::Submitted => "submitted",
            AssistanceStatus::UnderReview => "under_review",
            AssistanceStatus::Approved => "approved",
            AssistanceStatus::Rejected => "rejected",
            AssistanceStatus::Delivered => "delivered",
            AssistanceStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Something is still owed to the household: a decision or a delivery.
    pub fn is_open(self) -> bool {
        matches!(self, AssistanceStatus::Submitted | AssistanceStatus::UnderReview | AssistanceStatus::Approved)
    }
}

/// Which clock of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssistanceClock {
    Decision,
    Delivery,
}

impl AssistanceClock {
    pub fn as_str(self) -> &'static str {
        match self {
            AssistanceClock::Decision => "decision",
            AssistanceClock::Delivery => "delivery",
        }
    }
}

/// One deadline of a request: when it started and is due, when it warns, and which of its
/// alerts went out. Met when the step it times was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistanceDeadline {
    pub clock: AssistanceClock,
    pub start: Timestamp,
    pub due: Timestamp,
    pub warn_at: Timestamp,
    pub warned: bool,
    pub overdue: bool,
    pub met_at: Option<Timestamp>,
}

impl AssistanceDeadline {
    fn starting(clock: AssistanceClock, spec: DeadlineSpec, start: Timestamp, calendar: &WorkCalendar) -> Self {
        let due = spec.due_from(start, calendar);
        let warn_at = spec.warning_at(start, due, calendar);
        AssistanceDeadline { clock, start, due, warn_at, warned: false, overdue: false, met_at: None }
    }

    /// Met at or after the due instant — the due instant itself is already late, so `late` and
    /// the ticker's overdue agree (as for cases and whistles).
    pub fn late(&self) -> bool {
        self.met_at.is_some_and(|m| m >= self.due)
    }

    /// The next instant the ticker must look at this deadline, if any.
    pub fn next_alert(&self) -> Option<Timestamp> {
        if self.met_at.is_some() || self.overdue {
            None
        } else if !self.warned {
            Some(self.warn_at)
        } else {
            Some(self.due)
        }
    }
}

/// A request as submitted, placed by the caller (which also resolves the owning unit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAssistance {
    pub id: AssistanceId,
    pub district: DistrictCode,
    pub street: StreetCode,
    pub community: CommunityCode,
    /// The household it is for.
    pub household: Option<String>,
    /// The liaison visit it was raised on.
    pub visit: Option<String>,
    pub kind: AssistanceKind,
    pub description: String,
    /// What is asked for, e.g. a walking frame.
    pub requested: Option<String>,
    /// The street's livelihood office (民生保障办公室) that owns the flow.
    pub unit: UnitId,
    pub unit_name: String,
}

// Commands live briefly on the stack; boxing `Submit` would only make callers noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum AssistanceCommand {
    Submit(NewAssistance),
    StartReview {
        note: Option<String>,
    },
    Approve {
        note: Option<String>,
    },
    Reject {
        reason: String,
    },
    /// `note`: what was delivered.
    Deliver {
        note: String,
    },
    Withdraw {
        reason: String,
    },
    AddNote {
        text: String,
    },
    Tick,
}

/// Command names as they appear in URLs and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssistanceAction {
    Submit,
    StartReview,
    Approve,
    Reject,
    Deliver,
    Withdraw,
    AddNote,
    Tick,
}

impl AssistanceAction {
    pub const ALL: [AssistanceAction; 8] = [
        AssistanceAction::Submit,
        AssistanceAction::StartReview,
        AssistanceAction::Approve,
        AssistanceAction::Reject,
        AssistanceAction::Deliver,
        AssistanceAction::Withdraw,
        AssistanceAction::AddNote,
        AssistanceAction::Tick,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssistanceAction::Submit => "submit",
            AssistanceAction::StartReview => "start-review",
            AssistanceAction::Approve => "approve",
            AssistanceAction::Reject => "reject",
            AssistanceAction::Deliver => "deliver",
            AssistanceAction::Withdraw => "withdraw",
            AssistanceAction::AddNote => "add-note",
            AssistanceAction::Tick => "tick",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for AssistanceAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AssistanceCommand {
    pub fn action(&self) -> AssistanceAction {
        match self {
            AssistanceCommand::Submit(_) => AssistanceAction::Submit,
            AssistanceCommand::StartReview { .. } => AssistanceAction::StartReview,
            AssistanceCommand::Approve { .. } => AssistanceAction::Approve,
            AssistanceCommand::Reject { .. } => AssistanceAction::Reject,
            AssistanceCommand::Deliver { .. } => AssistanceAction::Deliver,
            AssistanceCommand::Withdraw { .. } => AssistanceAction::Withdraw,
            AssistanceCommand::AddNote { .. } => AssistanceAction::AddNote,
            AssistanceCommand::Tick => AssistanceAction::Tick,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AssistanceEventData {
    /// The cleaned request and its decision clock, computed when it was submitted so a later
    /// policy or calendar change does not move it on replay.
    Submitted {
        request: Box<NewAssistance>,
        decision: AssistanceDeadline,
    },
    ReviewStarted {
        note: Option<String>,
    },
    /// Meets the decision clock; `delivery` is the delivery clock starting now.
    Approved {
        note: Option<String>,
        delivery: AssistanceDeadline,
    },
    Rejected {
        reason: String,
    },
    Delivered {
        note: String,
    },
    Withdrawn {
        reason: String,
    },
    NoteAdded {
        text: String,
    },
    Warned {
        clock: AssistanceClock,
    },
    Overdue {
        clock: AssistanceClock,
    },
}

impl AssistanceEventData {
    pub fn type_name(&self) -> &'static str {
        match self {
            AssistanceEventData::Submitted { .. } => "submitted",
            AssistanceEventData::ReviewStarted { .. } => "review_started",
            AssistanceEventData::Approved { .. } => "approved",
            AssistanceEventData::Rejected { .. } => "rejected",
            AssistanceEventData::Delivered { .. } => "delivered",
            AssistanceEventData::Withdrawn { .. } => "withdrawn",
            AssistanceEventData::NoteAdded { .. } => "note_added",
            AssistanceEventData::Warned { .. } => "warned",
            AssistanceEventData::Overdue { .. } => "overdue",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssistanceEvent {
    pub at: Timestamp,
    pub by: ActorRef,
    #[serde(flatten)]
    pub data: AssistanceEventData,
}

/// The state of one request: only ever the fold of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssistanceRequest {
    pub id: AssistanceId,
    pub district: DistrictCode,
    pub street: StreetCode,
    pub community: CommunityCode,
    pub household: Option<String>,
    pub visit: Option<String>,
    pub kind: AssistanceKind,
    pub description: String,
    pub requested: Option<String>,
    pub unit: UnitId,
    pub unit_name: String,
    pub status: AssistanceStatus,
    pub submitted_by: ActorRef,
    pub submitted_at: Timestamp,
    pub reviewed_at: Option<Timestamp>,
    pub decided_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub decision: AssistanceDeadline,
    pub delivery: Option<AssistanceDeadline>,
    pub review_note: Option<String>,
    pub approval_note: Option<String>,
    pub rejection_reason: Option<String>,
    pub delivery_note: Option<String>,
    pub withdraw_reason: Option<String>,
    pub notes: u32,
    pub version: u64,
    pub updated_at: Timestamp,
}

impl AssistanceRequest {
    /// The clocks that run now: the decision clock until a decision (or withdrawal), the delivery
    /// clock from approval until delivery. An ended request has none.
    fn running(&self) -> impl Iterator<Item = &AssistanceDeadline> {
        use AssistanceStatus as S;
        let decision = matches!(self.status, S::Submitted | S::UnderReview).then_some(&self.decision);
        let delivery = if self.status == S::Approved { self.delivery.as_ref() } else { None };
        decision.into_iter().chain(delivery).filter(|d| d.met_at.is_none())
    }

    fn clock_mut(&mut self, clock: AssistanceClock) -> Option<&mut AssistanceDeadline> {
        match clock {
            AssistanceClock::Decision => Some(&mut self.decision),
            AssistanceClock::Delivery => self.delivery.as_mut(),
        }
    }

    /// When the ticker must next look at this request.
    pub fn next_alert_at(&self) -> Option<Timestamp> {
        self.running().filter_map(AssistanceDeadline::next_alert).min()
    }

    /// A running clock is past due (and reported so).
    pub fn is_overdue(&self) -> bool {
        self.running().any(|d| d.overdue)
    }

    /// Who may read the request by assignment: the owning unit.
    pub fn principals(&self) -> Vec<String> {
        vec![format!("unit:{}", self.unit)]
    }
}

/// Whether the actor may see the request at all.
pub fn can_see(actor: &Actor, r: &AssistanceRequest) -> bool {
    if actor.district != r.district {
        return false;
    }
    match Visibility::of(actor) {
        Visibility::District(d) => d == r.district,
        Visibility::Street(s) => s == r.street,
        Visibility::Communities(cs) => cs.contains(&r.community),
        Visibility::Principal(p) => r.principals().contains(&p),
        Visibility::Reporter(_) | Visibility::Nothing => false,
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssistanceError {
    /// Absent, or outside the actor's scope: the two are indistinguishable on purpose.
    #[error("assistance request not found")]
    NotFound,
    #[error("an assistance request with this id already exists")]
    AlreadyExists,
    #[error("a {role:?} may not {action}")]
    RoleNotPermitted { action: AssistanceAction, role: Role },
    #[error("cannot {action} while the request is {status:?}")]
    InvalidState { action: AssistanceAction, status: AssistanceStatus },
    #[error(transparent)]
    Field(#[from] FieldError),
}

impl AssistanceError {
    /// Stable snake_case code clients key on.
    pub fn code(&self) -> &'static str {
        match self {
            AssistanceError::NotFound => "assistance_not_found",
            AssistanceError::AlreadyExists => "assistance_exists",
            AssistanceError::RoleNotPermitted { .. } => "role_not_permitted",
            AssistanceError::InvalidState { .. } => "assistance_invalid_state",
            AssistanceError::Field(f) => f.code(),
        }
    }
}

/// What `decide` needs besides the state.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub now: Timestamp,
    pub calendar: &'a WorkCalendar,
}

/// Who may raise a request for this community: its liaison, the street's dispatchers and
/// leaders, the owning unit's staff, or the district supervisor.
fn may_submit(actor: &Actor, new: &NewAssistance) -> bool {
    actor.district == new.district
        && match (actor.role, &actor.scope) {
            (Role::Liaison, scope) => scope.covers(Some(&new.community)),
            (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => *code == new.street,
            // A unit scope carries its street: the unit must be this street's.
            (Role::UnitStaff, Scope::Unit { id, street }) => *id == new.unit && *street == new.street,
            (Role::DistrictSupervisor, Scope::District { code }) => *code == new.district,
            _ => false,
        }
}

/// Who reviews, decides and delivers: the owning unit's staff, the street leader, the district.
fn handles(actor: &Actor, r: &AssistanceRequest) -> bool {
    match (actor.role, &actor.scope) {
        (Role::UnitStaff, Scope::Unit { id, .. }) => *id == r.unit,
        (Role::StreetLeader, Scope::Street { code }) => *code == r.street,
        (Role::DistrictSupervisor, Scope::District { code }) => *code == r.district,
        _ => false,
    }
}

/// Who may take a request back: whoever submitted it, or the street leader.
fn may_withdraw(actor: &Actor, r: &AssistanceRequest) -> bool {
    actor.user_id == r.submitted_by.user_id
        || matches!((actor.role, &actor.scope), (Role::StreetLeader, Scope::Street { code }) if *code == r.street)
}

/// Checks a new request's own fields; answers it cleaned.
fn checked(new: &NewAssistance) -> Result<NewAssistance, AssistanceError> {
    let mut n = new.clone();
    if n.street.district() != n.district {
        return Err(FieldError::unknown("street_code").into());
    }
    if n.community.street() != n.street {
        return Err(FieldError::unknown("community_code").into());
    }
    n.household = optional_text("household", n.household.as_deref(), 64)?;
    n.visit = optional_text("visit", n.visit.as_deref(), 64)?;
    n.description = required_text("description", &n.description, 2000)?;
    n.requested = optional_text("requested", n.requested.as_deref(), 200)?;
    n.unit_name = required_text("unit_name", &n.unit_name, 200)?;
    Ok(n)
}

/// The warnings and overdue reports due now on the running clocks, each once: a warning before
/// the overdue when one tick finds both due.
fn alerts(r: &AssistanceRequest, now: Timestamp) -> Vec<AssistanceEventData> {
    let mut events = vec![];
    for d in r.running().filter(|d| !d.overdue) {
        if !d.warned && now >= d.warn_at {
            events.push(AssistanceEventData::Warned { clock: d.clock });
        }
        if now >= d.due {
            events.push(AssistanceEventData::Overdue { clock: d.clock });
        }
    }
    events
}

/// Decides what a command causes: the events to append, or why not.
pub fn decide(
    state: Option<&AssistanceRequest>,
    command: &AssistanceCommand,
    actor: &Actor,
    env: &Env,
) -> Result<Vec<AssistanceEvent>, AssistanceError> {
    use AssistanceCommand as C;
    use AssistanceEventData as E;
    use AssistanceStatus as S;
    let action = command.action();
    let denied = || AssistanceError::RoleNotPermitted { action, role: actor.role };
    let stamp = |data: Vec<AssistanceEventData>| -> Vec<AssistanceEvent> {
        data.into_iter().map(|data| AssistanceEvent { at: env.now, by: actor.as_ref(), data }).collect()
    };
    let r = match (state, command) {
        (None, C::Submit(new)) => {
            if !may_submit(actor, new) {
                return Err(denied());
            }
            let request = checked(new)?;
            let decision = AssistanceDeadline::starting(
                AssistanceClock::Decision,
                request.kind.policy().decision,
                env.now,
                env.calendar,
            );
            return Ok(stamp(vec![E::Submitted { request: Box::new(request), decision }]));
        }
        (Some(_), C::Submit(_)) => return Err(AssistanceError::AlreadyExists),
        (None, _) => return Err(AssistanceError::NotFound),
        (Some(r), _) => r,
    };
    if !can_see(actor, r) {
        return Err(AssistanceError::NotFound);
    }
    let require = |allowed: &[AssistanceStatus]| {
        if allowed.contains(&r.status) {
            Ok(())
        } else {
            Err(AssistanceError::InvalidState { action, status: r.status })
        }
    };
    let handler = || if handles(actor, r) { Ok(()) } else { Err(denied()) };
    let events = match command {
        C::Submit(_) => unreachable!("handled above"),
        C::StartReview { note } => {
            handler()?;
            require(&[S::Submitted])?;
            vec![E::ReviewStarted { note: optional_text("note", note.as_deref(), 1000)? }]
        }
        C::Approve { note } => {
            handler()?;
            require(&[S::UnderReview])?;
            let note = optional_text("note", note.as_deref(), 1000)?;
            let delivery = AssistanceDeadline::starting(
                AssistanceClock::Delivery,
                r.kind.policy().delivery,
                env.now,
                env.calendar,
            );
            vec![E::Approved { note, delivery }]
        }
        C::Reject { reason } => {
            handler()?;
            require(&[S::UnderReview])?;
            vec![E::Rejected { reason: required_text("reason", reason, 1000)? }]
        }
        C::Deliver { note } => {
            handler()?;
            require(&[S::Approved])?;
            vec![E::Delivered { note: required_text("note", note, 1000)? }]
        }
        C::Withdraw { reason } => {
            if !may_withdraw(actor, r) {
                return Err(denied());
            }
            require(&[S::Submitted, S::UnderReview])?;
            vec![E::Withdrawn { reason: required_text("reason", reason, 1000)? }]
        }
        C::AddNote { text } => {
            // Inspectors read; the system only ticks.
            if matches!(actor.role, Role::Inspector | Role::System) {
                return Err(denied());
            }
            vec![E::NoteAdded { text: required_text("text", text, 1000)? }]
        }
        C::Tick => {
            if actor.role != Role::System {
                return Err(denied());
            }
            alerts(r, env.now)
        }
    };
    Ok(stamp(events))
}

fn created(new: &NewAssistance, decision: &AssistanceDeadline, event: &AssistanceEvent) -> AssistanceRequest {
    AssistanceRequest {
        id: new.id,
        district: new.district.clone(),
        street: new.street.clone(),
        community: new.community.clone(),
        household: new.household.clone(),
        visit: new.visit.clone(),
        kind: new.kind,
        description: new.description.clone(),
        requested: new.requested.clone(),
        unit: new.unit.clone(),
        unit_name: new.unit_name.clone(),
        status: AssistanceStatus::Submitted,
        submitted_by: event.by.clone(),
        submitted_at: event.at,
        reviewed_at: None,
        decided_at: None,
        delivered_at: None,
        decision: decision.clone(),
        delivery: None,
        review_note: None,
        approval_note: None,
        rejection_reason: None,
        delivery_note: None,
        withdraw_reason: None,
        notes: 0,
        version: 1,
        updated_at: event.at,
    }
}

/// Folds one event into the state.
pub fn evolve(state: Option<AssistanceRequest>, event: &AssistanceEvent) -> Option<AssistanceRequest> {
    use AssistanceEventData as E;
    use AssistanceStatus as S;
    let at = event.at;
    let mut r = match (state, &event.data) {
        (None, E::Submitted { request, decision }) => return Some(created(request, decision, event)),
        (None, _) => return None,
        (Some(r), _) => r,
    };
    r.version += 1;
    r.updated_at = at;
    match &event.data {
        E::Submitted { .. } => {}
        E::ReviewStarted { note } => {
            r.status = S::UnderReview;
            r.reviewed_at = Some(at);
            r.review_note = note.clone();
        }
        E::Approved { note, delivery } => {
            r.status = S::Approved;
            r.decided_at = Some(at);
            r.approval_note = note.clone();
            r.decision.met_at.get_or_insert(at);
            r.delivery = Some(delivery.clone());
        }
        E::Rejected { reason } => {
            r.status = S::Rejected;
            r.decided_at = Some(at);
            r.rejection_reason = Some(reason.clone());
            r.decision.met_at.get_or_insert(at);
        }
        E::Delivered { note } => {
            r.status = S::Delivered;
            r.delivered_at = Some(at);
            r.delivery_note = Some(note.clone());
            if let Some(d) = r.delivery.as_mut() {
                d.met_at.get_or_insert(at);
            }
        }
        E::Withdrawn { reason } => {
            // The decision clock is not met, only stopped: `running` no longer counts it.
            r.status = S::Withdrawn;
            r.withdraw_reason = Some(reason.clone());
        }
        E::NoteAdded { .. } => r.notes += 1,
        E::Warned { clock } => {
            if let Some(d) = r.clock_mut(*clock) {
                d.warned = true;
            }
        }
        E::Overdue { clock } => {
            if let Some(d) = r.clock_mut(*clock) {
                d.overdue = true;
            }
        }
    }
    Some(r)
}

pub fn fold<'a>(events: impl IntoIterator<Item = &'a AssistanceEvent>) -> Option<AssistanceRequest> {
    events.into_iter().fold(None, evolve)
}

/// What this actor may do now — each candidate put to `decide` with well-formed sample
/// arguments. Submit (the request exists) and Tick (background work) are never offered.
pub fn allowed_actions(r: &AssistanceRequest, actor: &Actor, env: &Env) -> Vec<AssistanceAction> {
    let text = || "—".to_string();
    [
        AssistanceCommand::StartReview { note: None },
        AssistanceCommand::Approve { note: None },
        AssistanceCommand::Reject { reason: text() },
        AssistanceCommand::Deliver { note: text() },
        AssistanceCommand::Withdraw { reason: text() },
        AssistanceCommand::AddNote { text: text() },
    ]
    .into_iter()
    .filter(|c| decide(Some(r), c, actor, env).is_ok())
    .map(|c| c.action())
    .collect()
}
