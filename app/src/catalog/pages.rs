//! Storefront pages: home, product list with search and facets, product page, cooperative page.
use leptos::prelude::*;

use crate::coops::contact::ContactLinks;
use leptos_meta::{Link, Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{fetch_cooperative, fetch_home, fetch_product, list_products};
use super::components::{CertificatePanel, FacetPanel, Pagination, ProductGrid, product_image_src};
use super::live::LiveCatalog;
use super::model::*;
use crate::error::AppError;
use crate::i18n::{td, td_string};
use crate::lang::use_locale;
use crate::lang::{Lang, Localized, use_lang};
use crate::site::site_url;
use crate::trace::widgets::TraceBlock;
use crate::ui::badges::{DemoMark, ExportRibbon, PriceTag, StarBadge};
use crate::ui::layout::{LoadError, NotFound};

#[component]
fn Loading() -> impl IntoView {
    let i18n = use_locale();
    view! { <p class="loading" role="status">{td!(i18n, common.loading)}</p> }
}

#[component]
pub fn HomePage(
    /// What the shell puts between the welcome and the showcase (the running fair's banner).
    children: Children,
) -> impl IntoView {
    let i18n = use_locale();
    let data = Resource::new(|| (), |_| fetch_home());
    view! {
        <Title text=td_string!(i18n, home.title).to_string() />
        <Meta name="description" content=move || td_string!(i18n, home.description) />
        <Link rel="canonical" href=format!("{}/", site_url()) />
        <section class="hero">
            <div class="hero__inner">
                <h1 class="hero__title">{td!(i18n, home.hero_title)}</h1>
                <p class="hero__lead">{td!(i18n, home.hero_lead)}</p>
                <a class="button button--large" href="/products">
                    {td!(i18n, home.browse_all)}
                </a>
            </div>
        </section>
        {children()}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(home) => view! { <HomeSections home /> }.into_any(),
                    Err(error) => view! { <LoadError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HomeSections(home: HomeData) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let HomeData { featured, exported, groups, cooperatives, product_count } = home;
    view! {
        <section class="home-section" aria-labelledby="featured-title">
            <h2 id="featured-title" class="home-section__title">{td!(i18n, home.featured)}</h2>
            <ProductGrid items=featured />
        </section>
        <section class="home-section" aria-labelledby="groups-title">
            <h2 id="groups-title" class="home-section__title">{td!(i18n, home.groups)}</h2>
            <ul class="group-tiles">
                {groups
                    .into_iter()
                    .map(|g| {
                        let href = format!("/products?group={}", g.slug);
                        let img = product_image_src(&g.slug);
                        view! {
                            <li class="group-tile">
                                <a class="group-tile__link" href=href>
                                    <img class="group-tile__image" src=img alt="" width="96" height="72" />
                                    <span class="group-tile__name"><Localized text=g.name /></span>
                                    <span class="group-tile__count">
                                        {td!(i18n, home.product_count, n = g.product_count)}
                                    </span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <section class="home-section uk-story" aria-labelledby="uk-title">
            <div class="uk-story__text">
                <h2 id="uk-title" class="home-section__title">{td!(i18n, home.uk_title)}</h2>
                <p>{td!(i18n, home.uk_body)}</p>
                <p class="uk-story__source">{td!(i18n, home.uk_source)}</p>
            </div>
            <ProductGrid items=exported />
        </section>
        <section class="home-section" aria-labelledby="coops-title">
            <h2 id="coops-title" class="home-section__title">{td!(i18n, home.cooperatives)}</h2>
            <ul class="coop-list">
                {cooperatives
                    .into_iter()
                    .map(|c| {
                        let href = format!("/c/{}", c.slug);
                        view! {
                            <li class="coop-list__item">
                                <a class="coop-list__link" href=href>
                                    <span class="coop-list__name"><Localized text=c.name /></span>
                                    <span class="coop-list__meta">
                                        {c.district.map(|d| view! { <Localized text=d /> " · " })}
                                        {td!(i18n, home.product_count, n = c.product_count)}
                                    </span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="home-section__more">
                {move || {
                    let _ = lang.get();
                    td_string!(i18n, home.total_products, n = product_count).to_string()
                }}
            </p>
        </section>
    }
}

fn issue_message(i18n: crate::i18n::Locale, issue: QueryIssue) -> String {
    match issue {
        QueryIssue::PriceMin => td_string!(i18n, catalog.issue.price_min),
        QueryIssue::PriceMax => td_string!(i18n, catalog.issue.price_max),
        QueryIssue::PriceOrder => td_string!(i18n, catalog.issue.price_order),
        QueryIssue::Page => td_string!(i18n, catalog.issue.page),
        QueryIssue::Stars => td_string!(i18n, catalog.issue.stars),
        QueryIssue::Sort => td_string!(i18n, catalog.issue.sort),
        QueryIssue::QueryTooLong => td_string!(i18n, catalog.issue.query_too_long),
    }
    .to_owned()
}

#[component]
pub fn ProductListPage() -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let query_map = use_query_map();
    let parsed =
        Memo::new(move |_| query_map.with(|m| ProductQuery::parse(|key| m.get_all(key).unwrap_or_default())));
    let query = Memo::new(move |_| parsed.get().0);
    // The result carries the query it answers, so the facet panel never pairs new filters with
    // old results while a Transition still shows the previous page.
    let page = Resource::new(
        move || (query.get(), lang.get()),
        |(q, l)| async move {
            let result = list_products(q.clone(), l).await;
            (q, result)
        },
    );
    let title = move || {
        let q = query.get().q;
        if q.is_empty() {
            td_string!(i18n, catalog.list.title).to_owned()
        } else {
            td_string!(i18n, catalog.list.search_title, query = q.clone()).to_string()
        }
    };
    view! {
        <Title text=title() />
        <Meta name="description" content=move || td_string!(i18n, catalog.list.description) />
        {move || {
            let href = format!("{}{}", site_url(), query.get().with_page(1).href());
            view! { <Link rel="canonical" href=href /> }
        }}
        <LiveCatalog />
        <div class="catalog" aria-busy="false">
            <h1 class="catalog__title">{title}</h1>
            {move || {
                let issues = parsed.get().1;
                (!issues.is_empty())
                    .then(|| {
                        view! {
                            <ul class="notice notice--warning" role="status">
                                {issues.into_iter().map(|i| view! { <li>{issue_message(i18n, i)}</li> }).collect_view()}
                            </ul>
                        }
                    })
            }}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let (q, result) = page.await;
                    match result {
                        Ok(result) => view! { <ProductResults query=q result /> }.into_any(),
                        Err(error) => view! { <LoadError error /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn ProductResults(query: ProductQuery, result: ProductPage) -> impl IntoView {
    let i18n = use_locale();
    let ProductPage { items, total, page, pages, facets } = result;
    let empty = items.is_empty();
    view! {
        <div class="catalog__layout">
            <FacetPanel query=query.clone() facets />
            <section class="catalog__results" aria-labelledby="results-count">
                <p id="results-count" class="catalog__count" role="status" aria-live="polite">
                    {td!(i18n, catalog.list.count, n = total)}
                </p>
                {if empty {
                    view! {
                        <div class="catalog__empty">
                            <p>{td!(i18n, catalog.list.empty)}</p>
                            <a href="/products">{td!(i18n, catalog.filter.clear)}</a>
                        </div>
                    }
                        .into_any()
                } else {
                    // Two cards a row on a phone: the first row is the page's largest paint.
                    view! { <ProductGrid items eager=2 /> }.into_any()
                }}
                <Pagination query page pages />
            </section>
        </div>
    }
}

/// JSON-LD for search engines, with `<` escaped so the text cannot close the script element.
fn product_json_ld(detail: &ProductDetail, lang: Lang, url: &str) -> String {
    let card = &detail.card;
    let availability =
        if card.in_stock { "https://schema.org/InStock" } else { "https://schema.org/OutOfStock" };
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": card.name.best(lang),
        "description": detail.description.best(lang),
        "sku": card.slug,
        "category": detail.group.best(lang),
        "image": match detail.photos.first() {
            Some(photo) => format!("{}{}", site_url(), photo.large_url),
            None => format!("{}{}", site_url(), product_image_src(&card.group_slug)),
        },
        "brand": { "@type": "Organization", "name": card.cooperative_name.best(lang) },
        "offers": {
            "@type": "Offer",
            "price": card.price_vnd.to_string(),
            "priceCurrency": "VND",
            "availability": availability,
            "url": url,
        },
    });
    if let (Some(stars), Some(obj)) = (card.stars, value.as_object_mut()) {
        obj.insert("award".to_owned(), serde_json::Value::String(format!("OCOP {stars}★")));
    }
    value.to_string().replace('<', "\\u003c")
}

/// The `:slug` of the current route.
fn use_slug() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("slug").unwrap_or_default())
}

/// A page's data, or the 404 page for an unknown slug, or the error page.
fn page_or_error<T>(result: Result<T, AppError>, render: impl FnOnce(T) -> AnyView) -> AnyView {
    match result {
        Ok(data) => render(data),
        Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
        Err(error) => view! { <LoadError error /> }.into_any(),
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let detail = Resource::new(use_slug(), fetch_product);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                page_or_error(detail.await, |d| view! { <ProductView detail=d /> }.into_any())
            })}
        </Suspense>
    }
}

#[component]
fn ProductView(detail: ProductDetail) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let url = format!("{}/p/{}", site_url(), detail.card.slug);
    let json_ld = {
        let detail = detail.clone();
        let url = url.clone();
        move || product_json_ld(&detail, lang.get(), &url)
    };
    let title = {
        let name = detail.card.name.clone();
        move || name.best(lang.get())
    };
    let description = {
        let d = detail.description.clone();
        move || d.best(lang.get()).chars().take(160).collect::<String>()
    };
    let alt = title.clone();
    let product_id = detail.product_id;
    let ProductDetail {
        card,
        description: desc_text,
        group,
        stock,
        weight_grams,
        certificate,
        listings,
        photos,
        related,
        trace_code,
        ..
    } = detail;
    let coop_href = format!("/c/{}", card.cooperative_slug);
    let group_href = format!("/products?group={}", card.group_slug);
    let stars = card.stars;
    let show_related = !related.is_empty();
    view! {
        <Title text=title() />
        <Meta name="description" content=description />
        <Meta property="og:title" content=title.clone() />
        <Meta property="og:type" content="product" />
        <Link rel="canonical" href=url />
        // Data, not code, but nonced like every script tag so the page's policy needs no exception.
        <script type="application/ld+json" nonce=leptos::nonce::use_nonce() inner_html=json_ld></script>
        <article class="product">
            <nav class="breadcrumbs" aria-label=move || td_string!(i18n, nav.breadcrumbs)>
                <a href="/products">{td!(i18n, nav.products)}</a>
                " › "
                <a href=group_href>
                    <Localized text=group />
                </a>
            </nav>
            <div class="product__layout">
                <ProductGallery photos fallback=product_image_src(&card.group_slug) alt=alt />
                <div class="product__info">
                    <h1 class="product__name">
                        <Localized text=card.name.clone() mark_fallback=true />
                    </h1>
                    <p class="product__badges">
                        {stars.map(|s| view! { <StarBadge stars=s /> })}
                        {card.exported_to.as_deref().filter(|c| *c == "GB").map(|_| view! { <ExportRibbon /> })}
                        {card.is_demo.then(|| view! { <DemoMark /> })}
                    </p>
                    <p class="product__price">
                        <PriceTag price_vnd=card.price_vnd />
                        <span class="product__unit">
                            " / "
                            <Localized text=card.unit.clone() mark_fallback=true />
                        </span>
                    </p>
                    <dl class="product__facts">
                        <dt>{td!(i18n, catalog.product.cooperative)}</dt>
                        <dd>
                            <a href=coop_href>
                                <Localized text=card.cooperative_name.clone() />
                            </a>
                        </dd>
                        <dt>{td!(i18n, catalog.product.district)}</dt>
                        <dd>
                            {match card.district.clone() {
                                Some(d) => view! { <Localized text=d /> }.into_any(),
                                None => td!(i18n, catalog.product.district_unknown).into_any(),
                            }}
                        </dd>
                        <dt>{td!(i18n, catalog.product.stock)}</dt>
                        <dd>
                            {if stock > 0 {
                                td!(i18n, catalog.product.in_stock, n = stock).into_any()
                            } else {
                                td!(i18n, catalog.product.out_of_stock).into_any()
                            }}
                        </dd>
                        {weight_grams
                            .map(|w| {
                                view! {
                                    <dt>{td!(i18n, catalog.product.weight)}</dt>
                                    <dd>{format!("{w} g")}</dd>
                                }
                            })}
                    </dl>
                    {(stock > 0).then(|| view! {
                        <crate::orders::widgets::AddToCart slug=card.slug.clone() with_quantity=true max=stock />
                    })}
                    {card.exported_to.as_deref().filter(|c| *c == "GB").map(|_| view! {
                        <p class="product__export">{td!(i18n, catalog.product.export_note)}</p>
                    })}
                </div>
            </div>
            <section class="product__description" aria-labelledby="description-title">
                <h2 id="description-title">{td!(i18n, catalog.product.description)}</h2>
                <p>
                    <Localized text=desc_text mark_fallback=true />
                </p>
            </section>
            {certificate.map(|c| view! { <CertificatePanel certificate=c /> })}
            <TraceBlock
                code=trace_code
                inquiry=format!(
                    "{}?product={}",
                    crate::inquiries::api::inquiry_path(&card.cooperative_slug),
                    card.slug,
                )
            />
            <crate::orders::widgets::ProductReviews product_id />
            {(!listings.is_empty()).then(|| view! {
                <section class="product__listings" aria-labelledby="listings-title">
                    <h2 id="listings-title">{td!(i18n, catalog.product.listings)}</h2>
                    <ul class="product__listing-list">
                        {listings.into_iter().map(|l| view! {
                            <li>
                                <a href=l.url rel="nofollow noopener external" target="_blank">{l.channel.label()}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {show_related.then(|| view! {
                <section class="product__related" aria-labelledby="related-title">
                    <h2 id="related-title">{td!(i18n, catalog.product.related)}</h2>
                    <ProductGrid items=related />
                </section>
            })}
        </article>
    }
}

#[component]
pub fn CooperativePage() -> impl IntoView {
    let detail = Resource::new(use_slug(), fetch_cooperative);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                page_or_error(detail.await, |d| view! { <CooperativeView detail=d /> }.into_any())
            })}
        </Suspense>
    }
}

#[component]
fn CooperativeView(detail: CooperativeDetail) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let CooperativeDetail { summary, story, commune, is_demo, logo_url, products, contact } = detail;
    let title = {
        let name = summary.name.clone();
        move || name.best(lang.get())
    };
    let description = {
        let s = story.clone();
        move || s.best(lang.get()).chars().take(160).collect::<String>()
    };
    let url = format!("{}/c/{}", site_url(), summary.slug);
    let count = summary.product_count;
    view! {
        <Title text=title() />
        <Meta name="description" content=description />
        <Link rel="canonical" href=url />
        <article class="coop">
            <header class="coop__header">
                {logo_url.map(|src| view! { <img class="coop__logo" src=src alt="" width="96" height="96" /> })}
                <h1 class="coop__name">
                    <Localized text=summary.name.clone() mark_fallback=true />
                </h1>
                <p class="coop__meta">
                    {summary.district.map(|d| view! { <Localized text=d /> })}
                    {commune.map(|c| format!(" · {c}"))}
                    {is_demo.then(|| view! { " " <DemoMark /> })}
                </p>
            </header>
            <section class="coop__story" aria-labelledby="story-title">
                <h2 id="story-title">{td!(i18n, catalog.coop.story)}</h2>
                <p>
                    <Localized text=story mark_fallback=true />
                </p>
            </section>
            <ContactLinks contact />
            <section class="coop__products" aria-labelledby="coop-products-title">
                <h2 id="coop-products-title">{td!(i18n, catalog.coop.products, n = count)}</h2>
                <ProductGrid items=products />
            </section>
        </article>
    }
}

/// The product's photos: the cover large, the others as thumbnails linking to their large
/// rendition. Without photos, the group's illustration.
#[component]
fn ProductGallery<A>(photos: Vec<crate::media::model::Photo>, fallback: String, alt: A) -> impl IntoView
where
    A: Fn() -> String + Clone + Send + Sync + 'static,
{
    let mut photos = photos.into_iter();
    let cover = photos.next();
    let rest: Vec<_> = photos.collect();
    let main = match cover {
        Some(p) => view! {
            <img
                class="product__image"
                src=p.large_url.clone()
                srcset=format!("{} 400w, {} 1200w", p.small_url, p.large_url)
                sizes="(min-width: 56.25em) 50vw, 100vw"
                alt=alt.clone()
                width=p.width.min(1200).to_string()
                height=(p.height * p.width.min(1200) / p.width.max(1)).to_string()
            />
        }
        .into_any(),
        None => {
            view! { <img class="product__image" src=fallback alt=alt.clone() width="800" height="600" /> }
                .into_any()
        }
    };
    view! {
        <div class="product__gallery">
            {main}
            {(!rest.is_empty()).then(|| view! {
                <ul class="product__thumbs">
                    {rest.into_iter().map(|p| {
                        let alt = alt.clone();
                        view! {
                            <li>
                                <a href=p.large_url.clone()>
                                    <img src=p.small_url.clone() alt=alt width="120" height="90" loading="lazy" />
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}
