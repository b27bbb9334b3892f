//! The store's behaviour, run once per backend: always against a fresh SQLite file, and
//! against PostgreSQL at `YUANXUN_TEST_POSTGRES_URL` (default
//! `postgres://postgres:postgres@127.0.0.1/postgres`, the server `scripts/test` starts). Each test
//! creates its own PostgreSQL database and drops it afterwards. A missing PostgreSQL server
//! fails the run: `scripts/test` installs and starts one.

use std::future::Future;

use sqlx::{Connection, Executor};
use yuanxun_core::{Role, Status};
use yuanxun_store::{articles, audit, changes, manuscripts, outlets, points, sites, users, work, Backend, Store, StoreError};

/// A store on one backend with its cleanup.
struct TestDb {
    store: Store,
    _dir: tempfile::TempDir,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    async fn cleanup(self) {
        self.store.close().await;
        if let Some((admin_url, name)) = self.drop_pg {
            let mut c = sqlx::AnyConnection::connect(&admin_url).await.expect("reconnect to drop");
            // FORCE: a pooled connection may still be closing in the background.
            c.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.expect("drop test database");
        }
    }
}

fn pg_admin_url() -> String {
    std::env::var("YUANXUN_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1/postgres".into())
}

async fn sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).await.expect("open sqlite store");
    assert_eq!(store.backend(), Backend::Sqlite);
    TestDb { store, _dir: dir, drop_pg: None }
}

async fn postgres_db() -> TestDb {
    sqlx::any::install_default_drivers();
    let admin = pg_admin_url();
    let mut c = sqlx::AnyConnection::connect(&admin).await.unwrap_or_else(|e| panic!("PostgreSQL at {admin} is required: {e} (scripts/test installs and starts it)"));
    let name = format!("yx_store_{}", rand::random::<u32>());
    c.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
    c.close().await.ok();
    let url = match admin.rfind('/') {
        Some(i) => format!("{}/{name}", &admin[..i]),
        None => panic!("bad PostgreSQL URL {admin}"),
    };
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&url, dir.path().join("media")).await.expect("open postgres store");
    assert_eq!(store.backend(), Backend::Postgres);
    TestDb { store, _dir: dir, drop_pg: Some((admin, name)) }
}

/// Runs `body` against both backends.
async fn on_every_backend<F, Fut>(body: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = sqlite_db().await;
    body(db.store.clone()).await;
    db.cleanup().await;
    let db = postgres_db().await;
    body(db.store.clone()).await;
    db.cleanup().await;
}

/// A site with a department, a channel, a correspondent and a reviewer.
struct Fixture {
    site: i64,
    dept: i64,
    channel: i64,
    author: i64,
    reviewer: i64,
}

async fn fixture(store: &Store) -> Fixture {
    let mut tx = store.begin().await.unwrap();
    let c = tx.conn();
    let site = sites::create_site(c, "t", "测试医院", "").await.unwrap();
    let dept = sites::create_department(c, site.id, "骨科").await.unwrap();
    let channel = sites::create_channel(c, site.id, "news", "医院要闻", 3, 1).await.unwrap();
    let user = |name: &'static str, role| users::NewUser { username: name, display_name: name, password_hash: "x", role, department_id: Some(dept.id), review_level: None };
    let author = users::create(c, site.id, &user("corr", Role::Correspondent)).await.unwrap();
    let reviewer = users::create(c, site.id, &user("rev", Role::Reviewer)).await.unwrap();
    tx.commit().await.unwrap();
    Fixture { site: site.id, dept: dept.id, channel: channel.id, author: author.id, reviewer: reviewer.id }
}

fn content(title: &str) -> manuscripts::Content {
    manuscripts::Content { title: title.into(), body_html: "<p>正文</p>".into(), ..Default::default() }
}

#[tokio::test]
async fn every_table_carries_site_id_and_names_are_unique_per_site() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let err = sites::create_department(tx.conn(), f.site, "骨科").await.unwrap_err();
        assert!(err.is_unique_violation(), "{err}");
        drop(tx);
        // A second hospital may reuse the names.
        let mut tx = store.begin().await.unwrap();
        let other = sites::create_site(tx.conn(), "u", "另一家医院", "").await.unwrap();
        sites::create_department(tx.conn(), other.id, "骨科").await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        assert_eq!(sites::list_departments(&mut c, f.site).await.unwrap().len(), 1);
        assert_eq!(sites::list_departments(&mut c, other.id).await.unwrap().len(), 1);
        assert!(matches!(sites::get_department(&mut c, other.id, f.dept).await, Err(StoreError::NotFound)));
        assert_eq!(sites::channel_by_slug(&mut c, f.site, "news").await.unwrap().name, "医院要闻");
    })
    .await;
}

#[tokio::test]
async fn a_dropped_transaction_writes_nothing() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        {
            let mut tx = store.begin().await.unwrap();
            manuscripts::create(tx.conn(), f.site, f.author, f.dept, f.channel, &content("半途而废")).await.unwrap();
            // dropped without commit, as when a later step of a service fails
        }
        let mut c = store.conn().await.unwrap();
        assert_eq!(manuscripts::count(&mut c, f.site, manuscripts::Table::Manuscripts).await.unwrap(), 0);
        assert_eq!(manuscripts::count(&mut c, f.site, manuscripts::Table::Revisions).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn revisions_and_status_refuse_stale_writers() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let m = manuscripts::create(tx.conn(), f.site, f.author, f.dept, f.channel, &content("初稿")).await.unwrap();
        let n = manuscripts::save_revision(tx.conn(), &m, &content("二稿"), "", f.channel, f.author, Status::Submitted { of: 3 }, "").await.unwrap();
        assert_eq!(n, 2);
        // The same (now stale) manuscript saved again is a conflict, not a lost update.
        let err = manuscripts::save_revision(tx.conn(), &m, &content("旧页面的稿"), "", f.channel, f.author, Status::Draft, "").await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        let m = manuscripts::get(tx.conn(), f.site, m.id).await.unwrap();
        assert_eq!((m.title.as_str(), m.revision, m.status), ("二稿", 2, Status::Submitted { of: 3 }));
        manuscripts::set_status(tx.conn(), &m, Status::InReview { level: 2, of: 3 }).await.unwrap();
        assert!(matches!(manuscripts::set_status(tx.conn(), &m, Status::Rejected).await, Err(StoreError::Conflict(_))));
        manuscripts::add_decision(tx.conn(), f.site, m.id, &manuscripts::NewDecision { revision: 2, level: 1, levels: 3, action: "approve", comment: "好", user_id: f.reviewer, round: 1 }).await.unwrap();
        tx.commit().await.unwrap();

        let mut c = store.conn().await.unwrap();
        let revs = manuscripts::revisions(&mut c, f.site, m.id).await.unwrap();
        assert_eq!(revs.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["初稿", "二稿"]);
        assert_eq!(manuscripts::revision(&mut c, f.site, m.id, 1).await.unwrap().title, "初稿");
        let d = manuscripts::decisions(&mut c, f.site, m.id).await.unwrap();
        assert_eq!((d.len(), d[0].user_name.as_str(), d[0].revision), (1, "rev", 2));
        let queue = manuscripts::list(&mut c, f.site, manuscripts::Filter::Level(2), 50).await.unwrap();
        assert_eq!(queue.iter().map(|s| s.id).collect::<Vec<_>>(), [m.id]);
        assert!(manuscripts::list(&mut c, f.site, manuscripts::Filter::Level(1), 50).await.unwrap().is_empty());
        assert_eq!(manuscripts::list(&mut c, f.site, manuscripts::Filter::Author(f.author), 50).await.unwrap().len(), 1);
        assert!(manuscripts::list(&mut c, f.site, manuscripts::Filter::Author(f.reviewer), 50).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn schedules_survive_in_the_database_and_only_approved_ones_fall_due() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let a = manuscripts::create(tx.conn(), f.site, f.author, f.dept, f.channel, &content("已通过")).await.unwrap();
        manuscripts::set_status(tx.conn(), &a, Status::Approved).await.unwrap();
        manuscripts::set_schedule(tx.conn(), f.site, a.id, Some(1_000)).await.unwrap();
        let b = manuscripts::create(tx.conn(), f.site, f.author, f.dept, f.channel, &content("草稿")).await.unwrap();
        manuscripts::set_schedule(tx.conn(), f.site, b.id, Some(1_000)).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        assert!(manuscripts::due_for_publishing(&mut c, 999).await.unwrap().is_empty());
        assert_eq!(manuscripts::due_for_publishing(&mut c, 1_000).await.unwrap(), [(f.site, a.id)]);
    })
    .await;
}

