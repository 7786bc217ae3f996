//! `/api/v1/cases/{id}/attachments`: photos of a case — uploaded (the bytes kept with the event
//! that records them), listed, and served to whoever may see the case.

use super::cases::visible_case;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::photo::{self, PhotoError};
use crate::view::Page;
use crate::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chuishao_domain::case::AttachmentMeta;
use chuishao_domain::Case;
use chuishao_store::Upload;
use serde::Serialize;
use utoipa::ToSchema;

/// One attachment of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: Option<String>,
    /// Where its bytes are served; absent when only its description was recorded (before
    /// files were kept, or a whistle's note of a file held elsewhere).
    pub href: Option<String>,
}

/// The answer to an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct Uploaded {
    pub attachment: AttachmentView,
    /// The case's version after the upload (for the next `expected_version`).
    pub case_version: u64,
}

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the form for OpenAPI; the handler reads the parts itself
pub struct UploadForm {
    /// The image: JPEG, PNG, WebP or GIF (recognised by its bytes), at most 10 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Refuse with 409 if the case is no longer at this version.
    expected_version: Option<u64>,
}

fn view(case: &Case, meta: &AttachmentMeta, stored: bool) -> AttachmentView {
    AttachmentView {
        name: meta.name.clone(),
        content_type: meta.content_type.clone(),
        size: meta.size,
        sha256: meta.sha256.clone(),
        href: meta.sha256.as_ref().filter(|_| stored).map(|sha| format!("/api/v1/cases/{}/attachments/{sha}", case.id)),
    }
}

/// Attach a photo to a case (multipart, the image in the part `file`). Allowed to whoever may
/// add an attachment to the case; the same image sent again is recorded once (200).
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments",
    params(("id" = String, Path, description = "id or number")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Uploaded), (status = 200, body = Uploaded, description = "already attached"),
        (status = 403), (status = 404), (status = 409), (status = 413), (status = 415), (status = 422)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let mut form = form.map_err(|_| ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "multipart_expected"))?;
    let actor = &user.actor;
    let (case, _) = visible_case(&state, actor, &id).await?;
    let broken = |status: StatusCode| match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(status, "payload_too_large"),
        _ => ApiError::new(StatusCode::BAD_REQUEST, "malformed_multipart"),
    };
    let (mut file, mut expected_version) = (None, None);
    while let Some(field) = form.next_field().await.map_err(|e| broken(e.status()))? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = photo::read_field(field).await.map_err(|e| match e {
                    Ok(p) => ApiError::from(p),
                    Err(status) => broken(status),
                })?;
                file = Some((name, bytes));
            }
            "expected_version" => {
                let v = field.text().await.map_err(|e| broken(e.status()))?;
                let v = v.trim().parse::<u64>().ok().filter(|v| *v > 0).ok_or_else(|| {
                    ApiError::from(chuishao_domain::FieldError::new(
                        "expected_version",
                        chuishao_domain::field::FieldRule::OutOfRange { min: 1, max: i64::MAX },
                    ))
                })?;
                expected_version = Some(v);
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or(PhotoError::Missing)?;
    let content_type = photo::check(&bytes)?;
    let bytes = photo::without_location(bytes);
    let name = photo::file_name(&name, content_type);
    let upload = Upload { name: &name, content_type, bytes: &bytes };
    let cal = state.calendar();
    let attached = state.store.attach(actor, case.id, upload, expected_version, state.now(), &cal).await?;
    let case = attached.outcome.case;
    if attached.added {
        tracing::info!(case = %case.id, size = bytes.len(), "photo attached");
    }
    let body = Uploaded { attachment: view(&case, &attached.meta, true), case_version: case.version };
    let location = body.attachment.href.clone().unwrap_or_default();
    let status = if attached.added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, [(header::LOCATION, location)], Json(body)).into_response())
}

/// The attachments of a case, oldest first, each with where its bytes are served if kept.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments",
    params(("id" = String, Path, description = "id or number")),
    responses((status = 200, body = Page<AttachmentView>), (status = 404)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<AttachmentView>>> {
    let (case, _) = visible_case(&state, &user.actor, &id).await?;
    let hashes: Vec<&str> = case.attachments.iter().filter_map(|a| a.sha256.as_deref()).collect();
    let stored = state.store.stored_blobs(&case.district, &hashes).await?;
    let items = case
        .attachments
        .iter()
        .map(|a| view(&case, a, a.sha256.as_ref().is_some_and(|s| stored.contains(s))))
        .collect();
    Ok(Json(Page::all(items)))
}

/// The bytes of one attachment, in its own type. 404 unless you may see the case and the case
/// has this file.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{sha256}",
    params(("id" = String, Path, description = "id or number"), ("sha256" = String, Path)),
    responses((status = 200, description = "the file", content_type = "image/*"), (status = 404)),
    security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, sha256)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (case, _) = visible_case(&state, &user.actor, &id).await?;
    let blob = photo::case_file(&state.store, &case, &sha256)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "attachment_not_found"))?;
    Ok(photo::serve(blob))
}
