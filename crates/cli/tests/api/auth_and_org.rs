use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn login_gives_a_bearer_token_and_a_cookie_and_logout_ends_both() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/auth/login", app.base);
    let r =
        app.send(app.client.post(&url).json(&json!({"username": "dispatcher", "password": "wrong-password"}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "login_failed"));
    assert_eq!(r.body["message"], "用户名或密码错误");
    let r = app.send(app.client.post(&url).json(&json!({"username": "nobody", "password": PASSWORD}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "login_failed"));

    let res =
        app.client.post(&url).json(&json!({"username": "unit_staff", "password": PASSWORD})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("chuishao_session=") && cookie.contains("HttpOnly"), "{cookie}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["user"]["role"], "unit_staff");
    assert_eq!(body["user"]["role_label"], "街道科室人员");
    assert_eq!(body["user"]["scope"], json!({"kind": "unit", "id": CITY_OFFICE, "name": "城市管理办公室"}));
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("110101."), "a token names its district: {token}");

    let me = format!("{}/api/v1/auth/me", app.base);
    assert_eq!(app.send(app.client.get(&me)).await.code(), "unauthorized");
    assert_eq!(app.send(app.client.get(&me).bearer_auth("not-a-token")).await.status, StatusCode::UNAUTHORIZED);
    let forged = format!("110102.{}", token.split_once('.').unwrap().1);
    assert_eq!(app.send(app.client.get(&me).bearer_auth(forged)).await.status, StatusCode::UNAUTHORIZED);
    let session = cookie.split(';').next().unwrap();
    let by_cookie = app.send(app.client.get(&me).header("cookie", session)).await;
    assert_eq!(by_cookie.body["username"], "unit_staff");
    let en = app.send(app.client.get(&me).bearer_auth(token).header("accept-language", "en")).await;
    assert_eq!(en.body["role_label"], "unit staff");

    let out = app.send(app.client.post(format!("{}/api/v1/auth/logout", app.base)).bearer_auth(token)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(app.send(app.client.get(&me).bearer_auth(token)).await.status, StatusCode::UNAUTHORIZED);

    // Sessions expire after 12 hours.
    let t = app.login("dispatcher").await;
    app.clock.advance(chrono::Duration::hours(13));
    assert_eq!(app.get(&t, "/api/v1/auth/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_role_has_a_demo_account_that_can_log_in() {
    let app = spawn_app().await;
    for role in [
        "resident",
        "dispatcher",
        "unit_staff",
        "department_staff",
        "liaison",
        "street_leader",
        "district_supervisor",
        "inspector",
        "system_admin",
        "security_admin",
        "audit_admin",
    ] {
        let t = app.login(role).await;
        assert_eq!(app.get(&t, "/api/v1/auth/me").await.body["role"], role);
    }
}

#[tokio::test]
async fn organisation_and_catalog_are_served_as_data() {
    let app = spawn_app().await;
    let streets = app.get("", "/api/v1/streets").await.body;
    assert_eq!(streets["total"], 17);
    assert!(streets["items"].as_array().unwrap().iter().any(|s| s["code"] == DZM && s["name"] == "东直门街道"));
    let units = app.get("", &format!("/api/v1/streets/{DZM}/units")).await.body;
    assert_eq!(units["total"], 12);
    let names: Vec<&str> = units["items"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    for n in ["城市管理办公室", "民生保障办公室", "网格化服务管理中心", "纪工委", "综合执法队"]
    {
        assert!(names.contains(&n), "{n}");
    }
    assert_eq!(app.get("", "/api/v1/streets/110101999/units").await.status, StatusCode::NOT_FOUND);
    let communities = app.get("", "/api/v1/communities").await.body;
    assert_eq!(communities["total"], 169);
    let dzm = app.get("", &format!("/api/v1/communities?street={DZM}")).await.body;
    assert!(dzm["items"].as_array().unwrap().iter().any(|c| c["code"] == SHIZIPO && c["name"] == "十字坡社区"));
    assert_eq!(app.get("", "/api/v1/communities?street=abc").await.status, StatusCode::BAD_REQUEST);
    let depts = app.get("", "/api/v1/departments").await.body;
    assert!(depts["total"].as_u64().unwrap() >= 15);
    assert!(depts["items"].as_array().unwrap().iter().any(|d| d["kind"] == "utility" && d["category"] == "heating"));

    let catalog = app.get("", "/api/v1/catalog").await.body;
    assert_eq!(catalog["total"], 106);
    let first = &catalog["items"][0];
    for field in [
        "code",
        "name",
        "kind",
        "kind_label",
        "owner",
        "whistleable",
        "response_deadline",
        "resolution_deadline",
        "keywords",
    ] {
        assert!(!first[field].is_null(), "{field}");
    }
    let heating = app.get("", "/api/v1/catalog?q=暖气").await.body;
    assert!(heating["total"].as_u64().unwrap() >= 1);
    assert!(heating["items"].as_array().unwrap().iter().all(|i| i["resolution_deadline"] == "24h"
        || i["resolution_deadline"] == "2h"
        || i["resolution_deadline"] == "7wd"));
    let consult = app.get("", "/api/v1/catalog?kind=consult").await.body;
    assert!(consult["items"].as_array().unwrap().iter().all(|i| i["kind_label"] == "咨询"));
    assert_eq!(app.get("", "/api/v1/catalog?kind=gossip").await.status, StatusCode::BAD_REQUEST);

    let health = app.get("", "/healthz").await;
    assert_eq!(health.body, json!({"status": "ok", "database": "ok"}));
    let openapi = app.get("", "/api/v1/openapi.json").await.body;
    assert_eq!(openapi["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    for path in [
        "/api/v1/cases",
        "/api/v1/cases/{id}/actions/{action}",
        "/api/v1/auth/login",
        "/api/v1/catalog",
        "/api/v1/households",
        "/api/v1/visits",
        "/api/v1/liaisons/{id}/due-visits",
        "/api/v1/liaison-results",
        "/api/v1/assistance/{id}/actions/{action}",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path} documented");
    }
}
