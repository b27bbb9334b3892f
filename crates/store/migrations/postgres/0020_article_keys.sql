-- Lists walk articles by their key (published_at, id) rather than by OFFSET: the next page,
-- the previous and next story of a channel, the search rebuild and the export. With the id
-- in the index a key such as (published_at, id) < (t, n) is one index range, so the cost of
-- a page does not grow with how far down the list it is (found at a million articles,
-- where a page late in a walk took seconds).
DROP INDEX articles_list;
CREATE INDEX articles_list ON articles (site_id, retracted, published_at, id);
DROP INDEX articles_channel;
CREATE INDEX articles_channel ON articles (site_id, channel_id, retracted, published_at, id);
-- A channel belongs to one site, so a channel's articles are all of its site's; without
-- being told, PostgreSQL multiplies the two selectivities, expects a channel to hold a
-- twentieth of its articles on a platform of twenty hospitals, and sorts instead of reading
-- the index in order.
CREATE STATISTICS articles_site_channel (dependencies) ON site_id, channel_id FROM articles;
ANALYZE articles;
