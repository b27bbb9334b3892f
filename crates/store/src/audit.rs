//! The append-only audit log, each row chained to the one before it by SHA-256.
//!
//! `hash = SHA-256(prev_hash ␟ site_id ␟ seq ␟ at ␟ actor_id ␟ actor_name ␟ action ␟
//! object_type ␟ object_id ␟ detail ␟ ip)` in hex; the first row of a site chains to 64 zeros.
//! Changing, deleting or reordering any row breaks the chain at that row, which [`verify`]
//! reports. The database also refuses UPDATE and DELETE on the table (triggers).

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use yuanxun_core::clock;

use crate::{models, AuditEntry, Result};

/// The hash the first row of every site chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did what to which object, from where.
#[derive(Debug, Clone, Default)]
pub struct NewEntry<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: String,
    pub detail: String,
    pub ip: &'a str,
}

#[allow(clippy::too_many_arguments)]
fn chain_hash(prev: &str, site_id: i64, seq: i64, at: i64, actor_id: Option<i64>, actor_name: &str, action: &str, object_type: &str, object_id: &str, detail: &str, ip: &str) -> String {
    let actor = actor_id.map(|i| i.to_string()).unwrap_or_default();
    let parts = [prev, &site_id.to_string(), &seq.to_string(), &at.to_string(), &actor, actor_name, action, object_type, object_id, detail, ip];
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0x1f]);
        }
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends a row. Call inside the write transaction of the change it records, so that the
/// change and its record commit together.
pub async fn append(c: &mut AnyConnection, site_id: i64, e: &NewEntry<'_>) -> Result<()> {
    let last = sqlx::query("SELECT seq, hash FROM audit_log WHERE site_id = $1 ORDER BY seq DESC LIMIT 1")
        .bind(site_id).fetch_optional(&mut *c).await?;
    let (seq, prev) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")? + 1, r.try_get::<String, _>("hash")?),
        None => (1, GENESIS.to_string()),
    };
    let at = clock::now();
    let hash = chain_hash(&prev, site_id, seq, at, e.actor_id, e.actor_name, e.action, e.object_type, &e.object_id, &e.detail, e.ip);
    sqlx::query("INSERT INTO audit_log (site_id, seq, at, actor_id, actor_name, action, object_type, object_id, detail, ip, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(site_id).bind(seq).bind(at).bind(e.actor_id).bind(e.actor_name).bind(e.action)
        .bind(e.object_type).bind(&e.object_id).bind(&e.detail).bind(e.ip).bind(&prev).bind(&hash)
        .execute(&mut *c).await?;
    Ok(())
}

/// Filters for reading the log.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Query {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

const COLS: &str = "id, site_id, seq, at, actor_id, actor_name, action, object_type, object_id, detail, ip, prev_hash, hash";

/// The newest rows matching the filters.
pub async fn list(c: &mut AnyConnection, site_id: i64, q: &Query, limit: i64) -> Result<Vec<AuditEntry>> {
    let mut sql = format!("SELECT {COLS} FROM audit_log WHERE site_id = $1");
    let mut n = 1;
    let mut texts: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = Vec::new();
    // Text filters first, then integer filters, so binds follow placeholder order.
    for (col, val) in [("actor_name", &q.actor), ("action", &q.action), ("object_type", &q.object_type)] {
        if let Some(v) = val.as_deref().filter(|v| !v.is_empty()) {
            n += 1;
            sql.push_str(&format!(" AND {col} LIKE ${n}"));
            texts.push(format!("%{v}%"));
        }
    }
    for (op, val) in [(">=", q.from), ("<", q.to)] {
        if let Some(v) = val {
            n += 1;
            sql.push_str(&format!(" AND at {op} ${n}"));
            ints.push(v);
        }
    }
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT ${}", n + 1));
    let mut query = sqlx::query(&sql).bind(site_id);
    for t in texts {
        query = query.bind(t);
    }
    for i in ints {
        query = query.bind(i);
    }
    let rows = query.bind(limit).fetch_all(&mut *c).await?;
    rows.iter().map(models::audit_entry).collect()
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every row of every site chains correctly; the number of rows checked.
    Intact { rows: i64 },
    /// The first row whose stored values do not chain.
    Broken { site_id: i64, seq: i64, id: i64, reason: String },
}

/// Recomputes the chain of every site and reports the first broken link.
pub async fn verify(c: &mut AnyConnection) -> Result<Verdict> {
    let sites = sqlx::query("SELECT DISTINCT site_id FROM audit_log ORDER BY site_id").fetch_all(&mut *c).await?;
    let mut rows_checked = 0;
    for s in sites {
        let site_id: i64 = s.try_get("site_id")?;
        let sql = format!("SELECT {COLS} FROM audit_log WHERE site_id = $1 ORDER BY seq");
        let rows = sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?;
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        for r in &rows {
            let e = models::audit_entry(r)?;
            let broken = |reason: &str| Verdict::Broken { site_id, seq: e.seq, id: e.id, reason: reason.to_string() };
            if e.seq != expected_seq {
                return Ok(broken(&format!("序号不连续：应为 {expected_seq}（有记录被删除）")));
            }
            if e.prev_hash != prev {
                return Ok(broken("前一条记录的哈希不符（前一条被修改或删除）"));
            }
            let h = chain_hash(&prev, site_id, e.seq, e.at, e.actor_id, &e.actor_name, &e.action, &e.object_type, &e.object_id, &e.detail, &e.ip);
            if h != e.hash {
                return Ok(broken("本条记录的内容与哈希不符（本条被修改）"));
            }
            prev = e.hash;
            expected_seq += 1;
            rows_checked += 1;
        }
    }
    Ok(Verdict::Intact { rows: rows_checked })
}
