-- Every admin action: who, when, what, and the target row before and after (JSON text).
-- Written in the same transaction as the action itself. Kept in step with migrations/sqlite.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    -- 'user.role', 'user.disable', 'cooperative.approve', 'fair.create', ...
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_action_idx ON audit_log (action, at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);
CREATE INDEX audit_log_target_idx ON audit_log (target_kind, target_id);

-- The certificate registry lists by expiry date, and its "expiring within 90 days" list is a
-- range on it.
CREATE INDEX certificates_expiry_idx ON certificates (expires_on, id);
