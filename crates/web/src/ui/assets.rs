//! The stylesheet and scripts, compiled into the binary and served under content-hashed names,
//! so browsers may keep them for a year and still get a new version at once; and the liaison
//! pages' service worker, served at `/sw.js` (a worker's scope cannot reach above its own path).

use super::error::UiError;
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub const CSS: &str = include_str!("../../assets/app.css");
pub const JS: &str = include_str!("../../assets/app.js");
/// The liaison pages' outbox: visit forms kept on the phone while offline, sent when back online.
pub const OFFLINE_JS: &str = include_str!("../../assets/offline.js");
/// The service worker, with `__VERSION__`, `__ASSETS__` filled in when served.
const SW_TEMPLATE: &str = include_str!("../../assets/sw.js");

fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    h.finalize().iter().take(5).map(|b| format!("{b:02x}")).collect()
}

fn hashed(stem: &str, ext: &str, body: &str) -> String {
    format!("{stem}.{}.{ext}", short_hash(&[body]))
}

static CSS_NAME: LazyLock<String> = LazyLock::new(|| hashed("app", "css", CSS));
static JS_NAME: LazyLock<String> = LazyLock::new(|| hashed("app", "js", JS));
static OFFLINE_JS_NAME: LazyLock<String> = LazyLock::new(|| hashed("offline", "js", OFFLINE_JS));
static CSS_URL: LazyLock<String> = LazyLock::new(|| format!("/assets/{}", *CSS_NAME));
static JS_URL: LazyLock<String> = LazyLock::new(|| format!("/assets/{}", *JS_NAME));
static OFFLINE_JS_URL: LazyLock<String> = LazyLock::new(|| format!("/assets/{}", *OFFLINE_JS_NAME));

/// The worker names the current assets and a version of its cache: a new build of any of them
/// (or of the worker) is a new cache, and the old one is dropped when the new worker activates.
static SW: LazyLock<String> = LazyLock::new(|| {
    let version = short_hash(&[CSS, JS, OFFLINE_JS, SW_TEMPLATE]);
    let assets = format!("[\"{}\", \"{}\", \"{}\"]", *CSS_URL, *JS_URL, *OFFLINE_JS_URL);
    SW_TEMPLATE.replace("__VERSION__", &version).replace("__ASSETS__", &assets)
});

pub fn css_url() -> &'static str {
    CSS_URL.as_str()
}

pub fn js_url() -> &'static str {
    JS_URL.as_str()
}

pub fn offline_js_url() -> &'static str {
    OFFLINE_JS_URL.as_str()
}

const JS_TYPE: &str = "text/javascript; charset=utf-8";

/// `GET /assets/{file}`: only the current names; an old hash is gone.
pub async fn serve(Path(file): Path<String>) -> Result<Response, UiError> {
    let (body, kind) = if file == *CSS_NAME {
        (CSS, "text/css; charset=utf-8")
    } else if file == *JS_NAME {
        (JS, JS_TYPE)
    } else if file == *OFFLINE_JS_NAME {
        (OFFLINE_JS, JS_TYPE)
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

/// `GET /sw.js`: the service worker of the liaison pages. Always checked again (`no-cache`), so
/// a new version reaches phones on their next visit online.
pub async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(JS_TYPE)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        SW.as_str(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_names_the_current_assets() {
        assert!(SW.contains(css_url()) && SW.contains(js_url()) && SW.contains(offline_js_url()));
        assert!(!SW.contains("__VERSION__") && !SW.contains("__ASSETS__"));
    }
}
