//! The page context every handler and template shares: language, who is signed in, the
//! visitor's CSRF token, the navigation; and how a page becomes a response.

use super::csrf;
use super::error::UiError;
use crate::auth::{actor_of, token_district, token_hash, SESSION_COOKIE};
use crate::i18n::{self, Lang};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::{Actor, Role};

/// The cookie that remembers the language switch.
pub const LANG_COOKIE: &str = "lang";

/// The value of cookie `name`, if the request has it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        c.split(';').find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
    })
}

/// The page language: the switch's cookie, else the browser's preference, else Chinese.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    match cookie(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        Some("zh") => Lang::Zh,
        _ => Lang::from_headers(headers),
    }
}

/// A local path to go back to: absolute, on this site (no `//host` or `\`), else `/`.
pub fn local_path(p: Option<&str>) -> String {
    match p {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.contains("://") => {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

fn query_escape(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `2026-11-27 09:00`, Beijing time: how pages show an instant.
pub fn local_time(t: chuishao_domain::Timestamp) -> String {
    t.with_timezone(&chuishao_domain::calendar::beijing()).format("%Y-%m-%d %H:%M").to_string()
}

/// One option of a `<select>`, chosen or not (templates compare nothing themselves).
#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A signed-in user as pages show them.
#[derive(Debug, Clone)]
pub struct SignedInUser {
    pub actor: Actor,
    pub username: String,
    pub name: String,
    pub role_label: String,
}

impl SignedInUser {
    pub fn is_resident(&self) -> bool {
        self.actor.role == Role::Resident
    }
}

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The context of one page view.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<SignedInUser>,
    /// The token this visitor's forms carry (bound to the session when signed in).
    pub csrf: String,
    /// The path asked for (no query: it may hold personal data).
    pub path: String,
    pub nav: Vec<NavItem>,
    pub css: &'static str,
    pub js: &'static str,
    pub lang_zh_href: String,
    pub lang_en_href: String,
    /// When the server made the page (ms since the epoch): a phone reading a kept copy offline
    /// tells the server's day by it (offline.js), not by its own clock.
    pub served_at: i64,
    set_cookies: Vec<String>,
}

/// The navigation by role. Later pages (workbench, whistle board, inbox, dashboard, admin) add
/// their entries here.
fn nav_for(user: Option<&SignedInUser>) -> Vec<(&'static str, &'static str)> {
    let mut nav = vec![("/", "ui-nav-home"), ("/submit", "ui-nav-submit"), ("/track", "ui-nav-track")];
    match user {
        None => nav.push(("/login", "ui-nav-login")),
        Some(u) if u.is_resident() => nav.push(("/my", "ui-nav-my-requests")),
        // A liaison's phone: the door-to-door work first.
        Some(u) if u.actor.role == Role::Liaison => {
            nav = vec![
                ("/liaison", "ui-nav-liaison-home"),
                ("/liaison/visits/new", "ui-nav-liaison-visit"),
                ("/liaison/households", "ui-nav-liaison-households"),
                ("/liaison/results", "ui-nav-liaison-results"),
                ("/my", "ui-nav-my-work"),
            ]
        }
        Some(_) => nav = vec![("/my", "ui-nav-workbench"), ("/submit", "ui-nav-submit"), ("/track", "ui-nav-track")],
    }
    // 吹哨: the board for the street and the district, the inbox for a summoned department.
    match user.map(|u| u.actor.role) {
        Some(Role::StreetLeader | Role::Dispatcher | Role::DistrictSupervisor | Role::Inspector) => {
            nav.push(("/whistles", "ui-nav-whistles"))
        }
        Some(Role::DepartmentStaff) => nav.push(("/inbox", "ui-nav-inbox")),
        _ => {}
    }
    if let Some(u) = user {
        if super::dashboard::ROLES.contains(&u.actor.role) {
            nav.push(("/dashboard", "ui-nav-dashboard"));
        }
        if super::admin::ROLES.contains(&u.actor.role) {
            nav.push(("/admin", "ui-nav-admin"));
        }
    }
    nav
}

impl Ctx {
    fn build(
        lang: Lang,
        user: Option<SignedInUser>,
        csrf: String,
        path: &str,
        set_cookies: Vec<String>,
        served_at: i64,
    ) -> Ctx {
        let entries = nav_for(user.as_ref());
        // The entry the page belongs to: the longest one its path starts with (so `/liaison`
        // is not also current on `/liaison/visits/new`).
        let matches = |href: &str| href == path || (href != "/" && path.starts_with(href));
        let current = entries.iter().map(|(h, _)| *h).filter(|h| matches(h)).max_by_key(|h| h.len());
        let nav = entries
            .into_iter()
            .map(|(href, key)| NavItem { href, label: i18n::t(lang, key, &[]), current: Some(href) == current })
            .collect();
        let back = query_escape(path);
        Ctx {
            lang,
            user,
            csrf,
            path: path.to_string(),
            nav,
            css: super::assets::css_url(),
            js: super::assets::js_url(),
            lang_zh_href: format!("/lang/zh?back={back}"),
            lang_en_href: format!("/lang/en?back={back}"),
            served_at,
            set_cookies,
        }
    }

    /// A context without a user or token, for error pages made outside a handler.
    pub fn bare(lang: Lang, path: &str) -> Ctx {
        Ctx::build(lang, None, String::new(), path, vec![], chrono::Utc::now().timestamp_millis())
    }

    /// The message `key` in the page language.
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key, &[])
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        i18n::t(self.lang, key, &[(name, value.to_string())])
    }

    /// The message `key` with two arguments.
    pub fn t2(&self, key: &str, n1: &str, v1: &str, n2: &str, v2: &str) -> String {
        i18n::t(self.lang, key, &[(n1, v1.to_string()), (n2, v2.to_string())])
    }

    /// `label：value` (`label: value` in English).
    pub fn labelled(&self, label: &str, value: &str) -> String {
        self.t2("ui-labelled", "label", label, "value", value)
    }

    /// `text（note）` (`text (note)` in English).
    pub fn aside(&self, text: &str, note: &str) -> String {
        self.t2("ui-aside", "text", text, "note", note)
    }

    /// A label of an enum value from the shared catalog: `label("status", "closed")`.
    pub fn label(&self, prefix: &str, value: &str) -> String {
        i18n::label(self.lang, prefix, value)
    }

    pub fn lang_tag(&self) -> &'static str {
        self.lang.tag()
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// The signed-in user, or a redirect to the login page that comes back here.
    pub fn require_user(&self) -> Result<&SignedInUser, UiError> {
        self.user.as_ref().ok_or_else(|| UiError::Redirect(format!("/login?next={}", query_escape(&self.path))))
    }

    /// The signed-in user if they have one of `roles`; else 403 (or the login page).
    pub fn require_role(&self, roles: &[Role]) -> Result<&SignedInUser, UiError> {
        let u = self.require_user()?;
        if roles.contains(&u.actor.role) {
            Ok(u)
        } else {
            Err(UiError::forbidden())
        }
    }

    /// Renders a page with 200.
    pub fn page<T: Template>(&self, tpl: T) -> Response {
        self.page_with(StatusCode::OK, tpl)
    }

    /// Renders a page with `status` (a form shown again with its errors answers 422).
    pub fn page_with<T: Template>(&self, status: StatusCode, tpl: T) -> Response {
        match tpl.render() {
            Ok(html) => {
                let mut res = (status, html_headers(self.lang), html).into_response();
                for c in &self.set_cookies {
                    if let Ok(v) = HeaderValue::from_str(c) {
                        res.headers_mut().append(header::SET_COOKIE, v);
                    }
                }
                res
            }
            Err(e) => {
                tracing::error!(error = %e, "page template failed");
                UiError::internal().into_response()
            }
        }
    }
}

/// Headers of every HTML page: the type, the language, and no caching (pages may show cases).
pub fn html_headers(lang: Lang) -> [(header::HeaderName, HeaderValue); 3] {
    [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
        (header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag())),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ]
}

