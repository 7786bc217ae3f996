//! 考核 through HTTP: the three rates by street from the rollups, each checkable against the
//! cases behind it; the monthly ranking; a formula change leaves earlier months alone; the
//! rollups rebuilt from the events agree exactly with the live ones; the CSV report.

use crate::helpers::*;
use chuishao_domain::DistrictCode;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

/// The proposal of a duty item in an area, which must be there.
fn proposal(body: &Value, area: &str, item: &str) -> Value {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["area"]["code"] == area && x["duty_item"]["code"] == item)
        .cloned()
        .unwrap_or_else(|| panic!("{item} in {area} proposed: {body}"))
}

#[tokio::test]
async fn every_streets_rates_check_by_hand_against_the_cases_behind_them() {
    let app = spawn_app_with(300).await;
    let sup = app.login("district_supervisor").await;
    let r = app.get(&sup, "/api/v1/rates?month=2026-10&by=street").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.body["rows"].as_array().unwrap().clone();
    assert!(rows.len() >= 15, "streets with October figures: {}", rows.len());
    assert_eq!(r.body["formulas"][0]["version"], 1);
    let mut valid_total = 0;
    for row in &rows {
        let street = row["key"].as_str().unwrap();
        let valid = row["tally"]["valid"].as_i64().unwrap();
        valid_total += valid;
        let behind = app.get(&sup, &format!("/api/v1/rates/cases?month=2026-10&street={street}")).await;
        let items = behind.body["items"].as_array().unwrap();
        assert_eq!(items.len() as i64, valid, "{street}: the cases behind the figure");
        if valid == 0 {
            continue;
        }
        let count = |pred: &dyn Fn(&Value) -> bool| items.iter().filter(|i| pred(&i["callback"])).count() as f64;
        let v = valid as f64;
        let response = count(&|c| c["contacted"] == true) / v;
        let resolution = count(&|c| c["solved"] == true) / v;
        let satisfaction = (count(&|c| c["satisfaction"] == "satisfied")
            + 0.9 * count(&|c| c["satisfaction"] == "basically_satisfied"))
            / v;
        let composite = 0.1 * response + 0.5 * resolution + 0.4 * satisfaction;
        let rates = &row["rates"];
        for (name, by_hand) in [
            ("response", response),
            ("resolution", resolution),
            ("satisfaction", satisfaction),
            ("composite", composite),
        ] {
            assert!((f(&rates[name]) - by_hand).abs() < 1e-4, "{street} {name}: {} vs {by_hand}", rates[name]);
        }
        // Every case counted had its callback in October (Beijing time).
        assert!(items.iter().all(|i| i["callback"]["at"].as_str().unwrap().starts_with("2026-10")), "{street}");
    }
    assert_eq!(r.body["total"]["tally"]["valid"].as_i64().unwrap(), valid_total);
    // Scope: a street's leader sees their street only; unit staff see no figures.
    let leader = app.login("street_leader").await;
    let mine = app.get(&leader, "/api/v1/rates?month=2026-10&by=community").await;
    assert!(
        mine.body["rows"].as_array().unwrap().iter().all(|r| r["key"].as_str().unwrap().starts_with("110101009")),
        "{}",
        mine.body
    );
    let staff = app.login("unit_staff").await;
    assert_eq!(app.get(&staff, "/api/v1/rates").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&sup, "/api/v1/rates?month=2026-13").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get(&sup, "/api/v1/rates?by=planet").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_monthly_ranking_lists_every_street_with_classes_and_the_csv_has_chinese_headers() {
    let app = spawn_app_with(300).await;
    let sup = app.login("district_supervisor").await;
    let r = app.get(&sup, "/api/v1/rankings?month=2026-10").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 17, "all 17 streets");
    let ranked: Vec<&Value> = rows.iter().filter(|r| !r["rank"].is_null()).collect();
    let composites: Vec<f64> = ranked.iter().map(|r| f(&r["rates"]["composite"])).collect();
    assert!(composites.windows(2).all(|w| w[0] >= w[1]), "ranked by composite: {composites:?}");
    assert_eq!(ranked[0]["class"], "advanced");
    assert_eq!(ranked[0]["class_label"], "先进");
    assert_eq!(ranked.last().unwrap()["class"], "governance");
    let csv = app
        .send(app.client.get(format!("{}/api/v1/reports/monthly?month=2026-10&format=csv", app.base)).bearer_auth(&sup))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.body.as_str().map(String::from).unwrap_or_else(|| csv.body.to_string());
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("排名,代码,名称,受理量,有效回访,响应率(%)"), "{text}");
    assert_eq!(lines.count(), 17);
    let json = app.get(&sup, "/api/v1/reports/monthly?month=2026-10").await;
    assert_eq!(json.body["streets"]["rows"].as_array().unwrap().len(), 17);
    let items = json.body["duty_items"]["rows"].as_array().unwrap();
    assert!(items.len() > 10);
    assert!(items.iter().all(|i| !i["name"].as_str().unwrap().is_empty()), "duty items are named: {items:?}");
}

