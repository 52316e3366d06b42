//! Catalogue widgets: product cards and grids, the facet panel, pagination and the certificate.
use leptos::prelude::*;

use super::model::*;
use crate::i18n::{td, td_string};
use crate::lang::use_locale;
use crate::lang::{Localized, use_lang};
use crate::ui::badges::{DemoMark, ExportRibbon, PriceTag, StarBadge};
use crate::ui::money::format_vnd;

/// A product group's illustration: the picture of a product without photos.
pub fn product_image_src(group_slug: &str) -> String {
    format!("/img/groups/{group_slug}.svg")
}

/// A card's picture: its cover photo, else its group's illustration.
pub fn card_image_src(card: &ProductCard) -> String {
    card.photo.clone().unwrap_or_else(|| product_image_src(&card.group_slug))
}

/// `eager`: the card is in the first screenful, so its picture loads at once and first (it is the
/// list page's largest paint); every other card's picture waits until it is scrolled near.
#[component]
pub fn ProductCard(card: ProductCard, #[prop(optional)] eager: bool) -> impl IntoView {
    let href = format!("/p/{}", card.slug);
    let slug = card.slug.clone();
    let image = card_image_src(&card);
    let ProductCard {
        name,
        unit,
        price_vnd,
        cooperative_name,
        district,
        stars,
        exported_to,
        is_demo,
        in_stock,
        ..
    } = card;
    let i18n = use_locale();
    view! {
        <article class="product-card">
            <a class="product-card__link" href=href>
                // The heading in the same link names the product: the photo adds nothing
                // to read out.
                <img
                    class="product-card__image"
                    src=image
                    alt=""
                    width="400"
                    height="300"
                    loading=if eager { "eager" } else { "lazy" }
                    fetchpriority=eager.then_some("high")
                />
                <h3 class="product-card__name">
                    <Localized text=name />
                </h3>
            </a>
            <p class="product-card__coop">
                <Localized text=cooperative_name />
                {district
                    .map(|d| {
                        view! {
                            <span class="product-card__district">
                                " · "
                                <Localized text=d />
                            </span>
                        }
                    })}
            </p>
            <p class="product-card__price">
                <PriceTag price_vnd />
                <span class="product-card__unit">
                    " / "
                    <Localized text=unit />
                </span>
            </p>
            <p class="product-card__badges">
                {stars.map(|s| view! { <StarBadge stars=s /> })}
                {exported_to.filter(|c| c == "GB").map(|_| view! { <ExportRibbon /> })}
                {(!in_stock).then(|| view! { <span class="stock-out">{td!(i18n, catalog.product.out_of_stock)}</span> })}
                {is_demo.then(|| view! { <DemoMark /> })}
            </p>
            {in_stock.then(|| view! { <crate::orders::widgets::AddToCart slug=slug.clone() /> })}
        </article>
    }
}

/// `eager`: how many leading cards are on the first screen of a phone (their pictures load first).
#[component]
pub fn ProductGrid(items: Vec<ProductCard>, #[prop(optional)] eager: usize) -> impl IntoView {
    view! {
        <ul class="product-grid">
            {items
                .into_iter()
                .enumerate()
                .map(|(i, card)| view! { <li class="product-grid__item"><ProductCard card eager=i < eager /></li> })
                .collect_view()}
        </ul>
    }
}

