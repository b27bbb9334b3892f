-- PostgreSQL twin of migrations/sqlite/0022_own_names.sql: the site's own names join the
-- lexicon lists (`name`).
ALTER TABLE lexicon_items DROP CONSTRAINT lexicon_items_list_check;
ALTER TABLE lexicon_items ADD CONSTRAINT lexicon_items_list_check CHECK (list IN ('entry', 'removed', 'allow', 'phone', 'name'));
