-- The dashboard's product charts (by stars, by group) read only these columns of the published
-- products of approved cooperatives: a covering index, instead of the wide catalogue rows.
-- Kept in step with migrations/postgres.
CREATE INDEX products_dashboard_idx ON products (status, cooperative_id, group_id);
