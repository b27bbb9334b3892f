//! The audit log: every state change recorded, chained, readable by auditors, unchangeable.

use serde_json::json;
use yuanxun_store::audit::{verify, Verdict};

use crate::helpers::{approved_story, spawn_app};

#[tokio::test]
async fn every_change_is_audited_and_tampering_is_caught() {
    let mut app = spawn_app().await;
    let id = approved_story(&app, "corr_a", "审计测试稿件").await;
    app.api("editor").await.post(&format!("/manuscripts/{id}/publish"), json!({})).await;
    let auditor = app.web("auditor").await;
    let (s, html) = auditor.get("/admin/audit?action=review_approve").await;
    assert_eq!(s, 200);
    assert_eq!(html.matches("<td>review_approve</td>").count(), 3, "three approvals logged");
    assert!(html.contains("赵总编（chief）") && html.contains("127.0.0.1"));
    let (_, html) = auditor.get("/admin/audit?actor=陈骨科").await;
    assert!(html.contains("manuscript_create") && html.contains("manuscript_submit") && !html.contains("<td>review_approve</td>"));
    // Nobody edits it through the UI: there is no such route, and the API has none either.
    assert_eq!(auditor.form("/admin/audit", &[("id", "1")]).await.0, 405);
    assert_eq!(app.web("editor").await.get("/admin/audit").await.0, 403);

    let store = app.running.as_ref().unwrap().state.store.clone();
    let rows = {
        let mut c = store.conn().await.unwrap();
        match verify(&mut c).await.unwrap() {
            Verdict::Intact { rows } => rows,
            other => panic!("fresh log broken: {other:?}"),
        }
    };
    assert!(rows >= 12, "{rows} rows");
    app.stop().await;

    // Someone with the database file rewrites history: the triggers stop a plain UPDATE,
    // so they drop them first.
    let db = app.data().join("yuanxun.db");
    let url = format!("sqlite://{}", db.display());
    let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
    let refused = sqlx::query("UPDATE audit_log SET detail = 'x' WHERE seq = 3").execute(&mut c).await;
    assert!(refused.is_err(), "the database refuses to change the log");
    sqlx::query("DROP TRIGGER audit_log_no_update").execute(&mut c).await.unwrap();
    sqlx::query("UPDATE audit_log SET detail = '无害的修改' WHERE site_id = 1 AND seq = 5").execute(&mut c).await.unwrap();
    drop(c);
    let store = yuanxun_store::Store::open_dir(app.data()).await.unwrap();
    let mut c = store.conn().await.unwrap();
    match verify(&mut c).await.unwrap() {
        Verdict::Broken { seq, reason, .. } => {
            assert_eq!(seq, 5);
            assert!(reason.contains("本条被修改"), "{reason}");
        }
        other => panic!("tampering not caught: {other:?}"),
    }
}
