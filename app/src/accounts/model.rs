//! The account types that cross the wire. Password hashes and session tokens never appear here.
use serde::{Deserialize, Serialize};

use crate::lang::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Shopper,
    Member,
    Admin,
}

impl Role {
    pub fn as_db(self) -> &'static str {
        match self {
            Role::Shopper => "shopper",
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }

    pub fn from_db(s: &str) -> Option<Role> {
        match s {
            "shopper" => Some(Role::Shopper),
            "member" => Some(Role::Member),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberRole {
    Owner,
    Staff,
}

impl MemberRole {
    pub fn as_db(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Staff => "staff",
        }
    }

    pub fn from_db(s: &str) -> Option<MemberRole> {
        match s {
            "owner" => Some(MemberRole::Owner),
            "staff" => Some(MemberRole::Staff),
            _ => None,
        }
    }
}

/// Where a cooperative stands with the department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CoopStatus {
    Pending,
    Approved,
    Rejected,
    Suspended,
}

impl CoopStatus {
    pub fn as_db(self) -> &'static str {
        match self {
            CoopStatus::Pending => "pending",
            CoopStatus::Approved => "approved",
            CoopStatus::Rejected => "rejected",
            CoopStatus::Suspended => "suspended",
        }
    }

    pub fn from_db(s: &str) -> Option<CoopStatus> {
        match s {
            "pending" => Some(CoopStatus::Pending),
            "approved" => Some(CoopStatus::Approved),
            "rejected" => Some(CoopStatus::Rejected),
            "suspended" => Some(CoopStatus::Suspended),
            _ => None,
        }
    }
}

/// The cooperative a member belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub cooperative_id: i64,
    pub slug: String,
    pub name: Text,
    pub role: MemberRole,
    pub status: CoopStatus,
    /// The department's note from its last review of the cooperative (its reason for a
    /// rejection or a suspension).
    pub review_note: Option<String>,
}

impl Membership {
    /// Why the cooperative's dashboard is closed to its members, as the department wrote it:
    /// for a rejected or suspended cooperative. None while it is pending or approved.
    pub fn refusal_reason(&self) -> Option<&str> {
        match self.status {
            CoopStatus::Rejected | CoopStatus::Suspended => {
                self.review_note.as_deref().map(str::trim).filter(|n| !n.is_empty())
            }
            CoopStatus::Pending | CoopStatus::Approved => None,
        }
    }
}

/// The signed-in user, as every page and server function sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub membership: Option<Membership>,
}

impl Viewer {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The cooperative whose dashboard this user may use: a member of an approved cooperative.
    pub fn dashboard_cooperative(&self) -> Option<&Membership> {
        self.membership.as_ref().filter(|m| self.role == Role::Member && m.status == CoopStatus::Approved)
    }

    /// The cooperative of a member whose dashboard is closed: pending, rejected or suspended.
    pub fn closed_cooperative(&self) -> Option<&Membership> {
        self.membership.as_ref().filter(|m| self.role == Role::Member && m.status != CoopStatus::Approved)
    }
}

/// A cooperative's application to join, as the admin review page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub cooperative_id: i64,
    pub name: Text,
    pub district: Option<Text>,
    pub commune: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub applicant_email: String,
    pub status: CoopStatus,
    pub review_note: Option<String>,
    pub submitted_at: i64,
}

/// A district, for the application form's select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictOption {
    pub slug: String,
    pub name: Text,
}

/// What an admin decides about an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Approve,
    Reject,
}

/// A cooperative's application, as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationForm {
    pub name_vi: String,
    pub name_en: String,
    pub district: String,
    pub commune: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub email: String,
    pub password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member_of(status: CoopStatus, note: Option<&str>) -> Viewer {
        Viewer {
            id: 1,
            email: "lan@example.vn".into(),
            display_name: "Lan".into(),
            role: Role::Member,
            membership: Some(Membership {
                cooperative_id: 7,
                slug: "binh-minh".into(),
                name: Text::new("HTX Bình Minh", "Binh Minh Cooperative"),
                role: MemberRole::Owner,
                status,
                review_note: note.map(str::to_owned),
            }),
        }
    }

    #[test]
    fn a_member_reads_why_the_department_refused_or_suspended_the_cooperative() {
        let reason = |status, note| {
            member_of(status, note).membership.and_then(|m| m.refusal_reason().map(str::to_owned))
        };
        assert_eq!(
            reason(CoopStatus::Suspended, Some(" Hết hạn chứng nhận ")),
            Some("Hết hạn chứng nhận".into())
        );
        assert_eq!(reason(CoopStatus::Rejected, Some("Thiếu hồ sơ")), Some("Thiếu hồ sơ".into()));
        assert_eq!(reason(CoopStatus::Suspended, Some("  ")), None, "a blank note says nothing");
        assert_eq!(reason(CoopStatus::Approved, Some("Chào mừng")), None, "an approval's note is no refusal");
        assert_eq!(reason(CoopStatus::Pending, None), None);
    }

    #[test]
    fn only_an_approved_cooperative_opens_its_dashboard_and_the_others_are_closed() {
        for status in [CoopStatus::Pending, CoopStatus::Rejected, CoopStatus::Suspended] {
            let viewer = member_of(status, None);
            assert!(viewer.dashboard_cooperative().is_none(), "{status:?}");
            assert!(viewer.closed_cooperative().is_some(), "{status:?}");
        }
        let viewer = member_of(CoopStatus::Approved, None);
        assert!(viewer.dashboard_cooperative().is_some() && viewer.closed_cooperative().is_none());
        let shopper = Viewer { role: Role::Shopper, membership: None, ..viewer };
        assert!(shopper.dashboard_cooperative().is_none() && shopper.closed_cooperative().is_none());
    }
}

/// A change of the account's email: the new address, and the password to allow it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailChange {
    pub email: String,
    pub current_password: String,
}