#[tokio::test]
async fn articles_list_count_views_and_retract() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let mut ids = Vec::new();
        for i in 0..3 {
            let m = manuscripts::create(tx.conn(), f.site, f.author, f.dept, f.channel, &content(&format!("稿{i}"))).await.unwrap();
            let a = articles::NewArticle { manuscript_id: m.id, channel_id: f.channel, title: &m.title, subtitle: "", authors: "张三", photographers: "", body_html: "<p>正文</p>", source: "骨科", editor: "编辑", responsible_editor: "主编", cover_media_id: None, published_at: 100 + i };
            ids.push(articles::publish(tx.conn(), f.site, &a).await.unwrap());
            if i == 0 {
                tx.commit().await.unwrap();
                // A manuscript is published once. (On PostgreSQL a refused statement aborts
                // its transaction, so services never continue a transaction after an error.)
                let mut again = store.begin().await.unwrap();
                let err = articles::publish(again.conn(), f.site, &a).await.unwrap_err();
                assert!(err.is_unique_violation(), "{err}");
                drop(again);
                tx = store.begin().await.unwrap();
            }
        }
        articles::add_views(tx.conn(), f.site, ids[0], 7).await.unwrap();
        articles::retract(tx.conn(), f.site, ids[1], "信息有误").await.unwrap();
        assert!(matches!(articles::retract(tx.conn(), f.site, ids[1], "再撤").await, Err(StoreError::Conflict(_))));
        tx.commit().await.unwrap();

        let mut c = store.conn().await.unwrap();
        let live = articles::list(&mut c, f.site, Some(f.channel), 0, 10).await.unwrap();
        assert_eq!(live.iter().map(|a| a.id).collect::<Vec<_>>(), [ids[2], ids[0]], "newest first, retracted dropped");
        assert_eq!(articles::list(&mut c, f.site, None, 1, 10).await.unwrap().len(), 1, "offset");
        assert_eq!(articles::count_live(&mut c, f.site, None).await.unwrap(), 2);
        let first = articles::get(&mut c, f.site, ids[0]).await.unwrap();
        assert_eq!((first.view_count, first.channel_name.as_str()), (7, "医院要闻"));
        let gone = articles::get(&mut c, f.site, ids[1]).await.unwrap();
        assert!(gone.retracted);
        assert_eq!(gone.retract_reason, "信息有误");
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_and_end_with_the_user() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let far = yuanxun_core::clock::now() + 3600;
        users::create_session(tx.conn(), f.site, f.author, "live", "csrf1", far).await.unwrap();
        users::create_session(tx.conn(), f.site, f.author, "old", "csrf2", 1).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        let s = users::session(&mut c, f.site, "live", 7200).await.unwrap().expect("live session");
        assert_eq!((s.user.id, s.csrf_token.as_str()), (f.author, "csrf1"));
        assert!(users::session(&mut c, f.site, "old", 7200).await.unwrap().is_none(), "expired");
        // Idle: unused for longer than the idle limit, it no longer counts.
        sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 7300").execute(&mut *c).await.unwrap();
        assert!(users::session(&mut c, f.site, "live", 7200).await.unwrap().is_none(), "idle for over two hours");
        assert!(users::session(&mut c, f.site, "live", 3 * 3600).await.unwrap().is_some(), "within a longer idle limit");
        let touched: i64 = sqlx::Row::try_get(&sqlx::query("SELECT last_seen_at FROM sessions WHERE token_hash = 'live'").fetch_one(&mut *c).await.unwrap(), 0).unwrap();
        assert!(touched >= yuanxun_core::clock::now() - 5, "a use moves the idle clock on");
        drop(c);
        let mut tx = store.begin().await.unwrap();
        let t = users::throttle_failure(tx.conn(), f.site, "author", "10.0.0.1", |n| if n >= 2 { 99 } else { 0 }).await.unwrap();
        assert_eq!(t, users::Throttle { failures: 1, locked_until: 0 });
        let t = users::throttle_failure(tx.conn(), f.site, "author", "10.0.0.1", |n| if n >= 2 { 99 } else { 0 }).await.unwrap();
        assert_eq!(t, users::Throttle { failures: 2, locked_until: 99 }, "counted per name and address, on both engines");
        assert_eq!(users::throttle(tx.conn(), f.site, "author", "10.0.0.2").await.unwrap(), users::Throttle::default(), "another address is not");
        assert_eq!(users::unlock(tx.conn(), f.site, "author").await.unwrap(), 1);
        users::delete_user_sessions(tx.conn(), f.site, f.author).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        assert!(users::session(&mut c, f.site, "live", 7200).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_refuses_changes_and_its_chain_catches_tampering() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        for i in 0..4 {
            let e = audit::NewEntry { actor_id: Some(f.author), actor_name: "corr", action: "manuscript.create", object_type: "manuscript", object_id: i.to_string(), detail: format!("第{i}条"), ip: "127.0.0.1" };
            audit::append(tx.conn(), f.site, &e).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        assert_eq!(audit::verify(&mut c).await.unwrap(), audit::Verdict::Intact { rows: 4 });
        let q = audit::Query { action: Some("manuscript.create".into()), ..Default::default() };
        assert_eq!(audit::list(&mut c, f.site, &q, 10).await.unwrap().len(), 4);

        // The database itself refuses edits and deletions.
        assert!(c.execute("UPDATE audit_log SET detail = '改过' WHERE seq = 2").await.is_err());
        assert!(c.execute("DELETE FROM audit_log WHERE seq = 2").await.is_err());

        // Someone with the database file removes the guard and edits a row: the chain shows where.
        let unguard = match store.backend() {
            Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        c.execute(unguard).await.unwrap();
        c.execute("UPDATE audit_log SET detail = '改过' WHERE seq = 3").await.unwrap();
        match audit::verify(&mut c).await.unwrap() {
            audit::Verdict::Broken { seq, .. } => assert_eq!(seq, 3),
            v => panic!("tampering not caught: {v:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn site_lexicons_dismissals_and_reports_per_site() {
    use yuanxun_store::checks::{self, LexiconItem, StoredReport};
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let c = tx.conn();
        assert_eq!(checks::revision(c, f.site).await.unwrap(), 0);
        let typo = LexiconItem { list: "entry".into(), category: "typo".into(), term: "东院区".into(), suggestion: "东院".into(), severity: "warn".into(), ..Default::default() };
        assert_eq!(checks::save_item(c, f.site, &typo, f.reviewer).await.unwrap(), 1, "every change moves the revision");
        assert_eq!(checks::save_item(c, f.site, &LexiconItem { list: "allow".into(), term: "再接再励".into(), ..Default::default() }, f.reviewer).await.unwrap(), 2);
        assert_eq!(checks::save_leader(c, f.site, 0, "张建华", &["党委书记".to_string(), "院长".to_string()], 1).await.unwrap(), 3);
        tx.commit().await.unwrap();

        // The same term twice in one list is a conflict, and the revision does not move.
        let mut tx = store.begin().await.unwrap();
        let err = checks::save_item(tx.conn(), f.site, &typo, f.reviewer).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        drop(tx);

        let mut c = store.conn().await.unwrap();
        let rows = checks::load(&mut c, f.site).await.unwrap();
        assert_eq!(rows.revision, 3);
        assert_eq!(rows.items.len(), 2);
        assert_eq!(rows.leaders[0].titles, ["党委书记", "院长"]);
        let id = rows.items.iter().find(|i| i.list == "entry").unwrap().id;
        drop(c);

        // Another site sees none of it and cannot delete it.
        let mut tx = store.begin().await.unwrap();
        let other = sites::create_site(tx.conn(), "u", "另一家医院", "").await.unwrap();
        assert!(checks::load(tx.conn(), other.id).await.unwrap().items.is_empty());
        assert!(matches!(checks::delete_item(tx.conn(), other.id, id).await, Err(StoreError::NotFound)));
        assert_eq!(checks::delete_item(tx.conn(), f.site, id).await.unwrap(), 4);
        tx.commit().await.unwrap();

        // Dismissals: once per key and manuscript, with who and why; taken back on request.
        let mut tx = store.begin().await.unwrap();
        let m = manuscripts::create(tx.conn(), f.site, f.author, f.dept, f.channel, &content("义诊")).await.unwrap();
        checks::dismiss(tx.conn(), f.site, m.id, "typo.lexicon:再接再励", "引用原文", f.reviewer).await.unwrap();
        tx.commit().await.unwrap();
        // (A refused statement aborts a PostgreSQL transaction: try the repeat in its own.)
        let mut tx = store.begin().await.unwrap();
        assert!(matches!(checks::dismiss(tx.conn(), f.site, m.id, "typo.lexicon:再接再励", "又一次", f.reviewer).await, Err(StoreError::Conflict(_))));
        drop(tx);
        let mut c = store.conn().await.unwrap();
        let d = checks::dismissals(&mut c, f.site, m.id).await.unwrap();
        assert_eq!((d.len(), d[0].reason.as_str(), d[0].user_name.as_str()), (1, "引用原文", "rev"));
        drop(c);

        // Reports: one per revision, replaced when the check runs again; lists show the counts.
        let mut tx = store.begin().await.unwrap();
        let r = |block, version: &str| StoredReport { revision: 1, lexicon_version: version.into(), block, warn: 2, info: 0, report: "{}".into(), created_at: 1 };
        checks::save_report(tx.conn(), f.site, m.id, &r(1, "v+site.3")).await.unwrap();
        checks::save_report(tx.conn(), f.site, m.id, &r(0, "v+site.4")).await.unwrap();
        checks::undismiss(tx.conn(), f.site, m.id, "typo.lexicon:再接再励").await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        let stored = checks::report(&mut c, f.site, m.id, 1).await.unwrap().unwrap();
        assert_eq!((stored.block, stored.lexicon_version.as_str()), (0, "v+site.4"));
        assert!(checks::report(&mut c, f.site, m.id, 2).await.unwrap().is_none());
        let list = manuscripts::list(&mut c, f.site, manuscripts::Filter::All, 10).await.unwrap();
        assert_eq!((list[0].check_block, list[0].check_warn), (Some(0), Some(2)));
        assert!(checks::dismissals(&mut c, f.site, m.id).await.unwrap().is_empty());
    })
    .await;
}

/// Outlets and distributions, on both engines: the batch walk of the export, a channel flag,
/// the register with its owner, one record per article and outlet, and the demo's redating.
#[tokio::test]
async fn outlets_channels_and_batched_article_reads() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        sites::set_channel_photo(tx.conn(), f.site, f.channel, true).await.unwrap();
        let mut ids = Vec::new();
        let mut manuscripts_ = Vec::new();
        for i in 0..5 {
            let m = manuscripts::create(tx.conn(), f.site, f.author, f.dept, f.channel, &content(&format!("稿{i}"))).await.unwrap();
            let a = articles::NewArticle { manuscript_id: m.id, channel_id: f.channel, title: &m.title, subtitle: "", authors: "张三", photographers: "", body_html: "<p>正文</p>", source: "骨科", editor: "编辑", responsible_editor: "主编", cover_media_id: None, published_at: 100 + i / 2 };
            ids.push(articles::publish(tx.conn(), f.site, &a).await.unwrap());
            manuscripts_.push(m.id);
        }
        let fields = |kind, name, level| outlets::OutletFields { kind, name, url: "", department_id: Some(f.dept), owner_id: Some(f.author), owner_name: "corr", level, status: "active", review_every_days: 30 };
        let wechat = outlets::create(tx.conn(), f.site, &fields("wechat", "微信公众号", "internal"), 1).await.unwrap();
        let paper = outlets::create(tx.conn(), f.site, &fields("outside_media", "健康报", "national"), 1).await.unwrap();
        let d = |level, adoption| outlets::DistributionFields { level, distributed_on: "2026-03-05", url: "", adoption, clipping_media_id: None, note: "" };
        outlets::distribute(tx.conn(), f.site, ids[0], wechat, &d("internal", "adopted"), Some(f.author), 2).await.unwrap();
        let sent = outlets::distribute(tx.conn(), f.site, ids[0], paper, &d("national", "pending"), None, 2).await.unwrap();
        outlets::set_reviewed(tx.conn(), f.site, paper, "2026-03-01").await.unwrap();
        tx.commit().await.unwrap();

        let mut c = store.conn().await.unwrap();
        assert!(sites::get_channel(&mut c, f.site, f.channel).await.unwrap().photo);
        // Newest first in pages of two, ties broken by id, each page after the last one's key.
        let mut walked = Vec::new();
        let mut before = None;
        loop {
            let page = articles::list_before(&mut c, f.site, Some(f.channel), before, 2).await.unwrap();
            let Some(last) = page.last() else { break };
            before = Some((last.published_at, last.id));
            walked.extend(page.iter().map(|a| a.id));
        }
        assert_eq!(walked, [ids[4], ids[3], ids[2], ids[1], ids[0]]);
        let key = (walked_key(&mut c, f.site, ids[3]).await, ids[3]);
        let site_wide = articles::list_before(&mut c, f.site, None, Some(key), 10).await.unwrap();
        assert_eq!(site_wide.iter().map(|a| a.id).collect::<Vec<_>>(), [ids[2], ids[1], ids[0]], "the whole site walked from a key");
        assert_eq!(manuscripts::media_of_many(&mut c, f.site, &manuscripts_).await.unwrap().len(), 0);
        assert!(manuscripts::media_of_many(&mut c, f.site, &[]).await.unwrap().is_empty());

        let list = outlets::list(&mut c, f.site).await.unwrap();
        assert_eq!(list.iter().map(|o| (o.name.as_str(), o.department_name.as_deref())).collect::<Vec<_>>(), [("健康报", Some("骨科")), ("微信公众号", Some("骨科"))]);
        assert_eq!(outlets::get(&mut c, f.site, paper).await.unwrap().last_reviewed_on.as_deref(), Some("2026-03-01"));
        assert_eq!(outlets::first_of_kind(&mut c, f.site, "wechat").await.unwrap().map(|o| o.id), Some(wechat));
        let mut counts = outlets::counts_by_outlet(&mut c, f.site).await.unwrap();
        counts.sort();
        assert_eq!(counts, [(wechat, 1), (paper, 1)]);
        drop(c);

        let mut tx = store.begin().await.unwrap();
        let again = outlets::distribute(tx.conn(), f.site, ids[0], paper, &d("national", "pending"), None, 3).await.unwrap_err();
        assert!(again.is_unique_violation(), "{again}");
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        outlets::update_distribution(tx.conn(), f.site, sent, &outlets::DistributionFields { url: "https://example.cn/a", ..d("national", "adopted") }).await.unwrap();
        outlets::redate(tx.conn(), f.site, ids[0], "wechat", "2026-03-09").await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        let dists = outlets::of_article(&mut c, f.site, ids[0]).await.unwrap();
        assert_eq!(dists.iter().map(|x| (x.outlet_name.as_str(), x.distributed_on.as_str(), x.adoption.as_str())).collect::<Vec<_>>(), [("健康报", "2026-03-05", "adopted"), ("微信公众号", "2026-03-09", "adopted")]);
    })
    .await;
}

