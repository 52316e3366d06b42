-- Product photos: two WebP renditions (public) and the original upload (never served), kept in
-- the media store under these keys. The lowest position is the cover.
CREATE TABLE product_photos (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    position INTEGER NOT NULL,
    small_key TEXT NOT NULL,
    large_key TEXT NOT NULL,
    original_key TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX product_photos_product_idx ON product_photos (product_id, position, id);
