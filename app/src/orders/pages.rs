//! Cart, checkout, confirmation, the shopper's orders, and the cooperative's order inbox.
//!
//! Every page renders on the server and every form is a plain form post first, so the whole
//! path from "add to cart" to a placed order works without JavaScript. The checkout form is an
//! island: hydrated, it shows progress and cannot be sent twice.
use crate::coops::contact::ContactLinks;
use crate::notifications::bell::NewOrdersLive;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::*;
use super::model::*;
use crate::accounts::guards::SignedIn;
use crate::accounts::model::{Membership, Viewer};
use crate::coops::frame::{Dashboard, MemberOnly};
use crate::error::AppError;
use crate::i18n::{td, td_string};
use crate::lang::use_locale;
use crate::lang::{Localized, use_lang};
use crate::ui::dates::format_datetime;
use crate::ui::forms::{FieldMessage, FormAlert, TextField, action_error, field_error};
use crate::ui::layout::Loaded;
use crate::ui::money::format_vnd;

// ---------------------------------------------------------------------------------------------
// Shared pieces

#[component]
fn StatusBadge(status: Status) -> impl IntoView {
    let i18n = use_locale();
    let label = move || match status {
        Status::Pending => td_string!(i18n, orders.status.pending),
        Status::Confirmed => td_string!(i18n, orders.status.confirmed),
        Status::Shipped => td_string!(i18n, orders.status.shipped),
        Status::Delivered => td_string!(i18n, orders.status.delivered),
        Status::Cancelled => td_string!(i18n, orders.status.cancelled),
    };
    view! { <span class=format!("status status--{}", status.key()) data-status=status.key()>{label}</span> }
}

#[component]
fn PaymentLabel(payment: Payment) -> impl IntoView {
    let i18n = use_locale();
    move || match payment {
        Payment::Cod => td_string!(i18n, orders.payment.cod),
        Payment::BankTransfer => td_string!(i18n, orders.payment.bank_transfer),
    }
}

/// The VietQR code and the account it pays, for a bank-transfer order.
#[component]
fn TransferPanel(transfer: TransferDetails, amount_vnd: i64) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <div class="transfer">
            <div class="transfer__qr" role="img" aria-label=move || td_string!(i18n, orders.transfer.qr_label)
                inner_html=transfer.qr_svg></div>
            <dl class="transfer__facts">
                <dt>{td!(i18n, orders.transfer.bank)}</dt>
                <dd>{transfer.bank}</dd>
                <dt>{td!(i18n, orders.transfer.account)}</dt>
                <dd class="transfer__account">{transfer.account}</dd>
                <dt>{td!(i18n, orders.transfer.holder)}</dt>
                <dd>{transfer.holder}</dd>
                <dt>{td!(i18n, orders.transfer.amount)}</dt>
                <dd>{format_vnd(amount_vnd)}</dd>
                <dt>{td!(i18n, orders.transfer.purpose)}</dt>
                <dd class="transfer__purpose">{transfer.purpose}</dd>
            </dl>
            <p class="transfer__hint">{td!(i18n, orders.transfer.hint)}</p>
        </div>
    }
}

/// Why a line cannot be bought, as precisely as the checkout knows it: "you asked for 3, 1
/// left", or "out of stock" when none are left.
#[component]
fn LineProblemText(problem: LineProblem) -> impl IntoView {
    let i18n = use_locale();
    move || match problem {
        LineProblem::Unavailable => td_string!(i18n, orders.cart.unavailable).to_string(),
        LineProblem::OutOfStock { requested } => {
            td_string!(i18n, orders.errors.short_line_none, requested = requested).to_string()
        }
        LineProblem::Short { requested, left } => {
            td_string!(i18n, orders.errors.short_line, requested = requested, available = left).to_string()
        }
    }
}

