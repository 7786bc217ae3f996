use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_request_goes_from_receipt_to_closure_with_every_step_on_record() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let leader = app.login("street_leader").await;

    let case = app.new_case(&dispatcher, json!({})).await;
    assert_eq!(case["status"], "received");
    assert_eq!(case["street"]["name"], "东直门街道");
    assert_eq!(case["community"]["name"], "十字坡社区");
    assert!(case["number"].as_str().unwrap().starts_with("110101-20261127-"), "{}", case["number"]);

    let c = app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-055"})).await;
    assert_eq!(c["status"], "dispatched");
    assert_eq!(c["assignee"]["name"], "城市管理办公室");
    assert_eq!(c["status_label"], "已派单");
    // Each user is offered what is legal for them now, and only that.
    let offered = |v: &serde_json::Value| -> Vec<String> {
        v["allowed_actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect()
    };
    let for_staff = offered(&app.case(&staff, &case).await.body);
    assert_eq!(for_staff, ["accept", "request-return", "add-note", "add-attachment", "reveal-contact"]);
    let for_dispatcher = offered(&c);
    assert!(for_dispatcher.contains(&"dispatch".to_string()) && for_dispatcher.contains(&"merge".to_string()));
    assert!(!for_dispatcher.contains(&"accept".to_string()) && !for_dispatcher.contains(&"terminate".to_string()));
    assert!(offered(&app.case(&leader, &case).await.body).contains(&"terminate".to_string()));
    let accepted = app.ok(&staff, &case, "accept", json!({})).await;
    assert!(
        offered(&accepted).contains(&"contact".to_string()) && !offered(&accepted).contains(&"resolve".to_string())
    );
    app.ok(&staff, &case, "contact", json!({"method": "phone", "note": "已电话联系诉求人"})).await;
    app.ok(&staff, &case, "resolve", json!({"result": "已联合执法队清理摊贩，恢复通行"})).await;
    app.ok(&leader, &case, "verify", json!({"note": "现场核查已清理"})).await;
    app.ok(
        &dispatcher,
        &case,
        "record-callback",
        json!({"contacted": true, "solved": true, "satisfaction": "satisfied"}),
    )
    .await;
    let closed = app.ok(&dispatcher, &case, "close", json!({})).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["version"], 8);
    assert_eq!(closed["callback"]["satisfaction_label"], "满意");
    assert_eq!(offered(&closed), ["reopen", "add-note", "add-attachment"]);

    let got = app.case(&dispatcher, &case).await;
    assert_eq!(got.status, StatusCode::OK);
    let timeline = got.body["timeline"].as_array().unwrap();
    let types: Vec<&str> = timeline.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["received", "dispatched", "accepted", "contacted", "resolved", "verified", "callback_recorded", "closed"]
    );
    for e in timeline {
        assert!(e["at"].as_str().unwrap().ends_with("+08:00"), "time in Beijing: {}", e["at"]);
        assert!(!e["actor"]["name"].as_str().unwrap().is_empty());
    }
    assert_eq!(timeline[2]["actor"]["role"], "unit_staff");
    assert_eq!(timeline[5]["actor"]["role"], "street_leader");
    assert_eq!(timeline[1]["label"], "派单");

    // The list finds it by status and street; the same case by its number.
    let list = app.get(&dispatcher, "/api/v1/cases?status=closed&street=110101009").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], case["id"]);
    let by_number = app.get(&dispatcher, &format!("/api/v1/cases/{}", case["number"].as_str().unwrap())).await;
    assert_eq!(by_number.body["id"], case["id"]);
    let none = app.get(&dispatcher, "/api/v1/cases?status=received").await;
    assert_eq!(none.body["total"], 0);

    // Another unit's staff can neither see nor find it.
    let other = app.login("unit_staff2").await;
    assert_eq!(app.case(&other, &case).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&other, "/api/v1/cases").await.body["total"], 0);
    assert_eq!(app.get(&staff, "/api/v1/cases").await.body["total"], 1);
}

#[tokio::test]
async fn dispatch_without_a_unit_goes_to_the_catalog_owner_of_the_street() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    // C-055 占道经营 is owned by the street's 综合执法队.
    let case = app.new_case(&dispatcher, json!({"duty_item": "C-055"})).await;
    assert_eq!(case["duty_item"]["code"], "C-055");
    let c = app.ok(&dispatcher, &case, "dispatch", json!({})).await;
    assert_eq!(c["assignee"]["id"], "110101009-enforcement");
    assert_eq!(c["assignee"]["name"], "综合执法队");
    // Without any duty item there is nothing to count deadlines from.
    let bare = app.new_case(&dispatcher, json!({})).await;
    let r = app.act(&dispatcher, &bare, "dispatch", json!({"unit": CITY_OFFICE})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "field_required");
    assert_eq!(r.body["field"], "duty_item");
}

