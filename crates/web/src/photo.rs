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

/// The photo without where it was taken: in a JPEG, the GPS block of its Exif data is emptied
/// in place (the orientation and the rest stay, so the picture still shows upright) and an XMP
/// packet, which may repeat the position, is dropped; in a PNG, the eXIf and text chunks are
/// dropped. A phone writes the position of the door it was taken at: a resident's home. A file
/// this cannot follow is kept as it is (it is still checked to be an image).
pub fn without_location(bytes: Vec<u8>) -> Vec<u8> {
    match image_type(&bytes) {
        Some("image/jpeg") => jpeg_without_location(bytes),
        Some("image/png") => png_without_location(bytes),
        _ => bytes,
    }
}

fn jpeg_without_location(mut b: Vec<u8>) -> Vec<u8> {
    const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..2]);
    let mut i = 2;
    while i + 1 < b.len() {
        if b[i] != 0xff {
            return b;
        }
        let marker = b[i + 1];
        match marker {
            // Fill bytes, then markers without a length.
            0xff => {
                i += 1;
                continue;
            }
            0x01 | 0xd0..=0xd8 => {
                out.extend_from_slice(&b[i..i + 2]);
                i += 2;
                continue;
            }
            // Start of scan: the picture itself, to the end.
            0xda => {
                out.extend_from_slice(&b[i..]);
                return out;
            }
            _ => {}
        }
        let Some(len) = b.get(i + 2..i + 4).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]]))) else { return b };
        let end = i + 2 + len;
        if len < 2 || end > b.len() {
            return b;
        }
        let payload = i + 4;
        if marker == 0xe1 && b[payload..end].starts_with(XMP) {
            i = end;
            continue;
        }
        if marker == 0xe1 && b[payload..end].starts_with(b"Exif\0\0") {
            empty_gps(&mut b[payload + 6..end]);
        }
        out.extend_from_slice(&b[i..end]);
        i = end;
    }
    b
}

/// Empties the GPS directory of Exif (TIFF) data in place: its entries and the values they
/// point to become zeros and its entry count 0, so the pointer to it stays valid.
fn empty_gps(tiff: &mut [u8]) {
    let little = match tiff.get(..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return,
    };
    let u16_at = |t: &[u8], o: usize| {
        t.get(o..o + 2)
            .map(|x| if little { u16::from_le_bytes([x[0], x[1]]) } else { u16::from_be_bytes([x[0], x[1]]) })
    };
    let u32_at = |t: &[u8], o: usize| {
        t.get(o..o + 4).map(|x| {
            let a = [x[0], x[1], x[2], x[3]];
            (if little { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) }) as usize
        })
    };
    let Some(ifd0) = u32_at(tiff, 4) else { return };
    let Some(n) = u16_at(tiff, ifd0) else { return };
    let gps = (0..usize::from(n))
        .map(|k| ifd0 + 2 + 12 * k)
        .find(|&e| u16_at(tiff, e) == Some(0x8825))
        .and_then(|e| u32_at(tiff, e + 8));
    let Some(gps) = gps else { return };
    let Some(count) = u16_at(tiff, gps) else { return };
    for k in 0..usize::from(count) {
        let e = gps + 2 + 12 * k;
        let (Some(kind), Some(items)) = (u16_at(tiff, e + 2), u32_at(tiff, e + 4)) else { return };
        let width = match kind {
            1 | 2 | 6 | 7 => 1,
            3 | 8 => 2,
            4 | 9 | 11 => 4,
            5 | 10 | 12 => 8,
            _ => 0,
        };
        let size = items.saturating_mul(width);
        if size > 4 {
            if let Some(at) = u32_at(tiff, e + 8) {
                if let Some(values) = tiff.get_mut(at..at.saturating_add(size)) {
                    values.fill(0);
                }
            }
        }
        if let Some(entry) = tiff.get_mut(e..e + 12) {
            entry.fill(0);
        }
    }
    if let Some(c) = tiff.get_mut(gps..gps + 2) {
        c.fill(0);
    }
}