/// What went wrong with an order action: which products ran short, or the form alert (a refused
/// move has its own sentence there).
#[component]
fn OrderAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    move || match error.get() {
        Some(AppError::OutOfStock(short)) => view! {
            <div class="form-alert" role="alert" data-testid="out-of-stock">
                <p>{td!(i18n, orders.errors.out_of_stock)}</p>
                <ul>
                    {short.into_iter().map(|s| {
                        let name = s.name.clone();
                        view! {
                            <li>
                                {move || name.best(lang.get())} ": " <LineProblemText problem=s.problem() />
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        }
        .into_any(),
        // A refused move, and the rest: the form alert, which names each refusal.
        _ => view! { <FormAlert error /> }.into_any(),
    }
}

// ---------------------------------------------------------------------------------------------
// Cart

#[component]
pub fn CartPage() -> impl IntoView {
    let i18n = use_locale();
    let cart = Resource::new(|| (), |_| fetch_cart());
    let query = use_query_map();
    let error_query = query.with_untracked(|q| q.get("__err").is_some());
    view! {
        <Title text=td_string!(i18n, orders.cart.title).to_string() />
        <Meta name="robots" content="noindex" />
        <section class="cart-page">
            <h1>{td!(i18n, orders.cart.title)}</h1>
            <CartErrors shown=error_query />
            <Loaded resource=cart view=|cart: Cart| view! { <CartView cart /> } />
        </section>
    }
}

/// The error of a plain cart form post, which the server put in the address.
#[component]
fn CartErrors(shown: bool) -> impl IntoView {
    let add = ServerAction::<AddToCartBySlug>::new();
    let set = ServerAction::<SetCartQuantity>::new();
    let add_error = action_error(add.value());
    let set_error = action_error(set.value());
    let error = Signal::derive(move || add_error.get().or_else(|| set_error.get()));
    let quantity = field_error(error, "quantity");
    shown.then(|| {
        view! {
            {move || quantity.get().map(|code| view! {
                <p class="form-alert" role="alert"><FieldMessage code /></p>
            })}
        }
    })
}

#[component]
fn CartView(cart: Cart) -> impl IntoView {
    let i18n = use_locale();
    if cart.is_empty() {
        return view! {
            <div class="empty-state">
                <p>{td!(i18n, orders.cart.empty)}</p>
                <a class="button" href="/products">{td!(i18n, orders.cart.browse)}</a>
            </div>
        }
        .into_any();
    }
    let ready = cart.ready();
    let changes = cart.has_changes();
    view! {
        {changes.then(|| view! {
            <p class="notice notice--warning" role="status">{td!(i18n, orders.cart.changed)}</p>
        })}
        <div class="cart">
            <div class="cart__groups">
                {cart.groups.into_iter().map(|g| view! { <CartGroupView group=g /> }).collect_view()}
            </div>
            <aside class="cart__summary" aria-labelledby="cart-summary-title">
                <h2 id="cart-summary-title">{td!(i18n, orders.cart.summary)}</h2>
                <dl class="totals">
                    <dt>{td!(i18n, orders.cart.items, n = cart.item_count)}</dt>
                    <dd>{format_vnd(cart.subtotal_vnd)}</dd>
                    <dt>{td!(i18n, orders.cart.shipping)}</dt>
                    <dd>{format_vnd(cart.shipping_vnd)}</dd>
                    <dt class="totals__grand">{td!(i18n, orders.cart.total)}</dt>
                    <dd class="totals__grand" data-testid="cart-total">{format_vnd(cart.total_vnd)}</dd>
                </dl>
                <p class="field__hint">
                    {td!(i18n, orders.cart.shipping_rule)}
                </p>
                {if ready {
                    view! { <a class="button button--wide" href="/checkout">{td!(i18n, orders.cart.checkout)}</a> }.into_any()
                } else {
                    view! { <p class="notice notice--warning">{td!(i18n, orders.cart.fix_first)}</p> }.into_any()
                }}
            </aside>
        </div>
    }
    .into_any()
}

#[component]
fn CartGroupView(group: CartGroup) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    view! {
        <section class="cart-group">
            <h2 class="cart-group__title">
                <a href=format!("/c/{}", group.cooperative_slug)><Localized text=group.cooperative /></a>
            </h2>
            <ul class="cart-lines">
                {group.lines.into_iter().map(|line| {
                    let name = line.name.clone();
                    let href = format!("/p/{}", line.slug);
                    let warn = !line.ready();
                    view! {
                        <li class="cart-line" class:cart-line--warn=warn data-product=line.slug.clone()>
                            <a class="cart-line__name" href=href>
                                {move || name.best(lang.get())}
                            </a>
                            <span class="cart-line__price">
                                {format_vnd(line.unit_price_vnd)} " / " <Localized text=line.unit.clone() />
                                {line.previous_price_vnd.map(|p| view! {
                                    <span class="cart-line__was">{td!(i18n, orders.cart.was, price = format_vnd(p))}</span>
                                })}
                            </span>
                            {line.problem().map(|problem| view! {
                                <span class="cart-line__problem" data-testid="line-problem">
                                    {move || match problem {
                                        LineProblem::Unavailable => td_string!(i18n, orders.cart.unavailable).to_string(),
                                        LineProblem::OutOfStock { .. } => td_string!(i18n, orders.cart.out_of_stock).to_string(),
                                        LineProblem::Short { left, .. } => td_string!(i18n, orders.cart.only_left, n = left).to_string(),
                                    }}
                                </span>
                            })}
                            <form class="cart-line__quantity" method="post" action=SetCartQuantity::PATH>
                                <input type="hidden" name="product_id" value=line.product_id />
                                <label>
                                    <span class="visually-hidden">{td!(i18n, orders.cart.quantity)}</span>
                                    <input type="number" name="quantity" value=line.quantity min="0" max=MAX_QUANTITY />
                                </label>
                                <button class="button button--small button--secondary" type="submit">{td!(i18n, orders.cart.update)}</button>
                            </form>
                            <form class="cart-line__remove" method="post" action=SetCartQuantity::PATH>
                                <input type="hidden" name="product_id" value=line.product_id />
                                <input type="hidden" name="quantity" value="0" />
                                <button class="button button--small button--secondary" type="submit">{td!(i18n, orders.cart.remove)}</button>
                            </form>
                            <span class="cart-line__total">{format_vnd(line.unit_price_vnd * line.quantity)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <dl class="totals totals--group">
                <dt>{td!(i18n, orders.cart.subtotal)}</dt>
                <dd>{format_vnd(group.subtotal_vnd)}</dd>
                <dt>{td!(i18n, orders.cart.shipping)}</dt>
                <dd>{format_vnd(group.shipping_vnd)}</dd>
            </dl>
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// Checkout

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, orders.checkout.title).to_string() />
        <Meta name="robots" content="noindex" />
        <SignedIn page=move |_viewer: Viewer| {
            // Shipping is quoted to the province in the address (`?province=`), or to the one a
            // refused plain form carried, so the page shows what the order would be charged.
            let province = use_query_map()
                .with_untracked(|q| q.get("province"))
                .or_else(|| crate::ui::forms::refilled("form[address][province]"))
                .unwrap_or_default();
            let data = Resource::new(move || province.clone(), fetch_checkout);
            view! {
                <section class="checkout-page">
                    <h1>{td!(i18n, orders.checkout.title)}</h1>
                    <Loaded resource=data view=|data: CheckoutData| {
                        if data.cart.is_empty() {
                            view! { <CartView cart=data.cart /> }.into_any()
                        } else if !data.cart.ready() {
                            view! { <CheckoutBlocked cart=data.cart /> }.into_any()
                        } else {
                            view! { <CheckoutForm data /> }.into_any()
                        }
                    } />
                </section>
            }
        } />
    }
}

/// The checkout when the cart cannot be ordered as it is: each line that stops it, and why. A
/// checkout refused as a plain form post (no JavaScript) lands here, its error in the address,
/// and says that nothing was ordered.
#[component]
fn CheckoutBlocked(cart: Cart) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let refused = ServerAction::<PlaceOrder>::new()
        .value()
        .with_untracked(|v| matches!(v, Some(Err(AppError::OutOfStock(_)))));
    let problems: Vec<(crate::lang::Text, LineProblem)> =
        cart.lines().filter_map(|l| l.problem().map(|p| (l.name.clone(), p))).collect();
    view! {
        <div class="notice notice--warning" role="alert" data-testid="checkout-blocked">
            <p>
                {move || if refused {
                    td_string!(i18n, orders.errors.out_of_stock).to_string()
                } else {
                    td_string!(i18n, orders.checkout.blocked).to_string()
                }}
            </p>
            <ul>
                {problems
                    .into_iter()
                    .map(|(name, problem)| {
                        view! {
                            <li data-testid="blocked-line">
                                {move || name.best(lang.get())} ": " <LineProblemText problem />
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
        <a class="button" href="/cart">{td!(i18n, orders.checkout.back_to_cart)}</a>
    }
}

/// The checkout form. It carries the cart it was shown with and a key of its own, so a
/// resubmission finds the orders it already made instead of making new ones.
#[island(lazy)]
fn CheckoutForm(data: CheckoutData) -> impl IntoView {
    crate::ui::lazy::preload_island("checkout_form");
    let i18n = use_locale();
    let lang = use_lang();
    let place = ServerAction::<PlaceOrder>::new();
    let error = action_error(place.value());
    let province_error = field_error(error, "province");
    let payment_error = field_error(error, "payment");
    Effect::new(move |_| {
        if let Some(Ok(receipt)) = place.value().get() {
            let _ = window().location().assign(&format!("/orders/placed/{}", receipt.checkout_id));
        }
    });
    let busy = move || place.pending().get() || place.value().with(|v| matches!(v, Some(Ok(_))));
    let CheckoutData { cart, address: a, idempotency_key, transfer_available } = data;
    // The cart as shown, with its prices: refused because a price changed, the form shows the
    // new totals (and will carry the new prices) while everything typed stays.
    let shown = RwSignal::new(cart);
    let province = a.province.clone();
    let chosen = RwSignal::new(province.clone());
    // The cart again, quoted to the chosen province: after the shopper picks another one, and
    // after a refusal because a price or the shipping changed.
    let requote = move || {
        let to = chosen.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = fetch_checkout(to).await {
                shown.set(fresh.cart);
            }
        });
    };
    Effect::new(move |_| {
        use crate::error::ConflictCode::{PricesChanged, ShippingChanged};
        if place.value().with(|v| {
            matches!(v, Some(Err(AppError::Conflict(code))) if *code == PricesChanged || *code == ShippingChanged)
        }) {
            requote();
        }
    });
    let lines = move || shown.with(Cart::submitted_lines);
    let shipping_shown = move || shown.with(|c| c.shipping_vnd).to_string();
    view! {
        <ActionForm action=place attr:class="form checkout">
            <input type="hidden" name="form[idempotency_key]" value=idempotency_key />
            <input type="hidden" name="form[lines]" value=lines />
            <input type="hidden" name="form[shipping_vnd]" value=shipping_shown />
            <OrderAlert error />
            <div class="checkout__layout">
                <fieldset class="form__group checkout__address">
                    <legend>{td!(i18n, orders.checkout.address)}</legend>
                    <TextField field="full_name" prefix="form[address]" autocomplete="name" required=true value=a.full_name error>
                        {td!(i18n, orders.address.full_name)}
                    </TextField>
                    <TextField field="phone" prefix="form[address]" kind="tel" autocomplete="tel" required=true value=a.phone error
                        hint=ViewFn::from(move || td_string!(i18n, orders.address.phone_hint))>
                        {td!(i18n, orders.address.phone)}
                    </TextField>
                    <div class="field" class:field--invalid=move || province_error.with(Option::is_some)>
                        <label class="field__label" for="field-province">{td!(i18n, orders.address.province)}</label>
                        <select
                            class="field__input"
                            id="field-province"
                            name="form[address][province]"
                            required
                            on:change=move |ev| {
                                chosen.set(event_target_value(&ev));
                                requote();
                            }
                        >
                            <option value="">{td!(i18n, orders.address.choose_province)}</option>
                            {PROVINCES.into_iter().map(|p| view! {
                                <option value=p selected=province == p>{p}</option>
                            }).collect_view()}
                        </select>
                        {move || province_error.get().map(|code| view! { <p class="field__error"><FieldMessage code /></p> })}
                    </div>
                    <TextField field="district" prefix="form[address]" value=a.district error
                        hint=ViewFn::from(move || td_string!(i18n, orders.address.district_hint))>
                        {td!(i18n, orders.address.district)}
                    </TextField>
                    <TextField field="commune" prefix="form[address]" required=true value=a.commune error>
                        {td!(i18n, orders.address.commune)}
                    </TextField>
                    <TextField field="street" prefix="form[address]" autocomplete="street-address" required=true value=a.street error>
                        {td!(i18n, orders.address.street)}
                    </TextField>
                    <TextField field="note" prefix="form" multiline=true error>
                        {td!(i18n, orders.checkout.note)}
                    </TextField>
                </fieldset>
                <div class="checkout__side">
                    <fieldset class="form__group checkout__payment" class:field--invalid=move || payment_error.with(Option::is_some)>
                        <legend>{td!(i18n, orders.checkout.payment)}</legend>
                        <label class="choice">
                            <input type="radio" name="form[payment]" value="cod" checked=true />
                            <span>{td!(i18n, orders.payment.cod)}</span>
                        </label>
                        <label class="choice" class:choice--disabled={!transfer_available}>
                            <input type="radio" name="form[payment]" value="bank_transfer" disabled={!transfer_available} />
                            <span>{td!(i18n, orders.payment.bank_transfer)}</span>
                        </label>
                        {(!transfer_available).then(|| view! {
                            <p class="field__hint">{td!(i18n, orders.checkout.transfer_unavailable)}</p>
                        })}
                        {move || payment_error.get().map(|code| view! { <p class="field__error"><FieldMessage code /></p> })}
                    </fieldset>
                    <section class="checkout__summary" aria-labelledby="checkout-summary-title">
                        <h2 id="checkout-summary-title">{td!(i18n, orders.checkout.summary)}</h2>
                        {move || shown.get().groups.into_iter().map(|g| {
                            let coop = g.cooperative.clone();
                            view! {
                                <div class="checkout__order">
                                    <h3>{move || coop.best(lang.get())}</h3>
                                    <ul>
                                        {g.lines.into_iter().map(|l| {
                                            let name = l.name.clone();
                                            view! {
                                                <li>
                                                    <span>{move || name.best(lang.get())} " × " {l.quantity}</span>
                                                    <span>{format_vnd(l.line_total())}</span>
                                                </li>
                                            }
                                        }).collect_view()}
                                        <li class="checkout__shipping" data-testid="checkout-shipping">
                                            <span>
                                                {td!(i18n, orders.cart.shipping)}
                                                {g.shipping.map(|q| view! { " " <small>"(" <ParcelNote quote=q /> ")"</small> })}
                                            </span>
                                            <span>{format_vnd(g.shipping_vnd)}</span>
                                        </li>
                                    </ul>
                                </div>
                            }
                        }).collect_view()}
                        <p class="checkout__total">
                            <span>{td!(i18n, orders.cart.total)}</span>
                            <strong>{move || format_vnd(shown.with(|c| c.total_vnd))}</strong>
                        </p>
                        <button class="button button--wide" type="submit" disabled=busy data-testid="place-order">
                            {move || if busy() {
                                td_string!(i18n, orders.checkout.placing)
                            } else {
                                td_string!(i18n, orders.checkout.place)
                            }}
                        </button>
                    </section>
                </div>
            </div>
        </ActionForm>
    }
}

/// How a parcel was priced: its weight and zone, or that it ships free.
#[component]
fn ParcelNote(quote: crate::orders::shipping::Quote) -> impl IntoView {
    use crate::orders::shipping::Zone;
    let i18n = use_locale();
    if quote.free {
        return td_string!(i18n, orders.cart.shipping_free).to_string();
    }
    let zone = match quote.zone {
        Zone::Province => td_string!(i18n, orders.cart.zone_province),
        Zone::Region => td_string!(i18n, orders.cart.zone_region),
        Zone::National => td_string!(i18n, orders.cart.zone_national),
    };
    td_string!(i18n, orders.cart.parcel, grams = crate::ui::money::group_thousands(quote.grams), zone = zone)
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Confirmation and the shopper's orders

#[component]
pub fn OrderPlacedPage() -> impl IntoView {
    let i18n = use_locale();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0));
    view! {
        <Title text=td_string!(i18n, orders.placed.title).to_string() />
        <Meta name="robots" content="noindex" />
        <SignedIn page=move |_viewer: Viewer| {
            let receipt = Resource::new(move || id, fetch_receipt);
            view! { <Loaded resource=receipt view=|r: Receipt| view! { <ReceiptView receipt=r /> } /> }
        } />
    }
}

#[component]
fn ReceiptView(receipt: Receipt) -> impl IntoView {
    let i18n = use_locale();
    let count = receipt.orders.len();
    view! {
        <section class="receipt">
            <h1>{td!(i18n, orders.placed.title)}</h1>
            <p class="receipt__lead">{td!(i18n, orders.placed.lead, n = count, total = format_vnd(receipt.total_vnd))}</p>
            <ol class="receipt__orders">
                {receipt.orders.into_iter().map(|o| view! {
                    <li class="receipt__order" data-testid="placed-order">
                        <h2>
                            <a href=format!("/orders/{}", o.number)>{o.number.clone()}</a>
                        </h2>
                        <p>
                            <Localized text=o.cooperative /> " · " {format_vnd(o.total_vnd)} " · "
                            <PaymentLabel payment=o.payment />
                        </p>
                        {o.transfer.map(|t| view! { <TransferPanel transfer=t amount_vnd=o.total_vnd /> })}
                    </li>
                }).collect_view()}
            </ol>
            <a class="button" href="/orders">{td!(i18n, orders.mine.title)}</a>
        </section>
    }
}

#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, orders.mine.title).to_string() />
        <Meta name="robots" content="noindex" />
        <SignedIn page=move |_viewer: Viewer| {
            let orders = Resource::new(|| (), |_| fetch_my_orders());
            view! {
                <section class="orders-page">
                    <h1>{td!(i18n, orders.mine.title)}</h1>
                    <Loaded resource=orders view={|orders: Vec<OrderSummary>| view! {
                        <OrderTable orders base="/orders" show_customer=false />
                    }} />
                </section>
            }
        } />
    }
}

#[component]
fn OrderTable(orders: Vec<OrderSummary>, base: &'static str, show_customer: bool) -> impl IntoView {
    let i18n = use_locale();
    if orders.is_empty() {
        return view! { <p class="empty-state">{td!(i18n, orders.mine.empty)}</p> }.into_any();
    }
    view! {
        <table class="data-table orders-table">
            <thead>
                <tr>
                    <th scope="col">{td!(i18n, orders.table.number)}</th>
                    <th scope="col">{td!(i18n, orders.table.date)}</th>
                    <th scope="col">
                        {if show_customer { td!(i18n, orders.table.customer).into_any() } else { td!(i18n, orders.table.cooperative).into_any() }}
                    </th>
                    <th scope="col">{td!(i18n, orders.table.items)}</th>
                    <th scope="col">{td!(i18n, orders.table.total)}</th>
                    <th scope="col">{td!(i18n, orders.table.status)}</th>
                </tr>
            </thead>
            <tbody>
                {orders.into_iter().map(|o| view! {
                    <tr data-order=o.number.clone()>
                        <td><a href=format!("{base}/{}", o.number)>{o.number.clone()}</a></td>
                        <td>{format_datetime(o.created_at)}</td>
                        <td>
                            {if show_customer { o.customer.clone().into_any() } else { view! { <Localized text=o.cooperative.clone() /> }.into_any() }}
                        </td>
                        <td>{o.item_count}</td>
                        <td>{format_vnd(o.total_vnd)}</td>
                        <td><StatusBadge status=o.status /></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn MyOrderPage() -> impl IntoView {
    let i18n = use_locale();
    let params = use_params_map();
    let number = params.with_untracked(|p| p.get("number").unwrap_or_default());
    view! {
        <Title text=td_string!(i18n, orders.detail.title).to_string() />
        <Meta name="robots" content="noindex" />
        <SignedIn page=move |_viewer: Viewer| {
            let number = number.clone();
            let order = Resource::new(move || number.clone(), fetch_my_order);
            view! {
                <Loaded resource=order view=|order: OrderDetail| view! {
                    <OrderView order back="/orders" actions=ViewFn::from(|| ()) />
                } />
            }
        } />
    }
}

/// An order: its lines, totals, address, payment, and the timeline of its events. `actions`
/// holds the buttons of whoever is looking.
#[component]
fn OrderView(order: OrderDetail, back: &'static str, actions: ViewFn) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let number = order.summary.number.clone();
    let shopper_cancel = back == "/orders" && order.next.contains(&Status::Cancelled);
    let review_back = format!("/orders/{number}");
    let a = order.address.clone();
    let total = order.summary.total_vnd;
    view! {
        <article class="order" data-testid="order" data-status=order.summary.status.key()>
            <nav class="breadcrumbs"><a href=back>{td!(i18n, orders.detail.all)}</a></nav>
            <header class="order__header">
                <h1>{td!(i18n, orders.detail.heading, number = number.clone())}</h1>
                <StatusBadge status=order.summary.status />
            </header>
            <p class="order__meta">
                <Localized text=order.summary.cooperative.clone() /> " · "
                {format_datetime(order.summary.created_at)} " · "
                <PaymentLabel payment=order.summary.payment />
            </p>
            {(!order.tracking_note.is_empty()).then(|| view! {
                <p class="order__tracking">
                    {td!(i18n, orders.detail.tracking)} ": "
                    {order.carrier.as_deref().and_then(crate::orders::shipping::carrier_name).filter(|n| *n != "—").map(|n| format!("{n} · "))}
                    <strong>{order.tracking_note.clone()}</strong>
                    {order.carrier.as_deref().and_then(|c| crate::orders::shipping::tracking_url(c, &order.tracking_note)).map(|url| view! {
                        " " <a href=url rel="noopener noreferrer" target="_blank" data-testid="tracking-link">{td!(i18n, orders.detail.track)}</a>
                    })}
                </p>
            })}
            <div class="order__layout">
                <section class="order__lines" aria-labelledby="order-lines-title">
                    <h2 id="order-lines-title">{td!(i18n, orders.detail.lines)}</h2>
                    <ul class="cart-lines">
                        {order.lines.into_iter().map(|l| {
                            let name = l.name.clone();
                            let back = review_back.clone();
                            view! {
                                <li class="cart-line">
                                    <a class="cart-line__name" href=format!("/p/{}", l.slug)>{move || name.best(lang.get())}</a>
                                    <span>{format_vnd(l.unit_price_vnd)} " × " {l.quantity}</span>
                                    <span class="cart-line__total">{format_vnd(l.line_total_vnd)}</span>
                                    {l.can_review.then(|| view! { <ReviewForm product_id=l.product_id back /> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <dl class="totals">
                        <dt>{td!(i18n, orders.cart.subtotal)}</dt>
                        <dd>{format_vnd(order.subtotal_vnd)}</dd>
                        <dt>{td!(i18n, orders.cart.shipping)}</dt>
                        <dd>{format_vnd(order.shipping_vnd)}</dd>
                        <dt class="totals__grand">{td!(i18n, orders.cart.total)}</dt>
                        <dd class="totals__grand" data-testid="order-total">{format_vnd(total)}</dd>
                    </dl>
                </section>
                <section class="order__side">
                    <h2>{td!(i18n, orders.detail.ship_to)}</h2>
                    <address class="order__address">
                        {a.full_name} <br /> {a.phone} <br /> {a.street} ", " {a.commune}
                        {(!a.district.is_empty()).then(|| format!(", {}", a.district))} ", " {a.province}
                    </address>
                    {(!order.note.is_empty()).then(|| view! { <p class="order__note">{order.note.clone()}</p> })}
                    {(order.summary.status == Status::Pending).then(|| order.transfer.clone()).flatten().map(|t| view! {
                        <h2>{td!(i18n, orders.transfer.title)}</h2>
                        <TransferPanel transfer=t amount_vnd=total />
                    })}
                    <PaymentView state=order.payment_state.clone() />
                    <ContactLinks contact=order.contact.clone() />
                    {shopper_cancel.then(|| view! { <CancelForm number=number.clone() /> })}
                    {actions.run()}
                </section>
            </div>
            <section class="timeline" aria-labelledby="timeline-title">
                <h2 id="timeline-title">{td!(i18n, orders.detail.timeline)}</h2>
                <ol class="timeline__events">
                    {order.events.into_iter().rev().map(|e| view! {
                        <li class="timeline__event" data-to=e.to.key()>
                            <StatusBadge status=e.to />
                            <time>{format_datetime(e.at)}</time>
                            <span class="timeline__actor">
                                {match e.actor_role.as_str() {
                                    "cooperative" => td!(i18n, orders.detail.by_cooperative, name = e.actor.clone()).into_any(),
                                    _ => td!(i18n, orders.detail.by_shopper, name = e.actor.clone()).into_any(),
                                }}
                            </span>
                            {(!e.note.is_empty()).then(|| view! { <span class="timeline__note">{e.note.clone()}</span> })}
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        </article>
    }
}

#[component]
fn CancelForm(number: String) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <form class="order__cancel" method="post" action=CancelMyOrder::PATH>
            <input type="hidden" name="number" value=number />
            <button class="button button--danger" type="submit">{td!(i18n, orders.detail.cancel)}</button>
        </form>
    }
}

#[component]
fn ReviewForm(product_id: i64, back: String) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <form class="review-form" method="post" action=AddReview::PATH>
            <input type="hidden" name="product_id" value=product_id />
            <input type="hidden" name="back" value=back />
            <label class="field__label">
                {td!(i18n, orders.review.rating)}
                <select class="field__input" name="rating" required>
                    {(1..=5).rev().map(|n| view! { <option value=n>{"★".repeat(n)}</option> }).collect_view()}
                </select>
            </label>
            <label class="field__label">
                {td!(i18n, orders.review.body)}
                <textarea class="field__input" name="body" rows="3" minlength=REVIEW_MIN_CHARS maxlength=REVIEW_MAX_CHARS required></textarea>
            </label>
            <button class="button button--small" type="submit">{td!(i18n, orders.review.submit)}</button>
        </form>
    }
}

// ---------------------------------------------------------------------------------------------
// The cooperative's orders

#[component]
pub fn CoopOrdersPage() -> impl IntoView {
    let i18n = use_locale();
    let query = use_query_map();
    let status = query.with_untracked(|q| q.get("status").unwrap_or_default());
    view! {
        <Title text=td_string!(i18n, orders.coop.title).to_string() />
        <MemberOnly page=move |membership: Membership| {
            let status = status.clone();
            let filter = status.clone();
            let orders = Resource::new(move || status.clone(), fetch_coop_orders);
            let cooperative_id = membership.cooperative_id;
            view! {
                <Dashboard membership>
                    <h1>{td!(i18n, orders.coop.title)}</h1>
                    <NewOrdersLive cooperative_id />
                    <nav class="filters" aria-label=move || td_string!(i18n, orders.coop.filter)>
                        <a class="chip" class:chip--on=filter.is_empty() href="/coop/orders">{td!(i18n, orders.coop.all)}</a>
                        {Status::ALL.into_iter().map(|s| view! {
                            <a class="chip" class:chip--on=filter == s.key() href=format!("/coop/orders?status={}", s.key())>
                                <StatusBadge status=s />
                            </a>
                        }).collect_view()}
                    </nav>
                    <Loaded resource=orders view={|orders: Vec<OrderSummary>| view! {
                        <OrderTable orders base="/coop/orders" show_customer=true />
                    }} />
                </Dashboard>
            }
        } />
    }
}

#[component]
pub fn CoopOrderPage() -> impl IntoView {
    let i18n = use_locale();
    let params = use_params_map();
    let number = params.with_untracked(|p| p.get("number").unwrap_or_default());
    let query = use_query_map();
    let failed = query.with_untracked(|q| q.get("__err").is_some());
    view! {
        <Title text=td_string!(i18n, orders.detail.title).to_string() />
        <MemberOnly page=move |membership: Membership| {
            let number = number.clone();
            let order = Resource::new(move || number.clone(), fetch_coop_order);
            view! {
                <Dashboard membership>
                    <MoveErrors shown=failed />
                    <Loaded resource=order view=|order: OrderDetail| {
                        let number = order.summary.number.clone();
                        let next = order.next.clone();
                        let paid = order.payment_state.clone();
                        let total = order.summary.total_vnd;
                        let cancelled = order.summary.status == Status::Cancelled;
                        view! {
                            <OrderView order back="/coop/orders" actions=ViewFn::from(move || view! {
                                <MoveForms number=number.clone() next=next.clone() />
                                <PaymentForms number=number.clone() state=paid.clone() total_vnd=total cancelled />
                            }) />
                        }
                    } />
                </Dashboard>
            }
        } />
    }
}

#[component]
fn MoveErrors(shown: bool) -> impl IntoView {
    let moved = ServerAction::<MoveOrder>::new();
    let error = action_error(moved.value());
    let note = field_error(error, "note");
    shown.then(|| {
        view! {
            {move || match note.get() {
                Some(code) => view! { <p class="form-alert" role="alert"><FieldMessage code /></p> }.into_any(),
                None => view! { <OrderAlert error /> }.into_any(),
            }}
        }
    })
}

/// One form per move the order allows from where it is.
#[component]
fn MoveForms(number: String, next: Vec<Status>) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <div class="order__moves">
            {next.into_iter().map(|to| {
                let label = move || match to {
                    Status::Confirmed => td_string!(i18n, orders.move_to.confirmed),
                    Status::Shipped => td_string!(i18n, orders.move_to.shipped),
                    Status::Delivered => td_string!(i18n, orders.move_to.delivered),
                    Status::Cancelled => td_string!(i18n, orders.move_to.cancelled),
                    Status::Pending => td_string!(i18n, orders.status.pending),
                };
                let note = match to {
                    Status::Shipped => Some((td_string!(i18n, orders.move_to.tracking), true)),
                    Status::Cancelled => Some((td_string!(i18n, orders.move_to.reason), false)),
                    _ => None,
                };
                view! {
                    <form class="order__move" method="post" action=MoveOrder::PATH data-move=to.key()>
                        <input type="hidden" name="number" value=number.clone() />
                        <input type="hidden" name="to" value=to.key() />
                        {(to == Status::Shipped).then(|| view! {
                            <label class="field__label">
                                {td!(i18n, orders.move_to.carrier)}
                                <select class="field__input" name="carrier">
                                    {crate::orders::shipping::CARRIERS.into_iter().map(|(key, name, _)| {
                                        let name = if key == "other" { td_string!(i18n, orders.move_to.other_carrier) } else { name };
                                        view! { <option value=key>{name}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                        })}
                        {match note {
                            Some((label, required)) => view! {
                                <label class="field__label">
                                    {label}
                                    <input class="field__input" type="text" name="note" maxlength="500" required=required />
                                </label>
                            }.into_any(),
                            None => view! { <input type="hidden" name="note" value="" /> }.into_any(),
                        }}
                        <button class=if to == Status::Cancelled { "button button--danger" } else { "button" } type="submit">
                            {label}
                        </button>
                    </form>
                }
            }).collect_view()}
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Payments

/// An order's payment: unpaid (overdue for a late transfer), paid (how much, when, how) or
/// refunded.
#[component]
fn PaymentView(state: super::payments::PaymentState) -> impl IntoView {
    use super::payments::{PaidVia, PaymentStatus};
    let i18n = use_locale();
    let label = match state.status {
        PaymentStatus::Unpaid => td_string!(i18n, orders.payments.unpaid),
        PaymentStatus::Paid => td_string!(i18n, orders.payments.paid),
        PaymentStatus::Refunded => td_string!(i18n, orders.payments.refunded),
    };
    let chip = match state.status {
        PaymentStatus::Paid => "chip chip--ok",
        PaymentStatus::Unpaid if state.overdue => "chip chip--danger",
        _ => "chip",
    };
    let how = state.via.map(|via| match via {
        PaidVia::Cod => td_string!(i18n, orders.payments.via_cod).to_string(),
        PaidVia::Manual => {
            td_string!(i18n, orders.payments.via_manual, who = state.by.clone().unwrap_or_default())
                .to_string()
        }
        PaidVia::Statement => td_string!(i18n, orders.payments.via_statement).to_string(),
    });
    let line = state.amount_vnd.zip(state.at).map(|(amount, at)| {
        td_string!(i18n, orders.payments.paid_line, amount = format_vnd(amount), at = format_datetime(at))
            .to_string()
    });
    view! {
        <p class="order__payment" data-testid="payment" data-payment=state.status.key()>
            {td!(i18n, orders.payments.state)} ": "
            <span class=chip>{label}</span>
            {state.overdue.then(|| view! { " " <span class="chip chip--danger">{td!(i18n, orders.payments.overdue)}</span> })}
            {line.map(|l| view! { <br /> {l} })}
            {how.map(|h| view! { " · " {h} })}
        </p>
    }
}

/// A member's payment actions on an order: record it paid by hand, or mark a cancelled, paid
/// order refunded.
#[component]
fn PaymentForms(
    number: String,
    state: super::payments::PaymentState,
    total_vnd: i64,
    cancelled: bool,
) -> impl IntoView {
    use super::payments::PaymentStatus;
    let i18n = use_locale();
    match state.status {
        PaymentStatus::Unpaid if !cancelled => view! {
            <form class="order__move" method="post" action=RecordPayment::PATH data-testid="record-payment">
                <input type="hidden" name="number" value=number />
                <label class="field__label">
                    {td!(i18n, orders.payments.record_amount)}
                    <input class="field__input" type="text" inputmode="numeric" name="amount" value=total_vnd required />
                </label>
                <button class="button" type="submit">{td!(i18n, orders.payments.record)}</button>
            </form>
        }
        .into_any(),
        PaymentStatus::Paid if cancelled => view! {
            <form class="order__move" method="post" action=RefundOrder::PATH>
                <input type="hidden" name="number" value=number />
                <button class="button button--secondary" type="submit">{td!(i18n, orders.payments.refund)}</button>
            </form>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

#[component]
pub fn CoopPaymentsPage() -> impl IntoView {
    let i18n = use_locale();
    let (import, error) =
        use_query_map().with_untracked(|q| (q.get("import").unwrap_or_default(), q.get("statement_error")));
    view! {
        <Title text=td_string!(i18n, orders.payments.title).to_string() />
        <MemberOnly page=move |membership: Membership| {
            let import = import.clone();
            let error = error.clone();
            let data = Resource::new(move || import.clone(), fetch_payments);
            view! {
                <Dashboard membership>
                    <h1>{td!(i18n, orders.payments.title)}</h1>
                    <p>{td!(i18n, orders.payments.lead)}</p>
                    <Loaded resource=data view=move |page: super::payments::PaymentsPage| {
                        view! { <PaymentsView page error=error.clone() /> }
                    } />
                </Dashboard>
            }
        } />
    }
}

#[component]
fn PaymentsView(page: super::payments::PaymentsPage, error: Option<String>) -> impl IntoView {
    use super::payments::Outcome;
    let i18n = use_locale();
    let outcome_label = move |o: Outcome| match o {
        Outcome::Matched => td_string!(i18n, orders.payments.matched),
        Outcome::AmountDiffers => td_string!(i18n, orders.payments.amount_differs),
        Outcome::AlreadyPaid => td_string!(i18n, orders.payments.already_paid),
        Outcome::UnknownNote => td_string!(i18n, orders.payments.unknown_note),
    };
    let result = page.import.map(|import| {
        view! {
            <section class="payments__result" aria-labelledby="statement-result">
                <h2 id="statement-result">{td_string!(i18n, orders.payments.result, file = import.filename.clone()).to_string()}</h2>
                <table class="data-table" data-testid="statement" tabindex="0" aria-labelledby="statement-result">
                    <thead>
                        <tr>
                            <th scope="col">{td!(i18n, orders.payments.line)}</th>
                            <th scope="col">{td!(i18n, orders.payments.date)}</th>
                            <th scope="col" class="data-table__num">{td!(i18n, orders.payments.amount)}</th>
                            <th scope="col">{td!(i18n, orders.payments.note)}</th>
                            <th scope="col">{td!(i18n, orders.payments.outcome)}</th>
                            <th scope="col">{td!(i18n, orders.payments.order)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {import.lines.into_iter().map(|l| {
                            let warn = !matches!(l.outcome, Outcome::Matched | Outcome::AlreadyPaid);
                            view! {
                                <tr data-testid="statement-line" data-outcome=l.outcome.key()>
                                    <td>{l.line_no}</td>
                                    <td>{l.booked_on.clone()}</td>
                                    <td class="data-table__num">{format_vnd(l.amount_vnd)}</td>
                                    <td>{l.note.clone()}</td>
                                    <td class:data-table__warn=warn>{outcome_label(l.outcome)}</td>
                                    <td>{l.order.map(|(number, total)| view! {
                                        <a href=format!("/coop/orders/{number}")>{number.clone()}</a> " (" {format_vnd(total)} ")"
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
    });
    let unpaid = if page.unpaid.is_empty() {
        view! { <p>{td!(i18n, orders.payments.none_unpaid)}</p> }.into_any()
    } else {
        view! {
            <ul class="payments__unpaid" data-testid="unpaid">
                {page.unpaid.into_iter().map(|o| view! {
                    <li data-order=o.number.clone()>
                        <a href=format!("/coop/orders/{}", o.number)>{o.number.clone()}</a>
                        " · " {o.customer} " · " {format_vnd(o.total_vnd)} " · " {format_datetime(o.created_at)}
                        {o.overdue.then(|| view! { " " <span class="chip chip--danger">{td!(i18n, orders.payments.overdue)}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let error = error.map(|code| {
        let code = crate::error::FieldCode::named(&code);
        view! { <p class="form-alert" role="alert"><FieldMessage code /></p> }
    });
    view! {
        <dl class="totals payments__figures">
            <dt>{td!(i18n, orders.payments.ordered_30d)}</dt>
            <dd data-testid="ordered-30d">{format_vnd(page.ordered_30d_vnd)}</dd>
            <dt>{td!(i18n, orders.payments.paid_30d)}</dt>
            <dd data-testid="paid-30d">{format_vnd(page.paid_30d_vnd)}</dd>
        </dl>
        <section aria-labelledby="statement-upload">
            <h2 id="statement-upload">{td!(i18n, orders.payments.upload_title)}</h2>
            <p>{td!(i18n, orders.payments.upload_lead)}</p>
            {error}
            <form class="form" method="post" action="/coop/payments/statement" enctype="multipart/form-data">
                <label class="field">
                    <span class="field__label">{td!(i18n, orders.payments.file)}</span>
                    <input class="field__input" type="file" name="statement" accept=".csv,.xlsx,text/csv" required />
                </label>
                <button class="button" type="submit">{td!(i18n, orders.payments.upload)}</button>
            </form>
        </section>
        {result}
        <section aria-labelledby="unpaid-title">
            <h2 id="unpaid-title">{td!(i18n, orders.payments.unpaid_title)}</h2>
            <p class="field__hint">{td_string!(i18n, orders.payments.overdue_rule, n = page.unpaid_after_days).to_string()}</p>
            {unpaid}
        </section>
    }
}
