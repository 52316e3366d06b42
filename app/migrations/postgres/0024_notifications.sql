-- Telling people: the in-app notices behind the bell, the transactional outbox of emails, and
-- each user's choice of the emails they do not want. A notice and its emails are written in the
-- transaction of the change that causes them (app/src/notifications), so a change that rolls back
-- tells no one and one that commits is never lost. Kept in step with migrations/sqlite.

CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    -- The message's data as JSON (notifications::model::Message); its sentences are composed when
    -- shown, in the reader's language.
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_created_idx ON notifications (created_at);

-- One email to send. A worker claims due rows (a lease: `claim` and `claimed_until`), sends them,
-- and marks them sent; a failure waits `next_attempt_at` (backing off) and after the last attempt
-- the row is `failed`, shown to admins with its last error until one retries it.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    lang TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claim TEXT,
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_created_idx ON outbox (created_at);

-- The kinds of email a user turned off (on /account, or by the link in such an email).
CREATE TABLE mail_optouts (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- The key that signs unsubscribe links, made once per database.
CREATE TABLE site_keys (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- When the cooperative was last told that this conversation's visitor is waiting with no one
-- online: at most once an hour per conversation.
ALTER TABLE chat_conversations ADD COLUMN waiting_told_at BIGINT;

-- The certificate reminders sent (90, 30 and 7 days before expiry), each once.
CREATE TABLE certificate_reminders (
    certificate_id BIGINT NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
    days BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (certificate_id, days)
);

-- Jobs done once a day (the admins' digest), whichever instance gets there first.
CREATE TABLE daily_runs (
    job TEXT NOT NULL,
    day TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (job, day)
);
