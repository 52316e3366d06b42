//! Cart, checkout, order and review server functions. The cart belongs to the signed-in account,
//! or to the anonymous visitor's cart cookie; orders are reached only through the session's own
//! user (shopper) or cooperative (member), never through an id in the request alone.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::service::{self, CartOwner, Scope};
    pub use crate::accounts::auth::{
        auth_settings, current_viewer, redirect_plain_form, require_member, require_user, set_cookie,
    };
    pub use crate::clock::now_unix;
    pub use crate::db::use_db;
    pub use crate::error::respond;
    use cookie::{Cookie, SameSite};
    use leptos::prelude::use_context;

    pub const CART_COOKIE: &str = "ocop_cart";
    /// An anonymous cart lives this long after it was last changed.
    const CART_MAX_AGE_SECS: i64 = 30 * 24 * 3600;

    /// The token in the request's cart cookie.
    pub fn cart_token() -> Option<String> {
        let parts = use_context::<http::request::Parts>()?;
        crate::accounts::session::cookie_from_headers(&parts.headers, CART_COOKIE)
    }

    fn cart_cookie(value: &str, max_age: i64) -> String {
        Cookie::build((CART_COOKIE, value.to_owned()))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(auth_settings().secure_cookies)
            .path("/")
            .max_age(cookie::time::Duration::seconds(max_age))
            .build()
            .to_string()
    }

    /// Whose cart this request works on. An anonymous visitor gets a cart cookie when `create`.
    pub fn cart_owner(create: bool) -> Option<CartOwner> {
        if let Some(viewer) = current_viewer() {
            return Some(CartOwner::User(viewer.id));
        }
        if let Some(token) = cart_token() {
            return Some(CartOwner::Anonymous(crate::accounts::session::token_hash(&token)));
        }
        if !create {
            return None;
        }
        let (token, hash) = crate::accounts::session::new_token();
        set_cookie(cart_cookie(&token, CART_MAX_AGE_SECS));
        Some(CartOwner::Anonymous(hash))
    }

    /// After a login or sign-up: the anonymous cart joins the account's and its cookie goes.
    pub async fn adopt_anonymous_cart(
        db: &crate::db::Db,
        user_id: i64,
    ) -> Result<(), crate::error::AppError> {
        if let Some(token) = cart_token() {
            let hash = crate::accounts::session::token_hash(&token);
            service::merge_into_account(db, &hash, user_id, now_unix()).await?;
            set_cookie(cart_cookie("", 0));
        }
        Ok(())
    }

    /// A member's user id, and their cooperative's orders as the scope.
    pub fn member_scope() -> Result<(i64, Scope), crate::error::AppError> {
        let (viewer, coop) = require_member()?;
        Ok((viewer.id, Scope::Cooperative(coop.cooperative_id)))
    }
}
#[cfg(feature = "ssr")]
pub use ssr::adopt_anonymous_cart;
#[cfg(feature = "ssr")]
use ssr::*;

/// The cart as it is now; changed prices are pointed out once.
#[server(endpoint = "orders/cart", input = GetUrl)]
pub async fn fetch_cart() -> Result<Cart, AppError> {
    respond(async {
        match cart_owner(false) {
            Some(owner) => service::cart(&use_db()?, &owner).await,
            None => Ok(Cart::default()),
        }
    })
    .await
}

/// How many items are in the cart, for the header.
#[server(endpoint = "orders/cart_count", input = GetUrl)]
pub async fn fetch_cart_count() -> Result<i64, AppError> {
    respond(async {
        match cart_owner(false) {
            Some(owner) => Ok(service::cart_count(&use_db()?, &owner).await?),
            None => Ok(0),
        }
    })
    .await
}

/// Adds to the cart the product with this slug. A plain form post lands on the cart page.
#[server(endpoint = "orders/add_to_cart")]
pub async fn add_to_cart_by_slug(slug: String, quantity: i64) -> Result<(), AppError> {
    respond(async {
        let owner = cart_owner(true).ok_or(AppError::Internal)?;
        service::add_to_cart_by_slug(&use_db()?, &owner, &slug, quantity, now_unix()).await?;
        redirect_plain_form("/cart");
        Ok(())
    })
    .await
}

/// Sets a cart line's quantity (0 removes it).
#[server(endpoint = "orders/set_quantity")]
pub async fn set_cart_quantity(product_id: i64, quantity: i64) -> Result<(), AppError> {
    respond(async {
        match cart_owner(false) {
            Some(owner) => {
                service::set_quantity(&use_db()?, &owner, product_id, quantity, now_unix()).await?
            }
            None if quantity == 0 => {}
            None => return Err(AppError::NotFound),
        }
        redirect_plain_form("/cart");
        Ok(())
    })
    .await
}

/// The checkout page's data: the account's cart, the last address and a fresh form key.
#[server(endpoint = "orders/checkout_data", input = GetUrl)]
pub async fn fetch_checkout(#[server(default)] province: String) -> Result<CheckoutData, AppError> {
    respond(async {
        let viewer = require_user()?;
        let province = Some(province.trim()).filter(|p| !p.is_empty());
        service::checkout_data(&use_db()?, viewer.id, province).await
    })
    .await
}

/// Places the orders. The inputs are named `form[lines]`, `form[address][phone]` and so on.
#[server(endpoint = "orders/checkout")]
pub async fn place_order(form: CheckoutForm) -> Result<Receipt, AppError> {
    respond(async {
        let viewer = require_user()?;
        let receipt =
            service::checkout(&use_db()?, &crate::live::use_hub()?, viewer.id, &form, now_unix()).await?;
        redirect_plain_form(&format!("/orders/placed/{}", receipt.checkout_id));
        Ok(receipt)
    })
    .await
}

