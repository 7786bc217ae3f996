//! The `chuishao` binary as an operator runs it.

use crate::helpers::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

fn chuishao(db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chuishao"));
    c.arg("--db").arg(db).env("RUST_LOG", "info");
    c
}

#[tokio::test]
async fn user_add_creates_a_scoped_account_that_can_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("ops.db").display());
    let out = chuishao(&db).args(["demo", "--cases", "5"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("dispatcher"));

    let mut child = chuishao(&db)
        .args([
            "user",
            "add",
            "li.na",
            "--role",
            "dispatcher",
            "--scope",
            "110101001",
            "--name",
            "李娜",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a-long-secret\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let bad =
        chuishao(&db).args(["user", "add", "x", "--role", "unit_staff", "--scope", "no-such-unit"]).output().unwrap();
    assert!(!bad.status.success());
    let dup = chuishao(&db).args(["user", "add", "li.na", "--role", "inspector"]).output().unwrap();
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("taken"));
    let generated = chuishao(&db).args(["user", "add", "wang", "--role", "inspector"]).output().unwrap();
    assert!(String::from_utf8_lossy(&generated.stdout).contains("initial password"));
    let demo_again = chuishao(&db).args(["demo"]).output().unwrap();
    assert!(!demo_again.status.success(), "the demo loads only into an empty database");

    // The new account logs in against the same database and works in its street.
    let store = chuishao_store::Store::connect(&db).await.unwrap();
    let state = chuishao_web::AppState::new(store, std::sync::Arc::new(chuishao_web::SystemClock)).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(chuishao_web::serve(listener, state, std::future::pending()));
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "li.na", "password": "a-long-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["user"]["scope"]["name"], "东华门街道");
    assert_eq!(body["user"]["display_name"], "李娜");
    server.abort();
}

/// A request acknowledged with 201 is on disk: killing the server right after loses nothing.
#[tokio::test]
async fn an_acknowledged_request_survives_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = chuishao(&db)
        .args(["serve", "--demo", "--demo-cases", "20", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..300 {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "server came up");
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "dispatcher", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let mut numbers = vec![];
    for i in 0..5 {
        let r = client
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(token)
            .json(&serde_json::json!({
                "kind": "complaint", "channel": "hotline", "text": format!("夜间施工噪声扰民{i}"),
                "community_code": SHIZIPO, "reporter": {"name": "赵六", "phone": "13700001111"}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let c: serde_json::Value = r.json().await.unwrap();
        numbers.push(c["number"].as_str().unwrap().to_string());
    }
    server.kill().unwrap(); // SIGKILL: no shutdown, no flush
    let out = server.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(!logs.contains("13700001111") && !logs.contains("赵六"), "personal data in logs: {logs}");

    let store = chuishao_store::Store::connect(&db).await.unwrap();
    let d = chuishao_domain::DistrictCode::parse("110101").unwrap();
    for n in &numbers {
        let id = store.case_id_by_number(&d, n).await.unwrap().expect("acknowledged case is there");
        assert!(store.load_case(&d, id).await.unwrap().is_some());
    }
}
