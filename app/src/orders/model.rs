//! What carts, checkouts, orders and reviews look like to the pages, and the rules that need no
//! database: the order state machine, shipping fees, and Vietnamese phone numbers.
use serde::{Deserialize, Serialize};

use crate::lang::Text;

/// The most of one product a cart line may hold.
pub const MAX_QUANTITY: i64 = 999;
/// The most distinct products a cart may hold.
pub const MAX_LINES: usize = 50;
/// Review text limits, in characters.
pub const REVIEW_MIN_CHARS: usize = 10;
pub const REVIEW_MAX_CHARS: usize = 2_000;

pub use super::shipping::PROVINCES;

/// A Vietnamese mobile number in its national form (`0912345678`), from what a shopper typed:
/// `0912 345 678`, `091.234.5678`, `+84 912 345 678` or `84912345678`. Mobile numbers have ten
/// digits and start with 03, 05, 07, 08 or 09 since the 2018 renumbering.
pub fn normalize_mobile(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    let national = if let Some(rest) = digits.strip_prefix("+84") {
        format!("0{rest}")
    } else if digits.len() == 11 && digits.starts_with("84") {
        format!("0{}", &digits[2..])
    } else {
        digits
    };
    let ok = national.len() == 10
        && national.chars().all(|c| c.is_ascii_digit())
        && matches!(&national[..2], "03" | "05" | "07" | "08" | "09");
    ok.then_some(national)
}

// ---------------------------------------------------------------------------------------------
// Cart

/// One product in the cart, as it is now: the price and stock are read when the cart is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: i64,
    pub slug: String,
    pub name: Text,
    pub unit: Text,
    pub photo: Option<String>,
    pub quantity: i64,
    pub unit_price_vnd: i64,
    /// The price when the shopper last saw this line, when it differs from the price now.
    pub previous_price_vnd: Option<i64>,
    /// Units in stock now.
    pub stock: i64,
    /// Unpublished, deleted, or its cooperative suspended: it cannot be bought.
    pub available: bool,
}

impl CartLine {
    pub fn line_total(&self) -> i64 {
        self.unit_price_vnd * self.quantity
    }

    /// Can be checked out as it is.
    pub fn ready(&self) -> bool {
        self.problem().is_none()
    }

    /// Why this line cannot be checked out as it is, if it cannot.
    pub fn problem(&self) -> Option<LineProblem> {
        if !self.available {
            Some(LineProblem::Unavailable)
        } else if self.quantity > self.stock {
            Some(LineProblem::short(self.quantity, self.stock))
        } else {
            None
        }
    }
}

/// Why a line of a cart (or of a refused checkout) cannot be bought as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineProblem {
    /// Unpublished, deleted, or its cooperative suspended.
    Unavailable,
    /// None left: "out of stock", not "only 0 left".
    OutOfStock { requested: i64 },
    /// Fewer left than asked for.
    Short { requested: i64, left: i64 },
}

impl LineProblem {
    /// `requested` asked for with `left` in stock (fewer).
    pub fn short(requested: i64, left: i64) -> LineProblem {
        if left <= 0 { LineProblem::OutOfStock { requested } } else { LineProblem::Short { requested, left } }
    }
}

/// The lines of one cooperative: they become one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartGroup {
    pub cooperative_id: i64,
    pub cooperative_slug: String,
    pub cooperative: Text,
    pub lines: Vec<CartLine>,
    pub subtotal_vnd: i64,
    pub shipping_vnd: i64,
    /// How the shipping was priced (zone, parcel weight, free), when there is anything to ship.
    pub shipping: Option<super::shipping::Quote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Cart {
    pub groups: Vec<CartGroup>,
    pub item_count: i64,
    pub subtotal_vnd: i64,
    pub shipping_vnd: i64,
    pub total_vnd: i64,
    /// The province the shipping is quoted to; `None`: each cooperative's own (the least).
    pub shipping_to: Option<String>,
}

impl Cart {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    pub fn lines(&self) -> impl Iterator<Item = &CartLine> {
        self.groups.iter().flat_map(|g| g.lines.iter())
    }

