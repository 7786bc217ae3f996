//! Message catalogs (Fluent): Simplified Chinese by default, English on request.

use axum::http::HeaderMap;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// Picks English only when the client prefers it (highest q) over Chinese.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(h) = header else { return Lang::Zh };
        let mut best: Option<(f32, Lang)> = None;
        for part in h.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = if tag.starts_with("en") {
                Lang::En
            } else if tag.starts_with("zh") {
                Lang::Zh
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::Zh)
    }

    pub fn from_headers(headers: &HeaderMap) -> Lang {
        Lang::from_accept_language(headers.get("accept-language").and_then(|v| v.to_str().ok()))
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

struct Catalogs {
    zh: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(tag: &str, sources: &[&str]) -> FluentBundle<FluentResource> {
    let lang: unic_langid::LanguageIdentifier = tag.parse().expect("valid language tag");
    let mut b = FluentBundle::new_concurrent(vec![lang]);
    // Isolation marks around arguments would leak into JSON messages.
    b.set_use_isolating(false);
    for source in sources {
        let res = FluentResource::try_new(source.to_string()).expect("message catalog parses");
        b.add_resource(res).expect("message ids are unique");
    }
    b
}

/// The web pages' own words, kept apart from the API's; both go into one bundle per language.
pub const UI_ZH: &str = include_str!("../i18n/ui.zh-CN.ftl");
pub const UI_EN: &str = include_str!("../i18n/ui.en.ftl");

static CATALOGS: LazyLock<Catalogs> = LazyLock::new(|| Catalogs {
    zh: bundle("zh-CN", &[include_str!("../i18n/zh-CN.ftl"), UI_ZH]),
    en: bundle("en", &[include_str!("../i18n/en.ftl"), UI_EN]),
});

/// The message ids a catalog source defines, in order (for tests keeping catalogs in step).
/// A message starts a line with its id (`ui-nav-home = …`); continuation lines are indented.
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_string()))
        .collect()
}

fn lookup(b: &FluentBundle<FluentResource>, key: &str, args: &[(&str, String)]) -> Option<String> {
    let msg = b.get_message(key)?;
    let pattern = msg.value()?;
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, FluentValue::from(v.as_str()));
    }
    let mut errors = vec![];
    Some(b.format_pattern(pattern, Some(&fargs), &mut errors).into_owned())
}

/// The message `key` in `lang`, falling back to Chinese, then to the key itself.
pub fn t(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let c = &*CATALOGS;
    let primary = match lang {
        Lang::Zh => &c.zh,
        Lang::En => &c.en,
    };
    lookup(primary, key, args).or_else(|| lookup(&c.zh, key, args)).unwrap_or_else(|| key.to_string())
}

/// The label of an enum value: `label(lang, "status", "closed")` → 已结案.
pub fn label(lang: Lang, prefix: &str, value: &str) -> String {
    t(lang, &format!("{prefix}-{value}"), &[])
}

/// Whether both catalogs define `key` (used by tests to keep them in step).
pub fn has_key(lang: Lang, key: &str) -> bool {
    let c = &*CATALOGS;
    match lang {
        Lang::Zh => c.zh.has_message(key),
        Lang::En => c.en.has_message(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chuishao_domain::assistance::{AssistanceAction, AssistanceKind, AssistanceStatus};
    use chuishao_domain::liaison::CareFlag;
    use chuishao_domain::{CaseAction, CaseStatus, Role};

    #[test]
    fn accept_language_prefers_chinese_unless_english_is_preferred() {
        assert_eq!(Lang::from_accept_language(None), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("fr, en;q=0.5")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("de")), Lang::Zh);
    }

    #[test]
    fn every_label_exists_in_both_catalogs() {
        let mut keys: Vec<String> = vec![];
        keys.extend(CaseStatus::ALL.iter().map(|s| format!("status-{}", s.as_str())));
        keys.extend(CaseAction::ALL.iter().map(|a| format!("action-{}", a.as_str())));
        keys.extend(Role::LOGIN_ROLES.iter().map(|r| format!("role-{}", r.as_str())));
        keys.extend(CareFlag::ALL.iter().map(|f| format!("care_flag-{}", f.as_str())));
        keys.extend(AssistanceKind::ALL.iter().map(|k| format!("assistance_kind-{}", k.as_str())));
        keys.extend(AssistanceStatus::ALL.iter().map(|s| format!("assistance_status-{}", s.as_str())));
        keys.extend(AssistanceAction::ALL.iter().map(|a| format!("assistance_action-{}", a.as_str())));
        keys.extend(["decision", "delivery"].map(|c| format!("assistance_clock-{c}")));
        for e in [
            "submitted",
            "review_started",
            "approved",
            "rejected",
            "delivered",
            "withdrawn",
            "note_added",
            "warned",
            "overdue",
        ] {
            keys.push(format!("assistance_event-{e}"));
        }
        for lang in [Lang::Zh, Lang::En] {
            for k in &keys {
                assert!(has_key(lang, k), "{k} missing in {lang:?}");
            }
        }
    }

    #[test]
    fn the_ui_catalogs_define_the_same_keys_and_clash_with_nothing_shared() {
        let zh = message_ids(UI_ZH);
        let en = message_ids(UI_EN);
        assert!(zh.len() > 50, "the UI catalog is read");
        for k in &zh {
            assert!(en.contains(k), "{k} is in ui.zh-CN.ftl but not in ui.en.ftl");
            assert!(k.starts_with("ui-"), "UI keys start with ui-: {k}");
        }
        for k in &en {
            assert!(zh.contains(k), "{k} is in ui.en.ftl but not in ui.zh-CN.ftl");
        }
        let shared = message_ids(include_str!("../i18n/zh-CN.ftl"));
        assert!(shared.iter().all(|k| !k.starts_with("ui-")), "shared keys leave ui- to the pages");
        let mut seen = std::collections::HashSet::new();
        assert!(zh.iter().all(|k| seen.insert(k)), "no UI key twice");
    }

    #[test]
    fn arguments_are_filled_without_isolation_marks() {
        let m = t(Lang::Zh, "error-field_required", &[("field", "text".into())]);
        assert_eq!(m, "缺少必填项：text");
    }
}