#[server(endpoint = "orders/receipt", input = GetUrl)]
pub async fn fetch_receipt(checkout_id: i64) -> Result<Receipt, AppError> {
    respond(async {
        let viewer = require_user()?;
        service::receipt(&use_db()?, viewer.id, checkout_id).await
    })
    .await
}

#[server(endpoint = "orders/mine", input = GetUrl)]
pub async fn fetch_my_orders() -> Result<Vec<OrderSummary>, AppError> {
    respond(async {
        let viewer = require_user()?;
        service::orders(&use_db()?, Scope::Shopper(viewer.id), None).await
    })
    .await
}

#[server(endpoint = "orders/my_order", input = GetUrl)]
pub async fn fetch_my_order(number: String) -> Result<OrderDetail, AppError> {
    respond(async {
        let viewer = require_user()?;
        service::order(&use_db()?, Scope::Shopper(viewer.id), &number).await
    })
    .await
}

/// The shopper cancels their own order while it is pending.
#[server(endpoint = "orders/cancel")]
pub async fn cancel_my_order(number: String) -> Result<(), AppError> {
    respond(async {
        let viewer = require_user()?;
        service::transition(
            &use_db()?,
            &crate::live::use_hub()?,
            viewer.id,
            Scope::Shopper(viewer.id),
            &number,
            Status::Cancelled,
            "",
            now_unix(),
        )
        .await?;
        redirect_plain_form(&format!("/orders/{number}"));
        Ok(())
    })
    .await
}

/// The cooperative's incoming orders; `status` is a status key or empty for all.
#[server(endpoint = "orders/coop_list", input = GetUrl)]
pub async fn fetch_coop_orders(status: String) -> Result<Vec<OrderSummary>, AppError> {
    respond(async {
        let (_, scope) = member_scope()?;
        service::orders(&use_db()?, scope, Status::from_key(status.trim())).await
    })
    .await
}

#[server(endpoint = "orders/coop_order", input = GetUrl)]
pub async fn fetch_coop_order(number: String) -> Result<OrderDetail, AppError> {
    respond(async {
        let (_, scope) = member_scope()?;
        service::order(&use_db()?, scope, &number).await
    })
    .await
}

/// A member moves one of their cooperative's orders: `to` is a status key, `note` the tracking
/// note (required to ship) or a reason.
#[server(endpoint = "orders/move")]
pub async fn move_order(
    number: String,
    to: String,
    note: String,
    #[server(default)] carrier: String,
) -> Result<(), AppError> {
    respond(async {
        let (user_id, scope) = member_scope()?;
        let to = Status::from_key(to.trim())
            .ok_or(AppError::Conflict(crate::error::ConflictCode::TransitionNotAllowed))?;
        let (db, hub) = (use_db()?, crate::live::use_hub()?);
        if to == Status::Shipped {
            service::ship(&db, &hub, user_id, scope, &number, &carrier, &note, now_unix()).await?;
        } else {
            service::transition(&db, &hub, user_id, scope, &number, to, &note, now_unix()).await?;
        }
        redirect_plain_form(&format!("/coop/orders/{number}"));
        Ok(())
    })
    .await
}

/// A review by a shopper who received the product.
#[server(endpoint = "orders/review")]
pub async fn add_review(product_id: i64, rating: i64, body: String, back: String) -> Result<(), AppError> {
    respond(async {
        let viewer = require_user()?;
        service::add_review(&use_db()?, viewer.id, product_id, rating, &body, now_unix()).await?;
        redirect_plain_form(crate::ui::next::safe_next(&back));
        Ok(())
    })
    .await
}

/// A product's rating and latest reviews (public).
#[server(endpoint = "orders/reviews", input = GetUrl)]
pub async fn fetch_reviews(product_id: i64) -> Result<Reviews, AppError> {
    respond(async { service::reviews(&use_db()?, product_id).await }).await
}

/// The cooperative's payments page: transfers waiting for money, a statement import's result.
#[server(endpoint = "orders/payments", input = GetUrl)]
pub async fn fetch_payments(import: String) -> Result<super::payments::PaymentsPage, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        let import = import.trim().parse::<i64>().ok();
        service::payments::payments_page(&use_db()?, coop.cooperative_id, import, now_unix()).await
    })
    .await
}

/// A member records an order's payment by hand (`amount` in dong, as received).
#[server(endpoint = "orders/record_payment")]
pub async fn record_payment(number: String, amount: String) -> Result<(), AppError> {
    respond(async {
        let (viewer, coop) = require_member()?;
        let amount = super::payments::parse_amount(&amount).unwrap_or(0);
        let hub = crate::live::use_hub()?;
        service::payments::record_payment(
            &use_db()?,
            &hub,
            viewer.id,
            coop.cooperative_id,
            &number,
            amount,
            now_unix(),
        )
        .await?;
        redirect_plain_form(&format!("/coop/orders/{number}"));
        Ok(())
    })
    .await
}

/// Marks a cancelled, paid order refunded.
#[server(endpoint = "orders/refund")]
pub async fn refund_order(number: String) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::payments::refund(&use_db()?, coop.cooperative_id, &number, now_unix()).await?;
        redirect_plain_form(&format!("/coop/orders/{number}"));
        Ok(())
    })
    .await
}
