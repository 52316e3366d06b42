-- The cooperative's logo: a key in the media store (its 400 px WebP rendition).
ALTER TABLE cooperatives ADD COLUMN logo_key TEXT;
