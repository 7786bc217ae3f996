//! Cross-site request forgery guard for the pages' forms.
//!
//! Signed in: a form's token is HMAC-SHA256 of a fixed label keyed by the session token, which
//! only the browser holding the (HttpOnly) session cookie knows; every instance of the server
//! computes the same token, and a new login gives a new one.
//!
//! Not signed in (resident forms, login): a signed double-submit. A random nonce sits in an
//! HttpOnly, SameSite=Strict cookie, and the form carries HMAC(server key, nonce); a site that can
//! plant cookies still cannot make a matching token without the server key.

use super::error::UiError;
use super::page::cookie;
use crate::auth::{random_secret, SESSION_COOKIE};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use sha2::Sha256;
use std::sync::OnceLock;

pub const CSRF_COOKIE: &str = "chuishao_csrf";
/// The form field that carries the token.
pub const FIELD: &str = "_csrf";

/// The key of anonymous tokens, shared by every instance of a deployment: `CHUISHAO_UI_SECRET`
/// when set, else the one kept in the database (see [`crate::AppState::new`]).
static SERVER_KEY: OnceLock<Vec<u8>> = OnceLock::new();

/// Sets the key of anonymous tokens; the first setting in a process stands.
pub fn use_server_key(key: Vec<u8>) {
    let _ = SERVER_KEY.set(key);
}

fn server_key() -> &'static [u8] {
    // Only reached unset by code that builds pages without an AppState (unit tests).
    SERVER_KEY.get_or_init(|| random_secret().into_bytes())
}

fn mac(key: &[u8], message: &str) -> String {
    // HMAC accepts keys of any length; the error arm cannot happen.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
    m.update(message.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
}

/// A signature of `message` under the deployment's key: for links that must work without a
/// session (a resident's photo on the tracking page) and be made by this server only.
pub fn signature(message: &str) -> String {
    mac(server_key(), message)
}

/// The token of a signed-in visitor's forms.
pub fn session_token(session: &str) -> String {
    mac(session.as_bytes(), "chuishao-ui-csrf-v1")
}

fn signed_nonce(nonce: &str) -> String {
    mac(server_key(), &format!("chuishao-ui-anon-v1:{nonce}"))
}

fn nonce_of(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, CSRF_COOKIE).filter(|n| n.len() >= 32 && n.len() <= 64)
}

/// An anonymous visitor's token, and the cookie to set when they have no nonce yet.
pub fn anonymous_token(headers: &HeaderMap) -> (String, Option<String>) {
    match nonce_of(headers) {
        Some(n) => (signed_nonce(n), None),
        None => {
            let n = random_secret();
            let cookie = format!("{CSRF_COOKIE}={n}; Path=/; HttpOnly; SameSite=Strict");
            (signed_nonce(&n), Some(cookie))
        }
    }
}

/// Compares in time independent of where the strings differ.
pub(super) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `given` is this visitor's token: bound to their session cookie, or to their nonce.
pub fn verify(headers: &HeaderMap, given: &str) -> bool {
    if given.is_empty() {
        return false;
    }
    let by_session =
        cookie(headers, SESSION_COOKIE).filter(|s| !s.is_empty()).is_some_and(|s| same(given, &session_token(s)));
    let by_nonce = nonce_of(headers).is_some_and(|n| same(given, &signed_nonce(n)));
    by_session || by_nonce
}

/// A URL-encoded form whose `_csrf` token was checked; anything else is refused with a 403 page
/// before the handler runs.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = UiError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state).await.map_err(|e| UiError::status(e.status()))?;
        let token = form_urlencoded::parse(&bytes).find(|(k, _)| k == FIELD).map(|(_, v)| v.into_owned());
        if !token.is_some_and(|t| verify(&headers, &t)) {
            return Err(UiError::csrf());
        }
        serde_urlencoded::from_bytes(&bytes).map(CsrfForm).map_err(|_| UiError::bad_request())
    }
}

/// A URL-encoded form as its pairs in order (a field may repeat: ticked boxes), after its
/// `_csrf` token was checked as `CsrfForm` does.
pub struct CsrfPairs(pub Vec<(String, String)>);

impl CsrfPairs {
    /// The first value of `name`, or empty.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

impl FromRequest<AppState> for CsrfPairs {
    type Rejection = UiError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state).await.map_err(|e| UiError::status(e.status()))?;
        let pairs = CsrfPairs(form_urlencoded::parse(&bytes).into_owned().collect());
        if !verify(&headers, pairs.get(FIELD)) {
            return Err(UiError::csrf());
        }
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderValue};

    fn with_cookie(c: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(c).unwrap());
        h
    }

    #[test]
    fn an_anonymous_token_matches_only_its_own_nonce() {
        let (token, set) = anonymous_token(&HeaderMap::new());
        let set = set.expect("a new nonce is set");
        let nonce = set.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
        let h = with_cookie(&format!("{CSRF_COOKIE}={nonce}"));
        assert!(verify(&h, &token));
        assert_eq!(anonymous_token(&h), (token.clone(), None));
        let other = with_cookie(&format!("{CSRF_COOKIE}={}", random_secret()));
        assert!(!verify(&other, &token));
        assert!(!verify(&h, ""));
        assert!(!verify(&HeaderMap::new(), &token));
        // A nonce itself is not a token.
        assert!(!verify(&h, &nonce));
    }

    #[test]
    fn a_session_token_is_bound_to_the_session() {
        let h = with_cookie(&format!("{SESSION_COOKIE}=110101.abc"));
        assert!(verify(&h, &session_token("110101.abc")));
        assert!(!verify(&h, &session_token("110101.abd")));
    }
}
