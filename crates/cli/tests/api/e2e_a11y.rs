//! In a real browser: the main page of every role, in both languages, checked for what makes a
//! page usable without a mouse or good eyes — every field labelled, every link and button named,
//! images described, one `h1`, unique ids, the page's language declared, text contrast of at
//! least WCAG AA (4.5:1, 3:1 for large text) as the browser computes the colours, and a focus
//! ring that shows where the keyboard is.

use crate::browser::Browser;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thirtyfour::prelude::*;

/// Problems found on the page as it is now, one line each (empty: none).
const AUDIT: &str = r#"
var problems = [];
var brief = function (el) { return el.outerHTML.slice(0, 140); };
var visible = function (el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); };
if (!document.documentElement.lang) { problems.push('no lang on <html>'); }
if (!document.title.trim()) { problems.push('no title'); }
var h1 = document.querySelectorAll('h1').length;
if (h1 !== 1) { problems.push(h1 + ' h1 elements'); }
var ids = {};
document.querySelectorAll('[id]').forEach(function (el) {
  if (ids[el.id]) { problems.push('duplicate id ' + el.id); }
  ids[el.id] = true;
});
document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(function (el) {
  var labelled = (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.closest('label') ||
    el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title');
  if (!labelled) { problems.push('unlabelled field ' + brief(el)); }
});
document.querySelectorAll('a[href], button, summary').forEach(function (el) {
  var named = el.textContent.trim() || el.getAttribute('aria-label') || el.getAttribute('title') ||
    el.querySelector('img[alt]:not([alt=""])');
  if (!named) { problems.push('nameless control ' + brief(el)); }
});
document.querySelectorAll('img:not([alt])').forEach(function (el) { problems.push('image without alt ' + brief(el)); });
document.querySelectorAll('svg[role=img]').forEach(function (el) {
  if (!el.getAttribute('aria-labelledby') && !el.getAttribute('aria-label')) { problems.push('unnamed chart ' + brief(el)); }
});
var rgb = function (s) {
  var m = /rgba?\(([^)]+)\)/.exec(s);
  return m ? m[1].split(',').map(parseFloat) : null;
};
var lum = function (c) {
  var a = c.slice(0, 3).map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2];
};
var backdrop = function (el) {
  for (; el; el = el.parentElement) {
    var c = rgb(getComputedStyle(el).backgroundColor);
    if (c && (c.length < 4 || c[3] > 0.5)) { return c; }
  }
  return [255, 255, 255];
};
var seen = {};
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (var n = walker.nextNode(); n; n = walker.nextNode()) {
  var el = n.parentElement;
  if (!n.textContent.trim() || !el || el.closest('svg, script, style, [hidden], .visually-hidden, .skip') || !visible(el)) { continue; }
  var st = getComputedStyle(el);
  var fg = rgb(st.color);
  if (!fg) { continue; }
  var l1 = lum(fg), l2 = lum(backdrop(el));
  var ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  var size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
  var need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  var key = st.color + '/' + need;
  if (ratio < need && !seen[key]) {
    seen[key] = true;
    problems.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ' for "' + n.textContent.trim().slice(0, 30) + '" in ' + brief(el));
  }
}
return problems;
"#;

/// What has the keyboard focus and whether it shows: (tag and text, ring drawn).
const FOCUSED: &str = r#"
var el = document.activeElement;
if (!el || el === document.body) { return ['body', false]; }
var st = getComputedStyle(el);
var ring = (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2) || st.boxShadow !== 'none';
return [el.tagName + ' ' + (el.textContent || el.value || '').trim().slice(0, 20), ring];
"#;

async fn audit(b: &Browser, what: &str) {
    let found = b.js(AUDIT, vec![]).await;
    let problems: Vec<&str> = found.as_array().expect("a list").iter().filter_map(Value::as_str).collect();
    assert!(problems.is_empty(), "{what} ({}):\n{}", b.lang().await, problems.join("\n"));
    // The first few stops of the keyboard each show where they are.
    let body = b.find(By::Css("body")).await;
    for _ in 0..4 {
        body.send_keys(Key::Tab).await.expect("tab");
        let f = b.js(FOCUSED, vec![]).await;
        assert_eq!(f[1], json!(true), "{what}: focus on {} is not shown", f[0]);
    }
}

#[tokio::test]
async fn every_roles_main_pages_are_labelled_readable_and_keyboard_visible_in_both_languages() {
    let app = spawn_app_with(40).await;
    let dispatcher = app.login("dispatcher").await;
    let case = app
        .new_case(&dispatcher, json!({"kind": "complaint", "text": "早市摊贩占道经营，影响通行", "duty_item": "C-055"}))
        .await;
    let case_page = format!("/cases/{}", case["id"].as_str().expect("case id"));
    let leader = app.login("street_leader").await;
    let body = json!({"case_id": case["id"], "kind": "coordination", "reason": "占道影响检修井",
                      "departments": [{"department": "dc-waterworks", "task": "核查检修井"}]});
    let r = app.post(&leader, "/api/v1/whistles", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let whistle_page = format!("/whistles/{}", r.body["id"].as_str().expect("whistle id"));

    let Some(b) = Browser::open(&app).await else { return };
    let visits: [(Option<&str>, Vec<&str>); 6] = [
        (None, vec!["/", "/submit", "/track", "/login"]),
        (Some("dispatcher"), vec!["/my", &case_page]),
        (Some("street_leader"), vec!["/whistles", &whistle_page, "/dashboard"]),
        (Some("department_staff"), vec!["/inbox"]),
        (Some("liaison"), vec!["/liaison", "/liaison/visits/new", "/liaison/households", "/liaison/results"]),
        (
            Some("system_admin"),
            vec![
                "/admin",
                "/admin/users",
                "/admin/catalog",
                "/admin/catalog/C-055",
                "/admin/calendar",
                "/admin/imports",
            ],
        ),
    ];
    for lang in ["zh", "en"] {
        b.goto(&format!("/lang/{lang}?back=/")).await;
        for (who, pages) in &visits {
            if let Some(who) = who {
                b.login_as(who).await;
            }
            for page in pages {
                b.goto(page).await;
                assert_eq!(b.path().await, *page, "{who:?} opens {page}");
                audit(&b, page).await;
            }
            if who.is_some() {
                b.sign_out().await;
            }
        }
    }
    b.close().await;
}
