//! The community liaison's pages through HTTP, as a phone's browser without JavaScript uses them
//! (and as `offline.js` resends a kept form): due visits, households, the visit form that raises
//! a case and a hardship request in one POST, once per idempotency key, and results.

use crate::helpers::*;
use crate::liaisons::written;
use crate::pages::{pairs, Browser, Page};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::json;

/// 胡家园社区, another community of 东直门街道 (not the demo liaison's).
const HUJIAYUAN: &str = "110101009003";

/// 李桂兰, living alone at 80+ in 十字坡社区, registered by the liaison (due at once).
async fn register(app: &TestApp, token: &str, community: Option<&str>, name: &str) -> String {
    let mut body = json!({
        "address": "十字坡社区3号楼2单元501",
        "contact_name": name,
        "phone": "13812345678",
        "care_flags": ["living_alone", "elderly"],
    });
    if let Some(c) = community {
        body["community_code"] = json!(c);
    }
    let r = app.post(token, "/api/v1/households", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "register: {}", r.body);
    r.body["id"].as_str().expect("id").to_string()
}

/// The visit form of the acceptance walk: a stairwell light (a case) and a walking frame (a
/// hardship request), with the form's own hidden fields.
fn door_visit(csrf: &str, key: &str, household: &str) -> Vec<(&'static str, String)> {
    vec![
        ("_csrf", csrf.into()),
        ("idempotency_key", key.into()),
        ("household_id", household.into()),
        ("place", String::new()),
        ("visited_on", "2026-11-27".into()),
        ("seen", "老人独居，行走困难；楼道灯坏了，晚上看不见台阶".into()),
        ("asked", "希望申请一台助行器".into()),
        ("follow_ups", "一周内回访助行器落实情况".into()),
        ("raise_case", "1".into()),
        ("case_kind", "help".into()),
        ("case_text", "十字坡社区3号楼2单元楼道灯坏了，独居老人夜间出行不便".into()),
        ("case_duty_item", String::new()),
        ("raise_assistance", "1".into()),
        ("assistance_kind", "assistive_device".into()),
        ("assistance_description", "老人行走不便，需要助行器".into()),
        ("assistance_requested", "助行器一台".into()),
    ]
}

