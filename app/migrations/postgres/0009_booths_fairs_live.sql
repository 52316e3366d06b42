-- Booths (one per cooperative, always on), virtual trade fairs, booth chat, export inquiries with
-- their lead pipeline, and product batches for the traceability page.
-- Timestamps are Unix seconds (UTC). Kept in step with migrations/sqlite.

-- A cooperative's online booth. The story and name come from the cooperative; the booth adds a
-- banner and a one-line welcome.
CREATE TABLE booths (
    cooperative_id BIGINT PRIMARY KEY REFERENCES cooperatives(id),
    banner_key TEXT,
    welcome_vi TEXT NOT NULL DEFAULT '',
    welcome_en TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

-- The products the booth features, in the cooperative's order. Price, stock and stars are read
-- live from the catalogue.
CREATE TABLE booth_products (
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    PRIMARY KEY (cooperative_id, product_id)
);

-- Announcements and livestream slots: a time, a title and an optional link.
CREATE TABLE booth_slots (
    id BIGSERIAL PRIMARY KEY,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    starts_at BIGINT NOT NULL,
    title_vi TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    link TEXT
);
CREATE INDEX booth_slots_coop_idx ON booth_slots (cooperative_id, starts_at);

-- The team on duty at the booth.
CREATE TABLE booth_team (
    id BIGSERIAL PRIMARY KEY,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    name TEXT NOT NULL,
    role_vi TEXT NOT NULL DEFAULT '',
    role_en TEXT NOT NULL DEFAULT '',
    on_duty TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX booth_team_coop_idx ON booth_team (cooperative_id, position);

CREATE TABLE fairs (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_vi TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX fairs_time_idx ON fairs (ends_at, starts_at);

CREATE TABLE fair_booths (
    fair_id BIGINT NOT NULL REFERENCES fairs(id) ON DELETE CASCADE,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    PRIMARY KEY (fair_id, cooperative_id)
);
CREATE INDEX fair_booths_coop_idx ON fair_booths (cooperative_id);

-- A visitor's conversation with a booth: a signed-in user's, or an anonymous visitor's (the
-- SHA-256 of the random token in the `ocop_visitor` cookie), so a returning visitor finds it.
CREATE TABLE chat_conversations (
    id BIGSERIAL PRIMARY KEY,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    visitor_hash TEXT,
    display_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_message_at BIGINT NOT NULL,
    CHECK ((user_id IS NULL) <> (visitor_hash IS NULL)),
    UNIQUE (cooperative_id, user_id),
    UNIQUE (cooperative_id, visitor_hash)
);
CREATE INDEX chat_conversations_coop_idx ON chat_conversations (cooperative_id, last_message_at DESC);

CREATE TABLE chat_messages (
    id BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES chat_conversations(id) ON DELETE CASCADE,
    -- 'visitor' or 'staff'; staff messages name the member who wrote them.
    sender TEXT NOT NULL CHECK (sender IN ('visitor', 'staff')),
    staff_user_id BIGINT REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX chat_messages_conversation_idx ON chat_messages (conversation_id, id);

-- An export (B2B) inquiry and where the cooperative is with it.
CREATE TABLE inquiries (
    id BIGSERIAL PRIMARY KEY,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    product_id BIGINT REFERENCES products(id) ON DELETE SET NULL,
    company TEXT NOT NULL,
    country TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    quantity_unit TEXT NOT NULL,
    packaging TEXT NOT NULL DEFAULT '',
    incoterm TEXT NOT NULL CHECK (incoterm IN ('EXW', 'FCA', 'FOB', 'CFR', 'CIF', 'DAP', 'DDP')),
    target_date TEXT,
    samples BIGINT NOT NULL DEFAULT 0,
    message TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'replied', 'negotiating', 'won', 'lost')),
    ip TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX inquiries_coop_idx ON inquiries (cooperative_id, created_at DESC);
CREATE INDEX inquiries_created_idx ON inquiries (created_at);
CREATE INDEX inquiries_ip_idx ON inquiries (ip, created_at);

-- The pipeline's history and the cooperative's notes (a note with no status change).
CREATE TABLE inquiry_events (
    id BIGSERIAL PRIMARY KEY,
    inquiry_id BIGINT NOT NULL REFERENCES inquiries(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id),
    from_status TEXT,
    to_status TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX inquiry_events_inquiry_idx ON inquiry_events (inquiry_id, id);

-- Batches or harvests of a product, shown on its traceability page.
CREATE TABLE product_batches (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    batch_code TEXT NOT NULL,
    produced_on TEXT NOT NULL,
    notes_vi TEXT NOT NULL DEFAULT '',
    notes_en TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX product_batches_product_idx ON product_batches (product_id, produced_on DESC);

-- The traceability page's short code (/t/<code>), printed as a QR code on the packaging.
ALTER TABLE products ADD COLUMN trace_code TEXT;
UPDATE products SET trace_code = substr(md5(random()::text || id::text), 1, 10);
CREATE UNIQUE INDEX products_trace_code_idx ON products (trace_code);

-- A plain form (sent without JavaScript) that was refused: what was typed and the errors, kept
-- briefly for the page it is sent back to (named by a random token's SHA-256), so nothing typed
-- is lost.
CREATE TABLE form_drafts (
    token_hash TEXT PRIMARY KEY,
    form TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX form_drafts_created_idx ON form_drafts (created_at);
