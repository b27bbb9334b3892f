-- When each password was last set, for the optional password expiry (等保: passwords
-- changed regularly). Existing accounts count from their creation.
ALTER TABLE users ADD COLUMN password_changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE users SET password_changed_at = created_at;