fn set(v: &mut [(&'static str, String)], field: &str, value: &str) {
    for (k, x) in v.iter_mut() {
        if *k == field {
            *x = value.to_string();
        }
    }
}

#[tokio::test]
async fn the_liaison_sees_the_due_visits_of_their_community_only_and_masked() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let dispatcher = app.login("dispatcher").await;
    let mine = register(&app, &liaison, None, "李桂兰").await;
    let theirs = register(&app, &dispatcher, Some(HUJIAYUAN), "王秀英").await;
    // One visited today is not due for a month: not on the home page.
    let visited = register(&app, &liaison, None, "赵德福").await;
    let r = app.post(&liaison, "/api/v1/visits", json!({"household_id": visited, "seen": "一切正常"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let mut b = Browser::signed_in(&app, "liaison").await;
    let home = b.get("/liaison").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.text_of("my-communities").contains("十字坡社区"), "{}", home.text_of("my-communities"));
    assert!(home.body.contains(&format!("/liaison/visits/new?household={mine}")), "due: {}", home.body);
    assert!(home.body.contains("今天应访") && home.body.contains("独居老人"), "due today, flags as labels");
    assert!(!home.body.contains(&theirs) && !home.body.contains("王**"), "胡家园's household is not mine");
    assert!(!home.body.contains(&visited), "visited today: not due");
    // Personal data masked: 李**, the house numbers starred, no phone.
    assert!(home.body.contains("李**") && home.body.contains("十字坡社区*号楼*单元*"), "{}", home.body);
    assert!(!home.body.contains("李桂兰") && !home.body.contains("501") && !home.body.contains("13812345678"));
    assert!(home.body.contains("aria-current=\"page\""), "the nav marks the page");
    assert_eq!(home.header(CACHE_CONTROL), "no-store");

    let hh = b.get(&format!("/liaison/households/{mine}")).await;
    assert_eq!(hh.status, StatusCode::OK);
    assert_eq!(hh.text_of("hh-phone"), "138****5678");
    assert!(!hh.body.contains("李桂兰") && !hh.body.contains("13812345678"));
    assert!(hh.body.contains("每 30 天走访一次"), "the interval of 独居老人");
    let list = b.get("/liaison/households?flag=living_alone").await;
    assert!(list.body.contains(&mine) && list.body.contains(&visited) && !list.body.contains(&theirs));
    assert!(list.body.contains("共 2 户"), "{}", list.body);

    // Another community's household is not found, on its page and in the form.
    assert_eq!(b.get(&format!("/liaison/households/{theirs}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&format!("/liaison/visits/new?household={theirs}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/liaison/households/no-such-household").await.status, StatusCode::NOT_FOUND);

    // The pages are the liaison's.
    let mut d = Browser::signed_in(&app, "dispatcher").await;
    assert_eq!(d.get("/liaison").await.status, StatusCode::FORBIDDEN);
    let anonymous = Browser::new(&app).get("/liaison/visits/new").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().starts_with("/login?next="), "{}", anonymous.location());
}

#[tokio::test]
async fn a_visit_form_raises_a_case_and_a_hardship_request_once_however_often_it_is_sent() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let household = register(&app, &liaison, None, "李桂兰").await;
    let mut b = Browser::signed_in(&app, "liaison").await;
    let form = b.get(&format!("/liaison/visits/new?household={household}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&format!("<option value=\"{household}\" selected>")), "the household is chosen");
    assert!(form.body.contains("value=\"2026-11-27\""), "the day defaults to today");
    let csrf = form.hidden("_csrf");
    let key = form.hidden("idempotency_key");
    assert!(key.len() >= 32, "a key made for the form: {key}");
    let fields = door_visit(&csrf, &key, &household);

    // Without the token: refused, nothing written.
    let mut forged = fields.clone();
    set(&mut forged, "_csrf", "forged");
    assert_eq!(b.post_form("/liaison/visits", &pairs(&forged)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(written(&app).await, (0, 0, 0));

    let sent = b.post_form("/liaison/visits", &pairs(&fields)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let shown = sent.location().to_string();
    assert!(shown.starts_with("/liaison/visits/") && !shown.contains("again"), "{shown}");
    let page = b.get(&shown).await;
    assert_eq!(page.status, StatusCode::OK);
    let number = page.text_of("case-number");
    assert!(number.starts_with("110101-20261127-"), "the case number is shown: {number}");
    assert!(page.text_of("assistance").contains("已提交困难救助申请"), "{}", page.body);

    // The API finds the visit, the case it raised (from a liaison visit, with the household's
    // contact to call back) and the hardship request.
    let visit_id = shown.trim_start_matches("/liaison/visits/");
    let v = app.get(&liaison, &format!("/api/v1/visits/{visit_id}")).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    assert_eq!(v.body["household"]["id"], json!(household));
    assert_eq!(v.body["visited_on"], "2026-11-27");
    assert_eq!(v.body["case"]["name"], json!(number));
    let case_id = v.body["case"]["code"].as_str().expect("case id");
    let case = app.get(&liaison, &format!("/api/v1/cases/{case_id}")).await.body;
    assert_eq!(case["channel"], "liaison_visit");
    assert_eq!(case["kind"], "help");
    assert_eq!(case["reporter"]["phone"], "138****5678");
    let assistance_id = v.body["assistance_id"].as_str().expect("assistance id");
    let a = app.get(&liaison, &format!("/api/v1/assistance/{assistance_id}")).await.body;
    assert_eq!(a["kind"], "assistive_device");
    assert_eq!(a["visit_id"], json!(visit_id));
    assert_eq!(written(&app).await, (1, 1, 1));

    // The same form again (a resend from the phone's outbox, after a new login even): the
    // first visit, recorded once.
    let mut again_browser = Browser::signed_in(&app, "liaison").await;
    let fresh = again_browser.get("/liaison/visits/new").await.hidden("_csrf");
    let mut resend = fields.clone();
    set(&mut resend, "_csrf", &fresh);
    let again = again_browser.post_form("/liaison/visits", &pairs(&resend)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(again.location(), format!("{shown}?again=1"));
    assert!(again_browser.get(again.location()).await.body.contains("没有重复记录"));
    assert_eq!(written(&app).await, (1, 1, 1), "recorded once");

    // The same key with other words: refused, shown again under a new key, nothing written.
    let mut changed = resend.clone();
    set(&mut changed, "seen", "另一次走访");
    let refused = again_browser.post_form("/liaison/visits", &pairs(&changed)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("已经用不同内容提交过") && refused.body.contains("另一次走访"));
    assert_ne!(refused.hidden("idempotency_key"), key);
    assert_eq!(written(&app).await, (1, 1, 1));

    // My results count it.
    let results = b.get("/liaison/results?from=2026-11-01&to=2026-11-27").await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(results.body.contains("<dt>走访次数</dt><dd>1</dd>"), "{}", results.body);
    assert!(results.body.contains("<dt>走访立案</dt><dd>1</dd>"));
    assert!(results.body.contains("<dt>提交困难救助</dt><dd>1</dd>"));
    assert!(results.text_of("period").contains("2026-11-01 至 2026-11-27"));
    let bad = b.get("/liaison/results?from=2026-13-01").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("格式不正确"), "a bad day is said, not a 400");
}

#[tokio::test]
async fn a_visit_logged_a_day_later_keeps_its_day_and_a_walk_needs_a_place() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let household = register(&app, &liaison, None, "李桂兰").await;
    // Filled at the door late on the 27th, sent the next morning while the session (12 hours)
    // still lasts: the token still holds, and the visit keeps its day.
    app.clock.set(at("2026-11-27T21:30:00+08:00"));
    let mut b = Browser::signed_in(&app, "liaison").await;
    let form = b.get("/liaison/visits/new").await;
    let (csrf, key) = (form.hidden("_csrf"), form.hidden("idempotency_key"));
    app.clock.advance(chrono::Duration::hours(10));
    let fields = vec![
        ("_csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("household_id", household.as_str()),
        ("visited_on", "2026-11-27"),
        ("seen", "老人身体尚好"),
    ];
    let sent = b.post_form("/liaison/visits", &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = b.get(sent.location()).await;
    assert_eq!(page.text_of("visited-on"), "2026-11-27");
    let liaison = app.login("liaison").await;
    let h = app.get(&liaison, &format!("/api/v1/households/{household}")).await.body;
    assert_eq!(h["last_visit_on"], "2026-11-27");
    assert_eq!(h["next_visit_due"], "2026-12-27", "30 days from the visit's day, not from the day it was sent");

    // A walk in the community: a place instead of a household, no case, no request.
    let walk_key = uuid::Uuid::new_v4().to_string();
    let walk = vec![
        ("_csrf", csrf.as_str()),
        ("idempotency_key", walk_key.as_str()),
        ("household_id", ""),
        ("place", "十字坡社区东门早市"),
        ("visited_on", ""),
        ("seen", "早市占道，堵塞消防通道"),
    ];
    let sent = b.post_form("/liaison/visits", &walk).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = b.get(sent.location()).await;
    assert_eq!(page.text_of("visited-on"), "2026-11-28", "no day given: today");
    assert!(page.body.contains("十字坡社区东门早市") && !page.body.contains("case-number"));
    assert_eq!(written(&app).await, (2, 0, 0));
}

#[tokio::test]
async fn a_form_with_bad_input_is_shown_again_with_messages_and_writes_nothing() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    let dispatcher = app.login("dispatcher").await;
    let theirs = register(&app, &dispatcher, Some(HUJIAYUAN), "王秀英").await;
    let mine = register(&app, &liaison, None, "李桂兰").await;
    let mut b = Browser::signed_in(&app, "liaison").await;
    let form = b.get("/liaison/visits/new").await;
    let (csrf, key) = (form.hidden("_csrf"), form.hidden("idempotency_key"));

    // No household, no place, nothing seen; a case ticked without its text; a request without
    // its kind; a day ahead of today.
    let bad = vec![
        ("_csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("household_id", ""),
        ("place", "  "),
        ("visited_on", "2026-11-30"),
        ("seen", "   "),
        ("asked", "想申请助行器"),
        ("raise_case", "1"),
        ("case_kind", "help"),
        ("case_text", ""),
        ("raise_assistance", "1"),
        ("assistance_kind", ""),
        ("assistance_description", "行走不便"),
    ];
    let page = b.post_form("/liaison/visits", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    for (id, says) in [
        ("household_id-error", "请选择住户，或填写走访地点"),
        ("visited_on-error", "不能晚于今天"),
        ("seen-error", "看到的情况"),
        ("case_text-error", "问题描述"),
        ("assistance_kind-error", "请选择救助类别"),
    ] {
        assert!(page.text_of(id).contains(says), "{id}: {}", page.text_of(id));
    }
    assert!(page.body.contains("想申请助行器") && page.body.contains("行走不便"), "the input is kept");
    assert_eq!(page.hidden("idempotency_key"), key, "the same form");
    assert_eq!(written(&app).await, (0, 0, 0));

    // A household of another community, forced into the form: refused, nothing written.
    let forced = vec![
        ("_csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("household_id", theirs.as_str()),
        ("seen", "看到了"),
    ];
    let page = b.post_form("/liaison/visits", &forced).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"household_id-error\""), "{}", page.body);
    assert!(!page.body.contains(&format!("value=\"{theirs}\"")), "not offered");
    assert_eq!(written(&app).await, (0, 0, 0));

    // A form without its key is not a form of this page.
    let keyless = vec![("_csrf", csrf.as_str()), ("household_id", mine.as_str()), ("seen", "看到了")];
    assert_eq!(b.post_form("/liaison/visits", &keyless).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(written(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn the_offline_script_and_service_worker_are_served_and_pages_are_light_and_in_english() {
    let app = spawn_app().await;
    let liaison = app.login("liaison").await;
    for i in 0..30 {
        register(&app, &liaison, None, &format!("李{}", ["桂兰", "秀英", "德福"][i % 3])).await;
    }
    let mut b = Browser::signed_in(&app, "liaison").await;
    let form = b.get("/liaison/visits/new").await;
    assert_eq!(form.status, StatusCode::OK);

    // The worker, at the root so that its scope may cover /liaison, names the current assets.
    let sw = b.get("/sw.js").await;
    assert_eq!(sw.status, StatusCode::OK);
    assert_eq!(sw.header(CONTENT_TYPE), "text/javascript; charset=utf-8");
    assert_eq!(sw.header(CACHE_CONTROL), "no-cache");
    assert!(sw.body.contains("chuishao-liaison-") && sw.body.contains("/liaison/offline"));
    let src = |page: &Page, attr: &str, ext: &str| -> Vec<String> {
        page.body
            .split(&format!("{attr}=\"/assets/"))
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .filter(|s| s.ends_with(ext))
            .map(|s| format!("/assets/{s}"))
            .collect()
    };
    let scripts = src(&form, "src", ".js");
    let styles = src(&form, "href", ".css");
    assert_eq!(scripts.len(), 2, "app.js and offline.js: {scripts:?}");
    let mut weight = form.body.len();
    for asset in scripts.iter().chain(styles.iter()) {
        assert!(sw.body.contains(asset.as_str()), "the worker keeps {asset}");
        let a = b.get(asset).await;
        assert_eq!(a.status, StatusCode::OK, "{asset}");
        let kind = if asset.ends_with(".js") { "text/javascript; charset=utf-8" } else { "text/css; charset=utf-8" };
        assert_eq!(a.header(CONTENT_TYPE), kind);
        weight += a.body.len();
    }
    let offline_js = scripts.iter().find(|s| s.contains("/offline.")).expect("offline.js");
    let js = b.get(offline_js).await.body;
    assert!(js.contains("register('/sw.js', { scope: '/liaison' })") && js.contains("idempotency_key"));
    assert!(weight < 200 * 1024, "the form with its assets weighs {weight} bytes");
    // The form carries what the outbox needs: the key, the token, its words.
    assert!(form.body.contains("data-outbox=\"visit\"") && form.body.contains("已保存，联网后自动发送"));

    // The offline page holds no personal data.
    let offline = b.get("/liaison/offline").await;
    assert_eq!(offline.status, StatusCode::OK);
    assert!(!offline.body.contains("李") && !offline.body.contains("十字坡社区*"));

    // English with the language switch.
    b.cookies.insert("lang".into(), "en".into());
    let home = b.get("/liaison").await;
    assert!(home.body.contains("Due visits (within 7 days)") && home.body.contains("Due today"), "{}", home.body);
    assert!(home.body.contains("Living alone") || home.body.contains("living alone"), "care flags in English");
    let form = b.get("/liaison/visits/new").await;
    assert!(form.body.contains("Log a visit") && form.body.contains("Saved on this phone"));
    let results = b.get("/liaison/results").await;
    assert!(results.body.contains("Households in care"));
}
