//! Dashboard types shared by the server and the browser.
use serde::{Deserialize, Serialize};

pub use crate::certificates::model::{CertificateState, Council, EXPIRING_DAYS, certificate_state};

use crate::lang::Text;

/// Stock at or below this is "low".
pub const LOW_STOCK: i64 = 5;

/// The counts on the dashboard's first page. Orders and inquiries are `None` until those
/// features exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub cooperative: Text,
    pub products: i64,
    pub published: i64,
    pub low_stock: i64,
    pub certificates_expiring: i64,
    pub certificates_expired: i64,
    pub orders_pending: Option<i64>,
    pub inquiries_open: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductStatus {
    Draft,
    Published,
}

impl ProductStatus {
    pub fn from_db(s: &str) -> ProductStatus {
        if s == "published" { ProductStatus::Published } else { ProductStatus::Draft }
    }
}

/// A row of the dashboard's product list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardProduct {
    pub id: i64,
    pub slug: String,
    pub name: Text,
    pub status: ProductStatus,
    pub price_vnd: i64,
    pub stock: i64,
    pub unit: Text,
    /// Fields filled in one language but not the other.
    pub missing_vi: bool,
    pub missing_en: bool,
    pub updated_at: i64,
    /// Set while the department hides the product from the shop: its reason.
    pub hidden_reason: Option<String>,
}

/// The product form, as typed: numbers stay text so that a mistyped price is kept and
/// answered with a message, not dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductForm {
    pub name_vi: String,
    pub name_en: String,
    pub description_vi: String,
    pub description_en: String,
    pub unit_vi: String,
    pub unit_en: String,
    pub group: String,
    pub price_vnd: String,
    /// The starting stock of a new product. The editor of an existing product has no stock
    /// field: stock moves only by `StockAdjustment`, sales and cancellations.
    #[serde(default)]
    pub stock: String,
    pub weight_grams: String,
    pub slug: String,
}

impl ProductForm {
    /// The language fields filled in one language and empty in the other, by field name.
    pub fn missing(&self) -> Vec<&'static str> {
        let pairs = [
            ("name_vi", "name_en", &self.name_vi, &self.name_en),
            ("description_vi", "description_en", &self.description_vi, &self.description_en),
            ("unit_vi", "unit_en", &self.unit_vi, &self.unit_en),
        ];
        let mut missing = Vec::new();
        for (vi_field, en_field, vi, en) in pairs {
            match (vi.trim().is_empty(), en.trim().is_empty()) {
                (true, false) => missing.push(vi_field),
                (false, true) => missing.push(en_field),
                _ => {}
            }
        }
        missing
    }
}

/// A product as the editor loads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditableProduct {
    pub id: i64,
    pub status: ProductStatus,
    pub form: ProductForm,
    /// The latest OCOP certificate, with its state on the day it was loaded.
    pub certificate: Option<CertificateInfo>,
    pub listings: Vec<ChannelListing>,
    /// Cover first.
    pub photos: Vec<crate::media::model::Photo>,
    /// The stock now, and its latest movements, newest first.
    pub stock: i64,
    pub stock_moves: Vec<StockMove>,
}

/// Why stock moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockReason {
    /// The stock a product was created with.
    Initial,
    /// Goods received (a positive adjustment).
    Received,
    /// Damaged, expired or lost goods written off (a negative adjustment).
    WriteOff,
    /// A stocktake's correction, either way.
    Correction,
    /// Sold in an order.
    Sale,
    /// Put back when an order was cancelled.
    Cancel,
}

impl StockReason {
    pub fn as_db(self) -> &'static str {
        match self {
            StockReason::Initial => "initial",
            StockReason::Received => "received",
            StockReason::WriteOff => "write_off",
            StockReason::Correction => "correction",
            StockReason::Sale => "sale",
            StockReason::Cancel => "cancel",
        }
    }

    pub fn from_db(s: &str) -> Option<StockReason> {
        [
            StockReason::Initial,
            StockReason::Received,
            StockReason::WriteOff,
            StockReason::Correction,
            StockReason::Sale,
            StockReason::Cancel,
        ]
        .into_iter()
        .find(|r| r.as_db() == s)
    }

    /// The reasons a member may give for an adjustment by hand.
    pub const MANUAL: [StockReason; 3] =
        [StockReason::Received, StockReason::WriteOff, StockReason::Correction];
}

/// One movement of a product's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockMove {
    pub at: i64,
    pub delta: i64,
    pub stock_after: i64,
    pub reason: StockReason,
    pub note: String,
    /// Who moved it by hand (a member's name), or the order that moved it.
    pub by: Option<String>,
    pub order_number: Option<String>,
}

/// A stock adjustment, as typed: "+20 received", "-3 write-off".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjustment {
    pub delta: String,
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

/// The largest single adjustment (either way).
pub const MAX_STOCK_DELTA: i64 = 1_000_000;
/// The longest note on an adjustment.
pub const MAX_STOCK_NOTE_CHARS: usize = 200;