/// Work entries on both engines: totals by kind are sums (a BIGINT on PostgreSQL, whose SUM
/// is otherwise NUMERIC) over a half-open range of days.
#[tokio::test]
async fn work_entries_total_by_kind_over_a_range() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        for (kind, quantity, on) in [("video", 2, "2026-01-01"), ("video", 3, "2026-06-30"), ("brochure", 100_000, "2026-03-05"), ("video", 9, "2026-07-01")] {
            let w = work::WorkFields { kind, title: "t", quantity, done_on: on, department_id: Some(f.dept), person_name: "", note: "" };
            work::create(tx.conn(), f.site, &w, Some(f.author), 1).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        let mut totals = work::totals(&mut c, f.site, "2026-01-01", "2026-07-01").await.unwrap();
        totals.sort();
        assert_eq!(totals, [("brochure".to_string(), 1, 100_000), ("video".to_string(), 2, 5)]);
        let listed = work::between(&mut c, f.site, "2026-01-01", "2026-07-01").await.unwrap();
        assert_eq!(listed.iter().map(|w| w.done_on.as_str()).collect::<Vec<_>>(), ["2026-06-30", "2026-03-05", "2026-01-01"]);
        assert_eq!(listed[0].department_name.as_deref(), Some("骨科"));
        drop(c);
        let mut tx = store.begin().await.unwrap();
        work::delete(tx.conn(), f.site, listed[0].id).await.unwrap();
        assert!(matches!(work::delete(tx.conn(), f.site, listed[0].id).await, Err(StoreError::NotFound)));
    })
    .await;
}

