//! The export inquiry's page (the form is in `form`) and confirmation, the
//! cooperative's lead list (live: new inquiries appear without a reload) and lead page, and the
//! department's province-wide list.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::*;
use super::form::InquiryFormView;
use super::model::*;
use crate::accounts::model::{Membership, Viewer};
use crate::coops::frame::{Dashboard, MemberOnly};
use crate::i18n::{td, td_string};
use crate::lang::use_locale;
use crate::lang::{Localized, use_lang};
use crate::ui::dates::format_datetime;

use crate::ui::layout::Loaded;

#[component]
pub fn InquiryPage() -> impl IntoView {
    let i18n = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let booth = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    let (product, draft) =
        query.with_untracked(|q| (q.get("product").unwrap_or_default(), q.get("draft").unwrap_or_default()));
    let page = Resource::new(
        move || (booth.clone(), product.clone(), draft.clone()),
        |(b, p, d)| fetch_inquiry_page(b, p, d),
    );
    view! {
        <Title text=td_string!(i18n, inquiries.title).to_string() />
        <Meta name="robots" content="noindex" />
        <Loaded resource=page view=move |p: InquiryPage| {
            let lang = use_lang();
            let name = p.booth_name.clone();
            view! {
                <section class="inquiry-page">
                    <h1>{td!(i18n, inquiries.title)}</h1>
                    <p>
                        {move || td_string!(i18n, inquiries.to, name = name.best(lang.get()))} " · "
                        <a href=format!("/booths/{}", p.booth_slug)>{td!(i18n, inquiries.back_to_booth)}</a>
                    </p>
                    <InquiryFormView
                        booth=p.booth_slug.clone()
                        product=p.form.product.clone()
                        products=p.products
                        form=p.form
                        errors=p.errors
                    />
                </section>
            }
        } />
    }
}

#[component]
pub fn InquirySentPage() -> impl IntoView {
    let i18n = use_locale();
    let params = use_params_map();
    let booth = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    view! {
        <Title text=td_string!(i18n, inquiries.sent_title).to_string() />
        <Meta name="robots" content="noindex" />
        <section class="notice-page" data-testid="inquiry-sent">
            <h1>{td!(i18n, inquiries.sent_title)}</h1>
            <p>{td!(i18n, inquiries.sent_body)}</p>
            <a class="button" href=format!("/booths/{booth}")>{td!(i18n, inquiries.back_to_booth)}</a>
        </section>
    }
}

#[component]
pub fn LeadStatusBadge(status: LeadStatus) -> impl IntoView {
    let i18n = use_locale();
    let text = move || match status {
        LeadStatus::New => td_string!(i18n, inquiries.status.new_lead),
        LeadStatus::Replied => td_string!(i18n, inquiries.status.replied),
        LeadStatus::Negotiating => td_string!(i18n, inquiries.status.negotiating),
        LeadStatus::Won => td_string!(i18n, inquiries.status.won),
        LeadStatus::Lost => td_string!(i18n, inquiries.status.lost),
    };
    view! { <span class=format!("status status--{}", status.as_db())>{text}</span> }
}

#[component]
fn StatusFilter(base: &'static str, current: String) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <nav class="filters">
            <a class="chip" class:chip--on=current.is_empty() href=base>{td!(i18n, inquiries.all)}</a>
            {LeadStatus::ALL.into_iter().map(|s| view! {
                <a class="chip" class:chip--on=current == s.as_db() href=format!("{base}?status={}", s.as_db())>
                    <LeadStatusBadge status=s />
                </a>
            }).collect_view()}
        </nav>
    }
}

#[component]
fn LeadRows(leads: Vec<LeadSummary>, show_coop: bool, link: bool) -> impl IntoView {
    view! {
        <For each=move || leads.clone() key=|l| (l.id, l.status) let:l>
            <tr data-testid="lead-row">
                <td>
                    {if link {
                        view! { <a href=format!("/coop/inquiries/{}", l.id)>{l.company.clone()}</a> }.into_any()
                    } else {
                        view! { <span>{l.company.clone()}</span> }.into_any()
                    }}
                    <span class="muted">" · " {l.country.clone()}</span>
                </td>
                {show_coop.then(|| view! { <td><Localized text=l.cooperative.clone() /></td> })}
                <td>{l.product.clone().map(|p| view! { <Localized text=p /> })}</td>
                <td>{format!("{} {}", crate::ui::money::group_thousands(l.quantity), l.quantity_unit)}</td>
                <td>{l.incoterm.clone()}</td>
                <td><LeadStatusBadge status=l.status /></td>
                <td><time datetime=l.created_at.to_string()>{format_datetime(l.created_at)}</time></td>
            </tr>
        </For>
    }
}

