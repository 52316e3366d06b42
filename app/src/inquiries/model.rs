//! Export (B2B) inquiries: the buyer's form, the cooperative's lead pipeline, and the admin's
//! province-wide view.
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::lang::Text;

/// The Incoterms 2020 rules a buyer can ask for.
pub const INCOTERMS: [&str; 7] = ["EXW", "FCA", "FOB", "CFR", "CIF", "DAP", "DDP"];
/// Size limits (characters).
pub const MAX_SHORT: usize = 120;
pub const MAX_MESSAGE: usize = 4000;
pub const MAX_NOTE: usize = 2000;
pub const MAX_PHONE: usize = 40;
pub const MAX_UNIT: usize = 20;
/// A booth's or a product's slug.
pub const MAX_SLUG: usize = 80;
/// Inquiries one address may send per hour.
pub const PER_IP_PER_HOUR: i64 = 5;

/// The inquiry form as sent. Every field is text, so a refused form comes back exactly as typed.
/// `website` is a honeypot: hidden from people, filled in by bots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryForm {
    /// The booth (cooperative slug) the inquiry goes to.
    pub booth: String,
    /// A product slug of that cooperative, or empty.
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub quantity_unit: String,
    #[serde(default)]
    pub packaging: String,
    #[serde(default)]
    pub incoterm: String,
    /// YYYY-MM-DD, or empty.
    #[serde(default)]
    pub target_date: String,
    /// A checkbox: present ("on") when ticked.
    #[serde(default)]
    pub samples: Option<String>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub website: String,
}

/// A valid inquiry, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedInquiry {
    pub company: String,
    pub country: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub quantity: i64,
    pub quantity_unit: String,
    pub packaging: String,
    pub incoterm: &'static str,
    pub target_date: Option<String>,
    pub samples: bool,
    pub message: String,
}

#[cfg(feature = "ssr")]
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(feature = "ssr")]
impl InquiryForm {
    /// Checks every field (all errors at once). `today` is YYYY-MM-DD: a target date must not be
    /// in the past.
    pub fn check(&self, today: &str) -> Result<CheckedInquiry, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text = |field: &str, value: &str, required: bool, max: usize| -> String {
            let v = one_line(value);
            if required && v.is_empty() {
                errors.push(FieldError::new(field, crate::error::FieldCode::Required));
            } else if v.chars().count() > max {
                errors.push(FieldError::new(field, crate::error::FieldCode::TooLong));
            }
            v
        };
        let company = text("company", &self.company, true, MAX_SHORT);
        let country = text("country", &self.country, true, MAX_SHORT);
        let contact_name = text("contact_name", &self.contact_name, true, MAX_SHORT);
        let email = text("email", &self.email, true, MAX_SHORT).to_lowercase();
        let phone = text("phone", &self.phone, false, MAX_PHONE);
        let quantity_unit = text("quantity_unit", &self.quantity_unit, true, MAX_UNIT);
        let packaging = text("packaging", &self.packaging, false, MAX_SHORT);
        if !email.is_empty() && !valid_email(&email) {
            errors.push(FieldError::new("email", crate::error::FieldCode::EmailInvalid));
        }
        if !phone.is_empty() && !phone.chars().all(|c| c.is_ascii_digit() || " +-.()".contains(c)) {
            errors.push(FieldError::new("phone", crate::error::FieldCode::PhoneInvalid));
        }
        let quantity = match self.quantity.trim().replace(['.', ',', ' '], "").parse::<i64>() {
            Ok(q) if q > 0 && q <= 1_000_000_000 => q,
            _ if self.quantity.trim().is_empty() => {
                errors.push(FieldError::new("quantity", crate::error::FieldCode::Required));
                0
            }
            _ => {
                errors.push(FieldError::new("quantity", crate::error::FieldCode::QuantityInvalid));
                0
            }
        };
        let incoterm = INCOTERMS.iter().copied().find(|t| *t == self.incoterm.trim().to_uppercase());
        if incoterm.is_none() {
            errors.push(FieldError::new("incoterm", crate::error::FieldCode::IncotermInvalid));
        }
        let target = self.target_date.trim();
        let target_date = if target.is_empty() {
            None
        } else if let Some(date) = crate::certificates::model::parse_date(target).map(|d| d.to_string()) {
            if date.as_str() < today {
                errors.push(FieldError::new("target_date", crate::error::FieldCode::DatePast));
            }
            Some(date)
        } else {
            errors.push(FieldError::new("target_date", crate::error::FieldCode::DateInvalid));
            None
        };
        let message = self.message.trim().to_owned();
        if message.chars().count() < 10 {
            errors.push(FieldError::new("message", crate::error::FieldCode::MessageShort));
        } else if message.chars().count() > MAX_MESSAGE {
            errors.push(FieldError::new("message", crate::error::FieldCode::TooLong));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CheckedInquiry {
            company,
            country,
            contact_name,
            email,
            phone,
            quantity,
            quantity_unit,
            packaging,
            incoterm: incoterm.unwrap_or("EXW"),
            target_date,
            samples: self.samples.as_deref().is_some_and(|s| !s.is_empty() && s != "false"),
            message,
        })
    }
}

