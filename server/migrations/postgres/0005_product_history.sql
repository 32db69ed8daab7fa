-- The record of changes: every catalog change, who made it (`actor`: an account's email,
-- 'staff' for the shared password, NULL with staff access off), when, and the product right
-- after it (for a removal: right before). `seq` is the change's number in the log; a large
-- import numbers all its rows with its one change, so a row is keyed by product and number.
-- Kept at least 90 days (see the store's pruning).
CREATE TABLE product_history (
    product_id BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT,
    kind       TEXT NOT NULL
        CHECK (kind IN ('created', 'updated', 'removed', 'restored', 'imported')),
    product    JSONB NOT NULL,
    PRIMARY KEY (product_id, seq)
);
-- The removed products, newest removal first.
CREATE INDEX product_history_removed ON product_history (seq) WHERE kind = 'removed';
-- The pruning, oldest first.
CREATE INDEX product_history_at ON product_history (at);
