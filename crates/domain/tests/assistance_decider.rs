//! The hardship assistance decider (民生保障) as its users meet it: scenarios driven through
//! `decide` + `evolve`/`fold` with an injected clock on the real work calendar, and properties over
//! random command sequences by random actors checked against an independent model of the rules.
//!
//! Place: 东城区 (110101), 东直门街道 (110101009), 十字坡社区 (110101009008). The flow is owned by the
//! street's 民生保障办公室 (unit `110101009-livelihood`).

use chrono::{DateTime, Datelike, Duration, Weekday};
use chuishao_domain::actor::{Actor, Role, Scope};
use chuishao_domain::assistance::{
    allowed_actions, can_see, decide, evolve, fold, AssistanceAction, AssistanceClock, AssistanceCommand,
    AssistanceDeadline, AssistanceError, AssistanceEvent, AssistanceEventData, AssistanceId, AssistanceKind,
    AssistanceRequest, AssistanceStatus, Env, NewAssistance,
};
use chuishao_domain::calendar::WorkCalendar;
use chuishao_domain::deadline::DeadlineSpec;
use chuishao_domain::field::{FieldError, FieldRule};
use chuishao_domain::org::{CommunityCode, DistrictCode, StreetCode, UnitId};
use chuishao_domain::Timestamp;
use std::sync::OnceLock;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const DISTRICT: &str = "110101"; // 东城区
const STREET: &str = "110101009"; // 东直门街道
const OTHER_STREET: &str = "110101001"; // 东华门街道
const COMMUNITY: &str = "110101009008"; // 十字坡社区
const OTHER_COMMUNITY: &str = "110101009001"; // another community of 东直门街道
const UNIT: &str = "110101009-livelihood"; // 民生保障办公室
const CM_UNIT: &str = "110101009-city-management"; // 城市管理办公室 of the same street
const OTHER_STREET_UNIT: &str = "110101001-livelihood"; // 东华门街道 民生保障办公室

fn cal() -> &'static WorkCalendar {
    static CAL: OnceLock<WorkCalendar> = OnceLock::new();
    CAL.get_or_init(WorkCalendar::china)
}

fn at(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}")).to_utc()
}

fn env(now: Timestamp) -> Env<'static> {
    Env { now, calendar: cal() }
}

fn district() -> DistrictCode {
    DistrictCode::parse(DISTRICT).unwrap()
}
fn street_code(s: &str) -> StreetCode {
    StreetCode::parse(s).unwrap()
}
fn community_code(s: &str) -> CommunityCode {
    CommunityCode::parse(s).unwrap()
}
fn unit(s: &str) -> UnitId {
    UnitId::parse(s).unwrap()
}

fn person(user_id: &str, name: &str, role: Role, scope: Scope) -> Actor {
    Actor { user_id: user_id.into(), name: name.into(), role, scope, district: district() }
}

fn liaison() -> Actor {
    person("li-1", "社区专员孙丽", Role::Liaison, Scope::community(community_code(COMMUNITY)))
}
/// A second liaison of the same community: sees the request, did not submit it.
fn co_liaison() -> Actor {
    person("li-3", "社区专员周敏", Role::Liaison, Scope::community(community_code(COMMUNITY)))
}
/// Registered elsewhere, standing in for 十字坡社区 now.
fn covering_liaison() -> Actor {
    let scope = Scope::Community {
        code: community_code(OTHER_COMMUNITY),
        covers: vec![community_code(OTHER_COMMUNITY), community_code(COMMUNITY)],
    };
    person("li-4", "社区专员吴强", Role::Liaison, scope)
}
/// Registered in 十字坡社区 but reassigned away from it.
fn reassigned_liaison() -> Actor {
    let scope = Scope::Community { code: community_code(COMMUNITY), covers: vec![] };
    person("li-5", "社区专员冯雪", Role::Liaison, scope)
}
fn other_liaison() -> Actor {
    person("li-2", "社区专员郑华", Role::Liaison, Scope::community(community_code(OTHER_COMMUNITY)))
}
fn staff() -> Actor {
    person("u-lv-1", "民生办刘洋", Role::UnitStaff, Scope::Unit { id: unit(UNIT), street: street_code(STREET) })
}
fn cm_staff() -> Actor {
    person("u-cm-1", "城管办张伟", Role::UnitStaff, Scope::Unit { id: unit(CM_UNIT), street: street_code(STREET) })
}
fn other_street_staff() -> Actor {
    person(
        "u-lv-9",
        "东华门民生办陈静",
        Role::UnitStaff,
        Scope::Unit { id: unit(OTHER_STREET_UNIT), street: street_code(OTHER_STREET) },
    )
}
fn dispatcher() -> Actor {
    person("d-1", "调度员王芳", Role::Dispatcher, Scope::Street { code: street_code(STREET) })
}
fn leader() -> Actor {
    person("l-1", "街道主任赵磊", Role::StreetLeader, Scope::Street { code: street_code(STREET) })
}
fn other_street_leader() -> Actor {
    person("l-2", "东华门主任钱坤", Role::StreetLeader, Scope::Street { code: street_code(OTHER_STREET) })
}
fn supervisor() -> Actor {
    person("s-1", "区督办马超", Role::DistrictSupervisor, Scope::District { code: district() })
}
fn inspector() -> Actor {
    person("i-1", "督查员钱进", Role::Inspector, Scope::District { code: district() })
}
fn dept_staff() -> Actor {
    let id = chuishao_domain::org::DepartmentId::parse("dc-mzj").unwrap(); // 区民政局
    person("staff-dc-mzj", "民政局李科长", Role::DepartmentStaff, Scope::Department { id })
}
fn resident() -> Actor {
    person("r-1", "居民王大爷", Role::Resident, Scope::Own)
}
fn system() -> Actor {
    Actor::system(district())
}
fn foreign_district() -> DistrictCode {
    DistrictCode::parse("110102").unwrap() // 西城区
}
fn foreign_supervisor() -> Actor {
    let d = foreign_district();
    Actor {
        user_id: "s-xc".into(),
        name: "西城督办".into(),
        role: Role::DistrictSupervisor,
        scope: Scope::District { code: d.clone() },
        district: d,
    }
}
fn foreign_system() -> Actor {
    Actor::system(foreign_district())
}
/// Scoped to 东城区 but belonging to another tenant: the tenant key decides.
fn misfiled_supervisor() -> Actor {
    Actor { district: foreign_district(), ..supervisor() }
}

fn request_id() -> AssistanceId {
    AssistanceId(Uuid::from_u128(0x0a55_0000_0000_0000_0000_0000_0000_0001))
}

/// 十字坡社区's liaison asks for a walking frame for an old man living alone.
fn walking_frame() -> NewAssistance {
    NewAssistance {
        id: request_id(),
        district: district(),
        street: street_code(STREET),
        community: community_code(COMMUNITY),
        household: Some("hh-0042".into()),
        visit: Some("visit-20260925-01".into()),
        kind: AssistanceKind::AssistiveDevice,
        description: "独居老人王大爷，82岁，腿脚不便，上下楼需搀扶，申请适配助行器。".into(),
        requested: Some("助行器一台".into()),
        unit: unit(UNIT),
        unit_name: "民生保障办公室".into(),
    }
}

fn of_kind(kind: AssistanceKind) -> NewAssistance {
    let (description, requested) = match kind {
        AssistanceKind::AssistiveDevice => ("腿脚不便，申请助行器", "助行器一台"),
        AssistanceKind::TemporaryRelief => ("家中突发火灾，生活困难", "临时救助金"),
        AssistanceKind::SubsistenceAllowance => ("夫妻二人均无业，申请低保", "最低生活保障"),
        AssistanceKind::MealAid => ("高龄独居，做饭困难", "社区食堂送餐"),
        AssistanceKind::HomeCare => ("失能老人，子女在外地", "每周两次上门照护"),
        AssistanceKind::EmploymentAid => ("失业半年，希望再就业", "推荐保洁岗位"),
    };
    NewAssistance { kind, description: description.into(), requested: Some(requested.into()), ..walking_frame() }
}

fn submit(n: NewAssistance) -> AssistanceCommand {
    AssistanceCommand::Submit(n)
}
fn review() -> AssistanceCommand {
    AssistanceCommand::StartReview { note: Some("已入户核实".into()) }
}
fn approve() -> AssistanceCommand {
    AssistanceCommand::Approve { note: Some("经入户核实，符合条件".into()) }
}
fn reject(reason: &str) -> AssistanceCommand {
    AssistanceCommand::Reject { reason: reason.into() }
}
fn deliver(note: &str) -> AssistanceCommand {
    AssistanceCommand::Deliver { note: note.into() }
}
fn withdraw(reason: &str) -> AssistanceCommand {
    AssistanceCommand::Withdraw { reason: reason.into() }
}
fn add_note(text: &str) -> AssistanceCommand {
    AssistanceCommand::AddNote { text: text.into() }
}

/// Every command on an existing request.
fn every_command() -> Vec<AssistanceCommand> {
    vec![
        review(),
        approve(),
        reject("不符合条件"),
        deliver("已送达"),
        withdraw("家属已解决"),
        add_note("电话回访"),
        AssistanceCommand::Tick,
    ]
}

fn types(events: &[AssistanceEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.data.type_name()).collect()
}
fn data(events: Vec<AssistanceEvent>) -> Vec<AssistanceEventData> {
    events.into_iter().map(|e| e.data).collect()
}
fn warned(clock: AssistanceClock) -> AssistanceEventData {
    AssistanceEventData::Warned { clock }
}
fn overdue(clock: AssistanceClock) -> AssistanceEventData {
    AssistanceEventData::Overdue { clock }
}

/// A request's event stream and its projection, advanced through `decide` and checked at every
/// step: events carry the injected time and actor, replay equals the projection, the version
/// counts the events, and a refusal changes nothing.
#[derive(Default)]
struct Sim {
    events: Vec<AssistanceEvent>,
    state: Option<AssistanceRequest>,
}