fn png_without_location(b: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..8]);
    let mut i = 8;
    while i < b.len() {
        let Some(len) = b.get(i..i + 4).map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize) else {
            return b;
        };
        let end = i.saturating_add(12).saturating_add(len);
        if end > b.len() {
            return b;
        }
        if !matches!(&b[i + 4..i + 8], b"eXIf" | b"tEXt" | b"iTXt" | b"zTXt") {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
    }
    out
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

    /// A JPEG with Exif (orientation and a GPS position), an XMP packet and a picture.
    fn phone_jpeg() -> Vec<u8> {
        // TIFF, big-endian: IFD0 with Orientation = 6 and the GPS pointer; the GPS IFD with
        // GPSLatitudeRef "N" (inline) and GPSLatitude (3 rationals, out of line).
        let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
        t.extend([0, 2]); // IFD0: 2 entries
        t.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation SHORT 6
        t.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]); // GPSInfo -> 38
        t.extend([0, 0, 0, 0]); // no next IFD
        assert_eq!(t.len(), 38);
        t.extend([0, 2]); // GPS IFD: 2 entries
        t.extend([0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]); // GPSLatitudeRef ASCII "N"
        t.extend([0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 68]); // GPSLatitude RATIONAL x3 -> 68
        t.extend([0, 0, 0, 0]);
        assert_eq!(t.len(), 68);
        for (n, d) in [(39u32, 1u32), (56, 1), (4321, 100)] {
            t.extend(n.to_be_bytes());
            t.extend(d.to_be_bytes());
        }
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(&t);
        let segment = |marker: u8, payload: &[u8]| {
            let mut s = vec![0xff, marker];
            s.extend(((payload.len() + 2) as u16).to_be_bytes());
            s.extend(payload);
            s
        };
        let mut j = vec![0xff, 0xd8];
        j.extend(segment(0xe0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        j.extend(segment(0xe1, &app1));
        j.extend(segment(0xe1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>39.9348N</x:xmpmeta>"));
        j.extend([0xff, 0xda, 0, 2, 0x12, 0x34, 0xff, 0xd9]);
        j
    }

    #[test]
    fn a_photo_keeps_its_orientation_and_loses_where_it_was_taken() {
        let before = phone_jpeg();
        let after = without_location(before.clone());
        let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        // The latitude's rationals, its reference and the XMP packet are gone...
        assert!(find(&before, &4321u32.to_be_bytes()) && !find(&after, &4321u32.to_be_bytes()));
        assert!(!find(&after, b"39.9348N") && !find(&after, b"ns.adobe.com/xap"));
        assert!(!find(&after, &[0, 1, 0, 2, 0, 0, 0, 2, b'N']));
        // ...the orientation, the JFIF header and the picture stay, and it is still a JPEG.
        assert!(find(&after, &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6]));
        assert!(find(&after, b"JFIF") && after.ends_with(&[0xff, 0xda, 0, 2, 0x12, 0x34, 0xff, 0xd9]));
        assert_eq!(check(&after), Ok("image/jpeg"));
        // Nothing to remove, or nothing it can follow: kept as it is.
        let plain = vec![0xff, 0xd8, 0xff, 0xda, 0, 2, 1, 2, 0xff, 0xd9];
        assert_eq!(without_location(plain.clone()), plain);
        let truncated = before[..20].to_vec();
        assert_eq!(without_location(truncated.clone()), truncated);
    }

    #[test]
    fn a_png_loses_its_exif_and_text_chunks() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend(kind);
            c.extend(data);
            c.extend([0, 0, 0, 0]);
            c
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"eXIf", b"MM\0\x2aGPS"));
        png.extend(chunk(b"tEXt", b"Comment\0home"));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let after = without_location(png);
        let mut expected = b"\x89PNG\r\n\x1a\n".to_vec();
        expected.extend(chunk(b"IHDR", &[0; 13]));
        expected.extend(chunk(b"IDAT", &[1, 2, 3]));
        expected.extend(chunk(b"IEND", &[]));
        assert_eq!(after, expected);
    }

    #[test]
    fn a_recorded_name_has_no_path() {
        assert_eq!(file_name("C:\\Users\\张三\\现场.jpg", "image/jpeg"), "现场.jpg");
        assert_eq!(file_name("/home/x/a.png", "image/png"), "a.png");
        assert_eq!(file_name("", "image/jpeg"), "photo.jpg");
        assert_eq!(file_name(".hidden", "image/webp"), "photo.webp");
    }
}
