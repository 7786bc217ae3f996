//! `chuishao eval-routing FILE.csv`: routes labelled requests and measures how often the owner
//! chosen is the expected one (top-1), or among the owners of the three likeliest items (top-3).

use crate::reference::LabelledRequest;
use chuishao_routing::{LatLon, Request, Router};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct OwnerRow {
    pub owner: String,
    pub n: usize,
    pub top1: usize,
    /// The wrong answers given, most frequent first.
    pub confused_with: Vec<(String, usize)>,
}

#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub n: usize,
    pub top1: usize,
    pub top3: usize,
    /// (correct, labelled) for rows that name their duty item.
    pub item_top1: (usize, usize),
    pub by_owner: Vec<OwnerRow>,
}

impl Evaluation {
    pub fn top1_rate(&self) -> f64 {
        self.top1 as f64 / self.n.max(1) as f64
    }
    pub fn top3_rate(&self) -> f64 {
        self.top3 as f64 / self.n.max(1) as f64
    }
}

pub fn evaluate(router: &Router, rows: &[LabelledRequest]) -> Evaluation {
    let mut e = Evaluation { n: rows.len(), ..Default::default() };
    let mut by: BTreeMap<String, (usize, usize, BTreeMap<String, usize>)> = BTreeMap::new();
    for r in rows {
        let at = match (r.lat, r.lon) {
            (Some(lat), Some(lon)) => Some(LatLon::new(lat, lon)),
            _ => None,
        };
        let routed = router.route(&Request { text: &r.text, at, ..Default::default() });
        let hit = routed.owner.id == r.expected_owner;
        let top3 = hit || routed.items.iter().any(|i| router.owner_of(&i.code, &routed.place).id == r.expected_owner);
        e.top1 += usize::from(hit);
        e.top3 += usize::from(top3);
        if let Some(item) = &r.duty_item {
            e.item_top1.1 += 1;
            e.item_top1.0 += usize::from(routed.items.first().is_some_and(|i| &i.code == item));
        }
        let row = by.entry(r.expected_owner.clone()).or_default();
        row.0 += 1;
        if hit {
            row.1 += 1;
        } else {
            *row.2.entry(routed.owner.id.clone()).or_default() += 1;
        }
    }
    e.by_owner = by
        .into_iter()
        .map(|(owner, (n, top1, wrong))| {
            let mut confused_with: Vec<(String, usize)> = wrong.into_iter().collect();
            confused_with.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            OwnerRow { owner, n, top1, confused_with }
        })
        .collect();
    e
}

/// The report `eval-routing` prints.
pub fn report(e: &Evaluation, file: &str) -> String {
    let mut s = format!(
        "路由评估 / routing evaluation: {file} — {} requests\nowner top-1: {:.3} ({}/{})   top-3: {:.3} ({}/{})\n",
        e.n,
        e.top1_rate(),
        e.top1,
        e.n,
        e.top3_rate(),
        e.top3,
        e.n
    );
    if e.item_top1.1 > 0 {
        s += &format!(
            "duty item top-1: {:.3} ({}/{})\n",
            e.item_top1.0 as f64 / e.item_top1.1 as f64,
            e.item_top1.0,
            e.item_top1.1
        );
    }
    s += "\nby expected owner: requests, top-1, answered instead\n";
    for r in &e.by_owner {
        let wrong: Vec<String> = r.confused_with.iter().take(3).map(|(o, n)| format!("{o}×{n}")).collect();
        s += &format!("{:<34} {:>4} {:>4}  {}\n", r.owner, r.n, r.top1, wrong.join(" "));
    }
    s
}
