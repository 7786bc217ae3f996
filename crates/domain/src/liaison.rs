//! Community liaisons (社区专员): the households in their care, how often each must be visited,
//! and the visits they log at the door.

use crate::actor::{Actor, Role, Scope};
use crate::field::{optional_text, required_text, FieldError, FieldRule};
use crate::org::{CommunityCode, DistrictCode, StreetCode};
use crate::personal::{PersonName, Phone};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Why a household is in a liaison's care. Purpose-bound: only what decides visits and help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareFlag {
    /// 独居老人
    LivingAlone,
    /// 高龄 (80 and over)
    Elderly,
    /// 残疾
    Disabled,
    /// 低保 / 低收入
    LowIncome,
    /// 重病
    SeriousIllness,
    /// 失业
    Unemployed,
    /// 优抚对象
    EntitledGroup,
}

impl CareFlag {
    pub const ALL: [CareFlag; 7] = [
        CareFlag::LivingAlone,
        CareFlag::Elderly,
        CareFlag::Disabled,
        CareFlag::LowIncome,
        CareFlag::SeriousIllness,
        CareFlag::Unemployed,
        CareFlag::EntitledGroup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CareFlag::LivingAlone => "living_alone",
            CareFlag::Elderly => "elderly",
            CareFlag::Disabled => "disabled",
            CareFlag::LowIncome => "low_income",
            CareFlag::SeriousIllness => "serious_illness",
            CareFlag::Unemployed => "unemployed",
            CareFlag::EntitledGroup => "entitled_group",
        }
    }

    pub fn parse(s: &str) -> Option<CareFlag> {
        CareFlag::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The default visit interval in calendar days: those most at risk monthly, others by
    /// the quarter or two months.
    pub fn default_interval_days(self) -> u32 {
        match self {
            CareFlag::LivingAlone | CareFlag::SeriousIllness => 30,
            CareFlag::Elderly | CareFlag::Disabled => 60,
            CareFlag::LowIncome | CareFlag::Unemployed | CareFlag::EntitledGroup => 90,
        }
    }
}

/// How often households with a flag must be visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitPolicy {
    pub flag: CareFlag,
    pub interval_days: u32,
}

impl VisitPolicy {
    pub const MAX_INTERVAL_DAYS: u32 = 366;

    pub fn defaults() -> Vec<VisitPolicy> {
        CareFlag::ALL
            .into_iter()
            .map(|flag| VisitPolicy { flag, interval_days: flag.default_interval_days() })
            .collect()
    }
}

/// The interval that applies to a household: the shortest of its flags' policies.
pub fn visit_interval(flags: &[CareFlag], policies: &[VisitPolicy]) -> Option<u32> {
    flags
        .iter()
        .map(|f| policies.iter().find(|p| p.flag == *f).map_or(f.default_interval_days(), |p| p.interval_days))
        .min()
}

/// When a household is next due for a visit: one interval after the last visit, or at once for
/// one never visited since it was registered. None for a household without care flags.
pub fn next_visit_due(
    flags: &[CareFlag],
    policies: &[VisitPolicy],
    last_visit: Option<NaiveDate>,
    registered_on: NaiveDate,
) -> Option<NaiveDate> {
    let days = visit_interval(flags, policies)?;
    Some(match last_visit {
        Some(d) => d + chrono::Duration::days(days.into()),
        None => registered_on,
    })
}

/// A household as registered: where, whom to reach, and why it is in care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    pub id: String,
    pub district: DistrictCode,
    pub street: StreetCode,
    pub community: CommunityCode,
    pub address: String,
    pub contact_name: Option<PersonName>,
    pub phone: Option<Phone>,
    pub care_flags: Vec<CareFlag>,
    pub note: Option<String>,
    pub active: bool,
}

/// The fields of a household as given, before they are checked.
#[derive(Debug, Clone, Default)]
pub struct HouseholdInput {
    pub address: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub care_flags: Vec<String>,
    pub note: Option<String>,
}

/// A household's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdFields {
    pub address: String,
    pub contact_name: Option<PersonName>,
    pub phone: Option<Phone>,
    pub care_flags: Vec<CareFlag>,
    pub note: Option<String>,
}

/// Checks a household's fields: an address, an optional contact, known and unique care flags.
pub fn household_fields(input: &HouseholdInput) -> Result<HouseholdFields, FieldError> {
    let address = required_text("address", &input.address, 200)?;
    let contact_name = match input.contact_name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(n) => Some(PersonName::parse_field("contact_name", n)?),
        None => None,
    };
    let phone = match input.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => Some(Phone::parse_field("phone", p)?),
        None => None,
    };
    let mut flags = Vec::with_capacity(input.care_flags.len());
    for (i, f) in input.care_flags.iter().enumerate() {
        let flag = CareFlag::parse(f.trim()).ok_or_else(|| FieldError::unknown(format!("care_flags[{i}]")))?;
        if !flags.contains(&flag) {
            flags.push(flag);
        }
    }
    flags.sort();
    let note = optional_text("note", input.note.as_deref(), 500)?;
    Ok(HouseholdFields { address, contact_name, phone, care_flags: flags, note })
}

