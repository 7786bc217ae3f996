//! End-to-end walks in a real browser (headless Chromium, see `browser.rs`): the pages as people
//! use them — typing, clicking the map, following links — with the page's own script running.
//! Each page visited is checked to ask nothing of other sites and kept as a screenshot in
//! `target/e2e-screenshots/<page>.<lang>.png`.
//!
//! The whole life of one request (issue 8 §8): a resident files it and tracks it; the dispatcher
//! opens it from the workbench and dispatches it on the case page; the unit accepts, contacts and
//! resolves it; the street leader blows a whistle; the department signs and reports in from its
//! inbox and finishes; the street verifies; the resident rates it on `/track`; the dispatcher
//! closes it. The walk runs twice, in Chinese and in English (switched by the header's link):
//! every word it clicks, fills or looks for is taken from the message catalogs by key, and in
//! English the pages' own words (headings, labels, buttons, statuses) must hold no Chinese.
//! Beside it: a liaison logs a visit on a phone, and the leader's dashboard and the
//! administration pages are seen in both languages.

use crate::browser::{w, xpath_literal, Browser, PHONE};
use crate::helpers::*;
use chuishao_web::i18n::{has_key, label, t, Lang};
use serde_json::json;
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

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

/// Fills the request form as a resident does, in the page's language, choosing `community`.
async fn fill_request(b: &Browser, lang: Lang, community: &str) {
    b.choose_by_label(&w(lang, "ui-submit-kind"), &label(lang, "kind", "complaint")).await;
    b.fill_by_label(&w(lang, "ui-submit-text"), "十字坡社区门口早市占道经营，堵塞道路").await;
    b.choose_by_label(&w(lang, "ui-submit-community"), community).await;
    b.fill_by_label(&w(lang, "ui-submit-address"), "东直门南大街5号院3号楼301").await;
    b.fill_by_label(&w(lang, "ui-submit-phone"), PHONE_NUMBER).await;
    b.fill_by_label(&w(lang, "ui-submit-name"), "张三").await;
}

/// The page's notice after an action: `ui-case-done` / `ui-wh-done` naming the action's label.
fn done(lang: Lang, key: &str, action: &str) -> String {
    t(lang, key, &[("action", action.to_string())])
}

/// `label：value` as the pages join a label and its value (`label: value` in English).
fn labelled(lang: Lang, label: &str, value: &str) -> String {
    t(lang, "ui-labelled", &[("label", label.to_string()), ("value", value.to_string())])
}

/// Does `action` (a case action, e.g. `dispatch`) on the case page as an official does: opens its
/// section by the action's name, fills its fields by their labels (catalog keys; a list is
/// chosen by the words of an option), sends it, and sees it done.
async fn case_action(b: &Browser, lang: Lang, action: &str, fields: &[(&str, &str)]) {
    let name = label(lang, "action", action);
    let a = xpath_literal(&name);
    let sections =
        b.d().find_all(By::XPath(format!("//details[summary[normalize-space(.)={a}]]"))).await.expect("find");
    match sections.first() {
        Some(section) => {
            if section.attr("open").await.expect("open?").is_none() {
                section.find(By::Tag("summary")).await.expect("summary").click().await.expect("open the form");
            }
            for (key, value) in fields {
                let label = w(lang, key);
                let l = xpath_literal(&label);
                let for_id = section
                    .find(By::XPath(format!(".//label[normalize-space(text()[1])={l}]")))
                    .await
                    .unwrap_or_else(|e| panic!("{label} in the {name} form: {e}"))
                    .attr("for")
                    .await
                    .expect("for")
                    .expect("a label for a control");
                let field = section.find(By::Id(for_id)).await.expect("the labelled control");
                if field.tag_name().await.expect("tag") == "select" {
                    let select = SelectElement::new(&field).await.expect("a list");
                    select.select_by_partial_text(value).await.unwrap_or_else(|e| panic!("{value} in {label}: {e}"));
                } else {
                    field.clear().await.expect("clear");
                    field.send_keys(*value).await.unwrap_or_else(|e| panic!("type into {label}: {e}"));
                }
            }
            let button = section.find(By::XPath(format!(".//button[normalize-space(.)={a}]"))).await.expect("send");
            b.click_through(button).await;
        }
        None => {
            assert!(fields.is_empty(), "{name} is a form of one button");
            b.submit_form(&name).await;
        }
    }
    let shown = b.page_text().await;
    assert!(shown.contains(&done(lang, "ui-case-done", &name)), "{name} was done:\n{shown}");
}

