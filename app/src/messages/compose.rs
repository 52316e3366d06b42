//! A message in words: its subject, paragraphs, facts and action in one language, from the locale
//! files the pages use and with the pages' own formatting (money, Vietnam dates). The bell shows
//! the subject and first paragraph; an email shows it all (`mail::render`).
use super::model::{CancelledBy, Message};
use crate::i18n::{Locale, td_string};
use crate::lang::Lang;
use crate::ui::dates::format_date;
use crate::ui::money::format_vnd;

/// A message composed in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub paragraphs: Vec<String>,
    /// Label and value, shown as a table in an email.
    pub facts: Vec<(String, String)>,
    /// The button's words; it leads to `href`.
    pub action: String,
    /// A path on the site.
    pub href: String,
}

/// `message` in `lang`.
pub fn compose(message: &Message, lang: Lang) -> Composed {
    let l = Locale::from(lang);
    macro_rules! t {
        ($($key:tt)*) => { td_string!(l, $($key)*).to_string() };
    }
    let order_facts = |order: &super::model::OrderRef| {
        vec![
            (t!(notify.common.order), order.number.clone()),
            (t!(notify.common.total), format_vnd(order.total_vnd)),
            (t!(notify.common.cooperative), order.cooperative.get(lang).to_owned()),
        ]
    };
    let (subject, paragraphs, facts, action) = match message {
        Message::OrderReceived { order, transfer } => {
            let cooperative = order.cooperative.get(lang);
            let mut paragraphs = vec![t!(
                notify.order_received.body,
                cooperative = cooperative,
                total = format_vnd(order.total_vnd)
            )];
            if let Some(tr) = transfer {
                paragraphs.push(t!(
                    notify.order_received.transfer,
                    amount = format_vnd(tr.amount_vnd),
                    bank = tr.bank.as_str(),
                    account = tr.account_number.as_str(),
                    name = tr.account_name.as_str(),
                    purpose = tr.purpose.as_str()
                ));
            }
            (
                t!(notify.order_received.subject, number = order.number.as_str()),
                paragraphs,
                order_facts(order),
                t!(notify.order_received.action),
            )
        }
        Message::OrderConfirmed { order } => (
            t!(notify.order_confirmed.subject, number = order.number.as_str()),
            vec![t!(notify.order_confirmed.body, cooperative = order.cooperative.get(lang))],
            order_facts(order),
            t!(notify.order_confirmed.action),
        ),
        Message::OrderShipped { order, carrier, tracking, .. } => {
            let mut facts = order_facts(order);
            if let Some(carrier) = carrier {
                facts.push((t!(notify.common.carrier), carrier.clone()));
            }
            facts.push((t!(notify.common.tracking), tracking.clone()));
            (
                t!(notify.order_shipped.subject, number = order.number.as_str()),
                vec![t!(
                    notify.order_shipped.body,
                    cooperative = order.cooperative.get(lang),
                    tracking = tracking.as_str()
                )],
                facts,
                t!(notify.order_shipped.action),
            )
        }
        Message::OrderDelivered { order } => (
            t!(notify.order_delivered.subject, number = order.number.as_str()),
            vec![t!(notify.order_delivered.body, cooperative = order.cooperative.get(lang))],
            order_facts(order),
            t!(notify.order_delivered.action),
        ),
        Message::OrderCancelled { order, by, reason } => {
            let who = match by {
                CancelledBy::Shopper => t!(notify.order_cancelled.by_shopper),
                CancelledBy::Cooperative => {
                    t!(notify.order_cancelled.by_cooperative, cooperative = order.cooperative.get(lang))
                }
                CancelledBy::Admin => t!(notify.order_cancelled.by_admin),
            };
            let mut facts = order_facts(order);
            if !reason.is_empty() {
                facts.push((t!(notify.common.reason), reason.clone()));
            }
            (
                t!(notify.order_cancelled.subject, number = order.number.as_str()),
                vec![who],
                facts,
                t!(notify.order_cancelled.action),
            )
        }
        Message::NewOrder { order } => (
            t!(notify.new_order.subject, number = order.number.as_str(), total = format_vnd(order.total_vnd)),
            vec![t!(
                notify.new_order.body,
                customer = order.customer.as_str(),
                total = format_vnd(order.total_vnd)
            )],
            order_facts(order),
            t!(notify.new_order.action),
        ),
        Message::OrderCancelledByShopper { order, reason } => {
            let mut facts = order_facts(order);
            if !reason.is_empty() {
                facts.push((t!(notify.common.reason), reason.clone()));
            }
            (
                t!(notify.order_cancelled_by_shopper.subject, number = order.number.as_str()),
                vec![t!(notify.order_cancelled_by_shopper.body, customer = order.customer.as_str())],
                facts,
                t!(notify.order_cancelled_by_shopper.action),
            )
        }
        Message::InquiryReceived { company, country, product, .. } => {
            let mut paragraphs = vec![t!(
                notify.inquiry_received.body,
                company = company.as_str(),
                country = country.as_str()
            )];
            if let Some(product) = product {
                paragraphs.push(t!(notify.inquiry_received.product, product = product.get(lang)));
            }
            (
                t!(notify.inquiry_received.subject, company = company.as_str(), country = country.as_str()),
                paragraphs,
                Vec::new(),
                t!(notify.inquiry_received.action),
            )
        }
        Message::ChatWaiting { visitor, excerpt } => (
            t!(notify.chat_waiting.subject, visitor = visitor.as_str()),
            vec![t!(notify.chat_waiting.body, excerpt = excerpt.as_str())],
            Vec::new(),
            t!(notify.chat_waiting.action),
        ),
        Message::CertificateExpiring { number, product, expires_at, days } => (
            t!(notify.certificate_expiring.subject, number = number.as_str(), days = *days),
            vec![t!(
                notify.certificate_expiring.body,
                product = product.get(lang),
                date = format_date(*expires_at)
            )],
            Vec::new(),
            t!(notify.certificate_expiring.action),
        ),
        Message::ApplicationDecided { cooperative, approved, note } => {
            let name = cooperative.get(lang);
            if *approved {
                (
                    t!(notify.application_decided.approved, cooperative = name),
                    vec![t!(notify.application_decided.approved_body)],
                    Vec::new(),
                    t!(notify.application_decided.action),
                )
            } else {
                (
                    t!(notify.application_decided.rejected, cooperative = name),
                    vec![t!(notify.application_decided.rejected_body, note = note.as_str())],
                    Vec::new(),
                    t!(notify.application_decided.action),
                )
            }
        }
        Message::ProductHidden { product, reason, .. } => (
            t!(notify.product_hidden.subject, product = product.get(lang)),
            vec![t!(notify.product_hidden.body, reason = reason.as_str())],
            Vec::new(),
            t!(notify.product_hidden.action),
        ),
        Message::DailyDigest { applications, expiring, failed } => (
            t!(notify.daily_digest.subject, applications = *applications, expiring = *expiring),
            vec![t!(
                notify.daily_digest.body,
                applications = *applications,
                expiring = *expiring,
                failed = *failed
            )],
            Vec::new(),
            t!(notify.daily_digest.action),
        ),
        Message::PaymentReceived { order, amount_vnd } => (
            t!(notify.payment_received.subject, number = order.number.as_str()),
            vec![t!(
                notify.payment_received.body,
                cooperative = order.cooperative.get(lang),
                amount = format_vnd(*amount_vnd)
            )],
            order_facts(order),
            t!(notify.payment_received.action),
        ),
        Message::PaymentReminder { order } => (
            t!(notify.payment_reminder.subject, number = order.number.as_str()),
            vec![t!(
                notify.payment_reminder.body,
                total = format_vnd(order.total_vnd),
                purpose = format!("OCOP {}", order.number)
            )],
            order_facts(order),
            t!(notify.payment_reminder.action),
        ),
        Message::PasswordReset { .. } => (
            t!(notify.password_reset.subject),
            vec![t!(notify.password_reset.body)],
            Vec::new(),
            t!(notify.password_reset.action),
        ),
        Message::VerifyEmail { .. } => (
            t!(notify.verify_email.subject),
            vec![t!(notify.verify_email.body)],
            Vec::new(),
            t!(notify.verify_email.action),
        ),
    };
    Composed { subject, paragraphs, facts, action, href: message.href() }
}

