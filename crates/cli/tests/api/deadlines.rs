use crate::helpers::*;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn deadlines_skip_weekends_and_holidays_and_honour_makeup_workdays() {
    let app = spawn_app().await;
    let ask = |start: &str, spec: &str| {
        let q = format!("/api/v1/calendar/deadline?start={}&spec={spec}", start.replace('+', "%2B"));
        let app = &app;
        async move { app.get("", &q).await }
    };
    for (start, spec, due) in [
        ("2026-11-27T15:00:00+08:00", "1wd", "2026-11-30T15:00:00+08:00"), // Friday → Monday
        ("2026-11-28T10:00:00+08:00", "1wd", "2026-12-01T00:00:00+08:00"), // Saturday counts from Monday
        ("2026-09-30T09:00:00+08:00", "1wd", "2026-10-08T09:00:00+08:00"), // over National Day
        ("2026-10-09T09:00:00+08:00", "1wd", "2026-10-10T09:00:00+08:00"), // Saturday 10 Oct is worked
        ("2026-02-13T10:00:00+08:00", "7wd", "2026-03-02T10:00:00+08:00"), // Spring Festival with two make-up days
        ("2026-09-30T09:00:00+08:00", "24h", "2026-10-01T09:00:00+08:00"), // hours ignore holidays
    ] {
        let r = ask(start, spec).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["due"], due, "{start} + {spec}");
    }
    let r = ask("2026-09-30T09:00:00+08:00", "7d").await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("spec")));

    let cal = app.get("", "/api/v1/calendar?year=2026").await;
    let makeup: Vec<&str> = cal.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "makeup_workday")
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(makeup, ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]);
}

#[tokio::test]
async fn admins_edit_the_calendar_for_later_years_and_deadlines_follow() {
    let app = spawn_app().await;
    let admin = app.login("system_admin").await;
    let dispatcher = app.login("dispatcher").await;
    let path = "/api/v1/calendar/deadline?start=2026-12-31T09:00:00%2B08:00&spec=1wd";
    assert_eq!(app.get("", path).await.body["due"], "2027-01-01T09:00:00+08:00");
    let put = |token: &str, date: &str, body: serde_json::Value| {
        app.send(app.client.put(format!("{}/api/v1/calendar/{date}", app.base)).bearer_auth(token).json(&body))
    };
    let r = put(&dispatcher, "2027-01-01", json!({"kind": "holiday"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = put(&admin, "2027-01-01", json!({"kind": "holiday", "note": "元旦"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["kind_label"], "法定节假日");
    assert_eq!(app.get("", path).await.body["due"], "2027-01-04T09:00:00+08:00");
    let r = put(&admin, "2027-13-01", json!({"kind": "holiday"})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("date")));
    let r = put(&admin, "2027-01-02", json!({"kind": "party"})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
    let r = app.send(app.client.delete(format!("{}/api/v1/calendar/2027-01-01", app.base)).bearer_auth(&admin)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("", path).await.body["due"], "2027-01-01T09:00:00+08:00");
}

#[tokio::test]
async fn the_ticker_warns_then_marks_overdue_exactly_once_per_deadline() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    // Friday 09:00; response due Saturday 09:00 (24 h), warning at 03:00 (a quarter left).
    let case = app.new_case(&dispatcher, json!({"duty_item": "C-001"})).await;
    app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE})).await;
    let tick = || async { app.store.tick(app.state.now(), &app.state.calendar()).await.expect("tick") };
    // Sessions last 12 hours, so each look after moving the clock logs in afresh.
    let kinds = || async {
        let token = app.login("district_supervisor").await;
        let c = app.case(&token, &case).await.body;
        c["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"].as_str().unwrap().starts_with("deadline_"))
            .map(|e| format!("{}:{}", e["type"].as_str().unwrap(), e["data"]["deadline"].as_str().unwrap()))
            .collect::<Vec<_>>()
    };

    app.clock.set(at("2026-11-28T02:59:00+08:00"));
    assert_eq!(tick().await, 0, "before the warning time");
    app.clock.set(at("2026-11-28T03:01:00+08:00"));
    assert_eq!(tick().await, 1);
    assert_eq!(tick().await, 0, "a second pass emits nothing");
    assert_eq!(kinds().await, ["deadline_warning:response"]);

    app.clock.set(at("2026-11-28T09:30:00+08:00"));
    assert_eq!(tick().await, 1);
    assert_eq!(tick().await, 0);
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let c = app.case(&dispatcher, &case).await.body;
    assert_eq!(c["overdue"], true);
    assert_eq!(c["deadlines"][0]["overdue"], true);
    let overdue = app.get(&dispatcher, "/api/v1/cases?overdue=true").await;
    assert_eq!(overdue.body["total"], 1);
    let overdue_event = &c["timeline"].as_array().unwrap().last().unwrap()["data"];
    assert_eq!(overdue_event["escalated_to"], json!(["street_leader"]));

    // Contacting the resident meets the response deadline: no more alerts for it.
    app.ok(&staff, &case, "accept", json!({})).await;
    app.ok(&staff, &case, "contact", json!({})).await;
    assert_eq!(app.get(&dispatcher, "/api/v1/cases?overdue=true").await.body["total"], 0);

    // The resolution deadline (7 working days → Tue 8 Dec 09:00) warns and expires once each.
    app.clock.advance(Duration::days(30));
    assert_eq!(tick().await, 1, "long past due: only the overdue event, no late warning");
    assert_eq!(tick().await, 0);
    assert_eq!(
        kinds().await,
        ["deadline_warning:response", "deadline_overdue:response", "deadline_overdue:resolution"]
    );
    let c = app.case(&app.login("dispatcher").await, &case).await.body;
    let last = &c["timeline"].as_array().unwrap().last().unwrap();
    assert_eq!(last["data"]["escalated_to"], json!(["street_leader", "district_supervisor"]));
    assert_eq!(last["actor"]["role"], "system");
}
