//! How shoppers and buyers reach a cooperative: the contacts it chose to show (phone, Zalo on the
//! same number, email), as tap-to-call and tap-to-chat links. Shown on its page, its booth and its
//! orders; the other domains take the component from here.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::{td, td_string};
use crate::lang::use_locale;

/// The contacts a cooperative shows; each is `None` when not given or not shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// As the cooperative wrote it (`0912 345 678`).
    pub phone: Option<String>,
    /// Whether the phone number is also on Zalo.
    pub zalo: Option<String>,
    pub email: Option<String>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.zalo.is_none() && self.email.is_none()
    }
}

/// The digits of a Vietnamese phone number in national form (`0912345678`).
pub fn national_digits(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("84") {
        Some(rest) if phone.trim_start().starts_with('+') => format!("0{rest}"),
        _ => digits,
    }
}

/// `tel:` in international form, so it dials from abroad too (`tel:+84912345678`).
pub fn tel_href(phone: &str) -> String {
    let national = national_digits(phone);
    format!("tel:+84{}", national.strip_prefix('0').unwrap_or(&national))
}

/// Zalo's chat link for a number: `https://zalo.me/0912345678`.
pub fn zalo_href(phone: &str) -> String {
    format!("https://zalo.me/{}", national_digits(phone))
}

/// The cooperative's contacts as buttons; nothing when it shows none.
#[component]
pub fn ContactLinks(contact: Contact) -> impl IntoView {
    let i18n = use_locale();
    (!contact.is_empty()).then(|| {
        view! {
            <section class="contact" aria-label=td_string!(i18n, coops.contact.title) data-testid="contact">
                <h2 class="contact__title">{td!(i18n, coops.contact.title)}</h2>
                <ul class="contact__list">
                    {contact.phone.map(|p| view! {
                        <li><a class="button button--secondary contact__link" href=tel_href(&p) data-testid="contact-phone">
                            {td!(i18n, coops.contact.call)} " " {p.clone()}
                        </a></li>
                    })}
                    {contact.zalo.map(|p| view! {
                        <li><a class="button button--secondary contact__link" href=zalo_href(&p) rel="noopener" target="_blank" data-testid="contact-zalo">
                            {td!(i18n, coops.contact.zalo)}
                        </a></li>
                    })}
                    {contact.email.map(|e| view! {
                        <li><a class="button button--secondary contact__link" href=format!("mailto:{e}") data-testid="contact-email">
                            {e.clone()}
                        </a></li>
                    })}
                </ul>
            </section>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vietnamese_number_becomes_a_call_link_and_a_zalo_link() {
        assert_eq!(tel_href("0912 345 678"), "tel:+84912345678");
        assert_eq!(tel_href("+84 912.345.678"), "tel:+84912345678");
        assert_eq!(zalo_href("0912-345-678"), "https://zalo.me/0912345678");
        assert_eq!(zalo_href("+84912345678"), "https://zalo.me/0912345678");
    }
}
