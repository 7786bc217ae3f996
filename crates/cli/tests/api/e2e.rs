//! End-to-end walks in a real browser (headless Chromium, see `browser.rs`): the pages as people
//! use them — typing, clicking the map, following links — with the page's own script running.
//! Each page visited is checked to ask nothing of other sites and kept as a screenshot in
//! `target/e2e-screenshots/<page>.<lang>.png`.
//!
//! The whole life of one request (issue 8 §8): a resident files it and tracks it; the dispatcher
//! opens it from the workbench and dispatches it on the case page; the unit accepts, contacts and
//! resolves it; the street leader blows a whistle; the department signs and reports in from its
//! inbox and finishes; the street verifies; the resident rates it on `/track`; the dispatcher
//! closes it. Beside it: a liaison logs a visit on a phone, and the leader's dashboard and the
//! administration pages are seen in both languages.

use crate::browser::{xpath_literal, Browser, PHONE};
use crate::helpers::*;
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

/// Fills the request form (Chinese labels) as a resident does, choosing the community by `place`.
async fn fill_request(b: &Browser, community: &str) {
    b.choose_by_label("诉求类型", "投诉").await;
    b.fill_by_label("诉求内容", "十字坡社区门口早市占道经营，堵塞道路").await;
    b.choose_by_label("所在社区", community).await;
    b.fill_by_label("详细地址", "东直门南大街5号院3号楼301").await;
    b.fill_by_label("联系电话", PHONE_NUMBER).await;
    b.fill_by_label("您的称呼", "张三").await;
}

