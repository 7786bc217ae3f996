//! The whistle pages through HTTP, as a browser without JavaScript uses them: the street blows a
//! whistle from a case through the form, the board counts down each department's deadlines, the
//! departments answer from their inbox, the street concludes and rates — and what is not allowed
//! is neither offered nor done.

use crate::helpers::*;
use crate::pages::{Browser, Page};
use chuishao_domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

const CGZF: &str = "dc-cgzf"; // 东城区城市管理综合行政执法局
const GHZR: &str = "dc-ghzr"; // 北京市规划和自然资源委员会东城分局

/// The whistle page's action forms.
trait WhistlePage {
    /// Whether the page has a form posting to `action` for `department` (or for the whistle).
    fn offers(&self, whistle: &str, action: &str, department: Option<&str>) -> bool;
}

impl WhistlePage for Page {
    fn offers(&self, whistle: &str, action: &str, department: Option<&str>) -> bool {
        let marker = format!("action=\"/whistles/{whistle}/actions/{action}\"");
        self.body.split(&marker).skip(1).any(|rest| {
            let form = rest.split("</form>").next().unwrap_or("");
            match department {
                Some(d) => form.contains(&format!("name=\"department\" value=\"{d}\"")),
                None => !form.contains("name=\"department\""),
            }
        })
    }
}

trait WhistleForms {
    /// Sends one action form of the whistle page as shown now (its token and version).
    async fn act(&mut self, whistle: &str, action: &str, fields: &[(&str, &str)]) -> Page;
}

impl WhistleForms for Browser {
    async fn act(&mut self, whistle: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(&format!("/whistles/{whistle}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let (csrf, version) = (page.hidden("_csrf"), page.hidden("expected_version"));
        let mut all = vec![("_csrf", csrf.as_str()), ("expected_version", version.as_str())];
        all.extend_from_slice(fields);
        self.post_form(&format!("/whistles/{whistle}/actions/{action}"), &all).await
    }
}

fn part<'a>(w: &'a Value, department: &str) -> &'a Value {
    w["departments"].as_array().unwrap().iter().find(|d| d["department"] == department).expect("summoned")
}

/// A case for a rooftop illegal building (duty item C-011, which names 城管执法 and 规自 as
/// co-operating departments) filed by the dispatcher.
async fn rooftop_case(app: &TestApp) -> Value {
    let dispatcher = app.login("dispatcher").await;
    app.new_case(&dispatcher, json!({"kind": "report", "text": "顶楼住户在楼顶搭了一间彩钢房", "duty_item": "C-011"}))
        .await
}

