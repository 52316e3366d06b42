-- A counter of changes to what the product list reads (see app/src/catalog/index.rs). Triggers
-- bump it, so every write path is covered; the list index rebuilds when it moves.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 1);

CREATE TRIGGER catalog_version_product_insert AFTER INSERT ON products BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_product_delete AFTER DELETE ON products BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
-- Not stock: an order changes stock, and the list does not read it.
CREATE TRIGGER catalog_version_product_update
AFTER UPDATE OF status, group_id, cooperative_id, price_vnd, created_at, featured, sort_name_vi, sort_name_en
ON products BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_certificate_insert AFTER INSERT ON certificates BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_certificate_update AFTER UPDATE ON certificates BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_certificate_delete AFTER DELETE ON certificates BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_cooperative_insert AFTER INSERT ON cooperatives BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_cooperative_update AFTER UPDATE OF status, district_id, slug ON cooperatives BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_group_insert AFTER INSERT ON product_groups BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_district_insert AFTER INSERT ON districts BEGIN
    UPDATE catalog_version SET version = version + 1 WHERE id = 1;
END;
