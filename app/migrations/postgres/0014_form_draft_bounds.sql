-- Form drafts are bounded per client address and in all (app/src/drafts.rs): each row now says
-- whose it is (`ip`) and its order of arrival (`id`), so that the oldest can make way. Drafts live
-- an hour and are read by the redirect that follows them, so the table is made anew rather than
-- altered; the drafts of the moment of the upgrade are dropped.
-- Kept in step with migrations/sqlite.
DROP TABLE form_drafts;

CREATE TABLE form_drafts (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    form TEXT NOT NULL,
    body TEXT NOT NULL,
    ip TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- The per-address trim.
CREATE INDEX form_drafts_ip_idx ON form_drafts (ip, id);
-- The purge of expired drafts.
CREATE INDEX form_drafts_created_idx ON form_drafts (created_at);
