//! One error type for the whole API, mapped to HTTP in one place and localised in one place.

use crate::i18n::{self, Lang};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chuishao_domain::field::FieldRule;
use chuishao_domain::{CaseError, FieldError};
use chuishao_store::{CommandError, StoreError};

/// A message argument: plain text, or a catalog key translated at render time.
#[derive(Debug, Clone)]
pub enum MsgArg {
    Text(String),
    Key(String),
    /// Another error's message, in the same language (what a line of a file got wrong).
    Error(Box<ApiError>),
}

/// An error answer: `{code, message, field?}` with a stable snake_case `code`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub field: Option<String>,
    pub args: Vec<(&'static str, MsgArg)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        Self { status, code, field: None, args: vec![] }
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        let f = field.into();
        self.args.push(("field", MsgArg::Text(f.clone())));
        self.field = Some(f);
        self
    }
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, MsgArg::Text(value.into())));
        self
    }
    pub fn key_arg(mut self, name: &'static str, key: impl Into<String>) -> Self {
        self.args.push((name, MsgArg::Key(key.into())));
        self
    }
    pub fn error_arg(mut self, name: &'static str, inner: ApiError) -> Self {
        self.args.push((name, MsgArg::Error(Box::new(inner))));
        self
    }
    /// Names the field within a nested part of the request (`raise_case.text`).
    pub fn prefixed(mut self, prefix: &str) -> Self {
        if let Some(f) = self.field.take() {
            let f = format!("{prefix}.{f}");
            for (name, arg) in &mut self.args {
                if *name == "field" {
                    *arg = MsgArg::Text(f.clone());
                }
            }
            self.field = Some(f);
        }
        self
    }
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized")
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden")
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found")
    }
    pub fn case_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "case_not_found")
    }
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }
    pub fn place_required() -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "place_required").field("community_code")
    }

    /// The localised message.
    pub fn message(&self, lang: Lang) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    MsgArg::Text(s) => s.clone(),
                    MsgArg::Key(key) => i18n::t(lang, key, &[]),
                    MsgArg::Error(e) => e.message(lang),
                };
                (*k, v)
            })
            .collect();
        i18n::t(lang, &format!("error-{}", self.code), &args)
    }

    fn body(&self, lang: Lang) -> serde_json::Value {
        let mut v = serde_json::json!({ "code": self.code, "message": self.message(lang) });
        if let Some(f) = &self.field {
            v["field"] = serde_json::Value::String(f.clone());
        }
        v
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The body is written by `render_errors`, which knows the client's language.
        let mut res = self.status.into_response();
        res.extensions_mut().insert(self);
        res
    }
}

/// Middleware: renders `ApiError`s in the request's language, and turns the plain-text answers
/// of lower layers (body limit, panics, unmatched methods) into the same JSON shape.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    let res = next.run(req).await;
    let err = match res.extensions().get::<ApiError>() {
        Some(e) => e.clone(),
        None => {
            let is_json = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            match res.status() {
                _ if is_json => return res,
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
                StatusCode::METHOD_NOT_ALLOWED => ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
                StatusCode::INTERNAL_SERVER_ERROR => ApiError::internal(),
                // Lower layers' own refusals (e.g. an undecodable path segment).
                s if s.is_client_error() => ApiError::new(s, "bad_request"),
                _ => return res,
            }
        }
    };
    let (mut parts, _) = res.into_parts();
    parts.status = err.status;
    parts.headers.insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().expect("static"));
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_LANGUAGE, lang.tag().parse().expect("static"));
    Response::from_parts(parts, Body::from(err.body(lang).to_string()))
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        let mut a = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code()).field(e.field.clone());
        match e.rule {
            FieldRule::TooLong { max } => a = a.arg("max", max.to_string()),
            FieldRule::OutOfRange { min, max } => a = a.arg("min", min.to_string()).arg("max", max.to_string()),
            FieldRule::Malformed { expected } => a = a.key_arg("expected", format!("expected-{expected}")),
            FieldRule::Required | FieldRule::Unknown => {}
        }
        a
    }
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> Self {
        let code = e.code();
        match e {
            CaseError::NotFound => ApiError::case_not_found(),
            CaseError::Field(f) => f.into(),
            CaseError::RoleNotPermitted { action, role } => ApiError::new(StatusCode::FORBIDDEN, code)
                .key_arg("role", format!("role-{}", role.as_str()))
                .key_arg("action", format!("action-{}", action.as_str())),
            CaseError::NotAssignedToYou { action } => {
                ApiError::new(StatusCode::FORBIDDEN, code).key_arg("action", format!("action-{}", action.as_str()))
            }
            CaseError::InvalidState { action, status } => ApiError::new(StatusCode::CONFLICT, code)
                .key_arg("status", format!("status-{}", status.as_str()))
                .key_arg("action", format!("action-{}", action.as_str())),
            CaseError::UnitOutsideStreet => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code).field("unit"),
            CaseError::AlreadyExists
            | CaseError::ExtensionPending
            | CaseError::NoExtensionPending
            | CaseError::NotConsultation
            | CaseError::NotContacted
            | CaseError::VerifierIsResolver
            | CaseError::MergeIntoSelf
            | CaseError::NoReporter => ApiError::new(StatusCode::CONFLICT, code),
        }
    }
}

