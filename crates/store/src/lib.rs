//! Storage of chuishao over SQLite (embedded default) or PostgreSQL, chosen by the URL scheme.
//!
//! One implementation serves both backends through sqlx's `Any` driver: the SQL text is shared
//! (`$n` placeholders, BIGINT epoch-ms times, TEXT, BOOLEAN); the few dialect-specific statements
//! sit side by side, keyed by [`Backend`].

mod admin_pages;
mod assessment;
mod assistance;
mod attachments;
mod audit;
mod backup;
mod calendar;
mod cases;
mod catalog;
mod dashboard_pages;
mod db;
mod departments;
mod error;
mod idempotency;
mod leases;
mod liaisons;
mod org;
mod routing;
mod secrets;
mod streams;
mod synthetic;
mod transfer;
mod whistles;
mod whistles_pages;
pub use org::OrgData;
mod users;

pub use admin_pages::StreetCounts;
pub use assessment::{Dimension, Slice, Theme};
pub use assistance::{AssistanceFilter, AssistanceOutcome, StoredAssistanceEvent};
pub use attachments::{sha256_hex, Attached, Blob, Upload};
pub use backup::{restore_sqlite, sync_file_and_dir, VerifyReport};
pub use cases::{CaseFilter, CasePage, CommandOutcome, StoredEvent};
pub use chuishao_domain::case::Visibility;
pub use db::{migration_versions, Backend, Store};
pub use error::{CommandError, StoreError};
pub use idempotency::{Idempotency, Once};
pub use liaisons::{
    Assignment, HouseholdFilter, LiaisonResults, NewVisit, StoredHousehold, Visit, VisitFilter, VisitOutcome,
};
pub use routing::{GazetteerEntry, LabelledText, StoredBoundary};
pub use synthetic::SyntheticCase;
pub use transfer::{TransferReport, TABLES};
pub use users::{NewUser, SessionInfo, StoredUser};
pub use whistles::{StoredWhistleEvent, WhistleFilter, WhistleOutcome, WhistlePage};
pub use whistles_pages::CaseBrief;

use chuishao_domain::Timestamp;

/// Times are stored to the millisecond; commands are decided at such times so that folding the
/// stored events reproduces exactly what was projected.
pub fn whole_ms(t: Timestamp) -> Timestamp {
    from_ms(to_ms(t))
}

pub(crate) fn to_ms(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> Timestamp {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
