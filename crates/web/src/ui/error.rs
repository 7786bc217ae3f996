//! Error pages in the visitor's language, and field messages for forms shown again.

use super::page::{html_headers, lang_of, Ctx};
use crate::error::{ApiError, MsgArg};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::FieldError;
use chuishao_store::{CommandError, StoreError};

/// Why a page could not be shown.
#[derive(Debug, Clone)]
pub enum UiError {
    /// A status with a page message from the UI catalog (`ui-error-…`).
    Page { status: StatusCode, key: &'static str },
    /// An error of the shared catalog (domain, store, API rules).
    Api(ApiError),
    /// Go elsewhere first (e.g. to the login page).
    Redirect(String),
}

impl UiError {
    pub fn status(status: StatusCode) -> Self {
        let key = match status {
            StatusCode::NOT_FOUND => "ui-error-not-found",
            StatusCode::FORBIDDEN => "ui-error-forbidden",
            StatusCode::METHOD_NOT_ALLOWED => "ui-error-method",
            StatusCode::PAYLOAD_TOO_LARGE => "ui-error-too-large",
            s if s.is_client_error() => "ui-error-bad-request",
            _ => "ui-error-internal",
        };
        UiError::Page { status, key }
    }
    pub fn not_found() -> Self {
        Self::status(StatusCode::NOT_FOUND)
    }
    pub fn forbidden() -> Self {
        Self::status(StatusCode::FORBIDDEN)
    }
    pub fn bad_request() -> Self {
        Self::status(StatusCode::BAD_REQUEST)
    }
    pub fn internal() -> Self {
        Self::status(StatusCode::INTERNAL_SERVER_ERROR)
    }
    /// A form without this visitor's token.
    pub fn csrf() -> Self {
        UiError::Page { status: StatusCode::FORBIDDEN, key: "ui-error-csrf" }
    }

    fn status_code(&self) -> StatusCode {
        match self {
            UiError::Page { status, .. } => *status,
            UiError::Api(e) => e.status,
            UiError::Redirect(_) => StatusCode::SEE_OTHER,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            UiError::Page { key, .. } => crate::i18n::t(lang, key, &[]),
            UiError::Api(e) => e.message(lang),
            UiError::Redirect(_) => String::new(),
        }
    }
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> Self {
        if e.status.is_server_error() {
            UiError::internal()
        } else {
            UiError::Api(e)
        }
    }
}

impl From<StoreError> for UiError {
    fn from(e: StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<CommandError> for UiError {
    fn from(e: CommandError) -> Self {
        ApiError::from(e).into()
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        if let UiError::Redirect(to) = &self {
            return Redirect::to(to).into_response();
        }
        // The page is written by `render_pages`, which knows the visitor's language.
        let mut res = self.status_code().into_response();
        res.extensions_mut().insert(self);
        res
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: &'a Ctx,
    status: u16,
    message: String,
}

/// Fallback: no such page.
pub async fn not_found() -> UiError {
    UiError::not_found()
}

/// Middleware: writes error pages (for `UiError`s and for the bare answers of lower layers —
/// body limit, panics, unmatched methods), and adds the pages' security headers.
pub async fn render_pages(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let err = match res.extensions().get::<UiError>() {
        Some(e) => Some(e.clone()),
        None if !is_page && (res.status().is_client_error() || res.status().is_server_error()) => {
            Some(UiError::status(res.status()))
        }
        None => None,
    };
    let mut res = match err {
        Some(err) => {
            let ctx = Ctx::bare(lang, &path);
            let status = err.status_code();
            let page = ErrorPage { ctx: &ctx, status: status.as_u16(), message: err.message(lang) };
            let (mut parts, _) = res.into_parts();
            parts.status = status;
            parts.headers.remove(header::CONTENT_LENGTH);
            let html = page.render().unwrap_or_else(|_| status.to_string());
            let mut fresh = (html_headers(lang), html).into_response();
            // Keep what lower layers set (cookies, Allow), but not their body's type.
            for (k, v) in parts.headers.iter() {
                if k != header::CONTENT_TYPE {
                    fresh.headers_mut().append(k.clone(), v.clone());
                }
            }
            *fresh.status_mut() = status;
            fresh
        }
        None => res,
    };
    let h = res.headers_mut();
    // Everything comes from this server: no other origin may provide a script, style, image,
    // frame or form target, so a page works (and only works) without any outside network.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Messages for a form's fields, by field name, shown beside each field.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message of `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// Adds a message (the first one of a field stays).
    pub fn add(&mut self, field: &str, message: String) {
        if self.get(field).is_none() {
            self.0.push((field.to_string(), message));
        }
    }

    /// Adds a domain field error in the shared catalog's words, naming the field by `label`
    /// (what the visitor sees beside it) rather than by its wire name.
    pub fn add_field_error(&mut self, ctx: &Ctx, e: FieldError, label: &str) {
        let field = e.field.clone();
        let mut api = ApiError::from(e);
        for (name, arg) in &mut api.args {
            if *name == "field" {
                *arg = MsgArg::Text(label.to_string());
            }
        }
        self.add(&field, api.message(ctx.lang));
    }

    /// All messages, in the order they were found (for the summary at the top of a form).
    pub fn all(&self) -> &[(String, String)] {
        &self.0
    }
}
