//! The provincial department's console: accounts (search, role, disable) and the audit log of
//! every admin action. The rules an admin action must follow live here, so the service and the
//! pages agree on them.
use serde::{Deserialize, Serialize};

use crate::accounts::model::Role;
use crate::lang::Text;

/// Accounts shown per page of the user list.
pub const USERS_PAGE: i64 = 100;
/// Audit entries shown per page, newest first.
pub const AUDIT_PAGE: i64 = 200;
/// The longest search text taken, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// A typed search text as the filters use it: trimmed, cut to `MAX_QUERY_CHARS`, lowercased.
fn search_text(typed: &str) -> String {
    typed.trim().chars().take(MAX_QUERY_CHARS).collect::<String>().to_lowercase()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountStatus {
    Active,
    Disabled,
}

impl AccountStatus {
    pub fn as_db(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }

    pub fn from_db(s: &str) -> Option<AccountStatus> {
        match s {
            "active" => Some(AccountStatus::Active),
            "disabled" => Some(AccountStatus::Disabled),
            _ => None,
        }
    }
}

/// One account in the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// A member's cooperative.
    pub cooperative: Option<Text>,
    pub status: AccountStatus,
    pub created_at: i64,
    /// The newest session's last request, if the account has a session.
    pub last_seen_at: Option<i64>,
}

/// The list's filters, as they come from the URL (`?q=&role=&status=`); unknown values mean
/// "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub status: String,
}

impl UserFilter {
    /// The search text, trimmed, lowercased and cut to `MAX_QUERY_CHARS`.
    pub fn query(&self) -> String {
        search_text(&self.q)
    }

    pub fn role(&self) -> Option<Role> {
        Role::from_db(&self.role)
    }

    pub fn status(&self) -> Option<AccountStatus> {
        AccountStatus::from_db(&self.status)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    pub users: Vec<UserRow>,
    /// Every account matching the filters (the list shows at most `USERS_PAGE`).
    pub total: i64,
    /// The admin looking: their own row has no role or disable controls.
    pub viewer_id: i64,
}

/// Why an admin may not make a change to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRefusal {
    /// An admin does not change their own role or disable themselves: the province must never be
    /// left without an admin by a slip of the hand.
    NotYourself,
    /// A member belongs to a cooperative; membership comes from an approved application, so the
    /// console neither makes nor unmakes members.
    MembershipComesFromCooperative,
}

impl AccountRefusal {
    /// The refusal's code, shown to the admin.
    pub fn code(self) -> crate::error::ConflictCode {
        match self {
            AccountRefusal::NotYourself => crate::error::ConflictCode::NotYourself,
            AccountRefusal::MembershipComesFromCooperative => {
                crate::error::ConflictCode::MembershipFromCooperative
            }
        }
    }
}

/// Whether `actor` may give the account `target` (now `from`) the role `to`.
pub fn check_role_change(actor: i64, target: i64, from: Role, to: Role) -> Result<(), AccountRefusal> {
    if actor == target {
        return Err(AccountRefusal::NotYourself);
    }
    if from == Role::Member || to == Role::Member {
        return Err(AccountRefusal::MembershipComesFromCooperative);
    }
    Ok(())
}

/// Whether `actor` may disable or enable the account `target`.
pub fn check_status_change(actor: i64, target: i64) -> Result<(), AccountRefusal> {
    if actor == target { Err(AccountRefusal::NotYourself) } else { Ok(()) }
}

pub use crate::audit::AuditAction;

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_email: Option<String>,
    pub action: AuditAction,
    pub target_kind: String,
    pub target_id: i64,
    /// JSON of the fields the action changed, before and after.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The audit page's filters, from the URL (`?action=&actor=`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub action: String,
    /// Part of the acting admin's email.
    #[serde(default)]
    pub actor: String,
}

impl AuditFilter {
    pub fn action(&self) -> Option<AuditAction> {
        AuditAction::from_db(&self.action)
    }

    pub fn actor(&self) -> String {
        search_text(&self.actor)
    }
}

/// The longest reason an admin gives for suspending a cooperative or hiding a product.
pub const MAX_REASON_CHARS: usize = 500;
/// Cooperatives or products listed per page of moderation.
pub const MODERATION_PAGE: i64 = 200;

/// A reason as the cooperative will read it: trimmed, 1 to `MAX_REASON_CHARS` characters.
pub fn check_reason(reason: &str) -> Result<String, crate::error::FieldError> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(crate::error::FieldError::new("reason", crate::error::FieldCode::ReasonRequired))
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Err(crate::error::FieldError::new("reason", crate::error::FieldCode::TooLong))
    } else {
        Ok(reason.to_owned())
    }
}

/// One cooperative in the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoopRow {
    pub id: i64,
    pub slug: String,
    pub name: Text,
    pub district: Option<Text>,
    pub status: crate::accounts::model::CoopStatus,
    /// Products that are not deleted, and members' accounts.
    pub products: i64,
    pub members: i64,
    /// The reason given at the last review, suspension or rejection.
    pub note: Option<String>,
    pub created_at: i64,
}

/// `?q=&status=` of the cooperative list; unknown values mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoopFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
}

impl CoopFilter {
    pub fn query(&self) -> String {
        search_text(&self.q)
    }

    pub fn status(&self) -> Option<crate::accounts::model::CoopStatus> {
        crate::accounts::model::CoopStatus::from_db(self.status.trim())
    }
}

/// What an admin may do to a cooperative in its status: suspend an approved one, reinstate a
/// suspended one. Pending ones are reviewed on the applications page.
pub fn can_suspend(status: crate::accounts::model::CoopStatus) -> bool {
    status == crate::accounts::model::CoopStatus::Approved
}

