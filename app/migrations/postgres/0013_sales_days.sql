-- The dashboard's order figures per Vietnam day, kept by the database itself in the transaction
-- that writes the order (a trigger), whoever writes it: checkout, a cancellation, the seed, a
-- test fixture. The charts then read a few rows per day instead of every order in the range.
-- Kept in step with migrations/sqlite.
--
-- A day is the Vietnam day number: (created_at + 7 h) / 24 h, as model::vietnam_day computes.
-- Only counted orders are in them (every status but cancelled); a cancellation takes its
-- order back out, so a (day, cooperative) row can fall to zero orders and stays.
--
-- Locks: a checkout takes its products' stock rows (in product order) before these rows, and
-- its cooperatives' orders in cooperative order; a cancellation puts the stock back before it
-- changes the status. Every writer takes them in the same order: no deadlocks.

-- Orders and revenue (subtotals) per day and cooperative: revenue per day, and by district.
CREATE TABLE order_days (
    day BIGINT NOT NULL,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives(id),
    orders BIGINT NOT NULL,
    revenue_vnd BIGINT NOT NULL,
    PRIMARY KEY (day, cooperative_id)
);

-- Quantity and revenue (line totals) per day and product: the top products.
CREATE TABLE product_days (
    day BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products(id),
    quantity BIGINT NOT NULL,
    revenue_vnd BIGINT NOT NULL,
    PRIMARY KEY (day, product_id)
);

INSERT INTO order_days (day, cooperative_id, orders, revenue_vnd)
SELECT (created_at + 25200) / 86400, cooperative_id, COUNT(*), SUM(subtotal_vnd)
FROM orders WHERE status <> 'cancelled' GROUP BY 1, 2;

INSERT INTO product_days (day, product_id, quantity, revenue_vnd)
SELECT (o.created_at + 25200) / 86400, l.product_id, SUM(l.quantity), SUM(l.line_total_vnd)
FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.status <> 'cancelled' GROUP BY 1, 2;

-- Adds (direction 1) or takes out (direction -1) an order, and with `lines`, its lines.
CREATE FUNCTION count_order_day(o orders, direction BIGINT, lines BOOLEAN) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_days (day, cooperative_id, orders, revenue_vnd)
    VALUES ((o.created_at + 25200) / 86400, o.cooperative_id, direction, direction * o.subtotal_vnd)
    ON CONFLICT (day, cooperative_id) DO UPDATE
    SET orders = order_days.orders + excluded.orders,
        revenue_vnd = order_days.revenue_vnd + excluded.revenue_vnd;
    IF lines THEN
        INSERT INTO product_days (day, product_id, quantity, revenue_vnd)
        SELECT (o.created_at + 25200) / 86400, l.product_id, direction * l.quantity, direction * l.line_total_vnd
        FROM order_lines l WHERE l.order_id = o.id
        ON CONFLICT (day, product_id) DO UPDATE
        SET quantity = product_days.quantity + excluded.quantity,
            revenue_vnd = product_days.revenue_vnd + excluded.revenue_vnd;
    END IF;
END $$;

CREATE FUNCTION orders_count_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A new order's lines follow it (order_lines_count_day).
        PERFORM count_order_day(NEW, 1, false);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM count_order_day(OLD, -1, true);
    ELSIF NEW.status = 'cancelled' THEN
        PERFORM count_order_day(OLD, -1, true);
    ELSE
        -- A cancelled order counted again (no transition does this today).
        PERFORM count_order_day(NEW, 1, true);
    END IF;
    -- OLD when deleting: a BEFORE trigger that returns NULL would cancel the delete.
    RETURN COALESCE(NEW, OLD);
END $$;

CREATE TRIGGER orders_count_day AFTER INSERT ON orders FOR EACH ROW
WHEN (NEW.status <> 'cancelled') EXECUTE FUNCTION orders_count_day();
CREATE TRIGGER orders_recount_day AFTER UPDATE OF status ON orders FOR EACH ROW
WHEN ((OLD.status = 'cancelled') <> (NEW.status = 'cancelled')) EXECUTE FUNCTION orders_count_day();
-- Before: the lines are still there (their cascade runs after the row goes).
CREATE TRIGGER orders_uncount_deleted_day BEFORE DELETE ON orders FOR EACH ROW
WHEN (OLD.status <> 'cancelled') EXECUTE FUNCTION orders_count_day();

CREATE FUNCTION order_lines_count_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO product_days (day, product_id, quantity, revenue_vnd)
    SELECT (o.created_at + 25200) / 86400, NEW.product_id, NEW.quantity, NEW.line_total_vnd
    FROM orders o WHERE o.id = NEW.order_id AND o.status <> 'cancelled'
    ON CONFLICT (day, product_id) DO UPDATE
    SET quantity = product_days.quantity + excluded.quantity,
        revenue_vnd = product_days.revenue_vnd + excluded.revenue_vnd;
    RETURN NULL;
END $$;

CREATE TRIGGER order_lines_count_day AFTER INSERT ON order_lines FOR EACH ROW
EXECUTE FUNCTION order_lines_count_day();
