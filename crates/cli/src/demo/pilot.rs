//! The community liaison pilot of 2018 as demo data: 25 liaisons in 东直门、东四、朝阳门 (one per
//! community), the households in their care, and 100 days of visits that raise cases and hardship
//! assistance — every case and request played through the real deciders.

use super::{actor, random_address, random_reporter, Assistance, CaseSpec, Replay, DEMO_COMMUNITY};
use chrono::{Duration, NaiveDate};
use chuishao_domain::assistance::{AssistanceCommand, AssistanceEvent, AssistanceId, AssistanceKind, NewAssistance};
use chuishao_domain::calendar::{local_date, start_of_day};
use chuishao_domain::case::Channel;
use chuishao_domain::catalog::Owner;
use chuishao_domain::liaison::{next_visit_due, CareFlag, Household, VisitNotes, VisitPolicy};
use chuishao_domain::{Actor, CaseId, CommunityCode, Role, Scope, Timestamp, WorkCalendar};
pub(crate) use chuishao_store::Visit;
use chuishao_store::{OrgData, StoredHousehold};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The three streets of the 2018 pilot: 东直门、东四、朝阳门.
pub const PILOT_STREETS: [&str; 3] = ["110101009", "110101006", "110101007"];
/// How many days the pilot ran.
pub const PILOT_DAYS: i64 = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct PilotLiaison {
    pub user_id: String,
    pub username: String,
    pub name: String,
    pub community: CommunityCode,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pilot {
    pub liaisons: Vec<PilotLiaison>,
    pub households: Vec<StoredHousehold>,
    pub visits: Vec<Visit>,
    pub assistance: Vec<Vec<AssistanceEvent>>,
    /// Cases raised on visits, received when the visit happened; numbered and played with the
    /// rest of the history.
    pub(super) raised: Vec<(Timestamp, CaseSpec)>,
}

const SEEN: &[&str] = &[
    "老人独自在家，精神状况良好，屋内整洁",
    "老人腿脚不便，下楼困难，家中无人陪护",
    "家中暖气不热，室温偏低",
    "楼道灯损坏，夜间出行不便",
    "屋内电线老化，私拉电线给电动车充电",
    "老人反映近期血压偏高，独自就医困难",
    "家中经济困难，子女失业",
    "住户情绪稳定，邻里关系和睦",
    "楼前堆放杂物，影响通行",
    "卫生间漏水，楼下住户受影响",
];
const ASKED: &[&str] = &[
    "希望有人定期上门看看",
    "希望帮忙申请助行器",
    "询问居家养老服务如何申请",
    "希望社区食堂能送餐上门",
    "询问低保政策",
    "希望帮忙介绍工作",
    "无特别诉求",
];
const FOLLOW_UPS: &[&str] =
    &["下周再次入户", "已告知社区卫生服务站", "已联系网格员跟进", "已向街道民生保障办公室反映", "电话回访确认"];
const WALKS: &[&str] = &["小区内巡查", "楼门院巡查", "背街小巷巡查", "社区便民服务点走访"];

fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or("")
}

/// The care flags of a household in care: one or two, the common ones more often.
fn flags(rng: &mut ChaCha8Rng) -> Vec<CareFlag> {
    let weighted = [
        (CareFlag::LivingAlone, 25),
        (CareFlag::Elderly, 35),
        (CareFlag::Disabled, 10),
        (CareFlag::LowIncome, 15),
        (CareFlag::SeriousIllness, 7),
        (CareFlag::Unemployed, 5),
        (CareFlag::EntitledGroup, 3),
    ];
    let mut out = vec![];
    for _ in 0..rng.gen_range(1..=2) {
        if let Ok((f, _)) = weighted.choose_weighted(rng, |(_, w)| *w) {
            if !out.contains(f) {
                out.push(*f);
            }
        }
    }
    out.sort();
    out
}

/// What help a household's flags call for.
fn assistance_for(rng: &mut ChaCha8Rng, flags: &[CareFlag]) -> (AssistanceKind, &'static str, &'static str) {
    use AssistanceKind as K;
    let options: &[(AssistanceKind, &str, &str)] = match flags.first() {
        Some(CareFlag::LowIncome) => &[
            (K::SubsistenceAllowance, "家庭收入低于本市低保标准，申请低保", "最低生活保障"),
            (K::TemporaryRelief, "家庭突发困难，申请临时救助", "临时救助金"),
        ],
        Some(CareFlag::Unemployed) => &[(K::EmploymentAid, "家庭成员失业，希望推荐就业岗位", "就业岗位推荐")],
        Some(CareFlag::SeriousIllness) => &[(K::TemporaryRelief, "家中有重病患者，医疗支出大", "临时救助金")],
        _ => &[
            (K::AssistiveDevice, "老人行走困难，需要适配助行器", "助行器一台"),
            (K::AssistiveDevice, "老人下肢瘫痪，需要轮椅", "轮椅一台"),
            (K::HomeCare, "老人独居，需要居家养老上门服务", "每周两次上门照料"),
            (K::MealAid, "老人做饭困难，申请助餐送餐", "社区食堂送餐"),
        ],
    };
    options.choose(rng).copied().unwrap_or((K::HomeCare, "需要居家养老服务", "上门照料"))
}