    /// Some line changed price or cannot be bought in the quantity asked.
    pub fn has_changes(&self) -> bool {
        self.lines().any(|l| l.previous_price_vnd.is_some() || !l.ready())
    }

    /// Every line can be checked out.
    pub fn ready(&self) -> bool {
        !self.is_empty() && self.lines().all(CartLine::ready)
    }

    /// The lines a checkout submits: "product:quantity@unit price shown", as the checkout form
    /// carries them.
    pub fn submitted_lines(&self) -> String {
        self.lines()
            .map(|l| format!("{}:{}@{}", l.product_id, l.quantity, l.unit_price_vnd))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The checkout form's `lines` field, read: what the shopper orders and the unit price each line
/// was shown at, so that a price changed since cannot be charged unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedLines {
    /// (product, quantity), sorted by product and merged.
    pub lines: Vec<(i64, i64)>,
    /// (product, unit price shown), in the same order.
    pub shown: Vec<(i64, i64)>,
}

/// Reads the checkout form's `lines` field ("12:2@45000,40:1@120000": product, quantity and the
/// unit price shown) sorted by product and merged, so the same cart always reads the same way.
/// One product at two prices, a missing price or a number out of range reads as nothing.
pub fn parse_lines(raw: &str) -> Option<SubmittedLines> {
    let mut lines: Vec<(i64, i64, i64)> = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if lines.len() > MAX_LINES * 4 {
            return None;
        }
        let (id, rest) = part.split_once(':')?;
        let (qty, price) = rest.split_once('@')?;
        let id = id.trim().parse::<i64>().ok()?;
        let qty = qty.trim().parse::<i64>().ok()?;
        let price = price.trim().parse::<i64>().ok()?;
        if id <= 0 || !(1..=MAX_QUANTITY).contains(&qty) || !(0..=MAX_UNIT_PRICE_VND).contains(&price) {
            return None;
        }
        lines.push((id, qty, price));
    }
    lines.sort_unstable();
    let mut merged: Vec<(i64, i64, i64)> = Vec::with_capacity(lines.len());
    for (id, qty, price) in lines {
        match merged.last_mut() {
            Some(last) if last.0 == id => {
                if last.2 != price {
                    return None;
                }
                last.1 += qty;
            }
            _ => merged.push((id, qty, price)),
        }
    }
    (!merged.is_empty() && merged.len() <= MAX_LINES && merged.iter().all(|l| l.1 <= MAX_QUANTITY)).then(
        || SubmittedLines {
            lines: merged.iter().map(|l| (l.0, l.1)).collect(),
            shown: merged.iter().map(|l| (l.0, l.2)).collect(),
        },
    )
}

/// No unit price reaches this (the product editor's cap is 1,000,000,000 ₫).
pub const MAX_UNIT_PRICE_VND: i64 = 10_000_000_000;

// ---------------------------------------------------------------------------------------------
// Checkout

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Payment {
    #[default]
    Cod,
    BankTransfer,
}

impl Payment {
    pub fn key(self) -> &'static str {
        match self {
            Payment::Cod => "cod",
            Payment::BankTransfer => "bank_transfer",
        }
    }

    pub fn from_key(key: &str) -> Option<Payment> {
        match key {
            "cod" => Some(Payment::Cod),
            "bank_transfer" => Some(Payment::BankTransfer),
            _ => None,
        }
    }
}

/// The shipping address, as the checkout form posts it (`address[full_name]` and so on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Address {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub province: String,
    /// Optional: the 2025 reorganisation removed the district level, but older addresses and
    /// some carriers still use it.
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub commune: String,
    #[serde(default)]
    pub street: String,
}

/// The whole checkout form. `lines` is the cart the shopper confirmed ("12:2,40:1"); prices
/// are never sent, the server reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CheckoutForm {
    #[serde(default)]
    pub idempotency_key: String,
    #[serde(default)]
    pub lines: String,
    #[serde(default)]
    pub payment: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub address: Address,
    /// The shipping total the page showed for this address: a different one is refused, so that
    /// nothing is charged that the shopper did not see. Absent: the computed one is taken.
    #[serde(default)]
    pub shipping_vnd: Option<i64>,
}