#[tokio::test]
async fn a_return_is_approved_with_redispatch_and_the_old_unit_keeps_read_access_only() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let city = app.login("unit_staff").await;
    let livelihood = app.login("unit_staff2").await;
    let case = app.new_case(&dispatcher, json!({"duty_item": "C-055"})).await;
    app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE})).await;
    let r = app.act(&city, &case, "request-return", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"));
    assert_eq!(r.body["field"], "reason");
    let c = app.ok(&city, &case, "request-return", json!({"reason": "不属于本科室职责"})).await;
    assert_eq!(c["status"], "return_requested");
    // The handler cannot approve its own return.
    let r = app.act(&city, &case, "approve-return", json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let c = app.ok(&dispatcher, &case, "approve-return", json!({"unit": LIVELIHOOD, "note": "改派民生保障办"})).await;
    assert_eq!(c["status"], "dispatched");
    assert_eq!(c["assignee"]["id"], LIVELIHOOD);
    assert_eq!(c["returns"], 1);

    // The first unit still reads its history but may not act any more.
    assert_eq!(app.case(&city, &case).await.status, StatusCode::OK);
    let r = app.act(&city, &case, "accept", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "not_assigned_to_you"));
    app.ok(&livelihood, &case, "accept", json!({})).await;

    // A rejected return puts the case back where it was.
    app.ok(&livelihood, &case, "request-return", json!({"reason": "应由执法队办理"})).await;
    let c = app.ok(&dispatcher, &case, "reject-return", json!({"reason": "职责清单明确，请继续办理"})).await;
    assert_eq!(c["status"], "accepted");
}

