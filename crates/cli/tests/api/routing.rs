//! 智能派单 through HTTP: where, what, who, duplicates — with reasons; GCJ-02 points; cases placed
//! by a point or an address; auto-dispatch; boundary imports that refuse bad files whole.

use crate::helpers::*;
use chuishao_routing::coords::gcj02_from_wgs84;
use chuishao_routing::LatLon;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Near the approximate centroid of 十字坡社区 (东直门街道), in WGS-84.
const SHIZIPO: (f64, f64) = (39.9462, 116.4425);
const STALL: &str = "东直门外大街十字坡路口有人摆摊占道经营，晚上还很吵";

fn codes(items: &Value) -> Vec<String> {
    items.as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_stall_at_shizipo_goes_to_the_street_unit_that_owns_it_with_reasons_in_either_datum() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let r = app
        .post(&dispatcher, "/api/v1/route", json!({"text": STALL, "location": {"lat": SHIZIPO.0, "lon": SHIZIPO.1}}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert_eq!(b["place"]["community"]["code"], "110101009008", "{b}");
    assert_eq!(b["place"]["street"]["code"], "110101009");
    assert_eq!(b["place"]["method"], "polygon");
    assert!(b["place"]["grid"]["code"].as_str().unwrap().starts_with("110101009008-"));
    let top3 = codes(&b["items"]);
    assert_eq!(top3.len(), 3);
    assert!(top3.iter().any(|c| c == "C-055" || c == "C-056"), "占道经营 in the top 3: {top3:?}");
    let p: Vec<f64> = b["items"].as_array().unwrap().iter().map(|i| i["probability"].as_f64().unwrap()).collect();
    assert!(p.windows(2).all(|w| w[0] >= w[1]) && p.iter().all(|x| (0.0..=1.0).contains(x)), "{p:?}");
    assert_eq!(b["owner"]["kind"], "unit");
    assert_eq!(b["owner"]["id"], "110101009-enforcement", "{b}");
    let reason = b["reason"].as_str().unwrap();
    assert!(reason.starts_with("东直门街道 · 综合执法队 · 职责清单 C-05"), "{reason}");
    assert!(reason.contains(" · 置信度 "), "{reason}");
    assert!(b["place_reason"].as_str().unwrap().contains("十字坡社区"), "{b}");
    assert_eq!(b["auto_dispatch"], false, "auto-dispatch is off unless configured");

    // The same place as a 高德/腾讯 map SDK gives it (GCJ-02): the same community.
    let g = gcj02_from_wgs84(LatLon::new(SHIZIPO.0, SHIZIPO.1));
    let body = json!({"text": STALL, "location": {"lat": g.lat, "lon": g.lon, "crs": "gcj02"}});
    let r = app.post(&dispatcher, "/api/v1/route", body).await;
    assert_eq!(r.body["place"]["community"]["code"], "110101009008", "{}", r.body);
    // Read as WGS-84 the GCJ-02 numbers are some 600 m off: not the same answer by accident.
    let naive =
        app.post(&dispatcher, "/api/v1/route", json!({"text": STALL, "location": {"lat": g.lat, "lon": g.lon}})).await;
    assert_ne!(naive.body["place"]["grid"], r.body["place"]["grid"]);
    // English reasons on request; bad input named.
    let en = app
        .send(
            app.client
                .post(format!("{}/api/v1/route", app.base))
                .bearer_auth(&dispatcher)
                .header("Accept-Language", "en")
                .json(&json!({"text": STALL, "location": {"lat": SHIZIPO.0, "lon": SHIZIPO.1}})),
        )
        .await;
    assert!(en.body["reason"].as_str().unwrap().contains("confidence"), "{}", en.body);
    let bad = app
        .post(
            &dispatcher,
            "/api/v1/route",
            json!({"text": STALL, "location": {"lat": 39.9, "lon": 116.4, "crs": "bd09"}}),
        )
        .await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("location.crs")));
    let bad =
        app.post(&dispatcher, "/api/v1/route", json!({"text": STALL, "location": {"lat": 95.0, "lon": 116.4}})).await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("location.lat")));
    let bad = app.post(&dispatcher, "/api/v1/route", json!({"text": "  "})).await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("text")));
    let resident = app.login("resident").await;
    assert_eq!(app.post(&resident, "/api/v1/route", json!({"text": STALL})).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn places_come_from_a_point_just_outside_or_a_name_in_the_address() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    // An address only: the gazetteer knows 南锣鼓巷.
    let r = app.post(&dispatcher, "/api/v1/route", json!({"text": "南锣鼓巷有人占道经营摆摊卖小吃"})).await;
    assert_eq!(r.body["place"]["method"], "gazetteer", "{}", r.body);
    assert_eq!(r.body["place"]["matched"], "南锣鼓巷");
    assert_eq!(r.body["place"]["street"]["code"], "110101003", "南锣鼓巷 is in 交道口街道");
    // Nowhere at all: the district takes a street's matter (兜底).
    let r = app
        .post(
            &dispatcher,
            "/api/v1/route",
            json!({"text": "路口有人摆摊占道经营", "location": {"lat": 31.23, "lon": 121.47}}),
        )
        .await;
    assert_eq!(r.body["place"]["method"], "unknown", "{}", r.body);
    assert_eq!(r.body["owner"]["kind"], "district");
    assert_eq!(r.body["owner"]["fallback"], "unknown_place");
    // A matter that names a utility goes to it wherever it is.
    let r = app.post(&dispatcher, "/api/v1/route", json!({"text": "家里停水两天了，自来水一直没来，也没通知"})).await;
    assert_eq!(r.body["owner"]["kind"], "department", "{}", r.body);
}

