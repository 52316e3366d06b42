-- Product photos: two WebP renditions (public) and the original upload (never served), kept in
-- Kept in step with migrations/sqlite (a test compares tables and columns).
-- the media store under these keys. The lowest position is the cover.
CREATE TABLE product_photos (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id),
    position BIGINT NOT NULL,
    small_key TEXT NOT NULL,
    large_key TEXT NOT NULL,
    original_key TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX product_photos_product_idx ON product_photos (product_id, position, id);
