-- Grids (网格): departments grouped under one publicity liaison, who follows up their
-- correspondents. A department belongs to at most one grid.
CREATE TABLE grids (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    liaison_id INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (site_id, name)
);
ALTER TABLE departments ADD COLUMN grid_id INTEGER REFERENCES grids(id);
