//! The notices page, the email settings on `/account`, and the unsubscribe page. All plain forms:
//! they work without JavaScript.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::api::*;
use crate::accounts::guards::SignedIn;
use crate::i18n::{td, td_string};
use crate::lang::{Lang, use_locale};
use crate::messages::compose::{compose, kind_name};
use crate::messages::model::*;
use crate::ui::dates::format_datetime;
use crate::ui::layout::Loaded;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, notify.page.title).to_string() />
        <Meta name="robots" content="noindex" />
        <SignedIn page=|_| view! { <NoticeList /> } />
    }
}

#[component]
fn NoticeList() -> impl IntoView {
    let i18n = use_locale();
    let lang = Lang::from(i18n);
    let notices = Resource::new(|| (), |_| fetch_notices());
    view! {
        <section class="notices">
            <h1>{td!(i18n, notify.page.title)}</h1>
            <Loaded
                resource=notices
                view=move |n: Notices| {
                    if n.items.is_empty() {
                        return view! { <p class="notices__empty">{td!(i18n, notify.page.empty)}</p> }.into_any();
                    }
                    let unread = n.unread;
                    let items = n
                        .items
                        .into_iter()
                        .map(|notice| {
                            let words = compose(&notice.message, lang);
                            let summary = words.paragraphs.into_iter().next().unwrap_or_default();
                            view! {
                                <li class="notices__item" class:notices__item--unread=!notice.read data-testid="notice">
                                    <form method="post" action=OpenNotice::PATH>
                                        <input type="hidden" name="id" value=notice.id />
                                        <button class="notice__open" type="submit">
                                            {(!notice.read).then(|| view! {
                                                <span class="chip chip--ok notice__new">{td!(i18n, notify.page.unread)}</span>
                                            })}
                                            <strong class="notice__title">{words.subject}</strong>
                                            <span class="notice__summary">{summary}</span>
                                            <time class="notice__at">{format_datetime(notice.at)}</time>
                                        </button>
                                    </form>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        {(unread > 0).then(|| view! {
                            <form method="post" action=MarkAllRead::PATH class="notices__all">
                                <button class="button button--secondary" type="submit">
                                    {td!(i18n, notify.page.mark_all)}
                                </button>
                            </form>
                        })}
                        <ol class="notices__list">{items}</ol>
                    }
                        .into_any()
                }
            />
        </section>
    }
}

/// The email settings of `/account`: the language of the emails, and each optional kind.
#[component]
pub fn EmailSettings() -> impl IntoView {
    let i18n = use_locale();
    let lang = Lang::from(i18n);
    let saved = use_query_map().with_untracked(|q| q.get("emails").as_deref() == Some("saved"));
    let settings = Resource::new(|| (), |_| fetch_mail_settings());
    view! {
        <section class="account__emails" id="emails" aria-labelledby="emails-title">
            <h2 id="emails-title">{td!(i18n, notify.prefs.title)}</h2>
            <p>{td!(i18n, notify.prefs.lead)}</p>
            <Loaded
                resource=settings
                view=move |s: MailSettings| {
                    let choices = s
                        .choices
                        .into_iter()
                        .map(|c| {
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        name=format!("on[{}]", c.kind.key())
                                        value="1"
                                        checked=c.on
                                        data-kind=c.kind.key()
                                    />
                                    {kind_name(c.kind, lang)}
                                </label>
                            }
                        })
                        .collect_view();
                    let language = |code: Lang, name: &'static str| {
                        view! {
                            <label class="check">
                                <input type="radio" name="lang" value=code.code() checked=s.lang == code />
                                {name}
                            </label>
                        }
                    };
                    view! {
                        <form method="post" action=SaveMailSettings::PATH class="form">
                            <fieldset>
                                <legend>{td!(i18n, notify.prefs.language)}</legend>
                                {language(Lang::Vi, "Tiếng Việt")}
                                {language(Lang::En, "English")}
                            </fieldset>
                            <fieldset>
                                <legend>{td!(i18n, notify.prefs.title)}</legend>
                                {choices}
                            </fieldset>
                            <button class="button" type="submit">{td!(i18n, notify.prefs.save)}</button>
                            {saved.then(|| view! { <p class="form-saved" role="status">{td!(i18n, notify.prefs.saved)}</p> })}
                        </form>
                    }
                }
            />
        </section>
    }
}

/// The page of an email's unsubscribe link: names the kind and asks to confirm (a link opened by
/// a mail program's preview must not unsubscribe by itself).
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let i18n = use_locale();
    let lang = Lang::from(i18n);
    let query = use_query_map();
    let (u, k, s, done) = query.with_untracked(|q| {
        (
            q.get("u").and_then(|u| u.parse::<i64>().ok()).unwrap_or(0),
            q.get("k").unwrap_or_default(),
            q.get("s").unwrap_or_default(),
            q.get("done").is_some(),
        )
    });
    let action = format!("/mail/unsubscribe/one-click?u={u}&k={k}&s={s}");
    let link = Resource::new(move || (u, k.clone(), s.clone()), |(u, k, s)| check_unsubscribe_link(u, k, s));
    view! {
        <Title text=td_string!(i18n, notify.unsubscribe.title).to_string() />
        <Meta name="robots" content="noindex" />
        <section class="auth">
            <h1 class="auth__title">{td!(i18n, notify.unsubscribe.title)}</h1>
            <Loaded
                resource=link
                view={move |kind: Option<Kind>| match kind {
                    Some(_) if done => {
                        view! { <p role="status" data-testid="unsubscribed">{td!(i18n, notify.unsubscribe.done)}</p> }
                            .into_any()
                    }
                    Some(kind) => {
                        view! {
                            <form method="post" action=action.clone() class="form">
                                <input type="hidden" name="from" value="page" />
                                <p>{td_string!(i18n, notify.unsubscribe.confirm, kind = kind_name(kind, lang)).to_string()}</p>
                                <button class="button" type="submit">{td!(i18n, notify.unsubscribe.button)}</button>
                            </form>
                        }
                            .into_any()
                    }
                    None => view! { <p class="form-alert">{td!(i18n, notify.unsubscribe.invalid)}</p> }.into_any(),
                }}
            />
        </section>
    }
}
