//! Durable case intake over HTTP on PostgreSQL: 64 concurrent clients filing requests through one
//! and through two `chuishao serve` instances, beside pgbench's single-row insert rate on the
//! same server in the same run (the floor any durable write there pays).
//!
//! Needs PostgreSQL (`CHUISHAO_BENCH_DATABASE_URL`, default the role `scripts/test` creates) and
//! `pgbench` on PATH.

use chuishao::demo::{self, DemoOptions};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;
const SECONDS: u64 = 8;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serve(db: &str) -> anyhow::Result<(Server, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(env!("CARGO_BIN_EXE_chuishao"))
        .args(["--db", db, "serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok((Server(child), base));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("chuishao serve did not come up")
}

async fn token(base: &str) -> anyhow::Result<String> {
    let r: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "dispatcher", "password": demo::DEMO_PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    Ok(r["token"].as_str().unwrap_or_default().to_string())
}

/// 64 clients for SECONDS against the given instances; answers (cases/s, p50 ms, p99 ms).
async fn intake(bases: &[String]) -> anyhow::Result<(f64, f64, f64)> {
    let mut tokens = vec![];
    for b in bases {
        tokens.push(token(b).await?);
    }
    let client = reqwest::Client::builder().pool_max_idle_per_host(CLIENTS).build()?;
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let started = Instant::now();
    let mut tasks = vec![];
    for c in 0..CLIENTS {
        let (base, token) = (bases[c % bases.len()].clone(), tokens[c % bases.len()].clone());
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = vec![];
            let mut i = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = client
                    .post(format!("{base}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({
                        "kind": "complaint", "channel": "hotline", "text": format!("压测诉求 {c}-{i}"),
                        "community_code": demo::DEMO_COMMUNITY,
                        "reporter": {"name": "测试", "phone": "13800000000"},
                    }))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().as_u16() == 201 => latencies.push(t.elapsed().as_secs_f64() * 1e3),
                    Ok(r) => panic!("intake answered {}", r.status()),
                    Err(e) => panic!("intake failed: {e}"),
                }
                i += 1;
            }
            latencies
        }));
    }
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    Ok((all.len() as f64 / elapsed, percentile(&all, 0.5), percentile(&all, 0.99)))
}

/// pgbench's rate of single-row inserts, 64 clients, same server, same duration.
fn pgbench(url: &str) -> anyhow::Result<f64> {
    let dir = tempfile::tempdir()?;
    let script = dir.path().join("insert.sql");
    std::fs::write(&script, "INSERT INTO pgbench_insert (payload) VALUES ('x');\n")?;
    let psql = |sql: &str| Command::new("psql").arg(url).args(["-qAt", "-c", sql]).status();
    psql("CREATE TABLE IF NOT EXISTS pgbench_insert (id BIGSERIAL PRIMARY KEY, payload TEXT)")?;
    let out = Command::new("pgbench")
        .arg(url)
        .args(["-n", "-c", &CLIENTS.to_string(), "-j", "4", "-T", &SECONDS.to_string(), "-f"])
        .arg(&script)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps"))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| anyhow::anyhow!("pgbench gave no tps: {text} {}", String::from_utf8_lossy(&out.stderr)))?;
    psql("DROP TABLE pgbench_insert")?;
    Ok(tps)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let admin = std::env::var("CHUISHAO_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://chuishao_test:chuishao_test@127.0.0.1:5432/postgres".into());
    let name = format!("chuishao_bench_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(&admin).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
    let server = admin.rsplit_once('/').map(|(s, _)| s).unwrap_or(&admin);
    let url = format!("{server}/{name}");
    let store = chuishao_store::Store::connect(&url).await?;
    store.migrate().await?;
    demo::load(
        &store,
        &DemoOptions { cases: 0, ..Default::default() },
        chrono::Utc::now(),
        |p| chuishao_web::auth::hash_password(p).map_err(|e| anyhow::anyhow!("{e}")),
        |_, _| {},
    )
    .await?;
    store.close().await;

    let baseline = pgbench(&url)?;
    let one = {
        let (_server, base) = serve(&url).await?;
        intake(std::slice::from_ref(&base)).await?
    };
    // The first instance is gone before two fresh ones start.
    let two = {
        let (_a, base_a) = serve(&url).await?;
        let (_b, base_b) = serve(&url).await?;
        intake(&[base_a, base_b]).await?
    };
    println!("durable case intake over HTTP, PostgreSQL, {CLIENTS} clients, {SECONDS} s each");
    println!("{:<34} {:>10} {:>9} {:>9} {:>10}", "", "per second", "p50 ms", "p99 ms", "÷ pgbench");
    println!("{:<34} {:>10.0} {:>9} {:>9} {:>10}", "baseline: pgbench 1-row insert", baseline, "", "", "1.00");
    for (label, (rate, p50, p99)) in [("chuishao, one instance", one), ("chuishao, two instances", two)] {
        println!("{label:<34} {rate:>10.0} {p50:>9.1} {p99:>9.1} {:>10.2}", rate / baseline);
    }
    let mut conn = sqlx::AnyConnection::connect(&admin).await?;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut conn).await?;
    Ok(())
}
