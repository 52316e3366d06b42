-- The admin dashboard and moderation. Kept in step with migrations/postgres.

-- One row per tab that walked into a booth, under the fair the booth was live in (if any):
-- the booth traffic per fair chart counts them, and their distinct visitors.
CREATE TABLE booth_visits (
    id INTEGER PRIMARY KEY,
    fair_id INTEGER REFERENCES fairs(id) ON DELETE CASCADE,
    cooperative_id INTEGER NOT NULL REFERENCES cooperatives(id),
    -- A hash naming the visitor (their visitor cookie, session or address), never the raw value.
    visitor TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX booth_visits_fair_idx ON booth_visits (fair_id, cooperative_id, visitor);

-- The charts' ranges over orders, covering what the order-level figures read.
CREATE INDEX orders_dashboard_idx ON orders (created_at, status, cooperative_id, subtotal_vnd);
-- The live feed's newest conversations.
CREATE INDEX chat_conversations_created_idx ON chat_conversations (created_at);

-- Product moderation: a product the department hid is a draft with the reason its cooperative
-- reads; the cooperative cannot publish it again until an admin unhides it.
ALTER TABLE products ADD COLUMN hidden_reason TEXT;
ALTER TABLE products ADD COLUMN hidden_at INTEGER;
ALTER TABLE products ADD COLUMN hidden_by INTEGER REFERENCES users(id);