/// The name of a kind of message, for the choices on `/account` and the admin's outbox.
pub fn kind_name(kind: super::model::Kind, lang: Lang) -> String {
    use super::model::Kind;
    let l = Locale::from(lang);
    match kind {
        Kind::OrderReceived => td_string!(l, notify.kinds.order_received),
        Kind::OrderConfirmed => td_string!(l, notify.kinds.order_confirmed),
        Kind::OrderShipped => td_string!(l, notify.kinds.order_shipped),
        Kind::OrderDelivered => td_string!(l, notify.kinds.order_delivered),
        Kind::OrderCancelled => td_string!(l, notify.kinds.order_cancelled),
        Kind::NewOrder => td_string!(l, notify.kinds.new_order),
        Kind::OrderCancelledByShopper => td_string!(l, notify.kinds.order_cancelled_by_shopper),
        Kind::InquiryReceived => td_string!(l, notify.kinds.inquiry_received),
        Kind::ChatWaiting => td_string!(l, notify.kinds.chat_waiting),
        Kind::CertificateExpiring => td_string!(l, notify.kinds.certificate_expiring),
        Kind::ApplicationDecided => td_string!(l, notify.kinds.application_decided),
        Kind::ProductHidden => td_string!(l, notify.kinds.product_hidden),
        Kind::DailyDigest => td_string!(l, notify.kinds.daily_digest),
        Kind::PasswordReset => td_string!(l, notify.kinds.password_reset),
        Kind::VerifyEmail => td_string!(l, notify.kinds.verify_email),
        Kind::PaymentReceived => td_string!(l, notify.kinds.payment_received),
        Kind::PaymentReminder => td_string!(l, notify.kinds.payment_reminder),
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Text;
    use crate::messages::model::{Kind, OrderRef, TransferRef};

    /// One message of each kind (a new kind must be added here, or this does not compile).
    fn sample(kind: Kind) -> Message {
        let order = OrderRef {
            number: "DH270115-000001-1".into(),
            total_vnd: 1_250_000,
            cooperative: Text::new("HTX Chè Bình Minh", "Binh Minh Tea Cooperative"),
            customer: "Nguyễn Thị Lan".into(),
        };
        match kind {
            Kind::OrderReceived => Message::OrderReceived {
                order,
                transfer: Some(TransferRef {
                    bank: "Vietcombank".into(),
                    account_number: "0123456789".into(),
                    account_name: "HTX CHE BINH MINH".into(),
                    amount_vnd: 1_250_000,
                    purpose: "OCOP DH270115-000001-1".into(),
                }),
            },
            Kind::OrderConfirmed => Message::OrderConfirmed { order },
            Kind::OrderShipped => Message::OrderShipped {
                order,
                carrier: Some("VNPost".into()),
                tracking: "EB1".into(),
                tracking_url: None,
            },
            Kind::OrderDelivered => Message::OrderDelivered { order },
            Kind::OrderCancelled => {
                Message::OrderCancelled { order, by: CancelledBy::Cooperative, reason: "hết hàng".into() }
            }
            Kind::NewOrder => Message::NewOrder { order },
            Kind::OrderCancelledByShopper => {
                Message::OrderCancelledByShopper { order, reason: String::new() }
            }
            Kind::InquiryReceived => Message::InquiryReceived {
                inquiry_id: 7,
                company: "Leaf & Co".into(),
                country: "GB".into(),
                product: Some(Text::new("Chè Shan tuyết", "Shan Tuyet tea")),
            },
            Kind::ChatWaiting => Message::ChatWaiting { visitor: "Anna".into(), excerpt: "Hello?".into() },
            Kind::CertificateExpiring => Message::CertificateExpiring {
                number: "123/QĐ-UBND".into(),
                product: Text::new("Chè Shan tuyết", "Shan Tuyet tea"),
                expires_at: 1_800_000_000,
                days: 30,
            },
            Kind::ApplicationDecided => Message::ApplicationDecided {
                cooperative: Text::new("HTX Hồng Phát", "Hong Phat Cooperative"),
                approved: false,
                note: "Thiếu giấy phép".into(),
            },
            Kind::ProductHidden => Message::ProductHidden {
                product_id: 3,
                product: Text::new("Chè Shan tuyết", "Shan Tuyet tea"),
                reason: "Ảnh sai".into(),
            },
            Kind::DailyDigest => Message::DailyDigest { applications: 2, expiring: 5, failed: 1 },
            Kind::PasswordReset => Message::PasswordReset { token: "t".into() },
            Kind::VerifyEmail => Message::VerifyEmail { token: "t".into() },
            Kind::PaymentReceived => Message::PaymentReceived { order, amount_vnd: 1_250_000 },
            Kind::PaymentReminder => Message::PaymentReminder { order },
        }
    }

    #[test]
    fn every_message_has_its_own_words_in_both_languages() {
        for kind in Kind::ALL {
            let message = sample(kind);
            assert_eq!(message.kind(), kind);
            let vi = compose(&message, Lang::Vi);
            let en = compose(&message, Lang::En);
            for words in [&vi, &en] {
                assert!(!words.subject.is_empty() && !words.action.is_empty(), "{kind:?}");
                assert!(
                    !words.paragraphs.is_empty() && words.paragraphs.iter().all(|p| !p.is_empty()),
                    "{kind:?}"
                );
                assert!(!words.subject.contains("{{"), "{kind:?}: a placeholder left: {}", words.subject);
                assert!(words.href.starts_with('/'), "{kind:?}");
            }
            // A sentence missing in one language would fall back to the other's.
            assert_ne!(vi.subject, en.subject, "{kind:?}");
            assert_ne!(vi.paragraphs, en.paragraphs, "{kind:?}");
            assert_ne!(vi.action, en.action, "{kind:?}");
            assert_ne!(kind_name(kind, Lang::Vi), kind_name(kind, Lang::En), "{kind:?}");
        }
    }

    #[test]
    fn an_order_message_names_the_order_with_the_pages_formatting() {
        let vi = compose(&sample(Kind::OrderReceived), Lang::Vi);
        assert_eq!(vi.subject, "Đã nhận đơn hàng DH270115-000001-1");
        assert!(
            vi.paragraphs[1].contains("1.250.000 ₫") && vi.paragraphs[1].contains("OCOP DH270115-000001-1")
        );
        assert!(vi.facts.iter().any(|(_, v)| v == "HTX Chè Bình Minh"));
        let en = compose(&sample(Kind::OrderReceived), Lang::En);
        assert!(en.facts.iter().any(|(_, v)| v == "Binh Minh Tea Cooperative"));
        let expiring = compose(&sample(Kind::CertificateExpiring), Lang::En);
        assert!(expiring.paragraphs[0].contains("15/01/2027"), "{:?}", expiring.paragraphs);
    }
}
