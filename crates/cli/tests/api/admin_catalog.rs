//! Keeping the duty catalog (职责清单): the system admin changes an item or adds one by form,
//! or imports a new edition as CSV (checked, previewed, applied only when confirmed); cases
//! dispatched before keep their terms, those dispatched after follow the new ones; a bad form
//! or file writes nothing; others may read and export but not change. The same through the API.

use crate::helpers::*;
use crate::pages::{Browser, Page};
use chuishao_domain::DistrictCode;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn district() -> DistrictCode {
    DistrictCode::parse("110101").expect("code")
}

/// An item as the API lists it.
async fn item(app: &TestApp, code: &str) -> Option<Value> {
    let r = app.send(app.client.get(format!("{}/api/v1/catalog", app.base))).await;
    r.body["items"].as_array().expect("items").iter().find(|i| i["code"] == code).cloned()
}

fn owner_of(v: &Value) -> String {
    let prefix = if v["kind"] == "department" { "dept" } else { "unit" };
    format!("{prefix}:{}", v["id"].as_str().expect("owner id"))
}

/// The edit form's fields for an item as the API shows it, with `changes` applied.
fn form_of(i: &Value, csrf: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let split = |s: &str| {
        let n = s.trim_end_matches(|c: char| c.is_ascii_alphabetic()).to_string();
        (n.clone(), s[n.len()..].to_string())
    };
    let (ra, ru) = split(i["response_deadline"].as_str().expect("deadline"));
    let (sa, su) = split(i["resolution_deadline"].as_str().expect("deadline"));
    let lines = |k: &str| i[k].as_array().expect(k).iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n");
    let mut f: Vec<(String, String)> = vec![
        ("_csrf".into(), csrf.into()),
        ("code".into(), i["code"].as_str().unwrap_or("").into()),
        ("category".into(), i["category"].as_str().unwrap_or("").into()),
        ("name".into(), i["name"].as_str().unwrap_or("").into()),
        ("kind".into(), i["kind"].as_str().unwrap_or("").into()),
        ("owner".into(), owner_of(&i["owner"])),
        ("response_amount".into(), ra),
        ("response_unit".into(), ru),
        ("resolution_amount".into(), sa),
        ("resolution_unit".into(), su),
        ("keywords".into(), lines("keywords")),
        ("examples".into(), lines("examples")),
    ];
    for c in i["cooperating"].as_array().expect("cooperating") {
        f.push(("cooperating".into(), owner_of(c)));
    }
    if i["whistleable"] == true {
        f.push(("whistleable".into(), "true".into()));
    }
    for (k, v) in changes {
        f.retain(|(name, _)| name != k);
        f.push((k.to_string(), v.to_string()));
    }
    f
}

async fn post(b: &mut Browser, path: &str, fields: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post_form(path, &pairs).await
}

