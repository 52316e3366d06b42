-- Why a product's stock moved: every change is a row (who, when, by how much, why, and the
-- order for a sale or a cancellation), written in the transaction that moved the stock.
CREATE TABLE stock_movements (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    delta BIGINT NOT NULL,
    stock_after BIGINT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    user_id BIGINT REFERENCES users(id),
    order_id BIGINT REFERENCES orders(id),
    at BIGINT NOT NULL
);
CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, at);
