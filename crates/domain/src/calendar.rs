//! The work calendar: which days are working days in mainland China.
//!
//! A day is a working day when it is a make-up workday (调休), or a Monday–Friday that is not a
//! statutory holiday. Days are Beijing days: Asia/Shanghai has kept +08:00 without DST since 1991.

use crate::Timestamp;
use chrono::{Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Beijing time.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// The Beijing calendar day of an instant.
pub fn local_date(t: Timestamp) -> NaiveDate {
    t.with_timezone(&beijing()).date_naive()
}

/// The years a date given by a user may fall in: wide enough for any record or plan, narrow
/// enough that date arithmetic and text ordering (`YYYY-MM-DD`) stay sound.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// Parses a day written `YYYY-MM-DD` with a year in [`DATE_YEARS`].
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().filter(|d| DATE_YEARS.contains(&d.year()))
}

/// Midnight Beijing time at the start of `d`, as an instant.
pub fn start_of_day(d: NaiveDate) -> Timestamp {
    beijing().from_local_datetime(&d.and_time(NaiveTime::MIN)).single().expect("a fixed offset has no gaps").to_utc()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A statutory day off (法定节假日, including the weekend days folded into it).
    Holiday,
    /// A weekend day worked in exchange (调休上班).
    MakeupWorkday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::MakeupWorkday => "makeup_workday",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "makeup_workday" => Some(DayKind::MakeupWorkday),
            _ => None,
        }
    }
}

/// One exception to the Monday–Friday rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days: BTreeMap<NaiveDate, CalendarDay>,
}

/// The State Council's holiday arrangements for 2024–2026 (see data/cn_holidays.csv's source note
/// in the README); later years are added by admins.
const CHINA_2024_2026: &str = include_str!("../data/cn_holidays.csv");

impl WorkCalendar {
    /// Monday–Friday only, no holidays.
    pub fn weekdays_only() -> Self {
        Self::default()
    }

    /// The statutory calendar shipped with chuishao (2024–2026).
    pub fn china() -> Self {
        Self::parse_csv(CHINA_2024_2026).expect("shipped calendar parses")
    }

    /// Reads `date,kind,festival` lines (a header line is skipped).
    pub fn parse_csv(text: &str) -> Result<Self, String> {
        let mut cal = Self::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || (i == 0 && line.starts_with("date")) {
                continue;
            }
            let mut parts = line.splitn(3, ',');
            let (d, k, n) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
            let date = d
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| format!("line {}: bad date", i + 1))?;
            let kind = k.and_then(DayKind::parse).ok_or_else(|| format!("line {}: bad kind", i + 1))?;
            cal.set(CalendarDay { date, kind, note: n.to_string() });
        }
        Ok(cal)
    }

    pub fn set(&mut self, day: CalendarDay) {
        self.days.insert(day.date, day);
    }

    pub fn remove(&mut self, date: NaiveDate) -> bool {
        self.days.remove(&date).is_some()
    }

    pub fn days(&self) -> impl Iterator<Item = &CalendarDay> {
        self.days.values()
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.days.get(&d).map(|x| x.kind) {
            Some(DayKind::MakeupWorkday) => true,
            Some(DayKind::Holiday) => false,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    fn next_working_day(&self, mut d: NaiveDate) -> NaiveDate {
        loop {
            d = d.succ_opt().expect("dates within chrono's range");
            if self.is_working_day(d) {
                return d;
            }
        }
    }

    /// `start` plus `n` working days, at the same Beijing time of day.
    ///
    /// A start on a day off counts from 00:00 of the next working day, so "1 working day" from a
    /// Saturday ends when Monday ends (Tuesday 00:00).
    pub fn add_working_days(&self, start: Timestamp, n: u32) -> Timestamp {
        let local = start.with_timezone(&beijing());
        let (mut day, time) = if self.is_working_day(local.date_naive()) {
            (local.date_naive(), local.time())
        } else {
            (self.next_working_day(local.date_naive()), NaiveTime::MIN)
        };
        for _ in 0..n {
            day = self.next_working_day(day);
        }
        beijing().from_local_datetime(&day.and_time(time)).single().expect("a fixed offset has no gaps").to_utc()
    }

    /// Working days wholly or partly between two instants, counting `from`'s day when it is one.
    pub fn working_days_between(&self, from: Timestamp, to: Timestamp) -> u32 {
        let (mut d, end) = (local_date(from), local_date(to));
        let mut n = 0;
        while d < end {
            if self.is_working_day(d) {
                n += 1;
            }
            d = d.succ_opt().expect("dates within chrono's range");
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn days_parse_in_a_sane_range_only() {
        assert_eq!(parse_day(" 2026-10-01 "), NaiveDate::from_ymd_opt(2026, 10, 1));
        for bad in ["2026-13-01", "-262143-01-01", "+10000-01-01", "1899-12-31", "2026-1-1", "20261001"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn weekends_holidays_and_makeup_days() {
        let cal = WorkCalendar::china();
        assert!(!cal.is_working_day(day("2026-11-28")), "a plain Saturday");
        assert!(cal.is_working_day(day("2026-11-27")), "a plain Friday");
        assert!(!cal.is_working_day(day("2026-10-01")), "National Day");
        assert!(!cal.is_working_day(day("2026-10-07")), "National Day week");
        for d in ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"] {
            assert!(cal.is_working_day(day(d)), "{d} is a 2026 make-up workday");
        }
    }

    #[test]
    fn friday_plus_one_working_day_is_monday_same_time() {
        let cal = WorkCalendar::china();
        let due = cal.add_working_days(at("2026-11-27T15:00:00+08:00"), 1);
        assert_eq!(due, at("2026-11-30T15:00:00+08:00"));
    }

    #[test]
    fn saturday_start_counts_from_monday() {
        let cal = WorkCalendar::china();
        let due = cal.add_working_days(at("2026-11-28T10:00:00+08:00"), 1);
        assert_eq!(due, at("2026-12-01T00:00:00+08:00"));
    }

    #[test]
    fn national_day_week_is_skipped_and_makeup_saturday_counts() {
        let cal = WorkCalendar::china();
        // Wed 30 Sep + 1 → the holiday runs 1–7 Oct; Thu 8 Oct is the next working day.
        assert_eq!(cal.add_working_days(at("2026-09-30T09:00:00+08:00"), 1), at("2026-10-08T09:00:00+08:00"));
        // Fri 9 Oct + 1 → Sat 10 Oct is a make-up workday.
        assert_eq!(cal.add_working_days(at("2026-10-09T09:00:00+08:00"), 1), at("2026-10-10T09:00:00+08:00"));
        // Spring Festival 2026: Fri 13 Feb + 7 working days: 14(Sat, make-up), 24, 25, 26, 27, 28(Sat, make-up), Mar 2.
        assert_eq!(cal.add_working_days(at("2026-02-13T10:00:00+08:00"), 7), at("2026-03-02T10:00:00+08:00"));
    }

    #[test]
    fn editable_for_later_years() {
        let mut cal = WorkCalendar::china();
        let d = day("2027-01-01");
        assert!(cal.is_working_day(d), "2027 is not shipped: a plain Friday");
        cal.set(CalendarDay { date: d, kind: DayKind::Holiday, note: "New Year's Day".into() });
        assert!(!cal.is_working_day(d));
        assert!(cal.remove(d));
        assert!(cal.is_working_day(d));
    }
}
