//! A headless Chromium for the end-to-end walks: Debian's `chromium` driven through a local
//! `chromedriver` (WebDriver over plain HTTP on 127.0.0.1; nothing is downloaded), a fresh
//! profile per browser, every wait bounded. Helpers speak as a person does — by label, by the
//! words on a button or link — so the walks survive markup changes.
//!
//! The binaries are `/usr/bin/chromium` and `/usr/bin/chromedriver` unless `CHUISHAO_CHROMIUM` /
//! `CHUISHAO_CHROMEDRIVER` name others. If they are missing the test fails and says so;
//! `CHUISHAO_E2E=0` skips the walks on purpose (scripts/test does so on its PostgreSQL pass).

use crate::helpers::{TestApp, PASSWORD};
use chuishao_web::i18n::{t, Lang};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use thirtyfour::components::SelectElement;
use thirtyfour::extensions::query::ElementPollerWithTimeout;
use thirtyfour::prelude::*;

/// The longest any single wait may take (an element to appear, a page to load, the driver to
/// start). A walk is a few dozen waits that normally end in milliseconds.
pub const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);

/// Desktop window: tall enough that a screenshot shows most of a form.
pub const DESKTOP: (u32, u32) = (1280, 1400);
/// A common phone: the pages must not scroll sideways at this width.
pub const PHONE: (u32, u32) = (390, 844);

/// Whether the browser walks run: on unless `CHUISHAO_E2E` is `0`, `off` or `false`.
pub fn enabled() -> bool {
    match std::env::var("CHUISHAO_E2E") {
        Ok(v) if ["0", "off", "false", "no"].contains(&v.trim().to_ascii_lowercase().as_str()) => {
            eprintln!("CHUISHAO_E2E={v}: the browser walk is skipped");
            false
        }
        _ => true,
    }
}

fn binary(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default));
    if !path.is_file() {
        panic!(
            "{} not found: the browser walks need Chromium and its driver (Debian: `apt-get install chromium \
             chromium-driver`; ./scripts/test installs them). Set {var} to another path, or CHUISHAO_E2E=0 to \
             skip these tests on purpose.",
            path.display()
        );
    }
    path
}

/// Where screenshots go: `CHUISHAO_E2E_SCREENSHOTS`, else `target/e2e-screenshots` of the
/// workspace (ignored by git).
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("CHUISHAO_E2E_SCREENSHOTS").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots").components().collect()
    })
}

