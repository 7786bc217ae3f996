//! A case's photos on the officials' pages: `GET /cases/{id}/attachments/{sha256}` serves one
//! to whoever may see the case (the same 404 otherwise), and `POST /cases/{id}/attachments`
//! takes one from the case page's photo form (multipart, CSRF-checked, at the page's version).

use super::csrf;
use super::error::UiError;
use super::page::Ctx;
use super::workbench::refusal;
use super::workbench_case::{refused, visible_case};
use crate::photo::{self, PhotoError};
use crate::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::CaseAction;
use chuishao_store::Upload;

/// `GET /cases/{id}/attachments/{sha256}`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let user = ctx.require_user()?;
    let (case, _) = visible_case(&state, &user.actor, &id).await?;
    let blob = photo::case_file(&state.store, &case, &sha256).await?.ok_or_else(UiError::not_found)?;
    Ok(photo::serve(blob))
}

/// What the photo form sent.
#[derive(Default)]
struct Sent {
    csrf: String,
    version: String,
    file: Option<(String, Result<Vec<u8>, PhotoError>)>,
}

async fn read(mut mp: Multipart) -> Result<Sent, UiError> {
    let mut sent = Sent::default();
    while let Some(field) = mp.next_field().await.map_err(|e| UiError::status(e.status()))? {
        match field.name().unwrap_or("") {
            "photo" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = match photo::read_field(field).await {
                    Ok(b) => Ok(b),
                    Err(Ok(e)) => Err(e),
                    Err(Err(status)) => return Err(UiError::status(status)),
                };
                sent.file = Some((name, bytes));
            }
            csrf::FIELD => sent.csrf = field.text().await.map_err(|e| UiError::status(e.status()))?,
            "version" => sent.version = field.text().await.map_err(|e| UiError::status(e.status()))?,
            _ => {}
        }
    }
    Ok(sent)
}

/// `POST /cases/{id}/attachments`: back to the case with `?done=add-attachment`, or the page
/// again with why not.
pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    mp: Multipart,
) -> Result<Response, UiError> {
    let sent = read(mp).await?;
    if !csrf::verify(&headers, &sent.csrf) {
        return Err(UiError::csrf());
    }
    let user = ctx.require_user()?;
    let actor = &user.actor;
    let (case, events) = visible_case(&state, actor, &id).await?;
    let version = sent.version.trim().parse::<u64>().map_err(|_| UiError::bad_request())?;
    let (name, bytes) = match sent.file {
        Some((name, Ok(bytes))) => (name, bytes),
        Some((_, Err(e))) => return refuse_photo(&state, &ctx, &case, &events, e).await,
        None => return refuse_photo(&state, &ctx, &case, &events, PhotoError::Missing).await,
    };
    let content_type = match photo::check(&bytes) {
        Ok(t) => t,
        Err(e) => return refuse_photo(&state, &ctx, &case, &events, e).await,
    };
    let bytes = photo::without_location(bytes);
    let name = photo::file_name(&name, content_type);
    let upload = Upload { name: &name, content_type, bytes: &bytes };
    let cal = state.calendar();
    match state.store.attach(actor, case.id, upload, Some(version), state.now(), &cal).await {
        Ok(_) => {
            let done = CaseAction::AddAttachment.as_str();
            Ok(Redirect::to(&format!("/cases/{}?done={done}#files-heading", case.id)).into_response())
        }
        Err(e) => {
            let (status, message) = refusal(&ctx, e)?;
            // Shown over the case as it is now.
            let (case, events) = visible_case(&state, actor, &case.id.to_string()).await?;
            refused(&state, &ctx, &case, &events, status, message).await
        }
    }
}

async fn refuse_photo(
    state: &AppState,
    ctx: &Ctx,
    case: &chuishao_domain::Case,
    events: &[chuishao_store::StoredEvent],
    e: PhotoError,
) -> Result<Response, UiError> {
    let (status, key) = match e {
        PhotoError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "ui-submit-photo-size"),
        PhotoError::NotImage => (StatusCode::UNPROCESSABLE_ENTITY, "ui-submit-photo-type"),
        PhotoError::Missing => (StatusCode::UNPROCESSABLE_ENTITY, "ui-case-photo-missing"),
    };
    refused(state, ctx, case, events, status, ctx.t(key)).await
}
