//! The web pages: server-rendered HTML (askama templates compiled into the binary), a small
//! stylesheet and a little progressive JavaScript, all served by the binary — no CDN, nothing
//! fetched from anywhere else. Simplified Chinese by default, English by a switch.
//!
//! How to add a page:
//! - A handler takes [`Ctx`] (the page context: language, the signed-in user if any, the CSRF
//!   token of this visitor, the navigation) and answers `ctx.page(MyPage { ctx: &ctx, … })`.
//!   Pages for signed-in users start with `let user = ctx.require_user()?;` (or
//!   `ctx.require_role(&[…])?`): a visitor who is not signed in is sent to `/login?next=…`.
//! - A template lives in `crates/web/templates/`, starts with `{% extends "base.html" %}`, fills
//!   the blocks `title` and `content`, and takes every word from the message catalogs:
//!   `{{ ctx.t("ui-nav-home") }}`, or with arguments
//!   `{{ ctx.t1("ui-track-case", "number", value) }}`.
//!   New keys go into both `crates/web/i18n/ui.zh-CN.ftl` and `ui.en.ftl` (a test checks that
//!   both define every key a template or this module uses).
//! - A form that changes anything carries `<input type="hidden" name="_csrf" value="{{ ctx.csrf }}">`
//!   and its handler takes [`CsrfForm<T>`] (a URL-encoded body), or calls [`csrf::verify`]
//!   itself (multipart). A missing or wrong token is a 403 page, before anything is written.
//! - Errors: return [`UiError`]; it becomes a page in the visitor's language. A form with bad
//!   input is rendered again with the visitor's input and each message beside its field
//!   ([`FieldErrors`]).

mod admin;
mod admin_calendar;
mod admin_catalog;
mod admin_departments;
mod admin_users;
pub mod assets;
mod case_photos;
mod choropleth;
pub mod csrf;
mod dashboard;
mod error;
mod liaison;
mod liaison_visit;
mod login;
mod map;
mod page;
mod portal;
pub mod svg;
mod whistles;
mod whistles_new;
mod whistles_page;
mod work;
mod workbench;
mod workbench_case;

pub use csrf::CsrfForm;
pub use error::{FieldErrors, UiError};
pub use page::{lang_of, local_time, Ctx, NavItem, SelectOption, SignedInUser};

use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

/// The pages, with their own error pages, panic guard and request tracing.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/", get(portal::home))
        .route("/submit", get(portal::submit_form).post(portal::submit))
        .route("/track", get(portal::track_form).post(portal::track))
        .route("/track/rate", post(portal::rate))
        .route("/track/photos/{number}/{sha256}", get(portal::track_photo))
        .route("/login", get(login::form).post(login::login))
        .route("/logout", post(login::logout))
        .route("/my", get(work::my_work))
        .route("/my/bulk-dispatch", post(workbench::bulk_dispatch))
        .route("/cases/{id}", get(workbench_case::case_page))
        .route("/cases/{id}/actions/{action}", post(workbench_case::case_action))
        .route("/cases/{id}/attachments", post(case_photos::add))
        .route("/cases/{id}/attachments/{sha256}", get(case_photos::show))
        .route("/whistles", get(whistles::board))
        .route("/whistles/new", get(whistles_new::form).post(whistles_new::blow))
        .route("/whistles/{id}", get(whistles_page::show))
        .route("/whistles/{id}/actions/{action}", post(whistles_page::act))
        .route("/inbox", get(whistles::inbox))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/admin", get(admin::org))
        .route("/admin/departments/new", get(admin_departments::new_form).post(admin_departments::create))
        .route("/admin/departments/{id}", get(admin_departments::edit_form).post(admin_departments::update))
        .route("/admin/catalog", get(admin::catalog))
        .route("/admin/catalog/new", get(admin_catalog::new_form).post(admin_catalog::create))
        .route("/admin/catalog/export", get(admin_catalog::export))
        .route("/admin/catalog/{code}", get(admin_catalog::edit_form).post(admin_catalog::update))
        .route("/admin/imports/catalog", post(admin_catalog::check_import))
        .route("/admin/imports/catalog/apply", post(admin_catalog::apply_import))
        .route("/admin/users", get(admin_users::list).post(admin_users::add))
        .route("/admin/users/{id}/disable", post(admin_users::disable))
        .route("/admin/users/{id}/enable", post(admin_users::enable))
        .route("/admin/calendar", get(admin_calendar::list).post(admin_calendar::set_day))
        .route("/admin/calendar/{date}/remove", post(admin_calendar::remove_day))
        .route("/admin/imports", get(admin::imports_form).post(admin::import_boundaries))
        .route("/lang/{lang}", get(page::switch_lang))
        .route("/assets/{file}", get(assets::serve))
        .route("/sw.js", get(assets::service_worker))
        .route("/liaison", get(liaison::home))
        .route("/liaison/offline", get(liaison::offline))
        .route("/liaison/visits", post(liaison_visit::record))
        .route("/liaison/visits/new", get(liaison_visit::form))
        .route("/liaison/visits/{id}", get(liaison::visit))
        .route("/liaison/households", get(liaison::households))
        .route("/liaison/households/{id}", get(liaison::household))
        .route("/liaison/results", get(liaison::results))
        .fallback(error::not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(crate::photo::UPLOAD_BODY_LIMIT))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(error::render_pages))
        // Traced by method, path and status only: never bodies or query strings, which may
        // carry residents' personal data.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            tracing::info_span!("page", method = %req.method(), path = %req.uri().path())
        }))
}

#[cfg(test)]
mod tests {
    use crate::i18n::{has_key, Lang};
    use chuishao_domain::case::Satisfaction;
    use chuishao_domain::{CaseStatus, RequestKind};
    use std::path::Path;

    /// Every `"ui-…"` key written in the templates and in this module's code.
    fn keys_used() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = vec![];
        for dir in ["templates", "src/ui"] {
            let entries = std::fs::read_dir(root.join(dir)).expect("directory is there");
            for e in entries.flatten() {
                texts.push(std::fs::read_to_string(e.path()).expect("readable"));
            }
        }
        let mut keys = vec![];
        for t in &texts {
            for piece in t.split("\"ui-").skip(1) {
                let key = piece.split('"').next().unwrap_or("");
                // `format!("ui-track-status-{}", …)`: the families are checked below.
                let plain = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if plain && !key.ends_with('-') && !key.is_empty() {
                    keys.push(format!("ui-{key}"));
                }
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    #[test]
    fn every_key_the_pages_use_is_in_both_catalogs() {
        let mut keys = keys_used();
        assert!(keys.len() > 50, "templates are scanned: {}", keys.len());
        keys.extend(CaseStatus::ALL.iter().map(|s| format!("ui-track-status-{}", s.as_str())));
        keys.extend(["response", "resolution"].map(|k| format!("ui-track-deadline-{k}")));
        // Labels the pages take from the shared catalog.
        keys.extend(RequestKind::ALL.iter().map(|k| format!("kind-{}", k.as_str())));
        keys.extend(
            [Satisfaction::Satisfied, Satisfaction::BasicallySatisfied, Satisfaction::Dissatisfied]
                .iter()
                .map(|s| format!("satisfaction-{}", s.as_str())),
        );
        for lang in [Lang::Zh, Lang::En] {
            for k in &keys {
                assert!(has_key(lang, k), "{k} is used but missing in {lang:?}");
            }
        }
    }
}