/// Grids on both engines: a department joins and leaves one; names are unique per site.
#[tokio::test]
async fn departments_join_and_leave_grids() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let g = sites::create_grid(tx.conn(), f.site, "外科网格", Some(f.reviewer)).await.unwrap();
        sites::set_department_grid(tx.conn(), f.site, f.dept, Some(g)).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        assert_eq!(sites::get_department(&mut c, f.site, f.dept).await.unwrap().grid_id, Some(g));
        let grids = sites::list_grids(&mut c, f.site).await.unwrap();
        assert_eq!((grids.len(), grids[0].liaison_name.as_deref()), (1, Some("rev")));
        drop(c);
        let mut tx = store.begin().await.unwrap();
        assert!(sites::create_grid(tx.conn(), f.site, "外科网格", None).await.unwrap_err().is_unique_violation());
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        sites::update_grid(tx.conn(), f.site, g, "大外科网格", None).await.unwrap();
        sites::set_department_grid(tx.conn(), f.site, f.dept, None).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        assert_eq!(sites::list_departments(&mut c, f.site).await.unwrap()[0].grid_id, None);
        assert_eq!(sites::get_grid(&mut c, f.site, g).await.unwrap().name, "大外科网格");
    })
    .await;
}

/// Points rules on both engines: added, listed in order, one per start date.
#[tokio::test]
async fn points_rules_are_added_never_replaced() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let rule = |points, valid_from| points::NewRule { outlet_kind: "wechat", level: "internal", contribution: "author", points, valid_from, created_by: Some(f.reviewer) };
        let mut tx = store.begin().await.unwrap();
        points::add_rule(tx.conn(), f.site, &rule(300, "2026-01-01"), 1).await.unwrap();
        points::add_rule(tx.conn(), f.site, &rule(200, "2025-01-01"), 1).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        assert!(points::add_rule(tx.conn(), f.site, &rule(250, "2025-01-01"), 2).await.unwrap_err().is_unique_violation());
        drop(tx);
        let mut c = store.conn().await.unwrap();
        let rules = points::rules(&mut c, f.site).await.unwrap();
        assert_eq!(rules.iter().map(|r| (r.valid_from.as_str(), r.points)).collect::<Vec<_>>(), [("2025-01-01", 200), ("2026-01-01", 300)]);
    })
    .await;
}