/// The resolution deadline a case got when it was dispatched (as its page in the API says).
async fn dispatched_due(app: &TestApp, dispatcher: &str) -> String {
    let case = app.new_case(dispatcher, json!({})).await;
    let c = app.ok(dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-055"})).await;
    let due = c["deadlines"].as_array().expect("deadlines").iter().find(|d| d["kind"] == "resolution").cloned();
    due.map(|d| d["due"].as_str().unwrap_or("").to_string()).unwrap_or_default()
}

#[tokio::test]
async fn the_admin_changes_and_adds_items_by_form_and_only_later_dispatches_follow() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let before = dispatched_due(&app, &dispatcher).await;
    assert!(!before.is_empty(), "a dispatched case has its resolution deadline");
    let c055 = item(&app, "C-055").await.expect("C-055 is in the demo catalog");
    assert_eq!(c055["resolution_deadline"], "7wd");

    let mut b = Browser::signed_in(&app, "system_admin").await;
    let list = b.get("/admin/catalog").await;
    assert!(list.body.contains("href=\"/admin/catalog/C-055\"") && list.body.contains("href=\"/admin/catalog/new\""));
    let form = b.get("/admin/catalog/C-055").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"C-055\"") && form.body.contains("readonly"), "the code is kept");
    let csrf = form.hidden("_csrf");

    // A bad form: the messages beside the fields, nothing changed.
    let bad =
        post(&mut b, "/admin/catalog/C-055", &form_of(&c055, &csrf, &[("name", " "), ("resolution_amount", "0")]))
            .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.text().contains("办结时限") && bad.body.contains("id=\"resolution_amount-error\""), "{}", bad.body);
    let bad = post(&mut b, "/admin/catalog/C-055", &form_of(&c055, &csrf, &[("name", "  ")])).await;
    assert!(bad.body.contains("id=\"name-error\"") && bad.text().contains("事项名称"), "{}", bad.body);
    let bad = post(&mut b, "/admin/catalog/C-055", &form_of(&c055, &csrf, &[("owner", "dept:dc-nowhere")])).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("id=\"owner-error\"") && bad.text().contains("主责单位 所指的对象不存在"),
        "{}",
        bad.body
    );
    assert_eq!(item(&app, "C-055").await, Some(c055.clone()), "nothing changed");
    let forged: Vec<(String, String)> = form_of(&c055, "", &[]).into_iter().filter(|(k, _)| k != "_csrf").collect();
    assert_eq!(post(&mut b, "/admin/catalog/C-055", &forged).await.status, StatusCode::FORBIDDEN);

    // 占道经营 to be settled in 3 working days instead of 7.
    let saved = post(&mut b, "/admin/catalog/C-055", &form_of(&c055, &csrf, &[("resolution_amount", "3")])).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), "/admin/catalog?saved=C-055#item-C-055");
    let list = b.get("/admin/catalog?saved=C-055").await;
    assert!(list.text().contains("已保存事项 C-055"), "{}", list.body);
    let now = item(&app, "C-055").await.expect("still there");
    assert_eq!(now["resolution_deadline"], "3wd");
    assert_eq!(now["name"], c055["name"], "the rest kept");
    assert_eq!(now["cooperating"], c055["cooperating"]);
    let after = dispatched_due(&app, &dispatcher).await;
    assert!(after < before, "dispatched now: due by 3 working days ({after}), not 7 ({before})");
    let audit = app.store.audit_of(&district(), "duty_item", "C-055").await.expect("audit");
    assert_eq!(audit.iter().map(|a| a.3.as_str()).collect::<Vec<_>>(), ["catalog.item.change"]);

    // A new item, then the same code again.
    let new_form = b.get("/admin/catalog/new").await;
    assert_eq!(new_form.status, StatusCode::OK);
    let fresh = json!({"code": "C-300", "category": "市容环境", "name": "共享单车乱停放", "kind": "complaint",
        "owner": {"kind": "unit_role", "id": "city_management"},
        "cooperating": [{"kind": "department", "id": "dc-cgzf"}], "whistleable": false,
        "response_deadline": "24h", "resolution_deadline": "3wd",
        "keywords": ["共享单车", "乱停"], "examples": ["地铁口共享单车堆成山，挡住盲道。"]});
    let made = post(&mut b, "/admin/catalog/new", &form_of(&fresh, &csrf, &[])).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let stored = item(&app, "C-300").await.expect("added");
    assert_eq!(
        (stored["name"].as_str(), stored["owner"]["id"].as_str()),
        (Some("共享单车乱停放"), Some("city_management"))
    );
    assert_eq!(stored["keywords"], json!(["共享单车", "乱停"]));
    let again = post(&mut b, "/admin/catalog/new", &form_of(&fresh, &csrf, &[("name", "别的")])).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("已有这个编码的事项"));
    assert_eq!(item(&app, "C-300").await.expect("kept")["name"], "共享单车乱停放");
    // Dispatching under the new item works at once.
    let case = app.new_case(&dispatcher, json!({})).await;
    app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-300"})).await;

    // The district supervisor reads and exports, and changes nothing.
    let mut reader = Browser::signed_in(&app, "district_supervisor").await;
    let list = reader.get("/admin/catalog").await;
    assert!(!list.body.contains("href=\"/admin/catalog/C-055\"") && !list.body.contains("/admin/catalog/new"));
    assert!(list.body.contains("href=\"/admin/catalog/export\""));
    assert_eq!(reader.get("/admin/catalog/C-055").await.status, StatusCode::FORBIDDEN);
    let csrf = list.hidden("_csrf");
    let refused = post(&mut reader, "/admin/catalog/C-055", &form_of(&now, &csrf, &[("resolution_amount", "9")])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let (status, kind, bytes) = reader.bytes("/admin/catalog/export").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.starts_with("\u{feff}code,category,name,kind,owner,"), "{}", &text[..80]);
    assert!(text.contains("C-055,") && text.contains(",3wd,") && text.contains("C-300,市容环境,共享单车乱停放"));
}

