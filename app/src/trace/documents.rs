//! The public traceability page and the booth's printable QR card, as whole HTML documents.
//! They are what a phone opens after scanning a package or a fair stand, often on a weak mobile
//! connection, so they carry no WASM, no script and no site stylesheet: a few KB of HTML with
//! its own small stylesheet (the page budget is 30 KB). They are rendered with the same `view!`
//! components and locale files as the app, without the app's router or hydration shell.
use leptos::prelude::*;

use super::model::*;
use crate::certificates::model::CertificateState;
use crate::i18n::{Locale, td_string};
use crate::lang::{Lang, Text};

/// Shared by both documents: system fonts, the site's palette, mobile first.
const BASE_CSS: &str = "*{box-sizing:border-box}\
body{margin:0;font:16px/1.6 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;\
color:#1c2421;background:#f7f8f4}\
a{color:#175535}a:focus-visible{outline:3px solid #0a58ca;outline-offset:2px}\
.top{display:flex;justify-content:space-between;gap:1rem;padding:.75rem 1rem;background:#1f6f43}\
.top a{color:#fff;font-weight:600;text-decoration:none}\
main{max-width:40rem;margin:0 auto;padding:1rem}\
h1{font-size:1.6rem;line-height:1.3;margin:.25rem 0 .5rem}h2{font-size:1.15rem;margin:0 0 .5rem}\
section{background:#fff;border:1px solid #d5ddd8;border-radius:.5rem;padding:1rem;margin:1rem 0}\
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0}dt{color:#4d5a53}dd{margin:0}\
.eyebrow,.muted{color:#4d5a53;margin:0}\
.chip{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85rem;font-weight:600}\
.ok{background:#eaf4ee;color:#175535}.warn{background:#fff6e0;color:#5c3b06}\
.bad{background:#fdecec;color:#9b1c1c}.demo{border:1px dashed #4a2d80;color:#4a2d80}\
ol{list-style:none;margin:0;padding:0}li+li{border-top:1px solid #d5ddd8;margin-top:.5rem;padding-top:.5rem}\
li p{margin:0}\
.button{display:inline-block;padding:.6rem 1rem;border-radius:.5rem;background:#1f6f43;color:#fff;\
font-weight:600;text-decoration:none;margin:0 .5rem .5rem 0}";

/// The card: an A6 sheet when printed, a framed card on screen.
const CARD_CSS: &str = ".card{max-width:105mm;margin:1rem auto;padding:8mm;background:#fff;\
border:2px solid #1f6f43;border-radius:4mm;text-align:center}\
.card__logo{width:22mm;height:22mm;object-fit:contain}\
.card h1{font-size:1.35rem;margin:2mm 0 0}.card__en{margin:0;color:#4d5a53}\
.card__qr svg{width:62mm;height:62mm;max-width:100%}\
.card__scan{font-weight:700;margin:2mm 0 0}.card__scan span{display:block}\
.card__scan span+span{font-weight:400}\
.card__url{font-family:ui-monospace,monospace;word-break:break-all;margin:2mm 0}\
.card__brand{color:#1f6f43;font-weight:700;margin:0}\
.hint{max-width:40rem;margin:1rem auto 0;padding:0 1rem}\
@media print{@page{size:A6;margin:0}body{background:#fff}.top,.hint{display:none}\
.card{margin:0 auto;border:0;max-width:none;width:105mm;min-height:148mm;page-break-inside:avoid}}";

/// The documents' Content-Security-Policy: no script at all, and no style but their own two
/// stylesheets, named by hash (they are constants); images only from the site (the logo).
pub fn content_security_policy() -> &'static str {
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        format!(
            "default-src 'none'; style-src {} {}; img-src 'self' data:; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'",
            style_source(BASE_CSS),
            style_source(&format!("{BASE_CSS}{CARD_CSS}"))
        )
    })
}

/// A CSP hash source for an inline stylesheet.
fn style_source(css: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(css.as_bytes()))
    )
}

fn text(lang: Lang, t: &Text) -> String {
    t.best(lang)
}

/// The page's head: title, description, canonical address, and the stylesheet.
fn head(title: String, description: String, canonical: Option<String>, css: String) -> AnyView {
    view! {
        <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>{format!("{title} · OCOP Market")}</title>
            <meta name="description" content=description />
            {canonical.map(|href| view! { <link rel="canonical" href=href /> })}
            <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
            <style inner_html=css></style>
        </head>
    }
    .into_any()
}

/// The top bar: the site, and the other language (a plain link to the no-JavaScript switch).
fn top_bar(lang: Lang, path: &str) -> AnyView {
    let other = lang.other();
    let switch = format!("/lang/{}?next={}", other.code(), path);
    view! {
        <header class="top">
            <a href="/">"OCOP Market"</a>
            <a href=switch hreflang=other.code() lang=other.code()>
                {td_string!(Locale::from(lang), trace.other_language).to_string()}
            </a>
        </header>
    }
    .into_any()
}

fn document(lang: Lang, head: AnyView, body: AnyView) -> String {
    let html = view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            {head}
            <body>{body}</body>
        </html>
    };
    Owner::new().with(|| html.to_html())
}

