use chuishao_domain::assistance::AssistanceError;
use chuishao_domain::field::FieldError;
use chuishao_domain::whistle::WhistleError;
use chuishao_domain::CaseError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Another writer got there first (stale expected version).
    #[error("version conflict")]
    Conflict,
    /// A uniqueness rule was broken; the name says which.
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// An idempotency key sent again with a different request.
    #[error("idempotency key reused for another request")]
    IdempotencyKeyReused,
    #[error("unsupported database URL: {0}")]
    UnsupportedUrl(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Maps unique-constraint violations to a named duplicate, everything else to `Db`.
    pub(crate) fn from_insert(e: sqlx::Error, what: &'static str) -> StoreError {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what),
            _ => StoreError::Db(e),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Why a command on a case or a whistle did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Whistle(#[from] WhistleError),
    #[error(transparent)]
    Assistance(#[from] AssistanceError),
    /// A field of a request that is not part of any aggregate (a visit's, a household's).
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The client's expected version is not the case's version.
    #[error("expected version {expected}, case is at {actual}")]
    StaleVersion { expected: u64, actual: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}