/// Plans the pilot: who, which households, and 100 days of visits up to `now`.
pub(super) fn plan(org: &OrgData, calendar: &WorkCalendar, now: Timestamp, mut rng: ChaCha8Rng) -> Pilot {
    let rng = &mut rng;
    let district = org.district.code.clone();
    let start = now - Duration::days(PILOT_DAYS);
    let first_day = local_date(start) + Duration::days(1);
    let policies = VisitPolicy::defaults();
    // Problems a liaison carries to the street: matters its own units own.
    let items: Vec<usize> = org
        .duty_items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i.owner, Owner::UnitRole(_)) && i.resolution_deadline.amount >= 3)
        .map(|(n, _)| n)
        .collect();
    let mut pilot = Pilot { liaisons: vec![], households: vec![], visits: vec![], assistance: vec![], raised: vec![] };
    let communities: Vec<_> =
        org.communities.iter().filter(|c| PILOT_STREETS.contains(&c.street.as_str())).cloned().collect();
    for c in &communities {
        let code = c.code.clone();
        let demo = code.as_str() == DEMO_COMMUNITY;
        pilot.liaisons.push(PilotLiaison {
            user_id: format!("liaison-{code}"),
            username: if demo { "liaison".into() } else { format!("liaison_{code}") },
            name: format!("{}专员", c.name),
            community: code.clone(),
        });
        for _ in 0..rng.gen_range(24..=40) {
            let r = random_reporter(rng);
            let registered_on = first_day - Duration::days(rng.gen_range(1..=365));
            let care_flags = flags(rng);
            pilot.households.push(StoredHousehold {
                household: Household {
                    id: uuid::Builder::from_random_bytes(rng.gen()).into_uuid().to_string(),
                    district: district.clone(),
                    street: c.street.clone(),
                    community: code.clone(),
                    address: random_address(rng, org, &code),
                    contact_name: Some(r.name),
                    phone: Some(r.phone),
                    care_flags,
                    note: None,
                    active: true,
                },
                registered_on,
                last_visit_on: None,
                next_visit_due: None,
                version: 1,
                created_at: start_of_day(registered_on) + Duration::hours(10),
                updated_at: start_of_day(registered_on) + Duration::hours(10),
            });
        }
    }
    for l in pilot.liaisons.clone() {
        let liaison =
            actor(l.user_id.clone(), l.name.clone(), Role::Liaison, Scope::community(l.community.clone()), &district);
        let livelihood = org.units.iter().find(|u| u.street == l.community.street() && u.role == "livelihood").cloned();
        let mut day = first_day;
        while day <= local_date(now) {
            if calendar.is_working_day(day) {
                let visits = *[1, 2, 2, 2, 3].choose(rng).unwrap_or(&2);
                for _ in 0..visits {
                    let at = start_of_day(day) + Duration::minutes(rng.gen_range(9 * 60..17 * 60));
                    if at > now {
                        break;
                    }
                    visit(&mut pilot, rng, org, calendar, now, &liaison, &l, livelihood.as_ref(), &items, day, at);
                }
            }
            day += Duration::days(1);
        }
    }
    for h in &mut pilot.households {
        h.next_visit_due = next_visit_due(&h.household.care_flags, &policies, h.last_visit_on, h.registered_on);
    }
    pilot
}

