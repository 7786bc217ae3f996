use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn personal_data_is_masked_everywhere_and_revealed_only_with_a_recorded_reason() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let case = app.new_case(&dispatcher, json!({"reporter": {"name": "欧阳娜娜", "phone": "139 1234 5678"}})).await;
    let phone = "13912345678";

    let created = serde_json::to_string(&case).unwrap();
    assert_eq!(case["reporter"], json!({"name": "欧***", "phone": "139****5678"}));
    assert_eq!(case["address"], "东直门南大街*号院*号楼*");
    let full = app.case(&dispatcher, &case).await.body;
    let listed = app.get(&dispatcher, "/api/v1/cases").await.body;
    for shown in [created, full.to_string(), listed.to_string()] {
        assert!(!shown.contains(phone), "phone leaked: {shown}");
        assert!(!shown.contains("欧阳娜娜"), "name leaked");
        assert!(!shown.contains("5号院3号楼301"), "address leaked");
    }
    assert_eq!(full["timeline"][0]["data"]["reporter"]["phone"], "139****5678");

    app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-001"})).await;
    let r = app.act(&staff, &case, "reveal-contact", json!({"reason": ""})).await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "field_required", Some("reason"))
    );
    let other = app.login("unit_staff2").await;
    assert_eq!(app.act(&other, &case, "reveal-contact", json!({"reason": "想看"})).await.status, StatusCode::NOT_FOUND);
    let inspector = app.login("inspector").await;
    assert_eq!(
        app.act(&inspector, &case, "reveal-contact", json!({"reason": "想看"})).await.status,
        StatusCode::FORBIDDEN
    );

    let r = app.act(&staff, &case, "reveal-contact", json!({"reason": "电话联系诉求人核实情况"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["phone"], phone);
    assert_eq!(r.body["name"], "欧阳娜娜");
    assert_eq!(r.body["address"], "东直门南大街5号院3号楼301");

    // Who, when and why are on the case and in the audit log.
    let t = app.case(&dispatcher, &case).await.body;
    let revealed =
        t["timeline"].as_array().unwrap().iter().find(|e| e["type"] == "contact_revealed").expect("recorded");
    assert_eq!(revealed["actor"]["id"], "staff-110101009-city-management");
    assert_eq!(revealed["data"]["reason"], "电话联系诉求人核实情况");
    let id = case["id"].as_str().unwrap();
    assert_eq!(app.get(&dispatcher, &format!("/api/v1/cases/{id}/audit")).await.status, StatusCode::FORBIDDEN);
    let audit = app.get(&inspector, &format!("/api/v1/cases/{id}/audit")).await;
    assert_eq!(audit.status, StatusCode::OK);
    let entries = audit.body["items"].as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["case.receive", "case.dispatch", "case.reveal-contact"]);
    assert_eq!(entries[2]["detail"]["reason"], "电话联系诉求人核实情况");
    assert!(!audit.body.to_string().contains(phone), "the audit log holds no personal data");
}

#[tokio::test]
async fn residents_names_chinese_numeral_addresses_and_exact_places_stay_private() {
    let app = spawn_app().await;
    let resident = app.login("resident").await;
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let mine = app
        .new_case(
            &resident,
            json!({
                "kind": "help", "channel": "web", "text": "楼道灯坏了",
                "address": "东直门南大街五号院三号楼三〇一室",
                "location": {"lat": 39.9412345, "lon": 116.4323456},
            }),
        )
        .await;
    assert_eq!(mine["address"], "东直门南大街*号院*号楼*室");
    assert_eq!(mine["location"], json!({"lat": 39.941, "lon": 116.432}));
    app.ok(&dispatcher, &mine, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-001"})).await;
    let seen_by_unit = app.case(&staff, &mine).await.body;
    let first = &seen_by_unit["timeline"][0];
    assert_eq!(first["actor"]["role"], "resident");
    assert_eq!(first["actor"]["name"], "王**", "a resident's name is masked on the timeline");
    assert_eq!(first["data"]["location"], json!({"lat": 39.941, "lon": 116.432}));
    assert!(!seen_by_unit.to_string().contains("王秀兰"));

    // Once a case is closed nobody needs to call the resident about it.
    let case = app.new_case(&dispatcher, json!({"kind": "consult", "text": "咨询居住证办理"})).await;
    app.ok(&dispatcher, &case, "answer-directly", json!({"answer": "可到政务服务中心办理"})).await;
    app.ok(&dispatcher, &case, "close", json!({})).await;
    let r = app.act(&dispatcher, &case, "reveal-contact", json!({"reason": "回访"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invalid_state"));
}