/// Sends a catalog file to the imports form.
async fn check_file(b: &mut Browser, csrf: &str, text: &str) -> Page {
    b.post_multipart(
        "/admin/imports/catalog",
        &[("_csrf", csrf)],
        Some(("catalog", "catalog.csv", "text/csv", text.as_bytes())),
    )
    .await
}

#[tokio::test]
async fn a_new_edition_is_checked_shown_and_applied_only_when_confirmed() {
    let app = spawn_app().await;
    let mut b = Browser::signed_in(&app, "system_admin").await;
    let (_, _, bytes) = b.bytes("/admin/catalog/export").await;
    let exported = String::from_utf8(bytes).expect("utf-8");
    let lines: Vec<&str> = exported.lines().collect();
    let total = lines.len() - 1;
    let page = b.get("/admin/imports").await;
    assert!(page.body.contains("action=\"/admin/imports/catalog\""));
    let csrf = page.hidden("_csrf");

    // The same file: nothing to do.
    let same = check_file(&mut b, &csrf, &exported).await;
    assert_eq!(same.status, StatusCode::OK);
    assert!(same.body.contains("id=\"catalog-same\""), "{}", same.body);

    // A new edition: C-001 gone, C-055 renamed, C-301 new.
    let mut edition: Vec<String> = lines
        .iter()
        .filter(|l| !l.starts_with("C-001,"))
        .map(|l| {
            if l.starts_with("C-055,") {
                l.replacen("C-055,占道经营,占道经营,", "C-055,占道经营,占道经营（含早市）,", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(edition.iter().any(|l| l.contains("占道经营（含早市）")), "C-055 is 占道经营");
    edition.push("C-301,公共服务,电动自行车充电难,help,unit:community_building,dept:dc-cgzf,false,24h,15wd,充电桩;飞线充电,小区没有充电桩，只能飞线充电。".into());
    let edition = edition.join("\n");
    let before = app.send(app.client.get(format!("{}/api/v1/catalog", app.base))).await.body;

    let shown = check_file(&mut b, &csrf, &edition).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let text = shown.text();
    for expected in [
        "新增 1 项",
        "修改 1 项",
        "删除 1 项",
        "电动自行车充电难",
        "占道经营（含早市）",
        "道路遗撒",
        "事项名称：占道经营 → 占道经营（含早市）",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }
    assert_eq!(app.send(app.client.get(format!("{}/api/v1/catalog", app.base))).await.body, before, "nothing yet");

    // Confirmed: applied whole, audited, and followed by dispatch at once.
    let (base, csv) = (shown.hidden("base"), edition.clone());
    let done = b.post_form("/admin/imports/catalog/apply", &[("_csrf", &csrf), ("base", &base), ("csv", &csv)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.text().contains("职责清单已导入：新增 1 项，修改 1 项，删除 1 项。"), "{}", done.body);
    assert!(item(&app, "C-001").await.is_none());
    assert_eq!(item(&app, "C-055").await.expect("kept")["name"], "占道经营（含早市）");
    assert_eq!(item(&app, "C-301").await.expect("added")["resolution_deadline"], "15wd");
    let listed = app.send(app.client.get(format!("{}/api/v1/catalog", app.base))).await.body;
    assert_eq!(listed["items"].as_array().expect("items").len(), total);
    let audit = app.store.audit_of(&district(), "catalog", "110101").await.expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].3, "catalog.import");
    let detail: Value = serde_json::from_str(&audit[0].4).expect("json");
    assert_eq!((detail["added"].clone(), detail["removed"].clone()), (json!(["C-301"]), json!(["C-001"])));
    let dispatcher = app.login("dispatcher").await;
    let case = app.new_case(&dispatcher, json!({})).await;
    let r = app.act(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-001"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a removed item is no longer dispatched under");

    // The same confirmation again: the catalog changed since it was checked.
    let stale = b.post_form("/admin/imports/catalog/apply", &[("_csrf", &csrf), ("base", &base), ("csv", &csv)]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text().contains("检查文件之后职责清单已被修改"));

    // Bad files: refused whole with the line, nothing written.
    let now = app.send(app.client.get(format!("{}/api/v1/catalog", app.base))).await.body;
    let mut bad_kind: Vec<String> = edition.lines().map(String::from).collect();
    let mut cells: Vec<String> = bad_kind[4].splitn(5, ',').map(String::from).collect();
    cells[3] = "praise".into();
    bad_kind[4] = cells.join(",");
    let refused = check_file(&mut b, &csrf, &bad_kind.join("\n")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("职责清单文件第 5 行有误，未导入任何内容"), "{}", refused.body);
    let unknown = format!("{edition}\nC-302,类,名,help,dept:dc-nowhere,,false,2h,3wd,甲,");
    let refused = check_file(&mut b, &csrf, &unknown).await;
    assert!(
        refused.text().contains(&format!("第 {} 行有误", total + 2)) && refused.text().contains("所指的对象不存在"),
        "{}",
        refused.body
    );
    let refused = check_file(&mut b, &csrf, "编码,名称\nC-1,x").await;
    assert!(refused.text().contains("这不是职责清单文件"));
    let forged = b.post_form("/admin/imports/catalog/apply", &[("base", &base), ("csv", "x")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(app.client.get(format!("{}/api/v1/catalog", app.base))).await.body, now, "nothing changed");
}

#[tokio::test]
async fn the_api_puts_an_item_and_imports_an_edition_with_a_dry_run() {
    let app = spawn_app().await;
    let admin = app.login("system_admin").await;
    let put = |token: &str, code: &str, body: Value| {
        let req = app.client.put(format!("{}/api/v1/catalog/{code}", app.base)).bearer_auth(token).json(&body);
        app.send(req)
    };
    let body = json!({"category": "市容环境", "name": "共享电单车停放", "kind": "complaint", "owner": "unit:city_management",
        "cooperating": ["dept:dc-cgzf"], "response_deadline": "24h", "resolution_deadline": "3wd",
        "keywords": ["共享单车"]});
    let r = put(&admin, "C-300", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["owner"]["name"].as_str(), r.body["kind_label"].as_str()),
        (Some("城市管理办公室"), Some("投诉"))
    );
    let mut changed = body.clone();
    changed["whistleable"] = json!(true);
    assert_eq!(put(&admin, "C-300", changed).await.status, StatusCode::OK);
    assert_eq!(item(&app, "C-300").await.expect("there")["whistleable"], true);

    let dispatcher = app.login("dispatcher").await;
    assert_eq!(put(&dispatcher, "C-300", body.clone()).await.status, StatusCode::FORBIDDEN);
    let mut bad = body.clone();
    bad["resolution_deadline"] = json!("3 days");
    let r = put(&admin, "C-300", bad).await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "field_malformed", Some("resolution_deadline"))
    );
    let mut bad = body.clone();
    bad["owner"] = json!("unit:astronauts");
    let r = put(&admin, "C-300", bad).await;
    assert_eq!((r.code(), r.body["field"].as_str()), ("field_unknown", Some("owner")));
    let r = put(&admin, "C 300", body.clone()).await;
    assert_eq!((r.code(), r.body["field"].as_str()), ("field_malformed", Some("code")));

    // Export, change one line, import with a dry run, then for real.
    let export = app.send(app.client.get(format!("{}/api/v1/catalog/export", app.base)).bearer_auth(&admin)).await;
    let csv = export.body.as_str().expect("csv text").replacen(",共享电单车停放,", ",共享电单车停放秩序,", 1);
    let import = |dry: bool, text: String, lang: &str| {
        let req = app
            .client
            .post(format!("{}/api/v1/catalog/import?dry_run={dry}", app.base))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .header("accept-language", lang)
            .body(text);
        app.send(req)
    };
    let r = import(true, csv.clone(), "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["applied"].clone(), r.body["changed"].clone()), (json!(false), json!(["C-300"])));
    assert_eq!(item(&app, "C-300").await.expect("there")["name"], "共享电单车停放", "a dry run changes nothing");
    let r = import(false, csv.clone(), "zh-CN").await;
    assert_eq!((r.body["applied"].clone(), r.body["removed"].clone()), (json!(true), json!([])));
    assert_eq!(item(&app, "C-300").await.expect("there")["name"], "共享电单车停放秩序");
    let r = import(false, csv.replacen(",unit:city_management,", ",unit:nobody,", 1), "en").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_catalog_file"));
    assert!(
        r.body["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("Line 2 of the catalog file is invalid; nothing was imported: "),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn the_admin_adds_a_department_that_a_street_can_then_summon() {
    let app = spawn_app().await;
    let mut b = Browser::signed_in(&app, "system_admin").await;
    let org = b.get("/admin").await;
    assert!(
        org.body.contains("href=\"/admin/departments/new\"")
            && org.body.contains("href=\"/admin/departments/dc-cgzf\"")
    );
    let csrf = org.hidden("_csrf");
    let fields = |id: &str, name: &str| -> Vec<(String, String)> {
        [
            ("_csrf", csrf.as_str()),
            ("id", id),
            ("name", name),
            ("short_name", "人防办"),
            ("kind", "department"),
            ("category", "应急"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    // Bad: an id with capitals, an empty name — the form again, nothing made.
    let bad = post(&mut b, "/admin/departments/new", &fields("DC RFB", "东城区人民防空办公室")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"id-error\"") && bad.text().contains("部门编码 格式不正确"), "{}", bad.body);
    let bad = post(&mut b, "/admin/departments/new", &fields("dc-rfb", " ")).await;
    assert!(bad.body.contains("id=\"name-error\""));
    let made = post(&mut b, "/admin/departments/new", &fields("dc-rfb", "东城区人民防空办公室")).await;
    assert_eq!((made.status, made.location()), (StatusCode::SEE_OTHER, "/admin?saved=dc-rfb#dep-dc-rfb"));
    let again = post(&mut b, "/admin/departments/new", &fields("dc-rfb", "别的")).await;
    assert!(again.text().contains("已有这个编码的部门"));
    // Renamed: the id stays.
    let renamed = post(&mut b, "/admin/departments/dc-rfb", &fields("dc-other", "东城区人防办")).await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let listed = app.send(app.client.get(format!("{}/api/v1/departments", app.base))).await.body;
    let rfb: Vec<&Value> = listed["items"].as_array().unwrap().iter().filter(|d| d["id"] == "dc-rfb").collect();
    assert_eq!(rfb.len(), 1);
    assert_eq!((rfb[0]["name"].as_str(), rfb[0]["short_name"].as_str()), (Some("东城区人防办"), Some("人防办")));
    assert!(!listed["items"].as_array().unwrap().iter().any(|d| d["id"] == "dc-other"));
    let audit = app.store.audit_of(&district(), "department", "dc-rfb").await.expect("audit");
    assert_eq!(audit.iter().map(|a| a.3.as_str()).collect::<Vec<_>>(), ["department.add", "department.change"]);

    // A street leader summons it at once, by its new name.
    let dispatcher = app.login("dispatcher").await;
    let case = app.new_case(&dispatcher, json!({"text": "地下人防工程被违规出租住人"})).await;
    let leader = app.login("street_leader").await;
    let r = app
        .post(
            &leader,
            "/api/v1/whistles",
            json!({"case_id": case["id"], "kind": "coordination", "reason": "人防工程违规住人",
              "departments": [{"department": "dc-rfb", "task": "核查并清理"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.body.to_string().contains("东城区人防办"), "{}", r.body);

    // Others cannot; the API says the same.
    let mut reader = Browser::signed_in(&app, "district_supervisor").await;
    assert!(!reader.get("/admin").await.body.contains("/admin/departments/new"));
    assert_eq!(reader.get("/admin/departments/dc-rfb").await.status, StatusCode::FORBIDDEN);
    let admin = app.login("system_admin").await;
    let put = |token: &str, body: Value| {
        let req = app.client.put(format!("{}/api/v1/departments/dc-mzj", app.base)).bearer_auth(token).json(&body);
        app.send(req)
    };
    let body = json!({"name": "东城区民政局", "short_name": "民政局", "kind": "department"});
    assert_eq!(put(&dispatcher, body.clone()).await.status, StatusCode::FORBIDDEN);
    let r = put(&admin, json!({"name": "东城区民政局", "short_name": "民政局", "kind": "agency"})).await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "field_malformed", Some("kind"))
    );
    let r = put(&admin, body).await;
    assert!(r.status == StatusCode::CREATED || r.status == StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["short_name"], "民政局");
}
