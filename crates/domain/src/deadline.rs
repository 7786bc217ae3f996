//! Deadlines: a spec from the duty catalog ("24h", "7wd") and its instances on a case.

use crate::calendar::WorkCalendar;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    /// Calendar minutes (emergencies).
    Minutes,
    /// Calendar hours, day and night, holiday or not.
    Hours,
    /// Working days on the work calendar.
    WorkingDays,
}

/// How long something may take: `30m`, `24h`, `7wd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeadlineSpec {
    pub amount: u32,
    pub unit: DeadlineUnit,
}

impl DeadlineSpec {
    pub const fn hours(amount: u32) -> Self {
        Self { amount, unit: DeadlineUnit::Hours }
    }
    pub const fn minutes(amount: u32) -> Self {
        Self { amount, unit: DeadlineUnit::Minutes }
    }
    pub const fn working_days(amount: u32) -> Self {
        Self { amount, unit: DeadlineUnit::WorkingDays }
    }

    /// The largest amount a spec may have (about 27 years of working days).
    pub const MAX_AMOUNT: u32 = 10_000;

    /// When something started at `start` is due. Amounts beyond [`Self::MAX_AMOUNT`] count as
    /// that, so no spec, however built, overflows the calendar.
    pub fn due_from(&self, start: Timestamp, calendar: &WorkCalendar) -> Timestamp {
        let amount = self.amount.min(Self::MAX_AMOUNT);
        match self.unit {
            DeadlineUnit::Minutes => start + chrono::Duration::minutes(amount.into()),
            DeadlineUnit::Hours => start + chrono::Duration::hours(amount.into()),
            DeadlineUnit::WorkingDays => calendar.add_working_days(start, amount),
        }
    }
}

impl DeadlineSpec {
    /// When a deadline of this spec running from `start` to `due` warns: when a quarter of its
    /// time is left — calendar time for minutes and hours, working time for working days (so a
    /// warning never falls in a holiday while most of the working time is still ahead).
    pub fn warning_at(&self, start: Timestamp, due: Timestamp, calendar: &WorkCalendar) -> Timestamp {
        match self.unit {
            DeadlineUnit::Minutes | DeadlineUnit::Hours => warn_at(start, due),
            DeadlineUnit::WorkingDays => working_time_warning(start, due, calendar),
        }
    }
}

impl fmt::Display for DeadlineSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            DeadlineUnit::Minutes => "m",
            DeadlineUnit::Hours => "h",
            DeadlineUnit::WorkingDays => "wd",
        };
        write!(f, "{}{}", self.amount, unit)
    }
}

impl FromStr for DeadlineSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (num, unit) = s.split_at(split);
        let amount: u32 = num.parse().map_err(|_| format!("deadline `{s}`: missing amount"))?;
        let unit = match unit {
            "m" => DeadlineUnit::Minutes,
            "h" => DeadlineUnit::Hours,
            "wd" => DeadlineUnit::WorkingDays,
            _ => return Err(format!("deadline `{s}`: unit must be m, h or wd")),
        };
        if amount == 0 || amount > Self::MAX_AMOUNT {
            return Err(format!("deadline `{s}`: amount must be 1..=10000"));
        }
        Ok(Self { amount, unit })
    }
}

impl Serialize for DeadlineSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DeadlineSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Which clock of a case a deadline instance belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Contact the resident (counts for the response rate).
    Response,
    /// Report the result.
    Resolution,
}

impl DeadlineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Response => "response",
            DeadlineKind::Resolution => "resolution",
        }
    }
}

/// One running deadline on a case. The warning falls when a quarter of the time is left
/// (see [`DeadlineSpec::warning_at`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub start: Timestamp,
    pub due: Timestamp,
    pub warn_at: Timestamp,
    pub warned: bool,
    pub overdue: bool,
    pub met_at: Option<Timestamp>,
}