#[tokio::test]
async fn a_case_with_only_a_point_or_an_address_is_placed_in_its_community() {
    let app = spawn_app().await;
    let resident = app.login("resident").await;
    let g = gcj02_from_wgs84(LatLon::new(SHIZIPO.0, SHIZIPO.1));
    let r = app
        .post(
            &resident,
            "/api/v1/cases",
            json!({"kind": "complaint", "channel": "web", "text": STALL, "location": {"lat": g.lat, "lon": g.lon, "crs": "gcj02"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["community"]["code"], "110101009008", "{}", r.body);
    assert_eq!(r.body["street"]["code"], "110101009");
    // Shown coarsened (privacy), but in WGS-84: the GCJ-02 numbers are ~0.006° further east.
    let lon = r.body["location"]["lon"].as_f64().unwrap();
    assert!((lon - SHIZIPO.1).abs() < 0.001, "stored in WGS-84: {}", r.body["location"]);
    let r = app
        .post(
            &resident,
            "/api/v1/cases",
            json!({"kind": "complaint", "channel": "web", "text": "路灯不亮", "address": "东四十条甲3号"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(
        r.body["community"]["code"].as_str().is_some_and(|c| c.starts_with("110101006")),
        "东四十条 is in 东四街道: {}",
        r.body
    );
}

#[tokio::test]
async fn the_same_complaint_again_is_proposed_for_merging_and_the_same_phone_is_a_repeat() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let first = app
        .post(
            &dispatcher,
            "/api/v1/cases",
            json!({"kind": "complaint", "channel": "hotline", "text": STALL, "location": {"lat": SHIZIPO.0, "lon": SHIZIPO.1},
                   "reporter": {"name": "张三", "phone": "13812345678"}}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let number = first.body["number"].as_str().unwrap();
    let again = json!({"text": format!("{STALL}！"), "location": {"lat": SHIZIPO.0 + 0.0003, "lon": SHIZIPO.1}, "phone": "138 1234 5678"});
    let r = app.post(&dispatcher, "/api/v1/route", again).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["duplicates"][0]["number"], number, "{}", r.body);
    assert!(r.body["duplicates"][0]["similarity"].as_f64().unwrap() > 0.8);
    assert_eq!(r.body["repeat_of"][0]["number"], number);
    // Elsewhere, or about something else, it is not a duplicate.
    let far =
        app.post(&dispatcher, "/api/v1/route", json!({"text": STALL, "location": {"lat": 39.88, "lon": 116.41}})).await;
    assert_eq!(far.body["duplicates"], json!([]), "{}", far.body);
    let other = app
        .post(&dispatcher, "/api/v1/route", json!({"text": "楼道灯坏了三天了，老人晚上看不见台阶", "location": {"lat": SHIZIPO.0, "lon": SHIZIPO.1}, "phone": "13812345678"}))
        .await;
    assert_eq!((other.body["duplicates"].clone(), other.body["repeat_of"].clone()), (json!([]), json!([])));
    // Once merged away or closed, it is no longer proposed.
    let merged = app
        .post(
            &dispatcher,
            &format!("/api/v1/cases/{}/actions/merge", first.body["id"].as_str().unwrap()),
            json!({"into": number}),
        )
        .await;
    assert!(merged.status.is_client_error(), "merging into itself is refused");
}

#[tokio::test]
async fn auto_dispatch_sends_a_clear_case_to_its_owner_and_leaves_unclear_ones_to_the_dispatcher() {
    let app = spawn_app().await;
    app.state.routing.config.write().unwrap().auto_dispatch = Some(0.05);
    let dispatcher = app.login("dispatcher").await;
    let r = app
        .post(
            &dispatcher,
            "/api/v1/cases",
            json!({"kind": "complaint", "channel": "hotline", "text": STALL, "community_code": "110101009008"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "dispatched", "{}", r.body);
    assert_eq!(r.body["assignee"]["id"], "110101009-enforcement");
    let case = app.case(&dispatcher, &r.body).await.body;
    let dispatched = case["timeline"].as_array().unwrap().iter().find(|e| e["type"] == "dispatched").unwrap().clone();
    assert_eq!(dispatched["actor"]["name"], "智能派单");
    assert!(dispatched["data"]["note"].as_str().unwrap().contains("置信度"), "{dispatched}");
    // A threshold no item reaches: the case waits for the dispatcher.
    app.state.routing.config.write().unwrap().auto_dispatch = Some(0.9999);
    let r = app
        .post(&dispatcher, "/api/v1/cases", json!({"kind": "consult", "channel": "hotline", "text": "想问一下这个事情怎么办", "community_code": "110101009008"}))
        .await;
    assert_eq!(r.body["status"], "received", "{}", r.body);
}

#[tokio::test]
async fn boundary_imports_refuse_a_bad_file_whole_and_replace_a_level_when_good() {
    let app = spawn_app().await;
    let admin = app.login("system_admin").await;
    let count = |level: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let r = app.get(&admin, &format!("/api/v1/boundaries?level={level}")).await;
            r.body["features"].as_array().map(Vec::len).unwrap_or(0)
        }
    };
    assert_eq!(count("community").await, 169);
    assert!(count("grid").await > 300);
    let square = |lat: f64, lon: f64| json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]]});
    let send = |body: Value| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.send(app.client.post(format!("{}/api/v1/boundaries", app.base)).bearer_auth(&admin).json(&body)).await
        }
    };
    let bad = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "110101009008", "name": "十字坡社区"}, "geometry": square(39.94, 116.44)},
        {"type": "Feature", "properties": {"code": "110101009099"}, "geometry": square(39.95, 116.44)},
    ]});
    let r = send(bad).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_geojson"), "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("feature 2 (110101009099)"), "{}", r.body);
    assert_eq!(count("community").await, 169, "nothing imported");
    let not_geojson = send(json!({"type": "Feature"})).await;
    assert_eq!(not_geojson.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A good file replaces the communities, and routing uses it at once.
    let good = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "110101009008", "name": "十字坡社区"}, "geometry": square(39.90, 116.40)},
    ]});
    let r = send(good).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["imported"]["community"], 1);
    assert_eq!(count("community").await, 1);
    let dispatcher = app.login("dispatcher").await;
    let r = app
        .post(&dispatcher, "/api/v1/route", json!({"text": STALL, "location": {"lat": 39.905, "lon": 116.405}}))
        .await;
    assert_eq!(r.body["place"]["community"]["code"], "110101009008");
    assert_eq!(r.body["place"]["approximate"], false);
    assert_eq!(
        app.send(app.client.post(format!("{}/api/v1/boundaries", app.base)).bearer_auth(&dispatcher).json(&json!({})))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

fn chuishao(db: &str) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_chuishao"));
    c.arg("--db").arg(db);
    c
}

