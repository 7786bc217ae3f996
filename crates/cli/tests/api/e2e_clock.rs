//! In a real browser: a deadline's countdown keeps counting while the page stays open (app.js),
//! in the page's words, by the server's clock as the page was made.

use crate::browser::Browser;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_inbox_countdown_keeps_counting_while_the_page_is_open() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let case = app
        .new_case(&dispatcher, json!({"kind": "report", "text": "小区主路自来水管爆裂", "duty_item": "C-011"}))
        .await;
    let leader = app.login("street_leader").await;
    let body = json!({"case_id": case["id"], "kind": "emergency", "reason": "水管爆裂，路面积水",
                      "departments": [{"department": "dc-waterworks", "task": "关阀抢修"}]});
    let r = app.post(&leader, "/api/v1/whistles", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let Some(b) = Browser::open(&app).await else { return };
    b.login_as("department_staff").await;
    assert_eq!(b.path().await, "/inbox");
    let tick = "ul.inbox .countdown .tick";
    let first = b.text_of(tick).await;
    assert!(first.starts_with("剩 "), "time left as the page was made: {first}");
    let late = "return document.querySelector('ul.inbox .countdown').classList.contains('late')";
    assert_eq!(b.js(late, vec![]).await, json!(false));

    // A day later by this browser's clock, the page still open: the tab comes back to view.
    let later = "var now = Date.now; Date.now = function () { return now() + 24 * 3600 * 1000; };\
                 document.dispatchEvent(new Event('visibilitychange'));";
    b.js(later, vec![]).await;
    let shown = b.text_of(tick).await;
    assert!(shown.starts_with("已超时 ") && shown.contains("小时") && !shown.contains('{'), "{shown}");
    assert_eq!(b.js(late, vec![]).await, json!(true), "and marked overdue");
    b.checkpoint("inbox-overdue").await;
    b.close().await;
}
