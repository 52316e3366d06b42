//! The authorization matrix: every server function, called over HTTP through the real router
//! as each kind of user, on SQLite and on PostgreSQL. Each cell states the exact outcome, and a
//! refused call must leave every row as it was. A server function missing from the matrix fails
//! `every_server_function_is_in_the_matrix`.
#[path = "../../app/tests/common/mod.rs"]
mod common;

use app::accounts::service::{self as accounts, NewUser};
use app::coops::model::ProductForm;
use app::db::{Db, Sql};
use axum::Router;
use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use leptos::prelude::LeptosOptions;
use server::{AppState, build_router};
use tower::ServiceExt;

const NOW: i64 = 1_800_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Shopper,
    /// A member of an approved cooperative that does not own the target rows.
    OtherMember,
    /// A member of the cooperative that owns the target rows (Binh Minh).
    OwnerMember,
    Admin,
}

const EVERYONE: [Who; 5] = [Who::Anonymous, Who::Shopper, Who::OtherMember, Who::OwnerMember, Who::Admin];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Unauthorized,
    Forbidden,
    /// Someone else's order: it is not there for this caller (404, so its number leaks nothing).
    NotFound,
    /// Refused for its input whoever calls (a forged link, a wrong password): 422.
    Invalid,
    /// Allowed to ask, refused for the state of the thing (an order not yet refundable): 409.
    Conflict,
}
use Outcome::{Allowed as A, Conflict as C, Forbidden as F, Invalid as I, NotFound as N, Unauthorized as U};

/// What the cases need to refer to.
struct Fixture {
    router: Router,
    db: Db,
    product_id: i64,
    listing_id: i64,
    photo_id: i64,
    pending_coop_id: i64,
    store: app::media::store::MediaStore,
    /// A published Binh Minh product with stock, for carts and checkouts, and its price.
    shop_product_id: i64,
    shop_price: i64,
    /// The demo shopper's pending Binh Minh order, and the checkout it came from.
    order_number: String,
    checkout_id: i64,
    /// A product the demo shopper has received (a delivered order), so may review.
    delivered_product_id: i64,
    /// An anonymous visitor's chat with the Binh Minh booth.
    conversation_id: i64,
    /// An export inquiry to Binh Minh, new.
    lead_id: i64,
    /// A batch of the Binh Minh product above, on its traceability page.
    batch_id: i64,
    /// A Binh Minh booth schedule slot and team member (the product above is a pick of its booth).
    slot_id: i64,
    member_id: i64,
    /// A shopper account that only the admin console touches (role, disable).
    target_user_id: i64,
    /// Binh Minh, approved: the cooperative an admin may suspend.
    owner_coop_id: i64,
    /// The shopper's notice of their order (the receipt), and an email that failed for good.
    notice_id: i64,
    failed_mail_id: i64,
}

struct Case {
    method: Method,
    path: &'static str,
    /// The url-encoded arguments, for this caller.
    args: fn(&Fixture, Who) -> String,
    /// Outcomes for Anonymous, Shopper, OtherMember, OwnerMember, Admin.
    expect: [Outcome; 5],
}

fn password_of(who: Who) -> &'static str {
    match who {
        Who::Anonymous | Who::Shopper => "shopper-demo-2026",
        Who::OtherMember => "other member password",
        Who::OwnerMember => "member-demo-2026",
        Who::Admin => "admin-demo-2026",
    }
}

fn email_of(who: Who) -> &'static str {
    match who {
        Who::Anonymous | Who::Shopper => "shopper@ocop.demo",
        Who::OtherMember => "staff@hongphat.test",
        Who::OwnerMember => "binhminh@ocop.demo",
        Who::Admin => "admin@ocop.demo",
    }
}

fn tag(who: Who) -> String {
    format!("{who:?}").to_lowercase()
}