/// Checks an adjustment: a whole number other than 0 (a leading + allowed), a reason a member
/// may give whose sign agrees (received adds, a write-off takes away), and a short note.
pub fn check_adjustment(
    form: &StockAdjustment,
) -> Result<(i64, StockReason, String), Vec<crate::error::FieldError>> {
    use crate::error::FieldError;
    let mut errors = Vec::new();
    let raw = form.delta.trim();
    let delta = raw
        .strip_prefix('+')
        .unwrap_or(raw)
        .parse::<i64>()
        .ok()
        .filter(|d| *d != 0 && d.abs() <= MAX_STOCK_DELTA);
    if delta.is_none() {
        errors.push(FieldError::new("delta", crate::error::FieldCode::StockDeltaInvalid));
    }
    let reason = StockReason::from_db(form.reason.trim()).filter(|r| StockReason::MANUAL.contains(r));
    match (reason, delta) {
        (None, _) => errors.push(FieldError::new("reason", crate::error::FieldCode::Required)),
        (Some(StockReason::Received), Some(d)) if d < 0 => {
            errors.push(FieldError::new("delta", crate::error::FieldCode::StockReceivedNegative))
        }
        (Some(StockReason::WriteOff), Some(d)) if d > 0 => {
            errors.push(FieldError::new("delta", crate::error::FieldCode::StockWriteOffPositive))
        }
        _ => {}
    }
    let note = form.note.trim();
    if note.chars().count() > MAX_STOCK_NOTE_CHARS {
        errors.push(FieldError::new("note", crate::error::FieldCode::TooLong));
    }
    match (delta, reason) {
        (Some(d), Some(r)) if errors.is_empty() => Ok((d, r, note.to_owned())),
        _ => Err(errors),
    }
}

/// The certificate form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateForm {
    pub stars: String,
    pub council: String,
    pub decision_no: String,
    pub issued_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateInfo {
    pub form: CertificateForm,
    pub expires_on: String,
    pub state: CertificateState,
}

/// A marketplace where the same product is also sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    PostMart,
    Voso,
    Shopee,
    OcopGov,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 5] =
        [Channel::PostMart, Channel::Voso, Channel::Shopee, Channel::OcopGov, Channel::Other];

    pub fn as_db(self) -> &'static str {
        match self {
            Channel::PostMart => "postmart",
            Channel::Voso => "voso",
            Channel::Shopee => "shopee",
            Channel::OcopGov => "ocop_gov",
            Channel::Other => "other",
        }
    }

    pub fn from_db(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_db() == s)
    }

    /// The channel's name as shoppers know it (the same in both languages).
    pub fn label(self) -> &'static str {
        match self {
            Channel::PostMart => "PostMart",
            Channel::Voso => "Voso",
            Channel::Shopee => "Shopee",
            Channel::OcopGov => "ocopvietnam.gov.vn",
            Channel::Other => "Website",
        }
    }

    /// The domain a link to this channel must be on, if the channel is a known marketplace.
    pub fn domain(self) -> Option<&'static str> {
        match self {
            Channel::PostMart => Some("postmart.vn"),
            Channel::Voso => Some("voso.vn"),
            Channel::Shopee => Some("shopee.vn"),
            Channel::OcopGov => Some("ocopvietnam.gov.vn"),
            Channel::Other => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelListing {
    pub id: i64,
    pub channel: Channel,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupOption {
    pub slug: String,
    pub name: Text,
}

/// Parses a VND amount as people type it: "45000", "45.000", "45 000 ₫".
pub fn parse_vnd(text: &str) -> Option<i64> {
    let digits: String = text.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '₫' | '\u{a0}')).collect();
    let digits = digits.strip_suffix("đ").or_else(|| digits.strip_suffix("VND")).unwrap_or(&digits);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 12 {
        return None;
    }
    digits.parse().ok()
}

