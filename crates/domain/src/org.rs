//! Organisation: district → streets → communities, street units, departments.

use crate::field::{optional_text, required_text, FieldError};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! digit_code {
    ($name:ident, $len:expr, $what:expr) => {
        #[doc = concat!("A ", $what, ": exactly ", stringify!($len), " ASCII digits.")]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, String> {
                let s = s.trim();
                if s.len() == $len && s.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(Self(s.to_string()))
                } else {
                    Err(format!("{} must be {} digits", $what, $len))
                }
            }
            pub fn parse_field(field: &str, s: &str) -> Result<Self, FieldError> {
                Self::parse(s).map_err(|_| FieldError::malformed(field, concat!("digits_", stringify!($len))))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

digit_code!(DistrictCode, 6, "district code (GB/T 2260)");
digit_code!(StreetCode, 9, "street code");
digit_code!(CommunityCode, 12, "community code");

impl StreetCode {
    pub fn district(&self) -> DistrictCode {
        DistrictCode(self.0[..6].to_string())
    }
}

impl CommunityCode {
    pub fn street(&self) -> StreetCode {
        StreetCode(self.0[..9].to_string())
    }
    pub fn district(&self) -> DistrictCode {
        DistrictCode(self.0[..6].to_string())
    }
}

macro_rules! slug_id {
    ($name:ident, $what:expr) => {
        #[doc = concat!("Id of a ", $what, ": 1–64 characters of [a-z0-9-].")]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, String> {
                let s = s.trim();
                if !s.is_empty()
                    && s.len() <= 64
                    && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    Ok(Self(s.to_string()))
                } else {
                    Err(format!("{} id must be 1-64 of [a-z0-9-]", $what))
                }
            }
            pub fn parse_field(field: &str, s: &str) -> Result<Self, FieldError> {
                Self::parse(s).map_err(|_| FieldError::malformed(field, "slug"))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(UnitId, "unit");
slug_id!(DepartmentId, "department");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub code: DistrictCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Street {
    pub code: StreetCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Community {
    pub code: CommunityCode,
    pub street: StreetCode,
    pub name: String,
}

/// What sort of body a street unit is (the 2018 reform: 6 offices, 4 centres, 纪工委, 综合执法队).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Office,
    Centre,
    Discipline,
    Enforcement,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Office => "office",
            UnitKind::Centre => "centre",
            UnitKind::Discipline => "discipline",
            UnitKind::Enforcement => "enforcement",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "office" => UnitKind::Office,
            "centre" => UnitKind::Centre,
            "discipline" => UnitKind::Discipline,
            "enforcement" => UnitKind::Enforcement,
            _ => return None,
        })
    }
}

/// One of a street's internal units. Units are data: names differ by street and year;
/// `role` is the stable key the duty catalog routes by (e.g. `city_management`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub street: StreetCode,
    pub role: String,
    pub name: String,
    pub kind: UnitKind,
}

/// The default template: the 12 resident-facing units of Dongcheng's 2018 reform.
pub const DEFAULT_UNIT_TEMPLATE: [(&str, &str, UnitKind); 12] = [
    ("general_support", "综合保障办公室", UnitKind::Office),
    ("party_affairs", "党群工作办公室", UnitKind::Office),
    ("community_building", "社区建设办公室", UnitKind::Office),
    ("livelihood", "民生保障办公室", UnitKind::Office),
    ("community_safety", "社区平安办公室", UnitKind::Office),
    ("city_management", "城市管理办公室", UnitKind::Office),
    ("party_service_centre", "党建服务中心", UnitKind::Centre),
    ("community_service_centre", "社区服务中心", UnitKind::Centre),
    ("government_service_centre", "政务服务中心", UnitKind::Centre),
    ("grid_centre", "网格化服务管理中心", UnitKind::Centre),
    ("discipline", "纪工委", UnitKind::Discipline),
    ("enforcement", "综合执法队", UnitKind::Enforcement),
];

impl Unit {
    /// The units of one street from the default template, with ids `{street}-{role}`
    /// turned into slugs (`110101009-city-management`).
    pub fn default_units(street: &StreetCode) -> Vec<Unit> {
        DEFAULT_UNIT_TEMPLATE
            .iter()
            .map(|(role, name, kind)| Unit {
                id: UnitId(format!("{}-{}", street.as_str(), role.replace('_', "-"))),
                street: street.clone(),
                role: role.to_string(),
                name: name.to_string(),
                kind: *kind,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    /// 职能部门
    Department,
    /// 公共服务企业 (water, power, gas, heating, telecom)
    Utility,
}

impl DepartmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DepartmentKind::Department => "department",
            DepartmentKind::Utility => "utility",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "department" => Some(Self::Department),
            "utility" => Some(Self::Utility),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub id: DepartmentId,
    pub name: String,
    pub short_name: String,
    pub kind: DepartmentKind,
    pub category: String,
}

impl Department {
    /// A department as a form or a request gives it: an id of lowercase letters, digits and
    /// hyphens (it names the department for good), its full and short names, kind and
    /// category (may be empty).
    pub fn parse(id: &str, name: &str, short_name: &str, kind: &str, category: &str) -> Result<Department, FieldError> {
        Ok(Department {
            id: DepartmentId::parse_field("id", id.trim())?,
            name: required_text("name", name, 100)?,
            short_name: required_text("short_name", short_name, 30)?,
            kind: DepartmentKind::parse(kind.trim()).ok_or_else(|| FieldError::malformed("kind", "department_kind"))?,
            category: optional_text("category", Some(category), 50)?.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_and_nest() {
        let c = CommunityCode::parse("110101009008").unwrap();
        assert_eq!(c.street().as_str(), "110101009");
        assert_eq!(c.district().as_str(), "110101");
        assert!(StreetCode::parse("11010100").is_err());
        assert!(StreetCode::parse("11010100x").is_err());
    }

    #[test]
    fn default_template_has_twelve_units_with_slug_ids() {
        let s = StreetCode::parse("110101009").unwrap();
        let units = Unit::default_units(&s);
        assert_eq!(units.len(), 12);
        assert_eq!(units[5].id.as_str(), "110101009-city-management");
        assert_eq!(units[5].name, "城市管理办公室");
        for u in &units {
            assert!(UnitId::parse(u.id.as_str()).is_ok());
        }
    }
}
