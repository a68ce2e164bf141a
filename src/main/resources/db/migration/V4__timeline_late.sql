-- A CREATED event the service saw long after the object was made (it was down, or a watch re-listed):
-- its place in the order is not what happened, so ordering checks must not rely on it.
ALTER TABLE lab_timeline ADD COLUMN late BOOLEAN NOT NULL DEFAULT false;
