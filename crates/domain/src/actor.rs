//! Who is acting: a role and the scope the role applies to.

use crate::org::{CommunityCode, DepartmentId, DistrictCode, StreetCode, UnitId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Resident,
    Dispatcher,
    UnitStaff,
    DepartmentStaff,
    Liaison,
    StreetLeader,
    DistrictSupervisor,
    Inspector,
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
    /// The deadline ticker and other background work; never a login.
    System,
}

impl Role {
    pub const LOGIN_ROLES: [Role; 11] = [
        Role::Resident,
        Role::Dispatcher,
        Role::UnitStaff,
        Role::DepartmentStaff,
        Role::Liaison,
        Role::StreetLeader,
        Role::DistrictSupervisor,
        Role::Inspector,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Dispatcher => "dispatcher",
            Role::UnitStaff => "unit_staff",
            Role::DepartmentStaff => "department_staff",
            Role::Liaison => "liaison",
            Role::StreetLeader => "street_leader",
            Role::DistrictSupervisor => "district_supervisor",
            Role::Inspector => "inspector",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
            Role::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::LOGIN_ROLES.into_iter().chain([Role::System]).find(|r| r.as_str() == s)
    }

    /// The kind of scope a user of this role must be given.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Resident => ScopeKind::Own,
            Role::Dispatcher | Role::StreetLeader => ScopeKind::Street,
            Role::UnitStaff => ScopeKind::Unit,
            Role::DepartmentStaff => ScopeKind::Department,
            Role::Liaison => ScopeKind::Community,
            Role::DistrictSupervisor
            | Role::Inspector
            | Role::SystemAdmin
            | Role::SecurityAdmin
            | Role::AuditAdmin
            | Role::System => ScopeKind::District,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Own,
    District,
    Street,
    Community,
    Unit,
    Department,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Own => "own",
            ScopeKind::District => "district",
            ScopeKind::Street => "street",
            ScopeKind::Community => "community",
            ScopeKind::Unit => "unit",
            ScopeKind::Department => "department",
        }
    }
}

/// Where a user's role applies. A unit scope carries its street so rules need no lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// A resident: their own requests only.
    Own,
    District {
        code: DistrictCode,
    },
    Street {
        code: StreetCode,
    },
    /// A community liaison, registered in `code`, covering the communities assigned to them now
    /// (resolved from the assignments at each request; empty once all are reassigned away).
    Community {
        code: CommunityCode,
        #[serde(default)]
        covers: Vec<CommunityCode>,
    },
    Unit {
        id: UnitId,
        street: StreetCode,
    },
    Department {
        id: DepartmentId,
    },
}

impl Scope {
    /// A liaison's scope covering only the community they are registered in.
    pub fn community(code: CommunityCode) -> Scope {
        Scope::Community { covers: vec![code.clone()], code }
    }

    /// Whether this scope is a liaison's that covers `community` now.
    pub fn covers(&self, community: Option<&CommunityCode>) -> bool {
        matches!((self, community), (Scope::Community { covers, .. }, Some(c)) if covers.contains(c))
    }

    pub fn kind(&self) -> ScopeKind {
        match self {
            Scope::Own => ScopeKind::Own,
            Scope::District { .. } => ScopeKind::District,
            Scope::Street { .. } => ScopeKind::Street,
            Scope::Community { .. } => ScopeKind::Community,
            Scope::Unit { .. } => ScopeKind::Unit,
            Scope::Department { .. } => ScopeKind::Department,
        }
    }

    /// The scope's identifying value as stored (a code or an id; empty for `Own`).
    pub fn id(&self) -> &str {
        match self {
            Scope::Own => "",
            Scope::District { code } => code.as_str(),
            Scope::Street { code } => code.as_str(),
            Scope::Community { code, .. } => code.as_str(),
            Scope::Unit { id, .. } => id.as_str(),
            Scope::Department { id } => id.as_str(),
        }
    }
}

/// An authenticated user acting now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    /// The jurisdiction (tenant) the user belongs to.
    pub district: DistrictCode,
}

impl Actor {
    /// The background ticker of a district.
    pub fn system(district: DistrictCode) -> Self {
        Actor {
            user_id: "system".into(),
            name: "系统".into(),
            role: Role::System,
            scope: Scope::District { code: district.clone() },
            district,
        }
    }

    pub fn as_ref(&self) -> ActorRef {
        ActorRef { user_id: self.user_id.clone(), name: self.name.clone(), role: self.role }
    }
}

/// Who did something, as recorded on an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRef {
    pub user_id: String,
    pub name: String,
    pub role: Role,
}