#[tokio::test]
async fn an_extension_moves_the_resolution_deadline_by_working_days_and_needs_the_leader() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let leader = app.login("street_leader").await;
    // Dispatched Friday 2026-11-27 09:00; C-001 resolves in 7 working days → Tue 2026-12-08 09:00.
    let case = app.new_case(&dispatcher, json!({"duty_item": "C-001"})).await;
    let c = app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE})).await;
    assert_eq!(c["deadlines"][0]["due"], "2026-11-28T09:00:00+08:00", "response: 24 calendar hours");
    assert_eq!(c["deadlines"][1]["due"], "2026-12-08T09:00:00+08:00", "resolution: 7 working days");
    app.ok(&staff, &case, "accept", json!({})).await;
    let c = app.ok(&staff, &case, "request-extension", json!({"days": 3, "reason": "需协调产权单位"})).await;
    assert_eq!(c["pending_extension"]["days"], 3);
    let r = app.act(&staff, &case, "request-extension", json!({"days": 2, "reason": "again"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "extension_pending"));
    let r = app.act(&dispatcher, &case, "grant-extension", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_permitted"));
    let c = app.ok(&leader, &case, "grant-extension", json!({"note": "同意"})).await;
    assert_eq!(c["deadlines"][1]["due"], "2026-12-11T09:00:00+08:00");
    assert_eq!(c["extensions"], 1);
    assert!(c["pending_extension"].is_null());
    let r = app.act(&staff, &case, "request-extension", json!({"days": 31, "reason": "太久"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "field_out_of_range"));
    assert_eq!(r.body["field"], "days");
}

#[tokio::test]
async fn send_back_reopen_terminate_merge_and_direct_answers() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let leader = app.login("street_leader").await;
    let liaison = app.login("liaison").await;

    let case = app.new_case(&dispatcher, json!({"duty_item": "C-001"})).await;
    app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE})).await;
    app.ok(&staff, &case, "accept", json!({})).await;
    app.ok(&staff, &case, "contact", json!({})).await;
    app.ok(&staff, &case, "resolve", json!({"result": "已清扫"})).await;
    // The community's liaison checks on site and sends it back.
    let c = app.ok(&liaison, &case, "send-back", json!({"reason": "现场仍有遗撒"})).await;
    assert_eq!(c["status"], "contacted");
    app.ok(&staff, &case, "resolve", json!({"result": "已再次清扫并冲洗"})).await;
    app.ok(&liaison, &case, "verify", json!({})).await;
    app.ok(
        &dispatcher,
        &case,
        "record-callback",
        json!({"contacted": true, "solved": false, "satisfaction": "dissatisfied"}),
    )
    .await;
    let c = app.ok(&dispatcher, &case, "reopen", json!({"reason": "诉求人反映未解决"})).await;
    assert_eq!((c["status"].as_str(), c["round"].as_i64()), (Some("reopened"), Some(2)));
    let c = app.ok(&dispatcher, &case, "dispatch", json!({})).await;
    assert_eq!(c["assignee"]["id"], CITY_OFFICE, "redispatched under its duty item");

    // Termination is for the street leader.
    let r = app.act(&dispatcher, &case, "terminate", json!({"reason": "无法律依据"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let c = app.ok(&leader, &case, "terminate", json!({"reason": "经审核无法律政策依据"})).await;
    assert_eq!(c["status"], "terminated");
    let r = app.act(&staff, &case, "accept", json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // A duplicate merges into the original, found by its number.
    let first = app.new_case(&dispatcher, json!({})).await;
    let dup = app.new_case(&dispatcher, json!({})).await;
    let r = app.act(&dispatcher, &dup, "merge", json!({"into": dup["number"]})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "merge_into_self"));
    let r = app.act(&dispatcher, &dup, "merge", json!({"into": "110101-20200101-0001"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "field_unknown"));
    let c = app.ok(&dispatcher, &dup, "merge", json!({"into": first["number"]})).await;
    assert_eq!(c["status"], "merged");
    assert_eq!(c["merged_into"], first["id"]);
    let third = app.new_case(&dispatcher, json!({})).await;
    let r = app.act(&dispatcher, &third, "merge", json!({"into": dup["id"]})).await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::CONFLICT, "merge_target_closed", Some("into"))
    );

    // Consultations may be answered on the spot; complaints may not.
    let consult = app.new_case(&dispatcher, json!({"kind": "consult", "text": "咨询高龄津贴如何申领"})).await;
    let c = app.ok(&dispatcher, &consult, "answer-directly", json!({"answer": "年满80周岁可在社区服务站申请"})).await;
    assert_eq!(c["status"], "answered");
    app.ok(
        &dispatcher,
        &consult,
        "record-callback",
        json!({"contacted": true, "solved": true, "satisfaction": "basically_satisfied"}),
    )
    .await;
    assert_eq!(app.ok(&dispatcher, &consult, "close", json!({})).await["status"], "closed");
    let r = app.act(&dispatcher, &first, "answer-directly", json!({"answer": "x"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "not_consultation"));

    // Notes and attachment metadata go on the record; inspectors only read.
    let c = app.ok(&staff, &case, "add-note", json!({"text": "补充说明"})).await;
    assert_eq!(c["notes"], 1);
    let c = app
        .ok(
            &dispatcher,
            &first,
            "add-attachment",
            json!({"name": "现场照片.jpg", "content_type": "image/jpeg", "size": 204800}),
        )
        .await;
    assert_eq!(c["attachments"], 1);
    let inspector = app.login("inspector").await;
    assert_eq!(app.case(&inspector, &first).await.status, StatusCode::OK);
    let r = app.act(&inspector, &first, "add-note", json!({"text": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn residents_file_on_the_web_and_see_only_their_own_requests() {
    let app = spawn_app().await;
    let resident = app.login("resident").await;
    let dispatcher = app.login("dispatcher").await;
    let r = app
        .post(
            &resident,
            "/api/v1/cases",
            json!({"kind": "help", "channel": "hotline", "text": "楼道灯坏了", "community_code": SHIZIPO}),
        )
        .await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("channel")));
    let mine =
        app.new_case(&resident, json!({"kind": "help", "channel": "web", "text": "楼道灯坏了，晚上看不见"})).await;
    let theirs = app.new_case(&dispatcher, json!({})).await;
    assert_eq!(app.case(&resident, &mine).await.status, StatusCode::OK);
    assert_eq!(app.case(&resident, &theirs).await.status, StatusCode::NOT_FOUND);
    let list = app.get(&resident, "/api/v1/cases").await;
    assert_eq!(list.body["total"], 1);
    // The liaison of the community sees both; the dispatcher sees both.
    let liaison = app.login("liaison").await;
    assert_eq!(app.get(&liaison, "/api/v1/cases").await.body["total"], 2);
    assert_eq!(app.get(&dispatcher, "/api/v1/cases?q=楼道灯").await.body["total"], 1);
    // System administrators manage the system, not cases.
    let admin = app.login("system_admin").await;
    assert_eq!(app.get(&admin, "/api/v1/cases").await.body["total"], 0);
    assert_eq!(app.case(&admin, &mine).await.status, StatusCode::NOT_FOUND);
}
