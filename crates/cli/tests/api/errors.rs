use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The case's version and timeline length: what must not change after a refused request.
async fn footprint(app: &TestApp, token: &str, case: &Value) -> (i64, usize) {
    let c = app.case(token, case).await.body;
    (c["version"].as_i64().unwrap(), c["timeline"].as_array().unwrap().len())
}

#[tokio::test]
async fn refused_requests_name_the_reason_and_change_nothing() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let case = app.new_case(&dispatcher, json!({"duty_item": "C-001"})).await;
    app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE})).await;
    let before = footprint(&app, &dispatcher, &case).await;

    // Wrong state: 409 naming the status and the action, in Chinese by default.
    let r = app.act(&dispatcher, &case, "close", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invalid_state"));
    assert_eq!(r.body["message"], "诉求当前状态为“已派单”，不能执行“结案”");
    let r = app
        .send(
            app.client
                .post(format!("{}/api/v1/cases/{}/actions/close", app.base, case["id"].as_str().unwrap()))
                .bearer_auth(&dispatcher)
                .header("accept-language", "en-US,en;q=0.9")
                .json(&json!({})),
        )
        .await;
    assert_eq!(r.body["message"], "The case is dispatched; it cannot close now");

    // Resolving before contacting the resident.
    app.ok(&staff, &case, "accept", json!({})).await;
    let before = (before.0 + 1, before.1 + 1);
    let r = app.act(&staff, &case, "resolve", json!({"result": "已处理"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "resident_not_contacted"));

    // Malformed JSON → 400; a field of the wrong type → 422 naming it; unknown fields too.
    let id = case["id"].as_str().unwrap();
    let raw = |body: &'static str| {
        app.client
            .post(format!("{}/api/v1/cases/{id}/actions/contact", app.base))
            .bearer_auth(&staff)
            .header("content-type", "application/json")
            .body(body)
    };
    let r = app.send(raw("{\"note\": ")).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "malformed_json"));
    let r = app.send(raw("{\"method\": \"pigeon\"}")).await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("method"))
    );
    let r = app.send(raw("{\"nope\": 1}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.send(raw("{} trailing")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.act(&staff, &case, "contact", json!({"expected_version": -3})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("expected_version")));
    let r = app.act(&staff, &case, "fly-away", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "unknown_action"));

    // Unknown and out-of-scope cases are both 404.
    let r = app.post(&staff, "/api/v1/cases/01234567-89ab-7def-8123-456789abcdef/actions/accept", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "case_not_found"));
    let other = app.login("unit_staff2").await;
    let r = app.act(&other, &case, "contact", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "case_not_found"));
    let dept = app.login("department_staff").await;
    assert_eq!(app.case(&dept, &case).await.status, StatusCode::NOT_FOUND);

    assert_eq!(footprint(&app, &dispatcher, &case).await, before, "nothing changed");
}

