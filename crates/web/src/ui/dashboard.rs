//! `/dashboard` (数据看板): one street's figures for its leader, or the district's — all streets
//! or one chosen — for the district supervisor and the inspector. Today's intake and the open
//! and overdue counts; the month's 三率 and composite with the street's rank and class (the same
//! rollups, formulas and ranking rules as `/api/v1/rates` and `/api/v1/rankings`); six months'
//! trend; the top duty items; whistle figures; communities shaded by receipts; the monthly
//! report with its downloads; rising problems proposed as themes. Every chart is SVG drawn here,
//! with its figures in a table too.

use super::choropleth::{shaded_map, MapWords, Shaded};
use super::error::UiError;
use super::page::{Ctx, SelectOption};
use super::svg::{bar_chart, column_chart, line_chart, Chart, Series};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, Months, NaiveDate};
use chuishao_domain::assessment::{in_force, rank, rates, Formula, Rates, Tally};
use chuishao_domain::calendar::{local_date, parse_day, start_of_day};
use chuishao_domain::case::Channel;
use chuishao_domain::{whistle, Role, Scope, StreetCode};
use chuishao_store::{Dimension, Slice};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Who sees the dashboard: a street's leader (their street), the district (every street).
pub const ROLES: [Role; 3] = [Role::StreetLeader, Role::DistrictSupervisor, Role::Inspector];

/// Months of the trend, ending with the month shown.
const TREND_MONTHS: u32 = 6;
/// Months back the month selector offers.
const SELECTABLE_MONTHS: u32 = 12;

fn month_str(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn shift_back(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months)).unwrap_or(d)
}

/// A rate as a page shows it: percent with two decimals, rounded as the API rounds (4 places).
pub fn pct(x: f64) -> String {
    format!("{:.2}%", (x * 10_000.0).round() / 100.0)
}

fn pct_opt(x: Option<f64>) -> String {
    x.map(pct).unwrap_or_else(|| "—".into())
}

fn formula_for(formulas: &[Formula], month: NaiveDate) -> Formula {
    in_force(formulas, month).cloned().unwrap_or_else(Formula::standard)
}

struct RateTiles {
    response: String,
    resolution: String,
    satisfaction: String,
    composite: String,
}

fn tiles(r: Option<&Rates>) -> RateTiles {
    RateTiles {
        response: pct_opt(r.map(|r| r.response)),
        resolution: pct_opt(r.map(|r| r.resolution)),
        satisfaction: pct_opt(r.map(|r| r.satisfaction)),
        composite: pct_opt(r.map(|r| r.composite)),
    }
}

struct CountRow {
    label: String,
    count: i64,
}

struct TrendRow {
    month: String,
    received: i64,
    valid: i64,
    composite: String,
}

struct ItemRow {
    code: String,
    name: String,
    received: i64,
    valid: i64,
    composite: String,
}

struct ReportRow {
    rank: String,
    code: String,
    name: String,
    received: i64,
    valid: i64,
    rates: RateTiles,
    previous: String,
    class: String,
    own: bool,
}

struct WhistleTiles {
    whistles: u64,
    whistle_rate: String,
    summoned: u64,
    sign_rate: String,
    report_in_rate: String,
}

struct ProposalRow {
    area: String,
    item: String,
    count: i64,
    before: String,
    reasons: String,
    /// Repeat requests of the month (same caller, same item, within 30 days).
    repeats: i64,
    /// Receipts in the busiest grid cell.
    hotspot: i64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    ctx: &'a Ctx,
    scope_name: String,
    month: String,
    is_this_month: bool,
    months: Vec<SelectOption>,
    /// The street selector of the district's users (empty for a street's leader).
    streets: Vec<SelectOption>,
    today: String,
    intake_total: i64,
    intake: Vec<CountRow>,
    intake_chart: String,
    open: u64,
    overdue: u64,
    received: i64,
    valid: i64,
    rates: RateTiles,
    rank: Option<String>,
    class: Option<String>,
    trend: Vec<TrendRow>,
    trend_rates_chart: String,
    trend_receipts_chart: String,
    items: Vec<ItemRow>,
    items_chart: String,
    whistles: WhistleTiles,
    map: Shaded,
    communities: Vec<CountRow>,
    report: Vec<ReportRow>,
    report_month: String,
    xlsx_href: String,
    csv_href: String,
    proposals: Vec<ProposalRow>,
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    month: Option<String>,
    street: Option<String>,
}

