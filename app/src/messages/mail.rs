//! Email: a composed message rendered as HTML and plain text (both languages' sentences come from
//! the locale files), and the `Postman` that sends it through SMTP (lettre; `SMTP_URL`, TLS and
//! credentials as the URL says) or, with no SMTP server configured, writes it as an `.eml` file
//! under `MAIL_DIR` for a newcomer to open.
use std::path::Path;
use std::time::Duration;

use leptos::prelude::*;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::compose::Composed;
use crate::i18n::{Locale, td_string};
use crate::lang::Lang;

/// How long one SMTP exchange may take before it counts as failed (and is retried later).
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("writing the email file: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("building the email: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("mail directory: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Sends the outbox's emails, from one sender, with links to one site.
#[derive(Clone)]
pub struct Postman {
    transport: Transport,
    from: Mailbox,
    /// The site's public origin (`https://ocop.example`), for absolute links.
    site: String,
}

impl Postman {
    /// Through the SMTP server of `url` (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`
    /// for STARTTLS, `smtps://user:pass@host:465`).
    pub fn smtp(url: &str, from: &str, site: &str) -> Result<Postman, MailError> {
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.timeout(Some(SMTP_TIMEOUT)).build();
        Ok(Postman { transport: Transport::Smtp(transport), from: from.parse()?, site: site.to_owned() })
    }

    /// Into `.eml` files under `dir` (made if missing).
    pub fn files(dir: &Path, from: &str, site: &str) -> Result<Postman, MailError> {
        std::fs::create_dir_all(dir)?;
        Ok(Postman {
            transport: Transport::Files(AsyncFileTransport::new(dir)),
            from: from.parse()?,
            site: site.to_owned(),
        })
    }

    pub fn site(&self) -> &str {
        &self.site
    }

    /// Sends one email of the outbox: its `Message-ID` is made from the outbox row, so a copy sent
    /// again after a crash is recognisably the same email.
    pub async fn send(&self, outbox_id: i64, to: &str, name: &str, mail: &Rendered) -> Result<(), MailError> {
        let to = Mailbox::new(Some(name.to_owned()).filter(|n| !n.is_empty()), to.parse()?);
        let domain = self.from.email.domain().to_owned();
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<outbox-{outbox_id}@{domain}>")));
        if let Some(url) = &mail.one_click {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let email =
            builder.multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))?;
        match &self.transport {
            Transport::Smtp(t) => {
                t.send(email).await?;
            }
            Transport::Files(t) => {
                t.send(email).await?;
            }
        }
        Ok(())
    }
}

/// An email ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
    /// For an optional kind: the page that turns it off (a link in the email), and the address
    /// a mail program POSTs to turn it off in one click (`List-Unsubscribe`).
    pub unsubscribe: Option<String>,
    pub one_click: Option<String>,
}

/// `composed` as an email to `name`, with absolute links on `site`; `unsubscribe` is the signed
/// query of the unsubscribe links, for an optional kind.
pub fn render(
    composed: &Composed,
    name: &str,
    lang: Lang,
    site: &str,
    unsubscribe: Option<&str>,
) -> Rendered {
    let l = Locale::from(lang);
    let hello = td_string!(l, notify.common.hello, name = name).to_string();
    let action_url = format!("{site}{}", composed.href);
    let one_click = unsubscribe.map(|query| format!("{site}/mail/unsubscribe/one-click?{query}"));
    let unsubscribe = unsubscribe.map(|query| format!("{site}/mail/unsubscribe?{query}"));
    let settings_url = format!("{site}/account#emails");
    let why = if unsubscribe.is_some() {
        td_string!(l, notify.common.why_optional)
    } else {
        td_string!(l, notify.common.why_essential)
    };

    let mut text = format!("{hello}\n\n");
    for p in &composed.paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    for (label, value) in &composed.facts {
        text.push_str(&format!("{label}: {value}\n"));
    }
    if !composed.facts.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!("{}: {action_url}\n\n-- \nOCOP Market\n{why}\n", composed.action));
    if let Some(url) = &unsubscribe {
        text.push_str(&format!("{}: {url}\n", td_string!(l, notify.common.unsubscribe)));
    }
    text.push_str(&format!("{}: {settings_url}\n", td_string!(l, notify.common.settings)));

    let html = html_document(composed, lang, &hello, &action_url, why, unsubscribe.as_deref(), &settings_url);
    Rendered { subject: composed.subject.clone(), html, text, unsubscribe, one_click }
}

// Email clients drop <style> blocks and external CSS: every style is inline, and the layout is a
// single column that reads on a 320 px phone.
const BODY: &str = "margin:0;padding:0;background:#f7f8f4;color:#1c2421;\
font:16px/1.6 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif";
const CARD: &str = "max-width:36rem;margin:0 auto;padding:1rem;background:#ffffff";
const BRAND: &str = "margin:0 0 1rem;padding:.5rem 1rem;background:#1f6f43;color:#ffffff;font-weight:700";
const BUTTON: &str = "display:inline-block;padding:.6rem 1rem;border-radius:.5rem;background:#1f6f43;\
color:#ffffff;font-weight:600;text-decoration:none";
const CELL: &str = "padding:.25rem 1rem .25rem 0;vertical-align:top";
const HEAD: &str = "padding:.25rem 1rem .25rem 0;vertical-align:top;text-align:left";
const FOOT: &str = "margin-top:1.5rem;font-size:.85rem;color:#4d5a53";

fn html_document(
    composed: &Composed,
    lang: Lang,
    hello: &str,
    action_url: &str,
    why: &'static str,
    unsubscribe: Option<&str>,
    settings_url: &str,
) -> String {
    let l = Locale::from(lang);
    let paragraphs = composed.paragraphs.iter().map(|p| view! { <p>{p.clone()}</p> }).collect_view();
    let facts = (!composed.facts.is_empty()).then(|| {
        let rows = composed
            .facts
            .iter()
            .map(|(label, value)| {
                view! {
                    <tr>
                        <th scope="row" style=HEAD>{label.clone()}</th>
                        <td style=CELL>{value.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! { <table role="presentation" style="border-collapse:collapse;margin:1rem 0">{rows}</table> }
    });
    let unsubscribe = unsubscribe.map(|url| {
        view! {
            " · "
            <a href=url.to_owned() style="color:#175535">{td_string!(l, notify.common.unsubscribe)}</a>
        }
    });
    let page = view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{composed.subject.clone()}</title>
            </head>
            <body style=BODY>
                <div style=CARD>
                    <p style=BRAND>"OCOP Market"</p>
                    <h1 style="font-size:1.3rem;line-height:1.3;margin:0 0 1rem">{composed.subject.clone()}</h1>
                    <p>{hello.to_owned()}</p>
                    {paragraphs}
                    {facts}
                    <p><a href=action_url.to_owned() style=BUTTON>{composed.action.clone()}</a></p>
                    <p style=FOOT>
                        {why}
                        <br />
                        <a href=settings_url.to_owned() style="color:#175535">
                            {td_string!(l, notify.common.settings)}
                        </a>
                        {unsubscribe}
                    </p>
                </div>
            </body>
        </html>
    };
    Owner::new().with(|| page.to_html())
}