/// Does `action` on the case page as an official does: opens its section, fills its fields by
/// their labels (a list is chosen by the words of an option), sends it, and sees it done.
async fn case_action(b: &Browser, action: &str, fields: &[(&str, &str)]) {
    let a = xpath_literal(action);
    let sections =
        b.d().find_all(By::XPath(format!("//details[summary[normalize-space(.)={a}]]"))).await.expect("find");
    match sections.first() {
        Some(section) => {
            if section.attr("open").await.expect("open?").is_none() {
                section.find(By::Tag("summary")).await.expect("summary").click().await.expect("open the form");
            }
            for (label, value) in fields {
                let l = xpath_literal(label);
                let for_id = section
                    .find(By::XPath(format!(".//label[normalize-space(text()[1])={l}]")))
                    .await
                    .unwrap_or_else(|e| panic!("{label} in the {action} form: {e}"))
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
            assert!(fields.is_empty(), "{action} is a form of one button");
            b.submit_form(action).await;
        }
    }
    let shown = b.page_text().await;
    assert!(shown.contains(&format!("已完成：{action}")), "{action} was done:\n{shown}");
}

/// The case page's status badge.
async fn case_status(b: &Browser) -> String {
    b.text_of("#case-status").await
}

/// The reporter appears only masked on the page shown.
async fn assert_masked(b: &Browser) {
    let (text, source) = (b.page_text().await, b.source().await);
    assert!(text.contains(MASKED_PHONE), "the masked phone is shown on {}:\n{text}", b.path().await);
    assert!(!source.contains(PHONE_NUMBER) && !source.contains("张三"), "no full phone or name on {}", b.path().await);
}

/// Looks the request up on `/track` by its number and code (no sign-in: a resident).
async fn track(b: &Browser, number: &str, code: &str) -> String {
    b.goto("/track").await;
    b.fill_by_label("诉求编号", number).await;
    b.fill_by_label("查询码", code).await;
    b.submit_form("查询").await;
    b.page_text().await
}

#[tokio::test]
async fn a_request_lives_its_whole_life_in_the_browser_from_the_resident_through_the_street_and_back() {
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

    // 1. The dispatcher of 东直门街道 signs in, finds it in the workbench and opens it by its number.
    b.login_as("dispatcher").await;
    assert_eq!(b.path().await, "/my", "a dispatcher lands on the workbench");
    let list = b.page_text().await;
    let tab = b.text_of("nav.tabs a[aria-current=page]").await;
    assert!(tab.starts_with("待派单 (") && tab.ends_with(')'), "the queue with its count: {tab}");
    assert!(list.contains("我的工作台") && list.contains(&number), "listed:\n{list}");
    assert!(!b.source().await.contains(PHONE_NUMBER), "lists carry no phone numbers");
    b.checkpoint("my-work").await;
    b.follow_link(&number).await;
    let case_page = b.path().await;
    assert!(case_page.starts_with("/cases/"), "the number opens the case: {case_page}");
    assert_eq!(case_status(&b).await, "已受理");
    assert_masked(&b).await;
    let reason = b.text_of("#suggest-reason").await;
    assert!(reason.starts_with("建议承办：") && reason.contains("置信度"), "a suggestion with its reason: {reason}");
    b.checkpoint("case-received").await;
    case_action(&b, "派单", &[("承办单位", "城市管理办公室"), ("职责清单事项", "C-055")]).await;
    assert_eq!(case_status(&b).await, "已派单");
    assert!(b.text_of("#case-assignee").await.contains("城市管理办公室"));
    b.checkpoint("case-dispatched").await;
    b.follow_link("我的工作台").await;
    assert!(b.page_text().await.contains("待接收"));
    b.checkpoint("workbench").await;
    b.sign_out().await;

    // 2. The city management office accepts it from 待接收, contacts the resident, resolves it.
    b.login_as("unit_staff").await;
    assert_eq!(b.path().await, "/my");
    assert_eq!(
        b.text_of("nav.tabs a[aria-current=page]").await,
        "待接收 (1)",
        "the unit lands in 待接收, its one case"
    );
    let list = b.page_text().await;
    assert!(list.contains(&number), "in the unit's queue:\n{list}");
    b.checkpoint("unit-queue").await;
    b.follow_link(&number).await;
    assert_eq!(b.path().await, case_page);
    assert_masked(&b).await;
    assert!(!b.page_text().await.contains("智能派单建议"), "suggestions are for dispatchers");
    case_action(&b, "签收", &[]).await;
    assert_eq!(case_status(&b).await, "已签收");
    case_action(&b, "联系诉求人", &[("联系方式", "电话"), ("备注", "已电话联系张先生，约定明早到现场")]).await;
    assert_eq!(case_status(&b).await, "已联系诉求人");
    case_action(&b, "办结", &[("办理结果", "已联合执法队清理占道摊位，早市移至划定区域")]).await;
    assert_eq!(case_status(&b).await, "已办结");
    assert!(b.page_text().await.contains("早市移至划定区域"));
    b.checkpoint("case-resolved").await;
    b.sign_out().await;

    // 3. The street leader blows a whistle from the case page, summoning 自来水集团.
    b.login_as("street_leader").await;
    b.goto(&case_page).await;
    let link = b.find(By::Css("a[href^='/whistles/new?case=']")).await;
    assert_eq!(link.text().await.expect("text"), "吹哨");
    b.click_through(link).await;
    assert!(b.path().await.starts_with("/whistles/new?case="));
    let form = b.page_text().await;
    assert!(form.contains(&number) && form.contains("占道经营"), "the whistle names its case:\n{form}");
    let source = b.source().await;
    assert!(!source.contains(PHONE_NUMBER) && !source.contains("张三"), "no personal data on the whistle form");
    b.choose_radio("吹哨类型", "协调").await;
    b.fill_by_label("事由", "早市占道影响自来水管线检修井，需自来水集团到场").await;
    b.fill_by_label("统一任务", "核查检修井并配合清理").await;
    b.tick("北京市自来水集团有限责任公司").await;
    b.checkpoint("whistle-new").await;
    b.submit_form("吹哨").await;
    let whistle_page = b.path().await.split('?').next().unwrap_or_default().to_string();
    let shown = b.page_text().await;
    assert!(whistle_page.starts_with("/whistles/") && shown.contains("已完成：吹哨"), "{whistle_page}:\n{shown}");
    assert!(shown.contains("自来水集团") && shown.contains("签收时限 剩"), "the department and its clock:\n{shown}");
    b.goto("/whistles").await;
    let board = b.page_text().await;
    assert!(
        board.contains("吹哨调度") && board.contains(&number) && board.contains("自来水集团"),
        "on the board:\n{board}"
    );
    assert!(board.contains("签收时限 剩"), "with its countdown:\n{board}");
    b.checkpoint("whistles").await;
    b.sign_out().await;

    // 4. 自来水集团 finds it in its inbox, signs, reports in and finishes.
    b.login_as("department_staff").await;
    assert_eq!(b.path().await, "/inbox", "a department lands on its inbox");
    let inbox = b.page_text().await;
    assert!(inbox.contains("部门收件箱") && inbox.contains("自来水管线检修井"), "{inbox}");
    assert!(inbox.contains("签收时限 剩") && inbox.contains(&number), "{inbox}");
    b.checkpoint("inbox").await;
    let open = b.find(By::XPath("//ul[contains(@class,'inbox')]//a[contains(., '自来水管线检修井')]")).await;
    b.click_through(open).await;
    assert_eq!(b.path().await, whistle_page);
    b.submit_form("签收").await;
    assert!(b.page_text().await.contains("已完成：签收"));
    b.fill_by_label("报到人员（姓名、职务）", "李工（管网维修队队长）").await;
    b.choose_radio("报到方式", "现场报到").await;
    b.submit_form("报到").await;
    assert!(b.page_text().await.contains("已完成：报到"));
    b.fill_by_label("办理结果", "检修井完好，已加装防护盖板").await;
    b.submit_form("完成").await;
    let shown = b.page_text().await;
    assert!(shown.contains("已完成：完成") && shown.contains("李工（管网维修队队长）"), "{shown}");
    assert!(!b.source().await.contains(PHONE_NUMBER), "departments see no phone numbers");
    b.checkpoint("whistle-done").await;
    b.goto("/inbox").await;
    assert!(!b.page_text().await.contains("自来水管线检修井"), "a finished whistle leaves the inbox");
    b.sign_out().await;

    // 5. The street verifies; the resident rates it on /track; the dispatcher closes it.
    b.login_as("street_leader").await;
    b.goto(&case_page).await;
    case_action(&b, "核查通过", &[("备注", "现场已恢复通行")]).await;
    assert_eq!(case_status(&b).await, "已核查");
    b.sign_out().await;

    let shown = track(&b, &number, &code).await;
    for expected in ["结果已核实，等待回访。", "早市移至划定区域", MASKED_PHONE, "街道已“吹哨”"]
    {
        assert!(shown.contains(expected), "{expected} is shown:\n{shown}");
    }
    b.choose_radio("工作人员是否联系过您？", "是").await;
    b.choose_radio("问题是否已解决？", "是").await;
    b.choose_radio("您对办理结果是否满意？", "满意").await;
    b.fill_by_label("还想说的话（可不填）", "处理得很快，谢谢").await;
    b.checkpoint("track-rate").await;
    b.submit_form("提交评价").await;
    let shown = b.page_text().await;
    assert!(shown.contains("感谢您的评价，已记录。") && shown.contains("已回访，即将结案。"), "{shown}");

    b.login_as("dispatcher").await;
    b.goto(&case_page).await;
    assert_eq!(case_status(&b).await, "已回访");
    case_action(&b, "结案", &[]).await;
    assert_eq!(case_status(&b).await, "已结案");
    assert_masked(&b).await;
    b.checkpoint("case-closed").await;
    b.sign_out().await;

    let shown = track(&b, &number, &code).await;
    assert!(shown.contains("已结案。感谢您的参与。") && shown.contains(MASKED_PHONE), "{shown}");
    b.checkpoint("track-closed").await;
    b.close().await;
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
    // The app under test runs on a fixed clock while the browser's is real: the day is the
    // app's today (the page keeps it in `data-today`), as a liaison would correct it.
    b.js("var d = document.getElementById('visited_on'); d.value = d.getAttribute('data-today');", vec![]).await;
    b.assert_no_horizontal_overflow(PHONE.0).await;
    b.checkpoint("visit-form-phone").await;
    b.submit_form("保存走访记录").await;
    assert!(
        b.path().await.starts_with("/liaison/visits/"),
        "the visit page: {}\n{}",
        b.path().await,
        b.page_text().await
    );
    let shown = b.page_text().await;
    assert!(shown.contains("走访已记录") && shown.contains("屋内取暖正常"), "{shown}");
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
