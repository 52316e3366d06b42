-- Shipping priced by weight and destination. The department keeps one rate table: for each zone
-- (the cooperative's own province, its region, the rest of the country) a fee for parcels up to
-- each weight step, and a fee for every 500 g beyond the last step. A cooperative may ship free
-- from an order value of its choosing. An order keeps what it was charged (its zone, its parcel's
-- weight and its fee), so a later change of rates leaves placed orders as they were; shipping it
-- names a carrier, whose tracking page the order links to.
CREATE TABLE shipping_rates (
    zone TEXT NOT NULL CHECK (zone IN ('province', 'region', 'national')),
    up_to_grams BIGINT NOT NULL CHECK (up_to_grams > 0),
    fee_vnd BIGINT NOT NULL CHECK (fee_vnd >= 0),
    PRIMARY KEY (zone, up_to_grams)
);
CREATE TABLE shipping_beyond (
    zone TEXT PRIMARY KEY CHECK (zone IN ('province', 'region', 'national')),
    per_500g_vnd BIGINT NOT NULL CHECK (per_500g_vnd >= 0)
);
-- Rates in the range Vietnamese parcel carriers charged in 2026 for e-commerce parcels.
INSERT INTO shipping_rates (zone, up_to_grams, fee_vnd) VALUES
    ('province', 500, 16000), ('province', 1000, 20000), ('province', 2000, 25000), ('province', 3000, 30000), ('province', 5000, 38000),
    ('region', 500, 22000), ('region', 1000, 27000), ('region', 2000, 34000), ('region', 3000, 40000), ('region', 5000, 50000),
    ('national', 500, 30000), ('national', 1000, 36000), ('national', 2000, 46000), ('national', 3000, 55000), ('national', 5000, 70000);
INSERT INTO shipping_beyond (zone, per_500g_vnd) VALUES ('province', 2500), ('region', 4000), ('national', 5000);

ALTER TABLE cooperatives ADD COLUMN province TEXT NOT NULL DEFAULT 'Tuyên Quang';
-- NULL: no free shipping.
ALTER TABLE cooperatives ADD COLUMN free_shipping_from_vnd BIGINT DEFAULT 500000;

ALTER TABLE orders ADD COLUMN shipping_zone TEXT;
ALTER TABLE orders ADD COLUMN parcel_grams BIGINT;
ALTER TABLE orders ADD COLUMN carrier TEXT;