/// A plausible address: one `@`, something before it, a dotted domain after it.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// Where a lead is in the cooperative's pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeadStatus {
    New,
    Replied,
    Negotiating,
    Won,
    Lost,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 5] =
        [LeadStatus::New, LeadStatus::Replied, LeadStatus::Negotiating, LeadStatus::Won, LeadStatus::Lost];

    pub fn as_db(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Replied => "replied",
            LeadStatus::Negotiating => "negotiating",
            LeadStatus::Won => "won",
            LeadStatus::Lost => "lost",
        }
    }

    pub fn from_db(s: &str) -> Option<LeadStatus> {
        LeadStatus::ALL.into_iter().find(|st| st.as_db() == s)
    }

    /// new → replied → negotiating → won; any open lead can be lost.
    pub fn can_move(self, to: LeadStatus) -> bool {
        use LeadStatus::*;
        matches!(
            (self, to),
            (New, Replied)
                | (Replied, Negotiating)
                | (Negotiating, Won)
                | (New | Replied | Negotiating, Lost)
        )
    }

    /// The moves open from here, in pipeline order.
    pub fn next(self) -> Vec<LeadStatus> {
        LeadStatus::ALL.into_iter().filter(|to| self.can_move(*to)).collect()
    }
}

/// A lead in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSummary {
    pub id: i64,
    pub cooperative: Text,
    pub company: String,
    pub country: String,
    pub product: Option<Text>,
    pub quantity: i64,
    pub quantity_unit: String,
    pub incoterm: String,
    pub status: LeadStatus,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadEvent {
    pub at: i64,
    pub who: Option<String>,
    pub from: Option<LeadStatus>,
    pub to: Option<LeadStatus>,
    pub note: String,
}

/// A lead with everything the buyer sent and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub summary: LeadSummary,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub packaging: String,
    pub target_date: Option<String>,
    pub samples: bool,
    pub message: String,
    pub events: Vec<LeadEvent>,
}

/// What the inquiry page shows first: the booth, the product chosen, and a refused form's draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryPage {
    pub booth_slug: String,
    pub booth_name: Text,
    /// The cooperative's products (slug, name) to choose from.
    pub products: Vec<(String, Text)>,
    pub form: InquiryForm,
    pub errors: Vec<FieldError>,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn good() -> InquiryForm {
        InquiryForm {
            booth: "htx-che-binh-minh".into(),
            company: "Camden Tea Ltd".into(),
            country: "United Kingdom".into(),
            contact_name: "Amelia Hart".into(),
            email: "Amelia@CamdenTea.co.uk".into(),
            quantity: "2.000".into(),
            quantity_unit: "kg".into(),
            incoterm: "fob".into(),
            target_date: "2027-03-01".into(),
            samples: Some("on".into()),
            message: "We would like 2 tonnes of Shan Tuyet green tea.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_inquiry_is_normalised() {
        let c = good().check("2026-11-29").expect("valid");
        assert_eq!(c.email, "amelia@camdentea.co.uk");
        assert_eq!(c.quantity, 2000);
        assert_eq!(c.incoterm, "FOB");
        assert!(c.samples);
        assert_eq!(c.target_date.as_deref(), Some("2027-03-01"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let form = InquiryForm {
            booth: "x".into(),
            email: "not-an-email".into(),
            quantity: "-3".into(),
            incoterm: "FAS".into(),
            target_date: "2020-01-01".into(),
            message: "hi".into(),
            company: "x".repeat(121),
            ..Default::default()
        };
        let errors = form.check("2026-11-29").expect_err("invalid");
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        for expected in [
            ("company", "too_long"),
            ("country", "required"),
            ("contact_name", "required"),
            ("email", "email_invalid"),
            ("quantity_unit", "required"),
            ("quantity", "quantity_invalid"),
            ("incoterm", "incoterm_invalid"),
            ("target_date", "date_past"),
            ("message", "message_short"),
        ] {
            assert!(fields.contains(&expected), "{expected:?} missing from {fields:?}");
        }
    }

    #[test]
    fn the_pipeline_moves_forward_or_to_lost_only() {
        use LeadStatus::*;
        let allowed: Vec<(LeadStatus, LeadStatus)> = LeadStatus::ALL
            .into_iter()
            .flat_map(|a| LeadStatus::ALL.into_iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.can_move(*b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (New, Replied),
                (New, Lost),
                (Replied, Negotiating),
                (Replied, Lost),
                (Negotiating, Won),
                (Negotiating, Lost)
            ]
        );
        assert!(Won.next().is_empty() && Lost.next().is_empty());
    }
}
