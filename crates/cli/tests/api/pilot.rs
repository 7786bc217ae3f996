//! The demo's liaison pilot (25 liaisons, 100 days in 东直门、东四、朝阳门): the results endpoint
//! answers the pilot's kind of figure, and every count checks against what is stored.

use crate::helpers::*;
use chuishao::demo::{DemoOptions, PILOT_STREETS};
use serde_json::Value;

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[tokio::test]
async fn the_pilot_figure_of_the_demo_is_one_query_and_checks_against_the_stored_records() {
    let app = spawn_demo(DemoOptions { cases: 40, seed: 7, days: 30, pilot: true }).await;
    let sup = app.login("district_supervisor").await;
    let streets = PILOT_STREETS.join(",");
    // The pilot ran the 100 days up to the demo's clock (2026-11-27).
    let r = app.get(&sup, &format!("/api/v1/liaison-results?street={streets}&from=2026-08-20&to=2026-11-27")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let report = &r.body;
    assert_eq!(report["days"], 100);
    assert_eq!(n(report, "liaison_count"), 25, "one liaison per community of the three streets");
    let totals = &report["totals"];
    // Plausible for 25 liaisons over 100 days (the 2018 pilot: 229 problems solved, 55 hardship).
    let (visits, raised, solved) = (n(totals, "visits"), n(totals, "cases_raised"), n(totals, "cases_solved"));
    assert!((2_000..6_000).contains(&visits), "{visits} visits");
    assert!(
        (100..500).contains(&raised) && solved <= raised && solved * 2 > raised,
        "{raised} raised, {solved} solved"
    );
    let (submitted, delivered) = (n(totals, "assistance_submitted"), n(totals, "assistance_delivered"));
    assert!((20..150).contains(&submitted) && delivered <= submitted && delivered > 0, "{submitted}/{delivered}");
    let summed: u64 = report["liaisons"].as_array().unwrap().iter().map(|l| n(l, "visits")).sum();
    assert_eq!(summed, visits, "the totals are the sums of the rows");

    // Each count against the stored records, through the other endpoints.
    let listed = app.get(&sup, "/api/v1/visits?from=2026-08-20&to=2026-11-27&per_page=1").await;
    assert_eq!(n(&listed.body, "total"), visits, "the visits listed are the visits counted");
    let assistance = app.get(&sup, "/api/v1/assistance?per_page=1").await;
    assert_eq!(n(&assistance.body, "total"), submitted);
    let delivered_listed = app.get(&sup, "/api/v1/assistance?status=delivered&per_page=1").await;
    assert_eq!(n(&delivered_listed.body, "total"), delivered);
    // Cases raised: those the liaisons received, by the case list's own view of each liaison.
    let mut raised_listed = 0;
    for l in report["liaisons"].as_array().unwrap() {
        let id = l["liaison_id"].as_str().unwrap();
        let one = app.get(&sup, &format!("/api/v1/liaisons/{id}/results?from=2026-08-20&to=2026-11-27")).await;
        assert_eq!(one.body["liaisons"][0], *l, "one liaison's page agrees with the street list");
        raised_listed += n(l, "cases_raised");
    }
    assert_eq!(raised_listed, raised);

    // The demo liaison of 十字坡社区 is one of them and sees their own results and due visits.
    let li = app.login("liaison").await;
    let mine = app.get(&li, "/api/v1/liaisons/liaison-110101009008/results?from=2026-08-20&to=2026-11-27").await;
    assert_eq!(mine.status, 200);
    assert!(n(&mine.body["totals"], "visits") > 50, "{}", mine.body);
    assert!(n(&mine.body["totals"], "households_in_care") >= 24);
    let due = app.get(&li, "/api/v1/liaisons/liaison-110101009008/due-visits?within_days=30").await;
    assert_eq!(due.status, 200);
    assert!(n(&due.body, "total") > 0, "some households fall due within a month");
    // The liaison's own page names the communities they cover.
    let me = app.get(&li, "/api/v1/auth/me").await;
    assert_eq!(me.body["scope"]["covers"], serde_json::json!([{"code": "110101009008", "name": "十字坡社区"}]));
    // Households are masked in every answer.
    let phone = due.body["items"][0]["phone"].as_str().unwrap();
    assert!(phone.contains("****"), "{phone}");
}