/// The case page's status badge is the label of `status` in the page's language.
async fn assert_case_status(b: &Browser, lang: Lang, status: &str) {
    assert_eq!(b.text_of("#case-status").await, label(lang, "status", status));
}

/// In English, the case page's own words are English: its heading, status, facts, the actions
/// offered with their forms, the deadlines and the timeline's events.
async fn assert_case_page_in_english(b: &Browser) {
    for css in [
        "main h1",
        "main h2",
        "#case-status",
        "dl.facts dt",
        "details.action summary",
        "details.action label",
        "section[aria-labelledby=actions-heading] button",
        "ol.timeline strong",
    ] {
        b.assert_no_chinese_in(css).await;
    }
    b.assert_no_chinese_in_any("section[aria-labelledby=deadline-heading] li").await;
}

/// The header, in English: the navigation and (signed in) the sign-out button.
async fn assert_header_in_english(b: &Browser) {
    b.assert_no_chinese_in("nav.nav a, header button").await;
}

/// The reporter appears only masked on the page shown.
async fn assert_masked(b: &Browser) {
    let (text, source) = (b.page_text().await, b.source().await);
    assert!(text.contains(MASKED_PHONE), "the masked phone is shown on {}:\n{text}", b.path().await);
    assert!(!source.contains(PHONE_NUMBER) && !source.contains("张三"), "no full phone or name on {}", b.path().await);
}

/// Looks the request up on `/track` by its number and code (no sign-in: a resident).
async fn track(b: &Browser, lang: Lang, number: &str, code: &str) -> String {
    b.goto("/track").await;
    track_here(b, lang, number, code).await
}

/// Fills the `/track` form shown by the number and code and sends it.
async fn track_here(b: &Browser, lang: Lang, number: &str, code: &str) -> String {
    b.fill_by_label(&w(lang, "ui-track-number"), number).await;
    b.fill_by_label(&w(lang, "ui-track-code"), code).await;
    b.submit_form(&w(lang, "ui-track-submit")).await;
    b.page_text().await
}

/// Whether `text` reads as the catalog message `key` in `lang` with some value for each of the
/// message's arguments `args`, each value passing `value_ok`: the message's own words, in order.
fn reads_as(text: &str, lang: Lang, key: &str, args: &[&str], value_ok: fn(&str) -> bool) -> bool {
    const HOLE: &str = "\u{1}";
    assert!(has_key(lang, key), "{key} is in the {lang:?} catalog");
    let message = t(lang, key, &args.iter().map(|a| (*a, HOLE.to_string())).collect::<Vec<_>>());
    let pieces: Vec<&str> = message.split(HOLE).collect();
    assert_eq!(pieces.len(), args.len() + 1, "{key} has the arguments {args:?}: {message}");
    fn fits(text: &str, pieces: &[&str], value_ok: fn(&str) -> bool) -> bool {
        let Some(rest) = text.strip_prefix(pieces[0]) else { return false };
        if pieces.len() == 1 {
            return rest.is_empty();
        }
        rest.char_indices()
            .map(|(i, _)| i)
            .chain([rest.len()])
            .skip(1)
            .any(|i| value_ok(&rest[..i]) && fits(&rest[i..], &pieces[1..], value_ok))
    }
    fits(text, &pieces, value_ok)
}

/// A whistle's countdown as the pages show it: the first deadline (签收时限, sign deadline) and
/// the time left to it in the catalog's words.
async fn assert_sign_countdown(b: &Browser, lang: Lang) {
    let shown = b.text_of(".countdown").await;
    let clock = label(lang, "clock", "sign");
    let left = shown.strip_prefix(&format!("{clock} ")).unwrap_or_else(|| panic!("{clock} counts down: {shown}"));
    let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let reads = |key: &str, args: &[&str]| reads_as(left, lang, key, args, number);
    assert!(
        reads("ui-wh-left-m", &["m"]) || reads("ui-wh-left-hm", &["h", "m"]) || reads("ui-wh-left-dh", &["d", "h"]),
        "the time left to sign, in words: {shown}"
    );
}