impl Sim {
    fn attempt_at(
        &mut self,
        now: Timestamp,
        who: &Actor,
        cmd: &AssistanceCommand,
    ) -> Result<Vec<AssistanceEvent>, AssistanceError> {
        let before = self.state.clone();
        let result = decide(self.state.as_ref(), cmd, who, &env(now));
        match &result {
            Ok(events) => {
                for e in events {
                    assert_eq!(e.at, now, "events carry the injected time");
                    assert_eq!(e.by, who.as_ref(), "events carry the actor");
                    self.state = evolve(self.state.take(), e);
                    assert!(self.state.is_some(), "an accepted event always yields a request");
                    self.events.push(e.clone());
                }
                assert_eq!(fold(&self.events), self.state, "replay equals the projection");
                if let Some(r) = &self.state {
                    assert_eq!(r.version, self.events.len() as u64, "version = event count");
                    if let Some(last) = self.events.last() {
                        assert_eq!(r.updated_at, last.at, "updated_at is the last event's time");
                    }
                }
            }
            Err(_) => assert_eq!(self.state, before, "a refusal changes nothing"),
        }
        result
    }
    fn attempt(
        &mut self,
        now: &str,
        who: &Actor,
        cmd: AssistanceCommand,
    ) -> Result<Vec<AssistanceEvent>, AssistanceError> {
        self.attempt_at(at(now), who, &cmd)
    }
    fn ok(&mut self, now: &str, who: &Actor, cmd: AssistanceCommand) -> Vec<AssistanceEvent> {
        let shown = format!("{cmd:?}");
        self.attempt(now, who, cmd).unwrap_or_else(|e| panic!("{shown} by {} at {now} refused: {e:?}", who.user_id))
    }
    fn err(&mut self, now: &str, who: &Actor, cmd: AssistanceCommand) -> AssistanceError {
        let shown = format!("{cmd:?}");
        match self.attempt(now, who, cmd) {
            Ok(events) => panic!("{shown} by {} should be refused, emitted {:?}", who.user_id, types(&events)),
            Err(e) => e,
        }
    }
    fn tick(&mut self, now: &str) -> Vec<AssistanceEventData> {
        data(self.ok(now, &system(), AssistanceCommand::Tick))
    }
    fn r(&self) -> &AssistanceRequest {
        self.state.as_ref().expect("a request exists")
    }
    fn status(&self) -> AssistanceStatus {
        self.r().status
    }
    fn allowed(&self, now: &str, who: &Actor) -> Vec<AssistanceAction> {
        allowed_actions(self.r(), who, &env(at(now)))
    }
}

fn submitted_by(who: &Actor, now: &str, n: NewAssistance) -> Sim {
    let mut sim = Sim::default();
    sim.ok(now, who, submit(n));
    sim
}

/// Monday 2026-11-02 09:00 (a plain week): the liaison asks for the walking frame.
fn submitted() -> Sim {
    submitted_by(&liaison(), "2026-11-02T09:00:00+08:00", walking_frame())
}
fn under_review() -> Sim {
    let mut sim = submitted();
    sim.ok("2026-11-03T09:00:00+08:00", &staff(), review());
    sim
}
fn approved() -> Sim {
    let mut sim = under_review();
    sim.ok("2026-11-04T09:00:00+08:00", &staff(), approve());
    sim
}
fn delivered() -> Sim {
    let mut sim = approved();
    sim.ok("2026-11-10T09:00:00+08:00", &staff(), deliver("助行器一台已送达"));
    sim
}

fn assert_code(e: &AssistanceError, code: &str) {
    assert_eq!(e.code(), code, "{e:?}");
}
fn assert_field(e: &AssistanceError, field: &str, code: &str) {
    match e {
        AssistanceError::Field(f) => {
            assert_eq!(f.field, field, "{e:?}");
            assert_eq!(f.code(), code, "{e:?}");
        }
        other => panic!("expected a field error on {field}, got {other:?}"),
    }
}
fn denied(action: AssistanceAction, role: Role) -> AssistanceError {
    AssistanceError::RoleNotPermitted { action, role }
}
fn invalid(action: AssistanceAction, status: AssistanceStatus) -> AssistanceError {
    AssistanceError::InvalidState { action, status }
}

// ---------------------------------------------------------------------------------------------
// 1. The whole way, on the real calendar
// ---------------------------------------------------------------------------------------------

#[test]
fn walking_frame_request_runs_from_liaison_to_delivery_across_national_day() {
    use AssistanceAction as A;
    // Friday 2026-09-25 is a holiday in the calendar (中秋节, 25–27 Sep), so the five working days
    // count from Monday 28 Sep 00:00: 28, 29, 30 Sep, then (National Day week 1–7 Oct off) 8 and
    // 9 Oct. Due at the end of Fri 9 Oct = 00:00 on Sat 10 Oct, the make-up working day.
    let mut sim = Sim::default();
    let events = sim.ok("2026-09-25T10:00:00+08:00", &liaison(), submit(walking_frame()));
    assert_eq!(types(&events), ["submitted"]);
    let r = sim.r().clone();
    assert_eq!(r.status, AssistanceStatus::Submitted);
    assert_eq!(r.id, request_id());
    assert_eq!(r.kind, AssistanceKind::AssistiveDevice);
    assert_eq!(r.community, community_code(COMMUNITY));
    assert_eq!(r.unit, unit(UNIT));
    assert_eq!(r.unit_name, "民生保障办公室");
    assert_eq!(r.requested.as_deref(), Some("助行器一台"));
    assert_eq!(r.household.as_deref(), Some("hh-0042"));
    assert_eq!(r.visit.as_deref(), Some("visit-20260925-01"));
    assert_eq!(r.submitted_by, liaison().as_ref());
    assert_eq!(r.submitted_at, at("2026-09-25T10:00:00+08:00"));
    assert_eq!(r.decision.clock, AssistanceClock::Decision);
    assert_eq!(r.decision.start, at("2026-09-25T10:00:00+08:00"));
    assert_eq!(r.decision.due, at("2026-10-10T00:00:00+08:00"));
    let due_day = r.decision.due.with_timezone(&chuishao_domain::calendar::beijing()).date_naive();
    assert_eq!(due_day.weekday(), Weekday::Sat, "due on the make-up Saturday");
    assert!(cal().is_working_day(due_day), "10 Oct 2026 is a make-up working day");
    // Five working days = 120 h of working time; a quarter (30 h) is left at 18:00 on Thu 8 Oct.
    assert_eq!(r.decision.warn_at, at("2026-10-08T18:00:00+08:00"));
    assert!(!r.decision.warned && !r.decision.overdue && r.decision.met_at.is_none());
    assert_eq!(r.delivery, None);
    assert_eq!(r.next_alert_at(), Some(r.decision.warn_at));
    assert!(!r.is_overdue());
    assert_eq!(r.principals(), vec![format!("unit:{UNIT}")]);

    assert_eq!(sim.allowed("2026-09-28T09:00:00+08:00", &staff()), [A::StartReview, A::AddNote]);
    assert_eq!(sim.allowed("2026-09-28T09:00:00+08:00", &liaison()), [A::Withdraw, A::AddNote]);

    // Nothing is due yet.
    assert_eq!(sim.tick("2026-09-29T12:00:00+08:00"), []);
    assert_eq!(sim.r().version, 1);

    sim.ok("2026-09-28T09:30:00+08:00", &staff(), AssistanceCommand::StartReview { note: Some("已入户查看".into()) });
    assert_eq!(sim.status(), AssistanceStatus::UnderReview);
    assert_eq!(sim.r().reviewed_at, Some(at("2026-09-28T09:30:00+08:00")));
    assert_eq!(sim.r().review_note.as_deref(), Some("已入户查看"));
    assert_eq!(sim.allowed("2026-09-28T10:00:00+08:00", &staff()), [A::Approve, A::Reject, A::AddNote]);

    let events = sim.ok(
        "2026-09-30T16:00:00+08:00",
        &staff(),
        AssistanceCommand::Approve { note: Some("经入户核实，符合辅具适配条件".into()) },
    );
    assert_eq!(types(&events), ["approved"]);
    let r = sim.r().clone();
    assert_eq!(r.status, AssistanceStatus::Approved);
    assert_eq!(r.decided_at, Some(at("2026-09-30T16:00:00+08:00")));
    assert_eq!(r.approval_note.as_deref(), Some("经入户核实，符合辅具适配条件"));
    assert_eq!(r.decision.met_at, Some(at("2026-09-30T16:00:00+08:00")));
    assert!(!r.decision.late());
    // Ten working days from Wed 30 Sep 16:00: 8, 9, 10 (make-up Sat), 12–16, 19, 20 Oct.
    let delivery = r.delivery.clone().expect("the delivery clock starts at approval");
    assert_eq!(delivery.clock, AssistanceClock::Delivery);
    assert_eq!(delivery.start, at("2026-09-30T16:00:00+08:00"));
    assert_eq!(delivery.due, at("2026-10-20T16:00:00+08:00"));
    // 240 h of working time; 60 h left: 16 h on the 20th, 24 h on the 19th, 20 h of Fri 16 Oct.
    assert_eq!(delivery.warn_at, at("2026-10-16T04:00:00+08:00"));
    assert_eq!(r.next_alert_at(), Some(delivery.warn_at), "only the delivery clock runs now");
    assert_eq!(sim.allowed("2026-10-08T09:00:00+08:00", &staff()), [A::Deliver, A::AddNote]);
    assert_eq!(sim.allowed("2026-10-08T09:00:00+08:00", &liaison()), [A::AddNote]);

    // The decision's own warning time has passed, but the decision was made: no alert for it.
    assert_eq!(sim.tick("2026-10-09T09:00:00+08:00"), []);
    assert_eq!(sim.tick("2026-10-16T09:00:00+08:00"), [warned(AssistanceClock::Delivery)]);
    assert_eq!(sim.r().next_alert_at(), Some(delivery.due));
    assert_eq!(sim.tick("2026-10-16T10:00:00+08:00"), [], "a warning goes out once");

    let events = sim.ok("2026-10-16T15:00:00+08:00", &staff(), deliver("助行器一台已送达入户并指导使用"));
    assert_eq!(types(&events), ["delivered"]);
    let r = sim.r().clone();
    assert_eq!(r.status, AssistanceStatus::Delivered);
    assert!(!r.status.is_open());
    assert_eq!(r.delivered_at, Some(at("2026-10-16T15:00:00+08:00")));
    assert_eq!(r.delivery_note.as_deref(), Some("助行器一台已送达入户并指导使用"));
    let d = r.delivery.as_ref().unwrap();
    assert_eq!(d.met_at, Some(at("2026-10-16T15:00:00+08:00")));
    assert!(d.warned && !d.overdue && !d.late());
    assert_eq!(r.next_alert_at(), None);
    assert!(!r.is_overdue());
    assert_eq!(sim.tick("2026-12-31T09:00:00+08:00"), [], "a delivered request raises nothing");

    sim.ok("2026-10-19T10:00:00+08:00", &liaison(), add_note("回访：老人使用顺利，表示满意"));
    assert_eq!(sim.r().notes, 1);
    assert_eq!(sim.allowed("2026-10-19T10:00:00+08:00", &staff()), [A::AddNote]);
    assert_eq!(types(&sim.events), ["submitted", "review_started", "approved", "warned", "delivered", "note_added"]);
    assert_eq!(sim.r().version, 6);
}

