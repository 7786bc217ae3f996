//! The workbench pages through HTTP, as officials use them without JavaScript: the queues, the
//! case page with its action forms, and bulk dispatch — checked against the API.

use crate::helpers::*;
use crate::pages::{Browser, Page};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Where the duty list sends 占道经营 (C-055) in 东直门街道: what smart dispatch proposes.
const ENFORCEMENT: &str = "110101009-enforcement";

/// The case page's action forms.
trait CasePage {
    /// Whether the page has the form of `action` on case `id`.
    fn offers(&self, id: &str, action: &str) -> bool;
}

impl CasePage for Page {
    fn offers(&self, id: &str, action: &str) -> bool {
        self.body.contains(&format!("action=\"/cases/{id}/actions/{action}\""))
    }
}

trait CaseForms {
    /// Sends the action form of the case page as it is now (its token and version).
    async fn act(&mut self, id: &str, action: &str, fields: &[(&str, &str)]) -> Page;
}

impl CaseForms for Browser {
    async fn act(&mut self, id: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(&format!("/cases/{id}")).await;
        assert!(page.offers(id, action), "{action} is offered");
        let (csrf, version) = (page.hidden("_csrf"), page.hidden("version"));
        let mut all = vec![("_csrf", csrf.as_str()), ("version", version.as_str())];
        all.extend_from_slice(fields);
        self.post_form(&format!("/cases/{id}/actions/{action}"), &all).await
    }
}

/// A browser signed in as `username`, landed on the workbench (/my).
async fn at_work(app: &TestApp, username: &str) -> Browser {
    let mut b = Browser::new(app);
    let r = b.sign_in(username).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/my"), "{username} lands on /my");
    b
}

fn id_of(case: &Value) -> String {
    case["id"].as_str().expect("id").to_string()
}

async fn status_of(app: &TestApp, token: &str, case: &Value) -> (String, u64) {
    let r = app.case(token, case).await;
    (r.body["status"].as_str().unwrap_or("").to_string(), r.body["version"].as_u64().unwrap_or(0))
}

