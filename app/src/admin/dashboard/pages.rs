//! `/admin`: the department's live dashboard. The page is rendered on the server with its
//! tiles, feed and charts (SVG), so everything shows before hydration. Two islands then keep it
//! live over the tab's WebSocket: `LiveBoard` takes the tiles the server pushes and adds feed
//! lines as they happen; `LiveCharts` redraws the charts (fetched as SVG) a moment after new
//! activity.
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::model::*;
use crate::accounts::guards::admin_only;
use crate::i18n::{td, td_string};
use crate::lang::use_locale;
use crate::lang::{Lang, Localized, use_lang};
use crate::ui::layout::Loaded;
use crate::ui::money::format_vnd;

/// How long after new activity the charts are redrawn (activity in the meantime is folded in).
pub const CHART_REFRESH_MS: u64 = 1500;

#[component]
pub fn AdminDashboardPage() -> impl IntoView {
    let i18n = use_locale();
    let query = use_query_map();
    let filter = query.with_untracked(|q| DashboardFilter {
        district: q.get("district").unwrap_or_default(),
        group: q.get("group").unwrap_or_default(),
        stars: q.get("stars").unwrap_or_default(),
        from: q.get("from").unwrap_or_default(),
        to: q.get("to").unwrap_or_default(),
    });
    let lang = use_lang();
    view! {
        <Title text=td_string!(i18n, admin.dashboard.title).to_string() />
        <Meta name="robots" content="noindex" />
        {admin_only(move || {
            let filter = filter.clone();
            let dashboard = Resource::new(
                {
                    let filter = filter.clone();
                    move || (filter.clone(), lang.get())
                },
                |(filter, lang)| fetch_dashboard(filter, lang),
            );
            view! {
                <section class="admin admin-dashboard">
                    <div class="admin-dashboard__head">
                        <h1>{td!(i18n, admin.dashboard.title)}</h1>
                        <AdminLinks />
                    </div>
                    <Loaded
                        resource=dashboard
                        view=move |d: Dashboard| view! { <DashboardBody dashboard=d filter=filter.clone() lang=lang.get_untracked() /> }
                    />
                </section>
            }
            .into_any()
        })}
    }
}

/// The console's other pages.
#[component]
fn AdminLinks() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <nav class="admin-links" aria-label=move || td_string!(i18n, admin.dashboard.console)>
            <a href="/admin/applications">{td!(i18n, admin.dashboard.applications)}</a>
            <a href="/admin/cooperatives">{td!(i18n, admin.moderation.coops_title)}</a>
            <a href="/admin/products">{td!(i18n, admin.moderation.products_title)}</a>
            <a href="/admin/fairs">{td!(i18n, fairs.admin.title)}</a>
            <a href="/admin/inquiries">{td!(i18n, admin.dashboard.inquiries)}</a>
            <a href="/admin/users">{td!(i18n, admin.users.title)}</a>
            <a href="/admin/certificates">{td!(i18n, admin.nav.certificates)}</a>
            <a href="/admin/audit">{td!(i18n, admin.audit.title)}</a>
        </nav>
    }
}

#[component]
fn DashboardBody(dashboard: Dashboard, filter: DashboardFilter, lang: Lang) -> impl IntoView {
    let i18n = use_locale();
    let Dashboard { kpis, feed, charts, districts, groups, from, to } = dashboard;
    view! {
        <LiveBoard kpis feed />
        <DashboardFilters filter=filter.clone() districts groups from to />
        <LiveCharts filter lang>
            <div class="chart-grid">
                {charts
                    .into_iter()
                    .map(|c| {
                        let title = match c.id {
                            ChartId::PerDay => td_string!(i18n, admin.dashboard.chart_per_day),
                            ChartId::ByDistrict => td_string!(i18n, admin.dashboard.chart_by_district),
                            ChartId::ByStars => td_string!(i18n, admin.dashboard.chart_by_stars),
                            ChartId::ByGroup => td_string!(i18n, admin.dashboard.chart_by_group),
                            ChartId::TopProducts => td_string!(i18n, admin.dashboard.chart_top_products),
                            ChartId::FairTraffic => td_string!(i18n, admin.dashboard.chart_fair_traffic),
                        };
                        let id = c.id.dom_id();
                        view! {
                            <figure class="chart-card" data-chart=id>
                                <h2 class="chart-card__title">{title}</h2>
                                <div class="chart-card__svg" id=id inner_html=c.svg></div>
                                <figcaption class="chart-card__summary" id=format!("{id}-summary")>{c.summary}</figcaption>
                            </figure>
                        }
                    })
                    .collect_view()}
            </div>
        </LiveCharts>
    }
}

