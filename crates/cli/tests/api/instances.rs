//! Several server processes on one PostgreSQL database (the PostgreSQL pass of scripts/test).

use crate::helpers::*;
use chrono::Duration;
use chuishao::demo::{self, DemoOptions};
use chuishao_domain::case::{Assignee, Channel, DispatchOrder, NewCase};
use chuishao_domain::whistle::{self, NewWhistle, SummonsOrder, WhistleCommand, WhistleId, WhistleLevel};
use chuishao_domain::{
    Actor, CaseCommand, CaseId, CommunityCode, DepartmentId, DistrictCode, RequestKind, Role, Scope, StreetCode, UnitId,
};
use chuishao_store::Store;
use reqwest::StatusCode;
use serde_json::json;

/// A fresh PostgreSQL database with the demo's organisation and accounts, or `None` on SQLite.
async fn shared_database() -> Option<(String, Store, tempfile::TempDir)> {
    if postgres_url().is_none() {
        eprintln!("several instances share one PostgreSQL database: this runs in the PostgreSQL pass");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(dir.path()).await;
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    demo::load(
        &store,
        &DemoOptions { cases: 0, ..Default::default() },
        chrono::Utc::now(),
        |p| chuishao_web::auth::hash_password(p).map_err(|e| anyhow::anyhow!("{e}")),
        |_, _| {},
    )
    .await
    .unwrap();
    Some((url, store, dir))
}

fn district() -> DistrictCode {
    DistrictCode::parse("110101").unwrap()
}

fn street_actor(role: Role, user: &str) -> Actor {
    Actor {
        user_id: user.into(),
        name: user.into(),
        role,
        scope: Scope::Street { code: StreetCode::parse(DZM).unwrap() },
        district: district(),
    }
}

#[tokio::test]
async fn two_instances_on_one_database_emit_each_deadline_event_exactly_once() {
    let Some((url, store, _dir)) = shared_database().await else { return };
    let cal = store.work_calendar().await.unwrap();
    let dispatcher = street_actor(Role::Dispatcher, "dispatcher-110101009");
    let leader = street_actor(Role::StreetLeader, "leader-110101009");
    let item = store.duty_item(&district(), "C-001").await.unwrap().unwrap();
    // Forty cases dispatched three days ago: their 24-hour response deadlines are long past.
    let then = chrono::Utc::now() - Duration::days(3);
    let mut ids = vec![];
    for i in 0..40 {
        let new = NewCase {
            id: CaseId(uuid::Uuid::now_v7()),
            number: String::new(),
            district: district(),
            street: StreetCode::parse(DZM).unwrap(),
            community: Some(CommunityCode::parse(SHIZIPO).unwrap()),
            kind: RequestKind::Complaint,
            channel: Channel::Hotline,
            text: format!("多实例测试诉求{i}"),
            address: None,
            location: None,
            reporter: None,
            reporter_user: None,
            duty_item: None,
        };
        let id = store.receive_case(&dispatcher, then, &cal, new).await.unwrap().case.id;
        let order = DispatchOrder {
            assignee: Assignee::Unit {
                id: UnitId::parse(CITY_OFFICE).unwrap(),
                street: StreetCode::parse(DZM).unwrap(),
                name: "城市管理办公室".into(),
            },
            duty: item.terms(),
            note: None,
        };
        store.execute(&dispatcher, id, &CaseCommand::Dispatch(order), None, then, &cal).await.unwrap();
        ids.push(id);
    }
    // And an emergency whistle blown two hours ago that nobody signed.
    let policy = whistle::default_policies().into_iter().find(|p| p.kind == "emergency").unwrap();
    let new = NewWhistle {
        id: WhistleId(uuid::Uuid::now_v7()),
        district: district(),
        street: StreetCode::parse(DZM).unwrap(),
        community: None,
        case: None,
        level: WhistleLevel::Street,
        policy,
        reason: "主干道水管爆裂".into(),
        address: None,
        location: None,
        departments: vec![SummonsOrder {
            department: DepartmentId::parse("dc-waterworks").unwrap(),
            name: "自来水集团".into(),
            task: "抢修".into(),
        }],
    };
    let blown = store
        .start_whistle(&leader, &WhistleCommand::Blow(Box::new(new)), chrono::Utc::now() - Duration::hours(2), &cal)
        .await
        .unwrap()
        .whistle
        .id;

    // Two server processes tick every second; this process ticks too, as a third instance.
    let _a = start_instance(&url, &["--tick-seconds", "1"]).await;
    let _b = start_instance(&url, &["--tick-seconds", "1"]).await;
    let overdue_count = |store: Store, ids: Vec<CaseId>| async move {
        let mut n = 0;
        for id in ids {
            let events = store.case_events(&district(), id).await.unwrap();
            n += events.iter().filter(|e| e.event.data.type_name() == "deadline_overdue").count();
        }
        n
    };
    for _ in 0..4 {
        store.tick(chrono::Utc::now(), &cal).await.unwrap();
    }
    let mut settled = false;
    for _ in 0..100 {
        if overdue_count(store.clone(), ids.clone()).await >= ids.len() {
            settled = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(settled, "the instances emitted the overdue events");
    // Let both instances run a few more passes, then count again: still exactly one each.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    store.tick(chrono::Utc::now(), &cal).await.unwrap();
    for id in &ids {
        let events = store.case_events(&district(), *id).await.unwrap();
        let types: Vec<&str> = events.iter().map(|e| e.event.data.type_name()).collect();
        assert_eq!(types, ["received", "dispatched", "deadline_overdue"], "case {id}");
        let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
    }
    let (w, events) = store.load_whistle(&district(), blown).await.unwrap().unwrap();
    let overdue: Vec<_> = events.iter().filter(|e| e.event.data.type_name() == "overdue").collect();
    assert_eq!(overdue.len(), 2, "sign and report-in, once each");
    assert_eq!(w.escalations(), 2);
}

#[tokio::test]
async fn sixteen_conflicting_writers_through_two_instances_one_succeeds() {
    let Some((url, _store, _dir)) = shared_database().await else { return };
    let a = start_instance(&url, &[]).await;
    let b = start_instance(&url, &[]).await;
    let client = reqwest::Client::new();
    let (ta, tb) = (login_at(&a.base, "dispatcher").await, login_at(&b.base, "dispatcher").await);
    let case: serde_json::Value = client
        .post(format!("{}/api/v1/cases", a.base))
        .bearer_auth(&ta)
        .json(&json!({"kind": "complaint", "channel": "hotline", "text": "并发测试", "community_code": SHIZIPO, "duty_item": "C-001"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = case["id"].as_str().unwrap().to_string();
    let version = case["version"].as_u64().unwrap();
    let mut tasks = vec![];
    for i in 0..16 {
        let (base, token) = if i % 2 == 0 { (a.base.clone(), ta.clone()) } else { (b.base.clone(), tb.clone()) };
        let client = client.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let action = if i % 4 == 0 { "dispatch" } else { "add-note" };
            let body = if action == "dispatch" {
                json!({"unit": CITY_OFFICE, "expected_version": version})
            } else {
                json!({"text": format!("并发备注{i}"), "expected_version": version})
            };
            let r = client
                .post(format!("{base}/api/v1/cases/{id}/actions/{action}"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let body: serde_json::Value = r.json().await.unwrap();
            (status, body["code"].as_str().unwrap_or("").to_string())
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, code) = t.await.unwrap();
        if status == StatusCode::OK {
            ok += 1;
        } else {
            assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "version_conflict"));
        }
    }
    assert_eq!(ok, 1, "exactly one writer wins");
    let got: serde_json::Value = client
        .get(format!("{}/api/v1/cases/{id}", b.base))
        .bearer_auth(&tb)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seqs: Vec<u64> = got["timeline"].as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2], "no gaps, no duplicates");
}

#[tokio::test]
async fn a_catalog_item_added_through_one_instance_is_suggested_by_the_other() {
    let Some((url, _store, _dir)) = shared_database().await else { return };
    let a = start_instance(&url, &["--tick-seconds", "1"]).await;
    let b = start_instance(&url, &["--tick-seconds", "1"]).await;
    let client = reqwest::Client::new();
    let text = "小区新装的电动车充电柜半夜起火冒烟，换电柜附近全是烟";
    let top = |base: String, token: String| {
        let client = client.clone();
        async move {
            let r: serde_json::Value = client
                .post(format!("{base}/api/v1/route"))
                .bearer_auth(token)
                .json(&json!({"text": text, "community_code": SHIZIPO}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["items"][0]["code"].as_str().unwrap_or("").to_string()
        }
    };
    let dispatcher_b = login_at(&b.base, "dispatcher").await;
    assert_ne!(top(b.base.clone(), dispatcher_b.clone()).await, "C-300", "no such item yet");

    let admin_a = login_at(&a.base, "system_admin").await;
    let item = json!({"category": "消防安全", "name": "换电柜充电柜安全", "kind": "report", "owner": "unit:community_safety",
        "response_deadline": "2h", "resolution_deadline": "3wd",
        "keywords": ["换电柜", "充电柜", "电动车充电柜", "充电柜起火", "换电柜冒烟"],
        "examples": ["小区充电柜起火冒烟", "换电柜附近有烟味"]});
    let r =
        client.put(format!("{}/api/v1/catalog/C-300", a.base)).bearer_auth(&admin_a).json(&item).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(top(a.base.clone(), login_at(&a.base, "dispatcher").await).await, "C-300", "at once where it was added");
    // The other instance follows within a few ticker passes.
    let mut seen = String::new();
    for _ in 0..50 {
        seen = top(b.base.clone(), dispatcher_b.clone()).await;
        if seen == "C-300" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(seen, "C-300", "instance b rebuilt its router after the change made through a");
}
