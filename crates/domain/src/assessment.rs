//! Assessment (考核): the three rates (三率) — response, resolution, satisfaction — and their
//! composite, by a versioned formula; what each case contributes to the monthly rollups; and the
//! monthly ranking into classes.

use crate::calendar::local_date;
use crate::case::{Case, Satisfaction};
use crate::field::{FieldError, FieldRule};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::ops::{AddAssign, Sub};

/// How the rates are weighed. A past month is always computed with the formula in force then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Formula {
    pub version: u32,
    pub effective_from: NaiveDate,
    /// What a 基本满意 counts for in the satisfaction rate (满意 counts 1).
    pub basically_satisfied: f64,
    pub response_weight: f64,
    pub resolution_weight: f64,
    pub satisfaction_weight: f64,
    /// How the monthly ranking classes places (versioned with the weights).
    #[serde(default)]
    pub ranking: RankingRules,
}

impl Formula {
    /// Documented practice: over valid callbacks, 响应率 = contacted / valid, 解决率 = solved /
    /// valid, 满意率 = (满意 + 0.9 × 基本满意) / valid; composite 0.1 · 响应 + 0.5 · 解决 + 0.4 · 满意.
    pub fn standard() -> Formula {
        Formula {
            version: 1,
            effective_from: NaiveDate::from_ymd_opt(2019, 1, 1).expect("a valid date"),
            basically_satisfied: 0.9,
            response_weight: 0.1,
            resolution_weight: 0.5,
            satisfaction_weight: 0.4,
            ranking: RankingRules::default(),
        }
    }

    /// Weights in [0, 1] that add up to 1.
    pub fn check(&self) -> Result<(), FieldError> {
        let unit = |field: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(FieldError::new(field, FieldRule::OutOfRange { min: 0, max: 1 }))
            }
        };
        unit("basically_satisfied", self.basically_satisfied)?;
        unit("response_weight", self.response_weight)?;
        unit("resolution_weight", self.resolution_weight)?;
        unit("satisfaction_weight", self.satisfaction_weight)?;
        let sum = self.response_weight + self.resolution_weight + self.satisfaction_weight;
        if (sum - 1.0).abs() > 1e-9 {
            return Err(FieldError::malformed("weights", "weights_sum_to_one"));
        }
        let r = &self.ranking;
        unit("ranking.advanced_share", r.advanced_share)?;
        unit("ranking.rectify_share", r.rectify_share)?;
        unit("ranking.governance_max_share", r.governance_max_share)?;
        if r.improved_count > 1000 || r.governance_count > 1000 {
            return Err(FieldError::new("ranking", FieldRule::OutOfRange { min: 0, max: 1000 }));
        }
        Ok(())
    }
}

/// The formula in force on `day`: the latest effective date not after it (the highest version
/// among those of one date).
pub fn in_force(formulas: &[Formula], day: NaiveDate) -> Option<&Formula> {
    formulas
        .iter()
        .filter(|f| f.effective_from <= day)
        .max_by(|a, b| a.effective_from.cmp(&b.effective_from).then(a.version.cmp(&b.version)))
}

/// Counts behind the rates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Cases received (in the month of receipt).
    pub received: i64,
    /// Valid callbacks (in the month of the callback).
    pub valid: i64,
    pub contacted: i64,
    pub solved: i64,
    pub satisfied: i64,
    pub basically_satisfied: i64,
    pub dissatisfied: i64,
}

impl AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.received += o.received;
        self.valid += o.valid;
        self.contacted += o.contacted;
        self.solved += o.solved;
        self.satisfied += o.satisfied;
        self.basically_satisfied += o.basically_satisfied;
        self.dissatisfied += o.dissatisfied;
    }
}

impl Sub for Tally {
    type Output = Tally;
    fn sub(self, o: Tally) -> Tally {
        Tally {
            received: self.received - o.received,
            valid: self.valid - o.valid,
            contacted: self.contacted - o.contacted,
            solved: self.solved - o.solved,
            satisfied: self.satisfied - o.satisfied,
            basically_satisfied: self.basically_satisfied - o.basically_satisfied,
            dissatisfied: self.dissatisfied - o.dissatisfied,
        }
    }
}

impl Tally {
    pub fn is_zero(&self) -> bool {
        *self == Tally::default()
    }
}

/// The three rates and the composite, each in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    pub response: f64,
    pub resolution: f64,
    pub satisfaction: f64,
    pub composite: f64,
}

/// The rates of a tally by a formula; none without valid callbacks.
pub fn rates(t: &Tally, f: &Formula) -> Option<Rates> {
    if t.valid <= 0 {
        return None;
    }
    let v = t.valid as f64;
    let response = t.contacted as f64 / v;
    let resolution = t.solved as f64 / v;
    let satisfaction = (t.satisfied as f64 + f.basically_satisfied * t.basically_satisfied as f64) / v;
    let composite =
        f.response_weight * response + f.resolution_weight * resolution + f.satisfaction_weight * satisfaction;
    Some(Rates { response, resolution, satisfaction, composite })
}

