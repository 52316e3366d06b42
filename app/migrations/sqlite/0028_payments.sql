-- Payment, apart from fulfilment: every order is unpaid, paid (how much, when, how, recorded by
-- whom) or refunded. Cash on delivery is paid at delivery; a bank transfer is recorded by the
-- cooperative by hand or matched from its bank's statement (by the "OCOP <number>" note and the
-- amount). A transfer still unpaid after the cooperative's number of days is flagged, and its
-- shopper reminded once.
ALTER TABLE orders ADD COLUMN payment_status TEXT NOT NULL DEFAULT 'unpaid'
    CHECK (payment_status IN ('unpaid', 'paid', 'refunded'));
ALTER TABLE orders ADD COLUMN paid_vnd INTEGER;
ALTER TABLE orders ADD COLUMN paid_at INTEGER;
ALTER TABLE orders ADD COLUMN paid_via TEXT CHECK (paid_via IN ('cod', 'manual', 'statement'));
ALTER TABLE orders ADD COLUMN paid_by INTEGER REFERENCES users(id);
ALTER TABLE orders ADD COLUMN reminded_at INTEGER;
CREATE INDEX orders_payment_idx ON orders (cooperative_id, payment, payment_status, created_at);
-- Orders delivered by cash on delivery before this were paid when delivered.
UPDATE orders SET payment_status = 'paid', paid_vnd = total_vnd, paid_at = updated_at, paid_via = 'cod'
    WHERE payment = 'cod' AND status = 'delivered';

ALTER TABLE cooperatives ADD COLUMN unpaid_after_days INTEGER NOT NULL DEFAULT 3;

-- A statement a cooperative uploaded, and what became of each of its credits.
CREATE TABLE statement_imports (
    id INTEGER PRIMARY KEY,
    cooperative_id INTEGER NOT NULL REFERENCES cooperatives(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    filename TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX statement_imports_coop_idx ON statement_imports (cooperative_id, id);
CREATE TABLE statement_lines (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES statement_imports(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    booked_on TEXT NOT NULL,
    amount_vnd INTEGER NOT NULL,
    note TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('matched', 'amount_differs', 'already_paid', 'unknown_note')),
    order_id INTEGER REFERENCES orders(id)
);
CREATE INDEX statement_lines_import_idx ON statement_lines (import_id, line_no);
