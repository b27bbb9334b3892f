//! Moving a deployment from SQLite to PostgreSQL (`yuanxun migrate`): every table row for
//! row with its ids, the media blobs, and then a count check per table and the audit chain
//! re-walked on the target.
//!
//! The tables, their columns and their foreign keys are read from the target's catalog
//! (its schema is made by our migrations, so it is the schema both engines share). Tables
//! are copied parents first; where foreign keys form a cycle (departments → grids → users →
//! departments) the column that closes the cycle is written as NULL first and filled in
//! once every table is there. The audit log is only ever inserted into, so its hashes are
//! the source's, byte for byte. Identity sequences are moved past the copied ids.
//!
//! Written here rather than with a tool (pgloader): it is the schema we own, one binary is
//! what the hospital runs, and the copy is checked by the same code that checks a restore.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use crate::{AnyConnection, Backend, Result, Store, StoreError};

/// A column of the shared schema: its name and whether it holds an integer (else text).
#[derive(Debug, Clone)]
struct Column {
    name: String,
    integer: bool,
}

/// A table's name, columns, and the columns that refer to other tables.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
    refs: Vec<(String, String)>,
}

/// What was copied from a table: the rows in the source and in the target afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: String,
    pub source: i64,
    pub target: i64,
}

async fn schema(c: &mut AnyConnection) -> Result<Vec<Table>> {
    let cols = sqlx::query("SELECT CAST(table_name AS TEXT) AS table_name, CAST(column_name AS TEXT) AS column_name, CAST(data_type AS TEXT) AS data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' ORDER BY table_name, ordinal_position")
        .fetch_all(&mut *c)
        .await?;
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for r in &cols {
        let (t, name, ty): (String, String, String) = (r.try_get("table_name")?, r.try_get("column_name")?, r.try_get("data_type")?);
        let integer = match ty.as_str() {
            "bigint" | "integer" | "smallint" => true,
            "text" | "character varying" => false,
            other => return Err(StoreError::Corrupt(format!("表 {t} 的列 {name} 类型为 {other}，迁移工具不认识"))),
        };
        tables.entry(t.clone()).or_insert_with(|| Table { name: t, columns: Vec::new(), refs: Vec::new() }).columns.push(Column { name, integer });
    }
    let fks = sqlx::query(
        "SELECT CAST(cl.relname AS TEXT) AS table_name, CAST(a.attname AS TEXT) AS column_name, CAST(rf.relname AS TEXT) AS ref_table \
         FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class rf ON rf.oid = k.confrelid \
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
         WHERE k.contype = 'f' AND cl.relnamespace = 'public'::regnamespace ORDER BY 1, 2",
    )
    .fetch_all(&mut *c)
    .await?;
    for r in &fks {
        let (t, col, parent): (String, String, String) = (r.try_get("table_name")?, r.try_get("column_name")?, r.try_get("ref_table")?);
        if let Some(table) = tables.get_mut(&t) {
            table.refs.push((col, parent));
        }
    }
    Ok(tables.into_values().collect())
}

/// Tables parents first, and the (table, column) references that close a cycle (filled in
/// after every table is copied).
fn order(tables: &[Table]) -> (Vec<&Table>, BTreeSet<(String, String)>) {
    fn visit<'a>(t: &'a Table, all: &'a [Table], done: &mut BTreeSet<String>, path: &mut Vec<String>, out: &mut Vec<&'a Table>, later: &mut BTreeSet<(String, String)>) {
        if done.contains(&t.name) {
            return;
        }
        path.push(t.name.clone());
        for (col, parent) in &t.refs {
            if path.contains(parent) {
                later.insert((t.name.clone(), col.clone()));
            } else if let Some(p) = all.iter().find(|x| &x.name == parent) {
                visit(p, all, done, path, out, later);
            }
        }
        path.pop();
        done.insert(t.name.clone());
        out.push(t);
    }
    let (mut done, mut out, mut later) = (BTreeSet::new(), Vec::new(), BTreeSet::new());
    for t in tables {
        visit(t, tables, &mut done, &mut Vec::new(), &mut out, &mut later);
    }
    (out, later)
}

async fn count(c: &mut AnyConnection, table: &str) -> Result<i64> {
    Ok(sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&mut *c).await?.try_get("n")?)
}

/// How many rows a batch reads and writes.
const BATCH: i64 = 500;

