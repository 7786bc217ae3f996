use crate::helpers::*;
use chuishao_domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

const CGZF: &str = "dc-cgzf"; // 城管执法局
const GHZR: &str = "dc-ghzr"; // 规划和自然资源委员会东城分局
const ZJW: &str = "dc-zjw"; // 住建委

async fn with_departments(app: &TestApp) {
    app.add_user("cgzf", Role::DepartmentStaff, CGZF).await;
    app.add_user("ghzr", Role::DepartmentStaff, GHZR).await;
    app.add_user("zjw", Role::DepartmentStaff, ZJW).await;
}

fn part<'a>(w: &'a Value, department: &str) -> &'a Value {
    w["departments"].as_array().unwrap().iter().find(|d| d["department"] == department).expect("summoned")
}

async fn dept_act(app: &TestApp, token: &str, w: &Value, department: &str, action: &str, body: Value) -> Reply {
    let id = w["id"].as_str().unwrap();
    app.post(token, &format!("/api/v1/whistles/{id}/departments/{department}/actions/{action}"), body).await
}

async fn act(app: &TestApp, token: &str, w: &Value, action: &str, body: Value) -> Reply {
    let id = w["id"].as_str().unwrap();
    app.post(token, &format!("/api/v1/whistles/{id}/actions/{action}"), body).await
}

