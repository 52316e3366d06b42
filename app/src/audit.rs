//! The audit log: what an admin did to which row, when, and the fields before and after. Every
//! admin action calls `record` inside the transaction that makes the change, so the log has a
//! line exactly when the change happened. Domains write it; the admin pages read it.
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serde_json::Value;

/// What the audit log records. The names are stored, so they never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    UserRole,
    UserDisable,
    UserEnable,
    CooperativeApprove,
    CooperativeReject,
    CooperativeSuspend,
    CooperativeReinstate,
    ProductHide,
    ProductUnhide,
    FairCreate,
    FairUpdate,
    FairOpen,
    FairClose,
    ShippingRates,
}

impl AuditAction {
    pub const ALL: [AuditAction; 14] = [
        AuditAction::UserRole,
        AuditAction::UserDisable,
        AuditAction::UserEnable,
        AuditAction::CooperativeApprove,
        AuditAction::CooperativeReject,
        AuditAction::CooperativeSuspend,
        AuditAction::CooperativeReinstate,
        AuditAction::ProductHide,
        AuditAction::ProductUnhide,
        AuditAction::FairCreate,
        AuditAction::FairUpdate,
        AuditAction::FairOpen,
        AuditAction::FairClose,
        AuditAction::ShippingRates,
    ];

    pub fn as_db(self) -> &'static str {
        match self {
            AuditAction::UserRole => "user.role",
            AuditAction::UserDisable => "user.disable",
            AuditAction::UserEnable => "user.enable",
            AuditAction::CooperativeApprove => "cooperative.approve",
            AuditAction::CooperativeReject => "cooperative.reject",
            AuditAction::CooperativeSuspend => "cooperative.suspend",
            AuditAction::CooperativeReinstate => "cooperative.reinstate",
            AuditAction::ProductHide => "product.hide",
            AuditAction::ProductUnhide => "product.unhide",
            AuditAction::FairCreate => "fair.create",
            AuditAction::FairUpdate => "fair.update",
            AuditAction::FairOpen => "fair.open",
            AuditAction::FairClose => "fair.close",
            AuditAction::ShippingRates => "shipping.rates",
        }
    }

    pub fn from_db(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_db() == s)
    }

    /// The kind of row the action changes.
    pub fn target_kind(self) -> &'static str {
        match self {
            AuditAction::UserRole | AuditAction::UserDisable | AuditAction::UserEnable => "user",
            AuditAction::CooperativeApprove
            | AuditAction::CooperativeReject
            | AuditAction::CooperativeSuspend
            | AuditAction::CooperativeReinstate => "cooperative",
            AuditAction::ProductHide | AuditAction::ProductUnhide => "product",
            AuditAction::FairCreate
            | AuditAction::FairUpdate
            | AuditAction::FairOpen
            | AuditAction::FairClose => "fair",
            AuditAction::ShippingRates => "shipping_rates",
        }
    }
}

/// One audit line: who did `action` to the row `target_id`, when, and the changed fields before
/// and after.
#[cfg(feature = "ssr")]
pub struct Audit {
    pub actor: i64,
    pub action: AuditAction,
    pub target_id: i64,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub at: i64,
}

/// Writes `audit` on `conn` (a transaction, so that it commits or rolls back with the change).
#[cfg(feature = "ssr")]
pub async fn record(conn: &mut sqlx::AnyConnection, audit: Audit) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, target_kind, target_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(audit.at)
    .bind(audit.actor)
    .bind(audit.action.as_db().to_owned())
    .bind(audit.action.target_kind().to_owned())
    .bind(audit.target_id)
    .bind(audit.before.map(|v| v.to_string()))
    .bind(audit.after.map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}
