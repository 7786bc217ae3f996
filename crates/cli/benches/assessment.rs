//! Assessment at city scale: Beijing's 343 streets over `CHUISHAO_BENCH_CASES` synthetic cases
//! (default 25,000,000, a year) on the embedded store. Measured: the monthly ranking of every
//! street from the rollups (target ≤ 100 ms), against the same figures by GROUP BY over the raw
//! cases in the same database (reported as a ratio); and the drill-down to the cases behind one
//! street's monthly figure (target ≤ 50 ms). Exits non-zero when a target is missed.

use chrono::{Datelike, Duration};
use chuishao_domain::assessment::{rank, Formula, RankingRules};
use chuishao_store::Store;
use std::time::Instant;

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn pct(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cases: u64 = std::env::var("CHUISHAO_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(25_000_000);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("city.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T12:00:00+08:00")?.to_utc();
    let started = Instant::now();
    let streets = chuishao::city::load(&store, cases, 343, now, |_, _| {}).await?;
    let load_s = started.elapsed().as_secs_f64();
    let month = (now - Duration::days(31)).date_naive().with_day(1).expect("first of a month");
    let month_key = format!("{:04}-{:02}", month.year(), month.month());
    let formula = Formula::standard();
    let rules = RankingRules::default();

    let mut ranking = vec![];
    let mut ranked = vec![];
    for _ in 0..20 {
        let t = Instant::now();
        let tallies = store.city_tallies(&month_key).await?;
        ranked = rank(tallies.into_iter().map(|(k, t)| (k, t, None)).collect(), &formula, None, &rules);
        ranking.push(ms(t));
    }
    let mut raw = vec![];
    let mut raw_tallies = vec![];
    for _ in 0..3 {
        let t = Instant::now();
        raw_tallies = store.city_tallies_raw(month).await?;
        raw.push(ms(t));
    }
    // The two must agree on every street's valid callbacks.
    for (street, t) in &raw_tallies {
        let r = ranked.iter().find(|r| &r.key == street).map(|r| r.tally.valid);
        assert_eq!(r, Some(t.valid), "street {street}: rollups and raw cases disagree");
    }
    let mut drill = vec![];
    let mut rows = 0;
    for r in ranked.iter().step_by(17).take(20) {
        let t = Instant::now();
        // As `/api/v1/rates/cases` answers: the count behind the figure and its first page.
        let (total, page) = store.synthetic_behind(&r.key, month, (0, 100)).await?;
        drill.push(ms(t));
        assert_eq!(total as i64, r.tally.valid, "drill-down of {} matches its figure", r.key);
        assert_eq!(page.len() as u64, total.min(100));
        rows += total as usize;
    }
    let (rank_p50, rank_p95) = (pct(ranking.clone(), 0.5), pct(ranking, 0.95));
    let raw_p50 = pct(raw, 0.5);
    let drill_p95 = pct(drill.clone(), 0.95);
    println!("{cases} synthetic cases over {streets} streets, loaded in {load_s:.0} s; month {month_key}");
    println!("{:<52} {:>10} {:>10}  target", "measure", "p50 ms", "p95 ms");
    println!(
        "{:<52} {:>10.1} {:>10.1}  ≤ 100 ms",
        "monthly ranking of all streets, from the rollups", rank_p50, rank_p95
    );
    println!("{:<52} {:>10.1} {:>10}", "same figures, GROUP BY over the raw cases", raw_p50, "");
    println!(
        "{:<52} {:>10.1} {:>10.1}  ≤ 50 ms",
        "drill-down to the cases behind one street's figure",
        pct(drill, 0.5),
        drill_p95
    );
    println!("raw ÷ rollups: {:.0}×; drill-down rows per street ≈ {}", raw_p50 / rank_p50, rows / 20);
    if rank_p95 > 100.0 || drill_p95 > 50.0 {
        std::process::exit(1);
    }
    Ok(())
}
