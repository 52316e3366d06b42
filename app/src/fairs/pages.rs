//! The booth page (`/booths/:slug`) with its live visitor count and chat, and the cooperative's
//! booth console (`/coop/booth`) where staff see visitors and answer chats live.
use leptos::prelude::*;

use crate::coops::contact::ContactLinks;
use leptos_meta::{Link, Meta, Title};
use leptos_router::hooks::use_params_map;

use super::api::*;
use super::model::*;
use crate::accounts::model::Membership;
use crate::catalog::components::ProductGrid;
use crate::coops::frame::{Dashboard, MemberOnly};
use crate::i18n::{td, td_string};
use crate::inquiries::form::InquiryFormView;
use crate::lang::use_locale;
use crate::lang::{Localized, use_lang};
use crate::live::model::{ChatMessage, Refusal, Sender};
use crate::site::site_url;
use crate::ui::dates::format_datetime;
use crate::ui::layout::Loaded;

mod admin;
mod editor;
mod fairs;
pub use admin::{AdminFairsPage, EditFairPage, NewFairPage};
pub use editor::CoopBoothEditPage;
pub use fairs::{FairHallPage, FairsPage, RunningFairBanner};

#[component]
pub fn BoothPage() -> impl IntoView {
    let params = use_params_map();
    let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    let booth = Resource::new(move || slug.clone(), fetch_booth);
    view! { <Loaded resource=booth view=|b: BoothView| view! { <BoothView booth=b /> }.into_any() /> }
}

