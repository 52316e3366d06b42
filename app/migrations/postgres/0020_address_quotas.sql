-- Actions an address may take only so often (sign-ups per hour): one row per action taken,
-- read and written in one write transaction so that the cap holds under concurrency.
CREATE TABLE address_quotas (
    id BIGSERIAL PRIMARY KEY,
    action TEXT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX address_quotas_idx ON address_quotas (action, address, at);
