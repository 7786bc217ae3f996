//! Photos of a case: kept with the event that records them (the resident's from the request
//! form, officials' from the API and the case page), shown only to those who may see the case,
//! refused unless they are images, and carried by backups, restores and moves.

use crate::helpers::*;
use crate::pages::{multipart, pairs, Browser};
use crate::ui::{filled, PNG};
use chuishao_domain::{DistrictCode, Role};
use chuishao_store::sha256_hex;
use reqwest::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The first bytes of a JPEG and of a GIF: what makes a file an image here.
const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0xff, 0xd9];
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";

fn district() -> DistrictCode {
    DistrictCode::parse("110101").unwrap()
}

async fn blobs(app: &TestApp) -> u64 {
    app.store.count_rows("attachment_blobs").await.expect("count")
}

/// A file sent to the API's upload, as `token`; `lang` sets Accept-Language.
async fn upload(app: &TestApp, token: &str, case: &str, file: (&str, &str, &[u8]), lang: Option<&str>) -> Reply {
    let (name, content_type, bytes) = file;
    let (form_type, body) = multipart(&[], Some(("file", name, content_type, bytes)));
    let mut req = app
        .client
        .post(format!("{}/api/v1/cases/{case}/attachments", app.base))
        .bearer_auth(token)
        .header(CONTENT_TYPE, form_type)
        .body(body);
    if let Some(l) = lang {
        req = req.header(ACCEPT_LANGUAGE, l);
    }
    app.send(req).await
}

/// A file as the API serves it: status, content type and bytes.
async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let res = app.client.get(format!("{}{path}", app.base)).bearer_auth(token).send().await.expect("request");
    let kind = res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (res.status(), kind, res.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn a_residents_photo_is_kept_with_the_request_and_shown_only_to_those_who_may_see_it() {
    let app = spawn_app().await;
    let mut resident = Browser::new(&app);
    let form = resident.get("/submit").await;
    let (csrf, form_id) = (form.hidden("_csrf"), form.hidden("form_id"));
    let fields = filled(&form, &csrf, &form_id);
    let sent =
        resident.post_multipart("/submit", &pairs(&fields), Some(("photo", "IMG_1.png", "image/png", PNG))).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let number = sent.text_of("case-number");
    let id = app.store.case_id_by_number(&district(), &number).await.unwrap().expect("the case");
    let (case, events) = app.store.load_case(&district(), id).await.unwrap().unwrap();
    let sha = sha256_hex(PNG);
    assert_eq!(case.attachments[0].sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(case.attachments[0].name, "photo.png", "nothing of the file's own name is kept");
    assert_eq!(events.len(), 2, "received and attachment_added, in one transaction");
    assert_eq!(blobs(&app).await, 1);

    // The resident sees it again on the tracking page (number and code, no session), by a
    // signed link that works for an hour and opens nothing else.
    let code = sent.text_of("access-code");
    let tracked = Browser::new(&app).post_form("/track", &[("number", &number), ("code", &code)]).await;
    let marker = "<img class=\"thumb\" src=\"";
    let start = tracked.body.find(marker).unwrap_or_else(|| panic!("a thumbnail in {}", tracked.body)) + marker.len();
    let link = tracked.body[start..].split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&");
    assert!(link.starts_with(&format!("/track/photos/{number}/")) && !link.contains(&code), "{link}");
    let mut anyone = Browser::new(&app);
    assert_eq!(anyone.bytes(&link).await, (StatusCode::OK, "image/png".to_string(), PNG.to_vec()));
    assert_eq!(anyone.bytes(&link.replace("sig=", "sig=x")).await.0, StatusCode::NOT_FOUND);
    let until = link.split("until=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let later = link.replace(&until, &(until.parse::<i64>().unwrap() + 1).to_string());
    assert_eq!(anyone.bytes(&later).await.0, StatusCode::NOT_FOUND, "the time is signed too");
    app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(anyone.bytes(&link).await.0, StatusCode::NOT_FOUND, "an old link opens nothing");
    app.clock.advance(chrono::Duration::hours(-2));

    // The dispatcher sees the thumbnail on the case page and opens the very bytes sent.
    let mut dispatcher = Browser::signed_in(&app, "dispatcher").await;
    let page = dispatcher.get(&format!("/cases/{id}")).await;
    let href = format!("/cases/{id}/attachments/{sha}");
    assert!(page
        .body
        .contains(&format!("<a href=\"{href}\" class=\"photo-link\"><img class=\"thumb\" src=\"{href}\"")));
    assert!(page.body.contains("alt=\"照片 1：photo.png\"") && page.body.contains("loading=\"lazy\""));
    let (status, kind, bytes) = dispatcher.bytes(&href).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"));
    assert_eq!(sha256_hex(&bytes), sha);
    let served = dispatcher.get(&href).await;
    assert_eq!(served.header(CACHE_CONTROL), "private, max-age=86400");
    assert_eq!(served.header(reqwest::header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(served.header(CONTENT_DISPOSITION), "inline");
    // Through the API too, listed with where to fetch it.
    let token = app.login("dispatcher").await;
    let list = app.get(&token, &format!("/api/v1/cases/{number}/attachments")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let api_href = list.body["items"][0]["href"].as_str().expect("kept, so served").to_string();
    let (status, kind, bytes) = download(&app, &token, &api_href).await;
    assert_eq!((status, kind.as_str(), bytes.as_slice()), (StatusCode::OK, "image/png", PNG));
    let inspector = app.login("inspector").await;
    assert_eq!(download(&app, &inspector, &api_href).await.0, StatusCode::OK, "the inspector reads every case");

    // Anyone who may not see the case gets the same 404 as for a file that does not exist:
    // another street's dispatcher, a resident who did not file it, a unit it was never sent to.
    app.add_user("dispatcher_ds", Role::Dispatcher, "110101006").await;
    for user in ["dispatcher_ds", "resident", "unit_staff2"] {
        let t = app.login(user).await;
        let r = app.get(&t, &api_href).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "case_not_found"), "{user}");
    }
    let mut other = Browser::signed_in(&app, "dispatcher_ds").await;
    assert_eq!(other.bytes(&href).await.0, StatusCode::NOT_FOUND);
    assert!(Browser::new(&app).get(&href).await.location().starts_with("/login"), "signed out: to the login");
    // A case that does not name the file does not serve it, though the file is stored.
    let unrelated = app.new_case(&token, json!({})).await;
    let elsewhere = format!("/api/v1/cases/{}/attachments/{sha}", unrelated["id"].as_str().unwrap());
    let r = app.get(&token, &elsewhere).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "attachment_not_found"));
    let r = app.get(&token, &format!("/api/v1/cases/{id}/attachments/{}", sha256_hex(b"other"))).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "attachment_not_found"));
}