#[component]
fn BoothView(booth: BoothView) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let BoothView {
        cooperative_id,
        slug,
        name,
        district,
        logo_url,
        banner_url,
        welcome,
        story,
        featured,
        team,
        schedule,
        live_fair,
        visitors,
        chat,
        viewer_name,
        is_staff,
        contact,
    } = booth;
    let title = {
        let name = name.clone();
        move || format!("{} · {}", name.best(lang.get()), td_string!(i18n, fairs.booth.label))
    };
    let description = {
        let s = story.clone();
        move || s.best(lang.get()).chars().take(160).collect::<String>()
    };
    let products: Vec<(String, crate::lang::Text)> =
        featured.iter().map(|c| (c.slug.clone(), c.name.clone())).collect();
    let has_welcome = !welcome.vi.is_empty() || !welcome.en.is_empty();
    let has_banner = banner_url.is_some();
    view! {
        <Title text=title() />
        <Meta name="description" content=description />
        <Link rel="canonical" href=format!("{}/booths/{}", site_url(), slug) />
        <article class="booth" data-booth=cooperative_id>
            // The banner photo is an image behind the text, not an inline style: the pages'
            // Content-Security-Policy allows no inline style.
            {view! { <header class="booth__banner" class:booth__banner--image=has_banner>
                {banner_url.map(|src| view! { <img class="booth__banner-image" src=src alt="" /> })}
                <div class="booth__identity">
                    {logo_url.map(|src| view! { <img class="booth__logo" src=src alt="" width="80" height="80" /> })}
                    <div>
                        <p class="booth__kicker">{td!(i18n, fairs.booth.label)}</p>
                        <h1 class="booth__name">
                            <Localized text=name.clone() mark_fallback=true />
                        </h1>
                        <p class="booth__meta">
                            {district.map(|d| view! { <Localized text=d /> " · " })}
                            <a href=format!("/c/{slug}")>{td!(i18n, fairs.booth.coop_page)}</a>
                        </p>
                    </div>
                </div>
                <LiveFairBadge booth=cooperative_id fair=live_fair />
            </header> }.into_any()}
            {has_welcome.then(|| view! {
                <p class="booth__welcome">
                    <Localized text=welcome />
                </p>
            })}
            <div class="booth__layout">
                {view! { <div class="booth__main">
                    <section aria-labelledby="booth-featured">
                        <h2 id="booth-featured">{td!(i18n, fairs.booth.featured)}</h2>
                        <ProductGrid items=featured />
                    </section>
                    <section class="booth__story" aria-labelledby="booth-story">
                        <h2 id="booth-story">{td!(i18n, fairs.booth.story)}</h2>
                        <p>
                            <Localized text=story mark_fallback=true />
                        </p>
                    </section>
                    <section class="booth__schedule" aria-labelledby="booth-schedule">
                        <h2 id="booth-schedule">{td!(i18n, fairs.booth.schedule)}</h2>
                        <ScheduleList slots=schedule />
                    </section>
                    <section class="booth__inquiry" id="inquiry" aria-labelledby="booth-inquiry">
                        <h2 id="booth-inquiry">{td!(i18n, fairs.booth.inquiry)}</h2>
                        <p>{td!(i18n, fairs.booth.inquiry_intro)}</p>
                        <details class="booth__inquiry-form">
                            <summary class="button">{td!(i18n, fairs.booth.inquiry)}</summary>
                            <InquiryFormView
                                booth=slug.clone()
                                product=String::new()
                                products
                                form=Default::default()
                                errors=Vec::new()
                            />
                        </details>
                    </section>
                </div> }.into_any()}
                {view! { <aside class="booth__aside">
                    <BoothLive booth=cooperative_id visitors chat viewer_name is_staff />
                    <ContactLinks contact />
                    {(!team.is_empty()).then(|| view! {
                        <section class="booth__team" aria-labelledby="booth-team">
                            <h2 id="booth-team">{td!(i18n, fairs.booth.team)}</h2>
                            <ul>
                                {team.into_iter().map(|m| view! {
                                    <li>
                                        <strong>{m.name}</strong>
                                        <span class="booth__role"><Localized text=m.role /></span>
                                        <span class="booth__duty">{m.on_duty}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    })}
                </aside> }.into_any()}
            </div>
        </article>
    }
}

/// The booth's "live at" badge, which appears and goes as its fair opens and closes (on
/// schedule or by an admin), without a reload.
#[island(lazy)]
fn LiveFairBadge(booth: i64, fair: Option<FairRef>) -> impl IntoView {
    crate::ui::lazy::preload_island("live_fair_badge");
    let i18n = use_locale();
    let lang = use_lang();
    let fair = RwSignal::new(fair);
    #[cfg(not(feature = "hydrate"))]
    let _ = booth;
    #[cfg(feature = "hydrate")]
    {
        use crate::live::client::{Incoming, follow};
        use crate::live::model::{ClientFrame, Event, ServerFrame, Topic};
        follow(vec![ClientFrame::Subscribe { topic: Topic::Booth(booth) }], move |incoming| match incoming {
            Incoming::Frame(ServerFrame::Event(Event::BoothFair { booth: b, fair: now })) if *b == booth => {
                fair.set(now.clone());
            }
            Incoming::Reconnected => leptos::task::spawn_local(async move {
                if let Ok(now) = fetch_live_fair(booth).await {
                    fair.set(now);
                }
            }),
            _ => {}
        });
    }
    move || {
        fair.get().map(|f| {
            let name = f.name;
            view! {
                <a class="booth__live-badge" href=format!("/fairs/{}", f.slug) data-testid="live-badge">
                    {move || td_string!(i18n, fairs.booth.live_at, fair = name.best(lang.get()))}
                </a>
            }
        })
    }
}

#[component]
fn ScheduleList(slots: Vec<Slot>) -> impl IntoView {
    let i18n = use_locale();
    if slots.is_empty() {
        return view! { <p class="muted">{td!(i18n, fairs.booth.no_schedule)}</p> }.into_any();
    }
    view! {
        <ol class="schedule">
            {slots.into_iter().map(|s| view! {
                <li class="schedule__slot">
                    <time datetime=s.starts_at.to_string()>{format_datetime(s.starts_at)}</time>
                    <span><Localized text=s.title /></span>
                    {s.link.map(|href| view! {
                        <a class="schedule__link" href=href rel="noopener nofollow" target="_blank">
                            {td!(i18n, fairs.booth.watch)}
                        </a>
                    })}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// Adds `message` to `list` unless it is there already (a sender gets it twice: as the answer
/// to its `Say` and as the event).
#[cfg(feature = "hydrate")]
fn push_unique(list: RwSignal<Vec<ChatMessage>>, message: ChatMessage) {
    list.update(|l| {
        if !l.iter().any(|m| m.id == message.id) {
            l.push(message);
        }
    });
}

#[component]
fn MessageList(messages: RwSignal<Vec<ChatMessage>>, mine: Sender) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <ol class="chat__messages" aria-live="polite">
            <For each=move || messages.get() key=|m| m.id let:m>
                <li
                    class="chat__message"
                    class:chat__message--mine=m.sender == mine
                    class:chat__message--staff=m.sender == Sender::Staff
                    data-testid="chat-message"
                >
                    <span class="chat__author">
                        {match m.sender {
                            Sender::Staff => format!("{} · {}", td_string!(i18n, fairs.chat.staff), m.author),
                            Sender::Visitor => m.author.clone(),
                        }}
                    </span>
                    <p class="chat__body">{m.body.clone()}</p>
                    <time class="chat__time" datetime=m.at.to_string()>{format_datetime(m.at)}</time>
                </li>
            </For>
        </ol>
    }
}

/// The message box of a chat form, bound to `body` (cleared by the form once the message is sent).
#[component]
fn ChatInput<L>(body: RwSignal<String>, label: L) -> impl IntoView
where
    L: Fn() -> &'static str + Send + Sync + 'static,
{
    view! {
        <label class="field">
            <span class="field__label">{label}</span>
            <textarea
                class="field__input chat__input"
                name="body"
                rows="2"
                maxlength=crate::live::model::MAX_CHAT_CHARS.to_string()
                required
                prop:value=move || body.get()
                on:input=move |ev| body.set(event_target_value(&ev))
            ></textarea>
        </label>
    }
}

#[component]
fn RefusalNote(notice: RwSignal<Option<Refusal>>) -> impl IntoView {
    let i18n = use_locale();
    move || {
        notice.get().map(|r| {
            let text = match r {
                Refusal::RateLimited => td_string!(i18n, fairs.chat.rate_limited),
                Refusal::Invalid => td_string!(i18n, fairs.chat.invalid),
                _ => td_string!(i18n, fairs.chat.failed),
            };
            view! { <p class="chat__notice" role="alert">{text}</p> }
        })
    }
}

/// The booth's live corner: how many are watching, and the visitor's chat with the booth.
#[island(lazy)]
fn BoothLive(
    booth: i64,
    visitors: u32,
    chat: Option<Conversation>,
    viewer_name: Option<String>,
    is_staff: bool,
) -> impl IntoView {
    crate::ui::lazy::preload_island("booth_live");
    let i18n = use_locale();
    let count = RwSignal::new(visitors);
    let conversation = RwSignal::new(chat.as_ref().map(|c| c.id));
    let messages = RwSignal::new(chat.map(|c| c.messages).unwrap_or_default());
    let online = RwSignal::new(true);
    let notice = RwSignal::new(None::<Refusal>);
    let body = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let ready = RwSignal::new(false);
    let anonymous = viewer_name.is_none();
    #[cfg(not(feature = "hydrate"))]
    let _ = booth;
    #[cfg(feature = "hydrate")]
    {
        use crate::live::client::{Incoming, follow, keep};
        use crate::live::model::{ClientFrame, Event, ServerFrame, Topic};
        Effect::new(move |_| ready.set(true));
        let mut standing = vec![ClientFrame::Enter { booth }];
        if let Some(id) = conversation.get_untracked() {
            standing.push(ClientFrame::Subscribe { topic: Topic::Conversation(id) });
        }
        follow(standing, move |incoming| match incoming {
            Incoming::Frame(ServerFrame::Event(Event::Presence { booth: b, visitors })) if *b == booth => {
                count.set(*visitors);
            }
            Incoming::Frame(ServerFrame::Event(Event::Chat { message, .. }))
                if conversation.get_untracked() == Some(message.conversation_id) =>
            {
                push_unique(messages, message.clone());
            }
            Incoming::Frame(ServerFrame::Said { message }) => {
                if conversation.get_untracked().is_none() {
                    conversation.set(Some(message.conversation_id));
                    keep(ClientFrame::Subscribe { topic: Topic::Conversation(message.conversation_id) });
                }
                push_unique(messages, message.clone());
                body.set(String::new());
                notice.set(None);
            }
            Incoming::Frame(ServerFrame::Refused { topic: None, reason }) => notice.set(Some(*reason)),
            Incoming::Reconnected => {
                online.set(true);
                leptos::task::spawn_local(async move {
                    if let Ok(Some(c)) = fetch_my_chat(booth).await {
                        conversation.set(Some(c.id));
                        messages.set(c.messages);
                    }
                });
            }
            Incoming::Disconnected => online.set(false),
            _ => {}
        });
    }
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use crate::live::model::ClientFrame;
            let text = body.get_untracked();
            if text.trim().is_empty() {
                notice.set(Some(Refusal::Invalid));
                return;
            }
            let frame = ClientFrame::Say {
                conversation: conversation.get_untracked(),
                booth: Some(booth),
                display_name: anonymous.then(|| name.get_untracked()),
                body: text,
            };
            if !crate::live::client::send(&frame) {
                notice.set(Some(Refusal::Unavailable));
            }
        }
    };
    view! {
        <section class="booth-live" aria-labelledby="booth-chat-title">
            <p class="booth-live__count" data-testid="visitor-count">
                <span class="booth-live__dot" aria-hidden="true"></span>
                {move || td_string!(i18n, fairs.booth.visitors, n = count.get())}
            </p>
            <h2 id="booth-chat-title">{td!(i18n, fairs.chat.title)}</h2>
            {if is_staff {
                view! {
                    <p class="muted">{td!(i18n, fairs.chat.staff_note)}</p>
                    <a class="button" href="/coop/booth">{td!(i18n, fairs.chat.console_link)}</a>
                }
                    .into_any()
            } else {
                view! {
                    <div class="chat">
                        <Show when=move || messages.with(Vec::is_empty)>
                            <p class="muted">{td!(i18n, fairs.chat.empty)}</p>
                        </Show>
                        <MessageList messages mine=Sender::Visitor />
                        <Show when=move || !online.get()>
                            <p class="chat__notice" role="status">{td!(i18n, fairs.chat.offline)}</p>
                        </Show>
                        <RefusalNote notice />
                        <noscript>
                            <p class="muted">{td!(i18n, fairs.chat.needs_js)}</p>
                        </noscript>
                        <form class="chat__form" on:submit=on_submit>
                            <Show when=move || anonymous && conversation.get().is_none()>
                                <label class="field">
                                    <span class="field__label">{td!(i18n, fairs.chat.name)}</span>
                                    <input
                                        class="field__input"
                                        name="display_name"
                                        maxlength="40"
                                        required
                                        autocomplete="name"
                                        prop:value=move || name.get()
                                        on:input=move |ev| name.set(event_target_value(&ev))
                                    />
                                </label>
                            </Show>
                            <ChatInput body label=move || td_string!(i18n, fairs.chat.message) />
                            <button class="button" type="submit" disabled=move || !ready.get()>
                                {td!(i18n, fairs.chat.send)}
                            </button>
                        </form>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
pub fn CoopBoothPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, fairs.console.title).to_string() />
        <MemberOnly page=move |membership: Membership| {
            let inbox = Resource::new(|| (), |_| fetch_chat_inbox());
            view! {
                <Dashboard membership>
                    <div class="dashboard__heading">
                        <h1>{td!(i18n, fairs.console.title)}</h1>
                        <a class="button button--secondary" href="/coop/booth/edit">{td!(i18n, fairs.editor.edit_link)}</a>
                    </div>
                    <Loaded resource=inbox view=|inbox: StaffInbox| view! { <StaffConsole inbox /> } />
                </Dashboard>
            }
        } />
    }
}

/// The staff side of booth chat, live: visitors now, conversations as they arrive, and replies.
#[island(lazy)]
fn StaffConsole(inbox: StaffInbox) -> impl IntoView {
    crate::ui::lazy::preload_island("staff_console");
    let i18n = use_locale();
    let StaffInbox { booth, booth_slug, visitors, conversations } = inbox;
    let count = RwSignal::new(visitors);
    let list = RwSignal::new(conversations);
    let open = RwSignal::new(None::<(i64, String)>);
    let messages = RwSignal::new(Vec::<ChatMessage>::new());
    let online = RwSignal::new(true);
    let notice = RwSignal::new(None::<Refusal>);
    let body = RwSignal::new(String::new());
    #[cfg(not(feature = "hydrate"))]
    let _ = booth;
    #[cfg(feature = "hydrate")]
    {
        use crate::live::client::{Incoming, follow};
        use crate::live::model::{ClientFrame, Event, ServerFrame, Topic};
        follow(vec![ClientFrame::Subscribe { topic: Topic::Coop(booth) }], move |incoming| match incoming {
            Incoming::Frame(ServerFrame::Event(Event::Presence { booth: b, visitors })) if *b == booth => {
                count.set(*visitors);
            }
            Incoming::Frame(ServerFrame::Event(Event::Chat { display_name, message, .. })) => {
                list.update(|l| {
                    let previous = l.iter().position(|c| c.id == message.conversation_id);
                    let signed_in = previous.is_some_and(|i| l[i].signed_in);
                    if let Some(i) = previous {
                        l.remove(i);
                    }
                    l.insert(0, ConversationSummary::after(message, display_name.clone(), signed_in));
                });
                if open.get_untracked().is_some_and(|(id, _)| id == message.conversation_id) {
                    push_unique(messages, message.clone());
                }
            }
            Incoming::Frame(ServerFrame::Said { message }) => {
                push_unique(messages, message.clone());
                body.set(String::new());
                notice.set(None);
            }
            Incoming::Frame(ServerFrame::Refused { topic: None, reason }) => notice.set(Some(*reason)),
            Incoming::Reconnected => {
                online.set(true);
                let opened = open.get_untracked();
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = fetch_chat_inbox().await {
                        count.set(fresh.visitors);
                        list.set(fresh.conversations);
                    }
                    if let Some((id, _)) = opened
                        && let Ok(c) = fetch_chat_thread(id).await
                    {
                        messages.set(c.messages);
                    }
                });
            }
            Incoming::Disconnected => online.set(false),
            _ => {}
        });
    }
    let pick = move |id: i64, name: String| {
        open.set(Some((id, name)));
        messages.set(Vec::new());
        leptos::task::spawn_local(async move {
            if let Ok(c) = fetch_chat_thread(id).await {
                messages.set(c.messages);
            }
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use crate::live::model::ClientFrame;
            let Some((id, _)) = open.get_untracked() else { return };
            let text = body.get_untracked();
            if text.trim().is_empty() {
                return;
            }
            let frame =
                ClientFrame::Say { conversation: Some(id), booth: None, display_name: None, body: text };
            if !crate::live::client::send(&frame) {
                notice.set(Some(Refusal::Unavailable));
            }
        }
    };
    view! {
        <div class="console">
            <p class="console__visitors">
                <span>{td!(i18n, fairs.console.visitors)}</span>
                <strong data-testid="booth-visitors">{move || count.get()}</strong>
                <a href=format!("/booths/{booth_slug}")>{td!(i18n, fairs.console.open_booth)}</a>
            </p>
            <Show when=move || !online.get()>
                <p class="chat__notice" role="status">{td!(i18n, fairs.chat.offline)}</p>
            </Show>
            <div class="console__layout">
                <section class="console__list" aria-labelledby="console-conversations">
                    <h2 id="console-conversations">{td!(i18n, fairs.console.conversations)}</h2>
                    <Show when=move || list.with(Vec::is_empty)>
                        <p class="muted">{td!(i18n, fairs.console.none)}</p>
                    </Show>
                    <ul class="console__conversations">
                        <For each=move || list.get() key=|c| (c.id, c.last_at, c.awaiting_reply) let:c>
                            {
                                let id = c.id;
                                let name = c.display_name.clone();
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="console__conversation"
                                            class:console__conversation--open=move || open.with(|o| o.as_ref().is_some_and(|(o, _)| *o == id))
                                            data-testid="conversation"
                                            on:click=move |_| pick(id, name.clone())
                                        >
                                            <strong>{c.display_name.clone()}</strong>
                                            <span class="muted">
                                                {if c.signed_in { td_string!(i18n, fairs.console.member) } else { td_string!(i18n, fairs.console.guest) }}
                                            </span>
                                            {c.awaiting_reply.then(|| view! {
                                                <span class="badge badge--warn">{td!(i18n, fairs.console.awaiting)}</span>
                                            })}
                                            <span class="console__last">{c.last_body.clone()}</span>
                                            <time datetime=c.last_at.to_string()>{format_datetime(c.last_at)}</time>
                                        </button>
                                    </li>
                                }
                            }
                        </For>
                    </ul>
                </section>
                <section class="console__thread" aria-live="polite">
                    {move || match open.get() {
                        None => view! { <p class="muted">{td!(i18n, fairs.console.pick)}</p> }.into_any(),
                        Some((_, name)) => view! {
                            <h2>{name}</h2>
                            <MessageList messages mine=Sender::Staff />
                            <RefusalNote notice />
                            <form class="chat__form" on:submit=on_submit>
                                <ChatInput body label=move || td_string!(i18n, fairs.console.reply) />
                                <button class="button" type="submit">{td!(i18n, fairs.chat.send)}</button>
                            </form>
                        }
                        .into_any(),
                    }}
                </section>
            </div>
        </div>
    }
}
