//! Money, apart from fulfilment: whether an order is paid, and what a bank statement's credits
//! matched. Shared by the server and the pages.
use serde::{Deserialize, Serialize};

use crate::lang::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    #[default]
    Unpaid,
    Paid,
    Refunded,
}

impl PaymentStatus {
    pub fn key(self) -> &'static str {
        match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Refunded => "refunded",
        }
    }

    pub fn from_key(key: &str) -> Option<PaymentStatus> {
        [PaymentStatus::Unpaid, PaymentStatus::Paid, PaymentStatus::Refunded]
            .into_iter()
            .find(|s| s.key() == key)
    }
}

/// How a payment was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaidVia {
    /// Cash, at delivery.
    Cod,
    /// Recorded by a member of the cooperative.
    Manual,
    /// Matched from the cooperative's bank statement.
    Statement,
}

impl PaidVia {
    pub fn key(self) -> &'static str {
        match self {
            PaidVia::Cod => "cod",
            PaidVia::Manual => "manual",
            PaidVia::Statement => "statement",
        }
    }

    pub fn from_key(key: &str) -> Option<PaidVia> {
        [PaidVia::Cod, PaidVia::Manual, PaidVia::Statement].into_iter().find(|s| s.key() == key)
    }
}

/// An order's payment, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaymentState {
    pub status: PaymentStatus,
    pub amount_vnd: Option<i64>,
    pub at: Option<i64>,
    pub via: Option<PaidVia>,
    /// Who recorded it (a member's name), when a person did.
    pub by: Option<String>,
    /// A bank transfer still unpaid after the cooperative's number of days.
    pub overdue: bool,
}

/// What became of one credit of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Its note names an unpaid order and its amount is the order's total: the order is paid.
    Matched,
    /// Its note names an order, for another amount: for a person to decide.
    AmountDiffers,
    /// Its note names an order already paid.
    AlreadyPaid,
    /// Its note names no order of the cooperative.
    UnknownNote,
}

impl Outcome {
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Matched => "matched",
            Outcome::AmountDiffers => "amount_differs",
            Outcome::AlreadyPaid => "already_paid",
            Outcome::UnknownNote => "unknown_note",
        }
    }

    pub fn from_key(key: &str) -> Option<Outcome> {
        [Outcome::Matched, Outcome::AmountDiffers, Outcome::AlreadyPaid, Outcome::UnknownNote]
            .into_iter()
            .find(|o| o.key() == key)
    }
}

/// One credit of an imported statement and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub line_no: i64,
    pub booked_on: String,
    pub amount_vnd: i64,
    pub note: String,
    pub outcome: Outcome,
    /// The order its note names, and that order's total.
    pub order: Option<(String, i64)>,
}

/// An import's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementImport {
    pub id: i64,
    pub filename: String,
    pub at: i64,
    pub lines: Vec<StatementLine>,
}

/// A bank-transfer order waiting for its money, on the cooperative's payments page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpaidOrder {
    pub number: String,
    pub customer: String,
    pub total_vnd: i64,
    pub created_at: i64,
    pub overdue: bool,
}

/// The cooperative's payments page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PaymentsPage {
    pub cooperative: Text,
    pub unpaid_after_days: i64,
    pub unpaid: Vec<UnpaidOrder>,
    /// The latest import, or the one asked for.
    pub import: Option<StatementImport>,
    /// Goods and shipping of the last 30 days: ordered (not cancelled) and paid.
    pub ordered_30d_vnd: i64,
    pub paid_30d_vnd: i64,
}

/// Statement files: at most this big, and this many rows.
pub const MAX_STATEMENT_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_STATEMENT_ROWS: usize = 5_000;

/// The letters and digits of a text, upper case: how banks keep a transfer's note (many drop
/// the dashes and spaces), and how an order number is looked for in it.
pub fn note_key(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// An amount as banks write it: `1.250.000`, `1,250,000`, `1250000.00`, `1.250.000 VND`, `+85,000`.
/// `None` for what is not a number.
pub fn parse_amount(text: &str) -> Option<i64> {
    let t: String = text.chars().filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-')).collect();
    if t.is_empty() || !t.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let negative = t.starts_with('-');
    let t = t.trim_start_matches('-');
    // A decimal part: a separator followed by one or two digits at the end.
    let whole = match t.rfind(['.', ',']) {
        Some(i) if t.len() - i - 1 <= 2 => &t[..i],
        _ => t,
    };
    let digits: String = whole.chars().filter(char::is_ascii_digit).collect();
    let value = digits.parse::<i64>().ok()?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_vietnamese_banks_write_them() {
        assert_eq!(parse_amount("1.250.000"), Some(1_250_000));
        assert_eq!(parse_amount("1,250,000"), Some(1_250_000));
        assert_eq!(parse_amount("1250000.00"), Some(1_250_000));
        assert_eq!(parse_amount("1.250.000,00 VND"), Some(1_250_000));
        assert_eq!(parse_amount("+85,000"), Some(85_000));
        assert_eq!(parse_amount("-50.000"), Some(-50_000));
        assert_eq!(parse_amount("85000"), Some(85_000));
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("Số tiền"), None);
    }

    #[test]
    fn a_note_is_compared_by_its_letters_and_digits() {
        assert_eq!(note_key("OCOP DH261206-000301-1"), "OCOPDH2612060003011");
        assert_eq!(note_key("ocop dh261206 000301 1 ck"), "OCOPDH2612060003011CK");
    }
}