pub fn can_reinstate(status: crate::accounts::model::CoopStatus) -> bool {
    status == crate::accounts::model::CoopStatus::Suspended
}

/// A product as the moderation list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeratedProduct {
    pub id: i64,
    pub slug: String,
    pub name: Text,
    pub cooperative: Text,
    /// `published` or `draft`.
    pub status: String,
    /// Set while the department hides the product: what its cooperative reads.
    pub hidden_reason: Option<String>,
    pub hidden_at: Option<i64>,
}

/// `?q=&hidden=1` of the product moderation list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductModerationFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub hidden: String,
}

impl ProductModerationFilter {
    pub fn query(&self) -> String {
        search_text(&self.q)
    }

    pub fn hidden_only(&self) -> bool {
        self.hidden == "1"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_changes_neither_their_own_role_nor_membership() {
        assert_eq!(check_role_change(1, 2, Role::Shopper, Role::Admin), Ok(()));
        assert_eq!(check_role_change(1, 2, Role::Admin, Role::Shopper), Ok(()));
        assert_eq!(check_role_change(1, 1, Role::Admin, Role::Shopper), Err(AccountRefusal::NotYourself));
        assert_eq!(
            check_role_change(1, 2, Role::Member, Role::Shopper),
            Err(AccountRefusal::MembershipComesFromCooperative)
        );
        assert_eq!(
            check_role_change(1, 2, Role::Shopper, Role::Member),
            Err(AccountRefusal::MembershipComesFromCooperative)
        );
        assert_eq!(check_status_change(3, 3), Err(AccountRefusal::NotYourself));
        assert_eq!(check_status_change(3, 4), Ok(()));
    }

    #[test]
    fn audit_action_names_round_trip() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_db(a.as_db()), Some(a));
        }
        assert_eq!(AuditAction::from_db("user.delete"), None);
    }
}

/// Certificates that expire within this many days are listed as expiring soon.
pub const EXPIRING_DAYS: i64 = 90;
/// Certificates shown per page of the registry.
pub const CERTIFICATES_PAGE: i64 = 200;

/// Where a certificate stands on a given day. An expired certificate no longer shows the OCOP
/// badge on the storefront (the catalogue compares `expires_on` with today in its queries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertificateState {
    Valid,
    /// Valid, but for at most `EXPIRING_DAYS` more days.
    Expiring,
    Expired,
}

impl CertificateState {
    /// The state of a certificate with `days_left` days until its expiry date (0 on the day
    /// itself, which is still valid).
    pub fn from_days_left(days_left: i64) -> CertificateState {
        if days_left < 0 {
            CertificateState::Expired
        } else if days_left <= EXPIRING_DAYS {
            CertificateState::Expiring
        } else {
            CertificateState::Valid
        }
    }

    pub fn as_param(self) -> &'static str {
        match self {
            CertificateState::Valid => "valid",
            CertificateState::Expiring => "expiring",
            CertificateState::Expired => "expired",
        }
    }

    pub fn from_param(s: &str) -> Option<CertificateState> {
        [CertificateState::Valid, CertificateState::Expiring, CertificateState::Expired]
            .into_iter()
            .find(|c| c.as_param() == s)
    }
}

/// One certificate in the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRow {
    pub id: i64,
    pub product: Text,
    pub product_slug: String,
    pub cooperative: Text,
    pub district: Option<Text>,
    pub stars: i64,
    /// `provincial` or `national`.
    pub council: String,
    pub decision_no: String,
    pub issued_on: String,
    pub expires_on: String,
    pub days_left: i64,
    pub state: CertificateState,
    pub is_demo: bool,
}

/// The registry's filters, from the URL (`?q=&stars=&council=&state=`); unknown values mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateFilter {
    /// Part of the decision number, or of the product's or cooperative's name.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub stars: String,
    #[serde(default)]
    pub council: String,
    #[serde(default)]
    pub state: String,
}

impl CertificateFilter {
    pub fn query(&self) -> String {
        search_text(&self.q)
    }

    pub fn stars(&self) -> Option<i64> {
        self.stars.parse().ok().filter(|s| (3..=5).contains(s))
    }

    pub fn council(&self) -> Option<&'static str> {
        ["provincial", "national"].into_iter().find(|c| *c == self.council)
    }

    pub fn state(&self) -> Option<CertificateState> {
        CertificateState::from_param(&self.state)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRegistry {
    /// The certificates matching the filters, soonest expiry first.
    pub certificates: Vec<CertificateRow>,
    pub total: i64,
    /// Every certificate expiring within `EXPIRING_DAYS`, whatever the filters, soonest first.
    pub expiring: Vec<CertificateRow>,
    /// The day the states were computed for (`YYYY-MM-DD`, UTC).
    pub today: String,
}

#[cfg(test)]
mod certificate_tests {
    use super::*;

    #[test]
    fn a_certificate_is_expiring_for_its_last_ninety_days_and_valid_on_its_last_day() {
        assert_eq!(CertificateState::from_days_left(91), CertificateState::Valid);
        assert_eq!(CertificateState::from_days_left(90), CertificateState::Expiring);
        assert_eq!(CertificateState::from_days_left(0), CertificateState::Expiring);
        assert_eq!(CertificateState::from_days_left(-1), CertificateState::Expired);
        let f = CertificateFilter {
            stars: "6".into(),
            council: "district".into(),
            state: "old".into(),
            ..Default::default()
        };
        assert_eq!((f.stars(), f.council(), f.state()), (None, None, None));
    }
}