/// `GET /dashboard?month=YYYY-MM&street=CODE`
pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&ROLES)?;
    let actor = &user.actor;
    let d = &actor.district;
    let now = state.now();
    let today = local_date(now);
    let this_month = today.with_day(1).ok_or_else(UiError::internal)?;
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => this_month,
        Some(m) => parse_day(&format!("{m}-01"))
            .filter(|m| *m <= this_month && *m >= shift_back(this_month, 36))
            .ok_or_else(UiError::bad_request)?,
    };
    let next_month = month.checked_add_months(Months::new(1)).ok_or_else(UiError::bad_request)?;
    let all_streets = state.store.streets(d).await?;
    // A street's leader sees their street only, whatever the address says.
    let street: Option<StreetCode> = match (&actor.scope, q.street.as_deref().map(str::trim)) {
        (Scope::Street { code }, _) => Some(code.clone()),
        (_, None | Some("")) => None,
        (_, Some(s)) => Some(
            all_streets
                .iter()
                .find(|x| x.code.as_str() == s)
                .map(|x| x.code.clone())
                .ok_or_else(UiError::bad_request)?,
        ),
    };
    let own = street.as_ref().map(|s| s.to_string());
    let slice = Slice { street: own.clone(), ..Default::default() };
    let (m, prev) = (month_str(month), month_str(shift_back(month, 1)));
    let first = month_str(shift_back(month, TREND_MONTHS - 1));
    let router = state.routing.router(&state.store, d).await?;
    let store = &state.store;
    let everywhere = Slice::default();
    let (lo, hi) = (start_of_day(month), start_of_day(next_month));
    // Proposals as a street's leader or the district finds them through the API: the receipts
    // read are of the street for a street's leader, of the district otherwise.
    let seen_street = match &actor.scope {
        Scope::Street { code } => Some(code.as_str()),
        _ => None,
    };
    // Every street's figures of the six months in one read: the trend (of the street or the
    // district), this month's ranking and last month's for the change.
    let (formulas, by_month_street, by_item, by_community) = tokio::try_join!(
        store.formulas(d),
        store.tallies_by_month(d, &first, &m, Dimension::Street, &everywhere),
        store.tallies(d, &m, &m, Dimension::DutyItem, &slice),
        store.tallies(d, &m, &m, Dimension::Community, &slice),
    )?;
    let (intake, (open, overdue), whistles, case_counts, duty_items, found) = tokio::try_join!(
        store.intake_by_channel(d, (start_of_day(today), now), own.as_deref()),
        store.open_and_overdue(d, own.as_deref()),
        store.whistles_between(d, lo, hi),
        store.case_counts_by_street(d, lo, hi),
        store.duty_items(d),
        state.proposals.get(&state, d, seen_street, month, Dimension::Community),
    )?;
    let names = state.names();
    let f = formula_for(&formulas, month);

    // The month's figures of the street (or the district), as `/api/v1/rates` counts them.
    let mut trend_t: BTreeMap<&str, Tally> = BTreeMap::new();
    for (mo, s, t) in &by_month_street {
        if own.as_deref().is_none_or(|o| o == s) {
            *trend_t.entry(mo.as_str()).or_default() += *t;
        }
    }
    let tally_of = |k: &str| trend_t.get(k).copied().unwrap_or_default();
    let month_tally = tally_of(&m);
    let month_rates = rates(&month_tally, &f);
    let streets_of = |mo: &str| -> Vec<(String, Tally)> {
        by_month_street.iter().filter(|(x, _, _)| x == mo).map(|(_, s, t)| (s.clone(), *t)).collect()
    };
    let (by_street, by_street_before) = (streets_of(&m), streets_of(&prev));

    // The ranking of every street, as `/api/v1/rankings` ranks them.
    let fp = formula_for(&formulas, shift_back(month, 1));
    let find = |v: &[(String, Tally)], k: &str| v.iter().find(|(x, _)| x == k).map(|(_, t)| *t);
    let entries = all_streets
        .iter()
        .map(|s| {
            let k = s.code.to_string();
            (k.clone(), find(&by_street, &k).unwrap_or_default(), find(&by_street_before, &k))
        })
        .collect();
    let ranked = rank(entries, &f, Some(&fp), &f.ranking);
    let ranked_count = ranked.iter().filter(|r| r.rank.is_some()).count();
    let mine = own.as_ref().and_then(|s| ranked.iter().find(|r| &r.key == s));
    let report = ranked
        .iter()
        .map(|r| ReportRow {
            rank: r.rank.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            code: r.key.clone(),
            name: names.name_of(&r.key),
            received: r.tally.received,
            valid: r.tally.valid,
            rates: tiles(r.rates.as_ref()),
            previous: pct_opt(r.previous),
            class: r.class.map(|c| ctx.label("rank_class", c.as_str())).unwrap_or_default(),
            own: own.as_deref() == Some(r.key.as_str()),
        })
        .collect();

    // Today's intake by channel, every channel shown.
    let intake_rows: Vec<CountRow> = Channel::ALL
        .iter()
        .map(|c| CountRow {
            label: ctx.label("channel", c.as_str()),
            count: intake.iter().find(|(k, _)| k == c.as_str()).map_or(0, |(_, n)| *n as i64),
        })
        .collect();
    let intake_total = intake_rows.iter().map(|r| r.count).sum();
    let count_fmt = |v: f64| format!("{v:.0}");
    let bars: Vec<(String, f64)> = intake_rows.iter().map(|r| (r.label.clone(), r.count as f64)).collect();
    let intake_chart = bar_chart(
        &Chart { id: "chart-intake", title: &ctx.t("ui-dash-intake"), desc: &ctx.t("ui-dash-intake-desc") },
        &bars,
        &count_fmt,
    );

    // Six months: the rates (a line each) and the receipts (columns).
    let trend_months: Vec<NaiveDate> = (0..TREND_MONTHS).rev().map(|k| shift_back(month, k)).collect();
    let trend: Vec<(String, Tally, Option<Rates>)> = trend_months
        .iter()
        .map(|mo| {
            let t = tally_of(&month_str(*mo));
            (month_str(*mo), t, rates(&t, &formula_for(&formulas, *mo)))
        })
        .collect();
    let labels: Vec<String> = trend.iter().map(|(k, _, _)| k.clone()).collect();
    let line = |key: &str, class: &'static str, pick: fn(&Rates) -> f64| Series {
        name: ctx.t(key),
        class,
        points: trend.iter().map(|(_, _, r)| r.as_ref().map(|r| pick(r) * 100.0)).collect(),
    };
    let series = [
        line("ui-dash-composite", "s1", |r| r.composite),
        line("ui-dash-response", "s2", |r| r.response),
        line("ui-dash-resolution", "s3", |r| r.resolution),
        line("ui-dash-satisfaction", "s4", |r| r.satisfaction),
    ];
    let trend_rates_chart = line_chart(
        &Chart {
            id: "chart-trend-rates",
            title: &ctx.t("ui-dash-trend-rates"),
            desc: &ctx.t("ui-dash-trend-rates-desc"),
        },
        &labels,
        &series,
        Some(100.0),
        &|v| format!("{v:.0}%"),
    );
    let cols: Vec<(String, f64)> = trend.iter().map(|(k, t, _)| (k.clone(), t.received as f64)).collect();
    let trend_receipts_chart = column_chart(
        &Chart {
            id: "chart-trend-receipts",
            title: &ctx.t("ui-dash-trend-receipts"),
            desc: &ctx.t("ui-dash-trend-receipts-desc"),
        },
        &cols,
        &count_fmt,
    );
    let trend_rows = trend
        .iter()
        .map(|(k, t, r)| TrendRow {
            month: k.clone(),
            received: t.received,
            valid: t.valid,
            composite: pct_opt(r.map(|r| r.composite)),
        })
        .collect();

    // The duty items most asked about this month.
    let item_name = |code: &str| duty_items.iter().find(|i| i.code == code).map(|i| i.name.clone());
    let mut top: Vec<&(String, Tally)> = by_item.iter().filter(|(k, t)| !k.is_empty() && t.received > 0).collect();
    top.sort_by(|a, b| b.1.received.cmp(&a.1.received).then(a.0.cmp(&b.0)));
    top.truncate(8);
    let items: Vec<ItemRow> = top
        .iter()
        .map(|(k, t)| ItemRow {
            code: k.clone(),
            name: item_name(k).unwrap_or_else(|| k.clone()),
            received: t.received,
            valid: t.valid,
            composite: pct_opt(rates(t, &f).map(|r| r.composite)),
        })
        .collect();
    let bars: Vec<(String, f64)> = items.iter().map(|i| (i.name.clone(), i.received as f64)).collect();
    let items_chart = bar_chart(
        &Chart { id: "chart-items", title: &ctx.t("ui-dash-items"), desc: &ctx.t("ui-dash-items-desc") },
        &bars,
        &count_fmt,
    );

    // Whistles blown this month by the street (or the district) and how departments answered.
    let whistles: Vec<_> =
        whistles.into_iter().filter(|w| own.as_deref().is_none_or(|s| w.street.as_str() == s)).collect();
    let counts: Vec<(StreetCode, u64, u64)> = case_counts
        .into_iter()
        .filter(|(s, _, _)| own.as_deref().is_none_or(|o| o == s))
        .filter_map(|(s, n, w)| StreetCode::parse(&s).ok().map(|s| (s, n, w)))
        .collect();
    let fig = whistle::figures(&whistles, &counts, now);
    let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
    let sum = |f: fn(&whistle::DepartmentWhistleFigures) -> u64| fig.departments.iter().map(f).sum::<u64>();
    let (cases, cases_whistled) = fig.streets.iter().fold((0, 0), |(a, b), s| (a + s.cases, b + s.cases_whistled));
    let whistle_tiles = WhistleTiles {
        whistles: fig.streets.iter().map(|s| s.whistles).sum(),
        whistle_rate: pct_opt(share(cases_whistled, cases)),
        summoned: sum(|d| d.summoned),
        sign_rate: pct_opt(share(sum(|d| d.signed_on_time), sum(|d| d.sign_counted))),
        report_in_rate: pct_opt(share(sum(|d| d.reported_in_on_time), sum(|d| d.report_in_counted))),
    };

    // Communities shaded by receipts.
    let counts: BTreeMap<String, i64> =
        by_community.iter().filter(|(k, _)| !k.is_empty()).map(|(k, t)| (k.clone(), t.received)).collect();
    let tooltip = |name: &str, n: i64| ctx.t2("ui-dash-map-tip", "name", name, "count", &n.to_string());
    let map_title = ctx.t("ui-dash-map");
    let map_desc = ctx.t1("ui-dash-map-desc", "month", &m);
    let legend_title = ctx.t("ui-dash-map-legend");
    let words = MapWords {
        map: Chart { id: "map-receipts", title: &map_title, desc: &map_desc },
        legend: Chart { id: "map-legend", title: &legend_title, desc: &legend_title },
        tooltip: &tooltip,
    };
    let map = shaded_map(&router, own.as_deref(), &counts, &words);
    // The table lists every community drawn; without boundaries, those the rollups know.
    let mut communities: Vec<CountRow> = if map.rows.is_empty() {
        counts.iter().map(|(k, n)| CountRow { label: names.name_of(k), count: *n }).collect()
    } else {
        map.rows.iter().map(|(name, n)| CountRow { label: name.clone(), count: *n }).collect()
    };
    communities.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));

    // Problems proposed as 每月一题 themes, as `/api/v1/themes/proposals?area=community` lists
    // them: rising, asked again by the same callers, or gathering in one grid cell (who called
    // is never shown, only how many repeats).
    let proposals = found
        .iter()
        .filter(|p| own.as_deref().is_none_or(|s| p.area.starts_with(s)))
        .take(5)
        .map(|p| ProposalRow {
            area: names.name_of(&p.area),
            item: item_name(&p.duty_item).unwrap_or_else(|| p.duty_item.clone()),
            count: p.count,
            before: p.before.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" / "),
            reasons: p.reasons.iter().map(|r| ctx.label("proposal-reason", r)).collect::<Vec<_>>().join("、"),
            repeats: p.repeats,
            hotspot: p.hotspots.first().map_or(0, |(_, n)| *n),
        })
        .collect();

    let months = (0..SELECTABLE_MONTHS)
        .map(|k| {
            let v = month_str(shift_back(this_month, k));
            SelectOption { selected: v == m, label: v.clone(), value: v }
        })
        .collect();
    let streets = if matches!(actor.scope, Scope::Street { .. }) {
        vec![]
    } else {
        std::iter::once(SelectOption {
            value: String::new(),
            label: ctx.t("ui-dash-all-streets"),
            selected: own.is_none(),
        })
        .chain(all_streets.iter().map(|s| SelectOption {
            value: s.code.to_string(),
            label: s.name.clone(),
            selected: own.as_deref() == Some(s.code.as_str()),
        }))
        .collect()
    };
    let scope_name = match &own {
        Some(s) => names.name_of(s),
        None => match names.name_of(d.as_str()) {
            n if n.is_empty() => ctx.t("ui-dash-all-streets"),
            n => n,
        },
    };
    let page = DashboardPage {
        ctx: &ctx,
        scope_name,
        is_this_month: month == this_month,
        months,
        streets,
        today: today.to_string(),
        intake_total,
        intake: intake_rows,
        intake_chart,
        open,
        overdue,
        received: month_tally.received,
        valid: month_tally.valid,
        rates: tiles(month_rates.as_ref()),
        rank: mine
            .and_then(|r| r.rank)
            .map(|n| ctx.t2("ui-dash-rank-of", "rank", &n.to_string(), "count", &ranked_count.to_string())),
        class: mine.and_then(|r| r.class).map(|c| ctx.label("rank_class", c.as_str())),
        trend: trend_rows,
        trend_rates_chart,
        trend_receipts_chart,
        items,
        items_chart,
        whistles: whistle_tiles,
        map,
        communities,
        report,
        report_month: m.clone(),
        xlsx_href: format!("/api/v1/reports/monthly?month={m}&format=xlsx"),
        csv_href: format!("/api/v1/reports/monthly?month={m}&format=csv"),
        proposals,
        month: m,
    };
    Ok(ctx.page(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_the_api_rounds_them() {
        assert_eq!(pct(0.87344), "87.34%");
        assert_eq!(pct(0.8735), "87.35%");
        assert_eq!(pct(1.0), "100.00%");
        assert_eq!(pct_opt(None), "—");
    }
}
