//! End-to-end walks in a real browser (headless Chromium, see `browser.rs`): the pages as people
//! use them — typing, clicking the map, following links — with the page's own script running.
//! Each page visited is checked to ask nothing of other sites and kept as a screenshot in
//! `target/e2e-screenshots/<page>.<lang>.png`.
//!
//! Still to walk when their pages land (issue 8 §8), with the helpers of `browser.rs` (`login_as`,
//! `fill_by_label`, `choose_by_label`, `click_button_with_text`, `submit_form`, `checkpoint`):
//! - the dispatcher opens the new case from `/my` and dispatches it on the case page;
//! - unit staff (`unit_staff`) accepts, contacts and resolves it on the case page;
//! - a street leader (`street_leader`) blows a whistle at `/whistles/new?case=ID`;
//! - a department (`department_staff`) reports in at `/inbox`;
//! - the dispatcher records the callback and closes; the resident's `/track` shows it closed;
//! - a liaison (`liaison`) logs a visit at phone width at `/liaison/visits/new`.

use crate::browser::{Browser, PHONE};
use crate::helpers::*;
use serde_json::json;

const PHONE_NUMBER: &str = "13812345678";
const MASKED_PHONE: &str = "138****5678";

/// Clicks inside the community `code` on the submit page's map, as a person does: finds a point
/// of the window where that community (and nothing over it) is drawn, and clicks there.
async fn click_map(b: &Browser, code: &str) {
    let point = b
        .js(
            "var path = document.querySelector('svg.map path[data-code=\"' + arguments[0] + '\"]');
             if (!path) { return null; }
             path.scrollIntoView({block: 'center'});
             var r = path.getBoundingClientRect();
             for (var i = 1; i < 16; i++) {
               for (var j = 1; j < 16; j++) {
                 var x = Math.round(r.left + r.width * i / 16), y = Math.round(r.top + r.height * j / 16);
                 if (document.elementFromPoint(x, y) === path) { return [x, y]; }
               }
             }
             return null;",
            vec![json!(code)],
        )
        .await;
    let (x, y) = match (point[0].as_i64(), point[1].as_i64()) {
        (Some(x), Some(y)) => (x, y),
        _ => panic!("community {code} is not drawn on the map where it can be clicked"),
    };
    b.d().action_chain().move_to(x, y).click().perform().await.expect("click on the map");
}

/// The label the community list shows for `code`.
async fn community_label(b: &Browser, code: &str) -> String {
    b.js(
        "var o = document.querySelector('select[name=community_code] option[value=\"' + arguments[0] + '\"]');
         return o ? o.textContent.trim() : null;",
        vec![json!(code)],
    )
    .await
    .as_str()
    .unwrap_or_else(|| panic!("{code} is in the community list"))
    .to_string()
}

