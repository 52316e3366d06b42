//! Bilingual text: the two languages of the catalogue, and how a page picks one with a fallback.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, td};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// The BCP 47 locale used for number formatting and `<html lang>`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl From<Locale> for Lang {
    fn from(l: Locale) -> Lang {
        match l {
            Locale::vi => Lang::Vi,
            Locale::en => Lang::En,
        }
    }
}

impl From<Lang> for Locale {
    fn from(l: Lang) -> Locale {
        match l {
            Lang::Vi => Locale::vi,
            Lang::En => Locale::en,
        }
    }
}

/// The cookie that keeps a visitor's language choice (the one leptos_i18n reads and writes).
pub const LANG_COOKIE: &str = "i18n_pref_locale";

/// The language of a request, chosen the way the app's pages choose it: the language cookie,
/// then the best supported language of `Accept-Language`, then Vietnamese. For the pages served
/// outside the Leptos app (the traceability page and the booth card).
pub fn preferred_lang(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
    let from_cookie = cookie.into_iter().flat_map(|c| c.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == LANG_COOKIE).then(|| Lang::from_code(value.trim())).flatten()
    });
    if let Some(lang) = from_cookie {
        return lang;
    }
    let mut ranked: Vec<(f32, Lang)> = accept_language
        .unwrap_or_default()
        .split(',')
        .filter_map(|item| {
            let mut parts = item.trim().split(';');
            let tag = parts.next()?.trim().to_ascii_lowercase();
            let primary = tag.split('-').next()?;
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            Lang::from_code(primary).filter(|_| q > 0.0).map(|lang| (q, lang))
        })
        .collect();
    // Stable: equal weights keep the visitor's order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.first().map_or(Lang::Vi, |(_, lang)| *lang)
}

/// The language the page is rendered in. On the server it is the one the i18n context chose for
/// the request (the language cookie, then `Accept-Language`, then Vietnamese); in the browser, the
/// `<html lang>` that page was rendered with. A page never changes language in place (the switch
/// is a link), so islands read it without the i18n library's context: hydrating that context is
/// what put locale negotiation (ICU tag parsing, `navigator.languages`) into every page's WASM.
pub fn use_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        crate::i18n::use_i18n().get_locale_untracked()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|code| Lang::from_code(&code))
            .map(Locale::from)
            .unwrap_or_default()
    }
}

/// The language the page is rendered in, as a signal for the views that take one.
pub fn use_lang() -> Signal<Lang> {
    Signal::stored(Lang::from(use_locale()))
}

/// A text kept in both languages; either may be empty while a cooperative has not translated it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Text {
    pub vi: String,
    pub en: String,
}

/// The text chosen for a language, and the language it is really in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picked<'a> {
    pub text: &'a str,
    pub lang: Lang,
    pub is_fallback: bool,
}

impl Text {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Text {
        Text { vi: vi.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }

    /// The text in `lang`, or in the other language when `lang`'s is missing.
    pub fn pick(&self, lang: Lang) -> Picked<'_> {
        let own = self.get(lang);
        if !own.trim().is_empty() {
            return Picked { text: own, lang, is_fallback: false };
        }
        Picked { text: self.get(lang.other()), lang: lang.other(), is_fallback: true }
    }

    /// The plain string for attributes (alt, title, meta).
    pub fn best(&self, lang: Lang) -> String {
        self.pick(lang).text.to_owned()
    }
}

/// Shows a bilingual text in the page's language. When only the other language has it, the text
/// is shown with its own `lang` attribute and marked as a fallback, so readers and screen readers
/// know what they are getting.
#[component]
pub fn Localized(text: Text, #[prop(optional)] mark_fallback: bool) -> impl IntoView {
    let lang = use_lang();
    let i18n = use_locale();
    move || {
        let picked = text.pick(lang.get());
        let content = picked.text.to_owned();
        if picked.is_fallback {
            let note = mark_fallback.then(|| {
                view! {
                    <span class="lang-fallback__note">
                        {match picked.lang {
                            Lang::Vi => td!(i18n, common.fallback_vi).into_any(),
                            Lang::En => td!(i18n, common.fallback_en).into_any(),
                        }}
                    </span>
                }
            });
            view! {
                <span class="lang-fallback" lang=picked.lang.code()>
                    {content}
                </span>
                {note}
            }
            .into_any()
        } else {
            content.into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_prefers_the_requested_language() {
        let t = Text::new("Trà ổi", "Guava tea");
        assert_eq!(t.pick(Lang::En), Picked { text: "Guava tea", lang: Lang::En, is_fallback: false });
        assert_eq!(t.pick(Lang::Vi).text, "Trà ổi");
    }

    #[test]
    fn the_cookie_then_accept_language_then_vietnamese_choose_the_language() {
        assert_eq!(preferred_lang(None, None), Lang::Vi);
        assert_eq!(preferred_lang(None, Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(preferred_lang(None, Some("fr-FR")), Lang::Vi);
        assert_eq!(preferred_lang(None, Some("fr-FR, en;q=0.5, vi;q=0.8")), Lang::Vi);
        assert_eq!(preferred_lang(None, Some("fr, en;q=0.3")), Lang::En);
        assert_eq!(preferred_lang(Some("a=b; i18n_pref_locale=vi"), Some("en")), Lang::Vi);
        assert_eq!(preferred_lang(Some("i18n_pref_locale=de"), Some("en")), Lang::En);
    }

    #[test]
    fn pick_falls_back_to_the_other_language_and_says_so() {
        let t = Text::new("Chuối sấy", "  ");
        let p = t.pick(Lang::En);
        assert_eq!(p.text, "Chuối sấy");
        assert_eq!(p.lang, Lang::Vi);
        assert!(p.is_fallback);
    }
}
