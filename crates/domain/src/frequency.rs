//! High-frequency problems (高频诉求): besides duty items rising month over month in an area
//! (`assessment::propose`), residents asking again about what they reported before (repeat
//! requests) and requests gathering in one grid cell (hotspots). Together they are proposed as
//! 每月一题 themes.

use crate::assessment::{propose, Proposal};
use crate::Timestamp;
use chrono::Duration;
use std::collections::{BTreeMap, HashMap};

/// Why a theme is proposed.
pub const REASONS: [&str; 3] = ["rising", "repeats", "hotspot"];

/// A receipt as the analysis sees it. The caller is an opaque key of the reporter's phone:
/// enough to tell the same person again, never shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub number: String,
    pub at: Timestamp,
    /// The street or community code the figures are grouped by.
    pub area: String,
    pub duty_item: Option<String>,
    pub caller: Option<u64>,
    /// The grid cell the request was located in.
    pub cell: Option<String>,
}

/// A request repeating an earlier one: same caller, same duty item, within the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Repeat {
    pub number: String,
    /// The caller's latest earlier request on the item.
    pub earlier: String,
    pub area: String,
    pub duty_item: String,
    pub days_between: i64,
}

/// Repeat requests received in [from, until): receipts whose caller asked about the same duty
/// item at most `window` before (the earlier one may lie before `from`). Oldest first.
pub fn repeats(receipts: &[Receipt], from: Timestamp, until: Timestamp, window: Duration) -> Vec<Repeat> {
    let mut sorted: Vec<&Receipt> = receipts.iter().collect();
    sorted.sort_by(|a, b| a.at.cmp(&b.at).then(a.number.cmp(&b.number)));
    let mut last: HashMap<(u64, &str), &Receipt> = HashMap::new();
    let mut out = vec![];
    for r in sorted {
        let (Some(caller), Some(item)) = (r.caller, r.duty_item.as_deref()) else { continue };
        if let Some(prev) = last.get(&(caller, item)) {
            if r.at >= from && r.at < until && r.at - prev.at <= window {
                out.push(Repeat {
                    number: r.number.clone(),
                    earlier: prev.number.clone(),
                    area: r.area.clone(),
                    duty_item: item.to_string(),
                    days_between: (r.at - prev.at).num_days(),
                });
            }
        }
        last.insert((caller, item), r);
    }
    out
}

/// A grid cell where requests gathered.
#[derive(Debug, Clone, PartialEq)]
pub struct Hotspot {
    pub cell: String,
    pub count: i64,
    /// The duty items asked there, most first.
    pub items: Vec<(String, i64)>,
}

/// Grid cells with at least `min_count` receipts in [from, until), most first (ties by code).
pub fn hotspots(receipts: &[Receipt], from: Timestamp, until: Timestamp, min_count: i64) -> Vec<Hotspot> {
    let mut cells: BTreeMap<&str, BTreeMap<&str, i64>> = BTreeMap::new();
    for r in receipts.iter().filter(|r| r.at >= from && r.at < until) {
        if let Some(cell) = r.cell.as_deref() {
            *cells.entry(cell).or_default().entry(r.duty_item.as_deref().unwrap_or("")).or_default() += 1;
        }
    }
    let mut out: Vec<Hotspot> = cells
        .into_iter()
        .map(|(cell, items)| {
            let mut items: Vec<(String, i64)> = items.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
            items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Hotspot { cell: cell.to_string(), count: items.iter().map(|i| i.1).sum(), items }
        })
        .filter(|h| h.count >= min_count)
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.cell.cmp(&b.cell)));
    out
}

/// Thresholds of the high-frequency analysis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Fewest receipts of an item in an area this month for a rise to count.
    pub min_count: i64,
    /// Fewest repeat requests of an item in an area to propose it.
    pub min_repeats: i64,
    /// Fewest receipts of one item in one grid cell to propose it.
    pub min_hotspot: i64,
    /// How far back a caller's earlier request makes a repeat.
    pub repeat_window: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { min_count: 3, min_repeats: 2, min_hotspot: 3, repeat_window: Duration::days(30) }
    }
}

