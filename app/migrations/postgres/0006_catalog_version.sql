-- A counter of changes to what the product list reads (see app/src/catalog/index.rs). Triggers
-- bump it once per statement, so every write path is covered; the list index rebuilds when it
-- moves, on every instance.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 1);

CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER catalog_version_product_insert_delete AFTER INSERT OR DELETE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
-- Not stock: an order changes stock, and the list does not read it.
CREATE TRIGGER catalog_version_product_update
    AFTER UPDATE OF status, group_id, cooperative_id, price_vnd, created_at, featured, sort_name_vi, sort_name_en
    ON products FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER catalog_version_certificates AFTER INSERT OR UPDATE OR DELETE ON certificates
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER catalog_version_cooperative_insert AFTER INSERT ON cooperatives
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER catalog_version_cooperative_update AFTER UPDATE OF status, district_id, slug ON cooperatives
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER catalog_version_group_insert AFTER INSERT ON product_groups
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER catalog_version_district_insert AFTER INSERT ON districts
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