/// Where a count goes: the month (Beijing, `YYYY-MM`) and who and what it is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RollupKey {
    pub month: String,
    pub street: String,
    pub community: Option<String>,
    /// `unit:<id>` or `dept:<id>`: who handles it.
    pub assignee: Option<String>,
    pub duty_item: Option<String>,
    /// Who recorded it, for cases found on liaison visits.
    pub liaison: Option<String>,
}

pub fn month_of(t: crate::Timestamp) -> String {
    let d = local_date(t);
    format!("{:04}-{:02}", d.year(), d.month())
}

/// What a case counts for now: its receipt in the month received, and its callback (if it has
/// one now — a reopened case loses it until called back again) in the month of the callback,
/// both under its current place, handler and duty item. Rollups add the difference between a
/// case's contributions after and before each command.
pub fn contributions(c: &Case) -> Vec<(RollupKey, Tally)> {
    dated_contributions(c).into_iter().map(|(_, k, t)| (k, t)).collect()
}

/// The contributions with the moment each counts at (the receipt, the callback): figures over
/// a stretch of days that does not fill whole months are summed from these.
pub fn dated_contributions(c: &Case) -> Vec<(crate::Timestamp, RollupKey, Tally)> {
    let key = |month: String| RollupKey {
        month,
        street: c.street.to_string(),
        community: c.community.as_ref().map(|x| x.to_string()),
        assignee: c.assignee.as_ref().or(c.past_assignees.last()).map(|a| a.principal()),
        duty_item: c.duty_item.as_ref().map(|d| d.code.clone()),
        // Cases found on liaison visits count for whoever recorded them.
        liaison: (c.channel == crate::case::Channel::LiaisonVisit).then(|| c.received_by.clone()),
    };
    let mut out = vec![(c.received_at, key(month_of(c.received_at)), Tally { received: 1, ..Tally::default() })];
    if let Some(cb) = &c.callback {
        let t = Tally {
            valid: 1,
            contacted: i64::from(cb.contacted),
            solved: i64::from(cb.solved),
            satisfied: i64::from(cb.satisfaction == Satisfaction::Satisfied),
            basically_satisfied: i64::from(cb.satisfaction == Satisfaction::BasicallySatisfied),
            dissatisfied: i64::from(cb.satisfaction == Satisfaction::Dissatisfied),
            ..Tally::default()
        };
        out.push((cb.at, key(month_of(cb.at)), t));
    }
    out
}

/// The changes a command makes to the rollups: after minus before, per key, zeros dropped.
pub fn delta(before: Option<&Case>, after: &Case) -> Vec<(RollupKey, Tally)> {
    let mut changes: Vec<(RollupKey, Tally)> = contributions(after);
    for (k, t) in before.map(contributions).unwrap_or_default() {
        match changes.iter_mut().find(|(x, _)| *x == k) {
            Some((_, v)) => *v = *v - t,
            None => changes.push((k, Tally::default() - t)),
        }
    }
    changes.retain(|(_, t)| !t.is_zero());
    changes
}

/// The classes of the monthly ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankClass {
    /// 先进: the top of the table.
    Advanced,
    /// 进步: the biggest gains on last month.
    Improved,
    /// 整改: the lower part of the table, to put right.
    Rectify,
    /// 治理: the last few, called in.
    Governance,
}

impl RankClass {
    pub fn as_str(self) -> &'static str {
        match self {
            RankClass::Advanced => "advanced",
            RankClass::Improved => "improved",
            RankClass::Rectify => "rectify",
            RankClass::Governance => "governance",
        }
    }
}

/// How ranked places are classed (versioned like the formula).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingRules {
    /// The top share of the ranked: 先进.
    pub advanced_share: f64,
    /// This many with the largest composite gain on the previous month (and not 先进): 进步.
    pub improved_count: usize,
    /// The last this many — at most `governance_max_share` of the ranked: 治理.
    pub governance_count: usize,
    pub governance_max_share: f64,
    /// The bottom share (above 治理): 整改.
    pub rectify_share: f64,
    /// Fewer valid callbacks than this: not ranked.
    pub min_valid: i64,
}

impl Default for RankingRules {
    /// Beijing's monthly practice for 343 streets and townships — top quartile, the biggest
    /// improvers, the bottom ten called in — scaled for a district by the shares.
    fn default() -> Self {
        RankingRules {
            advanced_share: 0.25,
            improved_count: 3,
            governance_count: 10,
            governance_max_share: 0.1,
            rectify_share: 0.25,
            min_valid: 1,
        }
    }
}

