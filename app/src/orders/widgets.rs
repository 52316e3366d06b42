//! The parts of the shop that other screens embed: the add-to-cart button (product cards and the
//! product page), the header's cart link, and the product's reviews.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::api::{AddToCartBySlug, fetch_cart_count, fetch_reviews};
use super::model::MAX_QUANTITY;
use crate::i18n::td;
use crate::lang::use_locale;
use crate::ui::dates::format_datetime;

/// "Add to cart": a plain form post, so it works on every page with or without JavaScript.
#[component]
pub fn AddToCart(
    slug: String,
    #[prop(optional)] with_quantity: bool,
    #[prop(default = 999)] max: i64,
) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <form class="add-to-cart" method="post" action=AddToCartBySlug::PATH>
            <input type="hidden" name="slug" value=slug />
            {if with_quantity {
                view! {
                    <label class="add-to-cart__quantity">
                        <span>{td!(i18n, orders.cart.quantity)}</span>
                        <input type="number" name="quantity" value="1" min="1" max=max.min(MAX_QUANTITY) required />
                    </label>
                }
                    .into_any()
            } else {
                view! { <input type="hidden" name="quantity" value="1" /> }.into_any()
            }}
            <button class="button add-to-cart__button" type="submit">
                {td!(i18n, orders.cart.add)}
            </button>
        </form>
    }
}

/// The header's cart link with the number of items.
#[component]
pub fn CartLink() -> impl IntoView {
    let i18n = use_locale();
    let count = Resource::new(|| (), |_| fetch_cart_count());
    view! {
        <a class="site-nav__link site-nav__cart" href="/cart">
            <svg class="site-nav__cart-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
                <path
                    d="M2.5 4h2.2l2.4 10.3c.1.4.5.7 1 .7h9.1c.4 0 .8-.3.9-.7L20.5 7H6"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="2"
                    stroke-linecap="round"
                    stroke-linejoin="round"
                />
                <circle cx="9" cy="19.5" r="1.6" fill="currentColor" />
                <circle cx="17" cy="19.5" r="1.6" fill="currentColor" />
            </svg>
            // Read out everywhere; shown from a small tablet up, where it fits.
            <span class="site-nav__cart-label">{td!(i18n, orders.cart.title)}</span>
            <Transition>
                {move || {
                    count.get().and_then(Result::ok).filter(|n| *n > 0).map(|n| {
                        view! { <span class="cart-count" data-testid="cart-count">{n}</span> }
                    })
                }}
            </Transition>
        </a>
    }
}

/// The product's rating and its reviews, each marked as a verified purchase.
#[component]
pub fn ProductReviews(product_id: i64) -> impl IntoView {
    let i18n = use_locale();
    let reviews = Resource::new(move || product_id, fetch_reviews);
    view! {
        <section class="reviews" aria-labelledby="reviews-title">
            <h2 id="reviews-title">{td!(i18n, orders.review.title)}</h2>
            <Suspense>
                {move || reviews.get().and_then(Result::ok).map(|r| {
                    if r.count == 0 {
                        return view! { <p>{td!(i18n, orders.review.none)}</p> }.into_any();
                    }
                    let average = format!("{}.{:02}", r.average_x100 / 100, r.average_x100 % 100);
                    view! {
                        <p class="reviews__summary" data-testid="rating">
                            <span class="reviews__stars" aria-hidden="true">{"★".repeat(((r.average_x100 + 50) / 100) as usize)}</span>
                            {td!(i18n, orders.review.summary, average = average.clone(), n = r.count)}
                        </p>
                        <ul class="reviews__list">
                            {r.reviews.into_iter().map(|rv| view! {
                                <li class="review">
                                    <p class="review__head">
                                        <span class="review__stars" aria-label=format!("{}/5", rv.rating)>{"★".repeat(rv.rating as usize)}</span>
                                        <strong>{rv.author}</strong>
                                        {rv.verified_purchase.then(|| view! { <span class="review__verified">{td!(i18n, orders.review.verified)}</span> })}
                                        <time>{format_datetime(rv.created_at)}</time>
                                    </p>
                                    <p class="review__body">{rv.body}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                })}
            </Suspense>
        </section>
    }
}