/// What the checkout page is rendered with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutData {
    pub cart: Cart,
    /// From the shopper's last order, or empty.
    pub address: Address,
    /// A fresh key for this rendering of the form.
    pub idempotency_key: String,
    /// Every cooperative in the cart has bank details, so bank transfer can be offered.
    pub transfer_available: bool,
}

/// One order a checkout created, as the confirmation shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub number: String,
    pub cooperative: Text,
    pub total_vnd: i64,
    pub payment: Payment,
    /// The bank-transfer QR code (SVG) and the account it pays, when paid by transfer.
    pub transfer: Option<TransferDetails>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferDetails {
    pub bank: String,
    pub account: String,
    pub holder: String,
    pub purpose: String,
    pub qr_svg: String,
}

/// What a checkout returns: the same for a replay of the same form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub checkout_id: i64,
    pub orders: Vec<PlacedOrder>,
    pub total_vnd: i64,
}

/// A product that did not have enough stock for a checkout (carried by `AppError::OutOfStock`).
pub use crate::error::Shortage;

impl Shortage {
    pub fn problem(&self) -> LineProblem {
        LineProblem::short(self.requested, self.available)
    }
}

// ---------------------------------------------------------------------------------------------
// Orders

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Pending,
    Confirmed,
    Shipped,
    Delivered,
    Cancelled,
}

/// Who moves an order: the shopper who placed it, or its cooperative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    Shopper,
    Cooperative,
}

impl Actor {
    pub fn key(self) -> &'static str {
        match self {
            Actor::Shopper => "shopper",
            Actor::Cooperative => "cooperative",
        }
    }
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Pending, Status::Confirmed, Status::Shipped, Status::Delivered, Status::Cancelled];

    pub fn key(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Confirmed => "confirmed",
            Status::Shipped => "shipped",
            Status::Delivered => "delivered",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn from_key(key: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The order state machine: pending → confirmed → shipped → delivered, and cancelled from
    /// pending (shopper or cooperative) or confirmed (cooperative, before it ships).
    pub fn can_move(self, to: Status, actor: Actor) -> bool {
        use Status::*;
        match actor {
            Actor::Shopper => matches!((self, to), (Pending, Cancelled)),
            Actor::Cooperative => matches!(
                (self, to),
                (Pending, Confirmed)
                    | (Confirmed, Shipped)
                    | (Shipped, Delivered)
                    | (Pending, Cancelled)
                    | (Confirmed, Cancelled)
            ),
        }
    }

    /// Where `actor` may move an order from here.
    pub fn next(self, actor: Actor) -> Vec<Status> {
        Status::ALL.into_iter().filter(|to| self.can_move(*to, actor)).collect()
    }
}

/// A line of the order list (shopper's history or a cooperative's inbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub payment: Payment,
    pub cooperative: Text,
    pub customer: String,
    pub item_count: i64,
    pub total_vnd: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub product_id: i64,
    pub slug: String,
    pub name: Text,
    pub unit_price_vnd: i64,
    pub quantity: i64,
    pub line_total_vnd: i64,
    /// The shopper may review this product now (delivered, not yet reviewed).
    pub can_review: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub actor: String,
    pub actor_role: String,
    pub from: Option<Status>,
    pub to: Status,
    pub note: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub summary: OrderSummary,
    pub lines: Vec<OrderLine>,
    pub subtotal_vnd: i64,
    pub shipping_vnd: i64,
    pub address: Address,
    pub note: String,
    pub tracking_note: String,
    /// The carrier it was shipped with (a key of `shipping::CARRIERS`).
    pub carrier: Option<String>,
    pub events: Vec<OrderEvent>,
    pub transfer: Option<TransferDetails>,
    /// Where the viewer may move it.
    pub next: Vec<Status>,
    /// How the shopper reaches the cooperative (for the shopper's view; empty for its members).
    pub contact: crate::coops::contact::Contact,
    /// Whether it is paid, apart from where it is in the pipeline.
    pub payment_state: super::payments::PaymentState,
}