/// One place in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub key: String,
    /// From 1; None when not ranked (too few valid callbacks).
    pub rank: Option<usize>,
    pub tally: Tally,
    pub rates: Option<Rates>,
    /// The composite last month, and the change.
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub class: Option<RankClass>,
}

/// Ranks places by composite (ties: resolution, then satisfaction, then key), then classes them.
pub fn rank(
    entries: Vec<(String, Tally, Option<Tally>)>,
    formula: &Formula,
    previous: Option<&Formula>,
    rules: &RankingRules,
) -> Vec<Ranked> {
    let mut all: Vec<Ranked> = entries
        .into_iter()
        .map(|(key, tally, before)| {
            let rates = (tally.valid >= rules.min_valid).then(|| rates(&tally, formula)).flatten();
            let prev = before.zip(previous).and_then(|(t, f)| rates_of(&t, f, rules));
            let change = rates.zip(prev).map(|(r, p)| r.composite - p);
            Ranked { key, rank: None, tally, rates, previous: prev, change, class: None }
        })
        .collect();
    all.sort_by(|a, b| match (&a.rates, &b.rates) {
        (Some(x), Some(y)) => y
            .composite
            .total_cmp(&x.composite)
            .then(y.resolution.total_cmp(&x.resolution))
            .then(y.satisfaction.total_cmp(&x.satisfaction))
            .then(a.key.cmp(&b.key)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.key.cmp(&b.key),
    });
    let n = all.iter().filter(|r| r.rates.is_some()).count();
    for (i, r) in all.iter_mut().enumerate().take(n) {
        r.rank = Some(i + 1);
    }
    let share = |s: f64| ((n as f64) * s).floor() as usize;
    let governance = rules.governance_count.min(share(rules.governance_max_share).max(usize::from(n >= 2)));
    let rectify = share(rules.rectify_share).max(governance);
    let advanced = share(rules.advanced_share).min(n.saturating_sub(rectify));
    for (i, r) in all.iter_mut().enumerate().take(n) {
        r.class = if i >= n - governance {
            Some(RankClass::Governance)
        } else if i >= n - rectify {
            Some(RankClass::Rectify)
        } else if i < advanced {
            Some(RankClass::Advanced)
        } else {
            None
        };
    }
    let mut gains: Vec<(usize, f64)> = all
        .iter()
        .enumerate()
        .filter(|(_, r)| r.class.is_none() && r.change.is_some_and(|c| c > 0.0))
        .map(|(i, r)| (i, r.change.unwrap_or_default()))
        .collect();
    gains.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (i, _) in gains.into_iter().take(rules.improved_count) {
        all[i].class = Some(RankClass::Improved);
    }
    all
}

/// A recurring problem proposed as a theme (每月一题): a duty item in an area whose receipts
/// this month rise above the months before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub area: String,
    pub duty_item: String,
    pub count: i64,
    /// Receipts in each of the months before, most recent first.
    pub before: Vec<i64>,
    /// This month over the mean of the months before (the count itself when they had none).
    pub growth: f64,
    /// Why it is proposed: rising, repeats, hotspot.
    pub reasons: Vec<&'static str>,
    /// Receipts this month that repeat an earlier request of the same caller on the same item.
    pub repeats: i64,
    /// The grid cells where the item gathered in the area this month, most first (at most 3).
    pub hotspots: Vec<(String, i64)>,
}

