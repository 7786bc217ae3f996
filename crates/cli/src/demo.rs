//! The Dongcheng demo: reference data, one account per role, and months of simulated requests
//! driven through the real domain commands (deterministic for a seed).

use crate::reference;
use anyhow::{Context, Result};
use chrono::{Duration, Timelike};
use chuishao_domain::case::{
    decide, evolve, Assignee, Channel, ContactMethod, DispatchOrder, Env, GeoPoint, NewCase, Satisfaction,
};
use chuishao_domain::catalog::{DutyItem, Owner};
use chuishao_domain::org::Unit;
use chuishao_domain::personal::{PersonName, Phone, Reporter};
use chuishao_domain::whistle::WhistleEvent;
use chuishao_domain::{
    calendar, Actor, Case, CaseCommand, CaseEvent, CaseId, CommunityCode, DistrictCode, RequestKind, Role, Scope,
    StreetCode, Timestamp, WorkCalendar,
};
use chuishao_store::{NewUser, OrgData, Store};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

mod pilot;
pub use pilot::{PILOT_DAYS, PILOT_STREETS};

/// The password of every demo account (printed at start; for demonstrations only).
pub const DEMO_PASSWORD: &str = "chuishao2026";
/// The street the demo accounts work in: 东直门街道.
pub const DEMO_STREET: &str = "110101009";
/// 十字坡社区, in 东直门街道.
pub const DEMO_COMMUNITY: &str = "110101009008";

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub cases: usize,
    pub seed: u64,
    /// How far back the simulated history reaches.
    pub days: i64,
    /// The community liaison pilot (25 liaisons, 100 days) in three streets, when there are cases.
    pub pilot: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { cases: 3000, seed: 2018, days: 182, pilot: true }
    }
}

/// A demo login.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: &'static str,
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    pub scope_id: String,
}

pub fn accounts() -> Vec<DemoAccount> {
    let d = reference::DONGCHENG;
    let s = DEMO_STREET;
    let c = DEMO_COMMUNITY;
    let a = |username, user_id: String, display_name: &str, role, scope_id: String| DemoAccount {
        username,
        user_id,
        display_name: display_name.to_string(),
        role,
        scope_id,
    };
    vec![
        a("resident", "resident-demo".into(), "王秀兰", Role::Resident, String::new()),
        a("dispatcher", format!("dispatcher-{s}"), "东直门街道调度员", Role::Dispatcher, s.into()),
        a(
            "unit_staff",
            format!("staff-{s}-city-management"),
            "东直门街道城市管理办公室",
            Role::UnitStaff,
            format!("{s}-city-management"),
        ),
        a(
            "unit_staff2",
            format!("staff-{s}-livelihood"),
            "东直门街道民生保障办公室",
            Role::UnitStaff,
            format!("{s}-livelihood"),
        ),
        a(
            "department_staff",
            "staff-dc-waterworks".into(),
            "自来水集团",
            Role::DepartmentStaff,
            "dc-waterworks".into(),
        ),
        a("liaison", format!("liaison-{c}"), "十字坡社区专员", Role::Liaison, c.into()),
        a("street_leader", format!("leader-{s}"), "东直门街道领导", Role::StreetLeader, s.into()),
        a("district_supervisor", format!("supervisor-{d}"), "东城区接诉即办办公室", Role::DistrictSupervisor, d.into()),
        a("inspector", format!("inspector-{d}"), "东城区纪检监察", Role::Inspector, d.into()),
        a("system_admin", format!("sysadmin-{d}"), "系统管理员", Role::SystemAdmin, d.into()),
        a("security_admin", format!("secadmin-{d}"), "安全管理员", Role::SecurityAdmin, d.into()),
        a("audit_admin", format!("auditadmin-{d}"), "审计管理员", Role::AuditAdmin, d.into()),
    ]
}

#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub streets: usize,
    pub communities: usize,
    pub units: usize,
    pub departments: usize,
    pub duty_items: usize,
    pub accounts: usize,
    pub cases: usize,
    pub whistles: usize,
    pub events: usize,
    pub liaisons: usize,
    pub households: usize,
    pub visits: usize,
    pub assistance: usize,
}

/// Loads the whole demo into an empty database. `progress(done, total)` reports the cases.
pub async fn load(
    store: &Store,
    options: &DemoOptions,
    now: Timestamp,
    hash_password: impl Fn(&str) -> Result<String>,
    progress: impl Fn(u64, u64),
) -> Result<DemoSummary> {
    let org = reference::dongcheng()?;
    store.import_org(&org).await.context("importing Dongcheng's organisation")?;
    let district = org.district.code.clone();
    load_routing(store, &org, now).await?;
    let hash = hash_password(DEMO_PASSWORD)?;
    let accounts = accounts();
    for a in &accounts {
        let user = NewUser {
            id: a.user_id.clone(),
            district: district.clone(),
            username: a.username.to_string(),
            display_name: a.display_name.clone(),
            password_hash: hash.clone(),
            role: a.role,
            scope_kind: a.role.scope_kind(),
            scope_id: a.scope_id.clone(),
        };
        store.create_user(&user, None, now).await.with_context(|| format!("creating demo account {}", a.username))?;
    }
    let calendar = store.work_calendar().await?;
    let Simulation { cases: histories, whistles, pilot } = simulate(&org, &calendar, options, now);
    let system = Actor::system(district.clone());
    let mut summary = DemoSummary::default();
    if let Some(p) = &pilot {
        for l in p.liaisons.iter().filter(|l| !accounts.iter().any(|a| a.user_id == l.user_id)) {
            let user = NewUser {
                id: l.user_id.clone(),
                district: district.clone(),
                username: l.username.clone(),
                display_name: l.name.clone(),
                password_hash: hash.clone(),
                role: Role::Liaison,
                scope_kind: Role::Liaison.scope_kind(),
                scope_id: l.community.to_string(),
            };
            store.create_user(&user, None, now).await.with_context(|| format!("creating liaison {}", l.username))?;
        }
        store.import_households(&system, &p.households).await.context("writing the pilot's households")?;
        summary.liaisons = p.liaisons.len();
        summary.households = p.households.len();
        summary.visits = p.visits.len();
        summary.assistance = p.assistance.len();
    }
    let total = histories.len() as u64;
    let mut events = 0;
    let mut done = 0;
    progress(0, total);
    for batch in histories.chunks(250) {
        store.import_cases(&system, batch, now).await.context("writing simulated cases")?;
        events += batch.iter().map(Vec::len).sum::<usize>();
        done += batch.len() as u64;
        progress(done, total);
    }
    for batch in whistles.chunks(250) {
        store.import_whistles(&system, batch, now).await.context("writing simulated whistles")?;
        events += batch.iter().map(Vec::len).sum::<usize>();
    }
    if let Some(p) = &pilot {
        store.import_visits(&p.visits).await.context("writing the pilot's visits")?;
        for batch in p.assistance.chunks(250) {
            store.import_assistance(&system, batch, now).await.context("writing the pilot's assistance")?;
            events += batch.iter().map(Vec::len).sum::<usize>();
        }
    }
    Ok(DemoSummary {
        streets: org.streets.len(),
        communities: org.communities.len(),
        units: org.units.len(),
        departments: org.departments.len(),
        duty_items: org.duty_items.len(),
        accounts: accounts.len(),
        cases: histories.len(),
        whistles: whistles.len(),
        events,
        ..summary
    })
}