/// Points entries on both engines: totals per person and per department are exact sums
/// (BIGINT on PostgreSQL) over a half-open range of days, stories counted once per person;
/// a distribution's entries go with it, manual ones one by one; an entry's evidence photo is
/// bookkeeping media, and so is a clipping.
#[tokio::test]
async fn points_entries_total_per_person_and_department() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let paeds = sites::create_department(tx.conn(), f.site, "儿科").await.unwrap().id;
        let m = manuscripts::create(tx.conn(), f.site, f.author, f.dept, f.channel, &content("稿")).await.unwrap();
        let a = articles::NewArticle { manuscript_id: m.id, channel_id: f.channel, title: "稿", subtitle: "", authors: "corr、张三", photographers: "", body_html: "<p>正文</p>", source: "骨科", editor: "", responsible_editor: "", cover_media_id: None, published_at: 100 };
        let article = articles::publish(tx.conn(), f.site, &a).await.unwrap();
        let fields = outlets::OutletFields { kind: "outside_media", name: "健康报", url: "", department_id: None, owner_id: None, owner_name: "", level: "national", status: "active", review_every_days: 30 };
        let paper = outlets::create(tx.conn(), f.site, &fields, 1).await.unwrap();
        let d = outlets::DistributionFields { level: "national", distributed_on: "2026-03-05", url: "", adoption: "adopted", clipping_media_id: None, note: "" };
        let dist = outlets::distribute(tx.conn(), f.site, article, paper, &d, None, 1).await.unwrap();
        let photo = manuscripts::add_media(tx.conn(), f.site, &manuscripts::NewMedia { manuscript_id: None, kind: "image", file_name: "签到表.jpg", content_type: "image/jpeg", storage_key: "k", sha256: "x", size: 3, width: 1, height: 1, caption: "", photographer: "", created_by: f.reviewer }).await.unwrap();
        let entry = |on, name, user_id, department_id, pts, distribution_id: Option<i64>, evidence_media_id| points::NewEntry {
            earned_on: on,
            person_name: name,
            user_id,
            department_id,
            points: pts,
            contribution: if distribution_id.is_some() { "author" } else { "training" },
            title: "t",
            distribution_id,
            article_id: distribution_id.map(|_| article),
            rule_id: None,
            evidence: "",
            evidence_media_id,
            created_by: None,
        };
        points::add_entry(tx.conn(), f.site, &entry("2026-03-05", "corr", Some(f.author), Some(f.dept), 1000, Some(dist), None), 1).await.unwrap();
        points::add_entry(tx.conn(), f.site, &entry("2026-03-05", "张三", None, Some(f.dept), 1000, Some(dist), None), 1).await.unwrap();
        let manual = points::add_entry(tx.conn(), f.site, &entry("2026-03-31", "corr", Some(f.author), Some(f.dept), 250, None, Some(photo.id)), 1).await.unwrap();
        points::add_entry(tx.conn(), f.site, &entry("2026-03-10", "李四", None, Some(paeds), 1250, None, None), 1).await.unwrap();
        points::add_entry(tx.conn(), f.site, &entry("2026-04-01", "corr", Some(f.author), Some(f.dept), 9999, None, None), 1).await.unwrap();
        tx.commit().await.unwrap();

        let mut c = store.conn().await.unwrap();
        let people = points::totals_by_person(&mut c, f.site, "2026-03-01", "2026-04-01").await.unwrap();
        let got: Vec<_> = people.iter().map(|t| (t.person_name.as_str(), t.points, t.stories, t.manual)).collect();
        assert_eq!(got, [("corr", 1250, 1, 1), ("李四", 1250, 0, 1), ("张三", 1000, 1, 0)]);
        let depts = points::totals_by_department(&mut c, f.site, "2026-03-01", "2026-04-01").await.unwrap();
        let got: Vec<_> = depts.iter().map(|t| (t.department_name.as_deref(), t.points, t.people, t.stories)).collect();
        assert_eq!(got, [(Some("骨科"), 2250, 2, 1), (Some("儿科"), 1250, 1, 0)]);
        assert_eq!(points::entries_between(&mut c, f.site, "2026-03-01", "2026-04-01").await.unwrap().len(), 4);
        assert!(outlets::is_bookkeeping(&mut c, f.site, photo.id).await.unwrap());
        assert_eq!(points::of_distribution(&mut c, f.site, dist).await.unwrap().len(), 2);
        drop(c);

        let mut tx = store.begin().await.unwrap();
        let story_entry = points::of_article(tx.conn(), f.site, article).await.unwrap()[0].id;
        assert!(matches!(points::delete_manual(tx.conn(), f.site, story_entry).await, Err(StoreError::NotFound)), "story entries are not deleted one by one");
        assert_eq!(points::delete_of_distribution(tx.conn(), f.site, dist).await.unwrap(), 2);
        points::delete_manual(tx.conn(), f.site, manual).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        let people = points::totals_by_person(&mut c, f.site, "2026-03-01", "2026-04-01").await.unwrap();
        assert_eq!(people.iter().map(|t| (t.person_name.as_str(), t.points)).collect::<Vec<_>>(), [("李四", 1250)]);
        assert!(!outlets::is_bookkeeping(&mut c, f.site, photo.id).await.unwrap());
    })
    .await;
}

/// The change feed and leases on both engines: changes are read back in order after a
/// position; a lease is held by one process until it expires, kept by its holder, and taken
/// over once expired.
#[tokio::test]
async fn the_change_feed_and_leases_serve_several_processes() {
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let first = changes::record(tx.conn(), f.site, "node-a", "article", Some(7), 100).await.unwrap();
        changes::record(tx.conn(), f.site, "node-b", "site", None, 200).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.conn().await.unwrap();
        let all = changes::since(&mut c, 0, 10).await.unwrap();
        assert_eq!(all.iter().map(|x| (x.node.as_str(), x.kind.as_str(), x.manuscript_id)).collect::<Vec<_>>(), [("node-a", "article", Some(7)), ("node-b", "site", None)]);
        assert_eq!(changes::since(&mut c, first, 10).await.unwrap().len(), 1);
        assert_eq!(changes::latest(&mut c).await.unwrap(), all[1].id);
        assert_eq!(changes::prune(&mut c, 150).await.unwrap(), 1);

        assert!(changes::take_lease(&mut c, "scheduler", "node-a", 1000, 1030).await.unwrap());
        assert!(!changes::take_lease(&mut c, "scheduler", "node-b", 1010, 1040).await.unwrap(), "held by a until 1030");
        assert!(changes::take_lease(&mut c, "scheduler", "node-a", 1020, 1050).await.unwrap(), "the holder keeps it");
        assert!(!changes::take_lease(&mut c, "scheduler", "node-b", 1049, 1079).await.unwrap());
        assert!(changes::take_lease(&mut c, "scheduler", "node-b", 1051, 1081).await.unwrap(), "expired: b takes over");
        assert!(!changes::take_lease(&mut c, "scheduler", "node-a", 1060, 1090).await.unwrap());
        changes::release_lease(&mut c, "scheduler", "node-a").await.unwrap();
        assert!(!changes::take_lease(&mut c, "scheduler", "node-a", 1061, 1091).await.unwrap(), "only the holder releases it");
        changes::release_lease(&mut c, "scheduler", "node-b").await.unwrap();
        assert!(changes::take_lease(&mut c, "scheduler", "node-a", 1062, 1092).await.unwrap(), "released: taken at once");
    })
    .await;
}