impl Deadline {
    pub fn new(kind: DeadlineKind, start: Timestamp, due: Timestamp, warn_at: Timestamp) -> Self {
        Self { kind, start, due, warn_at, warned: false, overdue: false, met_at: None }
    }

    pub fn is_met(&self) -> bool {
        self.met_at.is_some()
    }

    /// The next instant the ticker must look at this deadline, if any.
    pub fn next_alert(&self) -> Option<Timestamp> {
        if self.is_met() || self.overdue {
            None
        } else if !self.warned {
            Some(self.warn_at)
        } else {
            Some(self.due)
        }
    }
}

/// Three quarters of the way from `start` to `due` in calendar time.
pub fn warn_at(start: Timestamp, due: Timestamp) -> Timestamp {
    start + (due - start) * 3 / 4
}

/// The instant before `due` at which a quarter of the working time between `start` and `due`
/// (time falling on working days) is left.
pub fn working_time_warning(start: Timestamp, due: Timestamp, calendar: &WorkCalendar) -> Timestamp {
    use crate::calendar::{local_date, start_of_day};
    if due <= start {
        return start;
    }
    // Walk back from `due` one Beijing day at a time, measuring working time.
    let segments = |mut t: Timestamp| {
        std::iter::from_fn(move || {
            if t <= start {
                return None;
            }
            let day = local_date(t - chrono::Duration::nanoseconds(1));
            let seg_start = start_of_day(day).max(start);
            let seg = (seg_start, t, calendar.is_working_day(day));
            t = seg_start;
            Some(seg)
        })
    };
    let total: chrono::Duration = segments(due).filter(|s| s.2).map(|(a, b, _)| b - a).sum();
    if total.is_zero() {
        return warn_at(start, due);
    }
    let mut left = total / 4;
    for (a, b, working) in segments(due) {
        if !working {
            continue;
        }
        if b - a >= left {
            return b - left;
        }
        left -= b - a;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_round_trip() {
        for s in ["30m", "2h", "24h", "7wd", "15wd"] {
            assert_eq!(s.parse::<DeadlineSpec>().unwrap().to_string(), s);
        }
        for bad in ["", "7", "wd", "0h", "7d", "-1h", "3 wd"] {
            assert!(bad.parse::<DeadlineSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn hours_ignore_the_calendar_working_days_use_it() {
        let cal = WorkCalendar::china();
        let fri = chrono::DateTime::parse_from_rfc3339("2026-11-27T15:00:00+08:00").unwrap().to_utc();
        assert_eq!(DeadlineSpec::hours(24).due_from(fri, &cal).to_rfc3339(), "2026-11-28T07:00:00+00:00");
        assert_eq!(DeadlineSpec::working_days(1).due_from(fri, &cal).to_rfc3339(), "2026-11-30T07:00:00+00:00");
        let four_hours = fri + chrono::Duration::hours(4);
        assert_eq!(DeadlineSpec::hours(4).warning_at(fri, four_hours, &cal), fri + chrono::Duration::hours(3));
    }

    #[test]
    fn working_day_warnings_count_working_time_not_holidays() {
        let cal = WorkCalendar::china();
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        // Wed 30 Sep + 3 working days = Sat 10 Oct (make-up day): a quarter of the working time
        // is left on Fri 9 Oct, not inside the National Day week.
        let start = t("2026-09-30T09:00:00+08:00");
        let spec = DeadlineSpec::working_days(3);
        let due = spec.due_from(start, &cal);
        assert_eq!(due, t("2026-10-10T09:00:00+08:00"));
        assert_eq!(spec.warning_at(start, due, &cal), t("2026-10-09T15:00:00+08:00"));
        // Plain weeks: Mon 09:00 + 4 working days = Fri 09:00; a quarter (one day) left on Thu 09:00.
        let mon = t("2026-11-23T09:00:00+08:00");
        let due = DeadlineSpec::working_days(4).due_from(mon, &cal);
        assert_eq!(DeadlineSpec::working_days(4).warning_at(mon, due, &cal), t("2026-11-26T09:00:00+08:00"));
    }
}