async fn whistle(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app.get(token, &format!("/api/v1/whistles/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

#[tokio::test]
async fn a_street_leader_blows_from_a_case_and_the_departments_answer_through_their_forms() {
    let app = spawn_app().await;
    app.add_user("cgzf", Role::DepartmentStaff, CGZF).await;
    app.add_user("ghzr", Role::DepartmentStaff, GHZR).await;
    let case = rooftop_case(&app).await;
    let case_id = case["id"].as_str().unwrap();
    let leader_token = app.login("street_leader").await;

    // The form: the case masked, the duty list's departments suggested and ticked, the kinds
    // with their deadlines.
    let mut leader = Browser::signed_in(&app, "street_leader").await;
    let form = leader.get(&format!("/whistles/new?case={case_id}")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for shown in [
        "138****5678",
        "张*",
        "东直门南大街*号院*号楼*",
        "顶楼住户在楼顶搭了一间彩钢房",
        "职责清单建议",
        "签收 1 小时，报到 24 小时，完成 5 个工作日",
    ] {
        assert!(form.body.contains(shown), "{shown} is shown");
    }
    for hidden in ["13812345678", "张三", "5号院3号楼301"] {
        assert!(!form.body.contains(hidden), "{hidden} must not be shown");
    }
    for d in [CGZF, GHZR] {
        assert!(form.body.contains(&format!("value=\"{d}\" checked")), "{d} is suggested");
    }

    // Bad input: shown again with its messages, nothing written.
    let csrf = form.hidden("_csrf");
    let bad = leader
        .post_form("/whistles/new", &[("_csrf", &csrf), ("case", case_id), ("kind", "enforcement"), ("reason", " ")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请至少选择一个部门") && bad.body.contains("缺少必填项：事由"), "{}", bad.body);
    let no_task = leader
        .post_form(
            "/whistles/new",
            &[
                ("_csrf", &csrf),
                ("case", case_id),
                ("kind", "enforcement"),
                ("reason", "楼顶违建"),
                ("department", CGZF),
            ],
        )
        .await;
    assert_eq!(no_task.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_task.body.contains("请填写东城区城市管理综合行政执法局的任务"), "{}", no_task.body);
    assert!(no_task.body.contains("楼顶违建"), "the input is kept");
    assert_eq!(app.store.count_rows("whistles").await.unwrap(), 0);

    // Blown: two departments, one with its own task, one with the task for all.
    let blown = leader
        .post_form(
            "/whistles/new",
            &[
                ("_csrf", &csrf),
                ("case", case_id),
                ("kind", "enforcement"),
                ("reason", "楼顶违法建设，需联合执法拆除"),
                ("task", "认定违法建设"),
                ("department", CGZF),
                ("task-dc-cgzf", "依法拆除"),
                ("department", GHZR),
                ("task-dc-ghzr", ""),
            ],
        )
        .await;
    assert_eq!(blown.status, StatusCode::SEE_OTHER, "{}", blown.body);
    let id = blown
        .location()
        .strip_prefix("/whistles/")
        .and_then(|l| l.split('?').next())
        .expect("to the whistle")
        .to_string();
    let w = whistle(&app, &leader_token, &id).await;
    assert_eq!((w["kind"].as_str(), w["case"]["code"].as_str()), (Some("enforcement"), Some(case_id)));
    assert_eq!(part(&w, CGZF)["task"], "依法拆除");
    assert_eq!(part(&w, GHZR)["task"], "认定违法建设");
    let timeline = app.case(&leader_token, &case).await.body["timeline"].clone();
    assert!(timeline.as_array().unwrap().iter().any(|e| e["type"] == "whistle_blown"), "the case's record shows it");
    let shown = leader.get(blown.location()).await;
    assert!(shown.body.contains("已完成：吹哨"), "{}", shown.body);

    // The board: both departments with the countdown to signing.
    let board = leader.get("/whistles").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains(&format!("href=\"/whistles/{id}\"")));
    assert!(
        board.body.contains("东城区城市管理综合行政执法局")
            && board.body.contains("北京市规划和自然资源委员会东城分局")
    );
    assert_eq!(board.text().matches("签收时限 剩 1 小时 0 分钟").count(), 2, "{}", board.body);
    assert!(board.body.contains("顶楼住户在楼顶搭了一间彩钢房"), "with its case");

    // 城管 signs from its inbox within the hour; 规自 does not, and the board shows it late.
    let mut cgzf = Browser::signed_in(&app, "cgzf").await;
    app.clock.advance(chrono::Duration::minutes(5));
    let inbox = cgzf.get("/inbox").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("楼顶违法建设") && inbox.text().contains("签收时限 剩 55 分钟"), "{}", inbox.body);
    let page = cgzf.get(&format!("/whistles/{id}")).await;
    assert!(page.offers(&id, "sign", Some(CGZF)) && page.offers(&id, "decline", Some(CGZF)));
    assert!(!page.offers(&id, "sign", Some(GHZR)), "not another department's part");
    assert!(!page.offers(&id, "finish", Some(CGZF)) && !page.offers(&id, "conclude", None));
    let signed = cgzf.act(&id, "sign", &[("department", CGZF)]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_eq!(part(&whistle(&app, &leader_token, &id).await, CGZF)["status"], "signed");

    app.clock.advance(chrono::Duration::minutes(65));
    let board = leader.get("/whistles").await;
    assert!(board.text().contains("签收时限 已超时 10 分钟"), "{}", board.body);
    assert!(board.body.contains("class=\"overdue\""), "the row is marked");
    assert!(board.text().contains("报到时限 剩 22 小时 50 分钟"), "{}", board.body);

    // Forced, an illegal action is refused with the domain's words, and nothing changes.
    let before = whistle(&app, &leader_token, &id).await["version"].clone();
    let forced = cgzf.act(&id, "finish", &[("department", CGZF), ("note", "已拆除")]).await;
    assert_eq!(forced.status, StatusCode::CONFLICT);
    assert!(forced.body.contains("该部门当前为“已签收”，不能执行“完成”"), "{}", forced.body);
    assert_eq!(whistle(&app, &leader_token, &id).await["version"], before);
    // A missing field is shown beside it, the rest of the input kept.
    let empty = cgzf.act(&id, "report-in", &[("department", CGZF), ("who", " "), ("note", "带队")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("缺少必填项：报到人员（姓名、职务）") && empty.body.contains(">带队</textarea>"));
    assert_eq!(whistle(&app, &leader_token, &id).await["version"], before);

    // Report in, record what was done, finish.
    for (action, fields) in [
        ("report-in", vec![("who", "王队长（执法队）"), ("mode", "on_site")]),
        ("record-action", vec![("text", "现场勘查，下达限期拆除通知")]),
        ("finish", vec![("note", "违建已拆除")]),
    ] {
        let mut all = vec![("department", CGZF)];
        all.extend(fields);
        let r = cgzf.act(&id, action, &all).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
    }
    let w = whistle(&app, &leader_token, &id).await;
    assert_eq!(part(&w, CGZF)["status"], "done");
    assert_eq!(part(&w, CGZF)["report"]["who"], "王队长（执法队）");
    let inbox = cgzf.get("/inbox").await;
    assert!(inbox.body.contains("目前没有待办的吹哨"), "a finished part leaves the inbox");

    // 规自 answers late; the street concludes, then rates each department.
    let mut ghzr = Browser::signed_in(&app, "ghzr").await;
    for (action, fields) in
        [("sign", vec![]), ("report-in", vec![("who", "李科长"), ("mode", "meeting")]), ("finish", vec![])]
    {
        let mut all = vec![("department", GHZR)];
        all.extend(fields);
        assert_eq!(ghzr.act(&id, action, &all).await.status, StatusCode::SEE_OTHER, "{action}");
    }
    let page = leader.get(&format!("/whistles/{id}")).await;
    assert!(page.offers(&id, "conclude", None));
    assert!(!page.offers(&id, "rate", Some(CGZF)), "rated only once concluded");
    assert!(page.body.contains("超时，于"), "the late sign stays on record: {}", page.body);
    let r = leader.act(&id, "conclude", &[("summary", "违建已拆除，规划认定完成")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r =
        leader.act(&id, "rate", &[("department", CGZF), ("satisfaction", "satisfied"), ("comment", "响应迅速")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let w = whistle(&app, &leader_token, &id).await;
    assert_eq!(
        (w["status"].as_str(), part(&w, CGZF)["rating"]["satisfaction"].as_str()),
        (Some("concluded"), Some("satisfied"))
    );
    let page = leader.get(&format!("/whistles/{id}")).await;
    assert!(!page.offers(&id, "rate", Some(CGZF)) && page.offers(&id, "rate", Some(GHZR)));
    assert!(page.body.contains("满意 · 响应迅速"));
    // Rated twice (an old page sent again): refused, nothing changes.
    let version = w["version"].to_string();
    let csrf = page.hidden("_csrf");
    let again = leader
        .post_form(
            &format!("/whistles/{id}/actions/rate"),
            &[("_csrf", &csrf), ("expected_version", &version), ("department", CGZF), ("satisfaction", "dissatisfied")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("该部门已评价"), "{}", again.body);
    assert_eq!(part(&whistle(&app, &leader_token, &id).await, CGZF)["rating"]["satisfaction"], "satisfied");
    let closed = leader.get("/whistles?view=closed").await;
    assert!(closed.body.contains(&format!("href=\"/whistles/{id}\"")));
    assert!(!leader.get("/whistles").await.body.contains(&format!("href=\"/whistles/{id}\"")));
}

#[tokio::test]
async fn outsiders_get_404_forms_without_a_token_write_nothing_and_english_is_a_switch_away() {
    let app = spawn_app().await;
    app.add_user("cgzf", Role::DepartmentStaff, CGZF).await;
    app.add_user("leader_dhm", Role::StreetLeader, "110101001").await; // 东华门街道
    let case = rooftop_case(&app).await;
    let case_id = case["id"].as_str().unwrap().to_string();
    let leader_token = app.login("street_leader").await;
    let r = app
        .post(
            &leader_token,
            "/api/v1/whistles",
            json!({"case_id": case_id, "kind": "emergency", "reason": "楼顶彩钢房有坠落危险",
                   "departments": [{"department": CGZF, "task": "现场处置"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let path = format!("/whistles/{id}");

    // Another street's leader, a department not summoned: as if it did not exist.
    let mut other = Browser::signed_in(&app, "leader_dhm").await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(!other.get("/whistles").await.body.contains(&path));
    let csrf = other.get("/whistles").await.hidden("_csrf");
    let forced = other
        .post_form(
            &format!("{path}/actions/conclude"),
            &[("_csrf", &csrf), ("expected_version", "1"), ("summary", "x")],
        )
        .await;
    assert_eq!(forced.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/whistles/new?case={case_id}")).await.status, StatusCode::NOT_FOUND);
    let mut water = Browser::signed_in(&app, "department_staff").await;
    assert_eq!(water.get(&path).await.status, StatusCode::NOT_FOUND);
    assert!(!water.get("/inbox").await.body.contains(&path));
    assert_eq!(water.get("/whistles").await.location(), "/inbox", "a department's way in is its inbox");

    // Without the form's token: 403, nothing written.
    let mut cgzf = Browser::signed_in(&app, "cgzf").await;
    let page = cgzf.get(&path).await;
    assert!(page.offers(&id, "sign", Some(CGZF)));
    assert!(page.text().contains("签收时限 剩 15 分钟"), "emergency: sign within 15 minutes");
    let r = cgzf.post_form(&format!("{path}/actions/sign"), &[("expected_version", "1"), ("department", CGZF)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(part(&whistle(&app, &leader_token, &id).await, CGZF)["status"], "summoned");
    let mut leader = Browser::signed_in(&app, "street_leader").await;
    let r = leader
        .post_form(
            "/whistles/new",
            &[("case", &case_id), ("kind", "enforcement"), ("reason", "x"), ("task", "y"), ("department", CGZF)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.count_rows("whistles").await.unwrap(), 1);

    // A stale page: refused with a word of why, the page as it is now.
    let old = cgzf.get(&path).await;
    app.post(&app.login("cgzf").await, &format!("/api/v1/whistles/{id}/departments/{CGZF}/actions/sign"), json!({}))
        .await;
    let r = cgzf
        .post_form(
            &format!("{path}/actions/decline"),
            &[("_csrf", &old.hidden("_csrf")), ("expected_version", "1"), ("department", CGZF), ("reason", "不归我们")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("刚被他人更新"), "{}", r.body);
    assert_eq!(part(&whistle(&app, &leader_token, &id).await, CGZF)["status"], "signed");

    // Who may not blow is told so, and gets no form; residents and visitors get no board.
    let mut dispatcher = Browser::signed_in(&app, "dispatcher").await;
    let number = case["number"].as_str().unwrap();
    let form = dispatcher.get(&format!("/whistles/new?case={number}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("吹哨须由街道领导") && !form.body.contains("action=\"/whistles/new\""));
    assert!(dispatcher.get("/whistles").await.body.contains(&path), "the dispatcher sees the street's board");
    let mut resident = Browser::signed_in(&app, "resident").await;
    assert_eq!(resident.get("/whistles").await.status, StatusCode::FORBIDDEN);
    assert_eq!(resident.get(&path).await.status, StatusCode::NOT_FOUND);
    let mut visitor = Browser::new(&app);
    assert!(visitor.get("/inbox").await.location().starts_with("/login?next="));

    // English with the language switch: labels, countdowns, nav.
    cgzf.cookies.insert("lang".into(), "en".into());
    let inbox = cgzf.get("/inbox").await;
    for shown in ["Department inbox", "report-in deadline", "min left", "Emergency"] {
        assert!(inbox.body.contains(shown), "{shown}: {}", inbox.body);
    }
    leader.cookies.insert("lang".into(), "en".into());
    let board = leader.get("/whistles").await;
    for shown in ["Whistle board", "Summoned departments", "Whistles", "signed"] {
        assert!(board.body.contains(shown), "{shown}");
    }
    let page = leader.get(&path).await;
    assert!(
        page.body.contains("Emergency whistle")
            && page.body.contains("sign 15 min, report in 30 min, then act at once")
    );
    assert!(!page.body.contains("签收时限"), "no Chinese labels left");
}
