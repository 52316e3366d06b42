-- Catalog: districts, the six OCOP product groups, cooperatives, products and OCOP certificates.
-- Timestamps are Unix seconds (INTEGER); dates are ISO 8601 text (YYYY-MM-DD), which sorts as dates.
-- Money is integer VND (no minor unit). Flags are 0/1 integers.

CREATE TABLE districts (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE product_groups (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE cooperatives (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    story_vi TEXT NOT NULL DEFAULT '',
    story_en TEXT NOT NULL DEFAULT '',
    district_id INTEGER REFERENCES districts(id),
    commune TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    status TEXT NOT NULL DEFAULT 'approved' CHECK (status IN ('pending', 'approved', 'rejected', 'suspended')),
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX cooperatives_district_idx ON cooperatives (district_id);

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    cooperative_id INTEGER NOT NULL REFERENCES cooperatives(id),
    group_id INTEGER NOT NULL REFERENCES product_groups(id),
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_vi TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    unit_vi TEXT NOT NULL DEFAULT '',
    unit_en TEXT NOT NULL DEFAULT '',
    price_vnd INTEGER NOT NULL CHECK (price_vnd >= 0),
    stock INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
    weight_grams INTEGER,
    exported_to TEXT,
    featured INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published', 'deleted')),
    is_demo INTEGER NOT NULL DEFAULT 0,
    -- Folded (lowercase, no tone marks, đ→d) names and descriptions of both languages, written by
    -- the Rust folding code; the full-text index is built over it.
    search_text TEXT NOT NULL DEFAULT '',
    sort_name_vi TEXT NOT NULL DEFAULT '',
    sort_name_en TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- Each list ordering has an index that starts with the published filter.
CREATE INDEX products_newest_idx ON products (status, created_at DESC, id DESC);
CREATE INDEX products_price_idx ON products (status, price_vnd, id);
CREATE INDEX products_name_vi_idx ON products (status, sort_name_vi, id);
CREATE INDEX products_name_en_idx ON products (status, sort_name_en, id);
CREATE INDEX products_cooperative_idx ON products (cooperative_id, status);
CREATE INDEX products_group_idx ON products (group_id, status);
CREATE INDEX products_featured_idx ON products (featured, status);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    stars INTEGER NOT NULL CHECK (stars BETWEEN 3 AND 5),
    council TEXT NOT NULL CHECK (council IN ('provincial', 'national')),
    decision_no TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (product_id, decision_no)
);
CREATE INDEX certificates_product_idx ON certificates (product_id, expires_on, stars);
CREATE INDEX certificates_stars_idx ON certificates (stars, expires_on, product_id);

-- Full-text index over the folded text. External content: the text lives once, in products.
CREATE VIRTUAL TABLE products_fts USING fts5(
    search_text,
    content = 'products',
    content_rowid = 'id',
    tokenize = 'unicode61',
    -- Prefix indexes: "chu*" while typing reads one index entry instead of merging every term
    -- that starts with "chu".
    prefix = '1 2 3 4'
);
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE OF search_text ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO products_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
