//! 每月一题 proposals as both the API (`/api/v1/themes/proposals`, the hotspot and repeat lists)
//! and the dashboard find them: a month's receipts (and the repeat window before it) grouped
//! under their street or community and located in a grid cell, and the rising, repeated and
//! gathering problems found in them. Reading the receipts folds every case of the month, so the
//! dashboard keeps the default proposals of a month for a short while.

use crate::AppState;
use chrono::{Datelike, Months, NaiveDate};
use chuishao_domain::assessment::Proposal;
use chuishao_domain::calendar::start_of_day;
use chuishao_domain::frequency::{high_frequency, Receipt, Thresholds};
use chuishao_domain::{DistrictCode, Timestamp};
use chuishao_routing::duplicates::phone_key;
use chuishao_routing::{LatLon, Level, Router};
use chuishao_store::{Dimension, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the dashboard's proposals of a month stand before they are found again: new
/// receipts show within this.
const FRESH_FOR: Duration = Duration::from_secs(60);

fn month_str(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The month `k` months before `month`.
fn before(month: NaiveDate, k: u32) -> NaiveDate {
    month.checked_sub_months(Months::new(k)).unwrap_or(month)
}

/// What the high-frequency analysis of a month reads.
pub struct Analysis {
    /// The month's first day, and its [lo, hi) in time.
    pub month: NaiveDate,
    pub lo: Timestamp,
    pub hi: Timestamp,
    /// Receipts of [lo - back, hi), each under its street or community (those without one left
    /// out); who called only as a key to match repeats by, never shown.
    pub receipts: Vec<Receipt>,
    pub router: Arc<Router>,
}

impl Analysis {
    /// The receipts of `month` and of `back` before it, of one street or of the district.
    pub async fn load(
        state: &AppState,
        district: &DistrictCode,
        street: Option<&str>,
        month: NaiveDate,
        back: chrono::Duration,
        area: Dimension,
    ) -> Result<Analysis, StoreError> {
        let lo = start_of_day(month);
        let hi = start_of_day(month.checked_add_months(Months::new(1)).unwrap_or(month));
        let router = state.routing.router(&state.store, district).await?;
        let cases = state.store.received_between(district, (lo - back, hi), street).await?;
        let receipts = cases
            .iter()
            .map(|c| Receipt {
                number: c.number.clone(),
                at: c.received_at,
                area: match area {
                    Dimension::Community => c.community.as_ref().map(|x| x.to_string()).unwrap_or_default(),
                    _ => c.street.to_string(),
                },
                duty_item: c.duty_item.as_ref().map(|i| i.code.clone()),
                caller: c.reporter.as_ref().map(|r| phone_key(r.phone.as_str())),
                cell: c
                    .location
                    .and_then(|p| router.atlas.containing(Level::Grid, LatLon::new(p.lat, p.lon)))
                    .map(|a| a.code.clone()),
            })
            .filter(|r| !r.area.is_empty())
            .collect();
        Ok(Analysis { month, lo, hi, receipts, router })
    }

    /// The month's proposals: rising over the two months before (from the rollups), repeated,
    /// or gathering in a grid cell — of every area the receipts cover, most pressing first.
    pub async fn propose(
        &self,
        state: &AppState,
        district: &DistrictCode,
        area: Dimension,
        th: &Thresholds,
    ) -> Result<Vec<Proposal>, StoreError> {
        let earlier = vec![month_str(before(self.month, 1)), month_str(before(self.month, 2))];
        let mut months = earlier.clone();
        months.push(month_str(self.month));
        let counts = state.store.receipts_by_area_item(district, &months, area).await?;
        Ok(high_frequency(&counts, &month_str(self.month), &earlier, &self.receipts, (self.lo, self.hi), th))
    }
}

type Key = (DistrictCode, NaiveDate, &'static str, Option<String>);
/// Proposals found, and when.
type Found = (Instant, Arc<Vec<Proposal>>);

/// The default proposals of recent (district, month, area, street) lookups, each with when it
/// was found.
#[derive(Default)]
pub struct ProposalCache(Mutex<HashMap<Key, Found>>);

impl ProposalCache {
    /// The proposals of `month` with the default thresholds, as `/api/v1/themes/proposals`
    /// finds them for someone who sees `street` (or the district): found again when older than
    /// a minute.
    pub async fn get(
        &self,
        state: &AppState,
        district: &DistrictCode,
        street: Option<&str>,
        month: NaiveDate,
        area: Dimension,
    ) -> Result<Arc<Vec<Proposal>>, StoreError> {
        let key: Key = (
            district.clone(),
            month,
            if area == Dimension::Community { "community" } else { "street" },
            street.map(str::to_string),
        );
        let now = Instant::now();
        if let Some((at, found)) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if now.duration_since(*at) < FRESH_FOR {
                return Ok(found.clone());
            }
        }
        let th = Thresholds::default();
        let a = Analysis::load(state, district, street, month, th.repeat_window, area).await?;
        let found = Arc::new(a.propose(state, district, area, &th).await?);
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (at, _)| now.duration_since(*at) < FRESH_FOR);
        map.insert(key, (now, found.clone()));
        Ok(found)
    }
}
