//! Extractors that parse at the edge and answer in the API's error shape.

use crate::error::ApiError;
use crate::i18n::Lang;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// The client's language from `Accept-Language`.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_headers(&parts.headers))
    }
}

/// Parses a JSON value, naming the offending field on failure (400 for broken JSON,
/// 422 for a well-formed body whose fields do not fit).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize::<_, T>(&mut de);
    // Trailing characters after the value make the body malformed too.
    if parsed.is_ok() {
        if let Err(e) = de.end() {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "malformed_json").arg("detail", e.to_string()));
        }
    }
    parsed.map_err(body_error)
}

/// Maps a deserialisation failure to 400 (not JSON) or 422 (a field that does not fit), naming
/// the field by its path.
pub fn body_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let detail = inner.to_string();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return ApiError::new(StatusCode::BAD_REQUEST, "malformed_json").arg("detail", detail);
    }
    // serde's detail ends with " at line L column C"; the field path says where.
    let detail = detail.split(" at line ").next().unwrap_or(&detail).to_string();
    let field = match (path.as_str(), missing_field(&detail)) {
        (".", Some(m)) => m,
        (".", None) => "body".into(),
        (_, Some(m)) => format!("{path}.{m}"),
        (_, None) => path,
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").field(field).arg("detail", detail)
}

/// serde names a missing field only in its message: "missing field `text`".
fn missing_field(detail: &str) -> Option<String> {
    let rest = detail.split("missing field `").nth(1)?;
    Some(rest.split('`').next()?.to_string())
}

/// A JSON body. Requires a JSON content type when a body is present.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"));
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "malformed_json").arg("detail", e.body_text())
            }
        })?;
        if !bytes.iter().all(u8::is_ascii_whitespace) && json_type == Some(false) {
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
        }
        parse_json(&bytes).map(ApiJson)
    }
}

/// Query parameters, naming the offending parameter on failure (400).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let path = e.path().to_string();
            let detail = e.into_inner().to_string();
            let field = if path == "." { missing_field(&detail).unwrap_or_else(|| "query".into()) } else { path };
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_query").field(field)
        })
    }
}

/// A 400 naming a query parameter.
pub fn bad_query(field: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query").field(field)
}

/// Checks `page` (from 1) and `per_page` (1–200, default 20).
pub fn paging(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32), ApiError> {
    let (page, per_page) = (page.unwrap_or(1), per_page.unwrap_or(20));
    if page == 0 {
        return Err(bad_query("page"));
    }
    if !(1..=200).contains(&per_page) {
        return Err(bad_query("per_page"));
    }
    Ok((page, per_page))
}

/// Deserialises an action's fields from its JSON body, naming a bad field (422).
pub fn fields<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(v).map_err(body_error)
}

/// Takes the optional `expected_version` (≥ 1) out of an action body, which must be an object.
pub fn take_expected_version(v: &mut serde_json::Value) -> Result<Option<u64>, ApiError> {
    let obj = v.as_object_mut().ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").field("body").arg("detail", "object")
    })?;
    match obj.remove("expected_version") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(x) => x.as_u64().filter(|v| *v > 0).map(Some).ok_or_else(|| {
            ApiError::from(chuishao_domain::FieldError::new(
                "expected_version",
                chuishao_domain::field::FieldRule::OutOfRange { min: 1, max: i64::MAX },
            ))
        }),
    }
}

/// The `Idempotency-Key` of a creating request, with a hash of its body: a form filled offline
/// and sent again under the same key answers what the first sending created.
pub struct IdempotentJson<T>(pub T, pub Option<chuishao_store::Idempotency>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for IdempotentJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let key = match req.headers().get("idempotency-key") {
            None => None,
            Some(v) => {
                let bad = || ApiError::new(StatusCode::BAD_REQUEST, "invalid_idempotency_key").field("Idempotency-Key");
                let k = v.to_str().map_err(|_| bad())?.trim();
                if k.is_empty() || k.len() > 100 || !k.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(bad());
                }
                Some(k.to_string())
            }
        };
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "malformed_json").arg("detail", e.body_text())
            }
        })?;
        let ApiJson(value) =
            ApiJson::<T>::from_request(Request::from_parts(parts, axum::body::Body::from(bytes.clone())), state)
                .await?;
        let idem = key.map(|key| {
            use sha2::Digest;
            // Over the JSON in a canonical form (keys sorted, no spacing), so a client that
            // serialises the same form again differently still matches.
            let canonical = serde_json::from_slice::<serde_json::Value>(&bytes).map(|v| canonical_json(&v));
            let hash = sha2::Sha256::digest(canonical.as_ref().map(String::as_bytes).unwrap_or(&bytes));
            chuishao_store::Idempotency { key, request_hash: hash.iter().map(|b| format!("{b:02x}")).collect() }
        });
        Ok(IdempotentJson(value, idem))
    }
}

/// JSON with every object's keys sorted and no spacing: the same for any formatting or key order
/// of the same value (whatever order `serde_json::Map` keeps, which a dependency's features may
/// change).
pub fn canonical_json(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> =
                keys.into_iter().map(|k| format!("{}:{}", Value::String(k.clone()), canonical_json(&m[k]))).collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(canonical_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod canonical_tests {
    use super::canonical_json;

    #[test]
    fn the_same_value_in_any_key_order_or_spacing_is_one_text() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":{"y":[1,{"d":2,"c":3}],"x":"文"}}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str("{ \"a\": { \"x\": \"文\", \"y\": [1, {\"c\": 3, \"d\": 2}] },\n \"b\": 1 }").unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(canonical_json(&a), r#"{"a":{"x":"文","y":[1,{"c":3,"d":2}]},"b":1}"#);
    }
}
