//! The whistle (吹哨): a street's summons of departments to a problem it cannot solve alone, the
//! departments reporting in (报到) and acting until it is done, and the street's rating of each
//! (一哨一评). An event-sourced decider like the case: `decide` and `evolve`.

use crate::actor::{Actor, ActorRef, Role, Scope};
use crate::calendar::WorkCalendar;
use crate::case::{AttachmentMeta, GeoPoint, Satisfaction, Visibility};
use crate::deadline::DeadlineSpec;
use crate::field::{optional_text, required_text, FieldError, FieldRule};
use crate::org::{CommunityCode, DepartmentId, DistrictCode, StreetCode};
use crate::{CaseId, Timestamp};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WhistleId(pub Uuid);

impl WhistleId {
    pub fn parse(s: &str) -> Option<WhistleId> {
        Uuid::parse_str(s).ok().map(WhistleId)
    }
}

impl fmt::Display for WhistleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Who blows: a community (requested, approved by the street), the street, or the district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhistleLevel {
    Community,
    Street,
    District,
}

impl WhistleLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            WhistleLevel::Community => "community",
            WhistleLevel::Street => "street",
            WhistleLevel::District => "district",
        }
    }
}

/// A kind of whistle and its deadlines, in force from a date: one row of the policy table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhistlePolicy {
    /// Stable key: `emergency`, `enforcement`, `coordination`, or one an admin adds.
    pub kind: String,
    pub version: u32,
    pub name: String,
    pub sign: DeadlineSpec,
    pub report_in: DeadlineSpec,
    /// `None`: act at once, no separate completion deadline.
    pub complete: Option<DeadlineSpec>,
    pub effective_from: NaiveDate,
}

/// The defaults: 应急 (sign 15 min, report in 30 min, act at once), 执法 (1 h, 24 h, 5 working
/// days), 协调 (1 h, 3 working days, plan in 10 working days).
pub fn default_policies() -> Vec<WhistlePolicy> {
    let from = NaiveDate::from_ymd_opt(2018, 1, 1).expect("valid date");
    vec![
        WhistlePolicy {
            kind: "emergency".into(),
            version: 1,
            name: "应急".into(),
            sign: DeadlineSpec::minutes(15),
            report_in: DeadlineSpec::minutes(30),
            complete: None,
            effective_from: from,
        },
        WhistlePolicy {
            kind: "enforcement".into(),
            version: 1,
            name: "执法".into(),
            sign: DeadlineSpec::hours(1),
            report_in: DeadlineSpec::hours(24),
            complete: Some(DeadlineSpec::working_days(5)),
            effective_from: from,
        },
        WhistlePolicy {
            kind: "coordination".into(),
            version: 1,
            name: "协调".into(),
            sign: DeadlineSpec::hours(1),
            report_in: DeadlineSpec::working_days(3),
            complete: Some(DeadlineSpec::working_days(10)),
            effective_from: from,
        },
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhistleStatus {
    /// A community asked; the street has not decided.
    Requested,
    Rejected,
    Active,
    Concluded,
}

impl WhistleStatus {
    pub const ALL: [WhistleStatus; 4] =
        [WhistleStatus::Requested, WhistleStatus::Rejected, WhistleStatus::Active, WhistleStatus::Concluded];
    pub fn as_str(self) -> &'static str {
        match self {
            WhistleStatus::Requested => "requested",
            WhistleStatus::Rejected => "rejected",
            WhistleStatus::Active => "active",
            WhistleStatus::Concluded => "concluded",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Where one summoned department stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummonsStatus {
    Summoned,
    Signed,
    ReportedIn,
    Acting,
    Done,
    Declined,
    /// The street accepted the decline.
    Excused,
    /// The street sent the decline to the district supervisor.
    Escalated,
}

impl SummonsStatus {
    pub const ALL: [SummonsStatus; 8] = [
        SummonsStatus::Summoned,
        SummonsStatus::Signed,
        SummonsStatus::ReportedIn,
        SummonsStatus::Acting,
        SummonsStatus::Done,
        SummonsStatus::Declined,
        SummonsStatus::Excused,
        SummonsStatus::Escalated,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SummonsStatus::Summoned => "summoned",
            SummonsStatus::Signed => "signed",
            SummonsStatus::ReportedIn => "reported_in",
            SummonsStatus::Acting => "acting",
            SummonsStatus::Done => "done",
            SummonsStatus::Declined => "declined",
            SummonsStatus::Excused => "excused",
            SummonsStatus::Escalated => "escalated",
        }
    }
    /// Done or excused: nothing more is owed.
    pub fn is_settled(self) -> bool {
        matches!(self, SummonsStatus::Done | SummonsStatus::Excused)
    }
    /// Its clocks run: the department owes the next step. A decline waits on the street (or
    /// the district), so its clocks stand still meanwhile.
    pub fn clocks_run(self) -> bool {
        matches!(
            self,
            SummonsStatus::Summoned | SummonsStatus::Signed | SummonsStatus::ReportedIn | SummonsStatus::Acting
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportMode {
    OnSite,
    Meeting,
}

impl ReportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportMode::OnSite => "on_site",
            ReportMode::Meeting => "meeting",
        }
    }
}

/// Which clock of a summons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummonsClock {
    Sign,
    ReportIn,
    Complete,
}

impl SummonsClock {
    pub fn as_str(self) -> &'static str {
        match self {
            SummonsClock::Sign => "sign",
            SummonsClock::ReportIn => "report_in",
            SummonsClock::Complete => "complete",
        }
    }
}

/// One deadline of a summons: due, met, and whether its overdue event was emitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub clock: SummonsClock,
    pub due: Timestamp,
    pub met_at: Option<Timestamp>,
    pub overdue: bool,
}

