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

/// One running deadline on a case. The warning falls when a quarter of the time is left.
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
    pub fn new(kind: DeadlineKind, start: Timestamp, due: Timestamp) -> Self {
        Self { kind, start, due, warn_at: warn_at(start, due), warned: false, overdue: false, met_at: None }
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

/// Three quarters of the way from `start` to `due`.
pub fn warn_at(start: Timestamp, due: Timestamp) -> Timestamp {
    start + (due - start) * 3 / 4
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
        let d = Deadline::new(DeadlineKind::Response, fri, fri + chrono::Duration::hours(4));
        assert_eq!(d.warn_at, fri + chrono::Duration::hours(3));
    }
}
