//! Writing the audit log. Every admin action calls `record` inside the transaction that makes
//! the change, so the log has a line exactly when the change happened.
use serde_json::Value;

use crate::admin::model::AuditAction;
use crate::db::Sql;

/// One audit line: who did `action` to the row `target_id`, when, and the changed fields before
/// and after.
pub struct Audit {
    pub actor: i64,
    pub action: AuditAction,
    pub target_id: i64,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub at: i64,
}

/// Writes `audit` on `conn` (a transaction, so that it commits or rolls back with the change).
pub async fn record(conn: &mut sqlx::AnyConnection, audit: Audit) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO audit_log (at, actor_id, action, target_kind, target_id, before_json, after_json) VALUES (",
    );
    sql.bind(audit.at).push(", ").bind(audit.actor).push(", ").bind(audit.action.as_db().to_owned());
    sql.push(", ").bind(audit.action.target_kind().to_owned()).push(", ").bind(audit.target_id);
    sql.push(", ")
        .bind(audit.before.map(|v| v.to_string()))
        .push(", ")
        .bind(audit.after.map(|v| v.to_string()));
    sql.push(")");
    sql.query()?.execute(conn).await?;
    Ok(())
}