// ---------------------------------------------------------------------------------------------
// Reviews

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub author: String,
    pub rating: i64,
    pub body: String,
    pub created_at: i64,
    /// Always true today: only buyers can review. Kept on the review for the page to say so.
    pub verified_purchase: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Reviews {
    pub count: i64,
    /// The average in hundredths of a star (437 = 4.37), 0 without reviews.
    pub average_x100: i64,
    pub reviews: Vec<Review>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_with_none_left_is_out_of_stock_not_short_by_all_of_it() {
        let line = |quantity, stock, available| CartLine {
            product_id: 1,
            slug: "tra-oi".into(),
            name: Text::new("Trà ổi", "Guava tea"),
            unit: Text::new("hộp", "box"),
            photo: None,
            quantity,
            unit_price_vnd: 65_000,
            previous_price_vnd: None,
            stock,
            available,
        };
        assert_eq!(line(2, 5, true).problem(), None);
        assert_eq!(line(3, 1, true).problem(), Some(LineProblem::Short { requested: 3, left: 1 }));
        assert_eq!(line(3, 0, true).problem(), Some(LineProblem::OutOfStock { requested: 3 }));
        assert_eq!(line(1, 5, false).problem(), Some(LineProblem::Unavailable));
        assert!(!line(3, 0, true).ready() && line(2, 2, true).ready());
        let refused = Shortage { product_id: 1, name: Text::default(), requested: 2, available: 0 };
        assert_eq!(refused.problem(), LineProblem::OutOfStock { requested: 2 });
    }

    #[test]
    fn mobile_numbers_are_read_in_their_usual_forms() {
        for raw in [
            "0912345678",
            "0912 345 678",
            "091.234.5678",
            "+84 912 345 678",
            "84912345678",
            "(+84)912-345-678",
        ] {
            assert_eq!(normalize_mobile(raw).as_deref(), Some("0912345678"), "{raw}");
        }
        assert_eq!(normalize_mobile("0387654321").as_deref(), Some("0387654321"));
    }

    #[test]
    fn landlines_short_numbers_and_old_prefixes_are_not_mobiles() {
        for raw in
            ["02073822222", "091234567", "09123456789", "0112345678", "0412345678", "abc", "", "+8491234567"]
        {
            assert_eq!(normalize_mobile(raw), None, "{raw}");
        }
    }

    #[test]
    fn submitted_lines_are_sorted_merged_and_bounded() {
        let read = parse_lines("40:1@120000, 12:2@45000,12:1@45000").expect("valid");
        assert_eq!(read.lines, vec![(12, 3), (40, 1)]);
        assert_eq!(read.shown, vec![(12, 45000), (40, 120000)]);
        for bad in [
            "",
            "12",
            "12:1",
            "12:0@1",
            "x:1@1",
            "12:-1@1",
            "-3:1@1",
            "12:1000@1",
            "12:1@-5",
            "12:1@x",
            "12:1@1,12:1@2",
            "12:1@99999999999999999999",
        ] {
            assert_eq!(parse_lines(bad), None, "{bad:?}");
        }
        let too_many = (1..=51).map(|i| format!("{i}:1@1000")).collect::<Vec<_>>().join(",");
        assert_eq!(parse_lines(&too_many), None);
    }

    #[test]
    fn the_state_machine_allows_exactly_the_pipeline() {
        use Status::*;
        let allowed = [
            (Pending, Confirmed, Actor::Cooperative),
            (Confirmed, Shipped, Actor::Cooperative),
            (Shipped, Delivered, Actor::Cooperative),
            (Pending, Cancelled, Actor::Cooperative),
            (Confirmed, Cancelled, Actor::Cooperative),
            (Pending, Cancelled, Actor::Shopper),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                for actor in [Actor::Shopper, Actor::Cooperative] {
                    assert_eq!(
                        from.can_move(to, actor),
                        allowed.contains(&(from, to, actor)),
                        "{from:?} → {to:?} by {actor:?}"
                    );
                }
            }
        }
        assert!(Delivered.next(Actor::Cooperative).is_empty());
        assert!(Cancelled.next(Actor::Cooperative).is_empty());
    }
}