#[component]
fn LeadHead(show_coop: bool) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <thead>
            <tr>
                <th>{td!(i18n, inquiries.company)}</th>
                {show_coop.then(|| view! { <th>{td!(i18n, inquiries.cooperative)}</th> })}
                <th>{td!(i18n, inquiries.product)}</th>
                <th>{td!(i18n, inquiries.quantity)}</th>
                <th>"Incoterm"</th>
                <th>{td!(i18n, inquiries.status_label)}</th>
                <th>{td!(i18n, inquiries.received)}</th>
            </tr>
        </thead>
    }
}

/// The cooperative's leads; a new inquiry appears at the top as it arrives.
#[island(lazy)]
fn LeadTable(coop: i64, leads: Vec<LeadSummary>, live: bool) -> impl IntoView {
    crate::ui::lazy::preload_island("lead_table");
    let i18n = use_locale();
    let rows = RwSignal::new(leads);
    #[cfg(feature = "hydrate")]
    if live {
        use crate::lang::Text;
        use crate::live::client::{Incoming, follow};
        use crate::live::model::{ClientFrame, Event, ServerFrame, Topic};
        follow(vec![ClientFrame::Subscribe { topic: Topic::Coop(coop) }], move |incoming| match incoming {
            Incoming::Frame(ServerFrame::Event(Event::InquiryReceived { inquiry })) => {
                let lead = LeadSummary {
                    id: inquiry.id,
                    cooperative: Text::default(),
                    company: inquiry.company.clone(),
                    country: inquiry.country.clone(),
                    product: inquiry.product.clone().map(|p| Text::new(p.clone(), p)),
                    quantity: inquiry.quantity,
                    quantity_unit: inquiry.quantity_unit.clone(),
                    incoterm: inquiry.incoterm.clone(),
                    status: LeadStatus::New,
                    created_at: inquiry.at,
                };
                rows.update(|r| {
                    if !r.iter().any(|l| l.id == lead.id) {
                        r.insert(0, lead);
                    }
                });
            }
            Incoming::Reconnected => {
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = fetch_leads(String::new()).await {
                        rows.set(fresh);
                    }
                });
            }
            _ => {}
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (coop, live);
    view! {
        <Show when=move || rows.with(Vec::is_empty)>
            <p class="muted">{td!(i18n, inquiries.empty)}</p>
        </Show>
        // Focusable while it has no rows (no links) to take the focus: it scrolls on a phone.
        <table class="data-table leads" data-testid="leads" tabindex=move || rows.with(Vec::is_empty).then_some("0")>
            <LeadHead show_coop=false />
            <tbody>{move || view! { <LeadRows leads=rows.get() show_coop=false link=true /> }}</tbody>
        </table>
    }
}

#[component]
pub fn CoopInquiriesPage() -> impl IntoView {
    let i18n = use_locale();
    let query = use_query_map();
    let status = query.with_untracked(|q| q.get("status").unwrap_or_default());
    view! {
        <Title text=td_string!(i18n, inquiries.leads).to_string() />
        <MemberOnly page=move |membership: Membership| {
            let status = status.clone();
            let filter = status.clone();
            let coop = membership.cooperative_id;
            let leads = Resource::new(move || status.clone(), fetch_leads);
            let live = filter.is_empty() || filter == "new";
            view! {
                <Dashboard membership>
                    <div class="page-head">
                        <h1>{td!(i18n, inquiries.leads)}</h1>
                        <a class="button" href="/coop/inquiries.csv" download="">{td!(i18n, inquiries.csv)}</a>
                    </div>
                    <StatusFilter base="/coop/inquiries" current=filter.clone() />
                    <Loaded resource=leads view={move |leads: Vec<LeadSummary>| view! { <LeadTable coop leads live /> }} />
                </Dashboard>
            }
        } />
    }
}

#[component]
pub fn CoopInquiryPage() -> impl IntoView {
    let i18n = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let failed = query.with_untracked(|q| q.get("__err").is_some());
    view! {
        <Title text=td_string!(i18n, inquiries.leads).to_string() />
        <MemberOnly page=move |membership: Membership| {
            let lead = Resource::new(move || id, fetch_lead);
            view! {
                <Dashboard membership>
                    <a href="/coop/inquiries">{td!(i18n, inquiries.back)}</a>
                    {failed.then(|| view! { <p class="form-alert" role="alert">{td!(i18n, inquiries.move_failed)}</p> })}
                    <Loaded resource=lead view=|lead: Lead| view! { <LeadView lead /> } />
                </Dashboard>
            }
        } />
    }
}

#[component]
fn LeadView(lead: Lead) -> impl IntoView {
    let i18n = use_locale();
    let Lead { summary, contact_name, email, phone, packaging, target_date, samples, message, events } = lead;
    let id = summary.id;
    view! {
        <article class="lead" data-testid="lead">
            <h1>{summary.company.clone()} <span class="muted">" · " {summary.country.clone()}</span></h1>
            <LeadStatusBadge status=summary.status />
            <dl class="facts">
                <dt>{td!(i18n, inquiries.contact_name)}</dt>
                <dd>{contact_name}</dd>
                <dt>{td!(i18n, inquiries.email)}</dt>
                <dd><a href=format!("mailto:{email}")>{email.clone()}</a></dd>
                <dt>{td!(i18n, inquiries.phone)}</dt>
                <dd>{phone}</dd>
                <dt>{td!(i18n, inquiries.product)}</dt>
                <dd>{summary.product.clone().map(|p| view! { <Localized text=p /> })}</dd>
                <dt>{td!(i18n, inquiries.quantity)}</dt>
                <dd>{format!("{} {}", crate::ui::money::group_thousands(summary.quantity), summary.quantity_unit)}</dd>
                <dt>{td!(i18n, inquiries.packaging)}</dt>
                <dd>{packaging}</dd>
                <dt>"Incoterm"</dt>
                <dd>{summary.incoterm.clone()}</dd>
                <dt>{td!(i18n, inquiries.target_date)}</dt>
                <dd>{target_date}</dd>
                <dt>{td!(i18n, inquiries.received)}</dt>
                <dd>{format_datetime(summary.created_at)}</dd>
            </dl>
            {samples.then(|| view! { <p class="badge">{td!(i18n, inquiries.samples_yes)}</p> })}
            <blockquote class="lead__message">{message}</blockquote>
            <div class="lead__actions">
                {summary.status.next().into_iter().map(|to| view! {
                    <form method="post" action=MoveLead::PATH class="lead__move" data-move=to.as_db()>
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="to" value=to.as_db() />
                        <input type="hidden" name="note" value="" />
                        <button class="button" type="submit">
                            {move || td_string!(i18n, inquiries.move_to, status = status_text(i18n, to))}
                        </button>
                    </form>
                }).collect_view()}
            </div>
            <form method="post" action=NoteLead::PATH class="lead__note">
                <input type="hidden" name="id" value=id />
                <label class="field">
                    <span class="field__label">{td!(i18n, inquiries.note)}</span>
                    <textarea class="field__input" name="note" rows="3" maxlength="2000" required></textarea>
                </label>
                <button class="button" type="submit">{td!(i18n, inquiries.add_note)}</button>
            </form>
            <h2>{td!(i18n, inquiries.history)}</h2>
            <ol class="timeline">
                {events.into_iter().map(|e| view! {
                    <li>
                        <time datetime=e.at.to_string()>{format_datetime(e.at)}</time>
                        {e.to.map(|s| view! { " " <LeadStatusBadge status=s /> })}
                        {e.who.map(|w| format!(" · {w}"))}
                        {(!e.note.is_empty()).then(|| view! { <p>{e.note.clone()}</p> })}
                    </li>
                }).collect_view()}
            </ol>
        </article>
    }
}

fn status_text(i18n: crate::i18n::Locale, s: LeadStatus) -> String {
    match s {
        LeadStatus::New => td_string!(i18n, inquiries.status.new_lead).to_string(),
        LeadStatus::Replied => td_string!(i18n, inquiries.status.replied).to_string(),
        LeadStatus::Negotiating => td_string!(i18n, inquiries.status.negotiating).to_string(),
        LeadStatus::Won => td_string!(i18n, inquiries.status.won).to_string(),
        LeadStatus::Lost => td_string!(i18n, inquiries.status.lost).to_string(),
    }
}

/// The department's view of every cooperative's export inquiries.
#[component]
pub fn AdminInquiriesPage() -> impl IntoView {
    let i18n = use_locale();
    let query = use_query_map();
    let status = query.with_untracked(|q| q.get("status").unwrap_or_default());
    view! {
        <Title text=td_string!(i18n, inquiries.province).to_string() />
        <Meta name="robots" content="noindex" />
        <crate::accounts::guards::SignedIn page=move |viewer: Viewer| {
            if !viewer.is_admin() {
                return view! { <crate::ui::layout::Forbidden /> }.into_any();
            }
            let status = status.clone();
            let filter = status.clone();
            let leads = Resource::new(move || status.clone(), fetch_all_leads);
            view! {
                <section class="admin">
                    <div class="page-head">
                        <h1>{td!(i18n, inquiries.province)}</h1>
                        <a class="button" href="/admin/inquiries.csv" download="">{td!(i18n, inquiries.csv)}</a>
                    </div>
                    <StatusFilter base="/admin/inquiries" current=filter.clone() />
                    <Loaded resource=leads view={|leads: Vec<LeadSummary>| view! {
                        // Nothing in its rows takes the focus, so the table does: on a phone
                        // it scrolls sideways, and the keyboard must reach it.
                        <table class="data-table leads" data-testid="leads" tabindex="0">
                            <LeadHead show_coop=true />
                            <tbody><LeadRows leads show_coop=true link=false /></tbody>
                        </table>
                    }} />
                </section>
            }
            .into_any()
        } />
    }
}
