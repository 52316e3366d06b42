//! What people are told: the kinds of message, the data each carries, and a notice as the bell's
//! page shows it. A message is stored as its data (JSON); its sentences are composed when it is
//! shown or sent, in the reader's language (`compose`).
use serde::{Deserialize, Serialize};

use crate::lang::Text;

/// Every kind of message. The essential ones (an account's own security, an order's receipt and
/// its cancellation, the department's decisions) cannot be turned off; the others can, each on
/// its own, on `/account` or by the link in such an email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OrderReceived,
    OrderConfirmed,
    OrderShipped,
    OrderDelivered,
    OrderCancelled,
    NewOrder,
    OrderCancelledByShopper,
    InquiryReceived,
    ChatWaiting,
    CertificateExpiring,
    ApplicationDecided,
    ProductHidden,
    DailyDigest,
    PasswordReset,
    VerifyEmail,
    PaymentReceived,
    PaymentReminder,
}

/// Who a kind of message is for, to group the choices on `/account`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Shopper,
    Cooperative,
    Admin,
    Account,
}

impl Kind {
    pub const ALL: [Kind; 17] = [
        Kind::OrderReceived,
        Kind::OrderConfirmed,
        Kind::OrderShipped,
        Kind::OrderDelivered,
        Kind::OrderCancelled,
        Kind::NewOrder,
        Kind::OrderCancelledByShopper,
        Kind::InquiryReceived,
        Kind::ChatWaiting,
        Kind::CertificateExpiring,
        Kind::ApplicationDecided,
        Kind::ProductHidden,
        Kind::DailyDigest,
        Kind::PasswordReset,
        Kind::VerifyEmail,
        Kind::PaymentReceived,
        Kind::PaymentReminder,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::OrderReceived => "order_received",
            Kind::OrderConfirmed => "order_confirmed",
            Kind::OrderShipped => "order_shipped",
            Kind::OrderDelivered => "order_delivered",
            Kind::OrderCancelled => "order_cancelled",
            Kind::NewOrder => "new_order",
            Kind::OrderCancelledByShopper => "order_cancelled_by_shopper",
            Kind::InquiryReceived => "inquiry_received",
            Kind::ChatWaiting => "chat_waiting",
            Kind::CertificateExpiring => "certificate_expiring",
            Kind::ApplicationDecided => "application_decided",
            Kind::ProductHidden => "product_hidden",
            Kind::DailyDigest => "daily_digest",
            Kind::PasswordReset => "password_reset",
            Kind::VerifyEmail => "verify_email",
            Kind::PaymentReceived => "payment_received",
            Kind::PaymentReminder => "payment_reminder",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Sent whatever the recipient chose: without it they could not use their account, would
    /// not know what they owe or that an order will not come, or would miss a decision about them.
    pub fn is_essential(self) -> bool {
        matches!(
            self,
            Kind::OrderReceived
                | Kind::OrderCancelled
                | Kind::ApplicationDecided
                | Kind::ProductHidden
                | Kind::PasswordReset
                | Kind::VerifyEmail
        )
    }

    /// Only an email: an account's link is no notice to keep in the bell.
    pub fn email_only(self) -> bool {
        matches!(self, Kind::PasswordReset | Kind::VerifyEmail)
    }

    /// Carries a secret (a single-use link) that the outbox forgets once it is sent.
    pub fn carries_secret(self) -> bool {
        matches!(self, Kind::PasswordReset | Kind::VerifyEmail)
    }

    pub fn audience(self) -> Audience {
        match self {
            Kind::OrderReceived
            | Kind::OrderConfirmed
            | Kind::OrderShipped
            | Kind::OrderDelivered
            | Kind::OrderCancelled
            | Kind::PaymentReceived
            | Kind::PaymentReminder => Audience::Shopper,
            Kind::NewOrder
            | Kind::OrderCancelledByShopper
            | Kind::InquiryReceived
            | Kind::ChatWaiting
            | Kind::CertificateExpiring
            | Kind::ApplicationDecided
            | Kind::ProductHidden => Audience::Cooperative,
            Kind::DailyDigest => Audience::Admin,
            Kind::PasswordReset | Kind::VerifyEmail => Audience::Account,
        }
    }
}

/// An order as its messages name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRef {
    pub number: String,
    pub total_vnd: i64,
    pub cooperative: Text,
    /// The name the order ships to.
    pub customer: String,
}

/// Where a bank transfer goes, as the order page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRef {
    pub bank: String,
    pub account_number: String,
    pub account_name: String,
    pub amount_vnd: i64,
    /// The note the transfer must carry, by which it is matched to the order.
    pub purpose: String,
}

/// Who cancelled an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    Shopper,
    Cooperative,
    Admin,
}

/// A message's data, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    OrderReceived { order: OrderRef, transfer: Option<TransferRef> },
    OrderConfirmed { order: OrderRef },
    OrderShipped { order: OrderRef, carrier: Option<String>, tracking: String, tracking_url: Option<String> },
    OrderDelivered { order: OrderRef },
    OrderCancelled { order: OrderRef, by: CancelledBy, reason: String },
    NewOrder { order: OrderRef },
    OrderCancelledByShopper { order: OrderRef, reason: String },
    InquiryReceived { inquiry_id: i64, company: String, country: String, product: Option<Text> },
    ChatWaiting { visitor: String, excerpt: String },
    CertificateExpiring { number: String, product: Text, expires_at: i64, days: i64 },
    ApplicationDecided { cooperative: Text, approved: bool, note: String },
    ProductHidden { product_id: i64, product: Text, reason: String },
    DailyDigest { applications: i64, expiring: i64, failed: i64 },
    PasswordReset { token: String },
    VerifyEmail { token: String },
    PaymentReceived { order: OrderRef, amount_vnd: i64 },
    PaymentReminder { order: OrderRef },
}