/// One visit by a liaison at `at`: to the most overdue household of the community (or a walk),
/// sometimes raising a case or a hardship request.
#[allow(clippy::too_many_arguments)]
fn visit(
    pilot: &mut Pilot,
    rng: &mut ChaCha8Rng,
    org: &OrgData,
    calendar: &WorkCalendar,
    now: Timestamp,
    liaison: &Actor,
    l: &PilotLiaison,
    livelihood: Option<&chuishao_domain::org::Unit>,
    items: &[usize],
    day: NaiveDate,
    at: Timestamp,
) {
    let policies = VisitPolicy::defaults();
    let due_of = |h: &StoredHousehold| {
        next_visit_due(&h.household.care_flags, &policies, h.last_visit_on, h.registered_on).unwrap_or(NaiveDate::MAX)
    };
    // The five most overdue, one of them at random: liaisons plan, but not to the letter.
    let mut ours: Vec<usize> =
        (0..pilot.households.len()).filter(|&i| pilot.households[i].household.community == l.community).collect();
    ours.sort_by_key(|&i| (due_of(&pilot.households[i]), pilot.households[i].household.id.clone()));
    let walk = rng.gen_bool(0.12) || ours.is_empty();
    let household = (!walk).then(|| ours[rng.gen_range(0..ours.len().min(5))]);
    let visit_id = uuid::Builder::from_random_bytes(rng.gen()).into_uuid().to_string();
    let late = rng.gen_bool(0.1);
    // Some forms wait for a signal and arrive the next morning.
    let recorded_at = if late { at + Duration::hours(16) } else { at + Duration::minutes(rng.gen_range(2..60)) };
    let mut v = Visit {
        id: visit_id.clone(),
        district: l.community.street().district(),
        street: l.community.street(),
        community: l.community.clone(),
        household_id: household.map(|i| pilot.households[i].household.id.clone()),
        place: walk.then(|| format!("{}{}", org_name(org, &l.community), pick(rng, WALKS))),
        by: liaison.as_ref(),
        visited_on: day,
        notes: VisitNotes {
            seen: pick(rng, SEEN).to_string(),
            asked: Some(pick(rng, ASKED).to_string()),
            follow_ups: rng.gen_bool(0.4).then(|| pick(rng, FOLLOW_UPS).to_string()),
        },
        case_id: None,
        assistance_id: None,
        recorded_at: recorded_at.min(now),
    };
    if rng.gen_bool(if walk { 0.18 } else { 0.055 }) {
        let id = CaseId(uuid::Builder::from_random_bytes(rng.gen()).into_uuid());
        let (reporter, address) = match household {
            Some(i) => {
                let h = &pilot.households[i].household;
                let reporter = match (&h.contact_name, &h.phone) {
                    (Some(name), Some(phone)) => {
                        Some(chuishao_domain::personal::Reporter { name: name.clone(), phone: phone.clone() })
                    }
                    _ => None,
                };
                (reporter, Some(h.address.clone()))
            }
            None => (None, v.place.clone()),
        };
        let spec = CaseSpec {
            id,
            street: l.community.street(),
            community: Some(l.community.clone()),
            item: *items.choose(rng).unwrap_or(&0),
            channel: Channel::LiaisonVisit,
            receiver: liaison.clone(),
            reporter,
            address,
            by_resident: false,
        };
        pilot.raised.push((at, spec));
        v.case_id = Some(id.to_string());
    }
    if let (Some(i), Some(unit)) = (household, livelihood) {
        if rng.gen_bool(0.021) {
            let flags = pilot.households[i].household.care_flags.clone();
            let (kind, description, requested) = assistance_for(rng, &flags);
            let new = NewAssistance {
                id: AssistanceId(uuid::Builder::from_random_bytes(rng.gen()).into_uuid()),
                district: v.district.clone(),
                street: v.street.clone(),
                community: v.community.clone(),
                household: v.household_id.clone(),
                visit: Some(visit_id),
                kind,
                description: description.into(),
                requested: Some(requested.into()),
                unit: unit.id.clone(),
                unit_name: unit.name.clone(),
            };
            v.assistance_id = Some(new.id.to_string());
            let history = assistance_flow(rng, calendar, now, liaison, unit, new, at);
            pilot.assistance.push(history);
        }
    }
    if let Some(i) = household {
        let h = &mut pilot.households[i];
        h.last_visit_on = Some(h.last_visit_on.map_or(day, |d| d.max(day)));
    }
    pilot.visits.push(v);
}

fn org_name(org: &OrgData, community: &CommunityCode) -> String {
    org.communities.iter().find(|c| &c.code == community).map(|c| c.name.clone()).unwrap_or_default()
}

/// A request through the street's 民生保障办公室: review within a day or two, most approved and
/// delivered in time, some rejected, the recent ones still open.
fn assistance_flow(
    rng: &mut ChaCha8Rng,
    calendar: &WorkCalendar,
    now: Timestamp,
    liaison: &Actor,
    unit: &chuishao_domain::org::Unit,
    new: NewAssistance,
    at: Timestamp,
) -> Vec<AssistanceEvent> {
    let district = new.district.clone();
    let staff = actor(
        format!("staff-{}", unit.id),
        unit.name.clone(),
        Role::UnitStaff,
        Scope::Unit { id: unit.id.clone(), street: unit.street.clone() },
        &district,
    );
    let mut run: Replay<Assistance> = Replay::new(calendar, now, district);
    if !run.apply(AssistanceCommand::Submit(new), liaison, at) {
        return run.events;
    }
    let mut t = at + Duration::minutes(rng.gen_range(60..2880));
    if run.apply(AssistanceCommand::StartReview { note: None }, &staff, t) {
        let decision = run.state.as_ref().map(|r| r.decision.clone());
        let span = decision.map(|d| (d.due - d.start).num_minutes()).unwrap_or(1440).max(60);
        t += Duration::minutes(if rng.gen_bool(0.9) { rng.gen_range(span / 10..span * 8 / 10) } else { span });
        if rng.gen_bool(0.88) {
            if run.apply(AssistanceCommand::Approve { note: Some("经入户核实，符合条件".into()) }, &staff, t)
            {
                let delivery = run.state.as_ref().and_then(|r| r.delivery.clone());
                let span = delivery.map(|d| (d.due - d.start).num_minutes()).unwrap_or(1440).max(60);
                let late = rng.gen_bool(0.1);
                t += Duration::minutes(if late {
                    span + rng.gen_range(60..2880)
                } else {
                    rng.gen_range(span / 10..span * 9 / 10)
                });
                run.apply(AssistanceCommand::Deliver { note: "已落实到位，住户签收".into() }, &staff, t);
            }
        } else {
            run.apply(AssistanceCommand::Reject { reason: "经核实，家庭收入超过救助标准".into() }, &staff, t);
        }
    }
    run.tick_until(now);
    run.events
}
