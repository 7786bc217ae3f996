//! Photos attached to cases, as the API and the pages take and serve them: images only,
//! recognised by their first bytes (what a client declares is not trusted), served only from a
//! case the viewer may see and only if the case names the file.

use crate::error::ApiError;
use axum::extract::multipart::Field;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chuishao_domain::Case;
use chuishao_store::{Blob, Store, StoreError};

/// A photo may be this large (a phone's photo fits; a video does not).
pub const PHOTO_MAX: usize = 10 * 1024 * 1024;

/// Room for one photo and the form fields around it, for the routes that take uploads.
pub const UPLOAD_BODY_LIMIT: usize = PHOTO_MAX + 1024 * 1024;

/// Why a file is not taken as a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    /// No file, or an empty one.
    Missing,
    /// Not a JPEG, PNG, WebP or GIF image, whatever its declared type.
    NotImage,
    TooLarge,
}

impl From<PhotoError> for ApiError {
    fn from(e: PhotoError) -> Self {
        match e {
            PhotoError::Missing => ApiError::from(chuishao_domain::FieldError::required("file")),
            PhotoError::NotImage => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "attachment_not_image").field("file")
            }
            PhotoError::TooLarge => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "attachment_too_large").field("file").arg("max", "10 MB")
            }
        }
    }
}

/// The image type of `bytes` by their signature, if they are an image we keep.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xff, 0xd8, 0xff, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => Some("image/png"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// Checks a photo's bytes; answers the type to record (the sniffed one).
pub fn check(bytes: &[u8]) -> Result<&'static str, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Missing);
    }
    if bytes.len() > PHOTO_MAX {
        return Err(PhotoError::TooLarge);
    }
    image_type(bytes).ok_or(PhotoError::NotImage)
}

/// The file name to record: the sent name without any path, else `photo.<ext>` of its type.
pub fn file_name(sent: &str, content_type: &str) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() || base.starts_with('.') {
        let ext = content_type.strip_prefix("image/").map(|e| if e == "jpeg" { "jpg" } else { e }).unwrap_or("bin");
        format!("photo.{ext}")
    } else {
        base.chars().take(200).collect()
    }
}

/// Reads a multipart file field, refusing it once it outgrows [`PHOTO_MAX`] (before reading
/// the rest). `Err(Ok(_))`: a photo problem; `Err(Err(status))`: a broken body.
pub async fn read_field(mut field: Field<'_>) -> Result<Vec<u8>, Result<PhotoError, StatusCode>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| Err(e.status()))? {
        if bytes.len() + chunk.len() > PHOTO_MAX {
            return Err(Ok(PhotoError::TooLarge));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The stored file `sha256` of a case, if the case names it (and its bytes were kept).
pub async fn case_file(store: &Store, case: &Case, sha256: &str) -> Result<Option<Blob>, StoreError> {
    let sha = sha256.to_ascii_lowercase();
    if !case.attachments.iter().any(|a| a.sha256.as_deref() == Some(sha.as_str())) {
        return Ok(None);
    }
    store.blob(&case.district, &sha).await
}

/// A stored file as an answer: its own type, shown in place, never sniffed, kept privately.
pub fn serve(blob: Blob) -> Response {
    let content_type = HeaderValue::from_str(&blob.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("inline")),
        ],
        blob.bytes,
    )
        .into_response()
}

/// The address of a case's file on the pages.
pub fn page_href(case: &Case, sha256: &str) -> String {
    format!("/cases/{}/attachments/{sha256}", case.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_first_bytes_not_their_names() {
        assert_eq!(image_type(&[0xff, 0xd8, 0xff, 0xe0, 0, 0]), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"GIF89a..."), Some("image/gif"));
        assert_eq!(image_type(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(image_type(b"hello, not a picture"), None);
        assert_eq!(image_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None, "SVG may carry script");
        assert_eq!(check(b""), Err(PhotoError::Missing));
        assert_eq!(check(&vec![0xff; PHOTO_MAX + 1]), Err(PhotoError::TooLarge));
    }

    #[test]
    fn a_recorded_name_has_no_path() {
        assert_eq!(file_name("C:\\Users\\张三\\现场.jpg", "image/jpeg"), "现场.jpg");
        assert_eq!(file_name("/home/x/a.png", "image/png"), "a.png");
        assert_eq!(file_name("", "image/jpeg"), "photo.jpg");
        assert_eq!(file_name(".hidden", "image/webp"), "photo.webp");
    }
}