/// A case dispatched to 城市管理办公室 and accepted there; answers it.
async fn handled_case(app: &TestApp) -> Value {
    let dispatcher = app.login("dispatcher").await;
    let staff = app.login("unit_staff").await;
    let case = app.new_case(&dispatcher, json!({})).await;
    app.ok(&dispatcher, &case, "dispatch", json!({"unit": CITY_OFFICE, "duty_item": "C-055"})).await;
    app.ok(&staff, &case, "accept", json!({})).await
}

#[tokio::test]
async fn unit_staff_attach_photos_through_the_api_and_non_images_are_refused() {
    let app = spawn_app().await;
    let staff = app.login("unit_staff").await;
    let case = handled_case(&app).await;
    let id = case["id"].as_str().unwrap().to_string();
    let version = case["version"].as_u64().unwrap();

    let r = upload(&app, &staff, &id, ("整改后/现场.jpg", "image/jpeg", JPEG), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sha = sha256_hex(JPEG);
    let a = &r.body["attachment"];
    assert_eq!(
        (a["name"].as_str(), a["content_type"].as_str(), a["size"].as_u64()),
        (Some("现场.jpg"), Some("image/jpeg"), Some(JPEG.len() as u64))
    );
    assert_eq!(a["sha256"].as_str(), Some(sha.as_str()));
    assert_eq!(r.body["case_version"].as_u64(), Some(version + 1));
    let now = app.case(&staff, &case).await.body;
    assert_eq!(now["attachments"], 1);
    let last = now["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["type"].as_str(), last["data"]["sha256"].as_str()),
        (Some("attachment_added"), Some(sha.as_str()))
    );
    let (status, _, bytes) = download(&app, &staff, a["href"].as_str().unwrap()).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, JPEG));
    // The same image again is recorded once.
    let again = upload(&app, &staff, &id, ("again.jpg", "image/jpeg", JPEG), None).await;
    assert_eq!((again.status, again.body["case_version"].as_u64()), (StatusCode::OK, Some(version + 1)));
    assert_eq!(blobs(&app).await, 1);

    // Text declared as a PNG is not an image: refused, nothing written.
    let text = b"just some text, not a picture at all";
    let r = upload(&app, &staff, &id, ("fake.png", "image/png", text), None).await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "attachment_not_image", Some("file"))
    );
    assert!(r.body["message"].as_str().unwrap().contains("只能上传图片"), "{}", r.body);
    let r = upload(&app, &staff, &id, ("fake.png", "image/png", text), Some("en")).await;
    assert!(r.body["message"].as_str().unwrap().starts_with("Only images can be uploaded"), "{}", r.body);
    // Larger than 10 MB, though an image by its first bytes.
    let mut big = JPEG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let r = upload(&app, &staff, &id, ("big.jpg", "image/jpeg", &big), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "attachment_too_large"));
    assert_eq!(blobs(&app).await, 1, "nothing stored for refused files");
    assert_eq!(app.case(&staff, &case).await.body["version"].as_u64(), Some(version + 1));

    // Who may not attach: the read-only inspector; a stale version; not a multipart body.
    let inspector = app.login("inspector").await;
    let r = upload(&app, &inspector, &id, ("x.gif", "image/gif", GIF), None).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "role_not_permitted"));
    let (form_type, body) = multipart(&[("expected_version", "2")], Some(("file", "x.gif", "image/gif", GIF)));
    let stale = app
        .send(
            app.client
                .post(format!("{}/api/v1/cases/{id}/attachments", app.base))
                .bearer_auth(&staff)
                .header(CONTENT_TYPE, form_type)
                .body(body),
        )
        .await;
    assert_eq!((stale.status, stale.code()), (StatusCode::CONFLICT, "version_conflict"));
    let r = app.post(&staff, &format!("/api/v1/cases/{id}/attachments"), json!({"file": "x"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "multipart_expected"));
    assert_eq!(blobs(&app).await, 1);
    // The JSON routes keep their 1 MB limit.
    let r = app.act(&staff, &case, "add-note", json!({"text": "长".repeat(400_000)})).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
}

