//! Community liaisons (社区专员): coverage, households in care, visits at the door that raise cases
//! and hardship assistance (民生保障), forms sent again under one idempotency key, and results.

use crate::helpers::*;
use chrono::Duration;
use chuishao_domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The demo liaison of 十字坡社区.
const LIAISON_ID: &str = "liaison-110101009008";
const DISPATCHER_ID: &str = "dispatcher-110101009";
/// 胡家园社区, another community of 东直门街道.
const HUJIAYUAN: &str = "110101009003";
/// A community of 东四街道.
const DONGSI_COMMUNITY: &str = "110101006001";
const DONGSI: &str = "110101006";

fn path_of(app: &TestApp, path: &str) -> String {
    format!("{}{path}", app.base)
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> Reply {
    app.send(app.client.put(path_of(app, path)).bearer_auth(token).json(&body)).await
}

/// POST with an `Idempotency-Key`, as a phone sends a form filled offline.
async fn post_keyed(app: &TestApp, token: &str, path: &str, key: &str, body: &Value) -> Reply {
    app.send(app.client.post(path_of(app, path)).bearer_auth(token).header("Idempotency-Key", key).json(body)).await
}

/// POST asking for English messages.
async fn post_en(app: &TestApp, token: &str, path: &str, body: Value) -> Reply {
    app.send(app.client.post(path_of(app, path)).bearer_auth(token).header("Accept-Language", "en").json(&body)).await
}

/// Registers a household; answers its view.
async fn register(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post(token, "/api/v1/households", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "register household: {}", r.body);
    r.body
}

/// 李桂兰, living alone at 80+ in 十字坡社区.
fn elderly_household() -> Value {
    json!({
        "address": "十字坡社区3号楼2单元501",
        "contact_name": "李桂兰",
        "phone": "13812345678",
        "care_flags": ["living_alone", "elderly"],
        "note": "独居，行动不便",
    })
}

/// The visit of the acceptance walk: a walking frame and a broken stairwell light.
fn door_visit(household_id: &str) -> Value {
    json!({
        "household_id": household_id,
        "seen": "老人独居，行走困难；楼道灯坏了，晚上看不见台阶",
        "asked": "希望申请一台助行器",
        "follow_ups": "一周内回访助行器落实情况",
        "raise_assistance": {
            "kind": "assistive_device",
            "description": "老人行走不便，需要助行器",
            "requested": "助行器一台",
        },
        "raise_case": {"kind": "help", "text": "十字坡社区3号楼2单元楼道灯坏了，独居老人夜间出行不便"},
    })
}

async fn visit(app: &TestApp, token: &str, body: Value) -> Reply {
    app.post(token, "/api/v1/visits", body).await
}

async fn assist(app: &TestApp, token: &str, id: &str, action: &str, body: Value) -> Reply {
    app.post(token, &format!("/api/v1/assistance/{id}/actions/{action}"), body).await
}

/// Acts on an assistance request and insists it worked; answers the request.
async fn assist_ok(app: &TestApp, token: &str, id: &str, action: &str, body: Value) -> Value {
    let r = assist(app, token, id, action, body).await;
    assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
    r.body
}

fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_string()).collect()
}

fn types(timeline: &Value) -> Vec<String> {
    timeline.as_array().expect("timeline").iter().map(|e| e["type"].as_str().expect("type").to_string()).collect()
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}"))
}

/// How many visits, cases and assistance requests the street's dispatcher can find.
pub(crate) async fn written(app: &TestApp) -> (u64, u64, u64) {
    let d = app.login("dispatcher").await;
    let total = |r: Reply| r.body["total"].as_u64().unwrap_or_else(|| panic!("total: {}", r.body));
    (
        total(app.get(&d, "/api/v1/visits").await),
        total(app.get(&d, "/api/v1/cases").await),
        total(app.get(&d, "/api/v1/assistance").await),
    )
}

