//! Page server time and weight on the demo database, measured against a baseline in the same run.
//!
//! Loads the demo as `serve --demo` does (3,000 requests over six months and the liaison pilot),
//! starts the server on 127.0.0.1, signs each role in, and asks every page 40 times over
//! loopback, one request at a time. Baseline: `/healthz` (a database ping through the same
//! stack). Weight: the page's HTML plus the stylesheet and scripts it links. Targets (BENCHMARKS.md):
//! every page p95 ≤ 50 ms and ≤ 200 KB; the run exits non-zero if one is missed.

use chuishao::demo::{self, DemoOptions};
use chuishao_store::Store;
use std::sync::Arc;
use std::time::Instant;

const RUNS: usize = 40;
const PASSWORD: &str = "chuishao2026";

/// (who, path): who is a demo account or "" for a visitor; `{case}` stands for a case the
/// account can see, `{whistle}` for a whistle it can see.
const PAGES: &[(&str, &str)] = &[
    ("", "/"),
    ("", "/submit"),
    ("", "/track"),
    ("", "/login"),
    ("resident", "/my"),
    ("dispatcher", "/my"),
    ("unit_staff", "/my"),
    ("street_leader", "/my"),
    ("dispatcher", "/cases/{case}"),
    ("street_leader", "/whistles"),
    ("street_leader", "/whistles/{whistle}"),
    ("department_staff", "/inbox"),
    ("liaison", "/liaison"),
    ("liaison", "/liaison/visits/new"),
    ("liaison", "/liaison/households"),
    ("liaison", "/liaison/results"),
    ("street_leader", "/dashboard"),
    ("district_supervisor", "/dashboard"),
    ("system_admin", "/admin"),
    ("system_admin", "/admin/users"),
    ("system_admin", "/admin/catalog"),
    ("system_admin", "/admin/catalog/C-055"),
    ("system_admin", "/admin/departments/dc-cgzf"),
    ("system_admin", "/admin/calendar"),
    ("system_admin", "/admin/imports"),
];

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

struct Client {
    http: reqwest::Client,
    base: String,
    session: Option<String>,
}

impl Client {
    async fn get(&self, path: &str) -> anyhow::Result<(reqwest::StatusCode, String)> {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(s) = &self.session {
            req = req.header(reqwest::header::COOKIE, format!("chuishao_session={s}"));
        }
        let res = req.send().await?;
        let status = res.status();
        Ok((status, res.text().await?))
    }

    /// Milliseconds for each of `RUNS` sequential requests.
    async fn time(&self, path: &str) -> anyhow::Result<Vec<f64>> {
        let mut out = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let (status, _) = self.get(path).await?;
            out.push(t.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(status.is_success(), "{path}: {status}");
        }
        Ok(out)
    }
}

/// The stylesheet and script addresses a page links.
fn assets_of(html: &str) -> Vec<String> {
    let mut out = vec![];
    for marker in ["href=\"/assets/", "src=\"/assets/"] {
        let mut rest = html;
        while let Some(i) = rest.find(marker) {
            let start = i + marker.len() - "/assets/".len();
            let tail = &rest[start..];
            if let Some(end) = tail.find('"') {
                out.push(tail[..end].to_string());
            }
            rest = &rest[i + marker.len()..];
        }
    }
    out.sort();
    out.dedup();
    out
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("pages.db").display())).await?;
    store.migrate().await?;
    let now = chrono::Utc::now();
    demo::load(
        &store,
        &DemoOptions::default(),
        now,
        |p| chuishao_web::auth::hash_password(p).map_err(|e| anyhow::anyhow!("{e}")),
        |_, _| {},
    )
    .await?;
    let state = chuishao_web::AppState::new(store, Arc::new(chuishao_web::SystemClock)).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(chuishao_web::serve(listener, state, std::future::pending()));
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;

    let visitor = Client { http: http.clone(), base: base.clone(), session: None };
    let mut clients: Vec<(&str, Client)> = vec![("", visitor)];
    for (who, _) in PAGES.iter().filter(|(w, _)| !w.is_empty()) {
        if clients.iter().any(|(w, _)| w == who) {
            continue;
        }
        let res = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": who, "password": PASSWORD}))
            .send()
            .await?;
        let body: serde_json::Value = res.json().await?;
        let token = body["token"].as_str().ok_or_else(|| anyhow::anyhow!("{who} cannot sign in: {body}"))?;
        clients.push((who, Client { http: http.clone(), base: base.clone(), session: Some(token.to_string()) }));
    }

    // Warm up: the router is built on first use, and the first pages fill caches.
    let baseline = clients[0].1.time("/healthz").await?;
    let (_, warm) = clients[0].1.get("/submit").await?;
    let mut asset_bytes = std::collections::HashMap::new();
    for a in assets_of(&warm) {
        let (_, body) = clients[0].1.get(&a).await?;
        asset_bytes.insert(a, body.len());
    }

    let mut baseline = baseline;
    let base_p50 = percentile(&mut baseline, 0.5);
    let base_p95 = percentile(&mut baseline, 0.95);
    println!("{:<40} {:>8} {:>8} {:>9}  target", "page (who)", "p50 ms", "p95 ms", "KB");
    println!("{:<40} {:>8.2} {:>8.2} {:>9}  baseline", "/healthz", base_p50, base_p95, "");
    let mut missed = false;
    for (who, path) in PAGES {
        let client = &clients.iter().find(|(w, _)| w == who).ok_or_else(|| anyhow::anyhow!("no client"))?.1;
        let mut path = path.to_string();
        for (slot, list) in [("{case}", "/api/v1/cases?per_page=1"), ("{whistle}", "/api/v1/whistles?per_page=1")] {
            if path.contains(slot) {
                let (_, body) = client.get(list).await?;
                let body: serde_json::Value = serde_json::from_str(&body)?;
                let id = body["items"][0]["id"].as_str().ok_or_else(|| anyhow::anyhow!("{who} sees none: {list}"))?;
                path = path.replace(slot, id);
            }
        }
        let (status, html) = client.get(&path).await?;
        anyhow::ensure!(status.is_success(), "{path} as {who}: {status}");
        let mut weight = html.len();
        for a in assets_of(&html) {
            if !asset_bytes.contains_key(&a) {
                let (_, body) = client.get(&a).await?;
                asset_bytes.insert(a.clone(), body.len());
            }
            weight += asset_bytes[&a];
        }
        let mut samples = client.time(&path).await?;
        let (p50, p95) = (percentile(&mut samples, 0.5), percentile(&mut samples, 0.95));
        let kb = weight as f64 / 1024.0;
        let label = if who.is_empty() { path.clone() } else { format!("{path} ({who})") };
        println!("{label:<40} {p50:>8.2} {p95:>8.2} {kb:>9.1}  ≤ 50 ms, ≤ 200 KB");
        missed |= p95 > 50.0 || weight > 200 * 1024;
    }
    if missed {
        eprintln!("a page missed its target");
        std::process::exit(1);
    }
    Ok(())
}