#[tokio::test]
async fn the_case_page_offers_a_photo_form_to_those_who_may_attach() {
    let app = spawn_app().await;
    let case = handled_case(&app).await;
    let id = case["id"].as_str().unwrap().to_string();
    let mut staff = Browser::signed_in(&app, "unit_staff").await;
    let page = staff.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains(&format!("action=\"/cases/{id}/attachments\" enctype=\"multipart/form-data\"")));
    let (csrf, version) = (page.hidden("_csrf"), page.hidden("version"));

    // Without the page's token nothing happens.
    let forged = staff
        .post_multipart(
            &format!("/cases/{id}/attachments"),
            &[("version", &version)],
            Some(("photo", "a.gif", "image/gif", GIF)),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Not an image: the page again, saying why.
    let fields = [("_csrf", csrf.as_str()), ("version", version.as_str())];
    let bad = staff
        .post_multipart(
            &format!("/cases/{id}/attachments"),
            &fields,
            Some(("photo", "a.gif", "image/gif", b"not a gif")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请选择图片文件"), "{}", bad.body);
    assert_eq!(blobs(&app).await, 0);

    let sent = staff
        .post_multipart(&format!("/cases/{id}/attachments"), &fields, Some(("photo", "a.gif", "image/gif", GIF)))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(sent.headers[LOCATION].to_str().unwrap().starts_with(&format!("/cases/{id}?done=add-attachment")));
    let page = staff.get(&format!("/cases/{id}?done=add-attachment")).await;
    assert!(page.body.contains("已完成：添加附件"), "{}", page.body);
    let href = format!("/cases/{id}/attachments/{}", sha256_hex(GIF));
    assert!(page.body.contains(&format!("src=\"{href}\"")));
    assert_eq!(staff.bytes(&href).await, (StatusCode::OK, "image/gif".to_string(), GIF.to_vec()));
    // The page as it was is stale now: refused, nothing written twice.
    let stale = staff
        .post_multipart(&format!("/cases/{id}/attachments"), &fields, Some(("photo", "b.jpg", "image/jpeg", JPEG)))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(blobs(&app).await, 1);

    // The inspector sees the photo but is offered no form.
    let mut inspector = Browser::signed_in(&app, "inspector").await;
    let page = inspector.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains(&format!("src=\"{href}\"")) && !page.body.contains("enctype=\"multipart/form-data\""));
    inspector.accept_language = Some("en");
    let page = inspector.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("alt=\"Photo 1: a.gif\""), "{}", page.body);
}