#[test]
fn kinds_carry_the_published_deadlines() {
    let wd = DeadlineSpec::working_days;
    let table = [
        (AssistanceKind::AssistiveDevice, "assistive_device", 5, 10),
        (AssistanceKind::TemporaryRelief, "temporary_relief", 3, 5),
        (AssistanceKind::SubsistenceAllowance, "subsistence_allowance", 20, 10),
        (AssistanceKind::MealAid, "meal_aid", 5, 5),
        (AssistanceKind::HomeCare, "home_care", 5, 10),
        (AssistanceKind::EmploymentAid, "employment_aid", 5, 15),
    ];
    assert_eq!(AssistanceKind::ALL.len(), table.len());
    for (kind, name, decision, delivery) in table {
        assert!(AssistanceKind::ALL.contains(&kind));
        assert_eq!(kind.as_str(), name);
        assert_eq!(AssistanceKind::parse(name), Some(kind));
        assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(name));
        let p = kind.policy();
        assert_eq!((p.decision, p.delivery), (wd(decision), wd(delivery)), "{name}");
    }
    assert_eq!(AssistanceKind::parse("assistive-device"), None);
    assert_eq!(AssistanceKind::parse(""), None);
}

#[test]
fn temporary_relief_before_national_day_is_due_on_the_make_up_saturday() {
    // Wed 30 Sep 09:00 + 3 working days: 8, 9, 10 Oct → Sat 10 Oct 09:00 (a make-up working day).
    let mut sim = submitted_by(&liaison(), "2026-09-30T09:00:00+08:00", of_kind(AssistanceKind::TemporaryRelief));
    assert_eq!(sim.r().decision.due, at("2026-10-10T09:00:00+08:00"));
    // The warning falls on Fri 9 Oct, not inside the holiday week.
    assert_eq!(sim.r().decision.warn_at, at("2026-10-09T15:00:00+08:00"));
    assert_eq!(sim.tick("2026-10-07T23:00:00+08:00"), []);
    sim.ok("2026-10-08T09:00:00+08:00", &staff(), review());
    // Approved on the make-up Saturday itself: it counts as a working day, so delivery (5 wd)
    // runs 12–16 Oct and is due Fri 16 Oct 08:00.
    sim.ok("2026-10-10T08:00:00+08:00", &leader(), approve());
    assert!(!sim.r().decision.late(), "decided an hour before the due");
    let d = sim.r().delivery.clone().unwrap();
    assert_eq!(d.due, at("2026-10-16T08:00:00+08:00"));
    assert_eq!(sim.r().decided_at, Some(at("2026-10-10T08:00:00+08:00")));
}

#[test]
fn a_subsistence_allowance_decision_takes_twenty_working_days() {
    // Mon 2 Nov 2026 09:00 + 20 working days (no holidays in November) = Mon 30 Nov 09:00.
    let sim = submitted_by(&dispatcher(), "2026-11-02T09:00:00+08:00", of_kind(AssistanceKind::SubsistenceAllowance));
    assert_eq!(sim.r().decision.due, at("2026-11-30T09:00:00+08:00"));
    // A quarter of 20 working days (5 days of working time) before the due: Mon 23 Nov 09:00.
    assert_eq!(sim.r().decision.warn_at, at("2026-11-23T09:00:00+08:00"));
    assert_eq!(sim.r().submitted_by, dispatcher().as_ref());
}

