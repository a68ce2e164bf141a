-- A lease owner is now "<replica's stable name>/<run>": a host or pod name (up to 63 characters) and a run id, so that
-- a replica that restarts frees what its earlier run held at once.
ALTER TABLE labs ALTER COLUMN lease_owner TYPE VARCHAR(128);
