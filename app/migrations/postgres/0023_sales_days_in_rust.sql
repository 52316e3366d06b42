-- The daily figures (order_days, product_days) are kept by the order service in the transaction
-- that writes the order (app/src/orders/service/days.rs), which states their rule once for both
-- databases; these triggers and their plpgsql functions stated it a second time. The tables and
-- their rows stay. Kept in step with migrations/sqlite.
DROP TRIGGER orders_count_day ON orders;
DROP TRIGGER orders_recount_day ON orders;
DROP TRIGGER orders_uncount_deleted_day ON orders;
DROP TRIGGER order_lines_count_day ON order_lines;
DROP FUNCTION orders_count_day();
DROP FUNCTION order_lines_count_day();
DROP FUNCTION count_order_day(orders, BIGINT, BOOLEAN);
