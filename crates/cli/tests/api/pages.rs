//! The web pages through HTTP, as a browser without JavaScript uses them: cookies kept by hand,
//! redirects not followed, forms sent as browsers send them. Shared by the page tests (`ui`,
//! `ui_whistles`, `ui_workbench`, `ui_liaison`, `ui_dashboard`); what only one page needs (a
//! case's or a whistle's action forms) stays with its tests.

use crate::helpers::{TestApp, PASSWORD};
use reqwest::header::{HeaderMap, HeaderName, ACCEPT_LANGUAGE, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use std::collections::BTreeMap;

/// A browser: a cookie jar and a language preference.
pub struct Browser {
    base: String,
    pub client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub accept_language: Option<&'static str>,
}

/// A page as it came: not followed if it redirects.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// Where a redirect points; empty if it does not.
    pub fn location(&self) -> &str {
        self.header(LOCATION)
    }

    /// The header `name` as text; empty if there is none.
    pub fn header(&self, name: HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The body without its tags: what reads as one phrase even where the markup splits it.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.body.len());
        let mut in_tag = false;
        for c in self.body.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// The value of the first input `name` (a hidden one, mostly: the token, the version).
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start =
            self.body.find(&marker).unwrap_or_else(|| panic!("no input {name} in {}", self.body)) + marker.len();
        self.body[start..].split('"').next().unwrap_or("").to_string()
    }

    /// Every value of the inputs named `name`.
    pub fn inputs(&self, name: &str) -> Vec<String> {
        let marker = format!("name=\"{name}\" value=\"");
        self.body.split(&marker).skip(1).map(|s| s.split('"').next().unwrap_or("").to_string()).collect()
    }

    /// The text of the element with this id, up to its first child tag.
    pub fn text_of(&self, id: &str) -> String {
        let marker = format!("id=\"{id}\">");
        let start = self.body.find(&marker).unwrap_or_else(|| panic!("no #{id} in {}", self.body)) + marker.len();
        self.body[start..].split('<').next().unwrap_or("").trim().to_string()
    }

    /// Where the link with this id points, its `&` unescaped.
    pub fn href_of(&self, id: &str) -> String {
        let marker = format!("id=\"{id}\" href=\"");
        let start = self.body.find(&marker).unwrap_or_else(|| panic!("no link #{id}")) + marker.len();
        self.body[start..].split('"').next().unwrap_or("").replace("&amp;", "&").replace("&#38;", "&")
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Browser { base: app.base.clone(), client, cookies: BTreeMap::new(), accept_language: None }
    }

    /// A new browser, signed in as `username` through the login form.
    pub async fn signed_in(app: &TestApp, username: &str) -> Browser {
        let mut b = Browser::new(app);
        let r = b.sign_in(username).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{username} signs in: {}", r.body);
        b
    }

    /// Signs in through the login form; the answer to the form.
    pub async fn sign_in(&mut self, username: &str) -> Page {
        let form = self.get("/login").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.hidden("_csrf");
        self.post_form("/login", &[("_csrf", &csrf), ("username", username), ("password", PASSWORD), ("next", "/")])
            .await
    }

    /// The request with what a browser adds: its cookies and its language.
    fn dressed(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let jar = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let req = req.header(COOKIE, jar);
        match self.accept_language {
            Some(l) => req.header(ACCEPT_LANGUAGE, l),
            None => req,
        }
    }

    /// Sends the request and keeps the cookies it sets (and forgets those it clears).
    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let res = self.dressed(req).send().await.expect("request");
        for c in res.headers().get_all(SET_COOKIE) {
            let c = c.to_str().expect("ascii cookie");
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').expect("name=value");
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.text().await.expect("body");
        Page { status, headers, body }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// A download: its status, its content type and its bytes.
    pub async fn bytes(&mut self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let res = self.dressed(self.client.get(format!("{}{path}", self.base))).send().await.expect("request");
        let kind = res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        (res.status(), kind, res.bytes().await.expect("body").to_vec())
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let req = self.client.post(format!("{}{path}", self.base)).form(fields);
        self.send(req).await
    }

    /// A `multipart/form-data` form: its fields, then the file as (field, file name, content
    /// type, bytes) if there is one.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &str, &[u8])>,
    ) -> Page {
        let (content_type, body) = multipart(fields, file);
        let req = self.client.post(format!("{}{path}", self.base)).header(CONTENT_TYPE, content_type).body(body);
        self.send(req).await
    }
}

/// A `multipart/form-data` body as browsers send it: its content type and bytes. The fields,
/// then the file as (field, file name, content type, bytes) if there is one.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----chuishao-test-boundary-7f3a";
    let mut body: Vec<u8> = vec![];
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    if let Some((field, name, content_type, bytes)) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Form fields kept as owned strings, as `post_form` takes them.
pub fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
