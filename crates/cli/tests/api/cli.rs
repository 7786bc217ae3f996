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
    let token = &login_at(&base, "dispatcher").await;
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

/// A backup taken while requests pour in is consistent, holds every request acknowledged before
/// it began, and — restored — answers as the original did.
#[tokio::test]
async fn a_backup_under_write_load_restores_to_a_consistent_database() {
    let dir = tempfile::tempdir().unwrap();
    let live = format!("sqlite://{}", dir.path().join("live.db").display());
    let server = start_instance(&live, &["--demo", "--demo-cases", "50"]).await;
    let client = reqwest::Client::new();
    let token = login_at(&server.base, "dispatcher").await;
    // The demo's own cases (its simulated history and the liaison pilot's), before any writer.
    let supervisor = login_at(&server.base, "district_supervisor").await;
    let listed: serde_json::Value = client
        .get(format!("{}/api/v1/cases?per_page=1", server.base))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let demo_cases = listed["total"].as_u64().unwrap() as usize;
    assert!(demo_cases >= 50);
    // Writers: acknowledged case numbers, in order.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = vec![];
    for w in 0..4 {
        let (client, base, token) = (client.clone(), server.base.clone(), token.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let r = client
                    .post(format!("{base}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"kind": "complaint", "channel": "hotline", "text": format!("备份期间的诉求{w}-{i}"), "community_code": SHIZIPO}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                let c: serde_json::Value = r.json().await.unwrap();
                acknowledged.lock().unwrap().push(c["number"].as_str().unwrap().to_string());
                i += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let backup = dir.path().join("live.bak");
    let out = chuishao(&live).arg("backup").arg(&backup).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Restoring over a database a server is running on is refused.
    let refused = chuishao(&live).arg("restore").arg(&backup).output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("stop it first"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    let all: Vec<String> = acknowledged.lock().unwrap().clone();
    assert!(before.len() > 5 && all.len() > before.len(), "writes went on around the backup");

    let restored = format!("sqlite://{}", dir.path().join("restored.db").display());
    let out = chuishao(&restored).arg("restore").arg(&backup).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let store = chuishao_store::Store::connect(&restored).await.unwrap();
    let report = store.verify().await.unwrap();
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    let d = chuishao_domain::DistrictCode::parse("110101").unwrap();
    for n in &before {
        assert!(store.case_id_by_number(&d, n).await.unwrap().is_some(), "{n} was acknowledged before the backup");
    }
    assert!(report.cases >= demo_cases + before.len() && report.cases <= demo_cases + all.len());
    store.close().await;

    // The restored database answers as the original does.
    let copy = start_instance(&restored, &[]).await;
    let token_b = &login_at(&copy.base, "dispatcher").await;
    for n in before.iter().take(5) {
        let get =
            |base: &str, t: &str| client.get(format!("{base}/api/v1/cases/{n}")).bearer_auth(t.to_string()).send();
        let a: serde_json::Value = get(&server.base, &token).await.unwrap().json().await.unwrap();
        let b: serde_json::Value = get(&copy.base, token_b).await.unwrap().json().await.unwrap();
        assert_eq!(a, b, "case {n}");
    }
    let bad = chuishao(&restored).arg("restore").arg(dir.path().join("nothing.bak")).output().unwrap();
    assert!(!bad.status.success());
}

/// A street outgrows its laptop: its SQLite data moves to PostgreSQL, checked by counts and by
/// replaying every stream, and the server on PostgreSQL answers as before.
#[tokio::test]
async fn migrate_data_moves_a_street_from_sqlite_to_postgresql() {
    if postgres_url().is_none() {
        eprintln!("moving data to PostgreSQL needs PostgreSQL: this runs in the PostgreSQL pass");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("street.db").display());
    let out = chuishao(&sqlite).args(["demo", "--cases", "120"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let target = fresh_database(dir.path()).await;
    let out = chuishao(&sqlite).args(["migrate-data", "--from", &sqlite, "--to", &target]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 mismatches"));

    let (from, to) = (
        chuishao_store::Store::connect(&sqlite).await.unwrap(),
        chuishao_store::Store::connect(&target).await.unwrap(),
    );
    let (a, b) = (from.verify().await.unwrap(), to.verify().await.unwrap());
    assert_eq!((a.cases, a.whistles, a.assistance, a.events), (b.cases, b.whistles, b.assistance, b.events));
    // 120 simulated requests, the cases the liaison pilot's visits raised, and its hardship requests.
    assert!(b.cases > 120 && b.assistance > 0, "{b:?}");
    let count = |store: &chuishao_store::Store, table: &'static str| {
        let store = store.clone();
        async move { store.count_rows(table).await.unwrap() }
    };
    for table in ["visits", "households", "liaison_assignments"] {
        assert_eq!(count(&from, table).await, count(&to, table).await, "{table}");
        assert!(count(&to, table).await > 0, "{table}");
    }
    assert!(b.mismatches.is_empty());
    // Only into an empty database.
    let again = chuishao(&sqlite).args(["migrate-data", "--from", &sqlite, "--to", &target]).output().unwrap();
    assert!(!again.status.success());

    let server = start_instance(&target, &[]).await;
    let client = reqwest::Client::new();
    let token = login_at(&server.base, "dispatcher").await;
    let list: serde_json::Value = client
        .get(format!("{}/api/v1/cases?per_page=1", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let street = from
        .list_cases(
            &chuishao_domain::DistrictCode::parse("110101").unwrap(),
            &chuishao_store::Visibility::Street(chuishao_domain::StreetCode::parse(DZM).unwrap()),
            &chuishao_store::CaseFilter { page: 1, per_page: 1, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(list["total"].as_u64(), Some(street.total));
}