/// The whole life of one request, in the browser, in `lang`: every word clicked, filled or
/// looked for is the catalog's; the data (names of units, departments and communities, what
/// people write) is the same in both languages.
async fn a_request_lives_its_whole_life(lang: Lang) {
    let app = spawn_app_with(40).await;
    let Some(b) = Browser::open(&app).await else { return };
    let w = |key: &str| w(lang, key);

    b.goto("/").await;
    assert_eq!(b.lang().await, "zh-CN", "a new browser is in Chinese");
    if lang == Lang::En {
        // The switch in the header, as shown on the Chinese page; it comes back to the same page.
        b.follow_link(&crate::browser::w(Lang::Zh, "ui-lang-en")).await;
        assert_eq!((b.lang().await, b.path().await), ("en".to_string(), "/".to_string()));
    }
    assert!(b.page_text().await.contains(&w("ui-home-title")));
    b.assert_no_chinese_in("main h1, main h2").await;
    assert_header_in_english(&b).await;
    b.checkpoint("home").await;
    b.follow_link(&w("ui-home-submit")).await;
    assert_eq!(b.path().await, "/submit");
    b.assert_no_chinese_in("main label, main h1, button").await;
    b.checkpoint("submit").await;

    // The list: choosing 十字坡社区 there marks it on the map.
    let community = community_label(&b, SHIZIPO).await;
    fill_request(&b, lang, &community).await;
    assert_eq!(b.value_by_label(&w("ui-submit-community")).await, SHIZIPO);
    let marked =
        b.js("var p = document.querySelector('svg.map path.picked'); return p && p.getAttribute('data-code')", vec![]);
    assert_eq!(marked.await, json!(SHIZIPO), "the map shows the community chosen in the list");
    assert!(b.text_of("#map-picked").await.contains(&community), "and the page says it");
    assert_eq!((hidden_value(&b, "lat").await, hidden_value(&b, "lon").await), (String::new(), String::new()));
    // The map: a click in 十字坡社区 keeps the point, and the list follows the click.
    b.choose_by_label(&w("ui-submit-community"), &w("ui-submit-community-none")).await;
    click_map(&b, SHIZIPO).await;
    assert_eq!(b.value_by_label(&w("ui-submit-community")).await, SHIZIPO, "the click picked the community under it");
    assert!(!hidden_value(&b, "lat").await.is_empty() && !hidden_value(&b, "lon").await.is_empty());
    assert!(b.text_of("#map-picked").await.contains(&community));
    b.checkpoint("submit-filled").await;

    b.submit_form(&w("ui-submit-send")).await;
    let number = b.text_of("#case-number").await;
    let code = b.text_of("#access-code").await;
    assert!(number.starts_with("110101-"), "a tracking number: {number}");
    assert_eq!(code.len(), 11, "an access code: {code}");
    b.assert_no_chinese_in("main h1, main dt").await;
    b.checkpoint("submitted").await;

    // Tracking, by the number and the code.
    b.follow_link(&w("ui-submitted-track")).await;
    assert_eq!(b.path().await, "/track");
    b.checkpoint("track").await;
    let shown = track_here(&b, lang, &number, &code).await;
    for expected in [number.as_str(), &w("ui-track-status-received"), MASKED_PHONE, "张*", community.as_str()] {
        assert!(shown.contains(expected), "{expected} is shown:\n{shown}");
    }
    let source = b.source().await;
    assert!(!source.contains(PHONE_NUMBER) && !source.contains("张三") && !source.contains("3号楼301"));
    b.assert_no_chinese_in("main h1, main h2, main dt").await;
    b.checkpoint("track-result").await;

    // 1. The dispatcher of 东直门街道 signs in, finds it in the workbench and opens it by its number.
    b.login_as("dispatcher").await;
    assert_eq!(b.path().await, "/my", "a dispatcher lands on the workbench");
    assert_eq!(b.lang().await, lang.tag(), "the language stays after signing in");
    let list = b.page_text().await;
    let tab = b.text_of("nav.tabs a[aria-current=page]").await;
    let queue = w("ui-wb-tab-dispatch");
    assert!(tab.starts_with(&format!("{queue} (")) && tab.ends_with(')'), "the queue with its count: {tab}");
    assert!(list.contains(&w("ui-wb-title")) && list.contains(&number), "listed:\n{list}");
    assert!(!b.source().await.contains(PHONE_NUMBER), "lists carry no phone numbers");
    assert_header_in_english(&b).await;
    b.assert_no_chinese_in("main h1, nav.tabs a, main th").await;
    b.checkpoint("my-work").await;
    b.follow_link(&number).await;
    let case_page = b.path().await;
    assert!(case_page.starts_with("/cases/"), "the number opens the case: {case_page}");
    assert_case_status(&b, lang, "received").await;
    assert_masked(&b).await;
    let reason = b.text_of("#suggest-reason").await;
    let because = reason.strip_prefix(&w("ui-case-suggested-owner")).map(str::trim);
    assert!(
        because.is_some_and(|r| reads_as(
            r,
            lang,
            "route-reason-unit",
            &["street", "owner", "code", "item", "confidence"],
            |v| !v.is_empty()
        )),
        "a suggestion with its reason: {reason}"
    );
    assert_case_page_in_english(&b).await;
    b.checkpoint("case-received").await;
    case_action(&b, lang, "dispatch", &[("ui-case-target", "城市管理办公室"), ("ui-case-item", "C-055")]).await;
    assert_case_status(&b, lang, "dispatched").await;
    assert!(b.text_of("#case-assignee").await.contains("城市管理办公室"));
    assert_case_page_in_english(&b).await;
    b.checkpoint("case-dispatched").await;
    b.follow_link(&w("ui-wb-title")).await;
    assert!(b.page_text().await.contains(&w("ui-wb-tab-accept")));
    b.checkpoint("workbench").await;
    b.sign_out().await;

    // 2. The city management office accepts it from 待接收, contacts the resident, resolves it.
    b.login_as("unit_staff").await;
    assert_eq!(b.path().await, "/my");
    assert_eq!(
        b.text_of("nav.tabs a[aria-current=page]").await,
        format!("{} (1)", w("ui-wb-tab-accept")),
        "the unit lands in 待接收, its one case"
    );
    let list = b.page_text().await;
    assert!(list.contains(&number), "in the unit's queue:\n{list}");
    b.checkpoint("unit-queue").await;
    b.follow_link(&number).await;
    assert_eq!(b.path().await, case_page);
    assert_masked(&b).await;
    assert!(!b.page_text().await.contains(&w("ui-case-suggestions")), "suggestions are for dispatchers");
    assert_case_page_in_english(&b).await;
    case_action(&b, lang, "accept", &[]).await;
    assert_case_status(&b, lang, "accepted").await;
    let phone = w("ui-case-method-phone");
    case_action(
        &b,
        lang,
        "contact",
        &[("ui-case-method", &phone), ("ui-case-note", "已电话联系张先生，约定明早到现场")],
    )
    .await;
    assert_case_status(&b, lang, "contacted").await;
    case_action(&b, lang, "resolve", &[("ui-case-result", "已联合执法队清理占道摊位，早市移至划定区域")]).await;
    assert_case_status(&b, lang, "resolved").await;
    assert!(b.page_text().await.contains("早市移至划定区域"));
    assert_case_page_in_english(&b).await;
    b.checkpoint("case-resolved").await;
    b.sign_out().await;

    // 3. The street leader blows a whistle from the case page, summoning 自来水集团.
    b.login_as("street_leader").await;
    b.goto(&case_page).await;
    let link = b.find(By::Css("a[href^='/whistles/new?case=']")).await;
    assert_eq!(link.text().await.expect("text"), w("ui-case-whistle"));
    b.click_through(link).await;
    assert!(b.path().await.starts_with("/whistles/new?case="));
    let form = b.page_text().await;
    assert!(form.contains(&number) && form.contains("占道经营"), "the whistle names its case:\n{form}");
    let source = b.source().await;
    assert!(!source.contains(PHONE_NUMBER) && !source.contains("张三"), "no personal data on the whistle form");
    b.assert_no_chinese_in("main h1, main h2, main legend, main dt, label[for=reason], label[for=task], main button")
        .await;
    b.choose_radio(&w("ui-wh-new-kind"), &w("ui-wh-kind-coordination")).await;
    b.fill_by_label(&w("ui-wh-reason"), "早市占道影响自来水管线检修井，需自来水集团到场").await;
    b.fill_by_label(&w("ui-wh-new-task"), "核查检修井并配合清理").await;
    b.tick("北京市自来水集团有限责任公司").await;
    b.checkpoint("whistle-new").await;
    b.submit_form(&w("ui-wh-new-submit")).await;
    let whistle_page = b.path().await.split('?').next().unwrap_or_default().to_string();
    let shown = b.page_text().await;
    let blown = done(lang, "ui-wh-done", &label(lang, "whistle_action", "blow"));
    assert!(whistle_page.starts_with("/whistles/") && shown.contains(&blown), "{whistle_page}:\n{shown}");
    assert!(shown.contains("自来水集团"), "the department:\n{shown}");
    assert_sign_countdown(&b, lang).await;
    b.assert_no_chinese_in("main h1, main h2, main dt, .countdown, #wh-notice").await;
    b.goto("/whistles").await;
    let board = b.page_text().await;
    assert!(
        board.contains(&w("ui-wh-board-title")) && board.contains(&number) && board.contains("自来水集团"),
        "on the board:\n{board}"
    );
    assert_sign_countdown(&b, lang).await;
    b.assert_no_chinese_in("main h1, main th, .countdown").await;
    b.checkpoint("whistles").await;
    b.sign_out().await;

    // 4. 自来水集团 finds it in its inbox, signs, reports in and finishes.
    b.login_as("department_staff").await;
    assert_eq!(b.path().await, "/inbox", "a department lands on its inbox");
    let inbox = b.page_text().await;
    assert!(inbox.contains(&w("ui-wh-inbox-title")) && inbox.contains("自来水管线检修井"), "{inbox}");
    assert!(inbox.contains(&number), "{inbox}");
    assert_sign_countdown(&b, lang).await;
    assert_header_in_english(&b).await;
    b.assert_no_chinese_in("main h1, .countdown").await;
    b.checkpoint("inbox").await;
    let open = b.find(By::XPath("//ul[contains(@class,'inbox')]//a[contains(., '自来水管线检修井')]")).await;
    b.click_through(open).await;
    assert_eq!(b.path().await, whistle_page);
    b.assert_no_chinese_in("main h1, main h2, main dt, main button, main label").await;
    let sign = label(lang, "whistle_action", "sign");
    b.submit_form(&sign).await;
    assert!(b.page_text().await.contains(&done(lang, "ui-wh-done", &sign)));
    b.fill_by_label(&w("ui-wh-f-who"), "李工（管网维修队队长）").await;
    b.choose_radio(&w("ui-wh-f-mode"), &label(lang, "report_mode", "on_site")).await;
    let report_in = label(lang, "whistle_action", "report-in");
    b.submit_form(&report_in).await;
    assert!(b.page_text().await.contains(&done(lang, "ui-wh-done", &report_in)));
    b.fill_by_label(&w("ui-wh-f-result"), "检修井完好，已加装防护盖板").await;
    let finish = label(lang, "whistle_action", "finish");
    b.submit_form(&finish).await;
    let shown = b.page_text().await;
    assert!(shown.contains(&done(lang, "ui-wh-done", &finish)), "{shown}");
    // The history says who reported in and how, punctuated in the page's language.
    let aside = [("text", "李工（管网维修队队长）".to_string()), ("note", label(lang, "report_mode", "on_site"))];
    let reported = labelled(lang, &label(lang, "whistle_event", "reported_in"), &t(lang, "ui-aside", &aside));
    assert!(shown.contains(&reported), "{reported} in the history:\n{shown}");
    assert!(!b.source().await.contains(PHONE_NUMBER), "departments see no phone numbers");
    b.assert_no_chinese_in("main h1, main h2, main dt, #wh-notice, main th").await;
    b.checkpoint("whistle-done").await;
    b.goto("/inbox").await;
    assert!(!b.page_text().await.contains("自来水管线检修井"), "a finished whistle leaves the inbox");
    b.sign_out().await;

    // 5. The street verifies; the resident rates it on /track; the dispatcher closes it.
    b.login_as("street_leader").await;
    b.goto(&case_page).await;
    case_action(&b, lang, "verify", &[("ui-case-note", "现场已恢复通行")]).await;
    assert_case_status(&b, lang, "verified").await;
    assert_case_page_in_english(&b).await;
    b.sign_out().await;

    let shown = track(&b, lang, &number, &code).await;
    for expected in [&w("ui-track-status-verified"), "早市移至划定区域", MASKED_PHONE, &w("ui-track-ev-whistle")]
    {
        assert!(shown.contains(expected), "{expected} is shown:\n{shown}");
    }
    b.assert_no_chinese_in("main h1, main h2, main dt, main legend, main label, main button").await;
    let yes = w("ui-track-rate-yes");
    b.choose_radio(&w("ui-track-rate-contacted"), &yes).await;
    b.choose_radio(&w("ui-track-rate-solved"), &yes).await;
    b.choose_radio(&w("ui-track-rate-satisfaction"), &label(lang, "satisfaction", "satisfied")).await;
    b.fill_by_label(&w("ui-track-rate-note"), "处理得很快，谢谢").await;
    b.checkpoint("track-rate").await;
    b.submit_form(&w("ui-track-rate-submit")).await;
    let shown = b.page_text().await;
    assert!(
        shown.contains(&w("ui-track-rate-thanks")) && shown.contains(&w("ui-track-status-callback_recorded")),
        "{shown}"
    );

    b.login_as("dispatcher").await;
    b.goto(&case_page).await;
    assert_case_status(&b, lang, "callback_recorded").await;
    let callback = [
        labelled(lang, &w("ui-case-contacted"), &w("ui-case-yes")),
        labelled(lang, &w("ui-case-solved"), &w("ui-case-yes")),
        label(lang, "satisfaction", "satisfied"),
    ]
    .join(" · ");
    let shown = b.page_text().await;
    assert!(shown.contains(&callback), "the resident's answers: {callback}\n{shown}");
    case_action(&b, lang, "close", &[]).await;
    assert_case_status(&b, lang, "closed").await;
    assert_masked(&b).await;
    assert_case_page_in_english(&b).await;
    b.checkpoint("case-closed").await;
    b.sign_out().await;

    let shown = track(&b, lang, &number, &code).await;
    assert!(shown.contains(&w("ui-track-status-closed")) && shown.contains(MASKED_PHONE), "{shown}");
    b.assert_no_chinese_in("main h1, main h2, main dt, ol.timeline strong").await;
    b.checkpoint("track-closed").await;
    b.close().await;
}