/// 每月一题 proposals: (area, item) pairs that rise month over month, or that residents keep
/// asking about again, or that gather in one grid cell — each with its reasons, its repeat count
/// and its busiest cells. Rising ones first (largest rise first), then by repeats and cell
/// counts. `counts` and `before` as for [`propose`]; `receipts` cover the month and the
/// repeat window before it.
pub fn high_frequency(
    counts: &[(String, String, String, i64)],
    month: &str,
    before: &[String],
    receipts: &[Receipt],
    (from, until): (Timestamp, Timestamp),
    th: &Thresholds,
) -> Vec<Proposal> {
    let mut out = propose(counts, month, before, th.min_count);
    let rising = out.len();
    let mut repeat_counts: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in repeats(receipts, from, until, th.repeat_window) {
        *repeat_counts.entry((r.area, r.duty_item)).or_default() += 1;
    }
    let mut cells: BTreeMap<(String, String), BTreeMap<String, i64>> = BTreeMap::new();
    for r in receipts.iter().filter(|r| r.at >= from && r.at < until) {
        if let (Some(item), Some(cell)) = (&r.duty_item, &r.cell) {
            *cells.entry((r.area.clone(), item.clone())).or_default().entry(cell.clone()).or_default() += 1;
        }
    }
    let busiest = |area: &str, item: &str| -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = cells
            .get(&(area.to_string(), item.to_string()))
            .map(|m| m.iter().map(|(c, n)| (c.clone(), *n)).collect())
            .unwrap_or_default();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(3);
        v
    };
    let count_now = |area: &str, item: &str| {
        counts.iter().filter(|(m, a, i, _)| m == month && a == area && i == item).map(|c| c.3).sum::<i64>()
    };
    let mut keys: Vec<(String, String)> = repeat_counts.keys().cloned().collect();
    keys.extend(cells.keys().cloned());
    keys.sort();
    keys.dedup();
    for (area, item) in keys {
        if out.iter().any(|p| p.area == area && p.duty_item == item) {
            continue;
        }
        let repeats = repeat_counts.get(&(area.clone(), item.clone())).copied().unwrap_or(0);
        let hot = busiest(&area, &item);
        let mut reasons = vec![];
        if repeats >= th.min_repeats {
            reasons.push("repeats");
        }
        if hot.first().is_some_and(|(_, n)| *n >= th.min_hotspot) {
            reasons.push("hotspot");
        }
        if reasons.is_empty() {
            continue;
        }
        let count = count_now(&area, &item);
        let prev: Vec<i64> = before
            .iter()
            .map(|m| counts.iter().filter(|(cm, a, i, _)| cm == m && *a == area && *i == item).map(|c| c.3).sum())
            .collect();
        let mean = prev.iter().sum::<i64>() as f64 / prev.len().max(1) as f64;
        out.push(Proposal {
            growth: if mean > 0.0 { count as f64 / mean } else { count as f64 },
            area,
            duty_item: item,
            count,
            before: prev,
            reasons,
            repeats: 0,
            hotspots: vec![],
        });
    }
    for p in out.iter_mut() {
        p.repeats = repeat_counts.get(&(p.area.clone(), p.duty_item.clone())).copied().unwrap_or(0);
        p.hotspots = busiest(&p.area, &p.duty_item);
        if p.reasons == ["rising"] {
            if p.repeats >= th.min_repeats {
                p.reasons.push("repeats");
            }
            if p.hotspots.first().is_some_and(|(_, n)| *n >= th.min_hotspot) {
                p.reasons.push("hotspot");
            }
        }
    }
    out[rising..].sort_by(|a, b| {
        let top = |p: &Proposal| p.hotspots.first().map_or(0, |h| h.1);
        (b.repeats + top(b)).cmp(&(a.repeats + top(a))).then(a.area.cmp(&b.area)).then(a.duty_item.cmp(&b.duty_item))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 10, day, 2, 0, 0).unwrap()
    }

    fn receipt(n: &str, day: u32, item: &str, caller: Option<u64>, cell: Option<&str>) -> Receipt {
        Receipt {
            number: n.into(),
            at: at(day),
            area: "110101009".into(),
            duty_item: Some(item.into()),
            caller,
            cell: cell.map(Into::into),
        }
    }

    #[test]
    fn the_same_caller_on_the_same_item_within_the_window_is_a_repeat() {
        let rs = vec![
            receipt("a", 1, "C-055", Some(7), None),
            receipt("b", 10, "C-055", Some(7), None), // repeat of a (9 days)
            receipt("c", 11, "C-010", Some(7), None), // another item: not a repeat
            receipt("d", 12, "C-055", Some(8), None), // another caller
            receipt("e", 30, "C-055", Some(7), None), // repeat of b (20 days)
            receipt("f", 20, "C-055", None, None),    // no caller: never a repeat
        ];
        let found = repeats(&rs, at(5), at(31), Duration::days(30));
        let pairs: Vec<(&str, &str, i64)> =
            found.iter().map(|r| (r.number.as_str(), r.earlier.as_str(), r.days_between)).collect();
        assert_eq!(pairs, [("b", "a", 9), ("e", "b", 20)]);
        // Outside the window: no repeat; before `from`: not counted, but still an earlier one.
        assert!(repeats(&rs, at(5), at(31), Duration::days(5)).is_empty());
        assert_eq!(repeats(&rs, at(11), at(31), Duration::days(30)).len(), 1);
    }

    #[test]
    fn hotspots_are_cells_with_enough_receipts_most_first() {
        let rs = vec![
            receipt("a", 1, "C-055", None, Some("g1")),
            receipt("b", 2, "C-055", None, Some("g1")),
            receipt("c", 3, "C-010", None, Some("g1")),
            receipt("d", 4, "C-055", None, Some("g2")),
            receipt("e", 5, "C-055", None, None),
        ];
        let h = hotspots(&rs, at(1), at(31), 2);
        assert_eq!(h.len(), 1);
        assert_eq!((h[0].cell.as_str(), h[0].count), ("g1", 3));
        assert_eq!(h[0].items, [("C-055".to_string(), 2), ("C-010".to_string(), 1)]);
    }

    #[test]
    fn repeats_and_hotspots_are_proposed_even_without_a_rise() {
        let counts = vec![
            ("2026-10".to_string(), "110101009".to_string(), "C-055".to_string(), 4),
            ("2026-09".to_string(), "110101009".to_string(), "C-055".to_string(), 4),
            ("2026-08".to_string(), "110101009".to_string(), "C-055".to_string(), 4),
        ];
        let before = ["2026-09".to_string(), "2026-08".to_string()];
        let rs = vec![
            receipt("a", 1, "C-055", Some(1), Some("g1")),
            receipt("b", 2, "C-055", Some(1), Some("g1")),
            receipt("c", 3, "C-055", Some(1), Some("g1")),
            receipt("d", 4, "C-055", Some(2), Some("g2")),
        ];
        let th = Thresholds::default();
        // Flat counts: no rise; but two repeats and three in one cell.
        assert!(propose(&counts, "2026-10", &before, th.min_count).is_empty());
        let p = high_frequency(&counts, "2026-10", &before, &rs, (at(1), at(31)), &th);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].reasons, ["repeats", "hotspot"]);
        assert_eq!((p[0].repeats, p[0].count, p[0].before.clone()), (2, 4, vec![4, 4]));
        assert_eq!(p[0].hotspots[0], ("g1".to_string(), 3));
        // Stricter thresholds: nothing.
        let strict = Thresholds { min_repeats: 3, min_hotspot: 4, ..th };
        assert!(high_frequency(&counts, "2026-10", &before, &rs, (at(1), at(31)), &strict).is_empty());
    }
}
