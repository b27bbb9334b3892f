//! Sites, departments and channels.

use sqlx::AnyConnection;
use yuanxun_core::clock;

use crate::{found, models, Channel, Department, Result, Site};

/// Creates a site; its `site_id` column equals its id.
pub async fn create_site(c: &mut AnyConnection, slug: &str, name: &str, host: &str) -> Result<Site> {
    let row = sqlx::query("INSERT INTO sites (slug, name, host, created_at) VALUES ($1, $2, $3, $4) RETURNING id, slug, name, host")
        .bind(slug).bind(name).bind(host).bind(clock::now())
        .fetch_one(&mut *c).await?;
    let site = models::site(&row)?;
    sqlx::query("UPDATE sites SET site_id = $1 WHERE id = $2").bind(site.id).bind(site.id).execute(&mut *c).await?;
    Ok(site)
}

/// The first site (the default one on a single-hospital deployment).
pub async fn default_site(c: &mut AnyConnection) -> Result<Option<Site>> {
    let row = sqlx::query("SELECT id, slug, name, host FROM sites ORDER BY id LIMIT 1").fetch_optional(&mut *c).await?;
    row.as_ref().map(models::site).transpose()
}

/// Every site.
pub async fn list_sites(c: &mut AnyConnection) -> Result<Vec<Site>> {
    let rows = sqlx::query("SELECT id, slug, name, host FROM sites ORDER BY id").fetch_all(&mut *c).await?;
    rows.iter().map(models::site).collect()
}

/// Adds a department.
pub async fn create_department(c: &mut AnyConnection, site_id: i64, name: &str) -> Result<Department> {
    let row = sqlx::query("INSERT INTO departments (site_id, name, created_at) VALUES ($1, $2, $3) RETURNING id, site_id, name, grid_id")
        .bind(site_id).bind(name).bind(clock::now())
        .fetch_one(&mut *c).await?;
    models::department(&row)
}

/// Renames a department.
pub async fn rename_department(c: &mut AnyConnection, site_id: i64, id: i64, name: &str) -> Result<()> {
    let r = sqlx::query("UPDATE departments SET name = $1 WHERE site_id = $2 AND id = $3")
        .bind(name).bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 { return Err(crate::StoreError::NotFound) }
    Ok(())
}

