-- Messages sent by a logged-in member of the staff (marked "equipo" on the page).
ALTER TABLE messages ADD COLUMN staff BOOLEAN NOT NULL DEFAULT false;
