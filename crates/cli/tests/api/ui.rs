//! The web pages through HTTP, as a browser without JavaScript uses them (see `pages`): the
//! request form, tracking and rating, signing in and out, the language switch.

use crate::helpers::*;
use crate::pages::{pairs, Browser, Page};
use reqwest::header::SET_COOKIE;
use reqwest::StatusCode;
use serde_json::json;

/// A 1×1 PNG.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0a, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// The request form's fields as a resident fills them in, with the form's own hidden fields.
pub(crate) fn filled<'a>(form: &'a Page, csrf: &'a str, form_id: &'a str) -> Vec<(&'static str, String)> {
    let _ = form;
    vec![
        ("_csrf", csrf.to_string()),
        ("form_id", form_id.to_string()),
        ("kind", "complaint".into()),
        ("text", "十字坡社区门口早市占道经营，堵塞道路".into()),
        ("community_code", SHIZIPO.into()),
        ("lat", String::new()),
        ("lon", String::new()),
        ("address", "东直门南大街5号院3号楼301".into()),
        ("phone", "138 1234 5678".into()),
        ("name", "张三".into()),
    ]
}

async fn cases(app: &TestApp) -> u64 {
    app.store.count_rows("cases").await.expect("count")
}

#[tokio::test]
async fn a_resident_submits_a_request_tracks_it_masked_and_rates_the_result() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let form = b.get("/submit").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<svg class=\"map\""), "the map is drawn by the server");
    assert!(form.body.contains(&format!("data-code=\"{SHIZIPO}\"")), "communities are paths");
    assert!(form.body.contains(&format!("<option value=\"{SHIZIPO}\">")), "and a list without JS");
    let (csrf, form_id) = (form.hidden("_csrf"), form.hidden("form_id"));
    let fields = filled(&form, &csrf, &form_id);

    let sent = b.post_multipart("/submit", &pairs(&fields), Some(("photo", "IMG_0001.png", "image/png", PNG))).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let number = sent.text_of("case-number");
    let code = sent.text_of("access-code");
    assert!(number.starts_with("110101-"), "{number}");
    assert_eq!(code.len(), 11, "{code}");

    // Stored as a web request with its reporter, the photo's metadata on the case.
    let d = chuishao_domain::DistrictCode::parse("110101").unwrap();
    let id = app.store.case_id_by_number(&d, &number).await.unwrap().expect("the case exists");
    let (case, _) = app.store.load_case(&d, id).await.unwrap().unwrap();
    assert_eq!(case.channel.as_str(), "web");
    assert_eq!(case.reporter.as_ref().unwrap().phone.as_str(), "13812345678");
    assert_eq!(case.community.as_ref().unwrap().as_str(), SHIZIPO);
    assert_eq!(case.attachments.len(), 1);
    assert_eq!((case.attachments[0].name.as_str(), case.attachments[0].size), ("photo.png", PNG.len() as u64));

    // The same form sent again (a reload) files nothing new and shows the same code.
    let again = b.post_multipart("/submit", &pairs(&fields), Some(("photo", "IMG_0001.png", "image/png", PNG))).await;
    assert_eq!((again.text_of("case-number"), again.text_of("access-code")), (number.clone(), code.clone()));
    assert_eq!(cases(&app).await, 1);

    // Tracking, in another browser: the number and the code (typed loosely) open it, masked.
    let mut other = Browser::new(&app);
    let typed = code.to_lowercase().replace('-', " ");
    let t = other.post_form("/track", &[("number", &number), ("code", &typed)]).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    for shown in ["138****5678", "张*", "东直门南大街*号院*号楼*", "诉求已提交", "已上传照片"] {
        assert!(t.body.contains(shown), "{shown} is shown");
    }
    for hidden in ["13812345678", "张三", "5号院3号楼301"] {
        assert!(!t.body.contains(hidden), "{hidden} must not be shown");
    }
    // A wrong code, an unknown number: the same answer, nothing shown.
    let wrong = other.post_form("/track", &[("number", &number), ("code", "ABCDE-FGHJK")]).await;
    let unknown = other.post_form("/track", &[("number", "110101-20260101-9999"), ("code", &code)]).await;
    for r in [&wrong, &unknown] {
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.body.contains("没有找到这件诉求") && !r.body.contains("138****5678"));
    }

    // Handled to the callback by the officials (API): the page says how, in residents' words.
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let leader = app.login("street_leader").await;
    let c = json!({"id": id.to_string()});
    app.ok(&dispatcher, &c, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-055"})).await;
    app.ok(&staff, &c, "accept", json!({})).await;
    app.ok(&staff, &c, "contact", json!({"note": "内部备注：电话联系"})).await;
    app.ok(&staff, &c, "resolve", json!({"result": "已清理摊贩，恢复通行"})).await;
    app.ok(&leader, &c, "verify", json!({})).await;
    // Verified: the resident may rate it here, which counts as the callback (回访).
    let t = other.post_form("/track", &[("number", &number), ("code", &code)]).await;
    assert!(t.body.contains("提交评价"), "the rating form is offered: {}", t.body);
    let csrf = t.hidden("_csrf");
    let rate = |satisfaction: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("number", number.clone()),
            ("code", code.clone()),
            ("contacted", "yes".to_string()),
            ("solved", "yes".to_string()),
            ("satisfaction", satisfaction.to_string()),
            ("note", "处理得很快".to_string()),
        ]
    };
    // Without a choice: asked again, nothing recorded.
    let missing = other.post_form("/track/rate", &pairs(&rate(""))).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("请选择一项"));
    assert!(app.store.load_case(&d, id).await.unwrap().unwrap().0.callback.is_none());
    // Without the form's token: refused, nothing recorded.
    let forged: Vec<(&str, String)> = rate("satisfied").into_iter().filter(|(k, _)| *k != "_csrf").collect();
    assert_eq!(other.post_form("/track/rate", &pairs(&forged)).await.status, StatusCode::FORBIDDEN);
    // Someone without the code gets nothing.
    let mut stranger = Browser::new(&app);
    let page = stranger.get("/login").await;
    let mut guess = rate("dissatisfied");
    guess[0].1 = page.hidden("_csrf");
    guess[2].1 = "ABCDE-FGHJK".into();
    assert_eq!(stranger.post_form("/track/rate", &pairs(&guess)).await.status, StatusCode::NOT_FOUND);
    let rated = other.post_form("/track/rate", &pairs(&rate("basically_satisfied"))).await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert!(rated.body.contains("感谢您的评价"));
    let cb = app.store.load_case(&d, id).await.unwrap().unwrap().0.callback.expect("recorded as the callback");
    assert!(cb.contacted && cb.solved && cb.satisfaction.as_str() == "basically_satisfied");
    // Rated once: a second rating is refused with the reason, and changes nothing.
    let again = other.post_form("/track/rate", &pairs(&rate("dissatisfied"))).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        app.store.load_case(&d, id).await.unwrap().unwrap().0.callback.unwrap().satisfaction.as_str(),
        "basically_satisfied"
    );
    let t = other.post_form("/track", &[("number", &number), ("code", &code)]).await;
    for shown in [
        "已交由 城市管理办公室 办理",
        "承办人员已与您联系",
        "已办结：已清理摊贩，恢复通行",
        "回访结果：基本满意；问题已解决",
    ] {
        assert!(t.body.contains(shown), "{shown} in {}", t.body);
    }
    assert!(!t.body.contains("内部备注"), "internal notes stay internal");
}

