-- Links to the same product on other marketplaces (PostMart, Voso, Shopee, ocopvietnam.gov.vn).
CREATE TABLE channel_listings (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    channel TEXT NOT NULL CHECK (channel IN ('postmart', 'voso', 'shopee', 'ocop_gov', 'other')),
    url TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (product_id, url)
);
CREATE INDEX channel_listings_product_idx ON channel_listings (product_id, id);