#[component]
fn DashboardFilters(
    filter: DashboardFilter,
    districts: Vec<Choice>,
    groups: Vec<Choice>,
    from: String,
    to: String,
) -> impl IntoView {
    let i18n = use_locale();
    let options = move |choices: Vec<Choice>, picked: String| {
        choices
            .into_iter()
            .map(|c| {
                let selected = c.value == picked;
                view! { <option value=c.value selected=selected><Localized text=c.label /></option> }
            })
            .collect_view()
    };
    let stars = filter.stars();
    view! {
        <form class="filters admin-dashboard__filters" method="get" action="/admin" data-testid="dashboard-filters">
            <label class="field">
                <span class="field__label">{td!(i18n, admin.dashboard.district)}</span>
                <select class="field__input" name="district">
                    <option value="">{td!(i18n, admin.dashboard.any)}</option>
                    {options(districts, filter.district.clone())}
                </select>
            </label>
            <label class="field">
                <span class="field__label">{td!(i18n, admin.dashboard.group)}</span>
                <select class="field__input" name="group">
                    <option value="">{td!(i18n, admin.dashboard.any)}</option>
                    {options(groups, filter.group.clone())}
                </select>
            </label>
            <label class="field">
                <span class="field__label">{td!(i18n, admin.dashboard.stars)}</span>
                <select class="field__input" name="stars">
                    <option value="">{td!(i18n, admin.dashboard.any)}</option>
                    {[5, 4, 3].into_iter().map(|s| view! {
                        <option value=s.to_string() selected=stars == Some(s)>{format!("{s} ★")}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field__label">{td!(i18n, admin.dashboard.from)}</span>
                <input class="field__input" type="date" name="from" value=from />
            </label>
            <label class="field">
                <span class="field__label">{td!(i18n, admin.dashboard.to)}</span>
                <input class="field__input" type="date" name="to" value=to />
            </label>
            <button class="button" type="submit">{td!(i18n, admin.dashboard.apply)}</button>
            <a class="button button--secondary" href="/admin">{td!(i18n, admin.dashboard.reset)}</a>
            // The same filters, as a download: the browser puts them in the export's URL.
            <div class="admin-dashboard__exports">
                <span class="field__label">{td!(i18n, admin.dashboard.export)}</span>
                <button class="button button--secondary" type="submit" formaction="/admin/export/orders.csv">
                    {td!(i18n, admin.dashboard.export_orders)}
                </button>
                <button class="button button--secondary" type="submit" formaction="/admin/export/products.csv">
                    {td!(i18n, admin.dashboard.export_products)}
                </button>
                <button class="button button--secondary" type="submit" formaction="/admin/export/inquiries.csv">
                    {td!(i18n, admin.dashboard.export_inquiries)}
                </button>
            </div>
        </form>
    }
}

/// The tiles and the feed, live.
#[island(lazy)]
fn LiveBoard(kpis: Kpis, feed: Vec<FeedItem>) -> impl IntoView {
    crate::ui::lazy::preload_island("live_board");
    let i18n = use_locale();
    let lang = use_lang();
    let kpis = RwSignal::new(kpis);
    let feed = RwSignal::new(feed);
    let online = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    {
        use crate::live::client::{Incoming, follow};
        use crate::live::model::{ClientFrame, Event, ServerFrame, Topic};
        follow(vec![ClientFrame::Subscribe { topic: Topic::Admin }], move |incoming| match incoming {
            Incoming::Frame(ServerFrame::Event(Event::Kpis { kpis: fresh })) => kpis.set(*fresh),
            Incoming::Frame(ServerFrame::Event(Event::Activity { item })) => {
                feed.update(|f| push_feed(f, item.clone()));
            }
            Incoming::Reconnected => {
                online.set(true);
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = fetch_dashboard_live().await {
                        kpis.set(fresh.kpis);
                        feed.set(fresh.feed);
                    }
                });
            }
            Incoming::Disconnected => online.set(false),
            _ => {}
        });
    }
    let tile = move |key: &'static str, label: String, value: Signal<String>| {
        view! {
            <div class="kpi" data-kpi=key>
                <span class="kpi__label">{label}</span>
                <strong class="kpi__value">{move || value.get()}</strong>
            </div>
        }
    };
    let figure = move |f: fn(&Kpis) -> String| Signal::derive(move || kpis.with(f));
    view! {
        <div class="kpi-tiles" data-live=move || if online.get() { "on" } else { "off" }>
            {tile("orders_today", td_string!(i18n, admin.dashboard.orders_today).to_owned(), figure(|k| k.orders_today.to_string()))}
            {tile("revenue_today", td_string!(i18n, admin.dashboard.revenue_today).to_owned(), figure(|k| format_vnd(k.revenue_today_vnd)))}
            {tile("paid_today", td_string!(i18n, admin.dashboard.paid_today).to_owned(), figure(|k| format_vnd(k.paid_today_vnd)))}
            {tile("site_visitors", td_string!(i18n, admin.dashboard.site_visitors).to_owned(), figure(|k| k.site_visitors.to_string()))}
            {tile("booth_visitors", td_string!(i18n, admin.dashboard.booth_visitors).to_owned(), figure(|k| k.booth_visitors.to_string()))}
            {tile("booths_live", td_string!(i18n, admin.dashboard.booths_live).to_owned(), figure(|k| k.booths_live.to_string()))}
            {tile("inquiries_today", td_string!(i18n, admin.dashboard.inquiries_today).to_owned(), figure(|k| k.inquiries_today.to_string()))}
            {tile("coops_pending", td_string!(i18n, admin.dashboard.coops_pending).to_owned(), figure(|k| k.coops_pending.to_string()))}
        </div>
        <p class="live-status" hidden=move || online.get() role="status">{td!(i18n, admin.dashboard.offline)}</p>
        <section class="live-feed" aria-live="polite">
            <h2>{td!(i18n, admin.dashboard.feed)}</h2>
            <Show when=move || feed.with(Vec::is_empty)>
                <p class="muted">{td!(i18n, admin.dashboard.feed_empty)}</p>
            </Show>
            <ol class="live-feed__list" data-testid="live-feed">
                <For
                    each=move || feed.get()
                    key=|f| (f.kind, f.id)
                    children=move |item: FeedItem| {
                        let kind = match item.kind {
                            FeedKind::Order => td_string!(i18n, admin.dashboard.kind_order),
                            FeedKind::Inquiry => td_string!(i18n, admin.dashboard.kind_inquiry),
                            FeedKind::Chat => td_string!(i18n, admin.dashboard.kind_chat),
                        };
                        let href = item.href();
                        let cooperative = item.cooperative.clone();
                        view! {
                            <li class=format!("live-feed__item live-feed__item--{}", item.kind.as_str()) data-kind=item.kind.as_str()>
                                <span class="live-feed__time">{crate::ui::dates::format_datetime(item.at)}</span>
                                <span class="live-feed__kind">{kind}</span>
                                <a class="live-feed__label" href=href>{item.label}</a>
                                <span class="live-feed__coop">{move || cooperative.best(lang.get())}</span>
                                {item.amount_vnd.map(|a| view! { <span class="live-feed__amount">{format_vnd(a)}</span> })}
                            </li>
                        }
                    }
                />
            </ol>
        </section>
    }
}