/// The operator's commands: the held-out evaluation reports its accuracy (a regression guard),
/// and bad files are refused naming the line or feature, importing nothing.
#[tokio::test]
async fn eval_routing_reports_held_out_accuracy_and_bad_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let out = chuishao(&db).args(["demo", "--cases", "0"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let heldout = concat!(env!("CARGO_MANIFEST_DIR"), "/data/routing_heldout.csv");
    let out = chuishao(&db).args(["eval-routing", heldout]).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rate = |label: &str| -> f64 {
        let rest = report.split(label).nth(1).unwrap_or_else(|| panic!("{label} in {report}"));
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    assert!(report.contains("130 requests"), "{report}");
    assert!(rate("owner top-1:") >= 0.65, "{report}");
    assert!(rate("top-3:") >= 0.85, "{report}");
    assert!(report.contains("by expected owner") && report.contains("dc-waterworks"), "a confusion summary: {report}");

    let bad_csv = dir.path().join("bad.csv");
    std::fs::write(
        &bad_csv,
        "text,lat,lon,expected_owner\n路灯不亮,39.94,116.44,110101009-city-management\n占道,abc,116.44,x\n",
    )
    .unwrap();
    let out = chuishao(&db).args(["eval-routing"]).arg(&bad_csv).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 3: lat `abc` is not a number"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let bad_geo = dir.path().join("bad.geojson");
    std::fs::write(
        &bad_geo,
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"110101009"},"geometry":{"type":"Polygon","coordinates":[[[116.43,39.93],[116.45,39.93],[116.45,39.95],[116.43,39.95],[116.43,39.93]]]}},
          {"type":"Feature","properties":{"code":"110101009008"},"geometry":{"type":"Polygon","coordinates":[[[116.43,39.93],[116.45,39.93],[116.45,39.95]]]}}]}"#,
    )
    .unwrap();
    let out = chuishao(&db).args(["import", "boundaries"]).arg(&bad_geo).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("feature 2 (110101009008): a ring needs at least 4 positions")
            && err.contains("nothing was imported"),
        "{err}"
    );
    let good_geo = dir.path().join("good.geojson");
    std::fs::write(
        &good_geo,
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"110101009","name":"东直门街道"},"geometry":{"type":"Polygon","coordinates":[[[116.43,39.93],[116.45,39.93],[116.45,39.95],[116.43,39.95],[116.43,39.93]]]}}]}"#,
    )
    .unwrap();
    let out = chuishao(&db).args(["import", "boundaries"]).arg(&good_geo).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 street"));
}
