//! Field-level validation failures, shared by every parse-at-the-edge type.

use std::fmt;

/// Why one input field was refused. `field` is the JSON name the client sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub rule: FieldRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRule {
    Required,
    TooLong {
        max: usize,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// The value does not have the expected form; `expected` is a stable key naming the form
    /// (`phone_number`, `digits_9`, `slug`…) that message catalogs translate.
    Malformed {
        expected: &'static str,
    },
    /// The value names something that does not exist (an unknown unit, item…).
    Unknown,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: FieldRule) -> Self {
        Self { field: field.into(), rule }
    }
    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, FieldRule::Required)
    }
    pub fn malformed(field: impl Into<String>, expected: &'static str) -> Self {
        Self::new(field, FieldRule::Malformed { expected })
    }
    pub fn unknown(field: impl Into<String>) -> Self {
        Self::new(field, FieldRule::Unknown)
    }
    /// Stable snake_case code clients key on.
    pub fn code(&self) -> &'static str {
        match self.rule {
            FieldRule::Required => "field_required",
            FieldRule::TooLong { .. } => "field_too_long",
            FieldRule::OutOfRange { .. } => "field_out_of_range",
            FieldRule::Malformed { .. } => "field_malformed",
            FieldRule::Unknown => "field_unknown",
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            FieldRule::Required => write!(f, "{} is required", self.field),
            FieldRule::TooLong { max } => write!(f, "{} is longer than {max} characters", self.field),
            FieldRule::OutOfRange { min, max } => {
                write!(f, "{} must be between {min} and {max}", self.field)
            }
            FieldRule::Malformed { expected } => write!(f, "{} must be {expected}", self.field),
            FieldRule::Unknown => write!(f, "{} names nothing known", self.field),
        }
    }
}

impl std::error::Error for FieldError {}

/// A trimmed, non-empty text of at most `max` characters, without control characters other
/// than line breaks and tabs (a NUL would not even store in PostgreSQL).
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::required(field));
    }
    if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::malformed(field, "plain_text"));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(field, FieldRule::TooLong { max }));
    }
    Ok(v.to_string())
}

/// Like [`required_text`], but an absent or blank value is `None`.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_text(field, v, max).map(Some),
    }
}
