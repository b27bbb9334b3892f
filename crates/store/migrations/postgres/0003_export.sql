-- The key that signs a site's static export manifests (Ed25519; the 32-byte secret seed in
-- hex). Created on the first export; the public half is printed by `yuanxun export`.
CREATE TABLE site_keys (
    site_id BIGINT PRIMARY KEY REFERENCES sites(id),
    ed25519_seed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
