//! The stylesheet and script, compiled into the binary and served under content-hashed names,
//! so browsers may keep them for a year and still get a new version at once.

use super::error::UiError;
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub const CSS: &str = include_str!("../../assets/app.css");
pub const JS: &str = include_str!("../../assets/app.js");

fn hashed(stem: &str, ext: &str, body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    format!("{stem}.{hex}.{ext}")
}

static CSS_NAME: LazyLock<String> = LazyLock::new(|| hashed("app", "css", CSS));
static JS_NAME: LazyLock<String> = LazyLock::new(|| hashed("app", "js", JS));
static CSS_URL: LazyLock<String> = LazyLock::new(|| format!("/assets/{}", *CSS_NAME));
static JS_URL: LazyLock<String> = LazyLock::new(|| format!("/assets/{}", *JS_NAME));

pub fn css_url() -> &'static str {
    CSS_URL.as_str()
}

pub fn js_url() -> &'static str {
    JS_URL.as_str()
}

/// `GET /assets/{file}`: only the current names; an old hash is gone.
pub async fn serve(Path(file): Path<String>) -> Result<Response, UiError> {
    let (body, kind) = if file == *CSS_NAME {
        (CSS, "text/css; charset=utf-8")
    } else if file == *JS_NAME {
        (JS, "text/javascript; charset=utf-8")
    } else {
        return Err(UiError::not_found());
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        body,
    )
        .into_response())
}
