-- Actions an address may take only so often (sign-ups per hour): one row per action taken,
-- read and written in one write transaction so that the cap holds under concurrency.
CREATE TABLE address_quotas (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL,
    address TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX address_quotas_idx ON address_quotas (action, address, at);