#[tokio::test]
async fn a_street_blows_an_enforcement_whistle_from_a_case_and_rates_the_departments() {
    let app = spawn_app().await;
    with_departments(&app).await;
    let dispatcher = app.login("dispatcher").await;
    let leader = app.login("street_leader").await;
    let case =
        app.new_case(&dispatcher, json!({"kind": "report", "text": "胡同里有人私搭乱建", "duty_item": "C-001"})).await;
    let blow = json!({
        "case_id": case["number"], "kind": "enforcement", "reason": "胡同违法建设，需联合执法拆除",
        "departments": [
            {"department": CGZF, "task": "依法拆除违建"},
            {"department": GHZR, "task": "认定违法建设"},
            {"department": ZJW, "task": "房屋安全鉴定"},
        ],
    });

    // A dispatcher may not blow; nothing is written.
    let r = app.post(&dispatcher, "/api/v1/whistles", blow.clone()).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_permitted"));
    let r =
        app.post(&leader, "/api/v1/whistles", json!({"kind": "enforcement", "reason": "x", "departments": []})).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("departments")));
    let r = app
        .post(&leader, "/api/v1/whistles", {
            let mut b = blow.clone();
            b["kind"] = json!("party");
            b
        })
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_whistle_kind"));
    let supervisor = app.login("district_supervisor").await;
    assert_eq!(app.get(&supervisor, "/api/v1/whistles").await.body["total"], 0);

    // Friday 09:00: sign within 1 h, report in within 24 h, done within 5 working days.
    let r = app.post(&leader, "/api/v1/whistles", blow).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let w = r.body;
    assert_eq!((w["status"].as_str(), w["kind_name"].as_str()), (Some("active"), Some("执法")));
    assert_eq!(w["case"]["name"], case["number"]);
    let cgzf = part(&w, CGZF);
    let dues: Vec<&str> = cgzf["clocks"].as_array().unwrap().iter().map(|c| c["due"].as_str().unwrap()).collect();
    assert_eq!(dues, ["2026-11-27T10:00:00+08:00", "2026-11-28T09:00:00+08:00", "2026-12-04T09:00:00+08:00"]);
    assert_eq!(cgzf["status_label"], "待签收");

    // The whistle is on the case's record.
    let timeline = app.case(&dispatcher, &case).await.body["timeline"].clone();
    assert_eq!(timeline.as_array().unwrap().last().unwrap()["type"], "whistle_blown");

    let (t_cgzf, t_ghzr, t_zjw) = (app.login("cgzf").await, app.login("ghzr").await, app.login("zjw").await);
    // Each department sees its summons in its inbox, with time left.
    let inbox = app.get(&t_cgzf, "/api/v1/inbox").await.body;
    assert_eq!(inbox["total"], 1);
    assert_eq!(inbox["items"][0]["task"], "依法拆除违建");
    assert_eq!(inbox["items"][0]["seconds_left"], 3600);
    // A department not summoned cannot see it; one department cannot act for another.
    let water = app.login("department_staff").await;
    let id = w["id"].as_str().unwrap();
    assert_eq!(app.get(&water, &format!("/api/v1/whistles/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&water, "/api/v1/inbox").await.body["total"], 0);
    let r = dept_act(&app, &t_ghzr, &w, CGZF, "sign", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "whistle_not_found"));
    let r = dept_act(&app, &leader, &w, CGZF, "sign", json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Two sign in time; 城管执法 is late.
    for (t, d) in [(&t_ghzr, GHZR), (&t_zjw, ZJW)] {
        let r = dept_act(&app, t, &w, d, "sign", json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    app.clock.set(at("2026-11-27T10:30:00+08:00"));
    let tick = || async { app.store.tick(app.state.now(), &app.state.calendar()).await.unwrap() };
    assert_eq!(tick().await, 1, "one overdue sign");
    assert_eq!(tick().await, 0, "exactly once");
    let seen = app.get(&supervisor, &format!("/api/v1/whistles/{id}")).await.body;
    assert_eq!(seen["overdue"], true);
    let overdue: Vec<&Value> = seen["timeline"].as_array().unwrap().iter().filter(|e| e["type"] == "overdue").collect();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["data"]["department"], CGZF);
    assert_eq!(overdue[0]["data"]["clock"], "sign");
    assert_eq!(overdue[0]["data"]["escalated_to"], json!(["district_supervisor"]));
    let escalated = app.get(&supervisor, "/api/v1/whistles?overdue=true").await.body;
    assert_eq!((escalated["total"].as_u64(), escalated["items"][0]["id"].as_str()), (Some(1), Some(id)));

    let r = dept_act(&app, &t_cgzf, &w, CGZF, "report-in", json!({"who": "x"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "summons_invalid_state"));
    assert_eq!(r.body["message"], "该部门当前为“待签收”，不能执行“报到”");
    let r = dept_act(&app, &t_cgzf, &w, CGZF, "sign", json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(part(&r.body, CGZF)["clocks"][0]["late"], true);
    // No longer overdue now, but the escalation stays on the district's list.
    assert_eq!(app.get(&supervisor, "/api/v1/whistles?overdue=true").await.body["total"], 0);
    let escalated = app.get(&supervisor, "/api/v1/whistles?escalated=true").await.body;
    assert_eq!((escalated["total"].as_u64(), escalated["items"][0]["escalations"].as_u64()), (Some(1), Some(1)));

    for (t, d) in [(&t_cgzf, CGZF), (&t_ghzr, GHZR), (&t_zjw, ZJW)] {
        let r = dept_act(&app, t, &w, d, "report-in", json!({"who": "执法队王队长等3人", "mode": "on_site"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = dept_act(
            &app,
            t,
            &w,
            d,
            "record-action",
            json!({"text": "现场处置", "attachments": [{"name": "现场.jpg", "content_type": "image/jpeg", "size": 1024}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Not concluded while a department is still at it.
    for (t, d) in [(&t_cgzf, CGZF), (&t_ghzr, GHZR)] {
        assert_eq!(dept_act(&app, t, &w, d, "finish", json!({})).await.status, StatusCode::OK);
    }
    let before = app.get(&leader, &format!("/api/v1/whistles/{id}")).await.body["version"].clone();
    let r = act(&app, &leader, &w, "conclude", json!({"summary": "违建已拆除"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "departments_outstanding"));
    assert_eq!(r.body["message"], "还有 1 个部门未完成或未免报，不能办结");
    assert_eq!(app.get(&leader, &format!("/api/v1/whistles/{id}")).await.body["version"], before, "nothing changed");
    let r = act(&app, &leader, &w, "rate", json!({"department": CGZF, "satisfaction": "satisfied"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "whistle_invalid_state"));

    assert_eq!(dept_act(&app, &t_zjw, &w, ZJW, "finish", json!({"note": "鉴定完成"})).await.status, StatusCode::OK);
    let done = act(&app, &leader, &w, "conclude", json!({"summary": "违建已拆除，房屋安全"})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["status"], "concluded");
    for (d, s) in [(CGZF, "basically_satisfied"), (GHZR, "satisfied"), (ZJW, "satisfied")] {
        let r =
            act(&app, &leader, &w, "rate", json!({"department": d, "satisfaction": s, "comment": "配合良好"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = act(&app, &leader, &w, "rate", json!({"department": GHZR, "satisfaction": "dissatisfied"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_rated"));
    let timeline = app.case(&dispatcher, &case).await.body["timeline"].clone();
    assert_eq!(timeline.as_array().unwrap().last().unwrap()["type"], "whistle_concluded");

    // The month's figures reflect it.
    let m = app.get(&supervisor, "/api/v1/metrics/whistles?month=2026-11").await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    let street = m.body["streets"].as_array().unwrap().iter().find(|s| s["street"]["code"] == DZM).unwrap().clone();
    assert_eq!((street["cases"].as_u64(), street["cases_whistled"].as_u64()), (Some(1), Some(1)));
    assert_eq!(street["whistles"], 1);
    assert_eq!(street["whistle_rate"], 1.0);
    assert_eq!(street["by_kind"]["enforcement"], 1);
    let dept = |id: &str| {
        m.body["departments"].as_array().unwrap().iter().find(|d| d["department"]["code"] == id).unwrap().clone()
    };
    assert_eq!(dept(CGZF)["sign_rate"], 0.0);
    assert_eq!(dept(CGZF)["overdue_events"], 1);
    assert_eq!(dept(GHZR)["sign_rate"], 1.0);
    assert_eq!(dept(GHZR)["report_in_rate"], 1.0);
    assert_eq!(dept(CGZF)["ratings"]["basically_satisfied"]["count"], 1);
    assert_eq!(dept(ZJW)["ratings"]["satisfied"]["count"], 1);
    assert!(dept(GHZR)["median_report_in_minutes"].as_f64().unwrap() >= 0.0);
    // A street's leader sees its own row; a department its own.
    let own = app.get(&leader, "/api/v1/metrics/whistles?month=2026-11").await.body;
    assert!(own["streets"].as_array().unwrap().iter().all(|s| s["street"]["code"] == DZM));
    let own = app.get(&t_ghzr, "/api/v1/metrics/whistles?month=2026-11").await.body;
    assert!(own["streets"].as_array().unwrap().is_empty());
    assert_eq!(own["departments"].as_array().unwrap().len(), 1);
    assert_eq!(own["departments"][0]["department"]["code"], GHZR);
    assert_eq!(app.get(&supervisor, "/api/v1/metrics/whistles?month=11-2026").await.status, StatusCode::BAD_REQUEST);
    let resident = app.login("resident").await;
    assert_eq!(app.get(&resident, "/api/v1/metrics/whistles").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_community_requests_a_whistle_the_street_approves_and_declines_are_excused_or_escalated() {
    let app = spawn_app().await;
    with_departments(&app).await;
    let liaison = app.login("liaison").await;
    let leader = app.login("street_leader").await;
    let supervisor = app.login("district_supervisor").await;
    let r = app
        .post(
            &liaison,
            "/api/v1/whistles",
            json!({"kind": "coordination", "reason": "老旧小区加装电梯协调", "departments": [
                {"department": ZJW, "task": "审批指导"}, {"department": GHZR, "task": "规划核验"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let w = r.body;
    assert_eq!((w["status"].as_str(), w["level"].as_str()), (Some("requested"), Some("community")));
    assert!(w["departments"][0]["clocks"].as_array().unwrap().is_empty(), "no clocks before approval");
    // A request summons nobody until the street approves it.
    let t_zjw = app.login("zjw").await;
    let r = dept_act(&app, &t_zjw, &w, ZJW, "sign", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "whistle_not_found"));
    assert_eq!(app.get(&t_zjw, "/api/v1/inbox").await.body["total"], 0);
    assert_eq!(act(&app, &liaison, &w, "approve", json!({})).await.status, StatusCode::FORBIDDEN);

    app.clock.set(at("2026-11-27T16:00:00+08:00"));
    let approved = act(&app, &leader, &w, "approve", json!({"note": "同意"})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    // Coordination: report in within 3 working days of approval (Fri 16:00 → Wed 16:00).
    assert_eq!(part(&approved.body, ZJW)["clocks"][1]["due"], "2026-12-02T16:00:00+08:00");
    assert_eq!(act(&app, &leader, &w, "approve", json!({})).await.code(), "whistle_invalid_state");

    // 住建委 declines; the street escalates; the district excuses it.
    let r = dept_act(&app, &t_zjw, &w, ZJW, "decline", json!({"reason": "不属于本部门职责"})).await;
    assert_eq!(part(&r.body, ZJW)["status"], "declined");
    let r = act(&app, &leader, &w, "escalate", json!({"department": ZJW, "note": "请区里协调"})).await;
    assert_eq!(part(&r.body, ZJW)["status"], "escalated");
    // Escalated, it is the district's to decide, not the street's.
    let r = act(&app, &leader, &w, "excuse", json!({"department": ZJW})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_permitted"));
    let r = act(&app, &supervisor, &w, "excuse", json!({"department": ZJW})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(part(&r.body, ZJW)["status"], "excused");
    // 规划 declines and the street accepts it: everyone settled, the whistle may conclude.
    let t_ghzr = app.login("ghzr").await;
    dept_act(&app, &t_ghzr, &w, GHZR, "decline", json!({"reason": "无规划审批事项"})).await;
    assert_eq!(act(&app, &leader, &w, "excuse", json!({"department": GHZR})).await.status, StatusCode::OK);
    let r = act(&app, &leader, &w, "conclude", json!({"summary": "转由产权单位自行协调"})).await;
    assert_eq!(r.body["status"], "concluded");
    // The liaison follows the community's whistles; another community's liaison does not.
    assert_eq!(app.get(&liaison, "/api/v1/whistles").await.body["total"], 1);

    // A request can also be rejected.
    let r = app
        .post(
            &liaison,
            "/api/v1/whistles",
            json!({"kind": "coordination", "reason": "停车难", "departments": [{"department": ZJW, "task": "协调"}]}),
        )
        .await;
    let rejected = act(&app, &leader, &r.body, "reject", json!({"reason": "社区可自行协调"})).await;
    assert_eq!(rejected.body["status"], "rejected");
    let list = app.get(&leader, "/api/v1/whistles?status=rejected").await.body;
    assert_eq!(list["total"], 1);
    assert_eq!(app.get(&leader, "/api/v1/whistles?status=loud").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn whistle_kinds_are_versioned_data_that_admins_edit() {
    let app = spawn_app().await;
    let admin = app.login("system_admin").await;
    let leader = app.login("street_leader").await;
    let kinds = app.get(&leader, "/api/v1/whistle-policies").await.body;
    let emergency = kinds["items"].as_array().unwrap().iter().find(|p| p["kind"] == "emergency").unwrap().clone();
    assert_eq!((emergency["sign"].as_str(), emergency["report_in"].as_str()), (Some("15m"), Some("30m")));
    assert!(emergency["complete"].is_null(), "act at once");
    let new =
        json!({"kind": "emergency", "name": "应急", "sign": "10m", "report_in": "20m", "effective_from": "2026-11-01"});
    assert_eq!(app.post(&leader, "/api/v1/whistle-policies", new.clone()).await.status, StatusCode::FORBIDDEN);
    let r = app.post(&admin, "/api/v1/whistle-policies", new).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    let bad = json!({"kind": "emergency", "name": "应急", "sign": "soon", "report_in": "20m", "effective_from": "2026-11-01"});
    let r = app.post(&admin, "/api/v1/whistle-policies", bad).await;
    assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("sign")));
    // A whistle blown now uses version 2: sign within 10 minutes.
    let w = app
        .post(&leader, "/api/v1/whistles", json!({"kind": "emergency", "reason": "主干道水管爆裂", "departments": [{"department": "dc-waterworks", "task": "关阀抢修"}]}))
        .await
        .body;
    assert_eq!(w["policy_version"], 2);
    assert_eq!(part(&w, "dc-waterworks")["clocks"][0]["due"], "2026-11-27T09:10:00+08:00");
    assert_eq!(part(&w, "dc-waterworks")["clocks"].as_array().unwrap().len(), 2, "no completion clock");
}

#[tokio::test]
async fn lateness_is_reported_even_between_ticker_passes_and_whistles_do_not_make_case_clients_stale() {
    let app = spawn_app().await;
    with_departments(&app).await;
    let dispatcher = app.login("dispatcher").await;
    let leader = app.login("street_leader").await;
    let case = app.new_case(&dispatcher, json!({"duty_item": "C-001"})).await;
    let seen = app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE})).await["version"].clone();
    let blow = json!({"case_id": case["id"], "kind": "enforcement", "reason": "需执法", "departments": [{"department": CGZF, "task": "执法"}]});
    let w = app.post(&leader, "/api/v1/whistles", blow).await.body;
    // The whistle's note on the case does not make the dispatcher's view of it stale.
    let r = app.act(&dispatcher, &case, "add-note", json!({"text": "已吹哨", "expected_version": seen})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Signed at 10:00:30 — past the 10:00 due, before any ticker pass: reported all the same.
    app.clock.set(at("2026-11-27T10:00:30+08:00"));
    let t_cgzf = app.login("cgzf").await;
    let r = dept_act(&app, &t_cgzf, &w, CGZF, "sign", json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    let id = w["id"].as_str().unwrap();
    let seen = app.get(&leader, &format!("/api/v1/whistles/{id}")).await.body;
    let types: Vec<&str> = seen["timeline"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["blown", "overdue", "signed"]);
    assert_eq!(app.store.tick(app.state.now(), &app.state.calendar()).await.unwrap(), 0, "not twice");

    // A request raised from a case that has since been closed: approved without a case note;
    // and no whistle can be blown for a closed case.
    let liaison = app.login("liaison").await;
    let consult = app.new_case(&dispatcher, json!({"kind": "consult", "text": "咨询加装电梯政策"})).await;
    let req = app
        .post(&liaison, "/api/v1/whistles", json!({"case_id": consult["id"], "kind": "coordination", "reason": "加装电梯协调", "departments": [{"department": ZJW, "task": "指导"}]}))
        .await;
    assert_eq!(req.status, StatusCode::CREATED, "{}", req.body);
    let dispatcher = app.login("dispatcher").await;
    app.ok(&dispatcher, &consult, "answer-directly", json!({"answer": "已答复政策"})).await;
    app.ok(&dispatcher, &consult, "close", json!({})).await;
    let leader = app.login("street_leader").await;
    let approved = act(&app, &leader, &req.body, "approve", json!({})).await;
    assert_eq!(
        (approved.status, approved.body["status"].as_str()),
        (StatusCode::OK, Some("active")),
        "{}",
        approved.body
    );
    let r = app
        .post(&leader, "/api/v1/whistles", json!({"case_id": consult["id"], "kind": "coordination", "reason": "再次协调", "departments": [{"department": ZJW, "task": "指导"}]}))
        .await;
    assert_eq!((r.status, r.code(), r.body["field"].as_str()), (StatusCode::CONFLICT, "case_closed", Some("case_id")));
}