/// The site's departments by name.
pub async fn list_departments(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Department>> {
    let rows = sqlx::query("SELECT id, site_id, name, grid_id FROM departments WHERE site_id = $1 ORDER BY id")
        .bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(models::department).collect()
}

/// One department of the site.
pub async fn get_department(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Department> {
    let row = sqlx::query("SELECT id, site_id, name, grid_id FROM departments WHERE site_id = $1 AND id = $2")
        .bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    models::department(&found(row)?)
}

/// A grid (网格): departments under one publicity liaison.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Grid {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub liaison_id: Option<i64>,
    pub liaison_name: Option<String>,
}

const GRID_SELECT: &str = "SELECT g.id, g.site_id, g.name, g.liaison_id, u.display_name AS liaison_name FROM grids g LEFT JOIN users u ON u.id = g.liaison_id WHERE g.site_id = $1";

fn grid(r: &sqlx::any::AnyRow) -> Result<Grid> {
    use sqlx::Row;
    Ok(Grid { id: r.try_get("id")?, site_id: r.try_get("site_id")?, name: r.try_get("name")?, liaison_id: r.try_get("liaison_id")?, liaison_name: r.try_get("liaison_name")? })
}

/// Adds a grid.
pub async fn create_grid(c: &mut AnyConnection, site_id: i64, name: &str, liaison_id: Option<i64>) -> Result<i64> {
    let row = sqlx::query("INSERT INTO grids (site_id, name, liaison_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id").bind(site_id).bind(name).bind(liaison_id).bind(clock::now()).fetch_one(&mut *c).await?;
    Ok(sqlx::Row::try_get(&row, "id")?)
}

/// Renames a grid or changes its liaison.
pub async fn update_grid(c: &mut AnyConnection, site_id: i64, id: i64, name: &str, liaison_id: Option<i64>) -> Result<()> {
    let r = sqlx::query("UPDATE grids SET name = $1, liaison_id = $2 WHERE site_id = $3 AND id = $4").bind(name).bind(liaison_id).bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 { return Err(crate::StoreError::NotFound) }
    Ok(())
}

/// One grid.
pub async fn get_grid(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Grid> {
    let sql = format!("{GRID_SELECT} AND g.id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    grid(&found(row)?)
}

/// The site's grids by name.
pub async fn list_grids(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Grid>> {
    let sql = format!("{GRID_SELECT} ORDER BY g.name");
    let rows = sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(grid).collect()
}

/// Puts a department into a grid (or takes it out with `None`).
pub async fn set_department_grid(c: &mut AnyConnection, site_id: i64, department_id: i64, grid_id: Option<i64>) -> Result<()> {
    let r = sqlx::query("UPDATE departments SET grid_id = $1 WHERE site_id = $2 AND id = $3").bind(grid_id).bind(site_id).bind(department_id).execute(&mut *c).await?;
    if r.rows_affected() == 0 { return Err(crate::StoreError::NotFound) }
    Ok(())
}

const CHANNEL_COLS: &str = "id, site_id, slug, name, review_levels, sort, photo";

/// Adds a channel.
pub async fn create_channel(c: &mut AnyConnection, site_id: i64, slug: &str, name: &str, review_levels: i64, sort: i64) -> Result<Channel> {
    let sql = format!("INSERT INTO channels (site_id, slug, name, review_levels, sort, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {CHANNEL_COLS}");
    let row = sqlx::query(&sql)
        .bind(site_id).bind(slug).bind(name).bind(review_levels).bind(sort).bind(clock::now())
        .fetch_one(&mut *c).await?;
    models::channel(&row)
}

/// Changes a channel's name, review levels and order.
pub async fn update_channel(c: &mut AnyConnection, site_id: i64, id: i64, name: &str, review_levels: i64, sort: i64) -> Result<()> {
    let r = sqlx::query("UPDATE channels SET name = $1, review_levels = $2, sort = $3 WHERE site_id = $4 AND id = $5")
        .bind(name).bind(review_levels).bind(sort).bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 { return Err(crate::StoreError::NotFound) }
    Ok(())
}

/// Makes a channel one of photo news (图片新闻) or a list of titles.
pub async fn set_channel_photo(c: &mut AnyConnection, site_id: i64, id: i64, photo: bool) -> Result<()> {
    let r = sqlx::query("UPDATE channels SET photo = $1 WHERE site_id = $2 AND id = $3").bind(photo as i64).bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 { return Err(crate::StoreError::NotFound) }
    Ok(())
}

/// The site's channels in navigation order.
pub async fn list_channels(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Channel>> {
    let sql = format!("SELECT {CHANNEL_COLS} FROM channels WHERE site_id = $1 ORDER BY sort, id");
    let rows = sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(models::channel).collect()
}

/// One channel by id.
pub async fn get_channel(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Channel> {
    let sql = format!("SELECT {CHANNEL_COLS} FROM channels WHERE site_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    models::channel(&found(row)?)
}

/// One channel by its URL slug.
pub async fn channel_by_slug(c: &mut AnyConnection, site_id: i64, slug: &str) -> Result<Channel> {
    let sql = format!("SELECT {CHANNEL_COLS} FROM channels WHERE site_id = $1 AND slug = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(slug).fetch_optional(&mut *c).await?;
    models::channel(&found(row)?)
}

/// Renames a site (the hospital's name in the masthead). The name is one the check knows as
/// the site's own, so the lexicon revision moves with it.
pub async fn rename_site(c: &mut AnyConnection, site_id: i64, name: &str) -> Result<()> {
    sqlx::query("UPDATE sites SET name = $1, lexicon_revision = lexicon_revision + 1 WHERE id = $2").bind(name).bind(site_id).execute(&mut *c).await?;
    Ok(())
}

/// The site's signing seed (hex), if one was made.
pub async fn signing_seed(c: &mut AnyConnection, site_id: i64) -> Result<Option<String>> {
    let row = sqlx::query("SELECT ed25519_seed FROM site_keys WHERE site_id = $1").bind(site_id).fetch_optional(&mut *c).await?;
    Ok(row.map(|r| sqlx::Row::try_get(&r, "ed25519_seed")).transpose()?)
}

/// The address the site's last full export was made for (`None` before the first).
pub async fn export_base(c: &mut AnyConnection, site_id: i64) -> Result<Option<String>> {
    let row = sqlx::query("SELECT export_base FROM site_keys WHERE site_id = $1").bind(site_id).fetch_optional(&mut *c).await?;
    let base: Option<String> = row.map(|r| sqlx::Row::try_get(&r, "export_base")).transpose()?;
    Ok(base.filter(|b| !b.is_empty()))
}

/// Records the address a full export was made for (after the signing key exists).
pub async fn set_export_base(c: &mut AnyConnection, site_id: i64, base: &str) -> Result<()> {
    sqlx::query("UPDATE site_keys SET export_base = $1 WHERE site_id = $2").bind(base).bind(site_id).execute(&mut *c).await?;
    Ok(())
}

/// Stores the site's signing seed; keeps the first one if two exports race.
pub async fn set_signing_seed(c: &mut AnyConnection, site_id: i64, seed_hex: &str) -> Result<()> {
    sqlx::query("INSERT INTO site_keys (site_id, ed25519_seed, created_at) VALUES ($1, $2, $3) ON CONFLICT (site_id) DO NOTHING")
        .bind(site_id).bind(seed_hex).bind(yuanxun_core::clock::now()).execute(&mut *c).await?;
    Ok(())
}