/// What smart dispatch needs for the demo district: approximate boundaries, the gazetteer, and
/// labelled example requests.
pub async fn load_routing(store: &Store, org: &OrgData, now: Timestamp) -> Result<()> {
    let system = Actor::system(org.district.code.clone());
    let rows: Vec<chuishao_store::StoredBoundary> = reference::demo_boundaries(org)?
        .iter()
        .map(|a| chuishao_store::StoredBoundary {
            level: a.level.as_str().into(),
            code: a.code.clone(),
            name: a.name.clone(),
            parent: a.parent.clone(),
            geometry: chuishao_routing::boundaries::geometry_of(&a.shape).to_string(),
            approximate: a.approximate,
        })
        .collect();
    store.replace_boundaries(&system, &rows, now).await.context("writing the demo boundaries")?;
    store.add_gazetteer(&org.district.code, &reference::gazetteer()?).await.context("writing the gazetteer")?;
    let examples = reference::routing_examples()?;
    store.add_routing_examples(&org.district.code, &examples, "seed", now).await.context("writing routing examples")?;
    Ok(())
}

/// What the simulator decided: every case's history and every whistle's.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub cases: Vec<Vec<CaseEvent>>,
    pub whistles: Vec<Vec<WhistleEvent>>,
    /// The liaison pilot in 东直门、东四、朝阳门: liaisons, households, visits, assistance.
    pub pilot: Option<pilot::Pilot>,
}

/// The histories of `options.cases` simulated requests over the last `options.days` days, and of
/// the whistles blown for some of them.
pub fn simulate(org: &OrgData, calendar: &WorkCalendar, options: &DemoOptions, now: Timestamp) -> Simulation {
    let now = chuishao_store::whole_ms(now);
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let start = now - Duration::days(options.days);
    let span_minutes = (now - start).num_minutes().max(1);
    // Requests arrive mostly by day; draw times, then number them in order per day.
    let mut times: Vec<Timestamp> = (0..options.cases)
        .map(|_| {
            let t = start + Duration::minutes(rng.gen_range(0..span_minutes));
            let local_hour = t.with_timezone(&calendar::beijing()).hour();
            if (1..7).contains(&local_hour) && rng.gen_bool(0.8) {
                t + Duration::hours(8)
            } else {
                t
            }
        })
        .map(|t| t.min(now - Duration::minutes(1)))
        .collect();
    times.sort();
    let mut seq_by_day: HashMap<String, u32> = HashMap::new();
    // The liaison pilot draws from its own stream, so the rest of the history stays the same
    // with or without it.
    let mut pilot = (options.pilot && options.cases > 0)
        .then(|| pilot::plan(org, calendar, now, ChaCha8Rng::seed_from_u64(options.seed ^ 0x5EED_2018)));
    let mut timeline: Vec<(Timestamp, Option<CaseSpec>)> = times.into_iter().map(|t| (t, None)).collect();
    if let Some(p) = pilot.as_mut() {
        timeline.extend(p.raised.drain(..).map(|(t, spec)| (t, Some(spec))));
    }
    timeline.sort_by_key(|(t, _)| *t);
    let centroids = crate::reference::community_centroids().unwrap_or_default().into_iter().collect();
    let mut sim = Sim {
        rng,
        org,
        calendar,
        now,
        last_case_by_street: HashMap::new(),
        whistles: vec![],
        centroids,
        recent_callers: HashMap::new(),
    };
    let cases = timeline
        .into_iter()
        .map(|(t, spec)| {
            let day = calendar::local_date(t).format("%Y%m%d").to_string();
            let seq = seq_by_day.entry(day.clone()).or_insert(0);
            *seq += 1;
            let number = format!("{}-{}-{:04}", org.district.code, day, seq);
            let spec = spec.unwrap_or_else(|| sim.random_case());
            sim.case(number, t, spec)
        })
        .collect();
    if options.cases > 0 {
        sim.open_whistles_for_the_demo_street();
    }
    Simulation { cases, whistles: sim.whistles, pilot }
}

/// What a simulated request is about and who records it; drawn at random, or raised on a
/// liaison's visit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CaseSpec {
    pub id: CaseId,
    pub street: StreetCode,
    pub community: Option<CommunityCode>,
    /// Index into the duty catalog.
    pub item: usize,
    pub channel: Channel,
    pub receiver: Actor,
    pub reporter: Option<Reporter>,
    pub address: Option<String>,
    pub by_resident: bool,
}

struct Sim<'a> {
    rng: ChaCha8Rng,
    org: &'a OrgData,
    calendar: &'a WorkCalendar,
    now: Timestamp,
    last_case_by_street: HashMap<StreetCode, (CaseId, String)>,
    whistles: Vec<Vec<WhistleEvent>>,
    /// Where the communities are, so requests are placed in theirs.
    centroids: HashMap<CommunityCode, (f64, f64)>,
    /// The last caller about an item on a street: some call again (repeat requests).
    recent_callers: HashMap<(StreetCode, String), RecentCaller>,
}