/// Copies every row of `from` (SQLite) into `to` (PostgreSQL, freshly migrated and empty),
/// then the media blobs; `progress(table, done, total)` as it goes. Returns each table's
/// counts; the caller checks them (and [`crate::backup::verify`] the blobs and the chain).
pub async fn copy_all(from: &Store, to: &Store, mut progress: impl FnMut(&str, u64, u64)) -> Result<Vec<Copied>> {
    if from.backend() != Backend::Sqlite || to.backend() != Backend::Postgres {
        return Err(StoreError::Conflict("迁移只支持从 SQLite 到 PostgreSQL".into()));
    }
    let tables = {
        let mut c = to.conn().await?;
        schema(&mut c).await?
    };
    {
        let mut c = to.conn().await?;
        for t in &tables {
            if count(&mut c, &t.name).await? > 0 {
                return Err(StoreError::Conflict(format!("目标数据库的表 {} 已有数据：迁移只写入新建的空数据库", t.name)));
            }
        }
    }
    let (ordered, later) = order(&tables);
    let mut fill_in: Vec<(String, String, i64, i64)> = Vec::new();
    let mut src = from.conn().await?;
    let mut report = Vec::new();
    for t in ordered {
        let total = count(&mut src, &t.name).await?;
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        let select = format!("SELECT rowid AS yx_rowid, {} FROM {} WHERE rowid > $1 ORDER BY rowid LIMIT {BATCH}", names.join(", "), t.name);
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let insert = format!("INSERT INTO {} ({}) VALUES ({})", t.name, names.join(", "), placeholders.join(", "));
        let (mut after, mut done) = (0i64, 0u64);
        loop {
            let rows = sqlx::query(&select).bind(after).fetch_all(&mut *src).await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("yx_rowid")?;
            let mut tx = to.begin().await?;
            for r in &rows {
                let mut q = sqlx::query(&insert);
                for col in &t.columns {
                    let deferred = later.contains(&(t.name.clone(), col.name.clone()));
                    if col.integer {
                        let v: Option<i64> = r.try_get(col.name.as_str())?;
                        if deferred {
                            if let Some(v) = v {
                                let id: i64 = r.try_get("id")?;
                                fill_in.push((t.name.clone(), col.name.clone(), id, v));
                            }
                            q = q.bind(None::<i64>);
                        } else {
                            q = q.bind(v);
                        }
                    } else {
                        q = q.bind(r.try_get::<Option<String>, _>(col.name.as_str())?);
                    }
                }
                q.execute(tx.conn()).await?;
            }
            tx.commit().await?;
            done += rows.len() as u64;
            progress(&t.name, done, total as u64);
        }
        report.push(Copied { table: t.name.clone(), source: total, target: 0 });
    }
    drop(src);
    let mut tx = to.begin().await?;
    for (table, col, id, v) in &fill_in {
        sqlx::query(&format!("UPDATE {table} SET {col} = $1 WHERE id = $2")).bind(v).bind(id).execute(tx.conn()).await?;
    }
    // New rows on PostgreSQL continue after the copied ids.
    for t in &tables {
        if t.columns.iter().any(|c| c.name == "id") {
            sqlx::query(&format!("SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 1), (SELECT MAX(id) FROM {0}) IS NOT NULL)", t.name)).fetch_one(tx.conn()).await?;
        }
    }
    tx.commit().await?;
    let mut c = to.conn().await?;
    for r in &mut report {
        r.target = count(&mut c, &r.table).await?;
    }
    drop(c);
    // The blobs, when the target keeps them elsewhere; put where they were.
    if from.media.location() != to.media.location() {
        let keys: Vec<String> = {
            let mut c = from.conn().await?;
            sqlx::query("SELECT storage_key FROM media ORDER BY id").fetch_all(&mut *c).await?.iter().map(|r| r.try_get("storage_key")).collect::<std::result::Result<_, _>>()?
        };
        for (i, key) in keys.iter().enumerate() {
            let bytes = from.media.get(key).await?;
            to.media.put_at(key, &bytes).await?;
            progress("media", i as u64 + 1, keys.len() as u64);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, refs: &[(&str, &str)]) -> Table {
        Table { name: name.into(), columns: Vec::new(), refs: refs.iter().map(|(c, p)| (c.to_string(), p.to_string())).collect() }
    }

    #[test]
    fn parents_come_first_and_a_cycle_is_closed_later() {
        let tables = vec![
            table("articles", &[("manuscript_id", "manuscripts")]),
            table("departments", &[("site_id", "sites"), ("grid_id", "grids")]),
            table("grids", &[("liaison_id", "users")]),
            table("manuscripts", &[("author_id", "users"), ("department_id", "departments")]),
            table("sites", &[]),
            table("users", &[("department_id", "departments"), ("site_id", "sites")]),
        ];
        let (ordered, later) = order(&tables);
        let names: Vec<&str> = ordered.iter().map(|t| t.name.as_str()).collect();
        let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
        assert_eq!(names.len(), 6);
        assert!(at("sites") < at("departments") && at("manuscripts") < at("articles") && at("users") < at("manuscripts"), "{names:?}");
        assert_eq!(later.len(), 1, "one reference closes the cycle: {later:?}");
        let (t, c) = later.iter().next().unwrap();
        // Whichever it is, its table comes before the table it refers to.
        let parent = &tables.iter().find(|x| &x.name == t).unwrap().refs.iter().find(|(col, _)| col == c).unwrap().1;
        assert!(at(t) < at(parent), "{t}.{c} → {parent} in {names:?}");
    }
}
