//! Traceability types shared by the server and the browser: a product's public record, its
//! batches (harvests) as the cooperative keeps them, and the booth's printable QR card.
use serde::{Deserialize, Serialize};

use crate::certificates::model::CertificateState;
use crate::certificates::model::Council;
use crate::lang::Text;

/// Size limits (characters).
pub const MAX_BATCH_CODE: usize = 40;
/// Notes are short on purpose: the public page stays small on a phone at a fair.
pub const MAX_BATCH_NOTES: usize = 500;
/// Batches one product may keep.
pub const MAX_BATCHES: i64 = 100;
/// The public page shows this many batches, newest first, and counts the rest.
pub const PAGE_BATCHES: i64 = 12;

/// The public path of a product's traceability page.
pub fn trace_path(code: &str) -> String {
    format!("/t/{code}")
}

/// The path of a product's QR code (it points at the traceability page).
pub fn trace_qr_path(code: &str) -> String {
    format!("/t/{code}/qr.svg")
}

/// The path of a booth's printable QR card.
pub fn booth_card_path(slug: &str) -> String {
    format!("/booths/{slug}/card")
}

/// Whether `code` could be a trace code at all (lowercase letters and digits, 4 to 32), so a
/// scanner's garbage never reaches the database.
pub fn plausible_code(code: &str) -> bool {
    (4..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// One batch or harvest of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub id: i64,
    pub batch_code: String,
    /// YYYY-MM-DD.
    pub produced_on: String,
    pub notes: Text,
}

/// The certificate as the public record shows it, with where it stands today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceCertificate {
    pub stars: i64,
    pub council: Council,
    pub decision_no: String,
    pub issued_on: String,
    pub expires_on: String,
    pub state: CertificateState,
    pub is_demo: bool,
}

/// What the public traceability page (`/t/<code>`) shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceRecord {
    pub code: String,
    pub product_name: Text,
    pub product_slug: String,
    /// `/p/<slug>`.
    pub product_path: String,
    pub cooperative_name: Text,
    pub cooperative_slug: String,
    pub district: Option<Text>,
    pub commune: Option<String>,
    /// The latest certificate, expired or not.
    pub certificate: Option<TraceCertificate>,
    /// Newest first, at most `PAGE_BATCHES`.
    pub batches: Vec<Batch>,
    /// All the product's batches, shown or not.
    pub batch_count: i64,
    pub is_demo: bool,
}

/// The product editor's traceability section: the product's code and its batches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductTrace {
    pub product_id: i64,
    pub code: String,
    /// Whether the traceability page and its QR code are public yet (a published product of an
    /// approved cooperative); before that both answer 404, so the editor does not show them.
    pub public: bool,
    /// Newest first, every one.
    pub batches: Vec<Batch>,
}

/// The batch form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchForm {
    #[serde(default)]
    pub batch_code: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub produced_on: String,
    #[serde(default)]
    pub notes_vi: String,
    #[serde(default)]
    pub notes_en: String,
}

/// A valid batch, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedBatch {
    pub batch_code: String,
    pub produced_on: String,
    pub notes_vi: String,
    pub notes_en: String,
}

#[cfg(feature = "ssr")]
impl BatchForm {
    /// Checks every field (all errors at once). `today` is YYYY-MM-DD: a batch cannot be
    /// produced in the future.
    pub fn check(&self, today: &str) -> Result<CheckedBatch, Vec<crate::error::FieldError>> {
        use crate::error::FieldError;
        let mut errors = Vec::new();
        let batch_code = self.batch_code.split_whitespace().collect::<Vec<_>>().join(" ");
        if batch_code.is_empty() {
            errors.push(FieldError::new("batch_code", crate::error::FieldCode::Required));
        } else if batch_code.chars().count() > MAX_BATCH_CODE {
            errors.push(FieldError::new("batch_code", crate::error::FieldCode::TooLong));
        } else if !batch_code.chars().all(|c| c.is_alphanumeric() || " -_./#".contains(c)) {
            errors.push(FieldError::new("batch_code", crate::error::FieldCode::BatchCodeInvalid));
        }
        let raw_date = self.produced_on.trim();
        let produced_on = match crate::certificates::model::parse_date(raw_date) {
            _ if raw_date.is_empty() => {
                errors.push(FieldError::new("produced_on", crate::error::FieldCode::Required));
                String::new()
            }
            Some(date) if date.to_string().as_str() <= today => date.to_string(),
            _ => {
                errors.push(FieldError::new("produced_on", crate::error::FieldCode::DateInvalid));
                String::new()
            }
        };
        let mut notes = |field: &str, value: &str| {
            let v = value.trim().to_owned();
            if v.chars().count() > MAX_BATCH_NOTES {
                errors.push(FieldError::new(field, crate::error::FieldCode::TooLong));
            }
            v
        };
        let notes_vi = notes("notes_vi", &self.notes_vi);
        let notes_en = notes("notes_en", &self.notes_en);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CheckedBatch { batch_code, produced_on, notes_vi, notes_en })
    }
}

/// The booth's printable QR card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoothCard {
    pub slug: String,
    pub name: Text,
    pub district: Option<Text>,
    pub logo_url: Option<String>,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn good() -> BatchForm {
        BatchForm {
            batch_code: "  LO-2026 / 11 ".into(),
            produced_on: "2026-11-20".into(),
            notes_vi: " Thu hái sáng sớm ở đồi chè Bình Minh ".into(),
            notes_en: String::new(),
        }
    }

    #[test]
    fn a_batch_is_trimmed_and_kept() {
        let b = good().check("2026-11-29").expect("valid");
        assert_eq!(b.batch_code, "LO-2026 / 11");
        assert_eq!(b.produced_on, "2026-11-20");
        assert_eq!(b.notes_vi, "Thu hái sáng sớm ở đồi chè Bình Minh");
    }

    #[test]
    fn every_bad_batch_field_is_reported_at_once() {
        let form = BatchForm {
            batch_code: "<script>".into(),
            produced_on: "2026-12-01".into(),
            notes_vi: "x".repeat(MAX_BATCH_NOTES + 1),
            notes_en: "ok".into(),
        };
        let errors = form.check("2026-11-29").expect_err("invalid");
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("batch_code", "batch_code_invalid"),
                ("produced_on", "date_invalid"),
                ("notes_vi", "too_long")
            ]
        );
        let empty = BatchForm::default().check("2026-11-29").expect_err("invalid");
        let got: Vec<(&str, &str)> = empty.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(got, vec![("batch_code", "required"), ("produced_on", "required")]);
    }

    #[test]
    fn only_plausible_codes_reach_the_database() {
        assert!(plausible_code("3fa9c01b2e"));
        for bad in ["", "abc", "3FA9C01B2E", "../etc", "a b c d", &"a".repeat(33)] {
            assert!(!plausible_code(bad), "{bad:?}");
        }
    }
}