impl From<chuishao_domain::whistle::WhistleError> for ApiError {
    fn from(e: chuishao_domain::whistle::WhistleError) -> Self {
        use chuishao_domain::whistle::WhistleError as W;
        let code = e.code();
        match e {
            W::NotFound => ApiError::new(StatusCode::NOT_FOUND, code),
            W::Field(f) => f.into(),
            W::RoleNotPermitted { action, role } => ApiError::new(StatusCode::FORBIDDEN, code)
                .key_arg("role", format!("role-{}", role.as_str()))
                .key_arg("action", format!("whistle_action-{}", action.as_str())),
            W::InvalidState { action, status } => ApiError::new(StatusCode::CONFLICT, code)
                .key_arg("status", format!("whistle_status-{}", status.as_str()))
                .key_arg("action", format!("whistle_action-{}", action.as_str())),
            W::SummonsState { action, status } => ApiError::new(StatusCode::CONFLICT, code)
                .key_arg("status", format!("summons_status-{}", status.as_str()))
                .key_arg("action", format!("whistle_action-{}", action.as_str())),
            W::DepartmentsOutstanding { count } => {
                ApiError::new(StatusCode::CONFLICT, code).arg("count", count.to_string())
            }
            W::AlreadyRated | W::AlreadyExists => ApiError::new(StatusCode::CONFLICT, code),
        }
    }
}

impl From<chuishao_domain::assistance::AssistanceError> for ApiError {
    fn from(e: chuishao_domain::assistance::AssistanceError) -> Self {
        use chuishao_domain::assistance::AssistanceError as A;
        let code = e.code();
        match e {
            A::NotFound => ApiError::new(StatusCode::NOT_FOUND, code),
            A::Field(f) => f.into(),
            A::RoleNotPermitted { action, role } => ApiError::new(StatusCode::FORBIDDEN, code)
                .key_arg("role", format!("role-{}", role.as_str()))
                .key_arg("action", format!("assistance_action-{}", action.as_str())),
            A::InvalidState { action, status } => ApiError::new(StatusCode::CONFLICT, code)
                .key_arg("status", format!("assistance_status-{}", status.as_str()))
                .key_arg("action", format!("assistance_action-{}", action.as_str())),
            A::AlreadyExists => ApiError::new(StatusCode::CONFLICT, code),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict => {
                ApiError::new(StatusCode::CONFLICT, "version_conflict").arg("expected", "?").arg("actual", "?")
            }
            StoreError::Duplicate(what) => ApiError::new(StatusCode::CONFLICT, "duplicate").arg("what", what),
            StoreError::IdempotencyKeyReused => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").field("Idempotency-Key")
            }
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::internal()
            }
        }
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Case(c) => c.into(),
            CommandError::Whistle(w) => w.into(),
            CommandError::Assistance(a) => a.into(),
            CommandError::Field(f) => f.into(),
            CommandError::StaleVersion { expected, actual } => ApiError::new(StatusCode::CONFLICT, "version_conflict")
                .arg("expected", expected.to_string())
                .arg("actual", actual.to_string()),
            CommandError::Store(s) => s.into(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