impl Clock {
    fn new(clock: SummonsClock, due: Timestamp) -> Self {
        Clock { clock, due, met_at: None, overdue: false }
    }
    /// Met at or after the due instant — as for cases, the due instant itself is already late,
    /// so `late` and the ticker's overdue agree.
    pub fn late(&self) -> bool {
        self.met_at.is_some_and(|m| m >= self.due)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportIn {
    /// Who came (names and posts, as the department gives them).
    pub who: String,
    pub mode: ReportMode,
    pub at: Timestamp,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub text: String,
    pub attachments: Vec<AttachmentMeta>,
    pub at: Timestamp,
}

/// The street's rating of a department for this whistle (一哨一评).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentRating {
    pub satisfaction: Satisfaction,
    pub comment: Option<String>,
    pub by: String,
    pub at: Timestamp,
}

/// One summoned department and its part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summons {
    pub department: DepartmentId,
    pub name: String,
    pub task: String,
    pub status: SummonsStatus,
    pub clocks: Vec<Clock>,
    pub signed_at: Option<Timestamp>,
    pub report: Option<ReportIn>,
    pub actions: Vec<ActionRecord>,
    pub finished_at: Option<Timestamp>,
    pub decline_reason: Option<String>,
    pub escalated: bool,
    pub rating: Option<DepartmentRating>,
}

impl Summons {
    pub fn clock(&self, which: SummonsClock) -> Option<&Clock> {
        self.clocks.iter().find(|c| c.clock == which)
    }
    fn clock_mut(&mut self, which: SummonsClock) -> Option<&mut Clock> {
        self.clocks.iter_mut().find(|c| c.clock == which)
    }
    fn meet(&mut self, which: SummonsClock, at: Timestamp) {
        if let Some(c) = self.clock_mut(which) {
            c.met_at.get_or_insert(at);
        }
    }
}

/// The department a whistle summons, with its task, as ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummonsOrder {
    pub department: DepartmentId,
    pub name: String,
    pub task: String,
}

/// The case a whistle was blown from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRef {
    pub id: CaseId,
    pub number: String,
}

/// A whistle as blown or requested, parsed and placed by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewWhistle {
    pub id: WhistleId,
    pub district: DistrictCode,
    pub street: StreetCode,
    pub community: Option<CommunityCode>,
    pub case: Option<CaseRef>,
    pub level: WhistleLevel,
    pub policy: WhistlePolicy,
    pub reason: String,
    pub address: Option<String>,
    pub location: Option<GeoPoint>,
    pub departments: Vec<SummonsOrder>,
}

/// The clocks every summoned department gets when the whistle is blown (or approved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dues {
    pub sign: Timestamp,
    pub report_in: Timestamp,
    pub complete: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WhistleEventData {
    Requested(Box<NewWhistle>),
    Blown { whistle: Box<NewWhistle>, dues: Dues },
    Approved { dues: Dues, note: Option<String> },
    Rejected { reason: String },
    Signed { department: DepartmentId },
    ReportedIn { department: DepartmentId, who: String, mode: ReportMode, note: Option<String> },
    ActionRecorded { department: DepartmentId, text: String, attachments: Vec<AttachmentMeta> },
    Finished { department: DepartmentId, note: Option<String> },
    Declined { department: DepartmentId, reason: String },
    Excused { department: DepartmentId, note: Option<String> },
    Escalated { department: DepartmentId, note: Option<String> },
    Overdue { department: DepartmentId, clock: SummonsClock, due: Timestamp, escalated_to: Vec<Role> },
    Concluded { summary: String },
    Rated { department: DepartmentId, satisfaction: Satisfaction, comment: Option<String> },
}