#[tokio::test]
async fn bad_new_requests_get_a_field_named_and_leave_no_case_behind() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let supervisor = app.login("district_supervisor").await;
    let base = json!({"kind": "complaint", "channel": "hotline", "text": "噪声扰民", "community_code": SHIZIPO});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases: Vec<(Value, StatusCode, &str, &str)> = vec![
        (with("kind", json!("shout")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", "kind"),
        (with("text", json!("   ")), StatusCode::UNPROCESSABLE_ENTITY, "field_required", "text"),
        (with("text", json!("长".repeat(2001))), StatusCode::UNPROCESSABLE_ENTITY, "field_too_long", "text"),
        (with("community_code", json!("1101")), StatusCode::UNPROCESSABLE_ENTITY, "field_malformed", "community_code"),
        (
            with("community_code", json!("110101999999")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "field_unknown",
            "community_code",
        ),
        (
            with("reporter", json!({"name": "张三", "phone": "12345"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "field_malformed",
            "reporter.phone",
        ),
        (with("reporter", json!({"name": "张三"})), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", "reporter.phone"),
        (
            with("location", json!({"lat": 123.0, "lon": 116.4})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "field_out_of_range",
            "location.lat",
        ),
        (with("duty_item", json!("C-999")), StatusCode::UNPROCESSABLE_ENTITY, "field_unknown", "duty_item"),
    ];
    for (body, status, code, field) in cases {
        let r = app.post(&dispatcher, "/api/v1/cases", body.clone()).await;
        assert_eq!((r.status, r.code(), r.body["field"].as_str()), (status, code, Some(field)), "{body}");
        assert!(!r.body["message"].as_str().unwrap_or("").is_empty());
    }
    let r = app.post(&dispatcher, "/api/v1/cases", json!({"kind": "complaint", "channel": "hotline"})).await;
    assert_eq!((r.code(), r.body["field"].as_str()), ("invalid_body", Some("text")));
    // A district supervisor must say where; a street's dispatcher defaults to the street.
    let mut unplaced = base.clone();
    unplaced.as_object_mut().unwrap().remove("community_code");
    let r = app.post(&supervisor, "/api/v1/cases", unplaced.clone()).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "place_required"));
    // A dispatcher of one street cannot file in another's.
    let r = app.post(&dispatcher, "/api/v1/cases", with("community_code", json!("110101001001"))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_permitted"));
    // Not JSON at all.
    let r = app
        .send(
            app.client
                .post(format!("{}/api/v1/cases", app.base))
                .bearer_auth(&dispatcher)
                .header("content-type", "text/plain")
                .body("hi"),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
    assert_eq!(app.get(&supervisor, "/api/v1/cases").await.body["total"], 0, "no case was written");

    let r = app.post(&dispatcher, "/api/v1/cases", with("text", json!("有人\u{0}乱扔垃圾"))).await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "field_malformed", Some("text"))
    );

    let placed = app.post(&dispatcher, "/api/v1/cases", unplaced).await;
    assert_eq!(placed.status, StatusCode::CREATED);
    assert_eq!(placed.body["street"]["code"], DZM);
    // Refused requests took no number: the first case of the day is 0001.
    assert_eq!(placed.body["number"], "110101-20261127-0001");
}

#[tokio::test]
async fn bad_query_parameters_and_unknown_routes_answer_in_the_same_shape() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    for (q, field) in [
        ("status=flying", "status"),
        ("overdue=maybe", "overdue"),
        ("from=yesterday", "from"),
        ("per_page=1000", "per_page"),
        ("page=0", "page"),
    ] {
        let r = app.get(&dispatcher, &format!("/api/v1/cases?{q}")).await;
        assert_eq!(
            (r.status, r.code(), r.body["field"].as_str()),
            (StatusCode::BAD_REQUEST, "invalid_query", Some(field)),
            "{q}"
        );
    }
    let r = app.get(&dispatcher, "/api/v1/cases/%FF").await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "bad_request"));
    assert!(r.body["message"].is_string());
    let r = app.get(&dispatcher, "/api/v1/cases?q=%00").await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("q")));
    let case = app.new_case(&dispatcher, json!({})).await;
    let r = app
        .send(
            app.client
                .post(format!("{}/api/v1/cases/{}/actions/add-note", app.base, case["id"].as_str().unwrap()))
                .bearer_auth(&dispatcher)
                .header("content-type", "text/plain")
                .body("{\"text\":\"x\"}"),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
    let r = app.get(&dispatcher, "/api/v1/nothing-here").await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = app.send(app.client.delete(format!("{}/api/v1/cases", app.base)).bearer_auth(&dispatcher)).await;
    assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
    let big = "x".repeat(2 * 1024 * 1024);
    let r = app
        .send(
            app.client
                .post(format!("{}/api/v1/cases", app.base))
                .bearer_auth(&dispatcher)
                .header("content-type", "application/json")
                .body(big),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
}
