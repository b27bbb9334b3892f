-- A channel of photo news (图片新闻): its newest stories make the home page's slideshow and
-- its pages show covers in a grid. 0 = a list of titles, 1 = photos.
ALTER TABLE channels ADD COLUMN photo INTEGER NOT NULL DEFAULT 0;
