-- Each message's change in the log, so that removing a message finds the logged event that
-- holds its email and text by key (NULL for messages stored before this column).
ALTER TABLE messages ADD COLUMN seq INTEGER;
