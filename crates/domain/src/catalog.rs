//! The duty catalog (职责清单 / 派单目录): what kind of matter is owned by whom, with deadlines.

use crate::deadline::DeadlineSpec;
use crate::org::DepartmentId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 诉求类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// 咨询
    Consult,
    /// 求助
    Help,
    /// 投诉
    Complaint,
    /// 举报
    Report,
    /// 建议
    Suggestion,
}

impl RequestKind {
    pub const ALL: [RequestKind; 5] =
        [RequestKind::Consult, RequestKind::Help, RequestKind::Complaint, RequestKind::Report, RequestKind::Suggestion];
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Consult => "consult",
            RequestKind::Help => "help",
            RequestKind::Complaint => "complaint",
            RequestKind::Report => "report",
            RequestKind::Suggestion => "suggestion",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who owns a matter: a street unit by its role key, or a named department.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A unit of whichever street the matter is in, e.g. `city_management` (城市管理办公室).
    UnitRole(String),
    Department(DepartmentId),
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::UnitRole(r) => write!(f, "unit:{r}"),
            Owner::Department(d) => write!(f, "dept:{d}"),
        }
    }
}

impl std::str::FromStr for Owner {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some(role) = s.strip_prefix("unit:") {
            if !role.is_empty() && role.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return Ok(Owner::UnitRole(role.to_string()));
            }
        } else if let Some(dept) = s.strip_prefix("dept:") {
            return DepartmentId::parse(dept).map(Owner::Department);
        }
        Err(format!("owner `{s}` must be unit:ROLE or dept:ID"))
    }
}

impl Serialize for Owner {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Owner {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyItem {
    pub code: String,
    pub category: String,
    pub name: String,
    pub kind: RequestKind,
    pub owner: Owner,
    pub cooperating: Vec<Owner>,
    /// Whether a street may blow the whistle for this matter.
    pub whistleable: bool,
    pub response_deadline: DeadlineSpec,
    pub resolution_deadline: DeadlineSpec,
    pub keywords: Vec<String>,
    pub examples: Vec<String>,
}

impl DutyItem {
    /// What a case records of the item it is handled under.
    pub fn terms(&self) -> DutyTerms {
        DutyTerms {
            code: self.code.clone(),
            name: self.name.clone(),
            response: self.response_deadline,
            resolution: self.resolution_deadline,
        }
    }
}

/// The part of a duty item that binds a case: its code, name and deadlines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyTerms {
    pub code: String,
    pub name: String,
    pub response: DeadlineSpec,
    pub resolution: DeadlineSpec,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_parse() {
        assert_eq!("unit:city_management".parse::<Owner>().unwrap(), Owner::UnitRole("city_management".into()));
        assert_eq!(
            "dept:dc-water".parse::<Owner>().unwrap(),
            Owner::Department(DepartmentId::parse("dc-water").unwrap())
        );
        assert!("team:x".parse::<Owner>().is_err());
        assert!("unit:".parse::<Owner>().is_err());
    }
}
