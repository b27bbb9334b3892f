-- A motion's handling department is reminded once when its reply is overdue.
ALTER TABLE motions ADD COLUMN reminded_at BIGINT;
