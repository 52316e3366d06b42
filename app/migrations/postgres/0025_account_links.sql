-- Password resets and email verification: single-use links by email. The link carries a random
-- 256-bit token; only its SHA-256 is stored. A reset expires in 30 minutes, a verification in a
-- day; using one marks it used. A verification names the address it confirms, so that changing
-- the email takes effect only once the new address is confirmed.

-- 1 for accounts made before verification existed and for those the platform makes itself (demo
-- accounts, cooperative applications reviewed by the department); a shopper who signs up starts
-- at 0 until they open the link.
ALTER TABLE users ADD COLUMN email_verified BIGINT NOT NULL DEFAULT 1;

CREATE TABLE account_links (
    id BIGSERIAL PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'verify')),
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX account_links_user_idx ON account_links (user_id, purpose, created_at);
CREATE INDEX account_links_expires_idx ON account_links (expires_at);