fn product_args(f: &Fixture, _: Who) -> String {
    format!(
        "id={}&form[name_vi]=Tr%C3%A0+m%E1%BB%9Bi&form[name_en]=New+tea&form[group]=beverages\
         &form[price_vnd]=1&form[stock]=1&form[weight_grams]=&form[slug]=&form[description_vi]=\
         &form[description_en]=&form[unit_vi]=&form[unit_en]=",
        f.product_id
    )
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            method: Method::POST,
            path: "/api/accounts/login",
            args: |_, who| {
                format!("email={}&password={}&next=", email_of(who), password_of(who).replace(' ', "+"))
            },
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/accounts/logout",
            args: |_, _| String::new(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/accounts/sign_up",
            args: |_, who| {
                format!("email=new-{}@example.vn&display_name=An&password=long+enough+password", tag(who))
            },
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/accounts/change_password",
            args: |_, who| {
                format!(
                    "current_password={}&new_password=a+brand+new+password",
                    password_of(who).replace(' ', "+")
                )
            },
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/accounts/apply",
            args: |_, who| {
                format!(
                    "form[name_vi]=HTX+{t}&form[name_en]=Coop+{t}&form[district]=na-hang&form[commune]=X\
                     &form[contact_name]=Lan&form[contact_phone]=0912345678&form[email]=apply-{t}%40example.vn\
                     &form[password]=long+enough+password",
                    t = tag(who)
                )
            },
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/accounts/viewer",
            args: |_, _| String::new(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/accounts/districts",
            args: |_, _| String::new(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/applications",
            args: |_, _| String::new(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/admin/review_application",
            args: |f, _| format!("cooperative_id={}&decision=Approve&note=", f.pending_coop_id),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/users",
            args: |_, _| "filter[q]=ocop&filter[role]=&filter[status]=".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/admin/user_role",
            args: |f, _| format!("user_id={}&role=Admin", f.target_user_id),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/admin/user_status",
            args: |f, _| format!("user_id={}&status=Disabled", f.target_user_id),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/certificates",
            args: |_, _| "filter[q]=&filter[stars]=4&filter[council]=&filter[state]=expiring".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/cooperatives",
            args: |_, _| "filter[q]=binh&filter[status]=approved".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/admin/cooperative_status",
            args: |f, _| {
                format!("cooperative_id={}&suspend=true&reason=H%E1%BB%93+s%C6%A1+sai", f.owner_coop_id)
            },
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/products",
            args: |_, _| "filter[q]=tra&filter[hidden]=".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/admin/product_visibility",
            args: |f, _| format!("product_id={}&hide=true&reason=%E1%BA%A2nh+sai", f.shop_product_id),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/dashboard",
            args: |_, _| {
                "filter[district]=&filter[group]=food&filter[stars]=4&filter[from]=&filter[to]=&lang=En"
                    .into()
            },
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/dashboard_charts",
            args: |_, _| {
                "filter[district]=ham-yen&filter[from]=2026-11-01&filter[to]=2026-11-30&lang=Vi".into()
            },
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/dashboard_live",
            args: |_, _| String::new(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/audit",
            args: |_, _| "filter[action]=user.role&filter[actor]=".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/coops/overview",
            args: |_, _| String::new(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/coops/products",
            args: |_, _| String::new(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/coops/product",
            args: |f, _| format!("id={}", f.product_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/coops/groups",
            args: |_, _| String::new(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/create_product",
            // Any member may create, always in their own cooperative.
            args: product_args,
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/update_product",
            args: product_args,
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/adjust_stock",
            args: |f, _| format!("product_id={}&stock[delta]=%2B2&stock[reason]=received", f.product_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/set_published",
            args: |f, _| format!("id={}&publish=false", f.product_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/delete_product",
            args: |f, _| format!("id={}", f.product_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/coops/profile",
            args: |_, _| String::new(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/update_profile",
            // Any member may edit a profile: always their own cooperative's.
            args: |_, _| {
                "form[story_vi]=C%C3%A2u+chuy%E1%BB%87n&form[story_en]=Story&form[district]=na-hang&form[commune]=\
                 &form[contact_name]=&form[contact_phone]=&form[contact_email]="
                    .into()
            },
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/move_photo",
            args: |f, _| format!("id={}&to=Later", f.photo_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/delete_photo",
            args: |f, _| format!("id={}", f.photo_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/save_certificate",
            args: |f, _| {
                format!(
                    "product_id={}&form[stars]=4&form[council]=provincial&form[decision_no]=1%2FQD\
                     &form[issued_on]=2025-01-02",
                    f.product_id
                )
            },
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/add_listing",
            args: |f, _| {
                format!("product_id={}&channel=Shopee&url=https%3A%2F%2Fshopee.vn%2Fx", f.product_id)
            },
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/coops/remove_listing",
            args: |f, _| format!("id={}", f.listing_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/catalog/home",
            args: |_, _| String::new(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/catalog/product",
            args: |_, _| "slug=tra-oi".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/catalog/cooperative",
            args: |_, _| "slug=binh-minh".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/catalog/products",
            // The one function that takes JSON (its query is a nested struct).
            args: |_, _| {
                r#"{"query":{"q":"tra","groups":[],"stars":[],"districts":[],"coops":[],"price_min":null,"price_max":null,"sort":"Relevance","page":1},"lang":"Vi"}"#.into()
            },
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/cart",
            args: |_, _| String::new(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/cart_count",
            args: |_, _| String::new(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/orders/add_to_cart",
            // A visitor's cart is their own (a cookie), so anyone may fill one.
            args: |_, _| "slug=tra-oi&quantity=1".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/orders/set_quantity",
            args: |f, _| format!("product_id={}&quantity=0", f.shop_product_id),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/checkout_data",
            args: |_, _| "province=H%C3%A0+N%E1%BB%99i".into(),
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/orders/checkout",
            args: |f, who| {
                format!(
                    "form[idempotency_key]=matrix-key-{}-0001&form[lines]={}:1%40{}&form[payment]=cod&form[note]=\
                     &form[address][full_name]=Lan&form[address][phone]=0912345678\
                     &form[address][province]=Tuy%C3%AAn+Quang&form[address][district]=\
                     &form[address][commune]=Minh+Xu%C3%A2n&form[address][street]=12+%C4%90%C6%B0%E1%BB%9Dng+17%2F8",
                    tag(who),
                    f.shop_product_id,
                    f.shop_price
                )
            },
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/receipt",
            args: |f, _| format!("checkout_id={}", f.checkout_id),
            expect: [U, A, N, N, N],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/mine",
            args: |_, _| String::new(),
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/my_order",
            args: |f, _| format!("number={}", f.order_number),
            expect: [U, A, N, N, N],
        },
        Case {
            method: Method::POST,
            path: "/api/orders/cancel",
            args: |f, _| format!("number={}", f.order_number),
            expect: [U, A, N, N, N],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/coop_list",
            args: |_, _| "status=".into(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/coop_order",
            args: |f, _| format!("number={}", f.order_number),
            expect: [U, F, N, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/orders/move",
            args: |f, _| format!("number={}&to=confirmed&note=", f.order_number),
            expect: [U, F, N, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/orders/review",
            // Only a buyer who received the product may review it.
            args: |f, _| {
                format!(
                    "product_id={}&rating=5&body=Tr%C3%A0+th%C6%A1m+ngon&back=%2F",
                    f.delivered_product_id
                )
            },
            expect: [U, A, F, F, F],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/reviews",
            args: |f, _| format!("product_id={}", f.delivered_product_id),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/booth",
            args: |_, _| "slug=binh-minh".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/live_fair",
            args: |f, _| format!("booth={}", f.owner_coop_id),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/my_chat",
            // Everyone gets their own conversation (none here), never someone else's.
            args: |_, _| "booth=1".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/inbox",
            // Each member gets their own cooperative's inbox.
            args: |_, _| String::new(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/thread",
            // The visitor's conversation (they hold its cookie, not these callers) and the booth's staff.
            args: |f, _| format!("id={}", f.conversation_id),
            expect: [N, N, N, A, N],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/booth_settings",
            args: |_, _| String::new(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/save_welcome",
            // A member edits their own cooperative's booth, whichever it is.
            args: |_, _| "form[welcome_vi]=Xin+ch%C3%A0o&form[welcome_en]=Hello".into(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/remove_banner",
            args: |_, _| String::new(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/pick",
            args: |f, _| format!("product_id={}", f.product_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/unpick",
            // Another member's booth has no such pick: nothing of Binh Minh's changes.
            args: |f, _| format!("product_id={}", f.product_id),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/move_pick",
            args: |f, _| format!("product_id={}&to=Cover", f.product_id),
            expect: [U, F, N, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/add_slot",
            args: |_, _| {
                "form[starts_at]=2027-02-01T09%3A00&form[title_vi]=Livestream&form[title_en]=&form[link]="
                    .into()
            },
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/delete_slot",
            args: |f, _| format!("id={}", f.slot_id),
            expect: [U, F, N, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/add_member",
            args: |_, _| "form[name]=Lan&form[role_vi]=&form[role_en]=&form[on_duty]=".into(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/delete_member",
            args: |f, _| format!("id={}", f.member_id),
            expect: [U, F, N, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/list",
            args: |_, _| String::new(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/running",
            args: |_, _| String::new(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/hall",
            args: |_, _| "slug=tuyen-quang-ocop-online-fair-2026&q=ch%C3%A8&district=&group=".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/form",
            args: |_, _| "draft=".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/create",
            args: |_, _| {
                "form[name_vi]=H%E1%BB%99i+ch%E1%BB%A3+ch%C3%A8&form[name_en]=Tea+fair&form[description_vi]=\
                 &form[description_en]=&form[starts_at]=2027-02-01T08%3A00&form[ends_at]=2027-02-03T20%3A00\
                 &form[booths][binh-minh]=on&form[booths][hong-phat]=on"
                    .into()
            },
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/admin_list",
            args: |_, _| String::new(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/fairs/edit_form",
            args: |_, _| "slug=tuyen-quang-export-week&draft=".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/update",
            args: |_, _| {
                "slug=tuyen-quang-export-week&form[name_vi]=Tu%E1%BA%A7n+xu%E1%BA%A5t+kh%E1%BA%A9u\
                 &form[name_en]=Export+week&form[description_vi]=&form[description_en]=\
                 &form[starts_at]=2027-02-01T08%3A00&form[ends_at]=2027-02-03T20%3A00&form[booths][binh-minh]=on"
                    .into()
            },
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/fairs/set_open",
            args: |_, _| "slug=tuyen-quang-export-week&open=true".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/inquiries/send",
            args: |_, who| {
                format!(
                    "form[booth]=binh-minh&form[company]=Buyer+{}&form[country]=UK&form[contact_name]=A&\
                     form[email]=a%40b.example&form[quantity]=10&form[quantity_unit]=kg&form[incoterm]=FOB&\
                     form[message]=Ten+kilos+of+tea+please&form[website]=",
                    tag(who)
                )
            },
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/inquiries/page",
            args: |_, _| "booth=binh-minh&product=&draft=".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/inquiries/leads",
            args: |_, _| "status=".into(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/inquiries/lead",
            args: |f, _| format!("id={}", f.lead_id),
            expect: [U, F, N, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/inquiries/move",
            args: |f, _| format!("id={}&to=replied&note=", f.lead_id),
            expect: [U, F, N, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/inquiries/note",
            args: |f, _| format!("id={}&note=Called+back", f.lead_id),
            expect: [U, F, N, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/inquiries/all",
            args: |_, _| "status=".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/trace/product",
            // Asking gives the product its trace code: only its own cooperative may.
            args: |f, _| format!("product_id={}", f.product_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/trace/add_batch",
            args: |f, _| {
                format!(
                    "product_id={}&form[batch_code]=L%C3%B4+2&form[produced_on]=2026-01-10\
                     &form[notes_vi]=V%E1%BB%A5+%C4%91%C3%B4ng&form[notes_en]=",
                    f.product_id
                )
            },
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/trace/delete_batch",
            args: |f, _| format!("id={}", f.batch_id),
            expect: [U, F, F, A, F],
        },
        Case {
            method: Method::GET,
            path: "/api/search/suggest",
            args: |_, _| "q=tra".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/notifications/unread",
            args: |_, _| String::new(),
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/notifications/list",
            args: |_, _| String::new(),
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/notifications/open",
            // The shopper's own notice; anyone else's is not there for them.
            args: |f, _| format!("id={}", f.notice_id),
            expect: [U, A, N, N, N],
        },
        Case {
            method: Method::POST,
            path: "/api/notifications/read_all",
            args: |_, _| String::new(),
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/notifications/mail_settings",
            args: |_, _| String::new(),
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/notifications/save_mail_settings",
            args: |_, _| "lang=en&on[order_shipped]=1".into(),
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::GET,
            path: "/api/notifications/unsubscribe_link",
            // Signed links need no session; a forged one names nothing.
            args: |_, _| "u=1&k=order_shipped&s=forged".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/accounts/forgot_password",
            // The same answer whoever asks, for any email.
            args: |_, who| format!("email=nobody-{}%40example.vn", tag(who)),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/accounts/reset_password",
            // The link is the right, not the caller: a forged one is refused to everyone.
            args: |_, _| "token=forged&new_password=a+brand+new+password".into(),
            expect: [I, I, I, I, I],
        },
        Case {
            method: Method::GET,
            path: "/api/accounts/verification",
            args: |_, _| "token=forged".into(),
            expect: [A, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/accounts/verify_email",
            args: |_, _| "token=forged".into(),
            expect: [I, I, I, I, I],
        },
        Case {
            method: Method::GET,
            path: "/api/accounts/email_status",
            args: |_, _| String::new(),
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/accounts/resend_verification",
            args: |_, _| String::new(),
            expect: [U, A, A, A, A],
        },
        Case {
            method: Method::POST,
            path: "/api/accounts/change_email",
            // The account's password is asked first: a wrong one changes nothing.
            args: |_, _| "change[email]=new%40example.vn&change[current_password]=not+the+password".into(),
            expect: [U, I, I, I, I],
        },
        Case {
            method: Method::GET,
            path: "/api/orders/payments",
            args: |_, _| "import=".into(),
            expect: [U, F, A, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/orders/record_payment",
            args: |f, _| format!("number={}&amount=1000", f.order_number),
            expect: [U, F, N, A, F],
        },
        Case {
            method: Method::POST,
            path: "/api/orders/refund",
            // Its own order, not cancelled: nothing to refund yet.
            args: |f, _| format!("number={}", f.order_number),
            expect: [U, F, N, C, F],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/shipping_rates",
            args: |_, _| String::new(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/admin/save_shipping_rates",
            args: |_, _| {
                let mut args = Vec::new();
                for (zone, base) in [("province", 16_000), ("region", 22_000), ("national", 30_000)] {
                    for (i, grams) in [500, 1000, 2000, 3000, 5000].into_iter().enumerate() {
                        args.push(format!("rates[{zone}_{grams}]={}", base + 1_000 * i));
                    }
                    args.push(format!("rates[{zone}_beyond]=3000"));
                }
                args.join("&")
            },
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::GET,
            path: "/api/admin/emails",
            args: |_, _| "status=failed".into(),
            expect: [U, F, F, F, A],
        },
        Case {
            method: Method::POST,
            path: "/api/admin/email_retry",
            args: |f, _| format!("id={}", f.failed_mail_id),
            expect: [U, F, F, F, A],
        },
    ]
}

/// A small real PNG.
fn png() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(48, 32, image::Rgb([31, 111, 67]))
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

async fn fixture(db: Db) -> Fixture {
    app::seed::seed(&db).await.expect("seed");
    accounts::seed_demo_accounts(&db, NOW).await.expect("demo accounts");
    let staff = NewUser {
        email: "staff@hongphat.test".into(),
        display_name: "Staff".into(),
        password: "other member password".into(),
        lang: app::lang::Lang::Vi,
    };
    let staff_id = accounts::sign_up(&db, staff, "192.0.2.10", NOW).await.expect("staff");
    let mut sql = Sql::new(
        "UPDATE users SET role = 'member', member_role = 'staff', email_verified = 1, \
         cooperative_id = (SELECT id FROM cooperatives WHERE slug = 'hong-phat') WHERE id = ",
    );
    sql.bind(staff_id);
    common::exec(&db, sql).await;
    let binh_minh: i64 =
        common::scalar(&db, Sql::new("SELECT id FROM cooperatives WHERE slug = 'binh-minh'")).await;
    let form = ProductForm {
        name_vi: "Trà thử".into(),
        group: "beverages".into(),
        price_vnd: "10000".into(),
        stock: "5".into(),
        ..Default::default()
    };
    let product_id =
        app::coops::service::create_product(&db, binh_minh, None, &form, NOW).await.expect("product");
    let listing_id = app::coops::service::add_listing(
        &db,
        binh_minh,
        product_id,
        app::coops::model::Channel::Voso,
        "https://voso.vn/tra-thu",
        NOW,
    )
    .await
    .expect("listing");
    let application = app::accounts::model::ApplicationForm {
        name_vi: "HTX Chờ duyệt".into(),
        name_en: "Pending Coop".into(),
        district: "na-hang".into(),
        commune: "Thượng Lâm".into(),
        contact_name: "Lan".into(),
        contact_phone: "0912345678".into(),
        email: "pending@example.vn".into(),
        password: "long enough password".into(),
    };
    let pending_coop_id =
        accounts::apply(&db, &app::live::hub::Hub::default(), application, "192.0.2.12", NOW)
            .await
            .expect("application");
    let store = app::media::store::MediaStore::memory();
    let upload = app::media::service::Upload {
        bytes: png(),
        content_type: Some("image/png".into()),
        file_name: Some("tra.png".into()),
    };
    let photo_id =
        app::media::service::add_photo(&db, &store, binh_minh, product_id, upload, NOW).await.expect("photo");
    let (shop_product_id, order_number, checkout_id, delivered_product_id) =
        orders_fixture(&db, binh_minh).await;
    let shop_price: i64 = {
        let mut sql = Sql::new("SELECT price_vnd FROM products WHERE id = ");
        sql.bind(shop_product_id);
        common::scalar(&db, sql).await
    };
    let (conversation_id, lead_id) = booth_fixture(&db, binh_minh).await;
    let batch_id = trace_fixture(&db, binh_minh, product_id).await;
    app::fairs::editor::pick(&db, binh_minh, product_id).await.expect("pick");
    let mut sql = Sql::new("SELECT MIN(id) FROM booth_slots WHERE cooperative_id = ");
    sql.bind(binh_minh);
    let slot_id: i64 = common::scalar(&db, sql).await;
    let mut sql = Sql::new("SELECT MIN(id) FROM booth_team WHERE cooperative_id = ");
    sql.bind(binh_minh);
    let member_id: i64 = common::scalar(&db, sql).await;
    let target = NewUser {
        email: "target@shopper.test".into(),
        display_name: "Target".into(),
        password: "target shopper password".into(),
        lang: app::lang::Lang::Vi,
    };
    let target_user_id = accounts::sign_up(&db, target, "192.0.2.11", NOW).await.expect("target user");
    let leptos_options = LeptosOptions::builder().output_name("ocop").site_root("target/site").build();
    let state = AppState {
        leptos_options,
        db: db.clone(),
        public_url: "http://shop.test".to_owned(),
        page_cache: Default::default(),
        product_charts: Default::default(),
        auth: Default::default(),
        trusted_proxies: Default::default(),
        media: store.clone(),
        hub: Default::default(),
        heartbeat: Default::default(),
    };
    let notice_id: i64 = common::scalar(
        &db,
        Sql::new(
            "SELECT MIN(id) FROM notifications WHERE user_id = (SELECT id FROM users WHERE email = 'shopper@ocop.demo')",
        ),
    )
    .await;
    let failed_mail_id: i64 = common::scalar(
        &db,
        Sql::new(
            "INSERT INTO outbox (kind, recipient, recipient_name, lang, payload, status, attempts, next_attempt_at, \
             created_at) VALUES ('order_shipped', 'gone@example.vn', 'Gone', 'vi', '{}', 'failed', 8, 0, 0) RETURNING id",
        ),
    )
    .await;
    Fixture {
        router: build_router(state),
        db,
        product_id,
        listing_id,
        photo_id,
        pending_coop_id,
        store,
        shop_product_id,
        shop_price,
        order_number,
        checkout_id,
        delivered_product_id,
        conversation_id,
        lead_id,
        batch_id,
        slot_id,
        member_id,
        target_user_id,
        owner_coop_id: binh_minh,
        notice_id,
        failed_mail_id,
    }
}

/// A visitor's conversation with the Binh Minh booth, and an export inquiry to it.
async fn booth_fixture(db: &Db, binh_minh: i64) -> (i64, i64) {
    use app::fairs::chat::{Target, say};
    use app::inquiries::model::InquiryForm;
    use app::inquiries::service::{Submitted, submit};
    let hub = app::live::hub::Hub::new();
    let hash = app::accounts::session::token_hash("visitor-token");
    let target = Target::Booth { booth: binh_minh, display_name: Some("Lan".into()) };
    let message = say(db, &hub, None, Some(&hash), target, "Xin chào", NOW).await.expect("chat");
    let form = InquiryForm {
        booth: "binh-minh".into(),
        company: "Camden Tea".into(),
        country: "United Kingdom".into(),
        contact_name: "Amelia Hart".into(),
        email: "amelia@camden.example".into(),
        quantity: "500".into(),
        quantity_unit: "kg".into(),
        incoterm: "FOB".into(),
        message: "Green tea for our London shops, please.".into(),
        ..Default::default()
    };
    let Ok(Submitted::Stored(lead)) = submit(db, &hub, &form, "203.0.113.1", NOW, "2027-01-15").await else {
        panic!("the fixture's inquiry is stored")
    };
    (message.conversation_id, lead)
}

/// A batch of a Binh Minh product.
async fn trace_fixture(db: &Db, binh_minh: i64, product_id: i64) -> i64 {
    let form = app::trace::model::BatchForm {
        batch_code: "FIXTURE-1".into(),
        produced_on: "2026-01-05".into(),
        notes_vi: "Lô đầu năm".into(),
        notes_en: String::new(),
    };
    app::trace::service::add_batch(db, binh_minh, product_id, &form, "2026-01-06", NOW).await.expect("batch")
}

/// The demo shopper's orders at Binh Minh: one pending, one delivered.
async fn orders_fixture(db: &Db, binh_minh: i64) -> (i64, String, i64, i64) {
    use app::orders::model::{Address, CheckoutForm, Status};
    use app::orders::service::{self as orders, Scope};
    let shopper: i64 =
        common::scalar(db, Sql::new("SELECT id FROM users WHERE email = 'shopper@ocop.demo'")).await;
    let mut sql =
        Sql::new("SELECT id FROM products WHERE status = 'published' AND stock >= 10 AND cooperative_id = ");
    sql.bind(binh_minh).push(" ORDER BY id LIMIT 2");
    let ids: Vec<i64> = sql.query_scalar().expect("encode").fetch_all(&db.pool).await.expect("products");
    let (shop, delivered) = (ids[0], ids[1]);
    let tra_oi: i64 = common::scalar(db, Sql::new("SELECT id FROM products WHERE slug = 'tra-oi'")).await;
    assert_ne!(tra_oi, delivered, "the review case needs a product not in other carts");
    let mut prices = std::collections::HashMap::new();
    for id in [shop, delivered] {
        let mut sql = Sql::new("SELECT price_vnd FROM products WHERE id = ");
        sql.bind(id);
        prices.insert(id, common::scalar::<i64>(db, sql).await);
    }
    let form = |key: &str, product: i64| CheckoutForm {
        idempotency_key: key.into(),
        shipping_vnd: None,
        lines: format!("{product}:1@{}", prices.get(&product).copied().unwrap_or(0)),
        payment: "cod".into(),
        note: String::new(),
        address: Address {
            full_name: "Lan".into(),
            phone: "0912345678".into(),
            province: "Tuyên Quang".into(),
            district: String::new(),
            commune: "Minh Xuân".into(),
            street: "12".into(),
        },
    };
    let pending = orders::checkout(
        db,
        &app::live::hub::Hub::default(),
        shopper,
        &form("fixture-pending-0001", shop),
        NOW,
    )
    .await
    .expect("checkout");
    let received = orders::checkout(
        db,
        &app::live::hub::Hub::default(),
        shopper,
        &form("fixture-delivered-01", delivered),
        NOW,
    )
    .await
    .expect("checkout");
    let number = &received.orders[0].number;
    for (to, note) in [(Status::Confirmed, ""), (Status::Shipped, "VNPost 1"), (Status::Delivered, "")] {
        orders::transition(
            db,
            &app::live::hub::Hub::new(),
            shopper,
            Scope::Cooperative(binh_minh),
            number,
            to,
            note,
            NOW,
        )
        .await
        .expect("move");
    }
    (shop, pending.orders[0].number.clone(), pending.checkout_id, delivered)
}

/// Every row a refused call could have touched.
async fn snapshot(db: &Db) -> Vec<String> {
    #[derive(sqlx::FromRow)]
    struct Line {
        line: String,
    }
    let mut all = Vec::new();
    for sql in [
        "SELECT 'p' || CAST(id AS TEXT) || slug || name_vi || name_en || status || CAST(price_vnd AS TEXT) \
         || CAST(stock AS TEXT) || CAST(updated_at AS TEXT) || COALESCE(hidden_reason, '') AS line FROM products \
         ORDER BY id",
        "SELECT 'u' || CAST(id AS TEXT) || email || password_hash || role || status AS line FROM users ORDER BY id",
        "SELECT 'c' || CAST(id AS TEXT) || slug || status || COALESCE(review_note, '') || story_vi \
         || COALESCE(logo_key, '') AS line FROM cooperatives ORDER BY id",
        "SELECT 'l' || CAST(id AS TEXT) || url AS line FROM channel_listings ORDER BY id",
        "SELECT 'f' || CAST(id AS TEXT) || '@' || CAST(position AS TEXT) AS line FROM product_photos ORDER BY id",
        "SELECT 't' || CAST(id AS TEXT) || decision_no || issued_on AS line FROM certificates ORDER BY id",
        "SELECT 'o' || CAST(id AS TEXT) || number || status || tracking_note AS line FROM orders ORDER BY id",
        "SELECT 'e' || CAST(id AS TEXT) || to_status AS line FROM order_events ORDER BY id",
        "SELECT 'k' || CAST(cart_id AS TEXT) || '/' || CAST(product_id AS TEXT) || '*' || CAST(quantity AS TEXT) \
         AS line FROM cart_lines ORDER BY cart_id, product_id",
        "SELECT 'r' || CAST(id AS TEXT) || body AS line FROM reviews ORDER BY id",
        "SELECT 'i' || CAST(id AS TEXT) || status || company AS line FROM inquiries ORDER BY id",
        "SELECT 'j' || CAST(id AS TEXT) || note AS line FROM inquiry_events ORDER BY id",
        "SELECT 'm' || CAST(id AS TEXT) || body AS line FROM chat_messages ORDER BY id",
        "SELECT 'pb' || CAST(id AS TEXT) || batch_code || produced_on AS line FROM product_batches ORDER BY id",
        "SELECT 'pt' || CAST(id AS TEXT) || COALESCE(trace_code, '') AS line FROM products ORDER BY id",
        "SELECT 'b' || CAST(cooperative_id AS TEXT) || COALESCE(banner_key, '') || welcome_vi || welcome_en \
         AS line FROM booths ORDER BY cooperative_id",
        "SELECT 'bp' || CAST(cooperative_id AS TEXT) || '/' || CAST(product_id AS TEXT) || '@' \
         || CAST(position AS TEXT) AS line FROM booth_products ORDER BY cooperative_id, product_id",
        "SELECT 'bs' || CAST(id AS TEXT) || title_vi AS line FROM booth_slots ORDER BY id",
        "SELECT 'bt' || CAST(id AS TEXT) || name AS line FROM booth_team ORDER BY id",
        "SELECT 'fa' || CAST(id AS TEXT) || slug || name_en || CAST(starts_at AS TEXT) || CAST(ends_at AS TEXT) \
         AS line FROM fairs ORDER BY id",
        "SELECT 'au' || CAST(id AS TEXT) || action || CAST(target_id AS TEXT) AS line FROM audit_log ORDER BY id",
        "SELECT 'fb' || CAST(fair_id AS TEXT) || '/' || CAST(cooperative_id AS TEXT) AS line FROM fair_booths \
         ORDER BY fair_id, cooperative_id",
    ] {
        let rows: Vec<Line> =
            Sql::new(sql).query_as().expect("encode").fetch_all(&db.pool).await.expect("snapshot");
        all.extend(rows.into_iter().map(|r| r.line));
    }
    all
}

async fn call(f: &Fixture, case: &Case, who: Who) -> StatusCode {
    let args = (case.args)(f, who);
    let mut req = if case.method == Method::GET {
        let uri = if args.is_empty() { case.path.to_owned() } else { format!("{}?{args}", case.path) };
        Request::builder().method(Method::GET).uri(uri)
    } else {
        let content_type =
            if args.starts_with('{') { "application/json" } else { "application/x-www-form-urlencoded" };
        Request::builder()
            .method(Method::POST)
            .uri(case.path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ORIGIN, "http://shop.test")
    };
    req = req.header(header::HOST, "shop.test").header(header::ACCEPT, "application/json");
    if who != Who::Anonymous {
        let token =
            accounts::login(&f.db, email_of(who), password_of(who), "192.0.2.1", app::clock::now_unix())
                .await
                .unwrap_or_else(|e| panic!("{who:?} logs in: {e:?}"));
        req = req.header(header::COOKIE, format!("ocop_session={token}"));
    }
    let body = if case.method == Method::GET { Body::empty() } else { Body::from(args) };
    let res = f.router.clone().oneshot(req.body(body).expect("request")).await.expect("the router answers");
    res.status()
}

/// Runs every case on its own fresh database from `fresh`: a permitted call (a deletion, say)
/// must not change what the next function's callers find.
async fn the_matrix_holds<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<common::TestDb>>,
{
    for case in cases() {
        let Some(t) = fresh().await else { return };
        let f = fixture(t.db.clone()).await;
        // Refused callers go first, then the permitted ones.
        let mut order: Vec<(Who, Outcome)> = EVERYONE.into_iter().zip(case.expect).collect();
        order.sort_by_key(|(_, outcome)| *outcome == Outcome::Allowed);
        for (who, expected) in order {
            let before = snapshot(&f.db).await;
            let status = call(&f, &case, who).await;
            let cell = format!("{} {} as {who:?}", case.method, case.path);
            match expected {
                Outcome::Allowed => assert!(status.is_success(), "{cell}: expected success, got {status}"),
                Outcome::Unauthorized => assert_eq!(status, StatusCode::UNAUTHORIZED, "{cell}"),
                Outcome::Forbidden => assert_eq!(status, StatusCode::FORBIDDEN, "{cell}"),
                Outcome::NotFound => assert_eq!(status, StatusCode::NOT_FOUND, "{cell}"),
                Outcome::Invalid => assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{cell}"),
                Outcome::Conflict => assert_eq!(status, StatusCode::CONFLICT, "{cell}"),
            }
            if expected != Outcome::Allowed {
                assert_eq!(snapshot(&f.db).await, before, "{cell}: a refused call changed rows");
            }
        }
        drop(f);
        t.teardown().await;
    }
}

/// The photo upload is a multipart form post to a plain route, not a server function: it gets
/// its own row, checked the same way.
async fn photo_uploads_follow_the_dashboard_rules<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<common::TestDb>>,
{
    let Some(t) = fresh().await else { return };
    let f = fixture(t.db.clone()).await;
    let photos = format!("/coop/products/{}/photos", f.product_id);
    let expected = [
        (photos.as_str(), Who::Anonymous, StatusCode::UNAUTHORIZED),
        (photos.as_str(), Who::Shopper, StatusCode::FORBIDDEN),
        (photos.as_str(), Who::OtherMember, StatusCode::FORBIDDEN),
        (photos.as_str(), Who::Admin, StatusCode::FORBIDDEN),
        (photos.as_str(), Who::OwnerMember, StatusCode::SEE_OTHER),
        // A logo is always the uploader's own cooperative's.
        ("/coop/logo", Who::Anonymous, StatusCode::UNAUTHORIZED),
        ("/coop/logo", Who::Shopper, StatusCode::FORBIDDEN),
        ("/coop/logo", Who::Admin, StatusCode::FORBIDDEN),
        ("/coop/logo", Who::OwnerMember, StatusCode::SEE_OTHER),
        // So is a booth banner.
        ("/coop/booth/banner", Who::Anonymous, StatusCode::UNAUTHORIZED),
        ("/coop/booth/banner", Who::Shopper, StatusCode::FORBIDDEN),
        ("/coop/booth/banner", Who::Admin, StatusCode::FORBIDDEN),
        ("/coop/booth/banner", Who::OwnerMember, StatusCode::SEE_OTHER),
    ];
    for (uri, who, status) in expected {
        let before = snapshot(&f.db).await;
        let boundary = "ocopboundary7MA4YWxk";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"tra.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&png());
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::HOST, "shop.test")
            .header(header::ORIGIN, "http://shop.test")
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
        if who != Who::Anonymous {
            let token =
                accounts::login(&f.db, email_of(who), password_of(who), "192.0.2.1", app::clock::now_unix())
                    .await
                    .expect("login");
            req = req.header(header::COOKIE, format!("ocop_session={token}"));
        }
        let res =
            f.router.clone().oneshot(req.body(Body::from(body)).expect("request")).await.expect("answer");
        assert_eq!(res.status(), status, "upload to {uri} as {who:?}");
        if who == Who::OwnerMember {
            let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("");
            let expected = if uri == "/coop/logo" {
                "/coop/profile?logo=added".to_owned()
            } else if uri == "/coop/booth/banner" {
                "/coop/booth/edit?banner=added".to_owned()
            } else {
                format!("/coop/products/{}?photo=added", f.product_id)
            };
            assert_eq!(location, expected);
            assert_ne!(snapshot(&f.db).await, before, "the owner's upload is stored");
        } else {
            assert_eq!(snapshot(&f.db).await, before, "a refused upload to {uri} as {who:?} changed rows");
        }
    }
    drop(f);
    t.teardown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn photo_uploads_follow_the_dashboard_rules_on_sqlite() {
    photo_uploads_follow_the_dashboard_rules(|| async { Some(common::sqlite().await) }).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn photo_uploads_follow_the_dashboard_rules_on_postgres() {
    photo_uploads_follow_the_dashboard_rules(common::postgres).await;
}

/// The CSV downloads are plain routes: a cooperative's own leads, or (admin) everyone's and the
/// console's exports.
async fn lead_exports_follow_the_dashboard_rules<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<common::TestDb>>,
{
    let Some(t) = fresh().await else { return };
    let f = fixture(t.db.clone()).await;
    for (uri, expect, needle) in [
        ("/coop/inquiries.csv", [U, F, A, A, F], "Camden Tea"),
        ("/admin/inquiries.csv", [U, F, F, F, A], "Camden Tea"),
        // The streamed exports: an admin gets the header line at least.
        (
            "/admin/export/orders.csv?district=&group=&stars=&from=&to=",
            [U, F, F, F, A],
            "number,placed_vietnam_time",
        ),
        ("/admin/export/products.csv?group=food", [U, F, F, F, A], "slug,name_vi,name_en"),
        ("/admin/export/certificates.csv?state=expiring&council=", [U, F, F, F, A], "decision_no,product"),
        ("/admin/export/inquiries.csv", [U, F, F, F, A], "id,received_vietnam_time"),
    ] {
        for (who, expected) in EVERYONE.into_iter().zip(expect) {
            let mut req = Request::builder().uri(uri).header(header::HOST, "shop.test");
            if who != Who::Anonymous {
                let token = accounts::login(
                    &f.db,
                    email_of(who),
                    password_of(who),
                    "192.0.2.1",
                    app::clock::now_unix(),
                )
                .await
                .expect("login");
                req = req.header(header::COOKIE, format!("ocop_session={token}"));
            }
            let compressed = req
                .headers_ref()
                .cloned()
                .map(|headers| {
                    let mut again = Request::builder().uri(uri);
                    for (name, value) in &headers {
                        again = again.header(name, value);
                    }
                    again.header(header::ACCEPT_ENCODING, "br")
                })
                .expect("headers");
            let res =
                f.router.clone().oneshot(req.body(Body::empty()).expect("request")).await.expect("answer");
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
            let body = String::from_utf8_lossy(&bytes);
            if expected == Outcome::Allowed {
                // Through the compression layer too: the streamed body ends cleanly.
                let res = f.router.clone().oneshot(compressed.body(Body::empty()).expect("request")).await;
                let res = res.expect("answer");
                assert_eq!(
                    res.headers().get(header::CONTENT_ENCODING).map(|v| v.as_bytes()),
                    Some(&b"br"[..])
                );
                axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("the compressed body ends");
            }
            match expected {
                Outcome::Allowed => {
                    assert_eq!(status, StatusCode::OK, "{uri} as {who:?}");
                    // The owner and the admin see the Binh Minh lead; the other member does not.
                    assert_eq!(body.contains(needle), who != Who::OtherMember, "{uri} as {who:?}: {body}");
                }
                Outcome::Unauthorized => assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri} as {who:?}"),
                Outcome::Forbidden => assert_eq!(status, StatusCode::FORBIDDEN, "{uri} as {who:?}"),
                Outcome::NotFound => assert_eq!(status, StatusCode::NOT_FOUND, "{uri} as {who:?}"),
                Outcome::Invalid => assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri} as {who:?}"),
                Outcome::Conflict => assert_eq!(status, StatusCode::CONFLICT, "{uri} as {who:?}"),
            }
        }
    }
    drop(f);
    t.teardown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn lead_exports_follow_the_dashboard_rules_on_sqlite() {
    lead_exports_follow_the_dashboard_rules(|| async { Some(common::sqlite().await) }).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn lead_exports_follow_the_dashboard_rules_on_postgres() {
    lead_exports_follow_the_dashboard_rules(common::postgres).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_public_renditions_are_served_under_media() {
    let t = common::sqlite().await;
    let f = fixture(t.db.clone()).await;
    let photo = app::media::service::photos(&f.db, f.product_id).await.expect("photos").remove(0);
    let get = |uri: String| {
        let router = f.router.clone();
        async move {
            let req = Request::builder()
                .uri(uri)
                .header(header::HOST, "shop.test")
                .body(Body::empty())
                .expect("req");
            router.oneshot(req).await.expect("answer")
        }
    };
    let res = get(photo.small_url.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("image/webp"));
    let original: String = common::scalar(&f.db, Sql::new("SELECT original_key FROM product_photos")).await;
    assert!(f.store.get(&original).await.expect("read").is_some(), "the original is kept");
    assert_eq!(get(format!("/media/{original}")).await.status(), StatusCode::NOT_FOUND, "but never served");
    assert_eq!(get("/media/public/../originals/x".into()).await.status(), StatusCode::NOT_FOUND);
    drop(f);
    t.teardown().await;
}

#[test]
fn every_server_function_is_in_the_matrix() {
    let listed: Vec<(&str, Method)> = cases().iter().map(|c| (c.path, c.method.clone())).collect();
    let mut missing = Vec::new();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        if !listed.iter().any(|(p, m)| *p == path && *m == method) {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(missing.is_empty(), "server functions without a row in the authorization matrix: {missing:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_matrix_holds_on_sqlite() {
    the_matrix_holds(|| async { Some(common::sqlite().await) }).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_matrix_holds_on_postgres() {
    the_matrix_holds(common::postgres).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_replaces_the_session_the_browser_had() {
    let t = common::sqlite().await;
    let f = fixture(t.db.clone()).await;
    let old = accounts::login(&f.db, email_of(Who::Shopper), password_of(Who::Shopper), "192.0.2.1", NOW)
        .await
        .expect("first login");
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/accounts/login")
        .header(header::HOST, "shop.test")
        .header(header::ORIGIN, "http://shop.test")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("ocop_session={old}"))
        .body(Body::from("email=shopper%40ocop.demo&password=shopper-demo-2026&next="))
        .expect("request");
    let res = f.router.clone().oneshot(req).await.expect("answer");
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let new = cookie.trim_start_matches("ocop_session=").split(';').next().unwrap_or("").to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!new.is_empty() && new != old, "a new token: {cookie}");
    let now = app::clock::now_unix();
    assert!(app::accounts::session::resolve(&f.db, &new, now).await.expect("resolve").is_some());
    assert_eq!(
        app::accounts::session::resolve(&f.db, &old, now).await.expect("resolve"),
        None,
        "the old one is gone"
    );
    drop(f);
    t.teardown().await;
}