impl WhistleEventData {
    pub fn type_name(&self) -> &'static str {
        match self {
            WhistleEventData::Requested(_) => "requested",
            WhistleEventData::Blown { .. } => "blown",
            WhistleEventData::Approved { .. } => "approved",
            WhistleEventData::Rejected { .. } => "rejected",
            WhistleEventData::Signed { .. } => "signed",
            WhistleEventData::ReportedIn { .. } => "reported_in",
            WhistleEventData::ActionRecorded { .. } => "action_recorded",
            WhistleEventData::Finished { .. } => "finished",
            WhistleEventData::Declined { .. } => "declined",
            WhistleEventData::Excused { .. } => "excused",
            WhistleEventData::Escalated { .. } => "escalated",
            WhistleEventData::Overdue { .. } => "overdue",
            WhistleEventData::Concluded { .. } => "concluded",
            WhistleEventData::Rated { .. } => "rated",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhistleEvent {
    pub at: Timestamp,
    pub by: ActorRef,
    #[serde(flatten)]
    pub data: WhistleEventData,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WhistleCommand {
    /// A community liaison asks the street to blow.
    Request(Box<NewWhistle>),
    Blow(Box<NewWhistle>),
    Approve {
        note: Option<String>,
    },
    Reject {
        reason: String,
    },
    Sign {
        department: DepartmentId,
    },
    ReportIn {
        department: DepartmentId,
        who: String,
        mode: ReportMode,
        note: Option<String>,
    },
    RecordAction {
        department: DepartmentId,
        text: String,
        attachments: Vec<AttachmentMeta>,
    },
    Finish {
        department: DepartmentId,
        note: Option<String>,
    },
    Decline {
        department: DepartmentId,
        reason: String,
    },
    Excuse {
        department: DepartmentId,
        note: Option<String>,
    },
    Escalate {
        department: DepartmentId,
        note: Option<String>,
    },
    Conclude {
        summary: String,
    },
    Rate {
        department: DepartmentId,
        satisfaction: Satisfaction,
        comment: Option<String>,
    },
    Tick,
}

/// Command names as they appear in URLs and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WhistleAction {
    Request,
    Blow,
    Approve,
    Reject,
    Sign,
    ReportIn,
    RecordAction,
    Finish,
    Decline,
    Excuse,
    Escalate,
    Conclude,
    Rate,
    Tick,
}

impl WhistleAction {
    pub const ALL: [WhistleAction; 14] = [
        WhistleAction::Request,
        WhistleAction::Blow,
        WhistleAction::Approve,
        WhistleAction::Reject,
        WhistleAction::Sign,
        WhistleAction::ReportIn,
        WhistleAction::RecordAction,
        WhistleAction::Finish,
        WhistleAction::Decline,
        WhistleAction::Excuse,
        WhistleAction::Escalate,
        WhistleAction::Conclude,
        WhistleAction::Rate,
        WhistleAction::Tick,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            WhistleAction::Request => "request",
            WhistleAction::Blow => "blow",
            WhistleAction::Approve => "approve",
            WhistleAction::Reject => "reject",
            WhistleAction::Sign => "sign",
            WhistleAction::ReportIn => "report-in",
            WhistleAction::RecordAction => "record-action",
            WhistleAction::Finish => "finish",
            WhistleAction::Decline => "decline",
            WhistleAction::Excuse => "excuse",
            WhistleAction::Escalate => "escalate",
            WhistleAction::Conclude => "conclude",
            WhistleAction::Rate => "rate",
            WhistleAction::Tick => "tick",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
    /// Taken by a summoned department on its own part.
    pub fn is_department_action(self) -> bool {
        matches!(
            self,
            WhistleAction::Sign
                | WhistleAction::ReportIn
                | WhistleAction::RecordAction
                | WhistleAction::Finish
                | WhistleAction::Decline
        )
    }
}

impl fmt::Display for WhistleAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl WhistleCommand {
    pub fn action(&self) -> WhistleAction {
        match self {
            WhistleCommand::Request(_) => WhistleAction::Request,
            WhistleCommand::Blow(_) => WhistleAction::Blow,
            WhistleCommand::Approve { .. } => WhistleAction::Approve,
            WhistleCommand::Reject { .. } => WhistleAction::Reject,
            WhistleCommand::Sign { .. } => WhistleAction::Sign,
            WhistleCommand::ReportIn { .. } => WhistleAction::ReportIn,
            WhistleCommand::RecordAction { .. } => WhistleAction::RecordAction,
            WhistleCommand::Finish { .. } => WhistleAction::Finish,
            WhistleCommand::Decline { .. } => WhistleAction::Decline,
            WhistleCommand::Excuse { .. } => WhistleAction::Excuse,
            WhistleCommand::Escalate { .. } => WhistleAction::Escalate,
            WhistleCommand::Conclude { .. } => WhistleAction::Conclude,
            WhistleCommand::Rate { .. } => WhistleAction::Rate,
            WhistleCommand::Tick => WhistleAction::Tick,
        }
    }

    /// The department whose part the command is about, if any.
    pub fn department(&self) -> Option<&DepartmentId> {
        match self {
            WhistleCommand::Sign { department }
            | WhistleCommand::ReportIn { department, .. }
            | WhistleCommand::RecordAction { department, .. }
            | WhistleCommand::Finish { department, .. }
            | WhistleCommand::Decline { department, .. }
            | WhistleCommand::Excuse { department, .. }
            | WhistleCommand::Escalate { department, .. }
            | WhistleCommand::Rate { department, .. } => Some(department),
            _ => None,
        }
    }
}

/// The state of one whistle: only ever the fold of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Whistle {
    pub id: WhistleId,
    pub district: DistrictCode,
    pub street: StreetCode,
    pub community: Option<CommunityCode>,
    pub case: Option<CaseRef>,
    pub level: WhistleLevel,
    pub kind: String,
    pub kind_name: String,
    pub policy_version: u32,
    pub policy: WhistlePolicy,
    pub reason: String,
    pub address: Option<String>,
    pub location: Option<GeoPoint>,
    pub status: WhistleStatus,
    pub requested_by: Option<String>,
    pub blown_by: Option<String>,
    pub created_at: Timestamp,
    pub blown_at: Option<Timestamp>,
    pub summons: Vec<Summons>,
    pub rejection_reason: Option<String>,
    pub concluded_at: Option<Timestamp>,
    pub summary: Option<String>,
    pub version: u64,
    pub updated_at: Timestamp,
}

impl Whistle {
    pub fn summons_of(&self, department: &DepartmentId) -> Option<&Summons> {
        self.summons.iter().find(|s| &s.department == department)
    }

    fn summons_mut(&mut self, department: &DepartmentId) -> Option<&mut Summons> {
        self.summons.iter_mut().find(|s| &s.department == department)
    }

    /// Departments that still owe something.
    pub fn outstanding(&self) -> usize {
        self.summons.iter().filter(|s| !s.status.is_settled()).count()
    }

    /// When the ticker must next look at this whistle.
    pub fn next_alert_at(&self) -> Option<Timestamp> {
        if self.status != WhistleStatus::Active {
            return None;
        }
        self.summons
            .iter()
            .filter(|s| s.status.clocks_run())
            .flat_map(|s| s.clocks.iter())
            .filter(|c| c.met_at.is_none() && !c.overdue)
            .map(|c| c.due)
            .min()
    }

    pub fn is_overdue(&self) -> bool {
        self.status == WhistleStatus::Active
            && self
                .summons
                .iter()
                .any(|s| s.status.clocks_run() && s.clocks.iter().any(|c| c.overdue && c.met_at.is_none()))
    }

    /// What went up to the district: overdue clocks and escalated declines, ever.
    pub fn escalations(&self) -> usize {
        self.summons.iter().map(|s| s.clocks.iter().filter(|c| c.overdue).count() + usize::from(s.escalated)).sum()
    }

    /// Who may read the whistle by being summoned: `dept:<id>` — once it is blown; a request the
    /// street has not approved summons nobody yet.
    pub fn principals(&self) -> Vec<String> {
        if matches!(self.status, WhistleStatus::Requested | WhistleStatus::Rejected) {
            return vec![];
        }
        self.summons.iter().map(|s| format!("dept:{}", s.department)).collect()
    }
}

/// Whether the actor may see the whistle at all.
pub fn can_see(actor: &Actor, w: &Whistle) -> bool {
    if actor.district != w.district {
        return false;
    }
    match Visibility::of(actor) {
        Visibility::District(d) => d == w.district,
        Visibility::Street(s) => s == w.street,
        Visibility::Communities(cs) => w.community.as_ref().is_some_and(|c| cs.contains(c)),
        Visibility::Principal(p) => w.principals().contains(&p),
        Visibility::Reporter(_) | Visibility::Nothing => false,
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WhistleError {
    /// Absent, outside the actor's scope, or a department that was not summoned.
    #[error("whistle not found")]
    NotFound,
    #[error("a whistle with this id already exists")]
    AlreadyExists,
    #[error("a {role:?} may not {action}")]
    RoleNotPermitted { action: WhistleAction, role: Role },
    #[error("cannot {action} while the whistle is {status:?}")]
    InvalidState { action: WhistleAction, status: WhistleStatus },
    #[error("cannot {action} while the department is {status:?}")]
    SummonsState { action: WhistleAction, status: SummonsStatus },
    #[error("{count} summoned departments are not done or excused")]
    DepartmentsOutstanding { count: usize },
    #[error("the department is already rated")]
    AlreadyRated,
    #[error(transparent)]
    Field(#[from] FieldError),
}

impl WhistleError {
    pub fn code(&self) -> &'static str {
        match self {
            WhistleError::NotFound => "whistle_not_found",
            WhistleError::AlreadyExists => "whistle_exists",
            WhistleError::RoleNotPermitted { .. } => "role_not_permitted",
            WhistleError::InvalidState { .. } => "whistle_invalid_state",
            WhistleError::SummonsState { .. } => "summons_invalid_state",
            WhistleError::DepartmentsOutstanding { .. } => "departments_outstanding",
            WhistleError::AlreadyRated => "already_rated",
            WhistleError::Field(f) => f.code(),
        }
    }
}

/// What `decide` needs besides the state.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub now: Timestamp,
    pub calendar: &'a WorkCalendar,
}

fn leads(actor: &Actor, district: &DistrictCode, street: &StreetCode) -> bool {
    match (actor.role, &actor.scope) {
        (Role::StreetLeader, Scope::Street { code }) => code == street,
        (Role::DistrictSupervisor, Scope::District { code }) => code == district,
        _ => false,
    }
}

fn staff_of(actor: &Actor, department: &DepartmentId) -> bool {
    matches!((actor.role, &actor.scope), (Role::DepartmentStaff, Scope::Department { id }) if id == department)
}

fn dues(policy: &WhistlePolicy, env: &Env) -> Dues {
    Dues {
        sign: policy.sign.due_from(env.now, env.calendar),
        report_in: policy.report_in.due_from(env.now, env.calendar),
        complete: policy.complete.map(|c| c.due_from(env.now, env.calendar)),
    }
}

/// Checks a new whistle's own fields; answers it cleaned.
fn checked(new: &NewWhistle) -> Result<NewWhistle, WhistleError> {
    let mut w = new.clone();
    if w.street.district() != w.district {
        return Err(FieldError::unknown("street_code").into());
    }
    if w.community.as_ref().is_some_and(|c| c.street() != w.street) {
        return Err(FieldError::unknown("community_code").into());
    }
    if w.level == WhistleLevel::Community && w.community.is_none() {
        return Err(FieldError::required("community_code").into());
    }
    w.reason = required_text("reason", &w.reason, 2000)?;
    w.address = optional_text("address", w.address.as_deref(), 200)?;
    if w.departments.is_empty() || w.departments.len() > 20 {
        return Err(FieldError::new("departments", FieldRule::OutOfRange { min: 1, max: 20 }).into());
    }
    for (i, d) in w.departments.iter_mut().enumerate() {
        d.task = required_text(&format!("departments[{i}].task"), &d.task, 500)?;
    }
    let mut ids: Vec<&DepartmentId> = w.departments.iter().map(|d| &d.department).collect();
    ids.sort();
    if ids.windows(2).any(|p| p[0] == p[1]) {
        return Err(FieldError::malformed("departments", "unique_departments").into());
    }
    Ok(w)
}

/// Decides what a command causes: the events to append, or why not.
pub fn decide(
    state: Option<&Whistle>,
    command: &WhistleCommand,
    actor: &Actor,
    env: &Env,
) -> Result<Vec<WhistleEvent>, WhistleError> {
    use WhistleCommand as C;
    use WhistleEventData as E;
    use WhistleStatus as W;
    let action = command.action();
    let denied = || WhistleError::RoleNotPermitted { action, role: actor.role };
    let stamp = |data: Vec<WhistleEventData>| -> Vec<WhistleEvent> {
        data.into_iter().map(|data| WhistleEvent { at: env.now, by: actor.as_ref(), data }).collect()
    };
    let w = match (state, command) {
        (None, C::Request(new)) => {
            let ok = actor.district == new.district
                && new.level == WhistleLevel::Community
                && actor.role == Role::Liaison
                && actor.scope.covers(new.community.as_ref());
            if !ok {
                return Err(denied());
            }
            return Ok(stamp(vec![E::Requested(Box::new(checked(new)?))]));
        }
        (None, C::Blow(new)) => {
            let by_street = matches!(new.level, WhistleLevel::Community | WhistleLevel::Street)
                && matches!((&actor.role, &actor.scope), (Role::StreetLeader, Scope::Street { code }) if *code == new.street);
            let by_district = matches!((&actor.role, &actor.scope), (Role::DistrictSupervisor, Scope::District { code }) if *code == new.district);
            if actor.district != new.district || !(by_street || by_district) {
                return Err(denied());
            }
            let whistle = checked(new)?;
            let dues = dues(&whistle.policy, env);
            return Ok(stamp(vec![E::Blown { whistle: Box::new(whistle), dues }]));
        }
        (Some(_), C::Request(_) | C::Blow(_)) => return Err(WhistleError::AlreadyExists),
        (None, _) => return Err(WhistleError::NotFound),
        (Some(w), _) => w,
    };
    if !can_see(actor, w) {
        return Err(WhistleError::NotFound);
    }
    let require = |allowed: &[WhistleStatus]| {
        if allowed.contains(&w.status) {
            Ok(())
        } else {
            Err(WhistleError::InvalidState { action, status: w.status })
        }
    };
    // A department's own part: only its staff, and only if it was summoned (else 404).
    let part = |department: &DepartmentId, allowed: &[SummonsStatus]| -> Result<(), WhistleError> {
        let s = w.summons_of(department).ok_or(WhistleError::NotFound)?;
        if action.is_department_action() && !staff_of(actor, department) {
            return Err(if actor.role == Role::DepartmentStaff { WhistleError::NotFound } else { denied() });
        }
        if !action.is_department_action() && !leads(actor, &w.district, &w.street) {
            return Err(denied());
        }
        require(&[W::Active])?;
        if allowed.contains(&s.status) {
            Ok(())
        } else {
            Err(WhistleError::SummonsState { action, status: s.status })
        }
    };
    let events = match command {
        C::Request(_) | C::Blow(_) => unreachable!("handled above"),
        C::Approve { note } => {
            if !leads(actor, &w.district, &w.street) {
                return Err(denied());
            }
            require(&[W::Requested])?;
            vec![E::Approved { dues: dues(&w.policy, env), note: optional_text("note", note.as_deref(), 1000)? }]
        }
        C::Reject { reason } => {
            if !leads(actor, &w.district, &w.street) {
                return Err(denied());
            }
            require(&[W::Requested])?;
            vec![E::Rejected { reason: required_text("reason", reason, 1000)? }]
        }
        C::Sign { department } => {
            part(department, &[SummonsStatus::Summoned, SummonsStatus::Escalated])?;
            let mut events = late_part(w, department, SummonsClock::Sign, env.now);
            events.push(E::Signed { department: department.clone() });
            events
        }
        C::ReportIn { department, who, mode, note } => {
            part(department, &[SummonsStatus::Signed])?;
            let reported = E::ReportedIn {
                department: department.clone(),
                who: required_text("who", who, 200)?,
                mode: *mode,
                note: optional_text("note", note.as_deref(), 1000)?,
            };
            let mut events = late_part(w, department, SummonsClock::ReportIn, env.now);
            events.push(reported);
            events
        }
        C::RecordAction { department, text, attachments } => {
            part(department, &[SummonsStatus::ReportedIn, SummonsStatus::Acting])?;
            let attachments = attachments
                .iter()
                .map(|m| AttachmentMeta::parse(&m.name, &m.content_type, m.size, m.sha256.as_deref()))
                .collect::<Result<Vec<_>, _>>()?;
            vec![E::ActionRecorded {
                department: department.clone(),
                text: required_text("text", text, 2000)?,
                attachments,
            }]
        }
        C::Finish { department, note } => {
            part(department, &[SummonsStatus::ReportedIn, SummonsStatus::Acting])?;
            let finished =
                E::Finished { department: department.clone(), note: optional_text("note", note.as_deref(), 1000)? };
            let mut events = late_part(w, department, SummonsClock::Complete, env.now);
            events.push(finished);
            events
        }
        C::Decline { department, reason } => {
            part(
                department,
                &[SummonsStatus::Summoned, SummonsStatus::Signed, SummonsStatus::ReportedIn, SummonsStatus::Acting],
            )?;
            vec![E::Declined { department: department.clone(), reason: required_text("reason", reason, 1000)? }]
        }
        C::Excuse { department, note } => {
            part(department, &[SummonsStatus::Declined, SummonsStatus::Escalated])?;
            // What the street escalated is the district's to decide.
            let escalated = w.summons_of(department).is_some_and(|s| s.status == SummonsStatus::Escalated);
            if escalated && actor.role != Role::DistrictSupervisor {
                return Err(denied());
            }
            vec![E::Excused { department: department.clone(), note: optional_text("note", note.as_deref(), 1000)? }]
        }
        C::Escalate { department, note } => {
            part(department, &[SummonsStatus::Declined])?;
            // The street escalates to the district; the district has no one above it here.
            if actor.role != Role::StreetLeader {
                return Err(denied());
            }
            vec![E::Escalated { department: department.clone(), note: optional_text("note", note.as_deref(), 1000)? }]
        }
        C::Conclude { summary } => {
            if !leads(actor, &w.district, &w.street) {
                return Err(denied());
            }
            require(&[W::Active])?;
            let count = w.outstanding();
            if count > 0 {
                return Err(WhistleError::DepartmentsOutstanding { count });
            }
            vec![E::Concluded { summary: required_text("summary", summary, 2000)? }]
        }
        C::Rate { department, satisfaction, comment } => {
            if !leads(actor, &w.district, &w.street) {
                return Err(denied());
            }
            require(&[W::Concluded])?;
            let s = w.summons_of(department).ok_or(WhistleError::NotFound)?;
            if s.rating.is_some() {
                return Err(WhistleError::AlreadyRated);
            }
            vec![E::Rated {
                department: department.clone(),
                satisfaction: *satisfaction,
                comment: optional_text("comment", comment.as_deref(), 1000)?,
            }]
        }
        C::Tick => {
            if actor.role != Role::System {
                return Err(denied());
            }
            if w.status != W::Active {
                vec![]
            } else {
                w.summons
                    .iter()
                    .filter(|s| s.status.clocks_run())
                    .flat_map(|s| s.clocks.iter().map(move |c| (s, c)))
                    .filter(|(_, c)| c.met_at.is_none() && !c.overdue && env.now >= c.due)
                    .map(|(s, c)| overdue(&s.department, c))
                    .collect()
            }
        }
    };
    Ok(stamp(events))
}

/// The overdue event of a clock, escalated as the rules say: a late sign or report-in to the
/// district supervisor; a late completion to the street leader and the district.
fn overdue(department: &DepartmentId, c: &Clock) -> WhistleEventData {
    WhistleEventData::Overdue {
        department: department.clone(),
        clock: c.clock,
        due: c.due,
        escalated_to: match c.clock {
            SummonsClock::Sign | SummonsClock::ReportIn => vec![Role::DistrictSupervisor],
            SummonsClock::Complete => vec![Role::StreetLeader, Role::DistrictSupervisor],
        },
    }
}

/// A part that acts after its due without the ticker having seen it yet: its overdue (and the
/// escalation) goes on record first, so no lateness goes unreported between ticker passes.
fn late_part(w: &Whistle, department: &DepartmentId, clock: SummonsClock, now: Timestamp) -> Vec<WhistleEventData> {
    w.summons_of(department)
        .and_then(|s| s.clock(clock))
        .filter(|c| c.met_at.is_none() && !c.overdue && now >= c.due)
        .map(|c| vec![overdue(department, c)])
        .unwrap_or_default()
}

fn summons_from(orders: &[SummonsOrder], dues: Option<&Dues>) -> Vec<Summons> {
    orders
        .iter()
        .map(|o| Summons {
            department: o.department.clone(),
            name: o.name.clone(),
            task: o.task.clone(),
            status: SummonsStatus::Summoned,
            clocks: dues.map(clocks_of).unwrap_or_default(),
            signed_at: None,
            report: None,
            actions: vec![],
            finished_at: None,
            decline_reason: None,
            escalated: false,
            rating: None,
        })
        .collect()
}

fn clocks_of(d: &Dues) -> Vec<Clock> {
    let mut v = vec![Clock::new(SummonsClock::Sign, d.sign), Clock::new(SummonsClock::ReportIn, d.report_in)];
    if let Some(c) = d.complete {
        v.push(Clock::new(SummonsClock::Complete, c));
    }
    v
}

fn created(new: &NewWhistle, event: &WhistleEvent, dues: Option<&Dues>) -> Whistle {
    let at = event.at;
    Whistle {
        id: new.id,
        district: new.district.clone(),
        street: new.street.clone(),
        community: new.community.clone(),
        case: new.case.clone(),
        level: new.level,
        kind: new.policy.kind.clone(),
        kind_name: new.policy.name.clone(),
        policy_version: new.policy.version,
        policy: new.policy.clone(),
        reason: new.reason.clone(),
        address: new.address.clone(),
        location: new.location,
        status: if dues.is_some() { WhistleStatus::Active } else { WhistleStatus::Requested },
        requested_by: dues.is_none().then(|| event.by.user_id.clone()),
        blown_by: dues.is_some().then(|| event.by.user_id.clone()),
        created_at: at,
        blown_at: dues.is_some().then_some(at),
        summons: summons_from(&new.departments, dues),
        rejection_reason: None,
        concluded_at: None,
        summary: None,
        version: 1,
        updated_at: at,
    }
}

/// Folds one event into the state.
pub fn evolve(state: Option<Whistle>, event: &WhistleEvent) -> Option<Whistle> {
    use WhistleEventData as E;
    let at = event.at;
    let mut w = match (state, &event.data) {
        (None, E::Requested(new)) => return Some(created(new, event, None)),
        (None, E::Blown { whistle, dues }) => return Some(created(whistle, event, Some(dues))),
        (None, _) => return None,
        (Some(w), _) => w,
    };
    w.version += 1;
    w.updated_at = at;
    match &event.data {
        E::Requested(_) | E::Blown { .. } => {}
        E::Approved { dues, .. } => {
            w.status = WhistleStatus::Active;
            w.blown_by = Some(event.by.user_id.clone());
            w.blown_at = Some(at);
            for s in &mut w.summons {
                s.clocks = clocks_of(dues);
            }
        }
        E::Rejected { reason } => {
            w.status = WhistleStatus::Rejected;
            w.rejection_reason = Some(reason.clone());
        }
        E::Signed { department } => {
            if let Some(s) = w.summons_mut(department) {
                s.status = SummonsStatus::Signed;
                s.signed_at.get_or_insert(at);
                s.meet(SummonsClock::Sign, at);
            }
        }
        E::ReportedIn { department, who, mode, note } => {
            if let Some(s) = w.summons_mut(department) {
                s.status = SummonsStatus::ReportedIn;
                s.report = Some(ReportIn { who: who.clone(), mode: *mode, at, note: note.clone() });
                s.meet(SummonsClock::ReportIn, at);
            }
        }
        E::ActionRecorded { department, text, attachments } => {
            if let Some(s) = w.summons_mut(department) {
                s.status = SummonsStatus::Acting;
                s.actions.push(ActionRecord { text: text.clone(), attachments: attachments.clone(), at });
            }
        }
        E::Finished { department, .. } => {
            if let Some(s) = w.summons_mut(department) {
                s.status = SummonsStatus::Done;
                s.finished_at = Some(at);
                s.meet(SummonsClock::Complete, at);
            }
        }
        E::Declined { department, reason } => {
            if let Some(s) = w.summons_mut(department) {
                s.status = SummonsStatus::Declined;
                s.decline_reason = Some(reason.clone());
            }
        }
        E::Excused { department, .. } => {
            if let Some(s) = w.summons_mut(department) {
                s.status = SummonsStatus::Excused;
            }
        }
        E::Escalated { department, .. } => {
            if let Some(s) = w.summons_mut(department) {
                s.status = SummonsStatus::Escalated;
                s.escalated = true;
            }
        }
        E::Overdue { department, clock, .. } => {
            if let Some(c) = w.summons_mut(department).and_then(|s| s.clock_mut(*clock)) {
                c.overdue = true;
            }
        }
        E::Concluded { summary } => {
            w.status = WhistleStatus::Concluded;
            w.concluded_at = Some(at);
            w.summary = Some(summary.clone());
        }
        E::Rated { department, satisfaction, comment } => {
            let by = event.by.user_id.clone();
            if let Some(s) = w.summons_mut(department) {
                s.rating = Some(DepartmentRating { satisfaction: *satisfaction, comment: comment.clone(), by, at });
            }
        }
    }
    Some(w)
}

pub fn fold<'a>(events: impl IntoIterator<Item = &'a WhistleEvent>) -> Option<Whistle> {
    events.into_iter().fold(None, evolve)
}

/// One street's whistle figures for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreetWhistleFigures {
    pub street: StreetCode,
    /// Cases received in the period.
    pub cases: u64,
    /// Of those, cases some whistle was blown for.
    pub cases_whistled: u64,
    /// 吹哨率: the share of the street's cases that needed a whistle.
    pub whistle_rate: Option<f64>,
    /// Whistles blown (or approved) in the period, from cases or standalone.
    pub whistles: u64,
    pub by_kind: std::collections::BTreeMap<String, u64>,
}

/// One department's record of answering whistles in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentWhistleFigures {
    pub department: DepartmentId,
    pub name: String,
    pub summoned: u64,
    pub excused: u64,
    pub declined: u64,
    /// Parts (not excused) whose sign clock was met or is past due — what the rate is over.
    pub sign_counted: u64,
    pub signed_on_time: u64,
    pub report_in_counted: u64,
    pub reported_in_on_time: u64,
    pub sign_rate: Option<f64>,
    pub report_in_rate: Option<f64>,
    /// Minutes from the whistle to the department reporting in, median.
    pub median_report_in_minutes: Option<f64>,
    pub overdue_events: u64,
    pub ratings: std::collections::BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhistleFigures {
    pub streets: Vec<StreetWhistleFigures>,
    pub departments: Vec<DepartmentWhistleFigures>,
}

/// The whistle figures of a period, from the whistles blown in it and, per street, the cases
/// received in it and how many of those a whistle was blown for. A clock counts towards a rate
/// once it is met or past due at `now`; excused parts do not count.
pub fn figures(whistles: &[Whistle], cases_by_street: &[(StreetCode, u64, u64)], now: Timestamp) -> WhistleFigures {
    use std::collections::BTreeMap;
    let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
    let mut streets: BTreeMap<StreetCode, StreetWhistleFigures> = BTreeMap::new();
    let street = |streets: &mut BTreeMap<StreetCode, StreetWhistleFigures>, s: &StreetCode| {
        streets.entry(s.clone()).or_insert_with(|| StreetWhistleFigures {
            street: s.clone(),
            cases: 0,
            cases_whistled: 0,
            whistle_rate: None,
            whistles: 0,
            by_kind: BTreeMap::new(),
        });
    };
    for (s, cases, whistled) in cases_by_street {
        street(&mut streets, s);
        if let Some(f) = streets.get_mut(s) {
            f.cases = *cases;
            f.cases_whistled = *whistled;
        }
    }
    let mut departments: BTreeMap<DepartmentId, (DepartmentWhistleFigures, Vec<i64>)> = BTreeMap::new();
    for w in whistles.iter().filter(|w| matches!(w.status, WhistleStatus::Active | WhistleStatus::Concluded)) {
        street(&mut streets, &w.street);
        if let Some(f) = streets.get_mut(&w.street) {
            f.whistles += 1;
            *f.by_kind.entry(w.kind.clone()).or_insert(0) += 1;
        }
        for s in &w.summons {
            let (d, minutes) = departments.entry(s.department.clone()).or_insert_with(|| {
                (
                    DepartmentWhistleFigures {
                        department: s.department.clone(),
                        name: s.name.clone(),
                        summoned: 0,
                        excused: 0,
                        declined: 0,
                        sign_counted: 0,
                        signed_on_time: 0,
                        report_in_counted: 0,
                        reported_in_on_time: 0,
                        sign_rate: None,
                        report_in_rate: None,
                        median_report_in_minutes: None,
                        overdue_events: 0,
                        ratings: BTreeMap::new(),
                    },
                    vec![],
                )
            });
            d.summoned += 1;
            d.declined += u64::from(s.decline_reason.is_some());
            d.overdue_events += s.clocks.iter().filter(|c| c.overdue).count() as u64;
            if let Some(r) = &s.rating {
                *d.ratings.entry(r.satisfaction.as_str().to_string()).or_insert(0) += 1;
            }
            if s.status == SummonsStatus::Excused {
                d.excused += 1;
                continue;
            }
            let tally = |c: Option<&Clock>| match c {
                Some(c) if c.met_at.is_some() || now >= c.due => (1, u64::from(c.met_at.is_some() && !c.late())),
                _ => (0, 0),
            };
            let (counted, on_time) = tally(s.clock(SummonsClock::Sign));
            d.sign_counted += counted;
            d.signed_on_time += on_time;
            let (counted, on_time) = tally(s.clock(SummonsClock::ReportIn));
            d.report_in_counted += counted;
            d.reported_in_on_time += on_time;
            if let (Some(r), Some(blown_at)) = (&s.report, w.blown_at) {
                minutes.push((r.at - blown_at).num_minutes());
            }
        }
    }
    WhistleFigures {
        streets: streets
            .into_values()
            .map(|mut f| {
                f.whistle_rate = share(f.cases_whistled, f.cases);
                f
            })
            .collect(),
        departments: departments
            .into_values()
            .map(|(mut d, mut minutes)| {
                d.sign_rate = share(d.signed_on_time, d.sign_counted);
                d.report_in_rate = share(d.reported_in_on_time, d.report_in_counted);
                minutes.sort_unstable();
                let n = minutes.len();
                d.median_report_in_minutes = match n {
                    0 => None,
                    _ if n % 2 == 1 => Some(minutes[n / 2] as f64),
                    _ => Some((minutes[n / 2 - 1] + minutes[n / 2]) as f64 / 2.0),
                };
                d
            })
            .collect(),
    }
}

/// An action open to the viewer now, on the whistle or on one department's part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenAction {
    pub action: WhistleAction,
    pub department: Option<DepartmentId>,
}