struct RecentCaller {
    reporter: Reporter,
    address: Option<String>,
    location: Option<GeoPoint>,
    at: Timestamp,
}

/// A pure decider as the simulator drives it: decide at an instant, evolve, and the ticker.
pub(crate) trait Decider {
    type State: Clone;
    type Event;
    type Command;
    type Error: std::fmt::Display;
    const TICK: Self::Command;
    fn decide(
        state: Option<&Self::State>,
        command: &Self::Command,
        actor: &Actor,
        now: Timestamp,
        calendar: &WorkCalendar,
    ) -> Result<Vec<Self::Event>, Self::Error>;
    fn evolve(state: Option<Self::State>, event: &Self::Event) -> Option<Self::State>;
    fn next_alert(state: &Self::State) -> Option<Timestamp>;
}

pub(crate) struct Cases;
pub(crate) struct Whistles;
pub(crate) struct Assistance;

impl Decider for Cases {
    type State = Case;
    type Event = CaseEvent;
    type Command = CaseCommand;
    type Error = chuishao_domain::CaseError;
    const TICK: CaseCommand = CaseCommand::Tick;
    fn decide(
        s: Option<&Case>,
        c: &CaseCommand,
        a: &Actor,
        now: Timestamp,
        cal: &WorkCalendar,
    ) -> Result<Vec<CaseEvent>, Self::Error> {
        decide(s, c, a, &Env { now, calendar: cal })
    }
    fn evolve(s: Option<Case>, e: &CaseEvent) -> Option<Case> {
        evolve(s, e)
    }
    fn next_alert(s: &Case) -> Option<Timestamp> {
        s.next_alert_at()
    }
}

impl Decider for Whistles {
    type State = chuishao_domain::whistle::Whistle;
    type Event = WhistleEvent;
    type Command = chuishao_domain::whistle::WhistleCommand;
    type Error = chuishao_domain::whistle::WhistleError;
    const TICK: Self::Command = chuishao_domain::whistle::WhistleCommand::Tick;
    fn decide(
        s: Option<&Self::State>,
        c: &Self::Command,
        a: &Actor,
        now: Timestamp,
        cal: &WorkCalendar,
    ) -> Result<Vec<WhistleEvent>, Self::Error> {
        chuishao_domain::whistle::decide(s, c, a, &chuishao_domain::whistle::Env { now, calendar: cal })
    }
    fn evolve(s: Option<Self::State>, e: &WhistleEvent) -> Option<Self::State> {
        chuishao_domain::whistle::evolve(s, e)
    }
    fn next_alert(s: &Self::State) -> Option<Timestamp> {
        s.next_alert_at()
    }
}

impl Decider for Assistance {
    type State = chuishao_domain::assistance::AssistanceRequest;
    type Event = chuishao_domain::assistance::AssistanceEvent;
    type Command = chuishao_domain::assistance::AssistanceCommand;
    type Error = chuishao_domain::assistance::AssistanceError;
    const TICK: Self::Command = chuishao_domain::assistance::AssistanceCommand::Tick;
    fn decide(
        s: Option<&Self::State>,
        c: &Self::Command,
        a: &Actor,
        now: Timestamp,
        cal: &WorkCalendar,
    ) -> Result<Vec<Self::Event>, Self::Error> {
        chuishao_domain::assistance::decide(s, c, a, &chuishao_domain::assistance::Env { now, calendar: cal })
    }
    fn evolve(s: Option<Self::State>, e: &Self::Event) -> Option<Self::State> {
        chuishao_domain::assistance::evolve(s, e)
    }
    fn next_alert(s: &Self::State) -> Option<Timestamp> {
        s.next_alert_at()
    }
}

/// One stream being simulated: its state and events so far, never past `now`.
pub(crate) struct Replay<'a, D: Decider> {
    pub state: Option<D::State>,
    pub events: Vec<D::Event>,
    pub calendar: &'a WorkCalendar,
    pub now: Timestamp,
    pub district: DistrictCode,
}

type Run<'a> = Replay<'a, Cases>;
type WhistleRun<'a> = Replay<'a, Whistles>;

impl<'a, D: Decider> Replay<'a, D> {
    pub fn new(calendar: &'a WorkCalendar, now: Timestamp, district: DistrictCode) -> Self {
        Replay { state: None, events: vec![], calendar, now, district }
    }

    /// Lets the deadline ticker run up to `until` (emitting alerts at their own times).
    pub fn tick_until(&mut self, until: Timestamp) {
        let system = Actor::system(self.district.clone());
        while let Some(at) = self.state.as_ref().and_then(D::next_alert) {
            if at > until || at > self.now {
                break;
            }
            match D::decide(self.state.as_ref(), &D::TICK, &system, at, self.calendar) {
                Ok(evs) if !evs.is_empty() => self.fold(evs),
                _ => break,
            }
        }
    }

    fn fold(&mut self, evs: Vec<D::Event>) {
        for e in evs {
            self.state = D::evolve(self.state.take(), &e);
            self.events.push(e);
        }
    }

    /// Applies a command at `at` if that is not in the future; answers whether it happened.
    pub fn apply(&mut self, command: D::Command, actor: &Actor, at: Timestamp) -> bool {
        self.tick_until(at);
        if at > self.now {
            return false;
        }
        match D::decide(self.state.as_ref(), &command, actor, at, self.calendar) {
            Ok(evs) => {
                self.fold(evs);
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "simulated command refused");
                false
            }
        }
    }
}

pub(crate) const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"];
pub(crate) const GIVEN: &[&str] =
    &["秀英", "桂兰", "建国", "志强", "淑珍", "丽", "伟", "敏", "静", "磊", "洋", "军", "芳", "勇"];

/// A made-up resident: a common name and a mobile number.
pub(crate) fn random_reporter(rng: &mut ChaCha8Rng) -> Reporter {
    let name = format!("{}{}", SURNAMES.choose(rng).unwrap_or(&"王"), GIVEN.choose(rng).unwrap_or(&"丽"));
    let phone = format!("1{}{:09}", rng.gen_range(3..=9), rng.gen_range(0..1_000_000_000u64));
    Reporter {
        name: PersonName::parse_field("name", &name).expect("generated names are valid"),
        phone: Phone::parse(&phone).expect("generated phones are valid"),
    }
}