/// Who may register and edit households of a community: its liaisons, the street's dispatchers
/// and leaders, the district supervisor.
pub fn may_manage_households(actor: &Actor, district: &DistrictCode, community: &CommunityCode) -> bool {
    if actor.district != *district {
        return false;
    }
    match (actor.role, &actor.scope) {
        (Role::Liaison, scope) => scope.covers(Some(community)),
        (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => *code == community.street(),
        (Role::DistrictSupervisor, Scope::District { code }) => code == district,
        _ => false,
    }
}

/// The street unit that cares for households: the 2018 template's 民生保障办公室, which also
/// decides on hardship assistance.
pub const CARE_UNIT_ROLE: &str = "livelihood";

/// Who may read households of a community and the visits there: those who manage them, the
/// street's 民生保障办公室 (`unit_role` is the acting unit staff's role key) and the inspector.
/// Other units see none of it: the data is held for care, not for every office.
pub fn may_read_households(
    actor: &Actor,
    district: &DistrictCode,
    community: &CommunityCode,
    unit_role: Option<&str>,
) -> bool {
    may_manage_households(actor, district, community)
        || (actor.district == *district
            && match (actor.role, &actor.scope) {
                (Role::UnitStaff, Scope::Unit { street, .. }) => {
                    *street == community.street() && unit_role == Some(CARE_UNIT_ROLE)
                }
                (Role::Inspector, Scope::District { code }) => code == district,
                _ => false,
            })
}

/// Who may log a visit in a community: a liaison covering it, or the street's dispatchers and
/// leaders on their walks.
pub fn may_log_visit(actor: &Actor, community: &CommunityCode) -> bool {
    match (actor.role, &actor.scope) {
        (Role::Liaison, scope) => scope.covers(Some(community)),
        (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => *code == community.street(),
        _ => false,
    }
}

/// Who may assign liaisons to the communities of a street: its dispatchers and leaders, the
/// district supervisor.
pub fn may_assign_liaisons(actor: &Actor, street: &StreetCode) -> bool {
    match (actor.role, &actor.scope) {
        (Role::Dispatcher | Role::StreetLeader, Scope::Street { code }) => code == street,
        (Role::DistrictSupervisor, Scope::District { code }) => *code == street.district(),
        _ => false,
    }
}

/// What was seen and asked at a visit, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitNotes {
    pub seen: String,
    pub asked: Option<String>,
    pub follow_ups: Option<String>,
}

/// Checks a visit's date and notes. A visit is logged on or after the day it happened (forms
/// filled offline arrive later), never ahead of it, and within the last year.
pub fn visit_fields(
    visited_on: NaiveDate,
    today: NaiveDate,
    seen: &str,
    asked: Option<&str>,
    follow_ups: Option<&str>,
) -> Result<VisitNotes, FieldError> {
    if visited_on > today || (today - visited_on).num_days() > 365 {
        return Err(FieldError::new("visited_on", FieldRule::OutOfRange { min: 0, max: 365 }));
    }
    Ok(VisitNotes {
        seen: required_text("seen", seen, 2000)?,
        asked: optional_text("asked", asked, 2000)?,
        follow_ups: optional_text("follow_ups", follow_ups, 2000)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_most_frequent_flag_sets_the_interval() {
        let p = VisitPolicy::defaults();
        assert_eq!(visit_interval(&[CareFlag::LowIncome, CareFlag::LivingAlone], &p), Some(30));
        assert_eq!(visit_interval(&[], &p), None);
        let custom = vec![VisitPolicy { flag: CareFlag::LowIncome, interval_days: 14 }];
        assert_eq!(visit_interval(&[CareFlag::LowIncome, CareFlag::LivingAlone], &custom), Some(14));
    }

    #[test]
    fn never_visited_is_due_at_once_then_one_interval_after_each_visit() {
        let p = VisitPolicy::defaults();
        let flags = [CareFlag::LivingAlone];
        assert_eq!(next_visit_due(&flags, &p, None, d("2026-11-01")), Some(d("2026-11-01")));
        assert_eq!(next_visit_due(&flags, &p, Some(d("2026-11-10")), d("2026-01-01")), Some(d("2026-12-10")));
        assert_eq!(next_visit_due(&[], &p, None, d("2026-11-01")), None);
    }

    #[test]
    fn household_fields_are_checked() {
        let ok = HouseholdInput {
            address: " 十字坡社区3号楼2单元501 ".into(),
            phone: Some("138 1234 5678".into()),
            care_flags: vec!["elderly".into(), "living_alone".into(), "elderly".into()],
            ..Default::default()
        };
        let f = household_fields(&ok).unwrap();
        assert_eq!(f.address, "十字坡社区3号楼2单元501");
        assert_eq!(f.phone.unwrap().masked(), "138****5678");
        assert_eq!(f.care_flags, vec![CareFlag::LivingAlone, CareFlag::Elderly]);
        let bad_flag = HouseholdInput { care_flags: vec!["rich".into()], ..ok.clone() };
        assert_eq!(household_fields(&bad_flag).unwrap_err().field, "care_flags[0]");
        let no_address = HouseholdInput { address: "  ".into(), ..ok };
        assert_eq!(household_fields(&no_address).unwrap_err().code(), "field_required");
    }

    #[test]
    fn visits_are_dated_within_the_past_year() {
        let today = d("2026-11-28");
        assert!(visit_fields(today, today, "老人独居，楼道灯坏了", None, None).is_ok());
        assert!(visit_fields(d("2026-11-29"), today, "x", None, None).is_err());
        assert!(visit_fields(d("2025-11-27"), today, "x", None, None).is_err());
        assert_eq!(visit_fields(today, today, " ", None, None).unwrap_err().field, "seen");
    }
}
