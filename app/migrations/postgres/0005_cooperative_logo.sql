-- The cooperative's logo: a key in the media store (its 400 px WebP rendition).
-- Kept in step with migrations/sqlite (a test compares tables and columns).
ALTER TABLE cooperatives ADD COLUMN logo_key TEXT;