/// Monitoring sources keep their fetch state, items filter by level, category and source,
/// and a family of reposts counts its distinct sources.
#[tokio::test]
async fn monitor_sources_items_and_spread() {
    use yuanxun_store::monitor::{self, ItemQuery, NewItem, SourceFields};
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let fields = |name, url| SourceFields { name, kind: "rss", url, mapping: "{}", reach: 3, interval_secs: 600, enabled: true };
        let a = monitor::create_source(tx.conn(), f.site, &fields("甲", "https://a.example/feed"), 100).await.unwrap();
        let b = monitor::create_source(tx.conn(), f.site, &fields("乙", "https://b.example/feed"), 100).await.unwrap();
        assert_eq!(monitor::due_sources(tx.conn(), f.site, 100, 10).await.unwrap().len(), 2);
        monitor::fetched(tx.conn(), a, Some("\"e\""), None, 2, 100, 700).await.unwrap();
        monitor::failed(tx.conn(), b, "超时", 1300).await.unwrap();
        let due: Vec<i64> = monitor::due_sources(tx.conn(), f.site, 800, 10).await.unwrap().iter().map(|s| s.id).collect();
        assert_eq!(due, [a]);
        // Claimed for a round: not due again until the claim ends.
        monitor::claim(tx.conn(), f.site, &[a], 5000).await.unwrap();
        assert!(monitor::due_sources(tx.conn(), f.site, 800, 10).await.unwrap().is_empty());
        let sb = monitor::get_source(tx.conn(), f.site, b).await.unwrap();
        assert_eq!((sb.failures, sb.last_error.as_deref(), sb.next_at), (1, Some("超时"), 1300));
        // A changed address forgets the validators.
        monitor::update_source(tx.conn(), f.site, a, &fields("甲", "https://a.example/new"), 900).await.unwrap();
        assert_eq!(monitor::get_source(tx.conn(), f.site, a).await.unwrap().etag, None);
        let item = |source_id, guid, copy_of, level| NewItem {
            source_id, guid, url: "", title: "标题", body: "正文", author: "", published_at: None, copy_of, sentiment: -700, category: "dispute",
            rules: "1", weight: 5, level, level_reason: "", added_by: None,
        };
        let first = monitor::insert_item(tx.conn(), f.site, &item(a, "1", None, Some("orange")), 1000).await.unwrap();
        monitor::insert_item(tx.conn(), f.site, &item(b, "2", Some(first), Some("red")), 1001).await.unwrap();
        monitor::insert_item(tx.conn(), f.site, &item(b, "3", Some(first), Some("red")), 1002).await.unwrap();
        let mut family = monitor::family_sources(tx.conn(), f.site, first, 0).await.unwrap();
        family.sort();
        assert_eq!(family, [a, b]);
        assert_eq!(monitor::family_sources(tx.conn(), f.site, first, 1001).await.unwrap(), [b]);
        let red = monitor::list_items(tx.conn(), f.site, &ItemQuery { level: Some("red".into()), source_id: Some(b), ..Default::default() }, 10).await.unwrap();
        assert_eq!(red.iter().map(|i| i.guid.as_str()).collect::<Vec<_>>(), ["3", "2"]);
        let window = monitor::list_items(tx.conn(), f.site, &ItemQuery { since: Some(1001), until: Some(1002), ..Default::default() }, 10).await.unwrap();
        assert_eq!(window.iter().map(|i| i.guid.as_str()).collect::<Vec<_>>(), ["2"], "fetched in [since, until)");
        assert_eq!(red[0].source_name, "乙");
        monitor::put_set(tx.conn(), f.site, "院名", "示医").await.unwrap();
        monitor::put_set(tx.conn(), f.site, "院名", "示医\n示范医院").await.unwrap();
        assert_eq!(monitor::list_sets(tx.conn(), f.site).await.unwrap()[0].words, "示医\n示范医院");
        tx.commit().await.unwrap();
    })
    .await;
}

