-- Accounts: users of every role, server-side sessions, failed logins (for throttling), and the
-- review of cooperative applications (an application is a cooperative in status 'pending').

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    -- Trimmed and lowercased; the login key.
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    -- argon2id, PHC string format (algorithm, parameters and salt included).
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('shopper', 'member', 'admin')),
    -- Set for members only: the one cooperative they belong to, as owner or staff.
    cooperative_id INTEGER REFERENCES cooperatives(id),
    member_role TEXT CHECK (member_role IN ('owner', 'staff')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    preferred_lang TEXT NOT NULL DEFAULT 'vi',
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((role = 'member') = (cooperative_id IS NOT NULL AND member_role IS NOT NULL))
);
CREATE INDEX users_cooperative_idx ON users (cooperative_id);

-- The cookie carries a random 256-bit token; only its SHA-256 is stored, so a copy of this
-- table cannot be replayed as sessions.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- Absolute expiry; idle expiry is last_seen_at plus the idle timeout.
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- One row per failed login, kept for the throttling windows and then pruned. `account` is the
-- email as typed (trimmed, lowercased), whether or not such an account exists.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    ip TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_account_idx ON login_failures (account, at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);

ALTER TABLE cooperatives ADD COLUMN contact_name TEXT;
ALTER TABLE cooperatives ADD COLUMN review_note TEXT;
ALTER TABLE cooperatives ADD COLUMN reviewed_at INTEGER;
ALTER TABLE cooperatives ADD COLUMN reviewed_by INTEGER REFERENCES users(id);
CREATE INDEX cooperatives_status_idx ON cooperatives (status, created_at);
