//! Pure rules of chuishao (吹哨报到 / 接诉即办).
//!
//! Nothing here performs IO, spawns tasks or reads the clock: callers pass `now`.
//! Names follow the glossary of DESIGN.md §3.

pub mod actor;
pub mod assessment;
pub mod assistance;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod deadline;
pub mod field;
pub mod frequency;
pub mod liaison;
pub mod org;
pub mod personal;
pub mod whistle;

pub use actor::{Actor, ActorRef, Role, Scope};
pub use calendar::{DayKind, WorkCalendar};
pub use case::{
    decide, evolve, fold, Case, CaseAction, CaseCommand, CaseError, CaseEvent, CaseEventData, CaseId, CaseStatus,
};
pub use catalog::{DutyItem, Owner, RequestKind};
pub use deadline::{DeadlineSpec, DeadlineUnit};
pub use field::FieldError;
pub use org::{CommunityCode, DepartmentId, DistrictCode, StreetCode, UnitId};

/// An instant. Stored as UTC; shown in Beijing time (+08:00).
pub type Timestamp = chrono::DateTime<chrono::Utc>;