/// Alerts are one per family and level, deliveries wait until due and keep their errors,
/// incidents keep their escalation until the deadline moves, and notifications count unread.
#[tokio::test]
async fn alerts_deliveries_incidents_and_notifications() {
    use yuanxun_store::incidents::{self as inc, ChannelFields, IncidentFields, NewIncident};
    use yuanxun_store::monitor::{self, NewItem, SourceFields};
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let s = monitor::create_source(tx.conn(), f.site, &SourceFields { name: "甲", kind: "rss", url: "https://a.example/", mapping: "{}", reach: 3, interval_secs: 600, enabled: true }, 0).await.unwrap();
        let item = NewItem { source_id: s, guid: "1", url: "", title: "标题", body: "正文", author: "", published_at: None, copy_of: None, sentiment: -700, category: "dispute", rules: "1", weight: 5, level: Some("orange"), level_reason: "", added_by: None };
        let first = monitor::insert_item(tx.conn(), f.site, &item, 1000).await.unwrap();
        let ch = inc::create_channel(tx.conn(), f.site, &ChannelFields { name: "群", kind: "wecom", target: "https://x.example/", secret: "", min_level: "blue", quiet: Some((1320, 450)), enabled: true }, 0).await.unwrap();
        assert_eq!(inc::get_channel(tx.conn(), f.site, ch).await.unwrap().quiet_from, Some(1320));
        let a = inc::insert_alert(tx.conn(), f.site, first, first, "orange", "规则 5", 1000).await.unwrap();
        tx.commit().await.unwrap();
        // The same family at the same level twice is refused by the database itself.
        let mut tx = store.begin().await.unwrap();
        assert!(inc::insert_alert(tx.conn(), f.site, first, first, "orange", "x", 1001).await.is_err());
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        assert_eq!(inc::family_levels(tx.conn(), f.site, first).await.unwrap(), ["orange"]);
        inc::insert_delivery(tx.conn(), a, ch, 2000).await.unwrap();
        assert!(inc::due_deliveries(tx.conn(), f.site, 1999, 5, 10).await.unwrap().is_empty(), "held until due");
        let due = inc::due_deliveries(tx.conn(), f.site, 2000, 5, 10).await.unwrap();
        assert_eq!((due.len(), due[0].channel.id, due[0].alert.id, due[0].body.as_str()), (1, ch, a, "正文"));
        inc::delivery_failed(tx.conn(), due[0].id, "HTTP 500", 2060).await.unwrap();
        let listed = inc::list_alerts(tx.conn(), f.site, true, 10).await.unwrap();
        assert_eq!((listed[0].sent, listed[0].waiting, listed[0].failed), (0, 0, 1));
        inc::delivered(tx.conn(), due[0].id, 2100).await.unwrap();
        let lines = inc::deliveries_of(tx.conn(), a).await.unwrap();
        assert_eq!((lines[0].attempts, lines[0].sent_at, lines[0].last_error.clone()), (2, Some(2100), None));
        assert!(inc::ack_alert(tx.conn(), f.site, a, f.author, 2200).await.unwrap());
        assert!(!inc::ack_alert(tx.conn(), f.site, a, f.author, 2300).await.unwrap());
        assert!(inc::list_alerts(tx.conn(), f.site, true, 10).await.unwrap().is_empty());

        let id = inc::create_incident(tx.conn(), f.site, &NewIncident { title: "事件", level: "orange", owner_id: Some(f.author), deadline: Some(5000), created_by: f.author }, 3000).await.unwrap();
        assert!(inc::add_item(tx.conn(), id, first, 3000).await.unwrap());
        assert!(!inc::add_item(tx.conn(), id, first, 3001).await.unwrap());
        assert_eq!(inc::overdue_unescalated(tx.conn(), f.site, 5001).await.unwrap().len(), 1);
        inc::mark_escalated(tx.conn(), id, 5001).await.unwrap();
        assert!(inc::overdue_unescalated(tx.conn(), f.site, 6000).await.unwrap().is_empty());
        let fields = |deadline| IncidentFields { title: "事件", level: "orange", state: "handling", owner_id: Some(f.author), deadline, assessment: "研判", summary: "", closed_at: None };
        // Saved with the same deadline: still escalated. Moved: may escalate again.
        inc::update_incident(tx.conn(), f.site, id, &fields(Some(5000)), 6000).await.unwrap();
        assert_eq!(inc::get_incident(tx.conn(), f.site, id).await.unwrap().escalated_at, Some(5001));
        inc::update_incident(tx.conn(), f.site, id, &fields(Some(7000)), 6001).await.unwrap();
        let got = inc::get_incident(tx.conn(), f.site, id).await.unwrap();
        assert_eq!((got.escalated_at, got.items, got.owner_name.is_some()), (None, 1, true));
        inc::add_event(tx.conn(), id, Some(f.author), "contact", "电话联系", 6002).await.unwrap();
        assert_eq!(inc::events(tx.conn(), id).await.unwrap()[0].body, "电话联系");
        assert_eq!(inc::incidents_of_item(tx.conn(), f.site, first).await.unwrap()[0].0, id);

        yuanxun_store::notifications::notify(tx.conn(), f.site, f.author, "alert", "预警", "", "/admin", 10).await.unwrap();
        yuanxun_store::notifications::notify(tx.conn(), f.site, f.author, "alert", "预警2", "", "/admin", 11).await.unwrap();
        let n = yuanxun_store::notifications::notifications(tx.conn(), f.site, f.author, 10).await.unwrap();
        assert_eq!(n.iter().filter(|n| n.read_at.is_none()).count(), 2);
        assert_eq!(yuanxun_store::notifications::mark_read(tx.conn(), f.site, f.author, Some(n[0].id), 20).await.unwrap(), 1);
        assert_eq!(yuanxun_store::notifications::notifications(tx.conn(), f.site, f.author, 10).await.unwrap()[0].title, "预警", "unread first");
        assert_eq!(yuanxun_store::notifications::mark_read(tx.conn(), f.site, f.author, None, 21).await.unwrap(), 1);
        assert!(yuanxun_store::notifications::notifications(tx.conn(), f.site, f.author, 10).await.unwrap().iter().all(|n| n.read_at.is_some()));
        tx.commit().await.unwrap();
    })
    .await;
}

/// Responsibilities keep their history, meetings order coming before past, and the
/// rectification ledger filters by department, status and year and remembers reminders.
#[tokio::test]
async fn responsibilities_meetings_and_the_rectification_ledger() {
    use yuanxun_store::ledgers::{self as l, MeetingFields, RectificationFields, RectificationQuery};
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let area = l::create_area(tx.conn(), f.site, "意识形态工作", "", 10).await.unwrap();
        assert!(matches!(l::create_area(tx.conn(), f.site, "意识形态工作", "", 11).await, Err(yuanxun_store::StoreError::Conflict(_))));
        l::assign(tx.conn(), f.site, area, "first", None, "甲", "", f.author, 100).await.unwrap();
        l::assign(tx.conn(), f.site, area, "first", None, "乙", "", f.author, 200).await.unwrap();
        l::assign(tx.conn(), f.site, area, "department", Some(f.dept), "", "审核公众号", f.author, 200).await.unwrap();
        let all = l::list_responsibilities(tx.conn(), f.site).await.unwrap();
        let firsts: Vec<(&str, i64, Option<i64>)> = all.iter().filter(|r| r.role == "first").map(|r| (r.person.as_str(), r.started_at, r.ended_at)).collect();
        assert_eq!(firsts, [("乙", 200, None), ("甲", 100, Some(200))]);
        assert!(all.iter().any(|r| r.role == "department" && r.department_name.is_some() && r.ended_at.is_none()));

        let m = |title, at, status| MeetingFields { title, scheduled_at: at, place: "", chair: "", attendees: "", minutes: "", conclusions: "", status, held_at: None };
        let past = l::create_meeting(tx.conn(), f.site, &m("上季度", 100, "held"), f.author, 1).await.unwrap();
        let soon = l::create_meeting(tx.conn(), f.site, &m("下周", 900, "scheduled"), f.author, 1).await.unwrap();
        let later = l::create_meeting(tx.conn(), f.site, &m("下月", 5000, "scheduled"), f.author, 1).await.unwrap();
        let order: Vec<i64> = l::list_meetings(tx.conn(), f.site, 10).await.unwrap().iter().map(|m| m.id).collect();
        assert_eq!(order, [soon, later, past]);

        let r = |problem, deadline| RectificationFields { problem, source: "analysis", meeting_id: Some(past), incident_id: None, measure: "措施", department_id: f.dept, owner: "主任", deadline };
        let a = l::create_rectification(tx.conn(), f.site, &r("问题一", 1000), f.author, 500).await.unwrap();
        let b = l::create_rectification(tx.conn(), f.site, &r("问题二", 3000), f.author, 600).await.unwrap();
        assert_eq!(l::get_meeting(tx.conn(), f.site, past).await.unwrap().rectifications, 2);
        assert_eq!(l::overdue_unreminded(tx.conn(), f.site, 2000).await.unwrap().iter().map(|x| x.id).collect::<Vec<_>>(), [a]);
        l::mark_reminded(tx.conn(), a, 2000).await.unwrap();
        assert!(l::overdue_unreminded(tx.conn(), f.site, 2500).await.unwrap().is_empty());
        // A moved deadline may remind again; the same deadline keeps the reminder.
        l::update_rectification(tx.conn(), f.site, a, &r("问题一", 1000), 2600).await.unwrap();
        assert_eq!(l::get_rectification(tx.conn(), f.site, a).await.unwrap().reminded_at, Some(2000));
        l::update_rectification(tx.conn(), f.site, a, &r("问题一", 2700), 2600).await.unwrap();
        assert_eq!(l::get_rectification(tx.conn(), f.site, a).await.unwrap().reminded_at, None);
        l::set_progress(tx.conn(), f.site, b, "已完成，见附件", "done", Some(2800), 2800).await.unwrap();
        let done = l::list_rectifications(tx.conn(), f.site, &RectificationQuery { status: Some("done".into()), ..Default::default() }).await.unwrap();
        assert_eq!((done.len(), done[0].id, done[0].evidence.as_str()), (1, b, "已完成，见附件"));
        let in_year = l::list_rectifications(tx.conn(), f.site, &RectificationQuery { department_id: Some(f.dept), created: Some((550, 10_000)), ..Default::default() }).await.unwrap();
        assert_eq!(in_year.iter().map(|x| x.id).collect::<Vec<_>>(), [b]);
        assert!(l::list_rectifications(tx.conn(), f.site, &RectificationQuery { department_id: Some(f.dept + 1000), ..Default::default() }).await.unwrap().is_empty());
        l::add_rectification_event(tx.conn(), a, Some(f.author), "登记", 500).await.unwrap();
        assert_eq!(l::rectification_events(tx.conn(), a).await.unwrap()[0].body, "登记");
        tx.commit().await.unwrap();
    })
    .await;
}