#[component]
fn FacetGroup(
    legend: Signal<String>,
    name: &'static str,
    values: Vec<FacetValue>,
    selected: Vec<String>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <fieldset class="facet">
            <legend class="facet__legend">{legend}</legend>
            <ul class="facet__values">
                {values
                    .into_iter()
                    .filter(|v| v.count > 0 || selected.contains(&v.key))
                    .map(|v| {
                        let id = format!("facet-{name}-{}", v.key);
                        let checked = selected.contains(&v.key);
                        let label = v.label.clone();
                        view! {
                            <li class="facet__value">
                                <input
                                    type="checkbox"
                                    class="facet__checkbox"
                                    id=id.clone()
                                    name=name
                                    value=v.key.clone()
                                    checked=checked
                                />
                                <label class="facet__label" for=id>
                                    {move || label.best(lang.get())}
                                    <span class="facet__count">{v.count}</span>
                                </label>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </fieldset>
    }
}

/// One bound of the price filter; the placeholder shows the bound the other filters give.
#[component]
fn PriceInput(name: &'static str, hint: i64, value: Option<i64>, children: Children) -> impl IntoView {
    let id = format!("facet-{name}");
    view! {
        <label for=id.clone()>{children()}</label>
        <input
            id=id
            type="number"
            inputmode="numeric"
            min="0"
            step="1000"
            name=name
            placeholder=format_vnd(hint)
            value=value.map(|v| v.to_string())
        />
    }
}

#[component]
pub fn FacetPanel(query: ProductQuery, facets: Facets) -> impl IntoView {
    let i18n = use_locale();
    let stars_selected: Vec<String> = query.stars.iter().map(ToString::to_string).collect();
    let (lo, hi) = facets.price_range.unwrap_or((0, 0));
    let sort = query.sort;
    view! {
        <form action="/products" method="get" class="facets" aria-label=move || td_string!(i18n, catalog.filter.title)>
            // On phones the filters fold away behind their title (a CSS-only toggle, so it works
            // without JavaScript); they start unfolded when some filter is already set.
            <input
                type="checkbox"
                id="facets-toggle"
                class="facets__toggle"
                checked=query.has_filters()
                aria-controls="facets-body"
            />
            <label for="facets-toggle" class="facets__summary">
                <h2 class="facets__title">{td!(i18n, catalog.filter.title)}</h2>
            </label>
            <div id="facets-body" class="facets__body">
                {(!query.q.is_empty()).then(|| view! { <input type="hidden" name="q" value=query.q.clone() /> })}
                <div class="facets__sort">
                    <label for="facet-sort">{td!(i18n, catalog.sort.label)}</label>
                    <select id="facet-sort" name="sort">
                        {Sort::ALL
                            .into_iter()
                            .map(|s| {
                                let label = move || match s {
                                    Sort::Relevance => td_string!(i18n, catalog.sort.relevance),
                                    Sort::Newest => td_string!(i18n, catalog.sort.newest),
                                    Sort::PriceAsc => td_string!(i18n, catalog.sort.price_asc),
                                    Sort::PriceDesc => td_string!(i18n, catalog.sort.price_desc),
                                    Sort::Rating => td_string!(i18n, catalog.sort.rating),
                                    Sort::Name => td_string!(i18n, catalog.sort.name),
                                };
                                view! {
                                    <option value=s.key() selected=s == sort>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <FacetGroup
                    legend=Signal::derive(move || td_string!(i18n, catalog.filter.group).to_owned())
                    name="group"
                    values=facets.groups
                    selected=query.groups.clone()
                />
                <FacetGroup
                    legend=Signal::derive(move || td_string!(i18n, catalog.filter.stars).to_owned())
                    name="stars"
                    values=facets.stars
                    selected=stars_selected
                />
                <FacetGroup
                    legend=Signal::derive(move || td_string!(i18n, catalog.filter.district).to_owned())
                    name="district"
                    values=facets.districts
                    selected=query.districts.clone()
                />
                <FacetGroup
                    legend=Signal::derive(move || td_string!(i18n, catalog.filter.cooperative).to_owned())
                    name="coop"
                    values=facets.cooperatives
                    selected=query.coops.clone()
                />
                <fieldset class="facet facet--price">
                    <legend class="facet__legend">{td!(i18n, catalog.filter.price)}</legend>
                    <div class="facet__price-inputs">
                        <PriceInput name="price_min" hint=lo value=query.price_min>
                            {td!(i18n, catalog.filter.price_min)}
                        </PriceInput>
                        <PriceInput name="price_max" hint=hi value=query.price_max>
                            {td!(i18n, catalog.filter.price_max)}
                        </PriceInput>
                    </div>
                </fieldset>
                <div class="facets__actions">
                    <button type="submit" class="button">
                        {td!(i18n, catalog.filter.apply)}
                    </button>
                    <a class="facets__clear" href="/products">
                        {td!(i18n, catalog.filter.clear)}
                    </a>
                </div>
            </div>
        </form>
    }
}

#[component]
pub fn Pagination(query: ProductQuery, page: i64, pages: i64) -> impl IntoView {
    let i18n = use_locale();
    if pages <= 1 {
        return None;
    }
    let prev = (page > 1).then(|| query.with_page(page - 1).href());
    let next = (page < pages).then(|| query.with_page(page + 1).href());
    Some(view! {
        <nav class="pagination" aria-label=move || td_string!(i18n, catalog.pagination.label)>
            {prev.map(|href| view! { <a class="pagination__link" rel="prev" href=href>{td!(i18n, catalog.pagination.prev)}</a> })}
            <span class="pagination__status">
                {td!(i18n, catalog.pagination.status, page = page, pages = pages)}
            </span>
            {next.map(|href| view! { <a class="pagination__link" rel="next" href=href>{td!(i18n, catalog.pagination.next)}</a> })}
        </nav>
    })
}

/// The OCOP certificate. An expired certificate is listed as expired, without the star badge.
#[component]
pub fn CertificatePanel(certificate: Certificate) -> impl IntoView {
    let i18n = use_locale();
    let Certificate { stars, council, decision_no, issued_on, expires_on, expired, is_demo } = certificate;
    view! {
        <section class="certificate" aria-labelledby="certificate-title">
            <h2 id="certificate-title" class="certificate__title">
                {td!(i18n, catalog.certificate.title)}
            </h2>
            {if expired {
                view! { <p class="certificate__expired">{td!(i18n, catalog.certificate.expired)}</p> }.into_any()
            } else {
                view! { <StarBadge stars /> }.into_any()
            }}
            <dl class="certificate__facts">
                <dt>{td!(i18n, catalog.certificate.council)}</dt>
                <dd>
                    {match council {
                        Council::Provincial => td!(i18n, catalog.certificate.provincial).into_any(),
                        Council::National => td!(i18n, catalog.certificate.national).into_any(),
                    }}
                </dd>
                <dt>{td!(i18n, catalog.certificate.decision)}</dt>
                <dd>{decision_no}</dd>
                <dt>{td!(i18n, catalog.certificate.issued)}</dt>
                <dd><time datetime=issued_on.clone()>{issued_on.clone()}</time></dd>
                <dt>{td!(i18n, catalog.certificate.expires)}</dt>
                <dd><time datetime=expires_on.clone()>{expires_on.clone()}</time></dd>
            </dl>
            {is_demo.then(|| view! { <p class="certificate__demo"><DemoMark /> " " {td!(i18n, catalog.certificate.demo_note)}</p> })}
        </section>
    }
}
