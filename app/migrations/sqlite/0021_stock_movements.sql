-- Why a product's stock moved: every change is a row (who, when, by how much, why, and the
-- order for a sale or a cancellation), written in the transaction that moved the stock.
CREATE TABLE stock_movements (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    delta INTEGER NOT NULL,
    stock_after INTEGER NOT NULL,
    reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    user_id INTEGER REFERENCES users(id),
    order_id INTEGER REFERENCES orders(id),
    at INTEGER NOT NULL
);
CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, at);