#[tokio::test]
async fn a_liaison_visit_raises_a_walking_frame_and_a_stairwell_light_and_both_run_their_course() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let dispatcher = app.login("dispatcher").await;
    let city = app.login("unit_staff").await;
    let livelihood = app.login("unit_staff2").await;
    let leader = app.login("street_leader").await;

    // A liaison covering one community may leave the community out.
    let h = register(&app, &liaison, elderly_household()).await;
    assert_eq!(h["community"]["code"], SHIZIPO);
    assert_eq!(h["street"]["name"], "东直门街道");
    let flags: Vec<(&str, &str)> = h["care_flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["flag"].as_str().unwrap(), f["label"].as_str().unwrap()))
        .collect();
    assert_eq!(flags, [("living_alone", "独居老人"), ("elderly", "高龄")]);
    assert_eq!(h["interval_days"], 30, "living alone: monthly, the shortest of its flags");
    assert_eq!((h["next_visit_due"].as_str(), h["days_overdue"].as_i64()), (Some("2026-11-27"), Some(0)));
    assert_eq!(h["phone"], "138****5678");
    let hid = id(&h).to_string();

    // Never visited: due today.
    let due_path = format!("/api/v1/liaisons/{LIAISON_ID}/due-visits");
    let due = app.get(&liaison, &due_path).await;
    assert_eq!(due.status, StatusCode::OK, "{}", due.body);
    assert_eq!(ids(&due.body), std::slice::from_ref(&hid));
    assert_eq!(due.body["items"][0]["days_overdue"], 0);

    // At the door: one call logs the visit, raises the request and the case.
    let r = visit(&app, &liaison, door_visit(&hid)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (v, case, help) = (&r.body["visit"], &r.body["case"], &r.body["assistance"]);
    assert_eq!(v["visited_on"], "2026-11-27");
    assert_eq!(v["household"]["id"], hid.as_str());
    assert_eq!(v["by"]["id"], LIAISON_ID);
    assert_eq!(v["case"]["code"], case["id"]);
    assert_eq!(v["case"]["name"], case["number"]);
    assert_eq!(v["assistance_id"], help["id"]);

    assert_eq!(case["channel"], "liaison_visit");
    assert_eq!(case["kind"], "help");
    assert_eq!(case["status"], "received");
    assert_eq!(case["community"]["code"], SHIZIPO);
    assert_eq!(case["reporter"], json!({"name": "李**", "phone": "138****5678"}), "the household's contact");
    assert_eq!(case["address"], "十字坡社区*号楼*单元*", "the household's address, masked");
    assert!(case["number"].as_str().unwrap().starts_with("110101-20261127-"), "{}", case["number"]);

    assert_eq!(help["status"], "submitted");
    assert_eq!(help["kind_label"], "辅具适配");
    assert_eq!(help["unit"], json!({"code": LIVELIHOOD, "name": "民生保障办公室"}));
    assert_eq!(help["requested"], "助行器一台");
    assert_eq!(help["household_id"], hid.as_str());
    assert_eq!(help["visit_id"], v["id"]);
    assert_eq!(help["submitted_by"]["id"], LIAISON_ID);
    // Assistive devices are decided within 5 working days: Friday 09:00 → next Friday 09:00.
    assert_eq!(help["clocks"][0]["clock"], "decision");
    assert_eq!(help["clocks"][0]["due"], "2026-12-04T09:00:00+08:00");
    let aid = id(help).to_string();

    // Visited today: the household leaves the due list until 30 days on.
    assert_eq!(app.get(&liaison, &due_path).await.body["total"], 0);
    let h = app.get(&liaison, &format!("/api/v1/households/{hid}")).await.body;
    assert_eq!((h["last_visit_on"].as_str(), h["next_visit_due"].as_str()), (Some("2026-11-27"), Some("2026-12-27")));
    assert_eq!(h["days_overdue"], -30);
    assert_eq!(app.get(&liaison, &format!("{due_path}?within_days=29")).await.body["total"], 0);
    assert_eq!(ids(&app.get(&liaison, &format!("{due_path}?within_days=30")).await.body), std::slice::from_ref(&hid));

    // The street's 民生保障办公室 has it; the city management office does not.
    assert_eq!(ids(&app.get(&livelihood, "/api/v1/assistance").await.body), std::slice::from_ref(&aid));
    assert_eq!(app.get(&city, "/api/v1/assistance").await.body["total"], 0);
    assert_eq!(app.get(&city, &format!("/api/v1/assistance/{aid}")).await.status, StatusCode::NOT_FOUND);

    // Review, approval and delivery at 民生保障办公室.
    app.clock.advance(Duration::hours(1));
    let a = assist_ok(&app, &livelihood, &aid, "start-review", json!({"note": "核实老人身体状况"})).await;
    assert_eq!((a["status"].as_str(), a["status_label"].as_str()), (Some("under_review"), Some("审核中")));
    app.clock.advance(Duration::hours(1));
    let a = assist_ok(&app, &livelihood, &aid, "approve", json!({"note": "符合辅具适配条件"})).await;
    assert_eq!(a["status"], "approved");
    assert_eq!(a["clocks"][0]["met_at"], "2026-11-27T11:00:00+08:00");
    assert_eq!(a["clocks"][1]["clock"], "delivery");
    assert_eq!(a["clocks"][1]["due"], "2026-12-11T11:00:00+08:00", "delivery within 10 working days");
    app.clock.advance(Duration::hours(1));
    let a = assist_ok(&app, &livelihood, &aid, "deliver", json!({"note": "已上门配送助行器一台"})).await;
    assert_eq!((a["status"].as_str(), a["status_label"].as_str()), (Some("delivered"), Some("已落实")));
    assert_eq!(a["delivered_at"], "2026-11-27T12:00:00+08:00");
    assert!(a["allowed_actions"].as_array().unwrap().iter().all(|x| x != "approve" && x != "deliver"));

    // The whole timeline, in order, as the liaison sees it.
    let got = app.get(&liaison, &format!("/api/v1/assistance/{aid}")).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let timeline = &got.body["timeline"];
    assert_eq!(types(timeline), ["submitted", "review_started", "approved", "delivered"]);
    let at: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert_eq!(
        at,
        [
            "2026-11-27T09:00:00+08:00",
            "2026-11-27T10:00:00+08:00",
            "2026-11-27T11:00:00+08:00",
            "2026-11-27T12:00:00+08:00"
        ]
    );
    let roles: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["actor"]["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["liaison", "unit_staff", "unit_staff", "unit_staff"]);
    assert_eq!(timeline[3]["data"]["note"], "已上门配送助行器一台");
    assert_eq!(got.body["delivery_note"], "已上门配送助行器一台");

    // The case follows its own lifecycle, called back on the household's number.
    let c = app.ok(&dispatcher, case, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-001"})).await;
    assert_eq!(c["assignee"]["id"], CITY_OFFICE);
    app.ok(&city, case, "accept", json!({})).await;
    app.ok(&city, case, "contact", json!({"method": "phone", "note": "已联系李桂兰家属"})).await;
    app.ok(&city, case, "resolve", json!({"result": "已更换楼道灯"})).await;
    app.ok(&liaison, case, "verify", json!({"note": "回访现场，灯已亮"})).await;
    app.ok(
        &dispatcher,
        case,
        "record-callback",
        json!({"contacted": true, "solved": true, "satisfaction": "satisfied"}),
    )
    .await;
    let closed = app.ok(&dispatcher, case, "close", json!({})).await;
    assert_eq!(closed["status"], "closed");
    let got = app.case(&leader, case).await.body;
    assert_eq!(
        types(&got["timeline"]),
        ["received", "dispatched", "accepted", "contacted", "resolved", "verified", "callback_recorded", "closed"]
    );
    assert_eq!(got["timeline"][0]["actor"]["id"], LIAISON_ID);
    assert_eq!(got["channel_label"], "社区专员走访");

    // The visit still points at its case and request.
    let got = app.get(&liaison, &format!("/api/v1/visits/{}", id(v))).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!((&got.body["case"]["code"], &got.body["assistance_id"]), (&case["id"], &json!(aid)));
}

#[tokio::test]
async fn the_same_form_sent_again_under_one_idempotency_key_is_stored_once() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;

    // A household registered twice from the phone is one household.
    let first = post_keyed(&app, &liaison, "/api/v1/households", "hh-0001", &elderly_household()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = post_keyed(&app, &liaison, "/api/v1/households", "hh-0001", &elderly_household()).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(app.get(&liaison, "/api/v1/households").await.body["total"], 1);
    let hid = id(&first.body).to_string();

    let body = door_visit(&hid);
    let key = "visit-20261127-0001";
    let first = post_keyed(&app, &liaison, "/api/v1/visits", key, &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    // The phone did not see the answer and sends the form again when the signal returns, next day.
    app.clock.advance(Duration::days(1));
    let (liaison, dispatcher) = (app.login("liaison").await, app.login("dispatcher").await);
    let again = post_keyed(&app, &liaison, "/api/v1/visits", key, &body).await;
    assert_eq!(again.status, StatusCode::OK, "sent again: {}", again.body);
    for part in ["visit", "case", "assistance"] {
        assert!(first.body[part]["id"].is_string(), "{part} in {}", first.body);
        assert_eq!(again.body[part]["id"], first.body[part]["id"], "{part}");
    }
    assert_eq!(again.body["case"]["number"], first.body["case"]["number"]);
    assert_eq!(again.body["visit"]["recorded_at"], "2026-11-27T09:00:00+08:00", "what the first sending stored");
    assert_eq!(again.body["visit"]["visited_on"], "2026-11-27");
    assert_eq!(written(&app).await, (1, 1, 1));
    assert_eq!(app.get(&liaison, "/api/v1/visits").await.body["total"], 1);

    // The same key with another form is refused, and nothing more is written.
    let mut other = body.clone();
    other["seen"] = json!("老人不在家");
    let r = post_keyed(&app, &liaison, "/api/v1/visits", key, &other).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
    assert_eq!(r.body["field"], "Idempotency-Key");
    let r = post_keyed(&app, &liaison, "/api/v1/households", key, &elderly_household()).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"), "{}", r.body);
    assert_eq!(written(&app).await, (1, 1, 1));
    assert_eq!(app.get(&liaison, "/api/v1/households").await.body["total"], 1);

    // Keys belong to whoever sent them: the dispatcher's own form under the same key is new.
    let walk = json!({"community_code": SHIZIPO, "place": "十字坡社区东门广场", "seen": "广场路灯正常"});
    let r = post_keyed(&app, &dispatcher, "/api/v1/visits", key, &walk).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_ne!(r.body["visit"]["id"], first.body["visit"]["id"]);
    // Without a key the server cannot tell a retry from a second visit.
    let r = visit(&app, &liaison, walk.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = visit(&app, &liaison, walk).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(written(&app).await, (4, 1, 1));

    // Cases filed with a key are received once, too.
    let case = json!({
        "kind": "complaint", "channel": "hotline", "text": "十字坡社区门口早市占道经营",
        "community_code": SHIZIPO, "reporter": {"name": "张三", "phone": "13812345678"},
    });
    let a = post_keyed(&app, &dispatcher, "/api/v1/cases", "case-0001", &case).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let b = post_keyed(&app, &dispatcher, "/api/v1/cases", "case-0001", &case).await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.body);
    assert_eq!((&b.body["id"], &b.body["number"]), (&a.body["id"], &a.body["number"]));
    assert_eq!(app.get(&dispatcher, "/api/v1/cases").await.body["total"], 2);

    // So are assistance requests.
    let help = json!({"household_id": hid, "kind": "meal_aid", "description": "老人做饭困难，申请助餐"});
    let a = post_keyed(&app, &liaison, "/api/v1/assistance", "aid-0001", &help).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let b = post_keyed(&app, &liaison, "/api/v1/assistance", "aid-0001", &help).await;
    assert_eq!((b.status, &b.body["id"]), (StatusCode::OK, &a.body["id"]));
    assert_eq!(written(&app).await, (4, 2, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_sendings_of_one_form_at_once_store_one_visit() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let h = register(&app, &liaison, elderly_household()).await;
    let body = door_visit(id(&h));
    let mut sendings = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (client, url, token, body) =
            (app.client.clone(), path_of(&app, "/api/v1/visits"), liaison.clone(), body.clone());
        sendings.spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", "offline-visit-42")
                .json(&body)
                .send()
                .await
                .expect("request");
            let status = res.status();
            (status, res.json::<Value>().await.expect("json"))
        });
    }
    let replies = sendings.join_all().await;
    let created = replies.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    let replayed = replies.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!((created, replayed), (1, 7), "{replies:?}");
    let visit_ids: std::collections::BTreeSet<&str> =
        replies.iter().map(|(_, b)| b["visit"]["id"].as_str().unwrap()).collect();
    assert_eq!(visit_ids.len(), 1, "every sending answers the one visit");
    let case_ids: std::collections::BTreeSet<&str> =
        replies.iter().map(|(_, b)| b["case"]["id"].as_str().unwrap()).collect();
    assert_eq!(case_ids.len(), 1);
    assert_eq!(written(&app).await, (1, 1, 1));
}

#[tokio::test]
async fn a_liaison_sees_only_the_households_of_the_communities_they_cover_now() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let dispatcher = app.login("dispatcher").await;
    let mut hjy = elderly_household();
    hjy["community_code"] = json!(HUJIAYUAN);
    hjy["address"] = json!("胡家园小区12号楼3门202");
    let h = register(&app, &dispatcher, hjy).await;
    assert_eq!(h["community"]["code"], HUJIAYUAN);
    let hid = id(&h).to_string();
    let path = format!("/api/v1/households/{hid}");
    let liaison_path = format!("/api/v1/liaisons/{LIAISON_ID}");
    let due_path = format!("{liaison_path}/due-visits");

    // Outside the liaison's communities: absent.
    let r = app.get(&liaison, &path).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "household_not_found"));
    assert_eq!(app.get(&liaison, "/api/v1/households").await.body["total"], 0);
    assert_eq!(app.get(&liaison, &format!("/api/v1/households?community={HUJIAYUAN}")).await.body["total"], 0);
    assert_eq!(app.get(&liaison, &due_path).await.body["total"], 0);
    let r = visit(&app, &liaison, json!({"household_id": hid, "seen": "敲门无人应答"})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("household_id")));
    let mut elsewhere = elderly_household();
    elsewhere["community_code"] = json!(HUJIAYUAN);
    assert_eq!(app.post(&liaison, "/api/v1/households", elsewhere).await.status, StatusCode::FORBIDDEN);
    // The street sees who covers what, and what nobody covers.
    let cov = app.get(&dispatcher, "/api/v1/liaisons").await;
    assert_eq!(cov.status, StatusCode::OK, "{}", cov.body);
    let mine = cov.body["liaisons"].as_array().unwrap().iter().find(|l| l["id"] == LIAISON_ID).expect("listed");
    assert_eq!(mine["communities"].as_array().unwrap().len(), 1);
    assert_eq!(mine["communities"][0]["community"]["code"], SHIZIPO);
    let uncovered = |v: &Value| -> Vec<String> {
        v["uncovered"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_string()).collect()
    };
    assert!(uncovered(&cov.body).contains(&HUJIAYUAN.to_string()));
    assert!(!uncovered(&cov.body).contains(&SHIZIPO.to_string()));

    // The street's dispatcher adds 胡家园: the liaison sees its households at once.
    app.clock.advance(Duration::hours(1));
    let r =
        put(&app, &dispatcher, &format!("{liaison_path}/communities"), json!({"communities": [SHIZIPO, HUJIAYUAN]}))
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let covered: Vec<&str> =
        r.body["communities"].as_array().unwrap().iter().map(|c| c["community"]["code"].as_str().unwrap()).collect();
    assert_eq!(covered, [HUJIAYUAN, SHIZIPO]);
    let r = app.get(&liaison, &path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(ids(&app.get(&liaison, "/api/v1/households").await.body), std::slice::from_ref(&hid));
    assert_eq!(ids(&app.get(&liaison, &due_path).await.body), std::slice::from_ref(&hid));
    assert!(!uncovered(&app.get(&dispatcher, "/api/v1/liaisons").await.body).contains(&HUJIAYUAN.to_string()));
    let r = visit(&app, &liaison, json!({"household_id": hid, "seen": "老人身体尚好"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let visit_id = id(&r.body["visit"]).to_string();
    // Covering two communities, a form must say which one it is about.
    let r = visit(&app, &liaison, json!({"place": "社区广场", "seen": "路灯不亮"})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("community_code")));
    let r = app.post(&liaison, "/api/v1/households", elderly_household()).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("community_code")));

    // Taken away again: hidden again, visits included.
    app.clock.advance(Duration::hours(1));
    let r = put(&app, &dispatcher, &format!("{liaison_path}/communities"), json!({"communities": [SHIZIPO]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.get(&liaison, &path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&liaison, "/api/v1/households").await.body["total"], 0);
    assert_eq!(app.get(&liaison, &format!("/api/v1/visits/{visit_id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&liaison, "/api/v1/visits").await.body["total"], 0);
    assert_eq!(app.get(&dispatcher, "/api/v1/visits").await.body["total"], 1, "the street keeps the record");

    // The history keeps the ended stint.
    let r = app.get(&liaison, &liaison_path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["communities"].as_array().unwrap().len(), 1);
    let history = r.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{}", r.body);
    let stint = history.iter().find(|a| a["community"]["code"] == HUJIAYUAN).expect("the 胡家园 stint");
    assert_eq!(stint["assigned_at"], "2026-11-27T10:00:00+08:00");
    assert_eq!(stint["assigned_by"], DISPATCHER_ID);
    assert_eq!(stint["ended_at"], "2026-11-27T11:00:00+08:00");
    assert_eq!(stint["ended_by"], DISPATCHER_ID);
    let home = history.iter().find(|a| a["community"]["code"] == SHIZIPO).expect("the home stint");
    assert!(home["ended_at"].is_null());

    // Assigned once more later: a second stint, not a rewrite of the first.
    app.clock.advance(Duration::days(1));
    let dispatcher = app.login("dispatcher").await;
    let r =
        put(&app, &dispatcher, &format!("{liaison_path}/communities"), json!({"communities": [SHIZIPO, HUJIAYUAN]}))
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let history = r.body["history"].as_array().unwrap();
    assert_eq!(history.iter().filter(|a| a["community"]["code"] == HUJIAYUAN).count(), 2, "{}", r.body);

    // Only the liaison's own street assigns; only to its communities.
    app.add_user("dispatcher_ds", Role::Dispatcher, DONGSI).await;
    let other = app.login("dispatcher_ds").await;
    let r = put(&app, &other, &format!("{liaison_path}/communities"), json!({"communities": []})).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "liaison_not_found"));
    assert_eq!(app.get(&other, &liaison_path).await.status, StatusCode::NOT_FOUND);
    let liaison = app.login("liaison").await;
    let r = put(&app, &liaison, &format!("{liaison_path}/communities"), json!({"communities": [SHIZIPO]})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a liaison does not assign themself: {}", r.body);
    let r = put(&app, &dispatcher, &format!("{liaison_path}/communities"), json!({"communities": [DONGSI_COMMUNITY]}))
        .await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "field_unknown", Some("communities[0]"))
    );
    let r = put(&app, &dispatcher, &format!("{liaison_path}/communities"), json!({"communities": [SHIZIPO, "十字坡"]}))
        .await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("communities[1]")));
    // Nothing changed by the refusals.
    assert_eq!(app.get(&liaison, &liaison_path).await.body["communities"].as_array().unwrap().len(), 2);
    assert_eq!(app.get(&liaison, &path).await.status, StatusCode::OK);
}

