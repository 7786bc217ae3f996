//! Smart dispatch throughput, each against a baseline measured in the same run:
//! - locate a point among 10,000 grid cells (R-tree + exact test) vs a linear scan;
//! - classify a request against the 106-item demo catalog vs segmenting it alone;
//! - check for duplicates among 1,000,000 open cases (p99) vs scanning them all.
//!
//! Targets (BENCHMARKS.md): ≥ 1,000,000 lookups/s, ≥ 5,000 classifications/s on one core,
//! duplicate check p99 ≤ 5 ms. Exits non-zero when one is missed.

use chuishao_domain::catalog::DutyItem;
use chuishao_routing::atlas::polygon;
use chuishao_routing::duplicates::{hamming, simhash};
use chuishao_routing::router::{catalog_docs, catalog_segmenter};
use chuishao_routing::{Area, Atlas, Classifier, DuplicateIndex, LatLon, Level, OpenCase, Probe, Rules};
use geo::{Contains, MultiPolygon};
use std::hint::black_box;
use std::time::Instant;

const CATALOG: &str = include_str!("../../cli/data/duty_catalog.csv");
const HELDOUT: &str = include_str!("../../cli/data/routing_heldout.csv");

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn catalog() -> Vec<DutyItem> {
    chuishao_domain::catalog::parse_csv(CATALOG).expect("the shipped catalog reads")
}

struct Row {
    what: &'static str,
    value: f64,
    unit: &'static str,
    baseline: f64,
    target: &'static str,
    ok: bool,
}

fn locate(rows: &mut Vec<Row>) {
    // 100 × 100 cells of about 100 m over central Beijing.
    let (lat0, lon0, step) = (39.85, 116.35, 0.0009);
    let mut areas = vec![];
    for i in 0..100 {
        for j in 0..100 {
            let (lat, lon) = (lat0 + i as f64 * step, lon0 + j as f64 * step * 1.3);
            let ring = [
                LatLon::new(lat, lon),
                LatLon::new(lat, lon + step * 1.3),
                LatLon::new(lat + step, lon + step * 1.3),
                LatLon::new(lat + step, lon),
            ];
            areas.push(Area {
                level: Level::Grid,
                code: format!("g{i:03}{j:03}"),
                name: String::new(),
                parent: None,
                shape: MultiPolygon::new(vec![polygon(&ring)]),
                approximate: true,
            });
        }
    }
    let shapes: Vec<MultiPolygon<f64>> = areas.iter().map(|a| a.shape.clone()).collect();
    let atlas = Atlas::new(areas);
    assert_eq!(atlas.count(Level::Grid), 10_000);
    let mut rng = Rng(0x5eed);
    let points: Vec<LatLon> =
        (0..200_000).map(|_| LatLon::new(lat0 + rng.unit() * 0.09, lon0 + rng.unit() * 0.117)).collect();
    let start = Instant::now();
    let mut found = 0usize;
    for p in &points {
        found += usize::from(atlas.containing(Level::Grid, *p).is_some());
    }
    let per_s = points.len() as f64 / start.elapsed().as_secs_f64();
    assert!(found > points.len() * 99 / 100, "{found} of {} points found", points.len());
    // Baseline: test every polygon in turn.
    let scan_points = &points[..200];
    let start = Instant::now();
    for p in scan_points {
        let pt = geo::Point::new(p.lon, p.lat);
        black_box(shapes.iter().position(|s| s.contains(&pt)));
    }
    let scan = scan_points.len() as f64 / start.elapsed().as_secs_f64();
    rows.push(Row {
        what: "locate among 10,000 grid cells",
        value: per_s,
        unit: "lookups/s",
        baseline: scan,
        target: "≥ 1,000,000/s",
        ok: per_s >= 1_000_000.0,
    });
}

