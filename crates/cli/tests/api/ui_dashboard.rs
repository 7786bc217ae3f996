//! The dashboard and admin pages through HTTP, as a browser without JavaScript uses them, on
//! the demo's simulated history: the figures agree with the JSON API, charts and the map are
//! SVG in the page, the report downloads with the session cookie, and the admin forms act
//! (users, calendar, imports) only for the right roles and only with the form's token.

use crate::helpers::*;
use crate::pages::{Browser, Page};
use reqwest::StatusCode;
use serde_json::Value;

/// As the page shows a rate: percent with two decimals.
fn pct(v: &Value) -> String {
    format!("{:.2}%", (v.as_f64().expect("a rate") * 10_000.0).round() / 100.0)
}

/// Sends a boundaries file to the imports form, with the form's token if there is one.
async fn post_file(b: &mut Browser, path: &str, csrf: Option<&str>, file: &[u8]) -> Page {
    let fields: Vec<(&str, &str)> = csrf.map(|t| ("_csrf", t)).into_iter().collect();
    b.post_multipart(path, &fields, Some(("boundaries", "b.geojson", "application/geo+json", file))).await
}

#[tokio::test]
async fn a_street_leader_sees_their_streets_figures_as_the_api_counts_them() {
    let app = spawn_app_with(300).await;
    let token = app.login("street_leader").await;
    let mut b = Browser::signed_in(&app, "street_leader").await;

    for month in ["2026-10", "2026-11"] {
        let page = b.get(&format!("/dashboard?month={month}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.text_of("dash-scope"), "东直门街道");
        let api = app.get(&token, &format!("/api/v1/rates?month={month}")).await;
        assert_eq!(api.status, StatusCode::OK);
        let row = &api.body["rows"].as_array().expect("rows")[0];
        assert_eq!(row["key"], DZM, "a street's leader gets their own street");
        assert!(row["tally"]["valid"].as_i64().unwrap() > 0, "the demo has call-backs in {month}");
        for rate in ["response", "resolution", "satisfaction", "composite"] {
            assert_eq!(page.text_of(&format!("rate-{rate}")), pct(&row["rates"][rate]), "{rate} of {month}");
        }
        // The rank as /api/v1/rankings ranks the street.
        let ranking = app.get(&token, &format!("/api/v1/rankings?month={month}")).await;
        let mine = ranking.body["rows"].as_array().unwrap().iter().find(|r| r["key"] == DZM).expect("ranked");
        if let Some(rank) = mine["rank"].as_u64() {
            assert!(page.text_of("street-rank").contains(&rank.to_string()), "{}", page.text_of("street-rank"));
        }
        assert!(page.body.contains(&format!("id=\"report-{DZM}\"")), "the monthly report lists the street");
    }

    let page = b.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    // Charts and the shaded map are SVG in the page, titled, with a table beside them.
    assert!(page.body.matches("<svg class=\"chart").count() >= 3, "intake, trend and duty item charts");
    assert!(page.body.contains("<svg class=\"choropleth\""), "the communities' map");
    assert!(page.body.contains(&format!("data-code=\"{SHIZIPO}\" fill=\"#")), "communities are shaded");
    assert!(page.body.contains("<svg class=\"legend\""), "with a legend");
    assert!(page.body.contains("十字坡社区："), "each community is titled with its count");
    assert!(!page.body.contains("110101001001"), "only the street's own communities");
    assert!(page.body.contains("<details>") && page.body.contains("<th scope=\"col\">"), "a data table too");
    assert!(!page.body.contains("src=\"http") && !page.body.contains("href=\"http"), "nothing from elsewhere");
    assert_eq!(page.body.matches("<script").count(), 1, "only the progressive script: no chart library");
    assert!(!page.body.contains("name=\"street\""), "no street selector for a street's leader");
    // A street's leader cannot look at another street by the address.
    let other = b.get("/dashboard?street=110101001").await;
    assert_eq!(other.text_of("dash-scope"), "东直门街道");

    // Today's intake and the open/overdue counts match the case list.
    let open = app.get(&token, "/api/v1/cases?street=110101009&overdue=true&per_page=1").await;
    let overdue_open = open.body["total"].as_u64().unwrap();
    assert!(page.text_of("overdue-count").parse::<u64>().unwrap() <= overdue_open);

    // The monthly report downloads with the session cookie alone.
    let xlsx = page.href_of("report-xlsx");
    assert_eq!(xlsx, "/api/v1/reports/monthly?month=2026-11&format=xlsx");
    let (status, kind, body) = b.bytes(&xlsx).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert!(body.starts_with(b"PK"), "an XLSX is a zip");
    let (status, kind, _) = b.bytes(&page.href_of("report-csv")).await;
    assert_eq!((status, kind.starts_with("text/csv")), (StatusCode::OK, true));

    // Page weight: the HTML, the stylesheet and the script together.
    let css = page.body.split("rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let js = page.body.split("<script src=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let weight = page.body.len() + b.bytes(&css).await.2.len() + b.bytes(&js).await.2.len();
    assert!(weight < 200 * 1024, "page weight {weight} bytes");

    // The nav offers the dashboard, not the admin pages.
    assert!(page.body.contains("href=\"/dashboard\" aria-current=\"page\""));
    assert!(!page.body.contains("href=\"/admin\""));
    // A bad month is a 400 page, not a 500.
    assert_eq!(b.get("/dashboard?month=2026-13").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_district_sees_every_street_and_may_choose_one() {
    let app = spawn_app_with(300).await;
    let token = app.login("district_supervisor").await;
    let mut b = Browser::signed_in(&app, "district_supervisor").await;
    let all = b.get("/dashboard?month=2026-10").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("name=\"street\""), "a street selector");
    assert!(all.body.matches("<path class=\"area\"").count() >= 169, "every community of the district");
    assert!(all.body.len() < 150 * 1024, "the district's page weighs {} bytes", all.body.len());
    assert!(all.body.matches("id=\"report-1101010").count() >= 17, "every street in the report");
    let api = app.get(&token, "/api/v1/rates?month=2026-10").await;
    assert_eq!(all.text_of("rate-composite"), pct(&api.body["total"]["rates"]["composite"]), "the district total");

    let one = b.get(&format!("/dashboard?month=2026-10&street={DZM}")).await;
    assert_eq!(one.text_of("dash-scope"), "东直门街道");
    let api = app.get(&token, &format!("/api/v1/rates?month=2026-10&street={DZM}")).await;
    assert_eq!(one.text_of("rate-satisfaction"), pct(&api.body["rows"][0]["rates"]["satisfaction"]));
    assert!(one.body.contains(&format!("<option value=\"{DZM}\" selected>")));
    assert_eq!(b.get("/dashboard?street=999999999").await.status, StatusCode::BAD_REQUEST);

    // The district supervisor reads the admin pages but changes nothing there.
    let admin = b.get("/admin").await;
    assert_eq!(admin.status, StatusCode::OK);
    assert!(!admin.body.contains("href=\"/admin/users\""));
    assert_eq!(b.get("/admin/users").await.status, StatusCode::FORBIDDEN);
    let cal = b.get("/admin/calendar?year=2026").await;
    assert_eq!(cal.status, StatusCode::OK);
    assert!(!cal.body.contains("method=\"post\" action=\"/admin/calendar\""), "no form to change the calendar");
    let csrf = cal.hidden("_csrf");
    let r = b.post_form("/admin/calendar", &[("_csrf", &csrf), ("date", "2027-03-15"), ("kind", "holiday")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn other_roles_are_refused_and_visitors_sent_to_sign_in() {
    let app = spawn_app().await;
    let mut b = Browser::signed_in(&app, "unit_staff").await;
    for path in ["/dashboard", "/admin", "/admin/users", "/admin/calendar", "/admin/imports", "/admin/catalog"] {
        let p = b.get(path).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
        assert!(p.body.contains("<html"), "a page, not a bare status");
    }
    let page = b.get("/my").await;
    assert!(!page.body.contains("href=\"/dashboard\"") && !page.body.contains("href=\"/admin\""));
    let mut anon = Browser::new(&app);
    let p = anon.get("/dashboard").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/login?next=%2Fdashboard");
}

#[tokio::test]
async fn the_admin_adds_a_user_who_can_then_sign_in_and_disables_them() {
    let app = spawn_app().await;
    let mut b = Browser::signed_in(&app, "system_admin").await;
    let form = b.get("/admin/users").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("street_leader"), "the accounts are listed");
    assert!(form.body.contains("王**") && !form.body.contains("王秀兰"), "a resident's name is masked");
    let csrf = form.hidden("_csrf");
    let users = |app: &TestApp| {
        let store = app.store.clone();
        async move { store.users(&chuishao_domain::DistrictCode::parse("110101").unwrap()).await.unwrap().len() }
    };
    let before = users(&app).await;

    // Without the form's token: refused, nothing made.
    let forged = b
        .post_form("/admin/users", &[("username", "forged"), ("name", "x"), ("role", "dispatcher"), ("scope", DZM)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(users(&app).await, before);

    // A scope that does not exist: the form again with its message, nothing made.
    let bad = b
        .post_form(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("username", "new_dispatcher"),
                ("name", "王五"),
                ("role", "dispatcher"),
                ("scope", "110101999"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("本区没有这个管辖范围"), "{}", bad.body);
    assert!(bad.body.contains("value=\"new_dispatcher\""), "the input is kept");
    assert_eq!(users(&app).await, before);

    let made = b
        .post_form(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("username", "new_dispatcher"),
                ("name", "王五"),
                ("role", "dispatcher"),
                ("scope", DZM),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let password = made.text_of("initial-password");
    assert_eq!(password.len(), 16);
    assert_eq!(users(&app).await, before + 1);
    // The new account signs in with it, as a dispatcher of 东直门街道.
    let login = app
        .send(
            app.client
                .post(format!("{}/api/v1/auth/login", app.base))
                .json(&serde_json::json!({"username": "new_dispatcher", "password": password})),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let me = app.get(login.body["token"].as_str().unwrap(), "/api/v1/auth/me").await;
    assert_eq!(me.body["role"], "dispatcher", "{}", me.body);
    // The password is not shown again.
    let list = b.get("/admin/users").await;
    assert!(!list.body.contains(&password));
    // The same username again: refused beside the field.
    let again = b
        .post_form(
            "/admin/users",
            &[("_csrf", &csrf), ("username", "new_dispatcher"), ("role", "dispatcher"), ("scope", DZM)],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("本区已有这个用户名"));

    // Disabled: the account can no longer sign in.
    let d = chuishao_domain::DistrictCode::parse("110101").unwrap();
    let id = app.store.users(&d).await.unwrap().into_iter().find(|u| u.username == "new_dispatcher").unwrap().id;
    let no_token = b.post_form(&format!("/admin/users/{id}/disable"), &[]).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let off = b.post_form(&format!("/admin/users/{id}/disable"), &[("_csrf", &csrf)]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    // Both changes are on the audit record, by the administrator, without the password.
    let audit = app.store.audit_of(&d, "user", &id).await.expect("audit");
    let actions: Vec<&str> = audit.iter().map(|(_, _, _, action, _)| action.as_str()).collect();
    assert_eq!(actions, ["user.create", "user.disable"]);
    assert!(audit.iter().all(|(_, who, ..)| who != &id), "done by the administrator");
    assert!(!format!("{audit:?}").contains(&password));
    let login = app
        .send(
            app.client
                .post(format!("{}/api/v1/auth/login", app.base))
                .json(&serde_json::json!({"username": "new_dispatcher", "password": password})),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert!(b.get("/admin/users").await.body.contains("已停用"));
}

#[tokio::test]
async fn the_admin_sets_and_removes_a_holiday_that_the_calendar_api_shows() {
    let app = spawn_app().await;
    let mut b = Browser::signed_in(&app, "system_admin").await;
    let page = b.get("/admin/calendar?year=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2026-10-01"), "the shipped National Day holiday");
    let csrf = page.hidden("_csrf");
    let on_api = |app: &TestApp| {
        let (client, base) = (app.client.clone(), app.base.clone());
        async move {
            let v: Value =
                client.get(format!("{base}/api/v1/calendar?year=2027")).send().await.unwrap().json().await.unwrap();
            v["items"].as_array().unwrap().iter().any(|d| d["date"] == "2027-03-15" && d["kind"] == "holiday")
        }
    };

    let forged = b.post_form("/admin/calendar", &[("date", "2027-03-15"), ("kind", "holiday")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!on_api(&app).await);
    let bad = b.post_form("/admin/calendar", &[("_csrf", &csrf), ("date", "2027-02-30"), ("kind", "holiday")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请按 2027-01-01 的格式填写日期"));

    let set = b
        .post_form(
            "/admin/calendar",
            &[("_csrf", &csrf), ("date", "2027-03-15"), ("kind", "holiday"), ("note", "测试假日")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    assert!(set.location().starts_with("/admin/calendar?year=2027"));
    assert!(on_api(&app).await, "the calendar API shows the new holiday at once");
    assert!(b.get("/admin/calendar?year=2027").await.body.contains("测试假日"));
    // Deadlines count on it: 2027-03-15 (Monday) is no longer a working day.
    let due = app
        .send(
            app.client.get(format!("{}/api/v1/calendar/deadline?start=2027-03-12T09:00:00%2B08:00&spec=1wd", app.base)),
        )
        .await;
    assert!(due.body["due"].as_str().unwrap().starts_with("2027-03-16"), "{}", due.body);

    let gone = b.post_form("/admin/calendar/2027-03-15/remove", &[("_csrf", &csrf)]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(!on_api(&app).await);
}

#[tokio::test]
async fn a_bad_boundaries_file_shows_the_named_error_and_imports_nothing() {
    let app = spawn_app().await;
    let d = chuishao_domain::DistrictCode::parse("110101").unwrap();
    let stored = app.store.boundaries(&d).await.unwrap();
    let mut b = Browser::signed_in(&app, "system_admin").await;
    let form = b.get("/admin/imports").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let csrf = form.hidden("_csrf");
    // A good first feature and an unknown community: the whole file is refused.
    let bad = format!(
        r#"{{"type":"FeatureCollection","features":[
          {{"type":"Feature","properties":{{"code":"{SHIZIPO}","name":"十字坡社区","level":"community"}},
           "geometry":{{"type":"Polygon","coordinates":[[[116.44,39.94],[116.45,39.94],[116.45,39.95],[116.44,39.94]]]}}}},
          {{"type":"Feature","properties":{{"code":"110101009999","name":"无此社区","level":"community"}},
           "geometry":{{"type":"Polygon","coordinates":[[[116.44,39.94],[116.45,39.94],[116.45,39.95],[116.44,39.94]]]}}}}]}}"#
    );
    let r = post_file(&mut b, "/admin/imports", Some(&csrf), bad.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("边界文件有误，未导入任何内容"), "{}", r.body);
    assert!(r.body.contains("110101009999"), "the feature is named");
    let r = post_file(&mut b, "/admin/imports", Some(&csrf), b"{ not json").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("边界文件有误"));
    let after = app.store.boundaries(&d).await.unwrap();
    assert_eq!(after.len(), stored.len());
    assert!(after.iter().zip(&stored).all(|(a, s)| a.code == s.code && a.geometry == s.geometry), "nothing changed");
    // Without the token: refused before anything is read into the store.
    let forged = post_file(&mut b, "/admin/imports", None, bad.as_bytes()).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_organisation_and_catalog_read_and_english_by_the_lang_cookie() {
    let app = spawn_app().await;
    let mut b = Browser::signed_in(&app, "system_admin").await;
    let org = b.get("/admin").await;
    assert_eq!(org.status, StatusCode::OK);
    assert_eq!(org.body.matches("/admin?street=1101010").count(), 17, "the 17 streets");
    assert!(org.body.contains("共 169 个社区"), "with their communities counted");
    let street = b.get(&format!("/admin?street={DZM}")).await;
    assert!(street.body.contains("十字坡社区") && street.body.contains("城市管理办公室"));
    let catalog = b.get("/admin/catalog?q=%E5%8D%A0%E9%81%93").await; // 占道
    assert_eq!(catalog.status, StatusCode::OK);
    assert!(catalog.text_of("catalog-count").starts_with("显示"), "{}", catalog.text_of("catalog-count"));
    assert!(catalog.body.contains("占道"));
    let page = b.get("/admin/catalog").await;
    assert!(page.text_of("catalog-count").contains("共 106 项"), "{}", page.text_of("catalog-count"));

    b.cookies.insert("lang".into(), "en".into());
    let en = b.get("/admin/users").await;
    assert!(en.body.contains("<html lang=\"en\"") && en.body.contains("Add a user"), "English admin");
    let mut leader = Browser::signed_in(&app, "street_leader").await;
    leader.cookies.insert("lang".into(), "en".into());
    let dash = leader.get("/dashboard").await;
    assert_eq!(dash.status, StatusCode::OK);
    for words in ["Response rate", "Composite score", "Requests by community", "Download Excel (XLSX)", "Dashboard"] {
        assert!(dash.body.contains(words), "{words}");
    }
    assert!(!dash.body.contains("响应率"), "no Chinese label left");
}

/// The texts of a table row's cells, from the row with this id.
fn row_cells(body: &str, id: &str) -> Vec<String> {
    let start = body.find(&format!("id=\"{id}\">")).unwrap_or_else(|| panic!("no row #{id}"));
    let row = body[start..].split("</tr>").next().unwrap_or("");
    row.split('<')
        .skip(1)
        .filter_map(|s| s.split_once('>').map(|(_, t)| t.trim().to_string()))
        .filter(|t| !t.is_empty())
        .collect()
}

#[tokio::test]
async fn the_districts_figures_are_the_apis_rates_and_rankings() {
    let app = spawn_app_with(300).await;
    let token = app.login("district_supervisor").await;
    let mut b = Browser::signed_in(&app, "district_supervisor").await;
    let opt_pct = |v: &Value| if v.is_null() { "—".to_string() } else { pct(v) };
    for month in ["2026-10", "2026-11"] {
        let page = b.get(&format!("/dashboard?month={month}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let rates = app.get(&token, &format!("/api/v1/rates?month={month}")).await;
        let total = &rates.body["total"];
        for rate in ["response", "resolution", "satisfaction", "composite"] {
            assert_eq!(page.text_of(&format!("rate-{rate}")), pct(&total["rates"][rate]), "{rate} of {month}");
        }
        // Each street's line of the report is its line of the ranking.
        let ranking = app.get(&token, &format!("/api/v1/rankings?month={month}")).await;
        let rows = ranking.body["rows"].as_array().expect("rows");
        assert!(rows.len() >= 17, "every street ranked");
        for r in rows {
            let key = r["key"].as_str().unwrap();
            let cells = row_cells(&page.body, &format!("report-{key}"));
            let rank = r["rank"].as_u64().map_or("—".to_string(), |n| n.to_string());
            let want = vec![
                rank,
                r["name"].as_str().unwrap().to_string(),
                r["tally"]["received"].to_string(),
                r["tally"]["valid"].to_string(),
                opt_pct(&r["rates"]["response"]),
                opt_pct(&r["rates"]["resolution"]),
                opt_pct(&r["rates"]["satisfaction"]),
                opt_pct(&r["rates"]["composite"]),
                opt_pct(&r["previous"]),
            ];
            assert_eq!(cells[..9], want[..], "{key} in {month}");
            assert_eq!(cells.get(9).cloned().unwrap_or_default(), r["class_label"].as_str().unwrap_or(""), "{key}");
        }
    }
    // The trend's months are each month's district total.
    let page = b.get("/dashboard?month=2026-11").await;
    for month in ["2026-06", "2026-09", "2026-10", "2026-11"] {
        let total = &app.get(&token, &format!("/api/v1/rates?month={month}")).await.body["total"];
        let marker = format!("<tr><th scope=\"row\">{month}</th><td>");
        let start = page.body.find(&marker).unwrap_or_else(|| panic!("{month} in the trend")) + marker.len();
        let cells: Vec<&str> = page.body[start..].split("</tr>").next().unwrap().split("</td><td>").collect();
        assert_eq!(cells[0], total["tally"]["received"].to_string(), "{month} received");
        assert_eq!(cells[1], total["tally"]["valid"].to_string(), "{month} valid");
        let composite = if total["rates"].is_null() { "—".into() } else { pct(&total["rates"]["composite"]) };
        assert_eq!(cells[2].trim_end_matches("</td>"), composite, "{month} composite");
    }
}

#[tokio::test]
async fn the_dashboard_proposes_what_the_api_proposes_with_every_reason() {
    let app = spawn_app_with(300).await;
    let dispatcher = app.login("dispatcher").await;
    // Four broken-stairwell-light requests at one door of 十字坡社区: two from the same caller.
    for phone in ["13911112222", "13933334444", "13911112222", "13955556666"] {
        let case = app
            .new_case(
                &dispatcher,
                serde_json::json!({"text": "楼道灯全不亮了，晚上上下楼只能打手电筒",
                    "location": {"lat": 39.9462, "lon": 116.4425}, "reporter": {"name": "李四", "phone": phone}}),
            )
            .await;
        app.ok(
            &dispatcher,
            &case,
            "dispatch",
            serde_json::json!({"unit": "110101009-community-building", "duty_item": "C-021"}),
        )
        .await;
    }
    for who in ["street_leader", "district_supervisor"] {
        let token = app.login(who).await;
        let mut b = Browser::signed_in(&app, who).await;
        let path = if who == "street_leader" {
            "/dashboard?month=2026-11".to_string()
        } else {
            format!("/dashboard?month=2026-11&street={DZM}")
        };
        let page = b.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let section = page.body.split("id=\"h-proposals\"").nth(1).unwrap().split("</section>").next().unwrap();
        let api = app.get(&token, "/api/v1/themes/proposals?month=2026-11&area=community").await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.body);
        let listed: Vec<&Value> = api.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["area"]["code"].as_str().unwrap().starts_with(DZM))
            .take(5)
            .collect();
        let ours = listed
            .iter()
            .find(|p| p["area"]["code"] == SHIZIPO && p["duty_item"]["code"] == "C-021")
            .unwrap_or_else(|| panic!("the API proposes the stairwell lights: {}", api.body));
        assert!(ours["reasons"].as_array().unwrap().iter().any(|r| r == "hotspot"), "{ours}");
        assert_eq!(ours["repeats"], 1, "{ours}");
        // Every proposal the API lists for the street is on the page, with all its reasons.
        assert_eq!(section.matches("<li>").count(), listed.len(), "{section}");
        for p in &listed {
            let head = format!(
                "<strong>{} · {}</strong>",
                p["area"]["name"].as_str().unwrap(),
                p["duty_item"]["name"].as_str().unwrap()
            );
            let line = section
                .split(&head)
                .nth(1)
                .unwrap_or_else(|| panic!("{head} on the page: {section}"))
                .split("</li>")
                .next()
                .unwrap();
            let labels: Vec<&str> =
                p["reason_labels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
            assert!(line.contains(&labels.join("、")), "{line} has {labels:?}");
        }
        assert!(section.contains("重复诉求 1 件") && section.contains("热点网格"), "{section}");
        assert!(!section.contains("1391111") && !section.contains("李四"), "who called is not shown");
    }
}
