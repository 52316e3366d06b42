//! Virtual trade fairs: the list (`/fairs`), a fair's hall of booths with live visitor counts
//! (`/fairs/:slug`) and the home page's running-fair banner.
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::super::api::*;
use super::super::model::*;
use crate::i18n::{td, td_string};
use crate::lang::use_locale;
use crate::lang::{Localized, use_lang};
use crate::site::site_url;
use crate::ui::dates::format_datetime;
use crate::ui::layout::Loaded;

/// "Đang diễn ra", "Sắp diễn ra" or "Đã kết thúc".
#[component]
pub(super) fn PhaseChip(phase: Phase) -> impl IntoView {
    let i18n = use_locale();
    match phase {
        Phase::Running => {
            view! { <span class="chip chip--live">{td!(i18n, fairs.fair.running)}</span> }.into_any()
        }
        Phase::Upcoming => view! { <span class="chip">{td!(i18n, fairs.fair.upcoming)}</span> }.into_any(),
        Phase::Past => {
            view! { <span class="chip chip--muted">{td!(i18n, fairs.fair.past)}</span> }.into_any()
        }
    }
}

/// When a fair runs, in Vietnam time.
#[component]
pub(super) fn FairDates(starts_at: i64, ends_at: i64) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <p class="fair__dates">
            <time datetime=starts_at.to_string()>{format_datetime(starts_at)}</time>
            " – "
            <time datetime=ends_at.to_string()>{format_datetime(ends_at)}</time>
            " "
            <span class="fair__tz">{td!(i18n, fairs.fair.vietnam_time)}</span>
        </p>
    }
}

#[component]
fn FairCard(fair: FairSummary) -> impl IntoView {
    let i18n = use_locale();
    let FairSummary { slug, name, description, starts_at, ends_at, phase, booths, .. } = fair;
    view! {
        <li class="fair-card" data-testid="fair-card">
            <PhaseChip phase />
            <h3 class="fair-card__name">
                <a href=format!("/fairs/{slug}")><Localized text=name /></a>
            </h3>
            <FairDates starts_at ends_at />
            <p class="fair-card__description"><Localized text=description /></p>
            <p class="muted">{td!(i18n, fairs.fair.booths, n = booths)}</p>
        </li>
    }
    .into_any()
}

#[component]
fn FairSection(title: ViewFn, fairs: Vec<FairSummary>, id: &'static str) -> impl IntoView {
    (!fairs.is_empty()).then(|| {
        view! {
            <section class="fairs__section" aria-labelledby=id>
                <h2 id=id>{title.run()}</h2>
                <ul class="fair-list">
                    {fairs.into_iter().map(|fair| view! { <FairCard fair /> }).collect_view()}
                </ul>
            </section>
        }
        .into_any()
    })
}

#[component]
pub fn FairsPage() -> impl IntoView {
    let i18n = use_locale();
    let fairs = Resource::new(|| (), |_| fetch_fairs());
    view! {
        <Title text=td_string!(i18n, fairs.fair.list_title).to_string() />
        <Meta name="description" content=move || td_string!(i18n, fairs.fair.list_intro) />
        <Link rel="canonical" href=format!("{}/fairs", site_url()) />
        <section class="fairs">
            <Loaded resource=fairs view=move |list: FairList| {
                let empty = list.running.is_empty() && list.upcoming.is_empty() && list.past.is_empty();
                view! {
                    <div class="page-head">
                        <h1>{td!(i18n, fairs.fair.list_title)}</h1>
                        {list.can_create.then(|| view! {
                            <span class="page-head__actions">
                                <a class="button button--secondary" href="/admin/fairs">{td!(i18n, fairs.admin.title)}</a>
                                " "
                                <a class="button" href="/admin/fairs/new">{td!(i18n, fairs.fair.create)}</a>
                            </span>
                        })}
                    </div>
                    <p class="muted">{td!(i18n, fairs.fair.list_intro)}</p>
                    {empty.then(|| view! { <p>{td!(i18n, fairs.fair.none)}</p> })}
                    <FairSection id="fairs-running" title=ViewFn::from(move || td!(i18n, fairs.fair.running)) fairs=list.running />
                    <FairSection id="fairs-upcoming" title=ViewFn::from(move || td!(i18n, fairs.fair.upcoming)) fairs=list.upcoming />
                    <FairSection id="fairs-past" title=ViewFn::from(move || td!(i18n, fairs.fair.past)) fairs=list.past />
                }
                .into_any()
            } />
        </section>
    }
}