#[tokio::test]
async fn a_dispatcher_dispatches_from_the_workbench_and_the_unit_works_the_case_with_forms() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let case = app.new_case(&dispatcher, json!({})).await;
    let (id, number) = (id_of(&case), case["number"].as_str().unwrap().to_string());

    // The dispatcher lands in 待派单 and finds the new case, waiting since it came in.
    let mut d = at_work(&app, "dispatcher").await;
    let queue = d.get("/my").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.body.contains("aria-current=\"page\">待派单 <span class=\"tab-count\">(1)</span></a>"),
        "{}",
        queue.body
    );
    assert!(queue.body.contains(&format!("href=\"/cases/{id}\">{number}</a>")));
    assert!(queue.body.contains("已等 1 分钟"), "time waiting shown");
    assert!(queue.body.contains(">工作台</a>"), "the nav names the workbench");
    assert!(!queue.body.contains("13812345678") && !queue.body.contains("张三"));

    // The case page: masked facts, the router's suggestion with its reason, the dispatch form
    // prefilled with it, and only what is legal now.
    let page = d.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in ["138****5678", "张*", "东直门南大街*号院*号楼*", "智能派单建议", "置信度", "id=\"suggest-reason\""]
    {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }
    for hidden in ["13812345678", "5号院3号楼301"] {
        assert!(!page.body.contains(hidden), "{hidden} must not be shown");
    }
    assert!(page.body.contains(&format!("value=\"unit:{ENFORCEMENT}\" selected")), "top suggestion preselected");
    let reason = page.body.split("id=\"suggest-reason\">").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(
        reason.contains("东直门街道 · 综合执法队 · 职责清单 C-05") && reason.contains("置信度"),
        "the reason names owner and item: {reason}"
    );
    assert!(page.offers(&id, "dispatch") && page.offers(&id, "reveal-contact") && page.offers(&id, "add-note"));
    for illegal in ["accept", "resolve", "close", "verify", "grant-extension"] {
        assert!(!page.offers(&id, illegal), "{illegal} is not offered to a dispatcher now");
    }
    assert!(page.body.contains(&format!("href=\"/whistles/new?case={id}\"")), "the dispatcher may blow the whistle");

    let r = d
        .act(&id, "dispatch", &[("target", &format!("unit:{CITY_OFFICE}")), ("duty_item", "C-055"), ("note", "请尽快")])
        .await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/cases/{id}?done=dispatch").as_str()));
    let api = app.case(&dispatcher, &case).await.body;
    assert_eq!((api["status"].as_str(), api["assignee"]["id"].as_str()), (Some("dispatched"), Some(CITY_OFFICE)));
    assert_eq!(api["duty_item"]["code"], "C-055");
    let after = d.get(r.location()).await;
    assert!(after.body.contains("已完成：派单") && after.body.contains("城市管理办公室"));
    assert!(after.body.contains("请尽快"), "the note is on the timeline");

    // The unit sees it in 待接收 with the time left to respond, and works it through the forms.
    let mut u = at_work(&app, "unit_staff").await;
    let queue = u.get("/my").await;
    assert!(queue.body.contains("aria-current=\"page\">待接收 <span class=\"tab-count\">(1)</span></a>"));
    assert!(queue.body.contains(&number));
    let row = queue.body.split(&number).nth(1).unwrap().split("</tr>").next().unwrap().to_string();
    assert!(row.contains("剩 "), "time left in the row: {row}");
    let page = u.get(&format!("/cases/{id}")).await;
    assert!(page.offers(&id, "accept") && page.offers(&id, "request-return"));
    assert!(!page.offers(&id, "dispatch") && !page.offers(&id, "resolve"));
    assert!(!page.body.contains("智能派单建议"), "suggestions are for dispatchers");
    assert!(!page.body.contains("/whistles/new"), "units do not blow the whistle");

    assert_eq!(u.act(&id, "accept", &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, &dispatcher, &case).await.0, "accepted");
    let r = u.act(&id, "contact", &[("method", "phone"), ("note", "已电话联系")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Resolving without a result is shown again beside its field, and writes nothing.
    let before = status_of(&app, &dispatcher, &case).await;
    let r = u.act(&id, "resolve", &[("result", "  ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"resolve-result-error\">缺少必填项：办理结果"), "{}", r.body);
    assert_eq!(status_of(&app, &dispatcher, &case).await, before);
    let r = u.act(&id, "resolve", &[("result", "已清理摊贩，恢复通行")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let api = app.case(&dispatcher, &case).await.body;
    assert_eq!((api["status"].as_str(), api["result"].as_str()), (Some("resolved"), Some("已清理摊贩，恢复通行")));

    // The timeline reads in words; the street leader verifies through the page.
    let mut l = at_work(&app, "street_leader").await;
    let page = l.get(&format!("/cases/{id}")).await;
    for shown in ["受理诉求", "派单", "签收", "联系诉求人", "电话 · 已电话联系", "办结"] {
        assert!(page.body.contains(shown), "{shown} on the timeline");
    }
    assert_eq!(l.act(&id, "verify", &[("note", "")]).await.status, StatusCode::SEE_OTHER);
    let r =
        d.act(&id, "record-callback", &[("contacted", "yes"), ("solved", "yes"), ("satisfaction", "satisfied")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(d.act(&id, "close", &[("note", "")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, &dispatcher, &case).await.0, "closed");
}

#[tokio::test]
async fn illegal_stale_and_unguarded_actions_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let case = app.new_case(&dispatcher, json!({})).await;
    let id = id_of(&case);
    let mut d = at_work(&app, "dispatcher").await;
    let page = d.get(&format!("/cases/{id}")).await;
    let (csrf, version) = (page.hidden("_csrf"), page.hidden("version"));
    assert_eq!(version, "1");

    // Forced: not offered, and refused with the domain's words.
    let r =
        d.post_form(&format!("/cases/{id}/actions/close"), &[("_csrf", &csrf), ("version", "1"), ("note", "")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("诉求当前状态为“已受理”，不能执行“结案”"), "{}", r.body);
    let r = d.post_form(&format!("/cases/{id}/actions/accept"), &[("_csrf", &csrf), ("version", "1")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("不能执行“签收”"), "{}", r.body);
    assert_eq!(
        d.post_form(&format!("/cases/{id}/actions/tick"), &[("_csrf", &csrf), ("version", "1")]).await.status,
        StatusCode::NOT_FOUND
    );
    // A dispatch without an owner is shown again with the message; nothing is written.
    let r = d
        .post_form(
            &format!("/cases/{id}/actions/dispatch"),
            &[("_csrf", &csrf), ("version", "1"), ("target", ""), ("duty_item", "C-055")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"dispatch-target-error\">请选择承办单位"), "{}", r.body);
    // Without the token: 403, nothing written.
    let r = d
        .post_form(
            &format!("/cases/{id}/actions/dispatch"),
            &[("version", "1"), ("target", &format!("unit:{CITY_OFFICE}")), ("duty_item", "C-055")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, &dispatcher, &case).await, ("received".to_string(), 1));

    // Someone else changes the case after the page was shown: the stale form does not win.
    app.ok(&dispatcher, &case, "add-note", json!({"text": "来电补充：早上六点开始"})).await;
    let fields = [
        ("_csrf", csrf.as_str()),
        ("version", "1"),
        ("target", &format!("unit:{CITY_OFFICE}")),
        ("duty_item", "C-055"),
    ];
    let r = d.post_form(&format!("/cases/{id}/actions/dispatch"), &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body.contains("已被他人更新") && r.body.contains("来电补充"),
        "the fresh case with the message: {}",
        r.body
    );
    assert!(r.body.contains("name=\"version\" value=\"2\""), "the page is at the new version");
    assert_eq!(status_of(&app, &dispatcher, &case).await, ("received".to_string(), 2));

    // Revealing the contact needs a reason, is recorded, and shows it on that answer only.
    let r = d.act(&id, "reveal-contact", &[("reason", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.body.contains("13812345678"));
    let r = d.act(&id, "reveal-contact", &[("reason", "需电话核实地址")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"revealed-phone\">13812345678<"), "{}", r.body);
    let again = d.get(&format!("/cases/{id}")).await;
    assert!(
        !again.body.contains("13812345678") && again.body.contains("需电话核实地址"),
        "on the timeline, masked again"
    );
    let api = app.case(&dispatcher, &case).await.body;
    assert!(api["timeline"].as_array().unwrap().iter().any(|e| e["type"] == "contact_revealed"));
}

#[tokio::test]
async fn bulk_dispatch_dispatches_each_case_and_reports_the_ones_it_could_not() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let mut cases = vec![];
    for i in 0..3 {
        cases.push(
            app.new_case(&dispatcher, json!({"text": format!("十字坡社区门口早市占道经营，堵塞道路（{i}）")})).await,
        );
    }
    let mut d = at_work(&app, "dispatcher").await;
    let queue = d.get("/my?view=dispatch").await;
    let picks = queue.inputs("case");
    assert_eq!(picks.len(), 3, "each waiting case can be ticked");
    let csrf = queue.hidden("_csrf");
    // Meanwhile another dispatcher sends one of them off by hand.
    app.ok(&dispatcher, &cases[1], "dispatch", json!({"unit": LIVELIHOOD, "duty_item": "C-055"})).await;

    let mut fields = vec![("_csrf", csrf.as_str()), ("mode", "one"), ("duty_item", "C-055")];
    let target = format!("unit:{CITY_OFFICE}");
    fields.push(("target", &target));
    for p in &picks {
        fields.push(("case", p));
    }
    let r = d.post_form("/my/bulk-dispatch", &fields).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("派出 2 件，未派出 1 件"), "{}", r.body);
    assert!(r.body.contains("不在待派单中"), "the reason of the failure: {}", r.body);
    for (i, c) in cases.iter().enumerate() {
        let api = app.case(&dispatcher, c).await.body;
        let expected = if i == 1 { LIVELIHOOD } else { CITY_OFFICE };
        assert_eq!((api["status"].as_str(), api["assignee"]["id"].as_str()), (Some("dispatched"), Some(expected)));
    }

    // Each to its own suggested owner.
    let more = app.new_case(&dispatcher, json!({})).await;
    let queue = d.get("/my?view=dispatch").await;
    let picks = queue.inputs("case");
    assert_eq!(picks.len(), 1);
    let r = d.post_form("/my/bulk-dispatch", &[("_csrf", &csrf), ("mode", "suggested"), ("case", &picks[0])]).await;
    assert!(r.body.contains("派出 1 件，未派出 0 件"), "{}", r.body);
    assert_eq!(app.case(&dispatcher, &more).await.body["assignee"]["id"], ENFORCEMENT);

    // Nothing ticked, or no owner chosen: nothing happens; without the token: 403.
    let r = d.post_form("/my/bulk-dispatch", &[("_csrf", &csrf), ("mode", "one")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let last = app.new_case(&dispatcher, json!({})).await;
    let pick = format!("{}@1", id_of(&last));
    let r = d.post_form("/my/bulk-dispatch", &[("_csrf", &csrf), ("mode", "one"), ("case", &pick)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = d.post_form("/my/bulk-dispatch", &[("mode", "suggested"), ("case", &pick)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, &dispatcher, &last).await.0, "received");
    // Unit staff may not bulk dispatch.
    let mut u = at_work(&app, "unit_staff").await;
    let ucsrf = u.get("/my").await.hidden("_csrf");
    let r = u.post_form("/my/bulk-dispatch", &[("_csrf", &ucsrf), ("mode", "suggested"), ("case", &pick)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, &dispatcher, &last).await.0, "received");
}

#[tokio::test]
async fn scope_filters_english_and_page_weight() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let supervisor = app.login("district_supervisor").await;
    let mine = app.new_case(&dispatcher, json!({})).await;
    let other = app
        .new_case(
            &supervisor,
            json!({"community_code": null, "street_code": "110101001", "text": "东华门附近路灯不亮"}),
        )
        .await;

    let mut d = at_work(&app, "dispatcher").await;
    let r = d.get(&format!("/cases/{}", id_of(&other))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another street's case");
    assert!(r.body.contains("您要找的页面不存在"));
    assert!(!d.get("/my?view=all").await.body.contains(other["number"].as_str().unwrap()));
    // By number too.
    let by_number = d.get(&format!("/cases/{}", mine["number"].as_str().unwrap())).await;
    assert_eq!(by_number.status, StatusCode::OK);
    // A unit sees only what was dispatched to it; a resident none of these pages.
    let mut u = at_work(&app, "unit_staff").await;
    assert_eq!(u.get(&format!("/cases/{}", id_of(&mine))).await.status, StatusCode::NOT_FOUND);
    let mut res = at_work(&app, "resident").await;
    assert_eq!(res.get(&format!("/cases/{}", id_of(&mine))).await.status, StatusCode::NOT_FOUND);
    assert!(res.get("/my").await.body.contains("我的诉求"), "residents keep their own list at /my");
    let mut anon = Browser::new(&app);
    let r = anon.get(&format!("/cases/{}", id_of(&mine))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?next="));

    // Filters: text search and the duty item narrow the list; a bad date is said beside it.
    let found = d.get("/my?view=all&q=%E5%8D%A0%E9%81%93").await;
    assert!(found.body.contains(mine["number"].as_str().unwrap()));
    let none = d.get("/my?view=all&q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E8%AF%8D").await;
    assert!(none.body.contains("这个队列里没有诉求") && none.body.contains("共 0 件"));
    let bad = d.get("/my?view=all&from=yesterday").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("id=\"f-from-error\">日期格式不正确"));
    let dated = d.get("/my?view=all&from=2026-11-27&to=2026-11-27").await;
    assert!(dated.body.contains(mine["number"].as_str().unwrap()));
    let later = d.get("/my?view=all&from=2026-11-28").await;
    assert!(!later.body.contains(mine["number"].as_str().unwrap()));

    // Overdue: a dispatched case past its response deadline is flagged in the overdue queue.
    app.ok(&dispatcher, &mine, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-055"})).await;
    app.clock.advance(chrono::Duration::days(3));
    // The session has ended meanwhile (12 hours): sign in again.
    let mut d = at_work(&app, "dispatcher").await;
    let over = d.get("/my?view=all").await;
    let row =
        over.body.split(mine["number"].as_str().unwrap()).nth(1).unwrap().split("</tr>").next().unwrap().to_string();
    assert!(row.contains("class=\"overdue-flag\">超期 "), "{row}");

    // English, by the language cookie.
    d.cookies.insert("lang".into(), "en".into());
    let en = d.get("/my?view=all").await;
    for shown in
        ["My workbench", "To dispatch", "To accept", "Overdue", "Time left", "Filter and search", "days overdue"]
    {
        assert!(en.body.contains(shown), "{shown} in English");
    }
    assert!(!en.body.contains("待派单"));
    let case_en = d.get(&format!("/cases/{}", id_of(&mine))).await;
    for shown in ["Actions", "The request", "Deadlines", "add a note", "dispatched", "2 days overdue"] {
        assert!(case_en.body.contains(shown), "{shown} in English: {}", case_en.body);
    }

    // Light pages: HTML with its stylesheet and script well under 200 KB.
    let css_url = en.body.split("rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let js_url = en.body.split("<script src=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let assets = d.get(&css_url).await.body.len() + d.get(&js_url).await.body.len();
    for p in [&en, &case_en, &d.get("/my?view=dispatch").await] {
        assert!(p.body.len() + assets < 200 * 1024, "{} bytes", p.body.len() + assets);
        assert!(!p.body.contains("http://") && !p.body.contains("https://"));
    }
}

#[tokio::test]
async fn a_possible_duplicate_is_proposed_and_merged_through_its_form() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let at = json!({"location": {"lat": 39.9405, "lon": 116.4335}});
    let first = app.new_case(&dispatcher, at.clone()).await;
    let second = app.new_case(&dispatcher, at).await;
    let first_number = first["number"].as_str().unwrap();
    let mut d = at_work(&app, "dispatcher").await;
    let page = d.get(&format!("/cases/{}", id_of(&second))).await;
    assert!(page.body.contains("可能重复的诉求"), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/cases/{}\">{first_number}</a>", id_of(&first))));
    assert!(page.body.contains(&format!("name=\"into\" type=\"text\" maxlength=\"40\" value=\"{first_number}\"")));
    let r = d.act(&id_of(&second), "merge", &[("into", first_number)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let api = app.case(&dispatcher, &second).await.body;
    assert_eq!(api["status"], "merged");
    let merged = d.get(r.location()).await;
    assert!(merged.body.contains(&format!("合并到 {first_number}")) && merged.body.contains("已完成：合并"));
    assert!(!merged.offers(&id_of(&second), "merge") && !merged.body.contains("/whistles/new"), "nothing more to do");
    // Merging into an unknown number is said beside the field.
    let third = app.new_case(&dispatcher, json!({})).await;
    let r = d.act(&id_of(&third), "merge", &[("into", "110101-20200101-0001")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"merge-into-error\">没有找到这个编号的诉求"));
}

/// The count a queue's tab shows: `待派单 (2)`.
fn tab_count(page: &Page, view: &str) -> u64 {
    let start = page.body.find(&format!("href=\"/my?view={view}")).unwrap_or_else(|| panic!("no {view} tab"));
    let tab = page.body[start..].split("</a>").next().unwrap();
    let inner = tab.split("class=\"tab-count\">(").nth(1).unwrap_or_else(|| panic!("{view} has no count: {tab}"));
    inner.split(')').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_channel_filter_narrows_the_queues_and_the_tabs_count_them() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let hotline = app.new_case(&dispatcher, json!({})).await;
    let patrol = app.new_case(&dispatcher, json!({"channel": "grid_patrol", "text": "网格员巡查发现井盖缺失"})).await;
    let walk_in = app.new_case(&dispatcher, json!({"channel": "walk_in", "text": "来访反映楼下垃圾桶满溢"})).await;
    app.ok(&dispatcher, &walk_in, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-055"})).await;
    let number = |c: &Value| c["number"].as_str().unwrap().to_string();

    let mut d = at_work(&app, "dispatcher").await;
    let all = d.get("/my?view=dispatch").await;
    assert_eq!(all.status, StatusCode::OK);
    // The counts are what each queue's list totals, under the same filters.
    let api_total = |q: String| {
        let (app, token) = (&app, &dispatcher);
        async move {
            let r = app.get(token, &format!("/api/v1/cases?per_page=1{q}")).await;
            r.body["total"].as_u64().unwrap_or_else(|| panic!("{q}: {}", r.body))
        }
    };
    assert_eq!(tab_count(&all, "dispatch"), api_total("&status=received,returned,reopened".into()).await);
    assert_eq!(tab_count(&all, "accept"), api_total("&status=dispatched".into()).await);
    assert_eq!(tab_count(&all, "all"), api_total(String::new()).await);
    assert_eq!(tab_count(&all, "overdue"), 0);
    assert!(all.body.contains(&number(&hotline)) && all.body.contains(&number(&patrol)));

    // The channel narrows the list and the counts, keeps itself across tabs, and reads by label.
    let patrols = d.get("/my?view=dispatch&channel=grid_patrol").await;
    assert!(patrols.body.contains(&number(&patrol)) && !patrols.body.contains(&number(&hotline)));
    assert!(patrols.body.contains("<option value=\"grid_patrol\" selected>网格巡查</option>"));
    assert_eq!(
        tab_count(&patrols, "dispatch"),
        api_total("&status=received,returned,reopened&channel=grid_patrol".into()).await
    );
    assert_eq!(tab_count(&patrols, "accept"), 0);
    assert_eq!(tab_count(&patrols, "all"), api_total("&channel=grid_patrol".into()).await);
    assert!(patrols.body.contains("href=\"/my?view=accept&#38;channel=grid_patrol\""), "tabs keep the filter");
    let walk_ins = d.get("/my?view=accept&channel=walk_in").await;
    assert!(walk_ins.body.contains(&number(&walk_in)));
    assert_eq!((tab_count(&walk_ins, "accept"), tab_count(&walk_ins, "dispatch")), (1, 0));
    // An unknown channel filters nothing rather than failing; the API refuses it by name.
    let unknown = d.get("/my?view=dispatch&channel=pigeon").await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(tab_count(&unknown, "dispatch"), tab_count(&all, "dispatch"));
    let r = app.get(&dispatcher, "/api/v1/cases?channel=pigeon").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = app.get(&dispatcher, "/api/v1/cases?channel=walk_in").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.body);

    // Overdue cases are counted in the overdue tab.
    app.clock.advance(chrono::Duration::days(3));
    app.store.tick(app.state.now(), &app.state.calendar()).await.expect("tick");
    let mut d = at_work(&app, "dispatcher").await;
    let later = d.get("/my?view=overdue").await;
    let token = app.login("dispatcher").await;
    let open = "received,returned,reopened,dispatched,accepted,contacted,return_requested,resolved,verified,answered,callback_recorded";
    let api = app.get(&token, &format!("/api/v1/cases?per_page=1&overdue=true&status={open}")).await;
    assert_eq!(tab_count(&later, "overdue"), api.body["total"].as_u64().unwrap(), "{}", api.body);
    assert!(tab_count(&later, "overdue") >= 1, "the cases are past their deadlines");
}
