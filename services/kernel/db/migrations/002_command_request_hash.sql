-- A command id reused with another input is refused (422) rather than answered with the first
-- result; rows recorded before this column existed have none and are replayed as before.
ALTER TABLE commands ADD COLUMN request_hash TEXT;
