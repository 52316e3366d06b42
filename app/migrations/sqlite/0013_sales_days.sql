-- The dashboard's order figures per Vietnam day, kept by the database itself in the transaction
-- that writes the order (triggers), whoever writes it: checkout, a cancellation, the seed, a
-- test fixture. The charts then read a few rows per day instead of every order in the range.
-- Kept in step with migrations/postgres.
--
-- A day is the Vietnam day number: (created_at + 7 h) / 24 h, as model::vietnam_day computes.
-- Only counted orders are in them (every status but cancelled); a cancellation takes its
-- order back out, so a (day, cooperative) row can fall to zero orders and stays.

-- Orders and revenue (subtotals) per day and cooperative: revenue per day, and by district.
CREATE TABLE order_days (
    day INTEGER NOT NULL,
    cooperative_id INTEGER NOT NULL REFERENCES cooperatives(id),
    orders INTEGER NOT NULL,
    revenue_vnd INTEGER NOT NULL,
    PRIMARY KEY (day, cooperative_id)
) WITHOUT ROWID;

-- Quantity and revenue (line totals) per day and product: the top products.
CREATE TABLE product_days (
    day INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products(id),
    quantity INTEGER NOT NULL,
    revenue_vnd INTEGER NOT NULL,
    PRIMARY KEY (day, product_id)
) WITHOUT ROWID;

INSERT INTO order_days (day, cooperative_id, orders, revenue_vnd)
SELECT (created_at + 25200) / 86400, cooperative_id, COUNT(*), SUM(subtotal_vnd)
FROM orders WHERE status <> 'cancelled' GROUP BY 1, 2;

INSERT INTO product_days (day, product_id, quantity, revenue_vnd)
SELECT (o.created_at + 25200) / 86400, l.product_id, SUM(l.quantity), SUM(l.line_total_vnd)
FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.status <> 'cancelled' GROUP BY 1, 2;

-- A counted order comes in. Its lines follow it (order_lines_count_day).
CREATE TRIGGER orders_count_day AFTER INSERT ON orders WHEN NEW.status <> 'cancelled'
BEGIN
    INSERT INTO order_days (day, cooperative_id, orders, revenue_vnd)
    VALUES ((NEW.created_at + 25200) / 86400, NEW.cooperative_id, 1, NEW.subtotal_vnd)
    ON CONFLICT (day, cooperative_id) DO UPDATE
    SET orders = orders + 1, revenue_vnd = revenue_vnd + excluded.revenue_vnd;
END;

CREATE TRIGGER order_lines_count_day AFTER INSERT ON order_lines
BEGIN
    INSERT INTO product_days (day, product_id, quantity, revenue_vnd)
    SELECT (o.created_at + 25200) / 86400, NEW.product_id, NEW.quantity, NEW.line_total_vnd
    FROM orders o WHERE o.id = NEW.order_id AND o.status <> 'cancelled'
    ON CONFLICT (day, product_id) DO UPDATE
    SET quantity = quantity + excluded.quantity, revenue_vnd = revenue_vnd + excluded.revenue_vnd;
END;

-- A counted order is cancelled (or deleted, lines and all): out of its day.
CREATE TRIGGER orders_uncount_day AFTER UPDATE OF status ON orders
WHEN OLD.status <> 'cancelled' AND NEW.status = 'cancelled'
BEGIN
    UPDATE order_days SET orders = orders - 1, revenue_vnd = revenue_vnd - OLD.subtotal_vnd
    WHERE day = (OLD.created_at + 25200) / 86400 AND cooperative_id = OLD.cooperative_id;
    UPDATE product_days
    SET quantity = quantity - (SELECT l.quantity FROM order_lines l WHERE l.order_id = OLD.id AND l.product_id = product_days.product_id),
        revenue_vnd = revenue_vnd - (SELECT l.line_total_vnd FROM order_lines l WHERE l.order_id = OLD.id AND l.product_id = product_days.product_id)
    WHERE day = (OLD.created_at + 25200) / 86400
      AND product_id IN (SELECT l.product_id FROM order_lines l WHERE l.order_id = OLD.id);
END;

CREATE TRIGGER orders_uncount_deleted_day BEFORE DELETE ON orders WHEN OLD.status <> 'cancelled'
BEGIN
    UPDATE order_days SET orders = orders - 1, revenue_vnd = revenue_vnd - OLD.subtotal_vnd
    WHERE day = (OLD.created_at + 25200) / 86400 AND cooperative_id = OLD.cooperative_id;
    UPDATE product_days
    SET quantity = quantity - (SELECT l.quantity FROM order_lines l WHERE l.order_id = OLD.id AND l.product_id = product_days.product_id),
        revenue_vnd = revenue_vnd - (SELECT l.line_total_vnd FROM order_lines l WHERE l.order_id = OLD.id AND l.product_id = product_days.product_id)
    WHERE day = (OLD.created_at + 25200) / 86400
      AND product_id IN (SELECT l.product_id FROM order_lines l WHERE l.order_id = OLD.id);
END;

-- A cancelled order counted again (no transition does this today; the figures follow anyway).
CREATE TRIGGER orders_recount_day AFTER UPDATE OF status ON orders
WHEN OLD.status = 'cancelled' AND NEW.status <> 'cancelled'
BEGIN
    INSERT INTO order_days (day, cooperative_id, orders, revenue_vnd)
    VALUES ((NEW.created_at + 25200) / 86400, NEW.cooperative_id, 1, NEW.subtotal_vnd)
    ON CONFLICT (day, cooperative_id) DO UPDATE
    SET orders = orders + 1, revenue_vnd = revenue_vnd + excluded.revenue_vnd;
    INSERT INTO product_days (day, product_id, quantity, revenue_vnd)
    SELECT (NEW.created_at + 25200) / 86400, l.product_id, l.quantity, l.line_total_vnd
    FROM order_lines l WHERE l.order_id = NEW.id
    ON CONFLICT (day, product_id) DO UPDATE
    SET quantity = quantity + excluded.quantity, revenue_vnd = revenue_vnd + excluded.revenue_vnd;
END;