fn certificate_section(lang: Lang, certificate: Option<TraceCertificate>) -> AnyView {
    let l = Locale::from(lang);
    let Some(c) = certificate else {
        return view! {
            <section aria-labelledby="certificate-title">
                <h2 id="certificate-title">{td_string!(l, trace.certificate).to_string()}</h2>
                <p>{td_string!(l, trace.no_certificate).to_string()}</p>
            </section>
        }
        .into_any();
    };
    let (class, state) = match c.state {
        CertificateState::Valid => ("chip ok", td_string!(l, trace.valid).to_string()),
        CertificateState::ExpiringSoon(days) => {
            ("chip warn", td_string!(l, trace.expiring, n = days).to_string())
        }
        CertificateState::Expired => ("chip bad", td_string!(l, trace.expired).to_string()),
    };
    let council = match c.council {
        crate::certificates::model::Council::Provincial => td_string!(l, trace.provincial).to_string(),
        crate::certificates::model::Council::National => td_string!(l, trace.national).to_string(),
    };
    view! {
        <section aria-labelledby="certificate-title" data-testid="certificate">
            <h2 id="certificate-title">{td_string!(l, trace.certificate).to_string()}</h2>
            <p>
                <strong>{format!("{} · ", "★".repeat(c.stars.clamp(0, 5) as usize))}</strong>
                {td_string!(l, trace.stars, n = c.stars).to_string()}
            </p>
            <dl>
                <dt>{td_string!(l, trace.state).to_string()}</dt>
                <dd><span class=class>{state}</span></dd>
                <dt>{td_string!(l, trace.council).to_string()}</dt>
                <dd>{council}</dd>
                <dt>{td_string!(l, trace.decision).to_string()}</dt>
                <dd>{c.decision_no}</dd>
                <dt>{td_string!(l, trace.issued).to_string()}</dt>
                <dd><time datetime=c.issued_on.clone()>{c.issued_on.clone()}</time></dd>
                <dt>{td_string!(l, trace.expires).to_string()}</dt>
                <dd><time datetime=c.expires_on.clone()>{c.expires_on.clone()}</time></dd>
            </dl>
            {c.is_demo.then(|| view! {
                <p class="muted"><span class="chip demo">{td_string!(l, trace.demo_data).to_string()}</span> " "
                {td_string!(l, trace.demo_note).to_string()}</p>
            })}
        </section>
    }
    .into_any()
}

