-- The daily figures (order_days, product_days) are kept by the order service in the transaction
-- that writes the order (app/src/orders/service/days.rs), which states their rule once for both
-- databases; these triggers stated it a second time. The tables and their rows stay. Kept in
-- step with migrations/postgres.
DROP TRIGGER orders_count_day;
DROP TRIGGER order_lines_count_day;
DROP TRIGGER orders_uncount_day;
DROP TRIGGER orders_uncount_deleted_day;
DROP TRIGGER orders_recount_day;
