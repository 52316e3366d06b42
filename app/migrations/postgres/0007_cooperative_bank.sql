-- Where a cooperative receives bank transfers: the bank's NAPAS BIN, the account number, and the
-- account holder's name as the bank prints it (uppercase, unaccented). All three or none.
ALTER TABLE cooperatives ADD COLUMN bank_bin TEXT;
ALTER TABLE cooperatives ADD COLUMN bank_account TEXT;
ALTER TABLE cooperatives ADD COLUMN bank_holder TEXT;