async fn hidden_value(b: &Browser, name: &str) -> String {
    b.js("return document.querySelector('input[name=\"' + arguments[0] + '\"]').value", vec![json!(name)])
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Fills the request form (Chinese labels) as a resident does, choosing the community by `place`.
async fn fill_request(b: &Browser, community: &str) {
    b.choose_by_label("诉求类型", "投诉").await;
    b.fill_by_label("诉求内容", "十字坡社区门口早市占道经营，堵塞道路").await;
    b.choose_by_label("所在社区", community).await;
    b.fill_by_label("详细地址", "东直门南大街5号院3号楼301").await;
    b.fill_by_label("联系电话", PHONE_NUMBER).await;
    b.fill_by_label("您的称呼", "张三").await;
}

#[tokio::test]
async fn a_resident_files_and_tracks_a_request_in_the_browser_and_the_dispatcher_finds_it() {
    let app = spawn_app_with(40).await;
    let Some(b) = Browser::open(&app).await else { return };

    b.goto("/").await;
    assert!(b.page_text().await.contains("您好，有事请找街道"));
    b.checkpoint("home").await;
    b.follow_link("提交诉求").await;
    assert_eq!(b.path().await, "/submit");
    b.checkpoint("submit").await;

    // The list: choosing 十字坡社区 there marks it on the map.
    let community = community_label(&b, SHIZIPO).await;
    fill_request(&b, &community).await;
    assert_eq!(b.value_by_label("所在社区").await, SHIZIPO);
    let marked =
        b.js("var p = document.querySelector('svg.map path.picked'); return p && p.getAttribute('data-code')", vec![]);
    assert_eq!(marked.await, json!(SHIZIPO), "the map shows the community chosen in the list");
    assert!(b.text_of("#map-picked").await.contains(&community), "and the page says it");
    assert_eq!((hidden_value(&b, "lat").await, hidden_value(&b, "lon").await), (String::new(), String::new()));
    // The map: a click in 十字坡社区 keeps the point, and the list follows the click.
    b.choose_by_label("所在社区", "不确定，按地址或地图定位").await;
    click_map(&b, SHIZIPO).await;
    assert_eq!(b.value_by_label("所在社区").await, SHIZIPO, "the click picked the community under it");
    assert!(!hidden_value(&b, "lat").await.is_empty() && !hidden_value(&b, "lon").await.is_empty());
    assert!(b.text_of("#map-picked").await.contains(&community));
    b.checkpoint("submit-filled").await;

    b.submit_form("提交").await;
    let number = b.text_of("#case-number").await;
    let code = b.text_of("#access-code").await;
    assert!(number.starts_with("110101-"), "a tracking number: {number}");
    assert_eq!(code.len(), 11, "an access code: {code}");
    b.checkpoint("submitted").await;

    // Tracking, by the number and the code.
    b.follow_link("查询进度").await;
    assert_eq!(b.path().await, "/track");
    b.checkpoint("track").await;
    b.fill_by_label("诉求编号", &number).await;
    b.fill_by_label("查询码", &code).await;
    b.submit_form("查询").await;
    let shown = b.page_text().await;
    for expected in [number.as_str(), "已收到您的诉求，正在安排承办单位。", MASKED_PHONE, "张*", community.as_str()]
    {
        assert!(shown.contains(expected), "{expected} is shown:\n{shown}");
    }
    let source = b.source().await;
    assert!(!source.contains(PHONE_NUMBER) && !source.contains("张三") && !source.contains("3号楼301"));
    b.checkpoint("track-result").await;

    // The dispatcher of 东直门街道 signs in through the form and finds it in their list.
    b.login_as("dispatcher").await;
    b.goto("/my").await;
    let list = b.page_text().await;
    assert!(list.contains("我的工作") && list.contains(&number), "the new case is listed:\n{list}");
    assert!(!b.source().await.contains(PHONE_NUMBER), "lists carry no phone numbers");
    b.checkpoint("my-work").await;
    b.close().await;
}

#[tokio::test]
async fn the_language_switch_turns_the_pages_into_english_and_back() {
    let app = spawn_app().await;
    let Some(b) = Browser::open(&app).await else { return };

    b.goto("/submit").await;
    assert_eq!(b.lang().await, "zh-CN", "Chinese by default");
    b.field_by_label("诉求类型").await;
    b.follow_link("English").await;
    assert_eq!(b.path().await, "/submit", "the switch comes back to the same page");
    assert_eq!(b.lang().await, "en");
    b.field_by_label("Kind of request").await;
    b.field_by_label("Phone").await;
    let text = b.page_text().await;
    assert!(!text.contains("诉求类型") && !text.contains("联系电话"), "no Chinese labels left:\n{text}");
    b.checkpoint("submit").await;
    b.goto("/").await;
    assert!(b.page_text().await.contains("Make a request"));
    b.checkpoint("home").await;
    b.goto("/track").await;
    b.field_by_label("Request number").await;
    b.checkpoint("track").await;

    // English stays while signed in: the login form and the list.
    b.login_as("dispatcher").await;
    b.goto("/my").await;
    assert_eq!(b.lang().await, "en");
    b.checkpoint("my-work").await;

    b.follow_link("中文").await;
    assert_eq!(b.lang().await, "zh-CN");
    assert_eq!(b.path().await, "/my");
    assert!(b.page_text().await.contains("我的工作"));
    b.close().await;
}

#[tokio::test]
async fn a_resident_on_a_phone_files_a_request_without_scrolling_sideways() {
    let app = spawn_app().await;
    let Some(b) = Browser::open(&app).await else { return };
    b.resize(PHONE).await;

    b.goto("/").await;
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("home-phone").await;
    b.goto("/submit").await;
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("submit-phone").await;
    let community = community_label(&b, SHIZIPO).await;
    fill_request(&b, &community).await;
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.submit_form("提交").await;
    let (number, code) = (b.text_of("#case-number").await, b.text_of("#access-code").await);
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("submitted-phone").await;

    b.goto("/track").await;
    b.fill_by_label("诉求编号", &number).await;
    b.fill_by_label("查询码", &code).await;
    b.submit_form("查询").await;
    assert!(b.page_text().await.contains(MASKED_PHONE));
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("track-result-phone").await;

    // Longer English words must wrap too.
    b.follow_link("English").await;
    b.goto("/submit").await;
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("submit-phone").await;
    b.close().await;
}