/// A congress vote on both databases: one receipt per delegate, secret ballots without the
/// delegate, and the database refusing to change ballots, attendance or a closed vote.
#[tokio::test]
async fn congress_votes_are_final() {
    use yuanxun_store::congress as g;
    on_every_backend(|store| async move {
        let f = fixture(&store).await;
        let mut tx = store.begin().await.unwrap();
        let s = g::create_session(tx.conn(), f.site, "第五届职工代表大会第三次会议", 5, 3, "2026-12-08", "", 1).await.unwrap();
        let group = g::group(tx.conn(), s, "第一代表团").await.unwrap();
        assert_eq!(g::group(tx.conn(), s, "第一代表团").await.unwrap(), group);
        let a = g::add_delegate(tx.conn(), s, f.author, Some(group)).await.unwrap();
        let b = g::add_delegate(tx.conn(), s, f.reviewer, None).await.unwrap();
        assert!(matches!(g::add_delegate(tx.conn(), s, f.author, None).await, Err(yuanxun_store::StoreError::Conflict(_))));
        let m = g::create_motion(tx.conn(), f.site, s, "提案", "案由", "建议", f.author, "", 2).await.unwrap();
        g::decide_motion(tx.conn(), m, "accepted", Some("T-001"), "", Some(f.dept), Some(100), 3).await.unwrap();
        assert_eq!(g::numbered(tx.conn(), s, "T-").await.unwrap(), 1);
        // Overdue once the deadline passed, until reminded.
        assert!(g::overdue_motions(tx.conn(), f.site, 100).await.unwrap().is_empty());
        assert_eq!(g::overdue_motions(tx.conn(), f.site, 101).await.unwrap().len(), 1);
        g::mark_motion_reminded(tx.conn(), m, 101).await.unwrap();
        assert!(g::overdue_motions(tx.conn(), f.site, 102).await.unwrap().is_empty());
        g::reply_motion(tx.conn(), m, "已办理", 4).await.unwrap();
        let got = g::get_motion(tx.conn(), f.site, m).await.unwrap();
        assert_eq!((got.state.as_str(), got.rounds, got.department_name.is_some()), ("replied", 1, true));
        let v = g::create_vote(tx.conn(), f.site, s, "决议", "", true, f.author, 5).await.unwrap();
        assert!(g::open_vote(tx.conn(), v, 2, &[a, b], 6).await.unwrap());
        assert!(!g::open_vote(tx.conn(), v, 2, &[a], 7).await.unwrap(), "opened once");
        g::cast(tx.conn(), v, a, true, "t1", "yes").await.unwrap();
        g::cast(tx.conn(), v, b, true, "t2", "abstain").await.unwrap();
        assert_eq!(g::count(tx.conn(), v).await.unwrap(), (1, 0, 1, 2));
        assert!(g::close_vote(tx.conn(), v, 1, 0, 1, false, "未通过", 8).await.unwrap());
        tx.commit().await.unwrap();
        // A second ballot, a changed ballot, a changed closed vote: each refused by the database.
        for sql in ["INSERT INTO ballot_receipts (vote_id, delegate_id) VALUES ($1, $2)", "UPDATE ballots SET choice = 'no' WHERE vote_id = $1 AND $2 > 0", "UPDATE votes SET ayes = 2 WHERE id = $1 AND $2 > 0", "DELETE FROM vote_attendance WHERE vote_id = $1 AND $2 > 0"] {
            let mut tx = store.begin().await.unwrap();
            assert!(sqlx::query(sql).bind(v).bind(a).execute(tx.conn()).await.is_err(), "{sql}");
            drop(tx);
        }
        let mut c = store.conn().await.unwrap();
        let got = g::get_vote(&mut c, f.site, v).await.unwrap();
        assert_eq!((got.status.as_str(), got.ayes, got.passed), ("closed", 1, Some(false)));
        assert!(g::open_ballots(&mut c, v).await.unwrap().is_empty(), "secret: no names");
    })
    .await;
}

/// When article `id` was published (the first half of its paging key).
async fn walked_key(c: &mut sqlx::AnyConnection, site: i64, id: i64) -> i64 {
    articles::get(c, site, id).await.unwrap().published_at
}

/// Two processes on one SQLite file (serve, and `yuanxun backup` or a second serve): each
/// store has its own in-process write lock, so only SQLite's lock keeps them apart. A write
/// transaction that read first must not fail when the other process commits meanwhile; it
/// fails with SQLITE_BUSY_SNAPSHOT (517, "database is locked") if it began deferred.
#[tokio::test]
async fn a_write_transaction_on_sqlite_is_not_refused_when_another_process_writes_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let ours = Store::open_dir(dir.path()).await.unwrap();
    let theirs = Store::open_dir(dir.path()).await.unwrap();
    {
        let mut t = ours.begin().await.unwrap();
        sites::create_site(t.conn(), "t", "测试医院", "").await.unwrap();
        t.commit().await.unwrap();
    }
    let mut tx = ours.begin().await.unwrap();
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sites").fetch_one(tx.conn()).await.unwrap();
    assert_eq!(before, 1);
    let other = tokio::spawn(async move {
        let mut t = theirs.begin().await?;
        sqlx::query("UPDATE sites SET name = name || '（二）'").execute(t.conn()).await?;
        t.commit().await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sqlx::query("UPDATE sites SET name = name || '（一）'").execute(tx.conn()).await.expect("our write, after the other process tried to write");
    tx.commit().await.expect("our commit");
    other.await.unwrap().expect("the other process's write waited for ours, then committed");
    let mut c = ours.conn().await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM sites").fetch_all(&mut *c).await.unwrap();
    assert_eq!(names.len() as i64, before);
    assert!(names.iter().all(|n| n.ends_with("（一）（二）")), "both writes, ours first: {names:?}");
}
