-- A change is recorded as its event (the JSON every socket gets); "frame" now names only the
-- encoded WebSocket frame the server makes of it.
ALTER TABLE changes RENAME COLUMN frame TO event;
