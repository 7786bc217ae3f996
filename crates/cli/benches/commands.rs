//! Command latency on the embedded store, measured against the floor set by durability.
//!
//! Baseline: the smallest durable write the store makes (one calendar row and its audit record in
//! one fsynced transaction). Measured: each lifecycle command through `Store::execute` (load,
//! fold, decide, append events + projection + access + audit in one transaction), and the
//! dispatcher's case list over the demo's history against a trivial query. Targets are in
//! BENCHMARKS.md; the run exits non-zero if one is missed.

use chrono::Duration;
use chuishao::demo::{self, DemoOptions};
use chuishao_domain::calendar::CalendarDay;
use chuishao_domain::case::{Assignee, ContactMethod, DispatchOrder, NewCase, Satisfaction};
use chuishao_domain::{
    Actor, CaseCommand, CaseId, CommunityCode, DayKind, DistrictCode, RequestKind, Role, Scope, StreetCode, UnitId,
};
use chuishao_store::{CaseFilter, Store, Visibility};
use std::time::Instant;

const CASES: usize = 200;

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

struct Row {
    name: &'static str,
    p50: f64,
    p95: f64,
}

fn row(name: &'static str, mut samples: Vec<f64>) -> Row {
    Row { name, p50: percentile(&mut samples, 0.5), p95: percentile(&mut samples, 0.95) }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("bench.db").display())).await?;
    store.migrate().await?;
    let now = chrono::Utc::now();
    demo::load(
        &store,
        &DemoOptions { cases: 3000, ..Default::default() },
        now,
        |p| chuishao_web::auth::hash_password(p).map_err(|e| anyhow::anyhow!("{e}")),
        |_, _| {},
    )
    .await?;
    let cal = store.work_calendar().await?;
    let district = DistrictCode::parse("110101").map_err(anyhow::Error::msg)?;
    let street = StreetCode::parse(demo::DEMO_STREET).map_err(anyhow::Error::msg)?;
    let actor = |user: &str, role, scope| Actor {
        user_id: user.into(),
        name: user.into(),
        role,
        scope,
        district: district.clone(),
    };
    let dispatcher = actor("dispatcher-110101009", Role::Dispatcher, Scope::Street { code: street.clone() });
    let leader = actor("leader-110101009", Role::StreetLeader, Scope::Street { code: street.clone() });
    let unit = UnitId::parse("110101009-city-management").map_err(anyhow::Error::msg)?;
    let staff = actor("staff", Role::UnitStaff, Scope::Unit { id: unit.clone(), street: street.clone() });
    let admin = actor("sysadmin-110101", Role::SystemAdmin, Scope::District { code: district.clone() });
    let item = store.duty_item(&district, "C-001").await?.expect("catalog item");

    // Baseline: the smallest durable write.
    let mut baseline = vec![];
    for i in 0..CASES {
        let day = CalendarDay {
            date: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).expect("date") + Duration::days(i as i64),
            kind: DayKind::Holiday,
            note: "bench".into(),
        };
        let t = Instant::now();
        store.set_calendar_day(&day, &admin, now).await?;
        baseline.push(t.elapsed().as_secs_f64() * 1e3);
    }

    let mut timings: Vec<(&'static str, Vec<f64>)> = vec![];
    let mut record = |name: &'static str, ms: f64| match timings.iter_mut().find(|(n, _)| *n == name) {
        Some((_, v)) => v.push(ms),
        None => timings.push((name, vec![ms])),
    };
    for i in 0..CASES {
        let t = Instant::now();
        let new = NewCase {
            id: CaseId(uuid::Uuid::now_v7()),
            number: String::new(),
            district: district.clone(),
            street: street.clone(),
            community: Some(CommunityCode::parse(demo::DEMO_COMMUNITY).map_err(anyhow::Error::msg)?),
            kind: RequestKind::Complaint,
            channel: chuishao_domain::case::Channel::Hotline,
            text: format!("基准测试诉求 {i}"),
            address: None,
            location: None,
            reporter: None,
            reporter_user: None,
            duty_item: None,
        };
        let id = store.receive_case(&dispatcher, now, &cal, new).await?.case.id;
        record("receive", t.elapsed().as_secs_f64() * 1e3);
        let assignee =
            Assignee::Unit { id: unit.clone(), street: street.clone(), name: "城市管理办公室".into() };
        let steps: Vec<(&'static str, &Actor, CaseCommand)> = vec![
            (
                "dispatch",
                &dispatcher,
                CaseCommand::Dispatch(DispatchOrder { assignee, duty: item.terms(), note: None }),
            ),
            ("accept", &staff, CaseCommand::Accept),
            ("contact", &staff, CaseCommand::Contact { method: ContactMethod::Phone, note: None }),
            ("resolve", &staff, CaseCommand::Resolve { result: "已处理".into() }),
            ("verify", &leader, CaseCommand::Verify { note: None }),
            (
                "record-callback",
                &dispatcher,
                CaseCommand::RecordCallback {
                    contacted: true,
                    solved: true,
                    satisfaction: Satisfaction::Satisfied,
                    note: None,
                },
            ),
            ("close", &dispatcher, CaseCommand::Close { note: None }),
        ];
        for (name, who, cmd) in steps {
            let t = Instant::now();
            store.execute(who, id, &cmd, None, now, &cal).await?;
            record(name, t.elapsed().as_secs_f64() * 1e3);
        }
    }

    // Reads: the dispatcher's first page over the street's history, against a trivial query.
    let mut ping = vec![];
    let mut list = vec![];
    let visibility = Visibility::of(&dispatcher);
    for _ in 0..CASES {
        let t = Instant::now();
        store.ping().await?;
        ping.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let page = store
            .list_cases(&district, &visibility, &CaseFilter { page: 1, per_page: 20, ..Default::default() })
            .await?;
        list.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(page.total > 0);
    }

    let base = row("baseline: durable 1-row write", baseline);
    let mut rows = vec![];
    for (name, samples) in timings {
        rows.push(row(name, samples));
    }
    println!("{:<34} {:>9} {:>9} {:>8}", "operation (SQLite, synchronous=FULL)", "p50 ms", "p95 ms", "× base");
    println!("{:<34} {:>9.3} {:>9.3} {:>8}", base.name, base.p50, base.p95, "1.00");
    let mut worst: f64 = 0.0;
    for r in &rows {
        let ratio = r.p50 / base.p50;
        worst = worst.max(ratio);
        println!("{:<34} {:>9.3} {:>9.3} {:>8.2}", r.name, r.p50, r.p95, ratio);
    }
    let ping = row("baseline: SELECT 1", ping);
    let list = row("list 20 of the street's cases", list);
    println!("{:<34} {:>9.3} {:>9.3} {:>8}", ping.name, ping.p50, ping.p95, "1.00");
    println!("{:<34} {:>9.3} {:>9.3} {:>8.2}", list.name, list.p50, list.p95, list.p50 / ping.p50);

    // Targets (BENCHMARKS.md): a command costs at most 3× the bare durable write at the median,
    // and a list page is answered within 25 ms at the 95th percentile.
    let mut missed = vec![];
    if worst > 3.0 {
        missed.push(format!("a command's p50 is {worst:.2}× the durable-write baseline (target ≤ 3×)"));
    }
    if list.p95 > 25.0 {
        missed.push(format!("list p95 {:.1} ms (target ≤ 25 ms)", list.p95));
    }
    if missed.is_empty() {
        println!("targets met");
        Ok(())
    } else {
        anyhow::bail!("targets missed: {}", missed.join("; "))
    }
}
