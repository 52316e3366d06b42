-- Carts, checkouts, orders with their lines and event log, and verified-purchase reviews.
-- Money is integer VND; timestamps are Unix seconds.
-- Kept in step with migrations/sqlite (a test compares tables and columns).

-- A shopper's cart: an account's (user_id) or an anonymous visitor's (the SHA-256 of the random
-- token in the `ocop_cart` cookie). The anonymous one merges into the account's at login.
CREATE TABLE carts (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT UNIQUE,
    updated_at BIGINT NOT NULL,
    CHECK ((user_id IS NULL) <> (token_hash IS NULL))
);

CREATE TABLE cart_lines (
    cart_id BIGINT NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    -- The price the shopper last saw, so a change since can be pointed out.
    seen_price_vnd BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (cart_id, product_id)
);

-- One submitted checkout form. The key comes from the form, so a replay finds this row and
-- gets the same orders; cart_hash tells a replay from a different cart under the same key.
CREATE TABLE checkouts (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    cart_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, idempotency_key)
);

CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    -- DH + Vietnam date + checkout + position: "DH261129-000042-1". Also the transfer purpose.
    number TEXT NOT NULL UNIQUE,
    checkout_id BIGINT NOT NULL REFERENCES checkouts(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled')),
    payment TEXT NOT NULL CHECK (payment IN ('cod', 'bank_transfer')),
    subtotal_vnd BIGINT NOT NULL CHECK (subtotal_vnd >= 0),
    shipping_vnd BIGINT NOT NULL CHECK (shipping_vnd >= 0),
    total_vnd BIGINT NOT NULL CHECK (total_vnd >= 0),
    ship_name TEXT NOT NULL,
    ship_phone TEXT NOT NULL,
    ship_province TEXT NOT NULL,
    ship_district TEXT NOT NULL,
    ship_commune TEXT NOT NULL,
    ship_street TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    tracking_note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_user_idx ON orders (user_id, id);
CREATE INDEX orders_cooperative_idx ON orders (cooperative_id, status, id);
CREATE INDEX orders_checkout_idx ON orders (checkout_id);
CREATE INDEX orders_created_idx ON orders (created_at);

-- What was bought, at the price of the moment (the product may change or go later).
CREATE TABLE order_lines (
    order_id BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products(id),
    product_slug TEXT NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    unit_price_vnd BIGINT NOT NULL CHECK (unit_price_vnd >= 0),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    line_total_vnd BIGINT NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX order_lines_product_idx ON order_lines (product_id);

-- Every status change: who, when, from, to. The first row (from_status NULL) is the checkout.
CREATE TABLE order_events (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    actor_user_id BIGINT REFERENCES users(id),
    actor_role TEXT NOT NULL CHECK (actor_role IN ('shopper', 'cooperative', 'admin')),
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX order_events_order_idx ON order_events (order_id, id);

-- One review per shopper and product, allowed once the product reached them (a delivered order).
CREATE TABLE reviews (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    order_id BIGINT NOT NULL REFERENCES orders(id),
    rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (product_id, user_id)
);
CREATE INDEX reviews_product_idx ON reviews (product_id, id);

-- The rating totals the storefront shows and sorts by, kept with each review in one transaction.
ALTER TABLE products ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;

DROP TRIGGER catalog_version_product_update ON products;
CREATE TRIGGER catalog_version_product_update
    AFTER UPDATE OF status, group_id, cooperative_id, price_vnd, created_at, featured, sort_name_vi, sort_name_en,
        rating_count, rating_sum
    ON products FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
