-- The sitemap is split into parts by article id (ids 0–49,999 in the first, and so on), so
-- that a publication rewrites one part, not a map of every story; each part reads its
-- site's live ids in one range of this index.
CREATE INDEX articles_ids ON articles (site_id, retracted, id);