fn classify(rows: &mut Vec<Row>) {
    let items = catalog();
    assert_eq!(items.len(), 106);
    let segmenter = catalog_segmenter(&items);
    let classifier = Classifier::train(segmenter.clone(), &catalog_docs(&items));
    let texts: Vec<String> = {
        let mut r = csv::Reader::from_reader(HELDOUT.as_bytes());
        r.records().map(|x| x.expect("row")[0].to_string()).collect()
    };
    let rounds = 40;
    let start = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            black_box(classifier.rank(t, 3));
        }
    }
    let per_s = (rounds * texts.len()) as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            black_box(segmenter.features(t));
        }
    }
    let seg = (rounds * texts.len()) as f64 / start.elapsed().as_secs_f64();
    rows.push(Row {
        what: "classify (106-item catalog, top 3)",
        value: per_s,
        unit: "requests/s",
        baseline: seg,
        target: "≥ 5,000/s",
        ok: per_s >= 5_000.0,
    });
}

fn duplicates(rows: &mut Vec<Row>) {
    let mut rng = Rng(0xd0d0);
    let day = 86_400_000i64;
    let n = 1_000_000;
    let texts =
        ["路口有人摆摊占道经营晚上很吵", "楼道灯坏了老人看不见台阶", "暖气不热屋里只有十五度", "小区门口渣土车遗撒"];
    let hashes: Vec<u64> = texts.iter().map(|t| simhash(t)).collect();
    let mut index = DuplicateIndex::default();
    let mut flat = Vec::with_capacity(n);
    for i in 0..n {
        let c = OpenCase {
            id: format!("c{i}"),
            number: format!("110101-20261128-{i:06}"),
            item: Some(format!("C-{:03}", 1 + rng.next() % 106)),
            at: Some(LatLon::new(39.70 + rng.unit() * 0.40, 116.10 + rng.unit() * 0.60)),
            received_ms: -((rng.next() % (30 * day as u64)) as i64),
            simhash: hashes[(rng.next() % 4) as usize] ^ (rng.next() & 0x3),
            phone: Some(rng.next() % 2_000_000),
        };
        flat.push((c.item.clone(), c.at, c.received_ms, c.simhash));
        index.insert(c);
    }
    let rules = Rules::default();
    let mut samples = vec![];
    for i in 0..20_000 {
        let item = format!("C-{:03}", 1 + rng.next() % 106);
        let probe = Probe {
            text: texts[i % 4],
            items: vec![item.as_str(), "C-055", "C-020"],
            at: Some(LatLon::new(39.70 + rng.unit() * 0.40, 116.10 + rng.unit() * 0.60)),
            received_ms: 0,
            phone: Some(rng.next() % 2_000_000),
        };
        let start = Instant::now();
        black_box(index.check(&probe, &rules));
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let p99 = samples[samples.len() * 99 / 100];
    // Baseline: compare the probe with every open case.
    let mut scan = vec![];
    for i in 0..20 {
        let (h, at) = (hashes[i % 4], LatLon::new(39.9, 116.4));
        let start = Instant::now();
        let hits = flat
            .iter()
            .filter(|(item, p, t, s)| {
                item.as_deref() == Some("C-055")
                    && t.abs() < 7 * day
                    && hamming(h, *s) <= 12
                    && p.is_some_and(|p| chuishao_routing::coords::distance_m(p, at) < 300.0)
            })
            .count();
        black_box(hits);
        scan.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    scan.sort_by(|a, b| a.total_cmp(b));
    rows.push(Row {
        what: "duplicate check, 1,000,000 open cases (p99)",
        value: p99,
        unit: "ms",
        baseline: scan[scan.len() / 2],
        target: "p99 ≤ 5 ms",
        ok: p99 <= 5.0,
    });
}

fn main() {
    let mut rows = vec![];
    locate(&mut rows);
    classify(&mut rows);
    duplicates(&mut rows);
    println!("{:<46} {:>14} {:<11} {:>14} {:<14} met", "measure", "value", "", "baseline", "target");
    for r in &rows {
        println!(
            "{:<46} {:>14.3} {:<11} {:>14.3} {:<14} {}",
            r.what,
            r.value,
            r.unit,
            r.baseline,
            r.target,
            if r.ok { "yes" } else { "NO" }
        );
    }
    println!("baselines: a linear scan of every cell; segmentation alone; a scan of every open case (median, ms)");
    if rows.iter().any(|r| !r.ok) {
        std::process::exit(1);
    }
}