#[tokio::test]
async fn a_formula_from_a_date_leaves_earlier_months_as_they_were() {
    let app = spawn_app_with(300).await;
    let sup = app.login("district_supervisor").await;
    let october = app.get(&sup, "/api/v1/rates?month=2026-10").await.body;
    let november = app.get(&sup, "/api/v1/rates?month=2026-11").await.body;
    let r = app
        .post(
            &sup,
            "/api/v1/assessment/formulas",
            json!({"effective_from": "2026-11-01", "basically_satisfied": 0.5, "response_weight": 0.2, "resolution_weight": 0.4, "satisfaction_weight": 0.4,
                   "ranking": {"advanced_share": 0.2, "improved_count": 2, "governance_count": 1, "governance_max_share": 0.1, "rectify_share": 0.2, "min_valid": 1}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(app.get(&sup, "/api/v1/rates?month=2026-10").await.body, october, "October keeps version 1");
    let changed = app.get(&sup, "/api/v1/rates?month=2026-11").await.body;
    assert_eq!(changed["formulas"][0]["version"], 2);
    assert_ne!(changed["total"]["rates"]["composite"], november["total"]["rates"]["composite"]);
    assert_eq!(changed["total"]["tally"], november["total"]["tally"], "the counts are the counts");
    // The ranking rules are versioned with the formula: November uses the new ones.
    let nov = app.get(&sup, "/api/v1/rankings?month=2026-11").await.body;
    assert_eq!(nov["rules"]["governance_count"], 1);
    assert_eq!(nov["rows"].as_array().unwrap().iter().filter(|r| r["class"] == "governance").count(), 1);
    assert_eq!(app.get(&sup, "/api/v1/rankings?month=2026-10").await.body["rules"]["governance_count"], 10);
    let bad = app
        .post(&sup, "/api/v1/assessment/formulas", json!({"effective_from": "2026-12-01", "basically_satisfied": 0.9, "response_weight": 0.5, "resolution_weight": 0.5, "satisfaction_weight": 0.4}))
        .await;
    assert_eq!((bad.status, bad.code()), (StatusCode::UNPROCESSABLE_ENTITY, "field_malformed"));
    let leader = app.login("street_leader").await;
    let r = app
        .post(&leader, "/api/v1/assessment/formulas", json!({"effective_from": "2026-12-01", "basically_satisfied": 0.9, "response_weight": 0.1, "resolution_weight": 0.5, "satisfaction_weight": 0.4}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn rollups_rebuilt_from_events_agree_exactly_with_the_live_ones() {
    let app = spawn_app_with(300).await;
    let d = DistrictCode::parse("110101").unwrap();
    assert_eq!(app.store.rollups(&d).await.unwrap(), app.store.rollups_from_events(&d).await.unwrap());
    // A live round with a callback, a reopening and a second callback, moving counts between keys.
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let case = app.new_case(&dispatcher, json!({})).await;
    let unit = json!({"unit": "110101009-city-management", "duty_item": "C-001"});
    let case = app.ok(&dispatcher, &case, "dispatch", unit.clone()).await;
    let case = app.ok(&staff, &case, "accept", json!({})).await;
    let case = app.ok(&staff, &case, "contact", json!({"method": "phone"})).await;
    let case = app.ok(&staff, &case, "resolve", json!({"result": "已清理"})).await;
    let case = app.ok(&dispatcher, &case, "verify", json!({})).await;
    let callback = json!({"contacted": true, "solved": false, "satisfaction": "dissatisfied"});
    let case = app.ok(&dispatcher, &case, "record-callback", callback).await;
    let live_once = app.store.rollups(&d).await.unwrap();
    assert_eq!(live_once, app.store.rollups_from_events(&d).await.unwrap());
    let case = app.ok(&dispatcher, &case, "reopen", json!({"reason": "未解决"})).await;
    assert_eq!(
        app.store.rollups(&d).await.unwrap(),
        app.store.rollups_from_events(&d).await.unwrap(),
        "a reopening takes the callback back out"
    );
    let case = app.ok(&dispatcher, &case, "dispatch", unit).await;
    let case = app.ok(&staff, &case, "accept", json!({})).await;
    let case = app.ok(&staff, &case, "contact", json!({"method": "phone"})).await;
    let case = app.ok(&staff, &case, "resolve", json!({"result": "已彻底清理"})).await;
    let case = app.ok(&dispatcher, &case, "verify", json!({})).await;
    let callback = json!({"contacted": true, "solved": true, "satisfaction": "satisfied"});
    app.ok(&dispatcher, &case, "record-callback", callback).await;
    let live = app.store.rollups(&d).await.unwrap();
    assert_eq!(live, app.store.rollups_from_events(&d).await.unwrap());
    assert_ne!(live, live_once);
    app.store.rebuild_rollups(&d).await.unwrap();
    assert_eq!(app.store.rollups(&d).await.unwrap(), live, "rebuild-aggregates changes nothing");
}

/// 每月一题: a matter rising in a street is proposed; a theme is opened, tracked month by month
/// and closed.
#[tokio::test]
async fn a_rising_problem_is_proposed_then_opened_tracked_and_closed_as_a_theme() {
    let app = spawn_app_with(300).await;
    let dispatcher = app.login("dispatcher").await;
    for i in 0..6 {
        let case = app.new_case(&dispatcher, json!({"text": format!("十字坡路口又有人摆摊占道经营（第{i}次）")})).await;
        app.ok(&dispatcher, &case, "dispatch", json!({"unit": "110101009-enforcement", "duty_item": "C-055"})).await;
    }
    let sup = app.login("district_supervisor").await;
    let p = app.get(&sup, "/api/v1/themes/proposals?month=2026-11").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let found = proposal(&p.body, "110101009", "C-055");
    assert!(found["count"].as_i64().unwrap() >= 6);
    assert_eq!(found["area"]["name"], "东直门街道");
    let body = json!({"title": "十字坡路口占道经营整治", "duty_item": "C-055", "area": "110101009", "owner": "110101009-enforcement"});
    let r = app.post(&sup, "/api/v1/themes", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["opened_month"], "2026-11");
    assert_eq!(r.body["owner"]["name"], "综合执法队");
    let months = r.body["months"].as_array().unwrap();
    assert_eq!(months.first().unwrap()["month"], "2026-05", "six months before opening");
    assert!(months.last().unwrap()["received"].as_i64().unwrap() >= 6);
    assert!(r.body["mean_since"].as_f64().unwrap() > r.body["mean_before"].as_f64().unwrap());
    // Another street's leader neither sees nor opens it; this street's leader does see it.
    app.add_user("leader_dongsi", chuishao_domain::Role::StreetLeader, "110101006").await;
    let other = app.login("leader_dongsi").await;
    assert_eq!(app.get(&other, &format!("/api/v1/themes/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post(&other, "/api/v1/themes", body).await.status, StatusCode::FORBIDDEN);
    let leader = app.login("street_leader").await;
    assert_eq!(app.get(&leader, "/api/v1/themes").await.body["total"], 1);
    let bad = app.post(&sup, "/api/v1/themes", json!({"title": "x", "duty_item": "C-999", "owner": "dc-cgzf"})).await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("duty_item")));
    let closed =
        app.post(&sup, &format!("/api/v1/themes/{id}/actions/close"), json!({"summary": "已设置便民疏导点"})).await;
    assert_eq!((closed.status, closed.body["status"].as_str()), (StatusCode::OK, Some("closed")), "{}", closed.body);
    let again = app.post(&sup, &format!("/api/v1/themes/{id}/actions/close"), json!({"summary": "再次"})).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "theme_closed"));
}

#[tokio::test]
async fn rates_over_days_agree_with_whole_months_and_page_through_the_cases_behind_them() {
    let app = spawn_app_with(300).await;
    let sup = app.login("district_supervisor").await;
    let tallies = |body: &Value| -> Vec<(String, Value)> {
        body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["key"].as_str().unwrap().to_string(), r["tally"].clone()))
            .collect()
    };
    let month = app.get(&sup, "/api/v1/rates?month=2026-10&by=street").await;
    // The same month named by its days is summed from the cases, not the rollups: it must agree.
    let days = app.get(&sup, "/api/v1/rates?from=2026-10-01&to=2026-10-31&by=street").await;
    assert_eq!(days.status, StatusCode::OK, "{}", days.body);
    assert_eq!((days.body["from"].as_str(), days.body["to"].as_str()), (Some("2026-10-01"), Some("2026-10-31")));
    assert_eq!(tallies(&days.body), tallies(&month.body));
    assert_eq!(days.body["total"], month.body["total"]);
    // Two halves add up to the month.
    let first = app.get(&sup, "/api/v1/rates?from=2026-10-01&to=2026-10-12").await;
    let second = app.get(&sup, "/api/v1/rates?from=2026-10-13&to=2026-10-31").await;
    for field in ["received", "valid", "contacted", "solved", "satisfied", "basically_satisfied", "dissatisfied"] {
        let n = |b: &Value| b["total"]["tally"][field].as_i64().unwrap();
        assert_eq!(n(&first.body) + n(&second.body), n(&month.body), "{field}");
    }
    assert!(first.body["total"]["tally"]["valid"].as_i64().unwrap() > 0);
    // A stretch across a month end: the part of September from the cases, October from the rollups.
    let across = app.get(&sup, "/api/v1/rates?from=2026-09-20&to=2026-10").await;
    let sept = app.get(&sup, "/api/v1/rates?from=2026-09-20&to=2026-09-30").await;
    assert_eq!(across.body["to"], "2026-10-31");
    assert_eq!(
        across.body["total"]["tally"]["valid"].as_i64().unwrap(),
        sept.body["total"]["tally"]["valid"].as_i64().unwrap()
            + month.body["total"]["tally"]["valid"].as_i64().unwrap()
    );

    // The drill-down of the first stretch, five to a page: the count is the figure's, the pages
    // hold every case once, each called back within the stretch, and the rates check by hand.
    let valid = first.body["total"]["tally"]["valid"].as_i64().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut callbacks = vec![];
    for page in 1.. {
        let r =
            app.get(&sup, &format!("/api/v1/rates/cases?from=2026-10-01&to=2026-10-12&per_page=5&page={page}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["total"].as_i64().unwrap(), valid);
        let items = r.body["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        assert!(items.len() <= 5);
        for i in items {
            assert!(seen.insert(i["case"]["id"].as_str().unwrap().to_string()), "a case on two pages");
            let at = i["callback"]["at"].as_str().unwrap();
            assert!(("2026-10-01".."2026-10-13").contains(&&at[..10]), "{at}");
            callbacks.push(i["callback"].clone());
        }
    }
    assert_eq!(seen.len() as i64, valid);
    let solved = callbacks.iter().filter(|c| c["solved"] == true).count() as f64 / valid as f64;
    assert!((f(&first.body["total"]["rates"]["resolution"]) - solved).abs() < 1e-4);

    for bad in [
        "/api/v1/rates?from=2026-10-12&to=2026-10-01",
        "/api/v1/rates?from=2026-10-40&to=2026-10-41",
        "/api/v1/rates?from=2024-01&to=2026-10",
        "/api/v1/rates?month=2026-10&from=2026-10-01",
        "/api/v1/rates/cases?street=110101009",
        "/api/v1/rates/cases?month=2026-10&per_page=0",
        "/api/v1/rates/cases?month=2026-10&page=0",
    ] {
        let r = app.get(&sup, bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
}

#[tokio::test]
async fn repeat_requests_and_a_hotspot_are_proposed_as_a_theme_without_showing_who_called() {
    let app = spawn_app_with(300).await;
    let dispatcher = app.login("dispatcher").await;
    // Four broken-stairwell-light requests at one door of 十字坡社区: two from the same caller.
    let mut numbers = vec![];
    for phone in ["13911112222", "13933334444", "13911112222", "13955556666"] {
        let case = app
            .new_case(
                &dispatcher,
                json!({"text": "楼道灯全不亮了，晚上上下楼只能打手电筒", "location": {"lat": 39.9462, "lon": 116.4425},
                       "reporter": {"name": "李四", "phone": phone}}),
            )
            .await;
        numbers.push(case["number"].as_str().unwrap().to_string());
        app.ok(&dispatcher, &case, "dispatch", json!({"unit": "110101009-community-building", "duty_item": "C-021"}))
            .await;
    }
    let sup = app.login("district_supervisor").await;
    let p = app.get(&sup, "/api/v1/themes/proposals?month=2026-11").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let found = proposal(&p.body, "110101009", "C-021");
    let reasons: Vec<&str> = found["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(reasons.contains(&"hotspot"), "{found}");
    assert_eq!(found["repeats"], 1, "{found}");
    assert!(found["hotspots"][0]["count"].as_i64().unwrap() >= 4, "{found}");
    assert!(found["reason_labels"].as_array().unwrap().iter().any(|l| l == "热点网格"));
    // With a higher bar for repeats the single repeat no longer counts as a reason.
    let strict = app.get(&sup, "/api/v1/themes/proposals?month=2026-11&min_repeats=2").await;
    assert!(!strict.body["items"].as_array().unwrap().iter().any(|x| {
        x["duty_item"]["code"] == "C-021"
            && x["area"]["code"] == "110101009"
            && x["reasons"].as_array().unwrap().iter().any(|r| r == "repeats")
    }));

    let repeats = app.get(&sup, "/api/v1/analysis/repeats?month=2026-11&duty_item=C-021").await;
    assert_eq!(repeats.status, StatusCode::OK, "{}", repeats.body);
    let items = repeats.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", repeats.body);
    assert_eq!((items[0]["number"].as_str(), items[0]["earlier"].as_str()), (Some(&*numbers[2]), Some(&*numbers[0])));
    let text = repeats.body.to_string();
    assert!(!text.contains("1391111") && !text.contains("2222"), "no caller shown");

    let hot = app.get(&sup, "/api/v1/analysis/hotspots?month=2026-11&duty_item=C-021").await;
    assert_eq!(hot.status, StatusCode::OK, "{}", hot.body);
    let cell = &hot.body["items"][0];
    assert!(cell["count"].as_i64().unwrap() >= 4, "{}", hot.body);
    assert_eq!(cell["community"]["code"], "110101009008", "{cell}");
    assert_eq!(cell["items"][0]["duty_item"]["code"], "C-021");
    // Unit staff see no analysis; a bad month is a 400.
    let staff = app.login("unit_staff").await;
    assert_eq!(app.get(&staff, "/api/v1/analysis/hotspots").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&sup, "/api/v1/analysis/repeats?month=2026-13").await.status, StatusCode::BAD_REQUEST);
}

/// The bulk path of `demo --scale beijing` on whichever database the suite runs on: the rollups
/// it writes agree street by street with a GROUP BY over the synthetic cases, and the drill-down
/// counts what each figure counts.
#[tokio::test]
async fn the_city_scale_bulk_load_agrees_with_the_raw_cases_on_either_database() {
    use chrono::{Datelike, TimeZone};
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(dir.path()).await;
    let store = chuishao_store::Store::connect(&db).await.unwrap();
    store.migrate().await.unwrap();
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0).unwrap();
    let streets = chuishao::city::load(&store, 60_000, 7, now, |_, _| {}).await.unwrap();
    assert_eq!(streets, 343, "Beijing's streets and townships");
    let month = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let key = format!("{:04}-{:02}", month.year(), month.month());
    let rolled = store.city_tallies(&key).await.unwrap();
    let raw = store.city_tallies_raw(month).await.unwrap();
    assert!(raw.len() > 300, "streets with October callbacks: {}", raw.len());
    for (street, t) in &raw {
        let r = rolled.iter().find(|(s, _)| s == street).map(|(_, t)| *t).unwrap_or_default();
        assert_eq!(
            (r.valid, r.contacted, r.solved, r.satisfied, r.basically_satisfied, r.dissatisfied),
            (t.valid, t.contacted, t.solved, t.satisfied, t.basically_satisfied, t.dissatisfied),
            "{street}"
        );
    }
    let (street, t) = &raw[0];
    let (total, page) = store.synthetic_behind(street, month, (0, 10)).await.unwrap();
    assert_eq!(total as i64, t.valid);
    assert_eq!(page.len() as u64, total.min(10));
    assert!(page.iter().filter(|c| c.2).count() as i64 <= t.solved);
}