#[test]
fn deadlines_are_the_policy_applied_to_the_submission_and_the_approval_time() {
    for kind in AssistanceKind::ALL {
        for start in ["2026-02-13T17:30:00+08:00", "2026-04-30T11:00:00+08:00", "2026-12-31T20:00:00+08:00"] {
            let mut sim = submitted_by(&staff(), start, of_kind(kind));
            let s = at(start);
            let spec = kind.policy().decision;
            let due = spec.due_from(s, cal());
            assert_eq!(sim.r().decision.due, due, "{kind:?} {start}");
            assert_eq!(sim.r().decision.warn_at, spec.warning_at(s, due, cal()));
            assert!(sim.r().decision.warn_at <= due && sim.r().decision.warn_at >= s);
            let approve_at = s + Duration::hours(30);
            sim.attempt_at(approve_at, &staff(), &review()).unwrap();
            sim.attempt_at(approve_at, &staff(), &approve()).unwrap();
            let d = sim.r().delivery.clone().unwrap();
            let spec = kind.policy().delivery;
            assert_eq!(d.start, approve_at);
            assert_eq!(d.due, spec.due_from(approve_at, cal()), "{kind:?} {start}");
            assert_eq!(d.warn_at, spec.warning_at(approve_at, d.due, cal()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Reject and withdraw
// ---------------------------------------------------------------------------------------------

#[test]
fn a_rejected_request_ends_with_its_reason() {
    use AssistanceAction as A;
    let mut sim = submitted_by(&liaison(), "2026-11-02T09:00:00+08:00", of_kind(AssistanceKind::SubsistenceAllowance));
    // Not before a review has started.
    let e = sim.err("2026-11-02T10:00:00+08:00", &staff(), reject("收入超标"));
    assert_eq!(e, invalid(A::Reject, AssistanceStatus::Submitted));
    assert_code(&e, "assistance_invalid_state");
    sim.ok("2026-11-03T09:00:00+08:00", &staff(), AssistanceCommand::StartReview { note: None });
    assert_eq!(sim.r().review_note, None);
    let e = sim.err("2026-11-05T09:00:00+08:00", &staff(), reject("   "));
    assert_field(&e, "reason", "field_required");
    let e = sim.err("2026-11-05T09:00:00+08:00", &staff(), reject(&"超".repeat(1001)));
    assert_field(&e, "reason", "field_too_long");
    let events = sim.ok("2026-11-20T09:00:00+08:00", &staff(), reject("  经核算，家庭人均月收入高于本市低保标准  "));
    assert_eq!(types(&events), ["rejected"]);
    let r = sim.r().clone();
    assert_eq!(r.status, AssistanceStatus::Rejected);
    assert_eq!(r.rejection_reason.as_deref(), Some("经核算，家庭人均月收入高于本市低保标准"), "trimmed");
    assert_eq!(r.decided_at, Some(at("2026-11-20T09:00:00+08:00")));
    assert_eq!(r.decision.met_at, Some(at("2026-11-20T09:00:00+08:00")));
    assert!(!r.decision.late(), "20 working days had not passed");
    assert_eq!(r.delivery, None, "no delivery clock for a rejection");
    assert_eq!(r.next_alert_at(), None);

    for (cmd, action) in [
        (approve(), A::Approve),
        (deliver("已送达"), A::Deliver),
        (withdraw("不需要了"), A::Withdraw),
        (review(), A::StartReview),
        (reject("再次驳回"), A::Reject),
    ] {
        let who = if action == A::Withdraw { liaison() } else { staff() };
        assert_eq!(sim.err("2026-11-21T09:00:00+08:00", &who, cmd), invalid(action, AssistanceStatus::Rejected));
    }
    assert_eq!(sim.tick("2027-03-01T09:00:00+08:00"), [], "nothing runs after a rejection");
    assert_eq!(sim.allowed("2026-11-21T09:00:00+08:00", &staff()), [A::AddNote]);
    assert_eq!(sim.allowed("2026-11-21T09:00:00+08:00", &leader()), [A::AddNote]);
    assert_eq!(sim.allowed("2026-11-21T09:00:00+08:00", &liaison()), [A::AddNote]);
}

#[test]
fn the_submitter_withdraws_but_another_liaison_may_not() {
    use AssistanceAction as A;
    let mut sim = submitted_by(&liaison(), "2026-11-02T09:00:00+08:00", of_kind(AssistanceKind::MealAid));
    let now = "2026-11-03T09:00:00+08:00";
    // Sees it (same community), did not submit it.
    assert_eq!(sim.err(now, &co_liaison(), withdraw("家属已安排")), denied(A::Withdraw, Role::Liaison));
    // Does not even see it.
    assert_eq!(sim.err(now, &other_liaison(), withdraw("家属已安排")), AssistanceError::NotFound);
    // The office decides; it does not withdraw others' requests. Nor does the district.
    assert_eq!(sim.err(now, &staff(), withdraw("家属已安排")), denied(A::Withdraw, Role::UnitStaff));
    assert_eq!(sim.err(now, &supervisor(), withdraw("家属已安排")), denied(A::Withdraw, Role::DistrictSupervisor));
    assert_eq!(sim.err(now, &dispatcher(), withdraw("家属已安排")), denied(A::Withdraw, Role::Dispatcher));
    assert_field(&sim.err(now, &liaison(), withdraw("")), "reason", "field_required");
    assert_eq!(sim.r().version, 1);

    let events = sim.ok(now, &liaison(), withdraw("子女已接老人同住，无需助餐"));
    assert_eq!(types(&events), ["withdrawn"]);
    let r = sim.r().clone();
    assert_eq!(r.status, AssistanceStatus::Withdrawn);
    assert_eq!(r.withdraw_reason.as_deref(), Some("子女已接老人同住，无需助餐"));
    assert_eq!(r.decision.met_at, None, "withdrawal stops the clock without meeting it");
    assert_eq!(r.decided_at, None);
    assert_eq!(r.next_alert_at(), None);
    assert!(!r.is_overdue());
    assert_eq!(sim.tick("2026-12-31T09:00:00+08:00"), [], "a withdrawn request never warns or goes overdue");
    assert_eq!(sim.err(now, &liaison(), withdraw("再次撤回")), invalid(A::Withdraw, AssistanceStatus::Withdrawn));
    assert_eq!(sim.err(now, &staff(), review()), invalid(A::StartReview, AssistanceStatus::Withdrawn));
    assert_eq!(sim.allowed(now, &liaison()), [A::AddNote]);
    assert_eq!(sim.allowed(now, &leader()), [A::AddNote]);
}

#[test]
fn the_street_leader_may_withdraw_under_review_but_nobody_after_approval() {
    use AssistanceAction as A;
    let mut sim = under_review();
    let events = sim.ok("2026-11-03T10:00:00+08:00", &leader(), withdraw("与临时救助重复申请"));
    assert_eq!(types(&events), ["withdrawn"]);
    assert_eq!(sim.r().reviewed_at, Some(at("2026-11-03T09:00:00+08:00")));

    let mut sim = under_review();
    sim.ok("2026-11-03T10:00:00+08:00", &liaison(), withdraw("已自行购买"));
    assert_eq!(sim.status(), AssistanceStatus::Withdrawn);

    let mut sim = approved();
    for who in [liaison(), leader()] {
        assert_eq!(
            sim.err("2026-11-05T09:00:00+08:00", &who, withdraw("不需要了")),
            invalid(A::Withdraw, AssistanceStatus::Approved)
        );
    }
    // The other street's leader does not see it.
    assert_eq!(sim.err("2026-11-05T09:00:00+08:00", &other_street_leader(), withdraw("x")), AssistanceError::NotFound);
}

#[test]
fn a_submitter_is_known_by_user_not_by_role() {
    // The office itself raised the request; its own staff member may take it back.
    let mut sim = submitted_by(&staff(), "2026-11-02T09:00:00+08:00", walking_frame());
    assert_eq!(sim.r().submitted_by.user_id, "u-lv-1");
    sim.ok("2026-11-02T10:00:00+08:00", &staff(), withdraw("录入重复"));
    assert_eq!(sim.status(), AssistanceStatus::Withdrawn);

    // A liaison reassigned away from the community no longer sees what they submitted.
    let mut sim = submitted();
    let moved = Actor { scope: Scope::Community { code: community_code(COMMUNITY), covers: vec![] }, ..liaison() };
    assert_eq!(sim.err("2026-11-03T09:00:00+08:00", &moved, withdraw("x")), AssistanceError::NotFound);
}

// ---------------------------------------------------------------------------------------------
// 3. Who may submit, see and act
// ---------------------------------------------------------------------------------------------

#[test]
fn who_may_submit() {
    let now = "2026-11-02T09:00:00+08:00";
    let may = [liaison(), co_liaison(), covering_liaison(), staff(), dispatcher(), leader(), supervisor()];
    for who in may {
        let mut sim = Sim::default();
        sim.ok(now, &who, submit(walking_frame()));
        assert_eq!(sim.r().submitted_by, who.as_ref());
    }
    let may_not = [
        reassigned_liaison(),
        other_liaison(),
        cm_staff(),
        other_street_staff(),
        other_street_leader(),
        foreign_supervisor(),
        misfiled_supervisor(),
        inspector(),
        dept_staff(),
        resident(),
        system(),
        foreign_system(),
    ];
    for who in may_not {
        let mut sim = Sim::default();
        let e = sim.err(now, &who, submit(walking_frame()));
        assert_eq!(e, denied(AssistanceAction::Submit, who.role), "{}", who.user_id);
        assert_code(&e, "role_not_permitted");
    }
    // Staff of the office may only raise requests their own office owns.
    let mut sim = Sim::default();
    let e = sim.err(now, &staff(), submit(NewAssistance { unit: unit(CM_UNIT), ..walking_frame() }));
    assert_eq!(e, denied(AssistanceAction::Submit, Role::UnitStaff));
    // A liaison only for a community they cover.
    let other = NewAssistance { community: community_code(OTHER_COMMUNITY), ..walking_frame() };
    assert_eq!(sim.err(now, &liaison(), submit(other.clone())), denied(AssistanceAction::Submit, Role::Liaison));
    sim.ok(now, &covering_liaison(), submit(other));
}

#[test]
fn submitting_twice_or_acting_on_nothing() {
    let mut sim = submitted();
    for who in [liaison(), leader(), other_liaison()] {
        let e = sim.err("2026-11-02T09:05:00+08:00", &who, submit(walking_frame()));
        assert_eq!(e, AssistanceError::AlreadyExists);
        assert_code(&e, "assistance_exists");
    }
    let mut empty = Sim::default();
    for cmd in every_command() {
        let who = if cmd == AssistanceCommand::Tick { system() } else { staff() };
        let e = empty.err("2026-11-02T09:00:00+08:00", &who, cmd);
        assert_eq!(e, AssistanceError::NotFound);
        assert_code(&e, "assistance_not_found");
    }
}

#[test]
fn who_can_see_a_request() {
    let sim = submitted();
    let r = sim.r();
    let table = [
        (liaison(), true),
        (co_liaison(), true),
        (covering_liaison(), true),
        (reassigned_liaison(), false),
        (other_liaison(), false),
        (staff(), true),
        (cm_staff(), false),
        (other_street_staff(), false),
        (dispatcher(), true),
        (leader(), true),
        (other_street_leader(), false),
        (supervisor(), true),
        (inspector(), true),
        (system(), true),
        (foreign_supervisor(), false),
        (foreign_system(), false),
        (misfiled_supervisor(), false),
        (dept_staff(), false),
        (resident(), false),
    ];
    for (who, expected) in table {
        assert_eq!(can_see(&who, r), expected, "{} ({:?})", who.user_id, who.role);
    }
}

#[test]
fn actors_out_of_scope_get_not_found_for_everything() {
    for mut sim in [submitted(), under_review(), approved(), delivered()] {
        let version = sim.r().version;
        for who in [
            other_liaison(),
            reassigned_liaison(),
            cm_staff(),
            other_street_staff(),
            other_street_leader(),
            foreign_supervisor(),
            foreign_system(),
            misfiled_supervisor(),
            dept_staff(),
            resident(),
        ] {
            for cmd in every_command() {
                let shown = format!("{cmd:?}");
                let e = sim.err("2026-11-12T09:00:00+08:00", &who, cmd);
                assert_eq!(e, AssistanceError::NotFound, "{shown} by {}", who.user_id);
            }
            assert_eq!(allowed_actions(sim.r(), &who, &env(at("2026-11-12T09:00:00+08:00"))), []);
        }
        assert_eq!(sim.r().version, version);
    }
}

#[test]
fn readers_and_bystanders_cannot_decide() {
    use AssistanceAction as A;
    let now = "2026-11-03T12:00:00+08:00";
    let mut sim = submitted();
    for who in [liaison(), co_liaison(), dispatcher(), inspector(), system()] {
        assert_eq!(sim.err(now, &who, review()), denied(A::StartReview, who.role), "{}", who.user_id);
    }
    let mut sim = under_review();
    for who in [liaison(), dispatcher(), inspector(), system()] {
        assert_eq!(sim.err(now, &who, approve()), denied(A::Approve, who.role), "{}", who.user_id);
        assert_eq!(sim.err(now, &who, reject("不符合")), denied(A::Reject, who.role), "{}", who.user_id);
    }
    let mut sim = approved();
    for who in [liaison(), dispatcher(), inspector(), system()] {
        assert_eq!(sim.err(now, &who, deliver("已送达")), denied(A::Deliver, who.role), "{}", who.user_id);
    }
    // The role is checked before the status: a liaison asking to deliver a fresh request is
    // refused for who they are, not for when.
    let mut sim = submitted();
    assert_eq!(sim.err(now, &liaison(), deliver("已送达")), denied(A::Deliver, Role::Liaison));
    // A department's staff: not theirs to see; and not theirs to raise.
    assert_eq!(sim.err(now, &dept_staff(), review()), AssistanceError::NotFound);
    assert_eq!(sim.err(now, &dept_staff(), add_note("部门意见")), AssistanceError::NotFound);
    let mut empty = Sim::default();
    assert_eq!(empty.err(now, &dept_staff(), submit(walking_frame())), denied(A::Submit, Role::DepartmentStaff));
}

#[test]
fn the_street_leader_and_the_district_may_run_the_flow_too() {
    let mut sim = submitted();
    sim.ok("2026-11-02T10:00:00+08:00", &leader(), review());
    sim.ok("2026-11-02T11:00:00+08:00", &supervisor(), approve());
    sim.ok("2026-11-03T11:00:00+08:00", &leader(), deliver("已安排助餐点每日送餐"));
    assert_eq!(sim.status(), AssistanceStatus::Delivered);
    let bys: Vec<Role> = sim.events.iter().map(|e| e.by.role).collect();
    assert_eq!(bys, [Role::Liaison, Role::StreetLeader, Role::DistrictSupervisor, Role::StreetLeader]);
}

#[test]
fn steps_come_in_order() {
    use AssistanceAction as A;
    use AssistanceStatus as S;
    let now = "2026-11-12T09:00:00+08:00";
    let table: Vec<(Sim, AssistanceCommand, AssistanceError)> = vec![
        (submitted(), approve(), invalid(A::Approve, S::Submitted)),
        (submitted(), deliver("x"), invalid(A::Deliver, S::Submitted)),
        (under_review(), review(), invalid(A::StartReview, S::UnderReview)),
        (under_review(), deliver("x"), invalid(A::Deliver, S::UnderReview)),
        (approved(), review(), invalid(A::StartReview, S::Approved)),
        (approved(), approve(), invalid(A::Approve, S::Approved)),
        (approved(), reject("x"), invalid(A::Reject, S::Approved)),
        (delivered(), deliver("x"), invalid(A::Deliver, S::Delivered)),
        (delivered(), approve(), invalid(A::Approve, S::Delivered)),
        (delivered(), review(), invalid(A::StartReview, S::Delivered)),
    ];
    for (mut sim, cmd, expected) in table {
        let shown = format!("{cmd:?}");
        assert_eq!(sim.err(now, &staff(), cmd), expected, "{shown}");
    }
}

#[test]
fn notes_come_from_anyone_who_sees_it_except_inspectors_and_the_system() {
    let now = "2026-11-12T09:00:00+08:00";
    for mut sim in [submitted(), under_review(), approved(), delivered()] {
        let mut notes = 0;
        for who in [liaison(), co_liaison(), covering_liaison(), staff(), dispatcher(), leader(), supervisor()] {
            let events = sim.ok(now, &who, add_note("已电话联系家属"));
            assert_eq!(types(&events), ["note_added"]);
            notes += 1;
            assert_eq!(sim.r().notes, notes);
        }
        for who in [inspector(), system()] {
            assert_eq!(sim.err(now, &who, add_note("检查")), denied(AssistanceAction::AddNote, who.role));
        }
        assert_field(&sim.err(now, &staff(), add_note(" ")), "text", "field_required");
        assert_field(&sim.err(now, &staff(), add_note(&"记".repeat(1001))), "text", "field_too_long");
        sim.ok(now, &staff(), add_note(&"记".repeat(1000)));
        match &sim.events.last().unwrap().data {
            AssistanceEventData::NoteAdded { text } => assert_eq!(text.chars().count(), 1000),
            other => panic!("{other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Field rules
// ---------------------------------------------------------------------------------------------

#[test]
fn new_requests_are_validated_field_by_field() {
    let now = "2026-11-02T09:00:00+08:00";
    let who = supervisor();
    let cases: Vec<(NewAssistance, &str, &str)> = vec![
        (NewAssistance { description: String::new(), ..walking_frame() }, "description", "field_required"),
        (NewAssistance { description: " \n\t ".into(), ..walking_frame() }, "description", "field_required"),
        (NewAssistance { description: "长".repeat(2001), ..walking_frame() }, "description", "field_too_long"),
        (NewAssistance { description: "王\u{7}大爷".into(), ..walking_frame() }, "description", "field_malformed"),
        (NewAssistance { requested: Some("助".repeat(201)), ..walking_frame() }, "requested", "field_too_long"),
        (NewAssistance { unit_name: "  ".into(), ..walking_frame() }, "unit_name", "field_required"),
        (
            // 东华门街道's community under 东直门街道.
            NewAssistance { community: community_code("110101001003"), ..walking_frame() },
            "community_code",
            "field_unknown",
        ),
        (
            // A 西城区 street filed under 东城区.
            NewAssistance {
                street: street_code("110102001"),
                community: community_code("110102001001"),
                ..walking_frame()
            },
            "street_code",
            "field_unknown",
        ),
    ];
    for (n, field, code) in cases {
        let mut sim = Sim::default();
        let e = sim.err(now, &who, submit(n));
        assert_field(&e, field, code);
        assert_eq!(sim.state, None);
    }

    // Exactly at the limits, and cleaned on the way in.
    let mut sim = Sim::default();
    sim.ok(
        now,
        &who,
        submit(NewAssistance {
            description: format!("  {}  ", "长".repeat(2000)),
            requested: Some("助".repeat(200)),
            household: Some("  hh-0042 ".into()),
            visit: Some("   ".into()),
            unit_name: " 民生保障办公室 ".into(),
            ..walking_frame()
        }),
    );
    let r = sim.r();
    assert_eq!(r.description.chars().count(), 2000);
    assert_eq!(r.requested.as_ref().unwrap().chars().count(), 200);
    assert_eq!(r.household.as_deref(), Some("hh-0042"));
    assert_eq!(r.visit, None, "a blank visit id is none");
    assert_eq!(r.unit_name, "民生保障办公室");
    match &sim.events[0].data {
        AssistanceEventData::Submitted { request, .. } => {
            assert_eq!(request.household.as_deref(), Some("hh-0042"), "the event carries the cleaned request")
        }
        other => panic!("{other:?}"),
    }
    let mut sim = Sim::default();
    sim.ok(now, &who, submit(NewAssistance { requested: Some(" ".into()), ..walking_frame() }));
    assert_eq!(sim.r().requested, None);
}

#[test]
fn step_texts_are_validated() {
    let now = "2026-11-05T09:00:00+08:00";
    let mut sim = submitted();
    let e = sim.err(now, &staff(), AssistanceCommand::StartReview { note: Some("审".repeat(1001)) });
    assert_field(&e, "note", "field_too_long");
    sim.ok(now, &staff(), AssistanceCommand::StartReview { note: Some("  ".into()) });
    assert_eq!(sim.r().review_note, None);
    let e = sim.err(now, &staff(), AssistanceCommand::Approve { note: Some("批\u{0}".into()) });
    assert_field(&e, "note", "field_malformed");
    sim.ok(now, &staff(), AssistanceCommand::Approve { note: None });
    assert_eq!(sim.r().approval_note, None);
    assert_field(&sim.err(now, &staff(), deliver("")), "note", "field_required");
    assert_field(&sim.err(now, &staff(), deliver(&"送".repeat(1001))), "note", "field_too_long");
    sim.ok(now, &staff(), deliver("已送达"));
}

// ---------------------------------------------------------------------------------------------
// 5. The ticker
// ---------------------------------------------------------------------------------------------

#[test]
fn ticker_warns_then_reports_overdue_once_per_clock() {
    use AssistanceClock as K;
    // Home care, Mon 2 Nov 09:00 + 5 working days = Mon 9 Nov 09:00. Working time 120 h; a
    // quarter (30 h) is left at 03:00 on Fri 6 Nov (9 h of Monday + 21 h of Friday).
    let mut sim = submitted_by(&liaison(), "2026-11-02T09:00:00+08:00", of_kind(AssistanceKind::HomeCare));
    assert_eq!(sim.r().decision.due, at("2026-11-09T09:00:00+08:00"));
    assert_eq!(sim.r().decision.warn_at, at("2026-11-06T03:00:00+08:00"));

    assert_eq!(sim.tick("2026-11-06T02:59:59+08:00"), []);
    assert_eq!(sim.tick("2026-11-06T03:00:00+08:00"), [warned(K::Decision)]);
    assert!(sim.r().decision.warned);
    assert_eq!(sim.r().next_alert_at(), Some(at("2026-11-09T09:00:00+08:00")));
    assert_eq!(sim.tick("2026-11-06T12:00:00+08:00"), []);
    assert_eq!(sim.tick("2026-11-09T08:59:59+08:00"), []);
    assert!(!sim.r().is_overdue());
    assert_eq!(sim.tick("2026-11-09T09:00:00+08:00"), [overdue(K::Decision)], "the due instant is overdue");
    assert!(sim.r().is_overdue());
    assert_eq!(sim.r().next_alert_at(), None);
    assert_eq!(sim.tick("2026-11-09T09:01:00+08:00"), [], "overdue is reported once");
    assert_eq!(sim.tick("2026-11-20T09:00:00+08:00"), []);

    // Review does not meet the decision clock: still overdue.
    sim.ok("2026-11-10T10:00:00+08:00", &staff(), review());
    assert!(sim.r().is_overdue());
    assert_eq!(sim.tick("2026-11-10T11:00:00+08:00"), []);

    // A late decision: met, late, and no longer overdue; the delivery clock runs.
    sim.ok("2026-11-10T15:00:00+08:00", &staff(), approve());
    assert!(sim.r().decision.late());
    assert!(!sim.r().is_overdue());
    let d = sim.r().delivery.clone().unwrap();
    // Tue 10 Nov 15:00 + 10 working days = Tue 24 Nov 15:00.
    assert_eq!(d.due, at("2026-11-24T15:00:00+08:00"));
    assert_eq!(sim.r().next_alert_at(), Some(d.warn_at));

    // The ticker was away: one tick finds the warning and the due both passed.
    assert_eq!(sim.tick("2026-11-25T09:00:00+08:00"), [warned(K::Delivery), overdue(K::Delivery)]);
    assert!(sim.r().is_overdue());
    assert_eq!(sim.tick("2026-11-25T09:00:00+08:00"), [], "a second tick emits nothing");
    assert_eq!(sim.tick("2026-12-25T09:00:00+08:00"), []);
    sim.ok("2026-11-26T09:00:00+08:00", &staff(), deliver("已安排护理员每周两次上门"));
    assert!(sim.r().delivery.as_ref().unwrap().late());
    assert!(!sim.r().is_overdue());
    assert_eq!(sim.tick("2026-12-31T09:00:00+08:00"), []);

    let alerts: Vec<&AssistanceEventData> = sim
        .events
        .iter()
        .map(|e| &e.data)
        .filter(|d| matches!(d, AssistanceEventData::Warned { .. } | AssistanceEventData::Overdue { .. }))
        .collect();
    assert_eq!(
        alerts,
        [&warned(K::Decision), &overdue(K::Decision), &warned(K::Delivery), &overdue(K::Delivery)],
        "each clock warned once and reported overdue once"
    );
    assert!(sim
        .events
        .iter()
        .filter(|e| matches!(e.data, AssistanceEventData::Warned { .. }))
        .all(|e| e.by.role == Role::System));
}

#[test]
fn only_the_districts_system_ticks() {
    let mut sim = submitted();
    let later = "2026-12-01T09:00:00+08:00";
    for who in [leader(), staff(), supervisor(), inspector()] {
        assert_eq!(sim.err(later, &who, AssistanceCommand::Tick), denied(AssistanceAction::Tick, who.role));
    }
    assert_eq!(sim.err(later, &foreign_system(), AssistanceCommand::Tick), AssistanceError::NotFound);
    assert_eq!(sim.r().version, 1);
    assert_eq!(sim.tick(later), [warned(AssistanceClock::Decision), overdue(AssistanceClock::Decision)]);
}

#[test]
fn a_decision_a_second_before_its_due_is_on_time_and_at_its_due_is_late() {
    let due = submitted().r().decision.due;
    for (offset, late) in [(-1, false), (0, true)] {
        let mut sim = under_review();
        sim.attempt_at(due + Duration::seconds(offset), &staff(), &approve()).unwrap();
        assert_eq!(sim.r().decision.late(), late, "offset {offset}s");
    }
}

// ---------------------------------------------------------------------------------------------
// 6. What each actor is offered
// ---------------------------------------------------------------------------------------------

#[test]
fn allowed_actions_follow_role_and_status() {
    use AssistanceAction as A;
    let now = "2026-11-05T09:00:00+08:00";
    let check = |sim: &Sim, table: Vec<(Actor, Vec<AssistanceAction>)>| {
        for (who, expected) in table {
            assert_eq!(sim.allowed(now, &who), expected, "{} in {:?}", who.user_id, sim.status());
        }
    };
    check(
        &submitted(),
        vec![
            (liaison(), vec![A::Withdraw, A::AddNote]),
            (co_liaison(), vec![A::AddNote]),
            (staff(), vec![A::StartReview, A::AddNote]),
            (leader(), vec![A::StartReview, A::Withdraw, A::AddNote]),
            (supervisor(), vec![A::StartReview, A::AddNote]),
            (dispatcher(), vec![A::AddNote]),
            (inspector(), vec![]),
            (system(), vec![]),
            (other_liaison(), vec![]),
            (cm_staff(), vec![]),
        ],
    );
    check(
        &under_review(),
        vec![
            (liaison(), vec![A::Withdraw, A::AddNote]),
            (staff(), vec![A::Approve, A::Reject, A::AddNote]),
            (leader(), vec![A::Approve, A::Reject, A::Withdraw, A::AddNote]),
            (supervisor(), vec![A::Approve, A::Reject, A::AddNote]),
            (dispatcher(), vec![A::AddNote]),
        ],
    );
    check(
        &approved(),
        vec![
            (liaison(), vec![A::AddNote]),
            (staff(), vec![A::Deliver, A::AddNote]),
            (leader(), vec![A::Deliver, A::AddNote]),
            (inspector(), vec![]),
        ],
    );
    check(&delivered(), vec![(staff(), vec![A::AddNote]), (leader(), vec![A::AddNote]), (liaison(), vec![A::AddNote])]);
}

// ---------------------------------------------------------------------------------------------
// 7. Names, codes and storage
// ---------------------------------------------------------------------------------------------

#[test]
fn names_and_error_codes_are_stable() {
    use AssistanceAction as A;
    let actions = [
        (A::Submit, "submit"),
        (A::StartReview, "start-review"),
        (A::Approve, "approve"),
        (A::Reject, "reject"),
        (A::Deliver, "deliver"),
        (A::Withdraw, "withdraw"),
        (A::AddNote, "add-note"),
        (A::Tick, "tick"),
    ];
    for (a, s) in actions {
        assert_eq!(a.as_str(), s);
        assert_eq!(a.to_string(), s);
        assert_eq!(A::parse(s), Some(a));
        assert_eq!(serde_json::to_value(a).unwrap(), serde_json::json!(s));
    }
    assert_eq!(A::parse("start_review"), None);
    let statuses = ["submitted", "under_review", "approved", "rejected", "delivered", "withdrawn"];
    assert_eq!(AssistanceStatus::ALL.map(AssistanceStatus::as_str), statuses);
    for s in AssistanceStatus::ALL {
        assert_eq!(AssistanceStatus::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.as_str()));
        let open =
            matches!(s, AssistanceStatus::Submitted | AssistanceStatus::UnderReview | AssistanceStatus::Approved);
        assert_eq!(s.is_open(), open, "{s:?}");
    }
    assert_eq!(AssistanceClock::Decision.as_str(), "decision");
    assert_eq!(AssistanceClock::Delivery.as_str(), "delivery");

    let codes = [
        (AssistanceError::NotFound, "assistance_not_found"),
        (AssistanceError::AlreadyExists, "assistance_exists"),
        (denied(A::Approve, Role::Liaison), "role_not_permitted"),
        (invalid(A::Deliver, AssistanceStatus::Submitted), "assistance_invalid_state"),
        (AssistanceError::Field(FieldError::required("description")), "field_required"),
        (AssistanceError::Field(FieldError::new("description", FieldRule::TooLong { max: 2000 })), "field_too_long"),
        (AssistanceError::Field(FieldError::unknown("community_code")), "field_unknown"),
    ];
    for (e, code) in codes {
        assert_code(&e, code);
        assert!(!e.to_string().is_empty());
    }

    let id = request_id();
    assert_eq!(AssistanceId::parse(&id.to_string()), Some(id));
    assert_eq!(AssistanceId::parse("not-a-uuid"), None);
    assert_eq!(serde_json::to_value(id).unwrap(), serde_json::json!(id.to_string()));
}

#[test]
fn events_and_state_survive_storage_as_json() {
    let mut sim = delivered();
    sim.ok("2026-11-11T09:00:00+08:00", &liaison(), add_note("回访满意"));
    let json = serde_json::to_value(&sim.events).unwrap();
    assert_eq!(json[0]["type"], "submitted");
    assert_eq!(json[0]["request"]["kind"], "assistive_device");
    assert_eq!(json[0]["request"]["community"], COMMUNITY);
    assert_eq!(json[0]["decision"]["clock"], "decision");
    assert_eq!(json[0]["by"]["role"], "liaison");
    assert_eq!(json[1]["type"], "review_started");
    assert_eq!(json[2]["type"], "approved");
    assert_eq!(json[2]["delivery"]["clock"], "delivery");
    assert_eq!(json[3]["type"], "delivered");
    assert_eq!(json[4]["type"], "note_added");
    assert_eq!(json[4]["text"], "回访满意");
    for (e, j) in sim.events.iter().zip(json.as_array().unwrap()) {
        assert_eq!(j["type"], e.data.type_name());
    }
    let back: Vec<AssistanceEvent> = serde_json::from_value(json).unwrap();
    assert_eq!(back, sim.events);
    assert_eq!(fold(&back), sim.state);
    let state: AssistanceRequest = serde_json::from_str(&serde_json::to_string(sim.r()).unwrap()).unwrap();
    assert_eq!(&state, sim.r());
    let tick = AssistanceEvent {
        at: at("2026-11-11T09:00:00+08:00"),
        by: system().as_ref(),
        data: overdue(AssistanceClock::Delivery),
    };
    let j = serde_json::to_value(&tick).unwrap();
    assert_eq!((j["type"].as_str(), j["clock"].as_str()), (Some("overdue"), Some("delivery")));
}

#[test]
fn evolve_ignores_events_without_a_request_and_a_second_submission() {
    let sim = submitted();
    let stray = AssistanceEvent {
        at: at("2026-11-02T09:00:00+08:00"),
        by: staff().as_ref(),
        data: warned(AssistanceClock::Decision),
    };
    assert_eq!(evolve(None, &stray), None);
    let again = evolve(sim.state.clone(), &sim.events[0]).unwrap();
    assert_eq!(again.status, AssistanceStatus::Submitted);
    assert_eq!(again.version, 2, "every event counts towards the version");
    // An alert for a clock that has not started changes nothing but the version.
    let early = AssistanceEvent { data: overdue(AssistanceClock::Delivery), ..stray };
    let after = evolve(sim.state.clone(), &early).unwrap();
    assert_eq!(after.delivery, None);
    assert_eq!(after.decision, sim.r().decision);
}

// ---------------------------------------------------------------------------------------------
// 8. Properties over random command sequences
// ---------------------------------------------------------------------------------------------

mod props {
    use super::*;
    use proptest::prelude::*;

    pub fn pool() -> Vec<Actor> {
        vec![
            liaison(),
            co_liaison(),
            covering_liaison(),
            reassigned_liaison(),
            other_liaison(),
            staff(),
            cm_staff(),
            other_street_staff(),
            dispatcher(),
            leader(),
            other_street_leader(),
            supervisor(),
            inspector(),
            dept_staff(),
            resident(),
            system(),
            foreign_supervisor(),
            foreign_system(),
        ]
    }

    #[derive(Debug, Clone)]
    pub enum Who {
        Plausible(u8),
        Pool(usize),
    }

    // Test plans are built once per step; boxing would only add noise.
    #[allow(clippy::large_enum_variant)]
    #[derive(Debug, Clone)]
    pub enum Plan {
        Cmd(AssistanceCommand),
        Next(u32),
    }

    #[derive(Debug, Clone)]
    pub struct Step {
        pub plan: Plan,
        pub who: Who,
        pub minutes_later: i64,
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            14 => "[a-z\u{4e00}-\u{4e30}]{1,12}",
            1 => Just(String::new()),
            1 => Just(" \t ".to_string()),
            1 => Just("长".repeat(1001)),
            1 => Just("长".repeat(2001)),
            1 => Just("助\u{7}行".to_string()),
        ]
    }

    fn kind() -> impl Strategy<Value = AssistanceKind> {
        proptest::sample::select(AssistanceKind::ALL.to_vec())
    }

    fn any_new() -> impl Strategy<Value = NewAssistance> {
        let street = prop_oneof![8 => Just(STREET), 1 => Just(OTHER_STREET), 1 => Just("110102001")];
        let community = prop_oneof![
            6 => Just(COMMUNITY),
            2 => Just(OTHER_COMMUNITY),
            1 => Just("110101001003"),
            1 => Just("110102001001"),
        ];
        let unit_id = prop_oneof![6 => Just(UNIT), 1 => Just(CM_UNIT), 1 => Just(OTHER_STREET_UNIT)];
        (kind(), street, community, unit_id, text(), proptest::option::of(text()), text()).prop_map(
            |(kind, street, community, unit_id, description, requested, unit_name)| NewAssistance {
                kind,
                street: street_code(street),
                community: community_code(community),
                unit: unit(unit_id),
                description,
                requested,
                unit_name,
                ..walking_frame()
            },
        )
    }

    fn command() -> impl Strategy<Value = AssistanceCommand> {
        use AssistanceCommand as C;
        prop_oneof![
            2 => any_new().prop_map(C::Submit),
            2 => proptest::option::of(text()).prop_map(|note| C::StartReview { note }),
            2 => proptest::option::of(text()).prop_map(|note| C::Approve { note }),
            2 => text().prop_map(|reason| C::Reject { reason }),
            2 => text().prop_map(|note| C::Deliver { note }),
            2 => text().prop_map(|reason| C::Withdraw { reason }),
            2 => text().prop_map(|text| C::AddNote { text }),
            4 => Just(C::Tick),
        ]
    }

    fn step() -> impl Strategy<Value = Step> {
        let plan = prop_oneof![1 => command().prop_map(Plan::Cmd), 2 => any::<u32>().prop_map(Plan::Next)];
        let who = prop_oneof![5 => any::<u8>().prop_map(Who::Plausible), 2 => (0..pool().len()).prop_map(Who::Pool)];
        // Up to about a month between steps, so clocks warn and run out.
        let minutes = prop_oneof![3 => Just(0i64), 4 => 1..=600i64, 3 => 601..=7200i64, 1 => 7201..=43200i64];
        (plan, who, minutes).prop_map(|(plan, who, minutes_later)| Step { plan, who, minutes_later })
    }

    const STARTS: [&str; 5] = [
        "2026-09-25T10:00:00+08:00",
        "2026-09-30T08:30:00+08:00",
        "2026-02-12T10:00:00+08:00",
        "2026-11-02T09:00:00+08:00",
        "2026-12-28T17:00:00+08:00",
    ];

    /// The next sensible command for the request as it stands.
    fn next_command(r: Option<&AssistanceRequest>, salt: u32, kind: AssistanceKind) -> AssistanceCommand {
        use AssistanceCommand as C;
        use AssistanceStatus as S;
        let Some(r) = r else {
            return C::Submit(of_kind(kind));
        };
        match (r.status, salt % 10) {
            (_, 0) => C::Tick,
            (_, 1) => C::AddNote { text: "电话联系家属".into() },
            (S::Submitted, 2) => C::Withdraw { reason: "家属已解决".into() },
            (S::Submitted, _) => C::StartReview { note: None },
            (S::UnderReview, 2) => C::Withdraw { reason: "重复申请".into() },
            (S::UnderReview, 3 | 4) => C::Reject { reason: "不符合条件".into() },
            (S::UnderReview, _) => C::Approve { note: None },
            (S::Approved, 2 | 3) => C::Tick,
            (S::Approved, _) => C::Deliver { note: "已送达".into() },
            (S::Rejected | S::Delivered | S::Withdrawn, _) => C::Tick,
        }
    }

    /// The actor a user interface would offer the command to, now and then someone else.
    fn plausible(cmd: &AssistanceCommand, salt: u8) -> Actor {
        use AssistanceCommand as C;
        let pick = |v: Vec<Actor>| v[salt as usize % v.len()].clone();
        match cmd {
            C::Submit(_) => pick(vec![liaison(), staff(), dispatcher(), leader(), supervisor(), covering_liaison()]),
            C::StartReview { .. } | C::Approve { .. } | C::Reject { .. } | C::Deliver { .. } => {
                pick(vec![staff(), staff(), staff(), leader(), supervisor(), dispatcher(), liaison()])
            }
            C::Withdraw { .. } => pick(vec![liaison(), staff(), dispatcher(), leader(), supervisor(), co_liaison()]),
            C::AddNote { .. } => pick(vec![liaison(), staff(), dispatcher(), inspector(), other_liaison()]),
            C::Tick => pick(vec![system(), system(), system(), system(), inspector()]),
        }
    }

    // --- An independent model of the rules -------------------------------------------------

    fn text_ok(s: &str, max: usize) -> bool {
        let v = s.trim();
        !v.is_empty()
            && !v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            && v.chars().count() <= max
    }
    fn opt_ok(s: Option<&str>, max: usize) -> bool {
        s.is_none_or(|s| s.trim().is_empty() || text_ok(s, max))
    }

    /// The first bad input field of a command, in the order the rules check them.
    fn bad_field(cmd: &AssistanceCommand) -> Option<&'static str> {
        use AssistanceCommand as C;
        let checks: Vec<(bool, &'static str)> = match cmd {
            C::Submit(n) => vec![
                (n.street.district() == n.district, "street_code"),
                (n.community.street() == n.street, "community_code"),
                (opt_ok(n.household.as_deref(), 64), "household"),
                (opt_ok(n.visit.as_deref(), 64), "visit"),
                (text_ok(&n.description, 2000), "description"),
                (opt_ok(n.requested.as_deref(), 200), "requested"),
                (text_ok(&n.unit_name, 200), "unit_name"),
            ],
            C::StartReview { note } | C::Approve { note } => vec![(opt_ok(note.as_deref(), 1000), "note")],
            C::Reject { reason } | C::Withdraw { reason } => vec![(text_ok(reason, 1000), "reason")],
            C::Deliver { note } => vec![(text_ok(note, 1000), "note")],
            C::AddNote { text } => vec![(text_ok(text, 1000), "text")],
            C::Tick => vec![],
        };
        checks.into_iter().find(|(ok, _)| !ok).map(|(_, f)| f)
    }

    fn visible(a: &Actor, r: &AssistanceRequest) -> bool {
        a.district == r.district
            && match (a.role, &a.scope) {
                (Role::DistrictSupervisor | Role::Inspector | Role::System, Scope::District { code }) => {
                    *code == r.district
                }
                (Role::StreetLeader | Role::Dispatcher, Scope::Street { code }) => *code == r.street,
                (Role::Liaison, Scope::Community { covers, .. }) => covers.contains(&r.community),
                (Role::UnitStaff, Scope::Unit { id, .. }) => *id == r.unit,
                _ => false,
            }
    }

    fn may_submit(a: &Actor, n: &NewAssistance) -> bool {
        a.district == n.district
            && match (a.role, &a.scope) {
                (Role::Liaison, Scope::Community { covers, .. }) => covers.contains(&n.community),
                (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => *code == n.street,
                (Role::UnitStaff, Scope::Unit { id, street }) => *id == n.unit && *street == n.street,
                (Role::DistrictSupervisor, Scope::District { code }) => *code == n.district,
                _ => false,
            }
    }

    fn handles(a: &Actor, r: &AssistanceRequest) -> bool {
        match (a.role, &a.scope) {
            (Role::UnitStaff, Scope::Unit { id, .. }) => *id == r.unit,
            (Role::StreetLeader, Scope::Street { code }) => *code == r.street,
            (Role::DistrictSupervisor, Scope::District { code }) => *code == r.district,
            _ => false,
        }
    }

    /// What the model expects: `Ok(())` for acceptance, or the error code (and field).
    fn judge(
        r: Option<&AssistanceRequest>,
        cmd: &AssistanceCommand,
        a: &Actor,
    ) -> Result<(), (String, Option<&'static str>)> {
        use AssistanceCommand as C;
        use AssistanceStatus as S;
        let fail = |code: &str| Err((code.to_string(), None));
        let r = match (r, cmd) {
            (None, C::Submit(n)) => {
                if !may_submit(a, n) {
                    return fail("role_not_permitted");
                }
                return bad_field(cmd).map_or(Ok(()), |f| Err(("field".into(), Some(f))));
            }
            (Some(_), C::Submit(_)) => return fail("assistance_exists"),
            (None, _) => return fail("assistance_not_found"),
            (Some(r), _) => r,
        };
        if !visible(a, r) {
            return fail("assistance_not_found");
        }
        let (role_ok, states): (bool, &[S]) = match cmd {
            C::Submit(_) => unreachable!(),
            C::StartReview { .. } => (handles(a, r), &[S::Submitted]),
            C::Approve { .. } | C::Reject { .. } => (handles(a, r), &[S::UnderReview]),
            C::Deliver { .. } => (handles(a, r), &[S::Approved]),
            C::Withdraw { .. } => (
                a.user_id == r.submitted_by.user_id
                    || matches!((a.role, &a.scope), (Role::StreetLeader, Scope::Street { code }) if *code == r.street),
                &[S::Submitted, S::UnderReview],
            ),
            C::AddNote { .. } => (!matches!(a.role, Role::Inspector | Role::System), &S::ALL),
            C::Tick => (a.role == Role::System, &S::ALL),
        };
        if !role_ok {
            return fail("role_not_permitted");
        }
        if !states.contains(&r.status) {
            return fail("assistance_invalid_state");
        }
        bad_field(cmd).map_or(Ok(()), |f| Err(("field".into(), Some(f))))
    }

    /// The status an event leads to from `before`, if the transition is legal at all.
    fn transition(before: Option<AssistanceStatus>, e: &AssistanceEventData) -> Option<AssistanceStatus> {
        use AssistanceEventData as E;
        use AssistanceStatus as S;
        match (before, e) {
            (None, E::Submitted { .. }) => Some(S::Submitted),
            (Some(S::Submitted), E::ReviewStarted { .. }) => Some(S::UnderReview),
            (Some(S::UnderReview), E::Approved { .. }) => Some(S::Approved),
            (Some(S::UnderReview), E::Rejected { .. }) => Some(S::Rejected),
            (Some(S::Approved), E::Delivered { .. }) => Some(S::Delivered),
            (Some(S::Submitted | S::UnderReview), E::Withdrawn { .. }) => Some(S::Withdrawn),
            (Some(s), E::NoteAdded { .. }) => Some(s),
            (Some(s @ (S::Submitted | S::UnderReview)), E::Warned { clock: AssistanceClock::Decision })
            | (Some(s @ (S::Submitted | S::UnderReview)), E::Overdue { clock: AssistanceClock::Decision }) => Some(s),
            (Some(S::Approved), E::Warned { clock: AssistanceClock::Delivery })
            | (Some(S::Approved), E::Overdue { clock: AssistanceClock::Delivery }) => Some(S::Approved),
            _ => None,
        }
    }

    fn clock_of(r: &AssistanceRequest, c: AssistanceClock) -> Option<&AssistanceDeadline> {
        match c {
            AssistanceClock::Decision => Some(&r.decision),
            AssistanceClock::Delivery => r.delivery.as_ref(),
        }
    }

    /// What must hold of every state, whatever led to it.
    fn check_state(r: &AssistanceRequest, events: &[AssistanceEvent]) {
        use AssistanceStatus as S;
        assert_eq!(r.delivery.is_some(), matches!(r.status, S::Approved | S::Delivered), "{r:?}");
        assert_eq!(r.decision.met_at.is_some(), matches!(r.status, S::Approved | S::Rejected | S::Delivered));
        assert_eq!(r.delivery.as_ref().is_some_and(|d| d.met_at.is_some()), r.status == S::Delivered);
        if !r.status.is_open() {
            assert_eq!(r.next_alert_at(), None, "an ended request never alerts");
            assert!(!r.is_overdue());
        }
        for c in [AssistanceClock::Decision, AssistanceClock::Delivery] {
            let count = |f: fn(&AssistanceEventData) -> bool| events.iter().filter(|e| f(&e.data)).count();
            let (w, o) = match c {
                AssistanceClock::Decision => (
                    count(|d| matches!(d, AssistanceEventData::Warned { clock: AssistanceClock::Decision })),
                    count(|d| matches!(d, AssistanceEventData::Overdue { clock: AssistanceClock::Decision })),
                ),
                AssistanceClock::Delivery => (
                    count(|d| matches!(d, AssistanceEventData::Warned { clock: AssistanceClock::Delivery })),
                    count(|d| matches!(d, AssistanceEventData::Overdue { clock: AssistanceClock::Delivery })),
                ),
            };
            assert!(w <= 1 && o <= 1, "{c:?} warned {w}×, overdue {o}×");
            assert!(o == 0 || w == 1, "{c:?} went overdue without a warning");
            if let Some(d) = clock_of(r, c) {
                assert_eq!((d.warned, d.overdue), (w == 1, o == 1));
                assert!(d.start <= d.warn_at && d.warn_at <= d.due);
            } else {
                assert_eq!((w, o), (0, 0));
            }
        }
        assert_eq!(
            r.notes as usize,
            events.iter().filter(|e| matches!(e.data, AssistanceEventData::NoteAdded { .. })).count()
        );
    }

    fn run(kind: AssistanceKind, start: Timestamp, steps: &[Step]) {
        let pool = pool();
        let mut sim = Sim::default();
        let mut now = start;
        for step in steps {
            now += Duration::minutes(step.minutes_later);
            let cmd = match &step.plan {
                Plan::Cmd(c) => c.clone(),
                Plan::Next(salt) => next_command(sim.state.as_ref(), *salt, kind),
            };
            let who = match step.who {
                Who::Plausible(salt) => plausible(&cmd, salt),
                Who::Pool(i) => pool[i].clone(),
            };
            let before = sim.state.clone();
            let expected = judge(before.as_ref(), &cmd, &who);
            let result = sim.attempt_at(now, &who, &cmd);
            match (&expected, &result) {
                (Ok(()), Ok(events)) => {
                    // Every event is a legal move, replayed one at a time.
                    let mut status = before.as_ref().map(|r| r.status);
                    for e in events {
                        let next = transition(status, &e.data);
                        assert!(next.is_some(), "illegal {:?} from {status:?}", e.data.type_name());
                        status = next;
                    }
                    assert_eq!(status, sim.state.as_ref().map(|r| r.status));
                    if cmd == AssistanceCommand::Tick {
                        // The ticker leaves nothing due behind it.
                        let r = sim.r();
                        for d in [Some(&r.decision), r.delivery.as_ref()].into_iter().flatten() {
                            let running = d.met_at.is_none() && r.status.is_open();
                            let clock_runs = match d.clock {
                                AssistanceClock::Decision => r.status != AssistanceStatus::Approved,
                                AssistanceClock::Delivery => r.status == AssistanceStatus::Approved,
                            };
                            if running && clock_runs {
                                assert!(d.warned || now < d.warn_at, "{d:?} at {now}");
                                assert!(d.overdue || now < d.due, "{d:?} at {now}");
                            }
                        }
                    } else {
                        assert!(!events.is_empty(), "{cmd:?} accepted but did nothing");
                        assert!(events.iter().all(|e| !matches!(
                            e.data,
                            AssistanceEventData::Warned { .. } | AssistanceEventData::Overdue { .. }
                        )));
                    }
                    if let Some(AssistanceEventData::Submitted { request, decision }) = events.first().map(|e| &e.data)
                    {
                        assert_eq!(decision.due, request.kind.policy().decision.due_from(now, cal()));
                    }
                }
                (Err((code, field)), Err(e)) => match (field, e) {
                    (Some(f), AssistanceError::Field(fe)) => assert_eq!(&fe.field, f, "{cmd:?}"),
                    (None, e) => assert_eq!(e.code(), code, "{cmd:?} by {}", who.user_id),
                    (Some(f), e) => panic!("expected a field error on {f}, got {e:?} for {cmd:?}"),
                },
                (expected, got) => panic!(
                    "{cmd:?} by {} in {:?}: model {expected:?}, decider {:?}",
                    who.user_id,
                    before.as_ref().map(|r| r.status),
                    got.as_ref().map(|e| types(e))
                ),
            }
            if let Some(r) = &sim.state {
                check_state(r, &sim.events);
                // Offered actions are exactly those the model accepts with sample arguments.
                let sample = |s: &str| s.to_string();
                let offered: Vec<AssistanceAction> = [
                    AssistanceCommand::StartReview { note: None },
                    AssistanceCommand::Approve { note: None },
                    AssistanceCommand::Reject { reason: sample("不符合条件") },
                    AssistanceCommand::Deliver { note: sample("已送达") },
                    AssistanceCommand::Withdraw { reason: sample("不需要了") },
                    AssistanceCommand::AddNote { text: sample("已联系") },
                ]
                .into_iter()
                .filter(|c| judge(Some(r), c, &who).is_ok())
                .map(|c| c.action())
                .collect();
                assert_eq!(allowed_actions(r, &who, &env(now)), offered, "{} in {:?}", who.user_id, r.status);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(384))]

        #[test]
        fn random_sequences_keep_the_rules(
            kind in kind(),
            start in 0..STARTS.len(),
            offset in 0..4320i64,
            steps in proptest::collection::vec(step(), 1..=40),
        ) {
            run(kind, at(STARTS[start]) + Duration::minutes(offset), &steps);
        }

        /// A request left alone and ticked at random times: each clock warns once and goes
        /// overdue once, in that order, and never again.
        #[test]
        fn ticking_alone_reports_each_alert_once(
            kind in kind(),
            start in 0..STARTS.len(),
            gaps in proptest::collection::vec(0..10_000i64, 1..30),
        ) {
            let start = at(STARTS[start]);
            let mut sim = Sim::default();
            sim.attempt_at(start, &liaison(), &submit(of_kind(kind))).unwrap();
            let mut now = start;
            for gap in gaps {
                now += Duration::minutes(gap);
                sim.attempt_at(now, &system(), &AssistanceCommand::Tick).unwrap();
                let d = &sim.r().decision;
                prop_assert_eq!(d.warned, now >= d.warn_at);
                prop_assert_eq!(d.overdue, now >= d.due);
                prop_assert_eq!(sim.r().is_overdue(), now >= d.due);
            }
            check_state(sim.r(), &sim.events);
            let alerts: Vec<_> = sim.events[1..].iter().map(|e| e.data.clone()).collect();
            let expected: Vec<_> = [warned(AssistanceClock::Decision), overdue(AssistanceClock::Decision)]
                .into_iter()
                .take(alerts.len())
                .collect();
            prop_assert_eq!(alerts, expected);
        }
    }
}