/// The signed-in user of a session token (the cookie), if the session is live.
async fn session_user(state: &AppState, token: &str, lang: Lang) -> Result<Option<SignedInUser>, UiError> {
    let Some(district) = token_district(token) else { return Ok(None) };
    let Some(session) = state.store.session(&district, &token_hash(token), state.now()).await? else {
        return Ok(None);
    };
    let actor = actor_of(&state.store, &session.user).await?;
    Ok(Some(SignedInUser {
        username: session.user.username.clone(),
        name: actor.name.clone(),
        role_label: i18n::label(lang, "role", actor.role.as_str()),
        actor,
    }))
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = UiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.headers);
        let session = cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty());
        let user = match session {
            Some(token) => session_user(state, token, lang).await?,
            None => None,
        };
        let mut set_cookies = vec![];
        let token = match (session, &user) {
            (Some(s), Some(_)) => csrf::session_token(s),
            _ => {
                let (token, new_cookie) = csrf::anonymous_token(&parts.headers);
                set_cookies.extend(new_cookie);
                token
            }
        };
        Ok(Ctx::build(lang, user, token, parts.uri.path(), set_cookies, state.now().timestamp_millis()))
    }
}

#[derive(serde::Deserialize)]
pub struct BackQuery {
    back: Option<String>,
}

/// `GET /lang/{zh|en}?back=/path`: remembers the language and goes back.
pub async fn switch_lang(Path(lang): Path<String>, Query(q): Query<BackQuery>) -> Result<Response, UiError> {
    let value = match lang.as_str() {
        "zh" | "zh-CN" => "zh",
        "en" => "en",
        _ => return Err(UiError::not_found()),
    };
    let cookie = format!("{LANG_COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
    let back = local_path(q.back.as_deref());
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/my?page=2")), "/my?page=2");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil", ""] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn the_lang_cookie_wins_over_the_browser() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en"));
        assert_eq!(lang_of(&h), Lang::En);
        h.insert(header::COOKIE, HeaderValue::from_static("a=b; lang=zh"));
        assert_eq!(lang_of(&h), Lang::Zh);
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("lang=en"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(lang_of(&HeaderMap::new()), Lang::Zh);
    }
}

/// One tab of a list page's tab bar (`list_tabs.html`), with how many it holds when counted.
#[derive(Debug, Clone)]
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
    pub count: Option<u64>,
}

/// A list page's tab bar: its name for assistive technology, and its tabs.
#[derive(Debug, Clone)]
pub struct Tabs {
    pub label: String,
    pub items: Vec<Tab>,
}

/// Where a paged list is (`list_pager.html`): page N of M, with links either way.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

impl Pager {
    /// The page asked for (`?page=N`): 1 when missing or out of reason.
    pub fn page_of(q: Option<&str>) -> u32 {
        q.and_then(|p| p.parse::<u32>().ok()).filter(|p| (1..=10_000).contains(p)).unwrap_or(1)
    }

    /// Page `page` of `total` items `per_page` a page; `href` makes a page's address.
    pub fn new(page: u32, total: u64, per_page: u32, href: impl Fn(u32) -> String) -> Pager {
        let pages = total.div_ceil(u64::from(per_page.max(1))).max(1) as u32;
        Pager {
            page,
            pages,
            prev_href: (page > 1).then(|| href(page - 1)),
            next_href: (page < pages).then(|| href(page + 1)),
        }
    }
}
