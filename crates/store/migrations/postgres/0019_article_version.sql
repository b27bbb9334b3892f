-- An article's version: 1 when published, one more for every correction or change of its
-- date. The search index keeps the version it holds, so that after a crash between a
-- change committing and the index taking it in, `serve` finds and mends exactly what is
-- behind.
ALTER TABLE articles ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