#[tokio::test]
async fn a_request_lives_its_whole_life_in_the_browser_from_the_resident_through_the_street_and_back() {
    a_request_lives_its_whole_life(Lang::Zh).await;
}

#[tokio::test]
async fn a_request_lives_its_whole_life_in_the_browser_in_english() {
    a_request_lives_its_whole_life(Lang::En).await;
}

#[tokio::test]
async fn a_liaison_logs_a_visit_to_a_due_household_on_a_phone() {
    let app = spawn_app().await;
    // A household the liaison registered earlier (through the API): living alone, due at once.
    let token = app.login("liaison").await;
    let body = json!({"address": "十字坡社区3号楼2单元501", "contact_name": "李桂兰", "phone": PHONE_NUMBER,
                      "care_flags": ["living_alone", "elderly"]});
    let r = app.post(&token, "/api/v1/households", body).await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED, "register: {}", r.body);
    let Some(b) = Browser::open(&app).await else { return };
    b.resize(PHONE).await;

    b.login_as("liaison").await;
    assert_eq!(b.path().await, "/liaison", "a liaison lands on the phone home");
    assert!(b.text_of("h1").await.contains("社区专员工作台"));
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("liaison-phone").await;
    let household = b.text_of("ul.hh-list li .hh-name").await;
    assert!(household.starts_with('李') && household != "李桂兰", "named masked: {household}");
    assert!(!b.source().await.contains(PHONE_NUMBER) && !b.source().await.contains("李桂兰"));
    let visit = b.find(By::XPath("//ul[contains(@class,'hh-list')]//a[normalize-space(.)='记录走访']")).await;
    b.click_through(visit).await;
    assert!(b.path().await.starts_with("/liaison/visits/new?household="));
    assert!(!b.value_by_label("住户").await.is_empty(), "the household is chosen");
    let chosen =
        b.js("var s = document.getElementById('household_id'); return s.options[s.selectedIndex].text", vec![]);
    assert!(chosen.await.as_str().unwrap_or("").contains(&household), "{household} is the one visited");
    b.fill_by_label("看到的情况", "老人身体状况良好，屋内取暖正常").await;
    b.fill_by_label("住户的诉求", "希望楼道加装扶手").await;
    b.fill_by_label("后续跟进", "下周联系物业").await;
    // The app under test runs on a fixed clock, behind the browser's real one — a phone whose
    // clock runs ahead: the day offered is still the server's today, never the phone's.
    let day = "var d = document.getElementById('visited_on'); return [d.value, d.max, d.getAttribute('data-today')]";
    assert_eq!(b.js(day, vec![]).await, json!(["2026-11-27", "2026-11-27", "2026-11-27"]));
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("visit-form-phone").await;

    // A form page made yesterday evening (as the phone's kept copy is) and opened the next
    // morning: the phone, having seen this morning's server clock, offers the new day.
    app.clock.set(at("2026-11-28T08:00:00+08:00"));
    b.login_as("liaison").await;
    app.clock.set(at("2026-11-27T20:00:00+08:00"));
    b.goto(&format!("/liaison/visits/new?household={}", r.body["id"].as_str().expect("household id"))).await;
    assert_eq!(b.js(day, vec![]).await, json!(["2026-11-28", "2026-11-28", "2026-11-27"]));
    app.clock.set(at("2026-11-28T08:05:00+08:00"));
    b.fill_by_label("看到的情况", "老人身体状况良好，屋内取暖正常").await;
    b.fill_by_label("住户的诉求", "希望楼道加装扶手").await;
    b.fill_by_label("后续跟进", "下周联系物业").await;
    b.submit_form("保存走访记录").await;
    assert!(
        b.path().await.starts_with("/liaison/visits/"),
        "the visit page: {}\n{}",
        b.path().await,
        b.page_text().await
    );
    let shown = b.page_text().await;
    assert!(shown.contains("走访已记录") && shown.contains("屋内取暖正常"), "{shown}");
    assert_eq!(b.text_of("#visited-on").await, "2026-11-28", "dated by the day it was filled");
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("visit-recorded-phone").await;
    b.close().await;
}

