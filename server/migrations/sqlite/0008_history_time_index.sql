-- The record is pruned a stretch of products at a time along its own key (see the store's
-- pruning), so no write has to keep an index on the time up to date any more.
DROP INDEX product_history_at;
