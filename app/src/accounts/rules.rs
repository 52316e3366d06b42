//! The rules of account input, shared by sign-up, login, password and email changes and links.
use crate::error::FieldError;

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;
const EMAIL_MAX: usize = 254;

/// Trimmed and lowercased: the one form of an email address the database knows.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The field error for an email address that cannot be one, if any.
pub fn check_email(email: &str) -> Option<FieldError> {
    let valid = email.len() <= EMAIL_MAX
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    (!valid).then(|| FieldError::new("email", crate::error::FieldCode::EmailInvalid))
}

pub fn check_password(field: &str, password: &str) -> Option<FieldError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        Some(FieldError::new(field, crate::error::FieldCode::PasswordShort))
    } else if n > PASSWORD_MAX {
        Some(FieldError::new(field, crate::error::FieldCode::PasswordLong))
    } else {
        None
    }
}

/// A required one-line text of at most `max` characters.
pub fn check_text(field: &str, value: &str, max: usize) -> Option<FieldError> {
    let value = value.trim();
    if value.is_empty() {
        Some(FieldError::new(field, crate::error::FieldCode::Required))
    } else if value.chars().count() > max {
        Some(FieldError::new(field, crate::error::FieldCode::TooLong))
    } else {
        None
    }
}