impl Message {
    pub fn kind(&self) -> Kind {
        match self {
            Message::OrderReceived { .. } => Kind::OrderReceived,
            Message::OrderConfirmed { .. } => Kind::OrderConfirmed,
            Message::OrderShipped { .. } => Kind::OrderShipped,
            Message::OrderDelivered { .. } => Kind::OrderDelivered,
            Message::OrderCancelled { .. } => Kind::OrderCancelled,
            Message::NewOrder { .. } => Kind::NewOrder,
            Message::OrderCancelledByShopper { .. } => Kind::OrderCancelledByShopper,
            Message::InquiryReceived { .. } => Kind::InquiryReceived,
            Message::ChatWaiting { .. } => Kind::ChatWaiting,
            Message::CertificateExpiring { .. } => Kind::CertificateExpiring,
            Message::ApplicationDecided { .. } => Kind::ApplicationDecided,
            Message::ProductHidden { .. } => Kind::ProductHidden,
            Message::DailyDigest { .. } => Kind::DailyDigest,
            Message::PasswordReset { .. } => Kind::PasswordReset,
            Message::VerifyEmail { .. } => Kind::VerifyEmail,
            Message::PaymentReceived { .. } => Kind::PaymentReceived,
            Message::PaymentReminder { .. } => Kind::PaymentReminder,
        }
    }

    /// Where the message leads on the site (a path).
    pub fn href(&self) -> String {
        match self {
            Message::OrderReceived { order, .. }
            | Message::OrderConfirmed { order }
            | Message::OrderShipped { order, .. }
            | Message::OrderDelivered { order }
            | Message::OrderCancelled { order, .. }
            | Message::PaymentReceived { order, .. }
            | Message::PaymentReminder { order } => format!("/orders/{}", order.number),
            Message::NewOrder { order } | Message::OrderCancelledByShopper { order, .. } => {
                format!("/coop/orders/{}", order.number)
            }
            Message::InquiryReceived { inquiry_id, .. } => format!("/coop/inquiries/{inquiry_id}"),
            Message::ChatWaiting { .. } => "/coop/booth".to_owned(),
            Message::CertificateExpiring { .. } => "/coop/products".to_owned(),
            Message::ApplicationDecided { .. } => "/coop".to_owned(),
            Message::ProductHidden { product_id, .. } => format!("/coop/products/{product_id}"),
            Message::DailyDigest { .. } => "/admin".to_owned(),
            Message::PasswordReset { token } => format!("/reset-password?token={token}"),
            Message::VerifyEmail { token } => format!("/verify-email?token={token}"),
        }
    }
}

/// One notice on the bell's page; its words are composed in the reader's language when shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub message: Message,
    pub at: i64,
    pub read: bool,
}

/// The bell's page: the newest notices and how many are unread in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Notices {
    pub items: Vec<Notice>,
    pub unread: i64,
}

/// A user's email settings: the language of their emails, and each kind they may turn off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MailSettings {
    pub lang: crate::lang::Lang,
    pub choices: Vec<MailChoice>,
}

/// One kind of email a user may turn off, and whether it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailChoice {
    pub kind: Kind,
    pub on: bool,
}

/// The state of an email in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    Pending,
    Sent,
    Failed,
}

impl MailStatus {
    pub fn key(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }

    pub fn from_key(key: &str) -> Option<MailStatus> {
        [MailStatus::Pending, MailStatus::Sent, MailStatus::Failed].into_iter().find(|s| s.key() == key)
    }
}

/// An email in the outbox, as the admins' list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: i64,
    pub kind: Kind,
    pub recipient: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// The admins' outbox page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OutboxPage {
    pub items: Vec<OutboxItem>,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// The most emails the admins' list shows.
pub const OUTBOX_SHOWN: i64 = 200;

/// The most notices the page shows.
pub const NOTICES_SHOWN: i64 = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_name_that_reads_back() {
        let mut names: Vec<&str> = Kind::ALL.iter().map(|k| k.key()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Kind::ALL.len());
        for kind in Kind::ALL {
            assert_eq!(Kind::from_key(kind.key()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::Value::String(kind.key().to_owned()))
            );
        }
        assert_eq!(Kind::from_key("spam"), None);
    }

    #[test]
    fn a_message_is_stored_under_its_kinds_name() {
        let m = Message::DailyDigest { applications: 2, expiring: 1, failed: 0 };
        let json = serde_json::to_value(&m).unwrap_or_default();
        assert_eq!(json["kind"], "daily_digest");
        assert_eq!(serde_json::from_value::<Message>(json).ok(), Some(m));
    }

    #[test]
    fn account_links_cannot_be_turned_off_and_are_forgotten_once_sent() {
        for kind in [Kind::PasswordReset, Kind::VerifyEmail] {
            assert!(kind.is_essential() && kind.carries_secret() && kind.email_only());
        }
        assert!(!Kind::OrderShipped.is_essential());
        assert!(!Kind::DailyDigest.carries_secret());
    }
}