#[tokio::test]
async fn the_leader_sees_the_dashboard_in_both_languages_and_the_admin_the_administration() {
    let app = spawn_app_with(40).await;
    let Some(b) = Browser::open(&app).await else { return };

    b.login_as("street_leader").await;
    b.goto("/dashboard").await;
    assert!(b.text_of("h1").await.starts_with("数据看板"));
    let svgs = b.js("return document.querySelectorAll('main svg, svg').length", vec![]).await;
    assert!(svgs.as_u64().unwrap_or(0) > 0, "the charts are drawn inline");
    b.checkpoint("dashboard").await;
    b.follow_link("English").await;
    assert_eq!((b.lang().await, b.path().await), ("en".to_string(), "/dashboard".to_string()));
    assert!(b.text_of("h1").await.starts_with("Dashboard"));
    b.checkpoint("dashboard").await;
    b.follow_link("中文").await;
    b.sign_out().await;

    b.login_as("system_admin").await;
    assert_eq!(b.path().await, "/admin", "the admin lands on administration");
    assert_eq!(b.text_of("h1").await, "系统管理");
    assert!(b.page_text().await.contains("组织机构"));
    b.checkpoint("admin").await;
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
    fill_request(&b, Lang::Zh, &community).await;
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.submit_form(&w(Lang::Zh, "ui-submit-send")).await;
    let (number, code) = (b.text_of("#case-number").await, b.text_of("#access-code").await);
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("submitted-phone").await;

    assert!(track(&b, Lang::Zh, &number, &code).await.contains(MASKED_PHONE));
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("track-result-phone").await;

    // Longer English words must wrap too.
    b.follow_link("English").await;
    b.goto("/submit").await;
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("submit-phone").await;
    b.close().await;
}
