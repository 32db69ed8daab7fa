-- The change log is pruned along its own key (see the SQLite dialect's `prune_changes`), so no
-- write has to keep an index on the time up to date any more.
DROP INDEX changes_created_at;