/// The home page's feature of the fair running now (nothing when none is).
#[component]
pub fn RunningFairBanner() -> impl IntoView {
    let i18n = use_locale();
    let fair = Resource::new(|| (), |_| fetch_running_fair());
    view! {
        <Suspense>
            {move || fair.get().and_then(Result::ok).flatten().map(|f| {
                let FairSummary { slug, name, description, starts_at, ends_at, booths, .. } = f;
                view! {
                    <section class="running-fair" aria-labelledby="running-fair-title" data-testid="running-fair">
                        <span class="chip chip--live">{td!(i18n, fairs.fair.running)}</span>
                        <h2 id="running-fair-title"><Localized text=name /></h2>
                        <FairDates starts_at ends_at />
                        <p><Localized text=description /></p>
                        <a class="button" href=format!("/fairs/{slug}")>{td!(i18n, fairs.fair.enter, n = booths)}</a>
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn FairHallPage() -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    let key = query.with_untracked(|q| {
        (
            slug.clone(),
            q.get("q").unwrap_or_default(),
            q.get("district").unwrap_or_default(),
            q.get("group").unwrap_or_default(),
        )
    });
    let hall = Resource::new(
        move || key.clone(),
        |(slug, q, district, group)| fetch_fair_hall(slug, q, district, group),
    );
    view! {
        <Loaded resource=hall view=move |hall: FairHall| {
            let name = hall.fair.name.clone();
            let title = move || format!("{} · {}", name.best(lang.get()), td_string!(i18n, fairs.fair.hall));
            let canonical = format!("{}/fairs/{}", site_url(), hall.fair.slug);
            view! {
                <Title text=title() />
                <Link rel="canonical" href=canonical />
                <HallView hall />
            }
            .into_any()
        } />
    }
}

#[component]
fn HallView(hall: FairHall) -> impl IntoView {
    let i18n = use_locale();
    let FairHall { fair, booths, total, districts, groups, filter } = hall;
    let FairSummary { id, slug, name, description, starts_at, ends_at, phase, .. } = fair;
    let filtered = !filter.is_empty();
    let shown = booths.len();
    view! {
        <article class="hall" data-fair=id>
            {view! {
                <header class="hall__head">
                    <PhaseChip phase />
                    <h1><Localized text=name mark_fallback=true /></h1>
                    <FairDates starts_at ends_at />
                    <p class="hall__description"><Localized text=description /></p>
                </header>
            }.into_any()}
            {view! {
                <form class="hall__filters" method="get" action=format!("/fairs/{slug}") role="search">
                    <label class="field">
                        <span class="field__label">{td!(i18n, fairs.fair.search)}</span>
                        <input class="field__input" type="search" name="q" value=filter.q.clone() maxlength="100" />
                    </label>
                    <label class="field">
                        <span class="field__label">{td!(i18n, fairs.fair.district)}</span>
                        <select class="field__input" name="district">
                            <option value="">{td!(i18n, fairs.fair.all_districts)}</option>
                            {districts.into_iter().map(|c| view! {
                                <option value=c.value selected=c.selected><Localized text=c.label /></option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field__label">{td!(i18n, fairs.fair.group)}</span>
                        <select class="field__input" name="group">
                            <option value="">{td!(i18n, fairs.fair.all_groups)}</option>
                            {groups.into_iter().map(|c| view! {
                                <option value=c.value selected=c.selected><Localized text=c.label /></option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button class="button" type="submit">{td!(i18n, fairs.fair.filter)}</button>
                    {filtered.then(|| view! { <a href=format!("/fairs/{slug}")>{td!(i18n, fairs.fair.clear)}</a> })}
                </form>
            }.into_any()}
            <p class="muted" data-testid="hall-count">{td!(i18n, fairs.fair.showing, shown = shown, total = total)}</p>
            <HallGrid fair=id slug=slug.clone() booths filter />
        </article>
    }
}

/// The hall's booths, each with its visitor count kept live over the fair's topic.
#[island(lazy)]
fn HallGrid(fair: i64, slug: String, booths: Vec<HallBooth>, filter: HallFilter) -> impl IntoView {
    crate::ui::lazy::preload_island("hall_grid");
    let i18n = use_locale();
    let counts: Vec<(i64, RwSignal<u32>)> =
        booths.iter().map(|b| (b.cooperative_id, RwSignal::new(b.visitors))).collect();
    #[cfg(not(feature = "hydrate"))]
    let _ = (fair, &slug, &filter);
    #[cfg(feature = "hydrate")]
    {
        use crate::live::client::{Incoming, follow};
        use crate::live::model::{ClientFrame, Event, ServerFrame, Topic};
        let counts = counts.clone();
        follow(vec![ClientFrame::Subscribe { topic: Topic::Fair(fair) }], move |incoming| match incoming {
            Incoming::Frame(ServerFrame::Event(Event::Presence { booth, visitors })) => {
                if let Some((_, count)) = counts.iter().find(|(id, _)| id == booth) {
                    count.set(*visitors);
                }
            }
            Incoming::Reconnected => {
                let counts = counts.clone();
                let HallFilter { q, district, group } = filter.clone();
                let slug = slug.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = fetch_fair_hall(slug, q, district, group).await {
                        for booth in fresh.booths {
                            if let Some((_, count)) =
                                counts.iter().find(|(id, _)| *id == booth.cooperative_id)
                            {
                                count.set(booth.visitors);
                            }
                        }
                    }
                });
            }
            _ => {}
        });
    }
    if booths.is_empty() {
        return view! { <p data-testid="hall-empty">{td!(i18n, fairs.fair.no_booths)}</p> }.into_any();
    }
    view! {
        <ul class="hall__grid" data-testid="hall-grid">
            {booths.into_iter().map(|b| {
                let count = counts.iter().find(|(id, _)| *id == b.cooperative_id).map(|(_, c)| *c).unwrap_or_else(|| RwSignal::new(0));
                let HallBooth { slug, name, district, logo_url, groups, products, .. } = b;
                view! {
                    <li class="hall-booth" data-testid="hall-booth" data-booth=slug.clone()>
                        <a class="hall-booth__link" href=format!("/booths/{slug}")>
                            {logo_url.map(|src| view! { <img class="hall-booth__logo" src=src alt="" width="64" height="64" loading="lazy" /> })}
                            <span class="hall-booth__name"><Localized text=name /></span>
                        </a>
                        {district.map(|d| view! { <p class="muted"><Localized text=d /></p> })}
                        <p class="hall-booth__groups">
                            {groups.into_iter().map(|g| view! { <span class="chip"><Localized text=g /></span> }).collect_view()}
                        </p>
                        <p class="hall-booth__meta">
                            <span>{td!(i18n, fairs.fair.products, n = products)}</span>
                            <span class="hall-booth__visitors" data-testid="hall-visitors">
                                <span class="booth-live__dot" aria-hidden="true"></span>
                                {move || td_string!(i18n, fairs.booth.visitors, n = count.get())}
                            </span>
                        </p>
                    </li>
                }
                .into_any()
            }).collect_view()}
        </ul>
    }
    .into_any()
}