#[tokio::test]
async fn assistance_is_decided_by_the_livelihood_office_on_its_clock() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let livelihood = app.login("unit_staff2").await;
    let city = app.login("unit_staff").await;
    let submit = |kind: &'static str, description: &'static str| {
        let app = &app;
        let liaison = liaison.clone();
        async move {
            let r = app.post(&liaison, "/api/v1/assistance", json!({"kind": kind, "description": description})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            assert_eq!(r.body["community"]["code"], SHIZIPO);
            id(&r.body).to_string()
        }
    };
    let relief = submit("temporary_relief", "家中突发变故，生活暂时困难").await;

    // The liaison raises requests, not decides them.
    let r = assist(&app, &liaison, &relief, "approve", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_permitted"));
    assert_eq!(r.body["message"], "您的角色（社区专员）不能执行“批准”");
    let r = post_en(&app, &liaison, &format!("/api/v1/assistance/{relief}/actions/approve"), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_permitted"));
    assert_eq!(r.body["message"], "Your role (community liaison) may not Approve");
    // Another unit of the street does not even see it.
    let r = assist(&app, &city, &relief, "start-review", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "assistance_not_found"));

    // Steps in order only.
    let r = assist(&app, &livelihood, &relief, "deliver", json!({"note": "已发放"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "assistance_invalid_state"));
    let r =
        post_en(&app, &livelihood, &format!("/api/v1/assistance/{relief}/actions/deliver"), json!({"note": "x"})).await;
    assert_eq!(r.body["message"], "The request is Submitted; it cannot Mark delivered now");
    assist_ok(&app, &livelihood, &relief, "start-review", json!({})).await;
    let r = assist(&app, &livelihood, &relief, "deliver", json!({"note": "已发放"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "assistance_invalid_state"));

    // A rejection gives its reason.
    let r = assist(&app, &livelihood, &relief, "reject", json!({"reason": "  "})).await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "field_required", Some("reason"))
    );
    let r = assist(&app, &livelihood, &relief, "reject", json!({})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let r =
        post_en(&app, &livelihood, &format!("/api/v1/assistance/{relief}/actions/reject"), json!({"reason": ""})).await;
    assert_eq!(r.body["message"], "reason is required");
    let a = assist_ok(&app, &livelihood, &relief, "reject", json!({"reason": "经核实不符合临时救助条件"})).await;
    assert_eq!(
        (a["status"].as_str(), a["rejection_reason"].as_str()),
        (Some("rejected"), Some("经核实不符合临时救助条件"))
    );
    let r = assist(&app, &livelihood, &relief, "approve", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "assistance_invalid_state"));
    let r = assist(&app, &liaison, &relief, "withdraw", json!({"reason": "x"})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "assistance_invalid_state"),
        "decided: too late to withdraw"
    );

    // Whoever submitted may take a request back while it is open; the office may not.
    let meals = submit("meal_aid", "老人做饭困难").await;
    let got = app.get(&liaison, &format!("/api/v1/assistance/{meals}")).await.body;
    assert_eq!(got["allowed_actions"], json!(["withdraw", "add-note"]));
    let r = assist(&app, &livelihood, &meals, "withdraw", json!({"reason": "不需要了"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_permitted"));
    let r = assist(&app, &liaison, &meals, "withdraw", json!({"reason": ""})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let a = assist_ok(&app, &liaison, &meals, "withdraw", json!({"reason": "子女已接回同住"})).await;
    assert_eq!((a["status"].as_str(), a["withdraw_reason"].as_str()), (Some("withdrawn"), Some("子女已接回同住")));
    let r = assist(&app, &livelihood, &meals, "start-review", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "assistance_invalid_state"));

    // The decision clock: 5 working days for a device, warned once, overdue once.
    let device = submit("assistive_device", "老人需要轮椅").await;
    let got = app.get(&livelihood, &format!("/api/v1/assistance/{device}")).await.body;
    assert_eq!(got["clocks"][0]["due"], "2026-12-04T09:00:00+08:00");
    let tick = || async { app.store.tick(app.state.now(), &app.state.calendar()).await.expect("tick") };
    assert_eq!(tick().await, 0, "nothing due yet");
    app.clock.set(at("2026-12-04T08:59:00+08:00"));
    assert_eq!(tick().await, 1, "the warning");
    assert_eq!(tick().await, 0);
    app.clock.set(at("2026-12-04T09:01:00+08:00"));
    assert_eq!(tick().await, 1, "the overdue");
    assert_eq!(tick().await, 0, "exactly once");
    app.clock.advance(Duration::days(3));
    assert_eq!(tick().await, 0, "still once");
    let livelihood = app.login("unit_staff2").await;
    let got = app.get(&livelihood, &format!("/api/v1/assistance/{device}")).await.body;
    assert_eq!(types(&got["timeline"]), ["submitted", "warned", "overdue"]);
    assert_eq!(got["timeline"][2]["data"]["clock"], "decision");
    assert_eq!(got["timeline"][2]["actor"]["role"], "system");
    assert_eq!((got["overdue"].as_bool(), got["clocks"][0]["overdue"].as_bool()), (Some(true), Some(true)));
    assert_eq!(ids(&app.get(&livelihood, "/api/v1/assistance?overdue=true").await.body), std::slice::from_ref(&device));
    // Decided late: on record as late, and no longer overdue.
    assist_ok(&app, &livelihood, &device, "start-review", json!({})).await;
    let a = assist_ok(&app, &livelihood, &device, "approve", json!({})).await;
    assert_eq!((a["overdue"].as_bool(), a["clocks"][0]["late"].as_bool()), (Some(false), Some(true)));
    assert_eq!(app.get(&livelihood, "/api/v1/assistance?overdue=true").await.body["total"], 0);
    let all = app.get(&livelihood, "/api/v1/assistance?status=rejected,withdrawn").await;
    assert_eq!(all.body["total"], 2);
}

#[tokio::test]
async fn bad_visit_and_household_forms_are_refused_with_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let refused = |r: &Reply, field: &str| {
        assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{}", r.body);
    };

    // A visit is to a household or a place.
    let r = visit(&app, &liaison, json!({"seen": "社区巡查"})).await;
    refused(&r, "place");
    assert_eq!(r.code(), "field_required");
    let r = visit(&app, &liaison, json!({"place": "十字坡社区东门", "seen": " "})).await;
    refused(&r, "seen");
    let r = visit(&app, &liaison, json!({"place": "十字坡社区东门", "seen": "x", "visited_on": "2026-11-28"})).await;
    refused(&r, "visited_on");
    assert_eq!(r.code(), "field_out_of_range", "a visit cannot be dated tomorrow");
    let r = visit(&app, &liaison, json!({"place": "十字坡社区东门", "seen": "x", "visited_on": "2025-11-26"})).await;
    refused(&r, "visited_on");
    let r = visit(&app, &liaison, json!({"place": "十字坡社区东门", "seen": "x", "visited_on": "27/11/2026"})).await;
    refused(&r, "visited_on");
    let r = visit(&app, &liaison, json!({"household_id": "no-such-household", "seen": "x"})).await;
    refused(&r, "household_id");
    let r = visit(
        &app,
        &liaison,
        json!({"place": "东门", "seen": "x", "raise_assistance": {"kind": "money", "description": "x"}}),
    )
    .await;
    refused(&r, "raise_assistance.kind");
    let r = visit(
        &app,
        &liaison,
        json!({"place": "东门", "seen": "x", "raise_case": {"kind": "help", "text": "路灯坏了",
            "reporter": {"name": "张三", "phone": "12345"}}}),
    )
    .await;
    refused(&r, "raise_case.reporter.phone");
    let r = visit(&app, &liaison, json!({"community_code": DONGSI_COMMUNITY, "place": "东四", "seen": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "not the liaison's community: {}", r.body);

    // Households: known care flags, a real phone number, an address.
    let mut h = elderly_household();
    h["care_flags"] = json!(["rich"]);
    let r = app.post(&liaison, "/api/v1/households", h.clone()).await;
    refused(&r, "care_flags[0]");
    assert_eq!(r.code(), "field_unknown");
    h["care_flags"] = json!(["living_alone", "lonely"]);
    refused(&app.post(&liaison, "/api/v1/households", h.clone()).await, "care_flags[1]");
    let mut h = elderly_household();
    h["phone"] = json!("12345");
    let r = app.post(&liaison, "/api/v1/households", h).await;
    refused(&r, "phone");
    assert_eq!(r.code(), "field_malformed");
    let mut h = elderly_household();
    h["address"] = json!("");
    refused(&app.post(&liaison, "/api/v1/households", h).await, "address");
    let mut h = elderly_household();
    h["contact_name"] = json!("李".repeat(80));
    refused(&app.post(&liaison, "/api/v1/households", h).await, "contact_name");

    // A refused form does not use up its key: corrected, it goes through under the same key.
    let r = post_keyed(&app, &liaison, "/api/v1/visits", "form-7", &json!({"seen": "路面有坑"})).await;
    refused(&r, "place");
    let fixed = json!({"place": "十字坡社区东门", "seen": "路面有坑"});
    assert_eq!(post_keyed(&app, &liaison, "/api/v1/visits", "form-7", &fixed).await.status, StatusCode::CREATED);

    // A key the server cannot keep is refused before anything else.
    let walk = json!({"place": "十字坡社区东门", "seen": "路面有坑"});
    for key in ["k".repeat(200), "offline form 1".to_string()] {
        let r = post_keyed(&app, &liaison, "/api/v1/visits", &key, &walk).await;
        assert_eq!(
            (r.status, r.code(), r.body["field"].as_str()),
            (StatusCode::BAD_REQUEST, "invalid_idempotency_key", Some("Idempotency-Key")),
            "{key}"
        );
    }
    assert_eq!(post_keyed(&app, &liaison, "/api/v1/visits", &"k".repeat(100), &walk).await.status, StatusCode::CREATED);

    assert_eq!(written(&app).await, (2, 0, 0), "only the two good visits");
    assert_eq!(app.get(&liaison, "/api/v1/households").await.body["total"], 0);
}

#[tokio::test]
async fn a_visit_raising_a_case_or_request_without_text_names_the_nested_field_and_writes_nothing() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let h = register(&app, &liaison, elderly_household()).await;
    let mut no_text = door_visit(id(&h));
    no_text["raise_case"]["text"] = json!("");
    let case_reply = visit(&app, &liaison, no_text).await;
    let mut no_description = door_visit(id(&h));
    no_description["raise_assistance"]["description"] = json!("   ");
    let assistance_reply = visit(&app, &liaison, no_description).await;

    assert_eq!(case_reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", case_reply.body);
    assert_eq!(assistance_reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", assistance_reply.body);
    assert_eq!((case_reply.code(), assistance_reply.code()), ("field_required", "field_required"));
    // All or nothing: no visit, case or request, and the household is still due.
    assert_eq!(written(&app).await, (0, 0, 0));
    let due = app.get(&liaison, &format!("/api/v1/liaisons/{LIAISON_ID}/due-visits")).await;
    assert_eq!(due.body["total"], 1);
    // The form on the phone must be able to point at the field inside the part it raises.
    assert_eq!(
        (case_reply.body["field"].as_str(), assistance_reply.body["field"].as_str()),
        (Some("raise_case.text"), Some("raise_assistance.description")),
        "{} / {}",
        case_reply.body,
        assistance_reply.body
    );
}

#[tokio::test]
async fn liaison_results_count_what_was_visited_raised_solved_and_delivered() {
    let app = spawn_app().await;
    app.add_user("liaison_hjy", Role::Liaison, HUJIAYUAN).await;
    let liaison = app.login("liaison").await;
    let other_liaison = app.login("liaison_hjy").await;
    let dispatcher = app.login("dispatcher").await;
    let city = app.login("unit_staff").await;
    let livelihood = app.login("unit_staff2").await;
    let leader = app.login("street_leader").await;

    let h1 = register(&app, &liaison, elderly_household()).await;
    let mut poor = elderly_household();
    poor["address"] = json!("十字坡社区5号楼101");
    poor["care_flags"] = json!(["low_income"]);
    let h2 = register(&app, &liaison, poor).await;
    let (h1, h2) = (id(&h1).to_string(), id(&h2).to_string());

    // Yesterday's visit to h1, sent today from a form filled offline.
    let r =
        visit(&app, &liaison, json!({"household_id": h1, "seen": "老人精神不错", "visited_on": "2026-11-26"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Today: h1 again with a request and a case; h2 with a case; a walk raising nothing.
    let r = visit(&app, &liaison, door_visit(&h1)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (case_a, aid_x) = (r.body["case"].clone(), id(&r.body["assistance"]).to_string());
    let r = visit(
        &app,
        &liaison,
        json!({"household_id": h2, "seen": "下水道返味", "raise_case": {"kind": "complaint", "text": "5号楼下水道堵塞返味"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = visit(&app, &liaison, json!({"place": "十字坡社区东门广场", "seen": "广场整洁"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // A request submitted outside a visit, still under review.
    let r = app
        .post(
            &liaison,
            "/api/v1/assistance",
            json!({"household_id": h2, "kind": "employment_aid", "description": "子女失业"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assist_ok(&app, &livelihood, id(&r.body), "start-review", json!({})).await;
    // Case A solved, case B not yet; request X delivered.
    app.ok(&dispatcher, &case_a, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-001"})).await;
    app.ok(&city, &case_a, "accept", json!({})).await;
    app.ok(&city, &case_a, "contact", json!({})).await;
    app.ok(&city, &case_a, "resolve", json!({"result": "已更换楼道灯"})).await;
    assist_ok(&app, &livelihood, &aid_x, "start-review", json!({})).await;
    assist_ok(&app, &livelihood, &aid_x, "approve", json!({})).await;
    assist_ok(&app, &livelihood, &aid_x, "deliver", json!({"note": "已配送"})).await;
    // The other liaison's walk in 胡家园, one household there; a dispatcher's own walk counts for nobody.
    let r = visit(&app, &other_liaison, json!({"place": "胡家园小区", "seen": "垃圾桶满溢"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut hjy = elderly_household();
    hjy["address"] = json!("胡家园小区12号楼3门202");
    register(&app, &other_liaison, hjy).await;
    let r = visit(&app, &dispatcher, json!({"community_code": SHIZIPO, "place": "十字坡社区", "seen": "巡查"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // And a case the dispatcher files is not the liaison's.
    app.new_case(&dispatcher, json!({})).await;

    let results = |token: String, query: &'static str| {
        let app = &app;
        async move {
            let r = app.get(&token, &format!("/api/v1/liaisons/{LIAISON_ID}/results?{query}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body
        }
    };
    let counts = |v: &Value| -> [u64; 7] {
        [
            "visits",
            "households_visited",
            "households_in_care",
            "cases_raised",
            "cases_solved",
            "assistance_submitted",
            "assistance_delivered",
        ]
        .map(|k| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}")))
    };

    let r = results(liaison.clone(), "from=2026-11-01&to=2026-11-27").await;
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str(), r["days"].as_i64()),
        (Some("2026-11-01"), Some("2026-11-27"), Some(27))
    );
    assert_eq!(r["liaison_count"], 1);
    assert_eq!(r["liaisons"][0]["liaison_id"], LIAISON_ID);
    assert_eq!(counts(&r["liaisons"][0]), [4, 2, 2, 2, 1, 2, 1]);
    assert_eq!(counts(&r["totals"]), [4, 2, 2, 2, 1, 2, 1]);
    // The lists agree with the counts.
    let listed = app.get(&liaison, &format!("/api/v1/visits?liaison={LIAISON_ID}&from=2026-11-01&to=2026-11-27")).await;
    assert_eq!(listed.body["total"], 4);
    let listed = app.get(&liaison, &format!("/api/v1/assistance?submitted_by={LIAISON_ID}")).await;
    assert_eq!(listed.body["total"], 2);
    // Today only: yesterday's visit falls out; before anything, nothing but the households in care.
    let r = results(liaison.clone(), "from=2026-11-27&to=2026-11-27").await;
    assert_eq!(counts(&r["liaisons"][0]), [3, 2, 2, 2, 1, 2, 1]);
    let r = results(leader.clone(), "from=2026-10-01&to=2026-11-25").await;
    assert_eq!(counts(&r["liaisons"][0]), [0, 0, 2, 0, 0, 0, 0]);

    // The street's view: both liaisons, with totals.
    let r = app.get(&leader, "/api/v1/liaison-results?from=2026-11-01&to=2026-11-27").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["streets"], json!([{"code": DZM, "name": "东直门街道"}]));
    assert_eq!(r.body["liaison_count"], 2);
    let rows = r.body["liaisons"].as_array().unwrap();
    let row = |who: &str| rows.iter().find(|l| l["liaison_id"] == who).unwrap_or_else(|| panic!("{who} in {rows:?}"));
    assert_eq!(counts(row(LIAISON_ID)), [4, 2, 2, 2, 1, 2, 1]);
    assert_eq!(counts(row("test-liaison_hjy")), [1, 0, 1, 0, 0, 0, 0]);
    assert_eq!(counts(&r.body["totals"]), [5, 2, 3, 2, 1, 2, 1]);

    // Who may ask.
    let r = app.get(&liaison, "/api/v1/liaison-results").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.get(&other_liaison, &format!("/api/v1/liaisons/{LIAISON_ID}/results")).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "liaison_not_found"));
    app.add_user("leader_ds", Role::StreetLeader, DONGSI).await;
    let other_street = app.login("leader_ds").await;
    let r = app.get(&other_street, "/api/v1/liaison-results?from=2026-11-01&to=2026-11-27").await;
    assert_eq!((r.status, r.body["liaison_count"].as_u64()), (StatusCode::OK, Some(0)));
    let r = app.get(&leader, "/api/v1/liaison-results?from=2026-11-28&to=2026-11-27").await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("from")));
}

#[tokio::test]
async fn household_contacts_are_masked_and_revealed_only_with_a_recorded_reason() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let livelihood = app.login("unit_staff2").await;
    let inspector = app.login("inspector").await;
    let (phone, name, address) = ("13912345678", "欧阳娜娜", "东直门南大街5号院3号楼301");
    let h = register(
        &app,
        &liaison,
        json!({"address": address, "contact_name": name, "phone": "139 1234 5678", "care_flags": ["disabled"]}),
    )
    .await;
    let hid = id(&h).to_string();
    assert_eq!(h["phone"], "139****5678");
    assert_eq!(h["contact_name"], "欧***");
    assert_eq!(h["address"], "东直门南大街*号院*号楼*");
    let r = visit(
        &app,
        &liaison,
        json!({"household_id": hid, "seen": "轮椅需要维修", "raise_case": {"kind": "help", "text": "单元门口台阶破损，轮椅无法通行"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let case = r.body["case"].clone();
    assert_eq!(case["reporter"], json!({"name": "欧***", "phone": "139****5678"}));
    let dispatcher = app.login("dispatcher").await;
    let shown = [
        h.to_string(),
        r.body.to_string(),
        app.get(&liaison, &format!("/api/v1/households/{hid}")).await.body.to_string(),
        app.get(&liaison, "/api/v1/households").await.body.to_string(),
        app.get(&liaison, "/api/v1/visits").await.body.to_string(),
        app.get(&livelihood, &format!("/api/v1/households/{hid}")).await.body.to_string(),
        app.get(&inspector, "/api/v1/households").await.body.to_string(),
        app.case(&dispatcher, &case).await.body.to_string(),
        app.get(&dispatcher, "/api/v1/cases").await.body.to_string(),
    ];
    for s in &shown {
        assert!(s.contains("欧***") || s.contains("东直门南大街*号院*号楼*"), "masked values shown: {s}");
        assert!(!s.contains(phone), "phone leaked: {s}");
        assert!(!s.contains(name), "name leaked: {s}");
        assert!(!s.contains("5号院3号楼301"), "address leaked: {s}");
    }

    // Who may see it in full: those who manage the community's households, with a reason.
    let path = format!("/api/v1/households/{hid}/actions/reveal-contact");
    let r = app.post(&liaison, &path, json!({"reason": ""})).await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "field_required", Some("reason"))
    );
    assert_eq!(app.post(&livelihood, &path, json!({"reason": "核实"})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post(&inspector, &path, json!({"reason": "核实"})).await.status, StatusCode::FORBIDDEN);
    app.add_user("dispatcher_ds", Role::Dispatcher, DONGSI).await;
    let other = app.login("dispatcher_ds").await;
    let r = app.post(&other, &path, json!({"reason": "核实"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "household_not_found"));

    let r = app.post(&liaison, &path, json!({"reason": "上门前电话确认老人在家"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, json!({"address": address, "contact_name": name, "phone": phone}));

    // The unit handling the case raised at the door reaches the household's contact the usual way.
    app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-001"})).await;
    let city = app.login("unit_staff").await;
    let r = app.act(&city, &case, "reveal-contact", json!({"reason": "联系住户约定维修时间"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["phone"].as_str(), r.body["name"].as_str()), (Some(phone), Some(name)));

    // The reveal is on the audit record with who and why, and the record holds no personal data.
    let district = chuishao_domain::DistrictCode::parse("110101").unwrap();
    let audit = app.store.audit_of(&district, "household", &hid).await.expect("audit");
    let actions: Vec<(&str, &str)> =
        audit.iter().map(|(_, who, _, action, _)| (who.as_str(), action.as_str())).collect();
    assert_eq!(actions, [(LIAISON_ID, "household.add"), (LIAISON_ID, "household.reveal_contact")]);
    let detail: Value = serde_json::from_str(&audit[1].4).unwrap();
    assert_eq!(detail["reason"], "上门前电话确认老人在家");
    let all = format!("{audit:?}");
    assert!(!all.contains(phone) && !all.contains(name), "the audit log holds no personal data: {all}");
}

#[tokio::test]
async fn the_due_list_follows_care_flags_visit_policies_and_visits() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let flagged = |address: &str, flags: Value| {
        let mut h = elderly_household();
        h["address"] = json!(address);
        h["care_flags"] = flags;
        h
    };
    let alone = register(&app, &liaison, flagged("十字坡社区1号楼101", json!(["living_alone"]))).await;
    let poor = register(&app, &liaison, flagged("十字坡社区2号楼202", json!(["low_income"]))).await;
    let none = register(&app, &liaison, flagged("十字坡社区3号楼303", json!([]))).await;
    let (alone, poor, none) = (id(&alone).to_string(), id(&poor).to_string(), id(&none).to_string());
    let due_path = format!("/api/v1/liaisons/{LIAISON_ID}/due-visits");
    let due = |token: String| {
        let (app, due_path) = (&app, due_path.clone());
        async move {
            let r = app.get(&token, &due_path).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body
        }
    };
    let mut listed = ids(&due(liaison.clone()).await);
    listed.sort();
    let mut expected = vec![alone.clone(), poor.clone()];
    expected.sort();
    assert_eq!(listed, expected, "a household without care flags has no schedule");
    let h = app.get(&liaison, &format!("/api/v1/households/{none}")).await.body;
    assert!(h["next_visit_due"].is_null() && h["interval_days"].is_null(), "{h}");
    assert_eq!(ids(&app.get(&liaison, "/api/v1/households?flag=low_income").await.body), std::slice::from_ref(&poor));

    // Visited today: alone in 30 days, poor in 90.
    for h in [&alone, &poor] {
        let r = visit(&app, &liaison, json!({"household_id": h, "seen": "一切正常"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    assert_eq!(due(liaison.clone()).await["total"], 0);
    let next_due = |h: &str| {
        let (app, token, path) = (&app, liaison.clone(), format!("/api/v1/households/{h}"));
        async move { app.get(&token, &path).await.body["next_visit_due"].clone() }
    };
    assert_eq!(next_due(&poor).await, "2027-02-25");

    // The district tightens the low-income interval: the schedule moves at once.
    let supervisor = app.login("district_supervisor").await;
    let r = put(&app, &supervisor, "/api/v1/visit-policies/low_income", json!({"interval_days": 14})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(next_due(&poor).await, "2026-12-11");
    let r = put(&app, &liaison, "/api/v1/visit-policies/low_income", json!({"interval_days": 7})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = put(&app, &supervisor, "/api/v1/visit-policies/low_income", json!({"interval_days": 0})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("interval_days")));
    let r = put(&app, &supervisor, "/api/v1/visit-policies/rich", json!({"interval_days": 7})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "unknown_care_flag"));
    let policies = app.get(&liaison, "/api/v1/visit-policies").await.body;
    let low = policies.as_array().unwrap().iter().find(|p| p["flag"] == "low_income").unwrap();
    assert_eq!((low["interval_days"].as_u64(), low["label"].as_str()), (Some(14), Some("低保/低收入")));

    // A flag added later puts a never-visited household on the list from its registration day.
    let r = app.send(
        app.client
            .patch(path_of(&app, &format!("/api/v1/households/{none}")))
            .bearer_auth(&liaison)
            .json(&json!({"care_flags": ["serious_illness"]})),
    );
    let r = r.await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["next_visit_due"].as_str(), r.body["version"].as_u64()), (Some("2026-11-27"), Some(2)));

    // Forty days on, the most overdue come first.
    app.clock.advance(Duration::days(40));
    let liaison = app.login("liaison").await;
    let list = due(liaison.clone()).await;
    assert_eq!(ids(&list), [none.clone(), poor.clone(), alone.clone()]);
    let late: Vec<i64> =
        list["items"].as_array().unwrap().iter().map(|h| h["days_overdue"].as_i64().unwrap()).collect();
    assert_eq!(late, [40, 26, 10]);
    let r = app.send(
        app.client
            .get(path_of(&app, &format!("/api/v1/households/{none}")))
            .bearer_auth(&liaison)
            .header("Accept-Language", "en"),
    );
    assert_eq!(r.await.body["care_flags"][0]["label"], "Serious illness");

    // Taken out of care (guarded by its version): off the lists, kept on record.
    let patch = |body: Value| {
        let (app, liaison, path) = (&app, liaison.clone(), format!("/api/v1/households/{alone}"));
        async move { app.send(app.client.patch(path_of(app, &path)).bearer_auth(&liaison).json(&body)).await }
    };
    // Its schedule moved with the policy change, and so did its version.
    let version = app.get(&liaison, &format!("/api/v1/households/{alone}")).await.body["version"].as_u64().unwrap();
    assert_eq!(version, 2, "registered, then rescheduled by the policy change");
    let r = patch(json!({"active": false, "expected_version": 1})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "version_conflict"));
    let r = patch(json!({"active": false, "expected_version": version})).await;
    assert_eq!((r.status, r.body["active"].as_bool()), (StatusCode::OK, Some(false)), "{}", r.body);
    assert_eq!(ids(&due(liaison.clone()).await), [none.clone(), poor.clone()]);
    assert_eq!(app.get(&liaison, "/api/v1/households").await.body["total"], 2);
    assert_eq!(app.get(&liaison, "/api/v1/households?include_inactive=true").await.body["total"], 3);
}

/// Household data is held for care: among the street's units only 民生保障办公室 reads it.
#[tokio::test]
async fn only_the_livelihood_office_among_the_units_reads_households_and_visits() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let h = register(&app, &liaison, elderly_household()).await;
    let v = visit(&app, &liaison, json!({"household_id": id(&h), "seen": "老人独居"})).await;
    assert_eq!(v.status, StatusCode::CREATED, "{}", v.body);
    let visit_id = v.body["visit"]["id"].as_str().unwrap().to_string();
    let livelihood = app.login("unit_staff2").await;
    let city = app.login("unit_staff").await;
    assert_eq!(app.get(&livelihood, &format!("/api/v1/households/{}", id(&h))).await.status, StatusCode::OK);
    assert_eq!(app.get(&livelihood, &format!("/api/v1/visits/{visit_id}")).await.status, StatusCode::OK);
    assert_eq!(app.get(&livelihood, "/api/v1/households").await.body["total"], 1);
    let r = app.get(&city, &format!("/api/v1/households/{}", id(&h))).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "household_not_found"));
    assert_eq!(app.get(&city, &format!("/api/v1/visits/{visit_id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&city, "/api/v1/households").await.body["total"], 0);
    assert_eq!(app.get(&city, "/api/v1/visits").await.body["total"], 0);
}

/// Dates far outside any record are refused as bad input, never a server error.
#[tokio::test]
async fn extreme_dates_are_refused_not_crashed_on() {
    let app = spawn_app().await;
    let leader = app.login("street_leader").await;
    let liaison = app.login("liaison").await;
    for q in [
        "/api/v1/liaison-results?to=-262143-01-01",
        "/api/v1/liaison-results?from=-262143-01-01&to=2026-11-27",
        "/api/v1/liaison-results?from=2026-01-01&to=+10000-01-01",
        "/api/v1/visits?from=+10000-01-01",
        "/api/v1/households?due_by=99999-01-01",
        "/api/v1/cases?from=-262143-01-01",
    ] {
        let r = app.get(&leader, q).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "invalid_query"), "{q}: {}", r.body);
    }
    let r = visit(&app, &liaison, json!({"place": "小区内", "seen": "巡查", "visited_on": "+10000-01-01"})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("visited_on")));
}

/// Two liaisons sharing a community: each row counts its own work, the totals count every
/// household once; from a case one finds the visit that raised it.
#[tokio::test]
async fn shared_households_count_once_in_the_totals_and_a_case_leads_back_to_its_visit() {
    let app = spawn_app().await;
    app.add_user("liaison_b", Role::Liaison, HUJIAYUAN).await;
    let dispatcher = app.login("dispatcher").await;
    let r = put(
        &app,
        &dispatcher,
        "/api/v1/liaisons/test-liaison_b/communities",
        json!({"communities": [HUJIAYUAN, "110101009008"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let a = app.login("liaison").await;
    let b = app.login("liaison_b").await;
    let h1 = register(&app, &a, elderly_household()).await;
    let h2 = register(&app, &a, json!({"address": "十字坡社区5号楼101", "care_flags": ["disabled"]})).await;
    let raised = visit(
        &app,
        &a,
        json!({"household_id": id(&h1), "seen": "楼道灯坏了", "raise_case": {"kind": "help", "text": "楼道灯坏了"}}),
    )
    .await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let visit_b = visit(&app, &b, json!({"household_id": id(&h1), "seen": "回访，老人状况良好"})).await;
    assert_eq!(visit_b.status, StatusCode::CREATED, "{}", visit_b.body);
    let leader = app.login("street_leader").await;
    let r = app.get(&leader, "/api/v1/liaison-results?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.body["liaisons"].as_array().unwrap();
    let row = |who: &str| rows.iter().find(|l| l["liaison_id"] == who).unwrap_or_else(|| panic!("{who}")).clone();
    assert_eq!(
        (row(LIAISON_ID)["visits"].as_u64(), row(LIAISON_ID)["households_in_care"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        (row("test-liaison_b")["visits"].as_u64(), row("test-liaison_b")["households_in_care"].as_u64()),
        (Some(1), Some(2))
    );
    let totals = &r.body["totals"];
    assert_eq!(totals["visits"], 2);
    assert_eq!(totals["households_visited"], 1, "one household, visited by both");
    assert_eq!(totals["households_in_care"], 2, "十字坡社区's two households, shared by both");
    assert_eq!(totals["cases_raised"], 1);
    assert!(totals["liaison_id"].is_null());
    let _ = h2;
    let case_id = raised.body["case"]["id"].as_str().unwrap();
    let from_case = app.get(&dispatcher, &format!("/api/v1/visits?case={case_id}")).await;
    assert_eq!(ids(&from_case.body), [raised.body["visit"]["id"].as_str().unwrap().to_string()]);
}

/// A form sent again — reformatted by the phone's retry, or after its sender was reassigned —
/// still answers what the first sending stored.
#[tokio::test]
async fn a_form_sent_again_reformatted_or_after_reassignment_answers_the_stored_visit() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let h = register(&app, &liaison, elderly_household()).await;
    let compact = format!(r#"{{"household_id":"{}","seen":"老人独居","asked":"助行器"}}"#, id(&h));
    let spaced = format!("{{ \"asked\": \"助行器\",\n  \"seen\": \"老人独居\", \"household_id\": \"{}\" }}", id(&h));
    let send = |body: String| {
        let (app, liaison) = (&app, liaison.clone());
        async move {
            app.send(
                app.client
                    .post(path_of(app, "/api/v1/visits"))
                    .bearer_auth(&liaison)
                    .header("Idempotency-Key", "form-77")
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await
        }
    };
    let first = send(compact).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = send(spaced.clone()).await;
    assert_eq!((again.status, &again.body["visit"]["id"]), (StatusCode::OK, &first.body["visit"]["id"]));
    // The liaison moves to another community; the phone finally gets a signal and retries.
    let dispatcher = app.login("dispatcher").await;
    let r = put(
        &app,
        &dispatcher,
        &format!("/api/v1/liaisons/{LIAISON_ID}/communities"),
        json!({"communities": [HUJIAYUAN]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let late = send(spaced).await;
    assert_eq!((late.status, &late.body["visit"]["id"]), (StatusCode::OK, &first.body["visit"]["id"]), "{}", late.body);
    assert_eq!(written(&app).await.0, 1);
}