/// Proposes themes: (area, item) pairs with at least `min_count` receipts in `month`, more than
/// in the month before, and at least 1.5 × the mean of the months before; the largest rises
/// first. `counts` holds (month, area, item, receipts); `before` the earlier months, most recent
/// first.
pub fn propose(
    counts: &[(String, String, String, i64)],
    month: &str,
    before: &[String],
    min_count: i64,
) -> Vec<Proposal> {
    let count = |m: &str, area: &str, item: &str| {
        counts.iter().filter(|(cm, ca, ci, _)| cm == m && ca == area && ci == item).map(|c| c.3).sum::<i64>()
    };
    let mut out: Vec<Proposal> = counts
        .iter()
        .filter(|(m, _, _, n)| m == month && *n >= min_count)
        .filter_map(|(_, area, item, n)| {
            let prev: Vec<i64> = before.iter().map(|m| count(m, area, item)).collect();
            let mean = if prev.is_empty() { 0.0 } else { prev.iter().sum::<i64>() as f64 / prev.len() as f64 };
            let rising = prev.first().is_none_or(|p| n > p) && (*n as f64) >= 1.5 * mean;
            rising.then(|| Proposal {
                area: area.clone(),
                duty_item: item.clone(),
                count: *n,
                growth: if mean > 0.0 { *n as f64 / mean } else { *n as f64 },
                before: prev,
                reasons: vec!["rising"],
                repeats: 0,
                hotspots: vec![],
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let rise = |p: &Proposal| p.count as f64 - p.before.iter().sum::<i64>() as f64 / p.before.len().max(1) as f64;
        rise(b).total_cmp(&rise(a)).then(a.area.cmp(&b.area)).then(a.duty_item.cmp(&b.duty_item))
    });
    out
}

fn rates_of(t: &Tally, f: &Formula, rules: &RankingRules) -> Option<f64> {
    (t.valid >= rules.min_valid).then(|| rates(t, f).map(|r| r.composite)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(valid: i64, contacted: i64, solved: i64, satisfied: i64, basic: i64) -> Tally {
        Tally {
            valid,
            contacted,
            solved,
            satisfied,
            basically_satisfied: basic,
            dissatisfied: valid - satisfied - basic,
            ..Tally::default()
        }
    }

    #[test]
    fn the_standard_formula_weighs_as_documented() {
        let f = Formula::standard();
        f.check().unwrap();
        let r = rates(&tally(100, 95, 80, 70, 20), &f).unwrap();
        assert!((r.response - 0.95).abs() < 1e-12);
        assert!((r.resolution - 0.80).abs() < 1e-12);
        assert!((r.satisfaction - 0.88).abs() < 1e-12, "(70 + 0.9 × 20) / 100");
        assert!((r.composite - (0.095 + 0.40 + 0.352)).abs() < 1e-12);
        assert_eq!(rates(&Tally::default(), &f), None);
        let bad = Formula { satisfaction_weight: 0.5, ..f.clone() };
        assert_eq!(bad.check().unwrap_err().code(), "field_malformed");
    }

    #[test]
    fn a_past_month_keeps_the_formula_in_force_then() {
        let v1 = Formula::standard();
        let v2 = Formula {
            version: 2,
            effective_from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            basically_satisfied: 0.8,
            ..v1.clone()
        };
        let all = [v1.clone(), v2.clone()];
        assert_eq!(in_force(&all, NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()), Some(&v1));
        assert_eq!(in_force(&all, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()), Some(&v2));
        assert_eq!(in_force(&all, NaiveDate::from_ymd_opt(2018, 1, 1).unwrap()), None);
    }

    #[test]
    fn rising_problems_are_proposed_and_steady_ones_are_not() {
        let c = |m: &str, a: &str, i: &str, n: i64| (m.to_string(), a.to_string(), i.to_string(), n);
        let counts = vec![
            c("2026-10", "s1", "C-031", 12),
            c("2026-09", "s1", "C-031", 4),
            c("2026-08", "s1", "C-031", 2),
            c("2026-10", "s1", "C-020", 9),
            c("2026-09", "s1", "C-020", 9),
            c("2026-10", "s2", "C-050", 5),
            c("2026-10", "s2", "C-001", 2),
        ];
        let before = vec!["2026-09".to_string(), "2026-08".to_string()];
        let p = propose(&counts, "2026-10", &before, 3);
        let keys: Vec<(&str, &str)> = p.iter().map(|x| (x.area.as_str(), x.duty_item.as_str())).collect();
        assert_eq!(keys, [("s1", "C-031"), ("s2", "C-050")], "steady C-020 and small C-001 are not proposed");
        assert_eq!(p[0].before, [4, 2]);
        assert!((p[0].growth - 4.0).abs() < 1e-9);
    }

    #[test]
    fn rankings_class_the_top_the_gainers_and_the_bottom() {
        let f = Formula::standard();
        let rules = RankingRules { governance_count: 2, governance_max_share: 0.2, ..RankingRules::default() };
        // Twelve streets, composite falling with the index; s11 was much worse last month.
        let entries: Vec<(String, Tally, Option<Tally>)> = (0..12)
            .map(|i| {
                let solved = 100 - i * 3;
                let before = if i == 7 { tally(100, 60, 40, 40, 0) } else { tally(100, 100 - i * 3, solved, 80, 10) };
                (format!("s{i:02}"), tally(100, 100 - i * 3, solved, 80, 10), Some(before))
            })
            .chain([("s99".to_string(), Tally::default(), None)])
            .collect();
        let ranked = rank(entries, &f, Some(&f), &rules);
        assert_eq!(ranked[0].key, "s00");
        assert_eq!(ranked[0].rank, Some(1));
        assert_eq!(ranked.last().unwrap().rank, None, "no valid callbacks, not ranked");
        let class = |k: &str| ranked.iter().find(|r| r.key == k).unwrap().class;
        assert_eq!(
            (class("s00"), class("s02"), class("s03")),
            (Some(RankClass::Advanced), Some(RankClass::Advanced), None)
        );
        assert_eq!(class("s07"), Some(RankClass::Improved), "the biggest gain");
        assert_eq!((class("s10"), class("s11")), (Some(RankClass::Governance), Some(RankClass::Governance)));
        assert_eq!(class("s09"), Some(RankClass::Rectify));
    }
}