/// A chromedriver process of our own, in its own process group so that the browser it starts
/// goes with it: the whole group is killed when this is dropped, even after a failed test.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Chromedriver {
    async fn start(dir: &Path) -> Chromedriver {
        use std::os::unix::process::CommandExt;
        let exe = binary("CHUISHAO_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = dir.join("chromedriver.log");
        let child = Command::new(&exe)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        let mut driver = Chromedriver { child, url: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{}/status", driver.url)).send().await {
                let status: Value = r.json().await.unwrap_or_default();
                if status["value"]["ready"] == true {
                    return driver;
                }
            }
            if let Ok(Some(exit)) = driver.child.try_wait() {
                panic!("chromedriver exited ({exit}): {}", std::fs::read_to_string(&log).unwrap_or_default());
            }
            if started.elapsed() > WAIT {
                panic!("chromedriver did not become ready on {} within {WAIT:?}", driver.url);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// One browser window on the app under test.
pub struct Browser {
    pub driver: Option<WebDriver>,
    pub base: String,
    // Dropped after the session: the driver, then the profile directory.
    _chromedriver: Chromedriver,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// After a failed walk: no polite quit (thirtyfour's would block this thread while the app
    /// under test, on the same thread, cannot answer); the driver's process group is killed,
    /// Chromium with it.
    fn drop(&mut self) {
        if let Some(d) = self.driver.take() {
            let _ = d.leak();
        }
    }
}

impl Browser {
    /// A fresh headless Chromium (new profile: no cookies, Chinese by default) at the desktop size.
    /// `None` when the walks are switched off (`CHUISHAO_E2E=0`).
    pub async fn open(app: &TestApp) -> Option<Browser> {
        if !enabled() {
            return None;
        }
        let chromium = binary("CHUISHAO_CHROMIUM", "/usr/bin/chromium");
        let profile = tempfile::tempdir().expect("profile dir");
        let chromedriver = Chromedriver::start(profile.path()).await;
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(chromium.to_str().expect("utf-8 path")).unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-extensions",
            "--lang=zh-CN",
            // A name other than 127.0.0.1 cannot even be resolved: an intranet without internet.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ] {
            caps.add_arg(arg).unwrap();
        }
        // The language a resident's browser asks for in Beijing (headless Chromium says en-US).
        caps.add_experimental_option("prefs", serde_json::json!({"intl.accept_languages": "zh-CN,zh"})).unwrap();
        caps.add_arg(&format!("--user-data-dir={}", profile.path().join("chromium").display())).unwrap();
        caps.add_arg(&format!("--window-size={},{}", DESKTOP.0, DESKTOP.1)).unwrap();
        let driver = tokio::time::timeout(
            WAIT,
            WebDriver::builder(chromedriver.url.as_str(), caps)
                .poller(Arc::new(ElementPollerWithTimeout::new(WAIT, POLL)))
                .request_timeout(WAIT)
                .connect(),
        )
        .await
        .expect("Chromium started in time")
        .unwrap_or_else(|e| panic!("Chromium did not start: {e}"));
        let browser =
            Browser { driver: Some(driver), base: app.base.clone(), _chromedriver: chromedriver, _profile: profile };
        browser.resize(DESKTOP).await;
        Some(browser)
    }

    /// Ends the session cleanly (on a panic, dropping does it instead).
    pub async fn close(mut self) {
        if let Some(d) = self.driver.take() {
            let _ = tokio::time::timeout(WAIT, d.quit()).await;
        }
    }

    pub fn d(&self) -> &WebDriver {
        self.driver.as_ref().expect("open browser")
    }

    pub async fn resize(&self, (w, h): (u32, u32)) {
        self.d().set_window_rect(0, 0, w, h).await.expect("window size");
    }

    pub async fn goto(&self, path: &str) {
        self.d().goto(format!("{}{path}", self.base)).await.unwrap_or_else(|e| panic!("open {path}: {e}"));
        self.wait_loaded().await;
    }

    /// The path and query of the page shown.
    pub async fn path(&self) -> String {
        let url = self.d().current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.d().execute(script, args).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}")).json().clone()
    }

    async fn wait_loaded(&self) {
        let started = Instant::now();
        while self.js("return document.readyState", vec![]).await != "complete" {
            assert!(started.elapsed() < WAIT, "page did not finish loading within {WAIT:?}");
            tokio::time::sleep(POLL).await;
        }
    }

    /// The first element matching `by`, waiting for it to appear (at most [`WAIT`]).
    pub async fn find(&self, by: By) -> WebElement {
        let what = format!("{by:?}");
        match self.d().query(by).first().await {
            Ok(e) => e,
            Err(e) => panic!("{what} not found on {}: {e}", self.path().await),
        }
    }

    /// The visible text of the first element matching a CSS selector.
    pub async fn text_of(&self, css: &str) -> String {
        self.find(By::Css(css)).await.text().await.expect("text").trim().to_string()
    }

    /// Everything the page shows.
    pub async fn page_text(&self) -> String {
        self.text_of("body").await
    }

    /// The HTML as the browser holds it now.
    pub async fn source(&self) -> String {
        self.d().source().await.expect("page source")
    }

    /// The language the page says it is in (`<html lang>`).
    pub async fn lang(&self) -> String {
        self.js("return document.documentElement.lang", vec![]).await.as_str().unwrap_or("").to_string()
    }

    /// The form control a label names: its own text (without the 必填/可选 marks) equals `label`.
    pub async fn field_by_label(&self, label: &str) -> WebElement {
        let l = xpath_literal(label);
        let label_el =
            self.find(By::XPath(format!("//label[normalize-space(text()[1])={l} or normalize-space(.)={l}]"))).await;
        match label_el.attr("for").await.expect("label for") {
            Some(id) => self.find(By::Id(id)).await,
            None => label_el.find(By::Css("input, select, textarea")).await.expect("a control inside the label"),
        }
    }

    /// Types `value` into the field labelled `label`, replacing what was there.
    pub async fn fill_by_label(&self, label: &str, value: &str) {
        let field = self.field_by_label(label).await;
        field.clear().await.expect("clear");
        field.send_keys(value).await.unwrap_or_else(|e| panic!("type into {label}: {e}"));
    }

    /// Chooses the option showing `option` in the list labelled `label` (a real click: the page's
    /// `change` handlers run).
    pub async fn choose_by_label(&self, label: &str, option: &str) {
        let field = self.field_by_label(label).await;
        let select = SelectElement::new(&field).await.expect("a <select>");
        select.select_by_exact_text(option).await.unwrap_or_else(|e| panic!("choose {option} in {label}: {e}"));
    }

    /// The value of the control labelled `label`.
    pub async fn value_by_label(&self, label: &str) -> String {
        self.field_by_label(label).await.value().await.expect("value").unwrap_or_default()
    }

    pub async fn click_button_with_text(&self, text: &str) {
        let t = xpath_literal(text);
        self.find(By::XPath(format!("//button[normalize-space(.)={t}] | //input[@type='submit' and @value={t}]")))
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {text}: {e}"));
    }

    /// Runs `act` (a click that leaves the page) and waits until the next page has loaded.
    pub async fn navigating<F: std::future::Future<Output = ()>>(&self, act: F) {
        let old = self.find(By::Tag("html")).await;
        act.await;
        old.wait_until().wait(WAIT, POLL).stale().await.expect("the page changed");
        self.wait_loaded().await;
    }

    /// Sends the form by its button and waits for the answer page.
    pub async fn submit_form(&self, button: &str) {
        self.navigating(self.click_button_with_text(button)).await;
    }

    /// Follows the link showing `text` and waits for the page.
    pub async fn follow_link(&self, text: &str) {
        let t = xpath_literal(text);
        let link = self.find(By::XPath(format!("//a[normalize-space(.)={t}]"))).await;
        self.navigating(async move { link.click().await.unwrap_or_else(|e| panic!("follow {text}: {e}")) }).await;
    }

    /// Clicks `el` (a link or button that leaves the page) and waits for the next page.
    pub async fn click_through(&self, el: WebElement) {
        self.navigating(async move { el.click().await.unwrap_or_else(|e| panic!("click: {e}")) }).await;
    }

    /// Ticks the radio button showing `option` in the group whose legend starts with `legend`.
    pub async fn choose_radio(&self, legend: &str, option: &str) {
        let (l, o) = (xpath_literal(legend), xpath_literal(option));
        self.find(By::XPath(format!(
            "//fieldset[starts-with(normalize-space(legend), {l})]//label[starts-with(normalize-space(.), {o})]\
             /input[@type='radio']"
        )))
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("choose {option} for {legend}: {e}"));
    }

    /// Ticks the checkbox whose label shows `text`.
    pub async fn tick(&self, text: &str) {
        let t = xpath_literal(text);
        let boxes = self.find(By::XPath(format!("//label[normalize-space(.)={t}]/input[@type='checkbox']"))).await;
        if !boxes.is_selected().await.expect("checked?") {
            boxes.click().await.unwrap_or_else(|e| panic!("tick {text}: {e}"));
        }
    }

    /// The language the page is shown in, as the catalogs name it.
    pub async fn ui_lang(&self) -> Lang {
        if self.lang().await == "en" {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// Signs out by the button in the header (the page after it is the public one).
    pub async fn sign_out(&self) {
        let lang = self.ui_lang().await;
        self.submit_form(&w(lang, "ui-logout")).await;
    }

    /// Signs in through the login form as a demo account; lands on the page after it.
    pub async fn login_as(&self, username: &str) {
        self.goto("/login").await;
        self.checkpoint("login").await;
        let lang = self.ui_lang().await;
        self.fill_by_label(&w(lang, "ui-login-username"), username).await;
        self.fill_by_label(&w(lang, "ui-login-password"), PASSWORD).await;
        self.submit_form(&w(lang, "ui-login-submit")).await;
        assert_ne!(self.path().await, "/login", "signed in as {username}: {}", self.page_text().await);
    }

    /// In English, no element matching `css` shows Chinese (Han characters or full-width
    /// punctuation): the page's own words there are English. Some element must match. In Chinese
    /// this checks nothing. Choose elements that hold the page's words, not data (names of units,
    /// residents' text).
    pub async fn assert_no_chinese_in(&self, css: &str) {
        self.no_chinese_in(css, true).await;
    }

    /// As [`Browser::assert_no_chinese_in`], for elements the page may not show at all.
    pub async fn assert_no_chinese_in_any(&self, css: &str) {
        self.no_chinese_in(css, false).await;
    }

    async fn no_chinese_in(&self, css: &str, required: bool) {
        if self.ui_lang().await != Lang::En {
            return;
        }
        let elements = self.d().find_all(By::Css(css)).await.expect("find");
        assert!(!required || !elements.is_empty(), "{css} is on {}", self.path().await);
        for e in elements {
            let text = e.text().await.expect("text");
            assert!(!has_chinese(&text), "{css} on {} shows Chinese in English: {text:?}", self.path().await);
        }
    }

    /// Saves the window as `target/e2e-screenshots/<name>.<lang>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.{}.png", self.lang().await));
        let png = self.d().screenshot_as_png().await.expect("screenshot");
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Every request this page made (the page itself, stylesheet, script, images) went to the app
    /// under test: nothing from a CDN or any other site.
    pub async fn assert_all_requests_local(&self) {
        let names = self
            .js(
                "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))\
                 .map(function (e) { return e.name; })",
                vec![],
            )
            .await;
        let names: Vec<String> = serde_json::from_value(names).expect("names");
        assert!(!names.is_empty(), "the page reports its requests");
        for name in &names {
            assert!(name.starts_with(&format!("{}/", self.base)), "{name} leaves the app ({})", self.path().await);
        }
    }

    /// The page fits the window's width: nothing to scroll sideways.
    pub async fn assert_no_horizontal_overflow(&self, width: u32) {
        let m = self
            .js("return [window.innerWidth, document.scrollingElement.scrollWidth, document.body.scrollWidth]", vec![])
            .await;
        let (inner, scroll, body) = (m[0].as_u64().unwrap(), m[1].as_u64().unwrap(), m[2].as_u64().unwrap());
        assert!(inner <= width as u64, "the window is {inner} px wide, not {width}");
        assert!(
            scroll <= width as u64 && body <= width as u64,
            "{} scrolls sideways at {width} px: content is {scroll} px wide",
            self.path().await
        );
    }

    /// A page visited: it asked nothing of other sites, and a screenshot is kept.
    pub async fn checkpoint(&self, name: &str) {
        self.assert_all_requests_local().await;
        self.screenshot(name).await;
    }
}

/// The catalog's words for `key` in `lang`: what the page shows (a message without arguments).
pub fn w(lang: Lang, key: &str) -> String {
    assert!(chuishao_web::i18n::has_key(lang, key), "{key} is in the {lang:?} catalog");
    t(lang, key, &[])
}

/// Whether `text` has Han characters or CJK / full-width punctuation (：、（）。).
pub fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
    })
}

/// `s` as an XPath string literal (XPath 1.0 has no escapes: quotes are joined with concat()).
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("concat('{}')", s.replace('\'', "', \"'\", '"))
    }
}