fn batches_section(lang: Lang, batches: Vec<Batch>, total: i64) -> AnyView {
    let l = Locale::from(lang);
    let older = total - batches.len() as i64;
    let empty = batches.is_empty();
    view! {
        <section aria-labelledby="batches-title" data-testid="batches">
            <h2 id="batches-title">{td_string!(l, trace.batches).to_string()}</h2>
            {empty.then(|| view! { <p>{td_string!(l, trace.no_batches).to_string()}</p> })}
            <ol>
                {batches.into_iter().map(|b| {
                    let notes = b.notes.pick(lang);
                    let (notes, notes_lang) = (notes.text.to_owned(), notes.lang.code());
                    view! {
                        <li>
                            <p>
                                <strong>{b.batch_code}</strong> " · "
                                {td_string!(l, trace.produced_on).to_string()} " "
                                <time datetime=b.produced_on.clone()>{b.produced_on.clone()}</time>
                            </p>
                            {(!notes.is_empty()).then(|| view! { <p lang=notes_lang>{notes}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {(older > 0).then(|| view! { <p class="muted">{td_string!(l, trace.older_batches, n = older).to_string()}</p> })}
        </section>
    }
    .into_any()
}

/// The public traceability page of `record`, in `lang`; `site` is the public origin.
pub fn trace_page(record: TraceRecord, lang: Lang, site: &str) -> String {
    let l = Locale::from(lang);
    let path = trace_path(&record.code);
    let name = text(lang, &record.product_name);
    let coop = text(lang, &record.cooperative_name);
    let title = format!("{}: {name}", td_string!(l, trace.title));
    let description = format!("{name} · {coop}. {}", td_string!(l, trace.lead));
    let head = head(title, description, Some(format!("{site}{path}")), BASE_CSS.to_owned());
    let TraceRecord {
        code,
        product_path,
        cooperative_slug,
        district,
        commune,
        certificate,
        batches,
        batch_count,
        is_demo,
        ..
    } = record;
    let body = view! {
        {top_bar(lang, &path)}
        <main>
            <p class="eyebrow">{td_string!(l, trace.title).to_string()}</p>
            <h1>{name}</h1>
            <p class="muted">
                {td_string!(l, trace.lead).to_string()}
                {is_demo.then(|| view! { " " <span class="chip demo">{td_string!(l, trace.demo_data).to_string()}</span> })}
            </p>
            <section aria-labelledby="producer-title" data-testid="producer">
                <h2 id="producer-title">{td_string!(l, trace.producer).to_string()}</h2>
                <dl>
                    <dt>{td_string!(l, trace.cooperative).to_string()}</dt>
                    <dd><a href=format!("/c/{cooperative_slug}")>{coop}</a></dd>
                    {district.map(|d| view! {
                        <dt>{td_string!(l, trace.district).to_string()}</dt>
                        <dd>{text(lang, &d)}</dd>
                    })}
                    {commune.map(|c| view! {
                        <dt>{td_string!(l, trace.commune).to_string()}</dt>
                        <dd>{c}</dd>
                    })}
                </dl>
            </section>
            {certificate_section(lang, certificate)}
            {batches_section(lang, batches, batch_count)}
            <p>
                <a class="button" href=product_path>{td_string!(l, trace.view_product).to_string()}</a>
                <a href=format!("/booths/{cooperative_slug}")>{td_string!(l, trace.visit_booth).to_string()}</a>
            </p>
            <p class="muted">{td_string!(l, trace.code).to_string()} ": " <code>{code}</code></p>
        </main>
    }
    .into_any();
    document(lang, head, body)
}

/// The page for a code that leads nowhere (served with 404).
pub fn trace_not_found(lang: Lang, path: &str) -> String {
    let l = Locale::from(lang);
    let title = td_string!(l, trace.not_found_title).to_string();
    let description = td_string!(l, trace.not_found_body).to_string();
    let head = head(title.clone(), description, None, BASE_CSS.to_owned());
    let body = view! {
        {top_bar(lang, path)}
        <main>
            <h1>{title}</h1>
            <p>{td_string!(l, trace.not_found_body).to_string()}</p>
            <p><a class="button" href="/">{td_string!(l, trace.home).to_string()}</a></p>
        </main>
    }
    .into_any();
    document(lang, head, body)
}

/// The booth's printable QR card: the cooperative's name (both languages: a fair's visitors
/// read either), its logo, the QR code `qr_svg` of the booth address `booth_url`, and that
/// address in text. The page around the card (the print hint) is in `lang`.
pub fn booth_card_page(card: BoothCard, lang: Lang, site: &str, booth_url: &str, qr_svg: String) -> String {
    let l = Locale::from(lang);
    let path = booth_card_path(&card.slug);
    let name = text(lang, &card.name);
    let title = format!("{}: {name}", td_string!(l, trace.card_title));
    let description = td_string!(l, trace.scan).to_string();
    let head = head(title, description, Some(format!("{site}{path}")), format!("{BASE_CSS}{CARD_CSS}"));
    let BoothCard { slug, name: names, district, logo_url } = card;
    let name_vi = if names.vi.trim().is_empty() { names.en.clone() } else { names.vi.clone() };
    let name_en = (!names.en.trim().is_empty() && names.en != name_vi).then(|| names.en.clone());
    let district = district.map(|d| d.vi);
    let body = view! {
        {top_bar(lang, &path)}
        <p class="hint">
            {td_string!(l, trace.card_print_hint).to_string()} " · "
            <a href=format!("{path}.svg") download=format!("qr-{slug}.svg")>{td_string!(l, trace.svg_link).to_string()}</a>
            " · " <a href=format!("/booths/{slug}")>{td_string!(l, trace.visit_booth).to_string()}</a>
        </p>
        <article class="card" data-testid="booth-card">
            {logo_url.map(|src| view! { <img class="card__logo" src=src alt="" width="84" height="84" /> })}
            <h1 lang="vi">{name_vi}</h1>
            {name_en.map(|en| view! { <p class="card__en" lang="en">{en}</p> })}
            <div class="card__qr" inner_html=qr_svg></div>
            <p class="card__scan">
                <span lang="vi">{td_string!(Locale::vi, trace.scan).to_string()}</span>
                <span lang="en">{td_string!(Locale::en, trace.scan).to_string()}</span>
            </p>
            <p class="card__url">{booth_url.to_owned()}</p>
            <p class="card__brand">"OCOP Market" {district.map(|d| format!(" · {d}"))}</p>
        </article>
    }
    .into_any();
    document(lang, head, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of each `<style>` element.
    fn inline_styles(html: &str) -> Vec<&str> {
        html.split("<style")
            .skip(1)
            .filter_map(|rest| rest.split_once('>').and_then(|(_, css)| css.split("</style>").next()))
            .collect()
    }

    #[test]
    fn the_documents_inline_stylesheets_are_the_ones_their_policy_names() {
        let card = BoothCard {
            slug: "binh-minh".to_owned(),
            name: Text::new("HTX Bình Minh", "Binh Minh Cooperative"),
            district: None,
            logo_url: Some("/media/logo.webp".to_owned()),
        };
        let site = "http://shop.test";
        let card =
            booth_card_page(card, Lang::En, site, "http://shop.test/booths/binh-minh", "<svg></svg>".into());
        for html in [trace_not_found(Lang::Vi, "/"), card] {
            let styles = inline_styles(&html);
            assert_eq!(styles.len(), 1, "{html}");
            assert!(content_security_policy().contains(&style_source(styles[0])), "{html}");
            assert!(!html.contains("<script") && !html.contains(" style="), "no script, no inline style");
        }
        assert!(content_security_policy().starts_with("default-src 'none';"));
    }
}