/// A made-up address in a community: building, entrance, flat.
pub(crate) fn random_address(rng: &mut ChaCha8Rng, org: &OrgData, community: &CommunityCode) -> String {
    let name = org.communities.iter().find(|x| &x.code == community).map(|x| x.name.as_str()).unwrap_or("");
    format!("{}{}号楼{}单元{}", name, rng.gen_range(1..40), rng.gen_range(1..6), rng.gen_range(101..1802))
}

pub(crate) fn actor(user_id: String, name: String, role: Role, scope: Scope, district: &DistrictCode) -> Actor {
    Actor { user_id, name, role, scope, district: district.clone() }
}

impl Sim<'_> {
    fn minutes(&mut self, t: Timestamp, lo: i64, hi: i64) -> Timestamp {
        t + Duration::minutes(self.rng.gen_range(lo..=hi))
    }

    fn street_name(&self, code: &StreetCode) -> String {
        self.org.streets.iter().find(|s| &s.code == code).map(|s| s.name.clone()).unwrap_or_default()
    }

    fn dispatcher(&self, street: &StreetCode) -> Actor {
        let d = &self.org.district.code;
        actor(
            format!("dispatcher-{street}"),
            format!("{}调度员", self.street_name(street)),
            Role::Dispatcher,
            Scope::Street { code: street.clone() },
            d,
        )
    }

    fn leader(&self, street: &StreetCode) -> Actor {
        let d = &self.org.district.code;
        actor(
            format!("leader-{street}"),
            format!("{}领导", self.street_name(street)),
            Role::StreetLeader,
            Scope::Street { code: street.clone() },
            d,
        )
    }

    fn handler(&self, a: &Assignee) -> Actor {
        let d = &self.org.district.code;
        match a {
            Assignee::Unit { id, street, name } => actor(
                format!("staff-{id}"),
                format!("{}{}", self.street_name(street), name),
                Role::UnitStaff,
                Scope::Unit { id: id.clone(), street: street.clone() },
                d,
            ),
            Assignee::Department { id, name } => {
                let short = self.org.departments.iter().find(|x| &x.id == id).map(|x| x.short_name.clone());
                actor(
                    format!("staff-{id}"),
                    short.unwrap_or_else(|| name.clone()),
                    Role::DepartmentStaff,
                    Scope::Department { id: id.clone() },
                    d,
                )
            }
        }
    }

    fn unit(&self, street: &StreetCode, role: &str) -> Option<&Unit> {
        self.org.units.iter().find(|u| &u.street == street && u.role == role)
    }

    fn assignee_for(&self, owner: &Owner, street: &StreetCode) -> Option<Assignee> {
        match owner {
            Owner::UnitRole(role) => self.unit(street, role).map(|u| Assignee::Unit {
                id: u.id.clone(),
                street: u.street.clone(),
                name: u.name.clone(),
            }),
            Owner::Department(id) => self
                .org
                .departments
                .iter()
                .find(|d| &d.id == id)
                .map(|d| Assignee::Department { id: d.id.clone(), name: d.name.clone() }),
        }
    }

    fn reporter(&mut self) -> Reporter {
        random_reporter(&mut self.rng)
    }

    fn satisfaction(&mut self, solved: bool) -> Satisfaction {
        let x: f64 = self.rng.gen();
        match (solved, x) {
            (true, x) if x < 0.80 => Satisfaction::Satisfied,
            (true, x) if x < 0.95 => Satisfaction::BasicallySatisfied,
            (false, x) if x < 0.25 => Satisfaction::BasicallySatisfied,
            _ => Satisfaction::Dissatisfied,
        }
    }

    /// A request drawn at random: any street, community, duty item and channel.
    fn random_case(&mut self) -> CaseSpec {
        let org = self.org;
        let district = org.district.code.clone();
        let street = org.streets.choose(&mut self.rng).expect("streets").code.clone();
        let communities: Vec<_> = org.communities.iter().filter(|c| c.street == street).collect();
        let community = communities.choose(&mut self.rng).map(|c| c.code.clone());
        let item = self.rng.gen_range(0..org.duty_items.len());
        let channel = match self.rng.gen_range(0..100) {
            0..=69 => Channel::Hotline,
            70..=79 => Channel::Web,
            80..=86 => Channel::LiaisonVisit,
            87..=93 => Channel::GridPatrol,
            94..=96 => Channel::Open311,
            _ => Channel::WalkIn,
        };
        let dispatcher = self.dispatcher(&street);
        let liaison = community.as_ref().map(|c| {
            actor(format!("liaison-{c}"), "社区专员".into(), Role::Liaison, Scope::community(c.clone()), &district)
        });
        // Some web requests in the demo street come from the demo resident's own account.
        let by_resident = channel == Channel::Web && street.as_str() == DEMO_STREET && self.rng.gen_bool(0.3);
        let resident = actor("resident-demo".into(), "王秀兰".into(), Role::Resident, Scope::Own, &district);
        let receiver = match (&channel, &liaison) {
            _ if by_resident => resident,
            (Channel::LiaisonVisit, Some(l)) => l.clone(),
            _ => dispatcher,
        };
        let reporter = (channel != Channel::GridPatrol).then(|| self.reporter());
        let address = community.as_ref().map(|c| self.address_in(c));
        let id = CaseId(uuid::Builder::from_random_bytes(self.rng.gen()).into_uuid());
        CaseSpec { id, street, community, item, channel, receiver, reporter, address, by_resident }
    }

    fn address_in(&mut self, community: &CommunityCode) -> String {
        random_address(&mut self.rng, self.org, community)
    }

    /// Receives the case a spec describes at `received_at` and plays its lifecycle.
    fn case(&mut self, number: String, received_at: Timestamp, spec: CaseSpec) -> Vec<CaseEvent> {
        let org = self.org;
        let district = org.district.code.clone();
        let item: &DutyItem = &org.duty_items[spec.item];
        let street = spec.street.clone();
        let dispatcher = self.dispatcher(&street);
        let text = item.examples.choose(&mut self.rng).cloned().unwrap_or_else(|| item.name.clone());
        // Around the community's centre (within ~400 m) when it is known; the draws are the
        // same either way, so the rest of the history does not change.
        let (lat0, lon0, spread) = spec
            .community
            .as_ref()
            .and_then(|c| self.centroids.get(c))
            .map_or((39.93, 116.41, 1.0), |&(lat, lon)| (lat, lon, 0.12));
        let mut location = Some(GeoPoint {
            lat: lat0 + self.rng.gen_range(-0.03..0.03) * spread,
            lon: lon0 + self.rng.gen_range(-0.02..0.02) * spread,
        });
        let (mut reporter, mut address) = (spec.reporter, spec.address);
        // About one caller in eleven asks again about the same matter within a month, from the
        // same door (decided by the case's random id: no extra draws).
        let key = (street.clone(), item.code.clone());
        if let Some(prev) = self.recent_callers.get(&key) {
            let again = spec.id.0.as_bytes()[0] < 24 && received_at - prev.at <= Duration::days(30);
            if again && reporter.is_some() && spec.channel != Channel::LiaisonVisit {
                reporter = Some(prev.reporter.clone());
                address = prev.address.clone();
                location = prev.location;
            }
        }
        if let Some(r) = &reporter {
            let recent = RecentCaller { reporter: r.clone(), address: address.clone(), location, at: received_at };
            self.recent_callers.insert(key, recent);
        }
        let new = NewCase {
            id: spec.id,
            number: number.clone(),
            district: district.clone(),
            street: street.clone(),
            community: spec.community,
            kind: item.kind,
            channel: spec.channel,
            text,
            address,
            location,
            reporter,
            reporter_user: spec.by_resident.then(|| "resident-demo".to_string()),
            duty_item: Some(chuishao_domain::case::DutyRef { code: item.code.clone(), name: item.name.clone() }),
        };
        let mut run = Run::new(self.calendar, self.now, district.clone());
        run.apply(CaseCommand::Receive(Box::new(new)), &spec.receiver, received_at);
        self.lifecycle(&mut run, item, &street, &dispatcher, received_at);
        run.tick_until(self.now);
        self.last_case_by_street.insert(street, (spec.id, number));
        run.events
    }

    fn lifecycle(
        &mut self,
        run: &mut Run,
        item: &DutyItem,
        street: &StreetCode,
        dispatcher: &Actor,
        received: Timestamp,
    ) {
        let leader = self.leader(street);
        let mut t = received;
        // A few requests repeat one already on file.
        if self.rng.gen_bool(0.02) {
            if let Some((into, into_number)) = self.last_case_by_street.get(street).cloned() {
                t = self.minutes(t, 5, 60);
                run.apply(CaseCommand::Merge { into, into_number }, dispatcher, t);
                return;
            }
        }
        if item.kind == RequestKind::Consult && self.rng.gen_bool(0.6) {
            t = self.minutes(t, 5, 90);
            let answer = format!("已就“{}”向诉求人答复政策口径和办理渠道。", item.name);
            if !run.apply(CaseCommand::AnswerDirectly { answer }, dispatcher, t) {
                return;
            }
            self.callback_and_close(run, dispatcher, t);
            return;
        }
        let Some(mut assignee) = self.assignee_for(&item.owner, street) else { return };
        t = self.minutes(t, 10, 120);
        let order = |a: &Assignee| DispatchOrder { assignee: a.clone(), duty: item.terms(), note: None };
        if !run.apply(CaseCommand::Dispatch(order(&assignee)), dispatcher, t) {
            return;
        }
        for round in 1..=2 {
            if self.rng.gen_bool(0.01) {
                t = self.minutes(t, 60, 3000);
                let reason = "经审核，该诉求无法律政策依据，予以终止。".to_string();
                run.apply(CaseCommand::Terminate { reason }, &leader, t);
                return;
            }
            let mut handler = self.handler(&assignee);
            if self.rng.gen_bool(0.07) {
                t = self.minutes(t, 30, 240);
                let reason = "经核实不属于本单位职责，申请退回。".to_string();
                if !run.apply(CaseCommand::RequestReturn { reason }, &handler, t) {
                    return;
                }
                t = self.minutes(t, 30, 300);
                let alternative =
                    item.cooperating.iter().filter_map(|o| self.assignee_for(o, street)).find(|a| *a != assignee);
                match alternative {
                    Some(next) if self.rng.gen_bool(0.7) => {
                        let cmd = CaseCommand::ApproveReturn { note: None, redispatch: Some(order(&next)) };
                        if !run.apply(cmd, dispatcher, t) {
                            return;
                        }
                        assignee = next;
                        handler = self.handler(&assignee);
                    }
                    _ => {
                        let reason = "该事项在职责清单内，请继续办理。".to_string();
                        if !run.apply(CaseCommand::RejectReturn { reason }, dispatcher, t) {
                            return;
                        }
                    }
                }
            }
            if run.state.as_ref().is_some_and(|c| c.status == chuishao_domain::CaseStatus::Dispatched) {
                // Short deadlines are signed for quickly.
                let window =
                    run.state.as_ref().and_then(|c| c.response.as_ref()).map(|d| (d.due - d.start).num_minutes());
                let hi = window.map(|w| (w / 4).clamp(3, 240)).unwrap_or(240);
                t = self.minutes(t, 2.min(hi), hi);
                if !run.apply(CaseCommand::Accept, &handler, t) {
                    return;
                }
            }
            let (due_response, due_resolution, start) = match run.state.as_ref() {
                Some(c) => (
                    c.response.as_ref().map(|d| d.due).unwrap_or(t),
                    c.resolution.as_ref().map(|d| d.due).unwrap_or(t),
                    c.dispatched_at.unwrap_or(t),
                ),
                None => return,
            };
            // Most contact the resident in time; some are late.
            let response_span = (due_response - start).num_minutes().max(10);
            let contact_at = if self.rng.gen_bool(0.9) {
                start + Duration::minutes(self.rng.gen_range(response_span / 20..=response_span * 9 / 10))
            } else {
                due_response + Duration::minutes(self.rng.gen_range(10..=response_span))
            };
            t = contact_at.max(t + Duration::minutes(1));
            if !run.apply(CaseCommand::Contact { method: ContactMethod::Phone, note: None }, &handler, t) {
                return;
            }
            // Some matters the street cannot solve alone: it blows the whistle.
            if round == 1 && item.whistleable && self.rng.gen_bool(0.3) {
                t = self.minutes(t, 30, 240);
                match self.whistle(run, item, street, &leader, t) {
                    Some(done) => t = done.max(t),
                    None => return,
                }
            }
            let mut due = due_resolution;
            if self.rng.gen_bool(0.08) {
                t = self.minutes(t, 120, 2880);
                let cmd = CaseCommand::RequestExtension {
                    days: self.rng.gen_range(3..=10),
                    reason: "需协调产权单位，申请延期。".into(),
                };
                if run.apply(cmd, &handler, t) {
                    t = self.minutes(t, 60, 600);
                    let cmd = if self.rng.gen_bool(0.8) {
                        CaseCommand::GrantExtension { note: None }
                    } else {
                        CaseCommand::DenyExtension { reason: "请按原时限办结。".into() }
                    };
                    run.apply(cmd, &leader, t);
                    due = run.state.as_ref().and_then(|c| c.resolution.as_ref()).map(|d| d.due).unwrap_or(due);
                }
            }
            let span = (due - start).num_minutes().max(30);
            let resolve_at = if self.rng.gen_bool(0.88) {
                start + Duration::minutes(self.rng.gen_range(span / 5..=span * 19 / 20))
            } else {
                due + Duration::minutes(self.rng.gen_range(30..=span / 2 + 30))
            };
            t = resolve_at.max(t + Duration::minutes(5));
            let result = format!("已现场处置“{}”问题，并向诉求人反馈办理结果。", item.name);
            if !run.apply(CaseCommand::Resolve { result: result.clone() }, &handler, t) {
                return;
            }
            t = self.minutes(t, 60, 1440);
            if self.rng.gen_bool(0.05) {
                if !run.apply(CaseCommand::SendBack { reason: "现场核查问题仍存在。".into() }, dispatcher, t)
                {
                    return;
                }
                t = self.minutes(t, 600, 4320);
                if !run.apply(CaseCommand::Resolve { result }, &handler, t) {
                    return;
                }
                t = self.minutes(t, 60, 1440);
            }
            if !run.apply(CaseCommand::Verify { note: None }, dispatcher, t) {
                return;
            }
            let (solved, satisfied) = match self.callback_and_close_decide(run, dispatcher, &mut t) {
                Some(x) => x,
                None => return,
            };
            let reopen = (!solved || !satisfied) && round == 1 && self.rng.gen_bool(0.4);
            if reopen {
                t = self.minutes(t, 30, 600);
                if !run.apply(CaseCommand::Reopen { reason: "诉求人反映问题未解决，重办。".into() }, dispatcher, t)
                {
                    return;
                }
                t = self.minutes(t, 10, 120);
                if !run.apply(CaseCommand::Dispatch(order(&assignee)), dispatcher, t) {
                    return;
                }
                continue;
            }
            t = self.minutes(t, 30, 1440);
            run.apply(CaseCommand::Close { note: None }, dispatcher, t);
            return;
        }
    }

    /// Two whistles still open in 东直门街道 as the demo starts, so the demo accounts have live
    /// work: a burst main minutes ago, and a lift-installation coordination this morning.
    fn open_whistles_for_the_demo_street(&mut self) {
        use chuishao_domain::whistle::{self as wh, NewWhistle, SummonsOrder, WhistleCommand, WhistleId, WhistleLevel};
        let Ok(street) = StreetCode::parse(DEMO_STREET) else { return };
        let community = CommunityCode::parse(DEMO_COMMUNITY).ok();
        let leader = self.leader(&street);
        let plans = [
            (
                "emergency",
                "东直门南大街主供水管爆裂，路面积水",
                5,
                vec![("dc-waterworks", "关阀抢修"), ("dc-jgzd", "交通疏导")],
            ),
            (
                "coordination",
                "十字坡社区老楼加装电梯，需迁改管线",
                40,
                vec![("dc-waterworks", "供水管线迁改"), ("dc-zjw", "审批指导")],
            ),
        ];
        for (kind, reason, minutes_ago, depts) in plans {
            let Some(policy) = wh::default_policies().into_iter().find(|p| p.kind == kind) else { continue };
            let departments = depts
                .iter()
                .filter_map(|(id, task)| {
                    let d = self.org.departments.iter().find(|d| d.id.as_str() == *id)?;
                    Some(SummonsOrder { department: d.id.clone(), name: d.name.clone(), task: task.to_string() })
                })
                .collect();
            let new = NewWhistle {
                id: WhistleId(uuid::Builder::from_random_bytes(self.rng.gen()).into_uuid()),
                district: self.org.district.code.clone(),
                street: street.clone(),
                community: community.clone(),
                case: None,
                level: WhistleLevel::Street,
                policy,
                reason: reason.into(),
                address: None,
                location: None,
                departments,
            };
            let mut w = WhistleRun::new(self.calendar, self.now, self.org.district.code.clone());
            if w.apply(WhistleCommand::Blow(Box::new(new)), &leader, self.now - Duration::minutes(minutes_ago)) {
                self.whistles.push(w.events);
            }
        }
    }

    /// The departments a whistle on this item summons, and its kind.
    fn whistle_plan(&self, item: &DutyItem) -> (&'static str, Vec<&'static str>) {
        let kind = if item.resolution_deadline == chuishao_domain::DeadlineSpec::hours(2) {
            "emergency"
        } else {
            "enforcement"
        };
        let depts: Vec<&'static str> = match item.category.as_str() {
            "违法建设" => vec!["dc-cgzf", "dc-ghzr", "dc-zjw"],
            "供水" | "排水" => vec!["dc-waterworks", "dc-jgzd", "dc-gaj"],
            "供暖" => vec!["dc-heating", "dc-zjw"],
            "燃气" => vec!["dc-gas", "dc-xf", "dc-gaj"],
            "供电" => vec!["dc-power", "dc-jgzd"],
            "占道经营" => vec!["dc-cgzf", "dc-scjg", "dc-gaj"],
            "停车管理" | "交通设施" => return ("coordination", vec!["dc-jgzd", "dc-jtw"]),
            "老旧小区改造/加装电梯" => return ("coordination", vec!["dc-zjw", "dc-ghzr", "dc-scjg"]),
            "群租房" => vec!["dc-gaj", "dc-zjw", "dc-xf"],
            "物业管理" => return ("coordination", vec!["dc-zjw", "dc-fgzx"]),
            _ => return ("coordination", vec!["dc-cgw", "dc-cgzf"]),
        };
        (kind, depts)
    }

    /// Blows a whistle for the case and plays the departments' parts; answers when it concluded,
    /// or `None` if the simulation ran into the present before it did.
    fn whistle(
        &mut self,
        run: &mut Run,
        item: &DutyItem,
        street: &StreetCode,
        leader: &Actor,
        blown: Timestamp,
    ) -> Option<Timestamp> {
        use chuishao_domain::whistle::{
            self as wh, CaseRef, NewWhistle, ReportMode, SummonsClock, SummonsOrder, WhistleCommand, WhistleId,
            WhistleLevel,
        };
        let case = run.state.clone()?;
        let (kind, depts) = self.whistle_plan(item);
        let policy = wh::default_policies().into_iter().find(|p| p.kind == kind)?;
        let departments: Vec<SummonsOrder> = depts
            .iter()
            .filter_map(|id| self.org.departments.iter().find(|d| d.id.as_str() == *id))
            .map(|d| SummonsOrder {
                department: d.id.clone(),
                name: d.name.clone(),
                task: format!("配合处置“{}”", item.name),
            })
            .collect();
        let new = NewWhistle {
            id: WhistleId(uuid::Builder::from_random_bytes(self.rng.gen()).into_uuid()),
            district: case.district.clone(),
            street: street.clone(),
            community: case.community.clone(),
            case: Some(CaseRef { id: case.id, number: case.number.clone() }),
            level: WhistleLevel::Street,
            policy,
            reason: format!("“{}”需多部门联合处置", item.name),
            address: None,
            location: case.location,
            departments,
        };
        let mut w = WhistleRun::new(self.calendar, self.now, case.district.clone());
        if !w.apply(WhistleCommand::Blow(Box::new(new)), leader, blown) {
            return None;
        }
        let blown_state = w.state.clone()?;
        let note = |summary: Option<String>| chuishao_domain::case::WhistleNote {
            whistle: blown_state.id,
            kind: blown_state.kind.clone(),
            kind_name: blown_state.kind_name.clone(),
            departments: blown_state.summons.iter().map(|s| s.name.clone()).collect(),
            summary,
        };
        run.apply(CaseCommand::RecordWhistle(note(None)), leader, blown);
        // Every department's steps, played in time order so the ticker sees them as they came.
        let mut steps: Vec<(Timestamp, Actor, WhistleCommand)> = vec![];
        for s in blown_state.summons.clone() {
            let dep = actor(
                format!("staff-{}", s.department),
                s.name.clone(),
                Role::DepartmentStaff,
                Scope::Department { id: s.department.clone() },
                &case.district,
            );
            let due = |c: SummonsClock| s.clock(c).map(|x| x.due).unwrap_or(blown);
            let span = |c: SummonsClock| (due(c) - blown).num_minutes().max(2);
            let d = s.department.clone();
            if self.rng.gen_bool(0.05) {
                let t = self.minutes(blown, 1, span(SummonsClock::Sign));
                steps.push((
                    t,
                    dep,
                    WhistleCommand::Decline {
                        department: d.clone(), reason: "经核实不属于本部门职责".into()
                    },
                ));
                let t = self.minutes(t, 30, 240);
                steps.push((t, leader.clone(), WhistleCommand::Excuse { department: d, note: None }));
                continue;
            }
            let sign_at = if self.rng.gen_bool(0.9) {
                blown + Duration::minutes(self.rng.gen_range(1..=span(SummonsClock::Sign) * 9 / 10 + 1))
            } else {
                due(SummonsClock::Sign) + Duration::minutes(self.rng.gen_range(5..=120))
            };
            let report_span = span(SummonsClock::ReportIn);
            let report_at = if self.rng.gen_bool(0.88) {
                blown + Duration::minutes(self.rng.gen_range(report_span / 4..=report_span * 9 / 10 + 1))
            } else {
                due(SummonsClock::ReportIn) + Duration::minutes(self.rng.gen_range(10..=300))
            };
            let report_at = report_at.max(sign_at + Duration::minutes(1));
            let done_at = report_at + Duration::minutes(self.rng.gen_range(60..=60 * 24 * 3));
            let mode = if kind == "coordination" { ReportMode::Meeting } else { ReportMode::OnSite };
            let who = format!("{}工作人员2名", s.name);
            steps.push((sign_at, dep.clone(), WhistleCommand::Sign { department: d.clone() }));
            steps.push((
                report_at,
                dep.clone(),
                WhistleCommand::ReportIn { department: d.clone(), who, mode, note: None },
            ));
            let text = "到场联合处置，已完成分工任务".to_string();
            let acted = report_at + Duration::minutes(30);
            steps.push((
                acted,
                dep.clone(),
                WhistleCommand::RecordAction { department: d.clone(), text, attachments: vec![] },
            ));
            steps.push((done_at.max(acted), dep, WhistleCommand::Finish { department: d, note: None }));
        }
        steps.sort_by_key(|(at, _, _)| *at);
        let mut finished = blown;
        let mut open = false;
        for (at, who, cmd) in steps {
            if !w.apply(cmd, &who, at) {
                open = true;
                break;
            }
            finished = finished.max(at);
        }
        if open {
            w.tick_until(self.now);
            self.whistles.push(w.events);
            return None;
        }
        let concluded = self.minutes(finished, 60, 1440);
        let summary = format!("“{}”已联合处置完毕", item.name);
        if !w.apply(WhistleCommand::Conclude { summary: summary.clone() }, leader, concluded) {
            w.tick_until(self.now);
            self.whistles.push(w.events);
            return None;
        }
        run.apply(CaseCommand::RecordWhistle(note(Some(summary))), leader, concluded);
        let summons = w.state.as_ref().map(|x| x.summons.clone()).unwrap_or_default();
        for s in summons {
            let late = s.clocks.iter().any(|c| c.overdue);
            let x: f64 = self.rng.gen();
            let satisfaction = match (late, x) {
                (false, x) if x < 0.75 => Satisfaction::Satisfied,
                (false, x) if x < 0.95 => Satisfaction::BasicallySatisfied,
                (true, x) if x < 0.3 => Satisfaction::BasicallySatisfied,
                (true, _) => Satisfaction::Dissatisfied,
                _ => Satisfaction::Dissatisfied,
            };
            let at = self.minutes(concluded, 10, 120);
            let cmd = WhistleCommand::Rate { department: s.department.clone(), satisfaction, comment: None };
            w.apply(cmd, leader, at);
        }
        self.whistles.push(w.events);
        Some(concluded)
    }

    /// Records the callback; answers (solved, satisfied) when it happened.
    fn callback_and_close_decide(
        &mut self,
        run: &mut Run,
        dispatcher: &Actor,
        t: &mut Timestamp,
    ) -> Option<(bool, bool)> {
        *t = self.minutes(*t, 240, 2880);
        let solved = self.rng.gen_bool(0.86);
        let satisfaction = self.satisfaction(solved);
        let contacted = self.rng.gen_bool(0.97);
        let cmd = CaseCommand::RecordCallback { contacted, solved, satisfaction, note: None };
        run.apply(cmd, dispatcher, *t).then_some((solved, satisfaction != Satisfaction::Dissatisfied))
    }

    fn callback_and_close(&mut self, run: &mut Run, dispatcher: &Actor, mut t: Timestamp) {
        if self.callback_and_close_decide(run, dispatcher, &mut t).is_some() {
            t = self.minutes(t, 30, 1440);
            run.apply(CaseCommand::Close { note: None }, dispatcher, t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulation_is_deterministic_for_a_seed_and_uses_the_real_lifecycle() {
        let org = reference::dongcheng().unwrap();
        let cal = WorkCalendar::china();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T09:00:00+08:00").unwrap().to_utc();
        let opts = DemoOptions { cases: 200, seed: 42, days: 90, pilot: false };
        let a = simulate(&org, &cal, &opts, now);
        let b = simulate(&org, &cal, &opts, now);
        assert_eq!(a, b, "same seed, same history");
        let c = simulate(&org, &cal, &DemoOptions { seed: 43, ..opts }, now);
        assert_ne!(a, c, "another seed, another history");
        assert_eq!(a.cases.len(), 200);
        let mut types = std::collections::BTreeSet::new();
        for history in &a.whistles {
            let w = chuishao_domain::whistle::fold(history.iter()).expect("every whistle folds");
            assert_eq!(w.version as usize, history.len());
            types.extend(history.iter().map(|e| e.data.type_name()));
        }
        assert!(!a.whistles.is_empty(), "some cases needed a whistle");
        for t in ["blown", "signed", "reported_in", "finished", "concluded", "rated"] {
            assert!(types.contains(t), "the demo's whistles show {t}");
        }
        for history in &a.cases {
            let case = chuishao_domain::fold(history.iter()).expect("every history folds");
            assert!(history.iter().all(|e| e.at <= now), "nothing in the future");
            assert_eq!(case.version as usize, history.len());
            types.extend(history.iter().map(|e| e.data.type_name()));
        }
        for t in [
            "dispatched",
            "contacted",
            "resolved",
            "callback_recorded",
            "closed",
            "return_requested",
            "deadline_overdue",
        ] {
            assert!(types.contains(t), "the demo shows {t}");
        }
    }

    #[test]
    fn the_pilot_has_25_liaisons_whose_visits_raise_real_cases_and_assistance() {
        let org = reference::dongcheng().unwrap();
        let cal = WorkCalendar::china();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T09:00:00+08:00").unwrap().to_utc();
        let opts = DemoOptions { cases: 50, seed: 7, days: 30, pilot: true };
        let sim = simulate(&org, &cal, &opts, now);
        assert_eq!(sim, simulate(&org, &cal, &opts, now), "deterministic for a seed");
        let p = sim.pilot.as_ref().expect("the pilot runs with cases");
        assert_eq!(p.liaisons.len(), 25, "one liaison per community of 东直门、东四、朝阳门");
        assert!(p.liaisons.iter().all(|l| PILOT_STREETS.contains(&l.community.street().as_str())));
        assert!(p.liaisons.iter().any(|l| l.username == "liaison" && l.community.as_str() == DEMO_COMMUNITY));
        let start = calendar::local_date(now - Duration::days(PILOT_DAYS));
        assert!(p.visits.iter().all(|v| v.visited_on > start && v.visited_on <= calendar::local_date(now)));
        assert!(p.visits.iter().all(|v| v.recorded_at <= now && cal.is_working_day(v.visited_on)));
        // Every case a visit raised is in the history, received by the visiting liaison, on that day.
        let raised: Vec<&crate::demo::pilot::Visit> = p.visits.iter().filter(|v| v.case_id.is_some()).collect();
        assert!(raised.len() > 100, "{} cases raised", raised.len());
        for v in &raised {
            let history = sim
                .cases
                .iter()
                .find(|h| h.first().and_then(|e| chuishao_domain::fold([e]).map(|c| c.id.to_string())) == v.case_id)
                .expect("the raised case exists");
            let case = chuishao_domain::fold(history.iter()).unwrap();
            assert_eq!(case.channel, Channel::LiaisonVisit);
            assert_eq!(case.received_by, v.by.user_id);
            assert_eq!(calendar::local_date(case.received_at), v.visited_on);
        }
        let delivered = p
            .assistance
            .iter()
            .map(|h| chuishao_domain::assistance::fold(h.iter()).expect("folds"))
            .filter(|r| r.status == chuishao_domain::assistance::AssistanceStatus::Delivered)
            .count();
        assert!(delivered > 20, "{delivered} delivered");
        let without = simulate(&org, &cal, &DemoOptions { pilot: false, ..opts }, now);
        assert!(without.pilot.is_none());
        assert_eq!(without.cases.len(), 50);
    }
}