/// What this actor may do now — each candidate put to `decide` with well-formed sample arguments.
pub fn allowed_actions(w: &Whistle, actor: &Actor, env: &Env) -> Vec<OpenAction> {
    let text = || "—".to_string();
    let mut candidates: Vec<WhistleCommand> = vec![
        WhistleCommand::Approve { note: None },
        WhistleCommand::Reject { reason: text() },
        WhistleCommand::Conclude { summary: text() },
    ];
    for s in &w.summons {
        let d = || s.department.clone();
        candidates.extend([
            WhistleCommand::Sign { department: d() },
            WhistleCommand::ReportIn { department: d(), who: text(), mode: ReportMode::OnSite, note: None },
            WhistleCommand::RecordAction { department: d(), text: text(), attachments: vec![] },
            WhistleCommand::Finish { department: d(), note: None },
            WhistleCommand::Decline { department: d(), reason: text() },
            WhistleCommand::Excuse { department: d(), note: None },
            WhistleCommand::Escalate { department: d(), note: None },
            WhistleCommand::Rate { department: d(), satisfaction: Satisfaction::Satisfied, comment: None },
        ]);
    }
    candidates
        .into_iter()
        .filter(|c| decide(Some(w), c, actor, env).is_ok())
        .map(|c| OpenAction { action: c.action(), department: c.department().cloned() })
        .collect()
}
