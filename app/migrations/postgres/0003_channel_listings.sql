-- Links to the same product on other marketplaces (PostMart, Voso, Shopee, ocopvietnam.gov.vn).
-- Kept in step with migrations/sqlite (a test compares tables and columns).
CREATE TABLE channel_listings (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id),
    channel TEXT NOT NULL CHECK (channel IN ('postmart', 'voso', 'shopee', 'ocop_gov', 'other')),
    url TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (product_id, url)
);
CREATE INDEX channel_listings_product_idx ON channel_listings (product_id, id);