#[tokio::test]
async fn forms_without_the_right_token_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let form = b.get("/submit").await;
    let form_id = form.hidden("form_id");
    let good = form.hidden("_csrf");
    for token in ["", "forged-token", &good[..good.len() - 1]] {
        let mut fields = filled(&form, token, &form_id);
        if token.is_empty() {
            fields.remove(0);
        }
        let r = b.post_multipart("/submit", &pairs(&fields), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "token {token:?}");
        assert!(r.body.contains("表单已失效"), "a clear page in Chinese: {}", r.body);
    }
    // A token is bound to its visitor: another browser's cookie does not match it.
    let mut stranger = Browser::new(&app);
    stranger.get("/").await;
    let r = stranger.post_multipart("/submit", &pairs(&filled(&form, &good, &form_id)), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(cases(&app).await, 0, "nothing was written");

    // Login and logout are guarded too.
    let r = b.post_form("/login", &[("username", "dispatcher"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!b.cookies.contains_key("chuishao_session"));
    let signed = b.sign_in("dispatcher").await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let strangers = stranger.get("/login").await.hidden("_csrf");
    let r = b.post_form("/logout", &[("_csrf", &strangers)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another visitor's token");
    let r = b.get("/my").await;
    assert_eq!(r.status, StatusCode::OK, "still signed in");
    // In English, for an English browser.
    b.accept_language = Some("en");
    let r = b.post_form("/logout", &[("_csrf", "nope")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("This form has expired"), "{}", r.body);
}

#[tokio::test]
async fn sign_in_and_out_with_forms_and_pages_that_need_it_redirect() {
    let app = spawn_app().await;
    let dispatcher = app.login("dispatcher").await;
    let filed = app.new_case(&dispatcher, json!({})).await;
    let mut b = Browser::new(&app);

    let r = b.get("/my?view=all").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=%2Fmy");

    let form = b.get("/login?next=/my").await;
    assert_eq!(form.hidden("next"), "/my");
    let csrf = form.hidden("_csrf");
    let r = b
        .post_form("/login", &[("_csrf", &csrf), ("username", "dispatcher"), ("password", "wrong"), ("next", "/my")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("用户名或密码错误"));
    assert!(r.body.contains("value=\"dispatcher\""), "the username is kept");
    let r = b
        .post_form(
            "/login",
            &[("_csrf", &csrf), ("username", "dispatcher"), ("password", PASSWORD), ("next", "//evil.example/")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/my", "only local pages are followed after login");
    let cookie = r
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("chuishao_session="));
    let cookie = cookie.expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));

    let my = b.get("/my").await;
    assert_eq!(my.status, StatusCode::OK);
    assert!(my.body.contains("我的工作") && my.body.contains(filed["number"].as_str().unwrap()));
    assert!(!my.body.contains("13812345678"), "lists carry no phone numbers");
    // The session works for the API too (the same session machinery).
    let me = b.get("/api/v1/auth/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains("\"role\":\"dispatcher\""));

    let csrf = my.hidden("_csrf");
    let out = b.post_form("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(b.get("/my").await.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/api/v1/auth/me").await.status, StatusCode::UNAUTHORIZED, "the session is gone");

    // A resident signs in to their own requests.
    let mut r = Browser::new(&app);
    assert_eq!(r.sign_in("resident").await.location(), "/my");
    let mine = r.get("/my").await;
    assert!(mine.body.contains("我的诉求") && !mine.body.contains(filed["number"].as_str().unwrap()));
}

#[tokio::test]
async fn the_language_switch_flips_the_pages() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let home = b.get("/").await;
    assert!(home.body.contains("<html lang=\"zh-CN\">") && home.body.contains("提交诉求"));
    assert_eq!(home.headers.get("content-language").unwrap(), "zh-CN");

    let r = b.get("/lang/en?back=/submit").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/submit"));
    assert_eq!(b.cookies.get("lang").map(String::as_str), Some("en"));
    let home = b.get("/").await;
    assert!(home.body.contains("<html lang=\"en\">") && home.body.contains("Make a request"));
    assert!(!home.body.contains("提交诉求"));
    let r = b.get("/lang/zh?back=https://evil.example/").await;
    assert_eq!(r.location(), "/");
    assert!(b.get("/").await.body.contains("提交诉求"));

    // Without the switch, the browser's preference; the switch wins over it.
    let mut en = Browser::new(&app);
    en.accept_language = Some("en-US,en;q=0.9");
    assert!(en.get("/track").await.body.contains("Track a request"));
    en.get("/lang/zh").await;
    assert!(en.get("/track").await.body.contains("查询办理进度"));
    assert_eq!(b.get("/lang/fr").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_is_shown_again_beside_its_field_and_writes_nothing() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let form = b.get("/submit").await;
    let (csrf, form_id) = (form.hidden("_csrf"), form.hidden("form_id"));
    let mut fields = filled(&form, &csrf, &form_id);
    for (k, v) in fields.iter_mut() {
        match *k {
            "text" => *v = "   ".into(),
            "phone" => *v = "12345".into(),
            "community_code" => *v = String::new(),
            "address" => *v = "某个不存在的地方".into(),
            _ => {}
        }
    }
    let r = b.post_multipart("/submit", &pairs(&fields), Some(("photo", "notes.txt", "text/plain", b"hello"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for shown in [
        "id=\"text-error\">缺少必填项：诉求内容",
        "id=\"phone-error\">联系电话 格式不正确，应为11位手机号或带区号的固定电话",
        "id=\"community_code-error\">没能根据地址找到所在社区",
        "id=\"photo-error\">请选择图片文件",
        "value=\"某个不存在的地方\"",
        "value=\"12345\"",
        "aria-invalid=\"true\"",
    ] {
        assert!(r.body.contains(shown), "{shown} in {}", r.body);
    }
    assert_eq!(cases(&app).await, 0);

    // No place at all; in English.
    b.get("/lang/en").await;
    let mut fields = filled(&form, &csrf, &form_id);
    for (k, v) in fields.iter_mut() {
        if *k == "community_code" || *k == "address" {
            *v = String::new();
        }
    }
    let r = b.post_multipart("/submit", &pairs(&fields), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Click the place on the map, choose a community or type the address"), "{}", r.body);
    assert!(r.body.contains("十字坡社区门口早市占道经营"), "the text is kept");
    assert_eq!(cases(&app).await, 0);

    // A point clicked on the map places the request without a community chosen.
    let mut fields = filled(&form, &csrf, &form_id);
    for (k, v) in fields.iter_mut() {
        match *k {
            "community_code" | "address" => *v = String::new(),
            "lat" => *v = "39.9475".into(),
            "lon" => *v = "116.4487".into(),
            _ => {}
        }
    }
    let r = b.post_multipart("/submit", &pairs(&fields), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(cases(&app).await, 1);
}

#[tokio::test]
async fn pages_are_self_contained_light_and_answer_errors_as_pages() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let mut pages = vec![];
    for path in ["/", "/submit", "/track", "/login", "/no-such-page"] {
        pages.push((path, b.get(path).await));
    }
    b.sign_in("dispatcher").await;
    pages.push(("/my", b.get("/my").await));

    let home = &pages[0].1;
    let css_url = home.body.split("rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let js_url = home.body.split("<script src=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let css = b.get(&css_url).await;
    let js = b.get(&js_url).await;
    for asset in [&css, &js] {
        assert_eq!(asset.status, StatusCode::OK);
        assert!(asset.headers.get("cache-control").unwrap().to_str().unwrap().contains("immutable"));
        assert!(!asset.body.contains("http://") && !asset.body.contains("https://"));
    }
    assert!(css.body.contains("PingFang SC") && !css.body.contains("@import") && !css.body.contains("url("));
    assert_eq!(b.get("/assets/app.0000000000.css").await.status, StatusCode::NOT_FOUND);

    for (path, page) in &pages {
        let expected = if *path == "/no-such-page" { StatusCode::NOT_FOUND } else { StatusCode::OK };
        assert_eq!(page.status, expected, "{path}");
        assert!(page.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/html"), "{path}");
        let csp = page.headers.get("content-security-policy").expect("CSP").to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{path}");
        assert!(!page.body.contains("http://") && !page.body.contains("https://"), "{path} names another site");
        assert!(page.body.contains("<main id=\"main\"") && page.body.contains("href=\"#main\""), "{path} landmarks");
        let weight = page.body.len() + css.body.len() + js.body.len();
        assert!(weight < 200 * 1024, "{path} weighs {weight} bytes");
    }
    assert!(pages[4].1.body.contains("您要找的页面不存在"));

    // Errors of lower layers are pages too; the API keeps its JSON.
    let r = b.client.delete(format!("{}/submit", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.text().await.unwrap().contains("此页面不支持这种访问方式"));
    let api = app.send(app.client.get(format!("{}/api/v1/no-such", app.base))).await;
    assert_eq!((api.status, api.code()), (StatusCode::NOT_FOUND, "not_found"));
    let health = app.send(app.client.get(format!("{}/healthz", app.base))).await;
    assert_eq!(health.status, StatusCode::OK);
}

#[tokio::test]
async fn a_signed_in_resident_files_under_their_account_and_finds_it_in_their_list() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("resident").await.status, StatusCode::SEE_OTHER);
    let form = b.get("/submit").await;
    let (csrf, form_id) = (form.hidden("_csrf"), form.hidden("form_id"));
    let sent = b.post_multipart("/submit", &pairs(&filled(&form, &csrf, &form_id)), None).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let number = sent.text_of("case-number");
    assert!(!sent.body.contains("id=\"access-code\""), "an account needs no code");
    let mine = b.get("/my").await;
    assert!(mine.body.contains(&number), "listed under my requests");
    // Their own request opens by its number alone; for anyone else the number is not enough.
    let t = b.post_form("/track", &[("number", &number), ("code", "")]).await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(t.body.contains("138****5678"));
    let mut stranger = Browser::new(&app);
    let t = stranger.post_form("/track", &[("number", &number), ("code", "")]).await;
    assert_eq!(t.status, StatusCode::NOT_FOUND);
    // The API shows the resident the same request.
    let token = app.login("resident").await;
    let listed = app.get(&token, "/api/v1/cases").await;
    assert_eq!(listed.body["items"][0]["number"], number.as_str());
}