/// The charts, redrawn after new activity.
#[island(lazy)]
fn LiveCharts(filter: DashboardFilter, lang: Lang, children: Children) -> impl IntoView {
    crate::ui::lazy::preload_island("live_charts");
    #[cfg(not(feature = "hydrate"))]
    let _ = (filter, lang);
    #[cfg(feature = "hydrate")]
    {
        use crate::live::client::{Incoming, follow};
        use crate::live::model::{ClientFrame, Event, ServerFrame, Topic};
        let scheduled = StoredValue::new(false);
        follow(vec![ClientFrame::Subscribe { topic: Topic::Admin }], move |incoming| {
            let stale = matches!(
                incoming,
                Incoming::Frame(ServerFrame::Event(Event::Activity { .. })) | Incoming::Reconnected
            );
            if !stale || scheduled.get_value() {
                return;
            }
            scheduled.set_value(true);
            let filter = filter.clone();
            set_timeout(
                move || {
                    scheduled.set_value(false);
                    leptos::task::spawn_local(async move {
                        if let Ok(charts) = fetch_dashboard_charts(filter, lang).await {
                            redraw(&charts);
                        }
                    });
                },
                std::time::Duration::from_millis(CHART_REFRESH_MS),
            );
        });
    }
    view! { <div class="dashboard-charts">{children()}</div> }
}

/// Puts fresh SVG and summaries where the server drew the first ones.
#[cfg(feature = "hydrate")]
fn redraw(charts: &[ChartSvg]) {
    let document = document();
    for c in charts {
        let id = c.id.dom_id();
        if let Some(el) = document.get_element_by_id(id) {
            el.set_inner_html(&c.svg);
        }
        if let Some(el) = document.get_element_by_id(&format!("{id}-summary")) {
            el.set_text_content(Some(&c.summary));
        }
    }
}
