-- Catalog: districts, the six OCOP product groups, cooperatives, products and OCOP certificates.
-- Kept in step with migrations/sqlite (a test compares tables and columns).
-- Timestamps are Unix seconds (BIGINT); dates are ISO 8601 text (YYYY-MM-DD). Money is integer VND.
-- Integers are BIGINT throughout so that the sqlx Any driver decodes them as i64 on both backends.

CREATE TABLE districts (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE product_groups (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE cooperatives (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    story_vi TEXT NOT NULL DEFAULT '',
    story_en TEXT NOT NULL DEFAULT '',
    district_id BIGINT REFERENCES districts(id),
    commune TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    status TEXT NOT NULL DEFAULT 'approved' CHECK (status IN ('pending', 'approved', 'rejected', 'suspended')),
    is_demo BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX cooperatives_district_idx ON cooperatives (district_id);

CREATE TABLE products (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    group_id BIGINT NOT NULL REFERENCES product_groups(id),
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_vi TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    unit_vi TEXT NOT NULL DEFAULT '',
    unit_en TEXT NOT NULL DEFAULT '',
    price_vnd BIGINT NOT NULL CHECK (price_vnd >= 0),
    stock BIGINT NOT NULL DEFAULT 0 CHECK (stock >= 0),
    weight_grams BIGINT,
    exported_to TEXT,
    featured BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published', 'deleted')),
    is_demo BIGINT NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL DEFAULT '',
    sort_name_vi TEXT NOT NULL DEFAULT '',
    sort_name_en TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX products_newest_idx ON products (status, created_at DESC, id DESC);
CREATE INDEX products_price_idx ON products (status, price_vnd, id);
CREATE INDEX products_name_vi_idx ON products (status, sort_name_vi, id);
CREATE INDEX products_name_en_idx ON products (status, sort_name_en, id);
CREATE INDEX products_cooperative_idx ON products (cooperative_id, status);
CREATE INDEX products_group_idx ON products (group_id, status);
CREATE INDEX products_featured_idx ON products (featured, status);
-- Full-text search over the folded text: the 'simple' configuration only lowercases and splits,
-- because the folding was already done in Rust; prefix queries use `word:*`.
CREATE INDEX products_search_idx ON products USING GIN (to_tsvector('simple', search_text));

CREATE TABLE certificates (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products(id),
    stars BIGINT NOT NULL CHECK (stars BETWEEN 3 AND 5),
    council TEXT NOT NULL CHECK (council IN ('provincial', 'national')),
    decision_no TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    is_demo BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (product_id, decision_no)
);
CREATE INDEX certificates_product_idx ON certificates (product_id, expires_on, stars);
CREATE INDEX certificates_stars_idx ON certificates (stars, expires_on, product_id);