#[tokio::test]
async fn photos_survive_backup_restore_and_a_move_and_verify_checks_their_bytes() {
    let app = spawn_app().await;
    let staff = app.login("unit_staff").await;
    let case = handled_case(&app).await;
    let id = case["id"].as_str().unwrap();
    assert_eq!(upload(&app, &staff, id, ("a.jpg", "image/jpeg", JPEG), None).await.status, StatusCode::CREATED);
    let sha = sha256_hex(JPEG);
    let report = app.store.verify().await.unwrap();
    assert_eq!((report.blobs, report.mismatches.len()), (1, 0));
    let dir = tempfile::tempdir().unwrap();

    // Moved to another database (PostgreSQL in the PostgreSQL pass), checked there.
    let target_url = fresh_database(dir.path()).await;
    let target = chuishao_store::Store::connect(&target_url).await.unwrap();
    let moved = app.store.transfer_to(&target).await.unwrap();
    assert!(moved.tables.contains(&("attachment_blobs".to_string(), 1)));
    assert_eq!(target.blob(&district(), &sha).await.unwrap().map(|b| b.bytes), Some(JPEG.to_vec()));
    assert_eq!(moved.verify.blobs, 1);
    // A file whose bytes no longer match its hash is reported.
    let mut conn = target_conn(&target_url).await;
    sqlx::query("UPDATE attachment_blobs SET bytes = $1").bind(b"tampered".to_vec()).execute(&mut conn).await.unwrap();
    let report = target.verify().await.unwrap();
    assert_eq!(report.mismatches, vec![format!("attachment_blobs 110101 {sha}")]);
    target.close().await;

    if app.store.backend() == chuishao_store::Backend::Sqlite {
        let backup = dir.path().join("photos.bak");
        app.store.backup_to(&backup).await.unwrap();
        let restored = dir.path().join("restored.db");
        let report = chuishao_store::restore_sqlite(&backup, &restored).await.unwrap();
        assert_eq!((report.blobs, report.mismatches.len()), (1, 0));
        let store = chuishao_store::Store::connect(&format!("sqlite://{}", restored.display())).await.unwrap();
        assert_eq!(store.blob(&district(), &sha).await.unwrap().map(|b| b.bytes), Some(JPEG.to_vec()));
        store.close().await;
    }
}

async fn target_conn(url: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url).await.expect("connect")
}

#[tokio::test]
async fn a_photo_is_kept_without_the_position_the_phone_wrote_into_it() {
    let app = spawn_app().await;
    let staff = app.login("unit_staff").await;
    let case = handled_case(&app).await;
    let id = case["id"].as_str().unwrap().to_string();
    // A JPEG whose XMP packet says where it was taken, then its picture.
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>39,56.4321N</exif:GPSLatitude></x:xmpmeta>";
    let mut sent = vec![0xff, 0xd8, 0xff, 0xe1];
    sent.extend(((xmp.len() + 2) as u16).to_be_bytes());
    sent.extend(xmp);
    sent.extend([0xff, 0xda, 0x00, 0x02, 0x12, 0x34, 0xff, 0xd9]);
    let r = upload(&app, &staff, &id, ("现场.jpg", "image/jpeg", &sent), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (status, kind, kept) = download(&app, &staff, r.body["attachment"]["href"].as_str().unwrap()).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    assert_eq!(kept, [0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x12, 0x34, 0xff, 0xd9], "the picture, not the position");
    assert_eq!(r.body["attachment"]["sha256"].as_str(), Some(sha256_hex(&kept).as_str()), "named by what is kept");
    assert_eq!(r.body["attachment"]["size"].as_u64(), Some(kept.len() as u64));
}
