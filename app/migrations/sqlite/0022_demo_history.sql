-- The demo order history a fresh install is seeded with (seed/history.rs): its orders, reviews
-- and export inquiries are flagged like the rest of the demo data, so they can be told apart
-- from real trade (and deleted before real use).
ALTER TABLE orders ADD COLUMN is_demo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN is_demo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inquiries ADD COLUMN is_demo INTEGER NOT NULL DEFAULT 0;