/// A whole number without separators, for stock and weight.
pub fn parse_count(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() || t.len() > 9 || !t.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stock_adjustment_is_a_signed_delta_whose_reason_agrees_with_its_sign() {
        let adj = |delta: &str, reason: &str| StockAdjustment {
            delta: delta.into(),
            reason: reason.into(),
            note: " lô mới ".into(),
        };
        assert_eq!(
            check_adjustment(&adj("+20", "received")),
            Ok((20, StockReason::Received, "lô mới".into()))
        );
        assert_eq!(check_adjustment(&adj("-3", "write_off")).map(|a| a.0), Ok(-3));
        assert_eq!(check_adjustment(&adj("-2", "correction")).map(|a| a.0), Ok(-2));
        let code = |d: &str, r: &str| check_adjustment(&adj(d, r)).err().map(|e| e[0].code.as_str());
        assert_eq!(code("0", "correction"), Some("stock_delta_invalid"));
        assert_eq!(code("2.5", "received"), Some("stock_delta_invalid"));
        assert_eq!(code("1000001", "received"), Some("stock_delta_invalid"));
        assert_eq!(code("-5", "received"), Some("stock_received_negative"));
        assert_eq!(code("5", "write_off"), Some("stock_write_off_positive"));
        assert_eq!(code("5", "sale"), Some("required"), "sales are recorded by checkouts only");
    }

    #[test]
    fn a_certificate_is_expired_after_its_last_day_and_flagged_ninety_days_before() {
        assert_eq!(certificate_state("2026-11-28", "2026-11-29", Some(-1)), CertificateState::Expired);
        assert_eq!(certificate_state("2026-11-29", "2026-11-29", Some(0)), CertificateState::ExpiringSoon(0));
        assert_eq!(
            certificate_state("2027-02-27", "2026-11-29", Some(90)),
            CertificateState::ExpiringSoon(90)
        );
        assert_eq!(certificate_state("2027-02-28", "2026-11-29", Some(91)), CertificateState::Valid);
    }

    #[test]
    fn prices_are_read_the_way_vietnamese_shoppers_write_them() {
        assert_eq!(parse_vnd("45000"), Some(45_000));
        assert_eq!(parse_vnd("45.000"), Some(45_000));
        assert_eq!(parse_vnd(" 1.250.000 ₫ "), Some(1_250_000));
        assert_eq!(parse_vnd("45 000đ"), Some(45_000));
        assert_eq!(parse_vnd(""), None);
        assert_eq!(parse_vnd("abc"), None);
        assert_eq!(parse_vnd("-5"), None);
        assert_eq!(parse_vnd("12,5"), Some(125), "commas are thousands separators too");
    }

    #[test]
    fn counts_are_plain_non_negative_integers() {
        assert_eq!(parse_count(" 12 "), Some(12));
        assert_eq!(parse_count("0"), Some(0));
        for bad in ["", "-1", "1.5", "x", "1234567890"] {
            assert_eq!(parse_count(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_field_filled_in_only_one_language_is_reported_missing_in_the_other() {
        let form = ProductForm {
            name_vi: "Trà ổi".into(),
            name_en: "Guava tea".into(),
            description_vi: "Trà túi lọc".into(),
            unit_en: "box".into(),
            ..Default::default()
        };
        assert_eq!(form.missing(), vec!["description_en", "unit_vi"]);
    }
}

/// The cooperative's own profile, as its dashboard edits it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileForm {
    pub story_vi: String,
    pub story_en: String,
    pub district: String,
    pub commune: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    /// Which contacts shoppers and buyers see (`contact::Contact`).
    #[serde(default)]
    pub show_phone: bool,
    #[serde(default)]
    pub show_zalo: bool,
    #[serde(default)]
    pub show_email: bool,
    /// Free shipping from this order value (whole dong, as typed); empty: never free.
    #[serde(default)]
    pub free_shipping_from: String,
    /// Days after which an unpaid bank transfer is flagged and its shopper reminded (1 to 30).
    #[serde(default)]
    pub unpaid_after_days: String,
    /// The bank for transfers (a BIN of `BANKS`), its account number and holder; all empty when
    /// the cooperative takes cash on delivery only.
    #[serde(default)]
    pub bank_bin: String,
    #[serde(default)]
    pub bank_account: String,
    #[serde(default)]
    pub bank_holder: String,
}

/// The name shoppers know a bank by, from its BIN (the BIN itself for one not in `BANKS`).
pub fn bank_name(bin: &str) -> String {
    BANKS.iter().find(|(b, _)| *b == bin).map_or_else(|| bin.to_owned(), |(_, name)| (*name).to_owned())
}

/// Banks a cooperative can receive VietQR transfers at: NAPAS BIN and the name shoppers know.
pub const BANKS: [(&str, &str); 15] = [
    ("970405", "Agribank"),
    ("970415", "VietinBank"),
    ("970418", "BIDV"),
    ("970436", "Vietcombank"),
    ("970407", "Techcombank"),
    ("970422", "MB Bank"),
    ("970416", "ACB"),
    ("970432", "VPBank"),
    ("970403", "Sacombank"),
    ("970423", "TPBank"),
    ("970437", "HDBank"),
    ("970443", "SHB"),
    ("970449", "LPBank"),
    ("970441", "VIB"),
    ("970448", "OCB"),
];

/// The account holder as banks print it: unaccented, uppercase, single spaces
/// ("Hợp tác xã Bình Minh" → "HOP TAC XA BINH MINH"). `None` if anything but letters and spaces is
/// left.
#[cfg(feature = "ssr")]
pub fn bank_holder_name(raw: &str) -> Option<String> {
    let folded = crate::search::fold::fold(raw).to_uppercase();
    let name = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    name.chars().all(|c| c.is_ascii_uppercase() || c == ' ').then_some(name)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoopProfile {
    pub name: Text,
    pub slug: String,
    pub form: ProfileForm,
    pub logo_url: Option<String>,
}
