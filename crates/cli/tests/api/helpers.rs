//! `spawn_app()`: the real server on 127.0.0.1:0 over a fresh SQLite database with the Dongcheng
//! reference data and demo accounts, and a hand-set clock.

use chrono::{DateTime, Utc};
use chuishao::demo::{self, DemoOptions};
use chuishao_store::{Backend, Store};
use chuishao_web::{AppState, ManualClock};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

pub const PASSWORD: &str = demo::DEMO_PASSWORD;
pub const DZM: &str = "110101009";
pub const SHIZIPO: &str = "110101009008";
pub const CITY_OFFICE: &str = "110101009-city-management";
pub const LIVELIHOOD: &str = "110101009-livelihood";

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("test time").to_utc()
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Starts the app at a fixed time: Friday 2026-11-27 09:00 Beijing time.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(0).await
}

/// A fresh, empty database for one test: a SQLite file in `dir`, or — when
/// `CHUISHAO_TEST_DATABASE_URL` names a PostgreSQL server — a new database created on it.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("CHUISHAO_TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let name = format!("chuishao_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::AnyConnection::connect(&url)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at CHUISHAO_TEST_DATABASE_URL is unreachable: {e}"));
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
            let (base, query) = url.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((&url, String::new()));
            let server = base.rsplit_once('/').map(|(s, _)| s).unwrap_or(base);
            format!("{server}/{name}{query}")
        }
        Ok(other) if !other.is_empty() => panic!("CHUISHAO_TEST_DATABASE_URL must be a postgres:// URL, not {other}"),
        _ => format!("sqlite://{}", dir.join("test.db").display()),
    }
}

/// Starts the app with `cases` simulated demo cases as well.
pub async fn spawn_app_with(cases: usize) -> TestApp {
    spawn_demo(DemoOptions { cases, seed: 7, days: 60, pilot: false }).await
}

/// Starts the app on a demo loaded with these options, at 2026-11-27 09:00 Beijing time.
pub async fn spawn_demo(options: DemoOptions) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = fresh_database(dir.path()).await;
    let store = Store::connect(&url).await.expect("connect");
    // The PostgreSQL pass must really run on PostgreSQL.
    let expected = if url.starts_with("postgres") { Backend::Postgres } else { Backend::Sqlite };
    assert_eq!(store.backend(), expected);
    store.migrate().await.expect("migrate");
    let now = at("2026-11-27T09:00:00+08:00");
    demo::load(
        &store,
        &options,
        now,
        |p| chuishao_web::auth::hash_password(p).map_err(|e| anyhow::anyhow!("{e}")),
        |_, _| {},
    )
    .await
    .expect("demo loads");
    let clock = Arc::new(ManualClock::new(now));
    let state = AppState::new(store.clone(), clock.clone()).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let served = state.clone();
    let server = tokio::spawn(async move {
        chuishao_web::serve(listener, served, std::future::pending()).await.expect("serve");
    });
    TestApp { base, client: reqwest::Client::new(), store, state, clock, _dir: dir, server }
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Reply { status, body }
    }

    pub async fn login(&self, username: &str) -> String {
        let r = self
            .send(
                self.client
                    .post(format!("{}/api/v1/auth/login", self.base))
                    .json(&json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.body);
        r.body["token"].as_str().expect("token").to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> Reply {
        self.send(self.client.get(format!("{}{path}", self.base)).bearer_auth(token)).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Reply {
        self.send(self.client.post(format!("{}{path}", self.base)).bearer_auth(token).json(&body)).await
    }

    /// Files a complaint in 十字坡社区 as `token`'s user; answers the case.
    pub async fn new_case(&self, token: &str, extra: Value) -> Value {
        let mut body = json!({
            "kind": "complaint",
            "channel": "hotline",
            "text": "十字坡社区门口早市占道经营，堵塞道路",
            "community_code": SHIZIPO,
            "address": "东直门南大街5号院3号楼301",
            "reporter": {"name": "张三", "phone": "13812345678"},
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let r = self.post(token, "/api/v1/cases", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "create: {}", r.body);
        r.body
    }

    pub async fn act(&self, token: &str, case: &Value, action: &str, body: Value) -> Reply {
        let id = case["id"].as_str().expect("case id");
        self.post(token, &format!("/api/v1/cases/{id}/actions/{action}"), body).await
    }

    /// Acts and insists it worked; answers the new case.
    pub async fn ok(&self, token: &str, case: &Value, action: &str, body: Value) -> Value {
        let r = self.act(token, case, action, body).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
        r.body
    }

    /// Adds an account with the demo password, e.g. staff of another department.
    pub async fn add_user(&self, username: &str, role: chuishao_domain::Role, scope_id: &str) {
        let hash = chuishao_web::auth::hash_password(PASSWORD).expect("hash");
        let user = chuishao_store::NewUser {
            id: format!("test-{username}"),
            district: chuishao_domain::DistrictCode::parse("110101").unwrap(),
            username: username.into(),
            display_name: username.into(),
            password_hash: hash,
            role,
            scope_kind: role.scope_kind(),
            scope_id: scope_id.into(),
        };
        self.store.create_user(&user, None, self.state.now()).await.expect("user");
    }

    pub async fn case(&self, token: &str, case: &Value) -> Reply {
        self.get(token, &format!("/api/v1/cases/{}", case["id"].as_str().expect("id"))).await
    }
}

/// The PostgreSQL server of this run, if the suite runs on one.
pub fn postgres_url() -> Option<String> {
    std::env::var("CHUISHAO_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

/// A `chuishao serve` process of its own on 127.0.0.1, killed when dropped.
pub struct Instance {
    pub base: String,
    child: std::process::Child,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_instance(db: &str, extra: &[&str]) -> Instance {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_chuishao"))
        .args(["--db", db, "serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chuishao serve");
    let instance = Instance { base: format!("http://127.0.0.1:{port}"), child };
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{}/healthz", instance.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            return instance;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("chuishao serve did not come up on {}", instance.base);
}

/// Logs in at a server started elsewhere (an `Instance`) as a demo account; answers the token.
pub async fn login_at(base: &str, username: &str) -> String {
    let r: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .expect("login request")
        .json()
        .await
        .expect("login answer");
    r["token"].as_str().unwrap_or_else(|| panic!("login {username} at {base}: {r}")).to_string()
}
