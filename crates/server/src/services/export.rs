//! The static export: the whole public site as files (`yuanxun export --out DIR`), for a
//! static web server or an archive, with a manifest of every file's SHA-256 and size signed
//! with the site's Ed25519 key, so a copy on another server can be checked for tampering.
//!
//! The export is written to a new folder beside `DIR` and put in its place only when
//! complete: readers of the old copy never see half a site.
//!
//! Layout: `index.html`, `channel/{slug}/index.html` (the newest stories),
//! `channel/{slug}/archive/{j}.html` (older ones, numbered from the oldest: see
//! [`public::ExportPages`]), `news/{id}.html`, `404.html`, `feed.xml`,
//! `channel/{slug}/feed.xml`, `sitemap.xml` (an index) with `sitemaps/pages.xml` and
//! `sitemaps/{k}.xml` (articles by id range), `robots.txt`, `static/…` (hashed names),
//! `media/…` (the published photos and files), and `manifest.json` with `manifest.sig` (hex
//! Ed25519 signature of manifest.json's bytes). manifest.json names the files that are not
//! numbered and the parts `manifest/{folder}/{k}.json` that list the numbered ones, each with
//! its hash (see [`yuanxun_guard::Stored`]).
//!
//! Laid out so that a publication rewrites a handful of files whatever the size of the
//! site: its page and its neighbours', the home page, its channel's index and newest archive
//! pages, two feeds, the sitemap index and one part of it, and the manifest's index and the
//! parts that list those files.

use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use yuanxun_core::clock;
pub use yuanxun_guard::{Entry, Manifest, ManifestError};
use yuanxun_guard::Stored;
use yuanxun_store::{articles, manuscripts, sites};

use crate::error::{ServiceError, ServiceResult};
use crate::routes::public::{self, View};
use crate::AppState;

/// What an export did.
#[derive(Debug, Clone)]
pub struct Report {
    pub files: usize,
    pub bytes: u64,
    pub articles: usize,
    pub public_key: String,
}

/// The site's signing key, made (and stored) on first use.
pub async fn signing_key(state: &AppState) -> ServiceResult<SigningKey> {
    let mut tx = state.store.begin().await?;
    let seed = match sites::signing_seed(tx.conn(), state.site_id()).await? {
        Some(s) => s,
        None => {
            let key = SigningKey::generate(&mut rand::rngs::OsRng);
            sites::set_signing_seed(tx.conn(), state.site_id(), &hex::encode(key.to_bytes())).await?;
            sites::signing_seed(tx.conn(), state.site_id()).await?.ok_or_else(|| ServiceError::Internal("signing key not stored".into()))?
        }
    };
    tx.commit().await?;
    let bytes: [u8; 32] = hex::decode(&seed).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| ServiceError::Internal("the stored signing key is damaged".into()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// The address the site's export is made for: `--public-url` (configuration), else the one
/// the last full export recorded in the database, else `http://localhost`. Never the
/// manifest in an export folder, which anyone with access to the folder could have changed.
pub async fn site_address(state: &AppState) -> ServiceResult<String> {
    if let Some(u) = &state.config.public_url {
        return Ok(u.clone());
    }
    let mut c = state.store.conn().await?;
    Ok(sites::export_base(&mut c, state.site_id()).await?.unwrap_or_else(|| "http://localhost".into()))
}

/// Reads a file of the export in `out` for its manifest (never one outside it).
fn reader(out: &Path) -> impl Fn(&str) -> Option<Vec<u8>> + Send + Sync + '_ {
    move |p| if yuanxun_guard::safe_path(p) { std::fs::read(out.join(p)).ok() } else { None }
}

/// The whole manifest of the export in `dir` if it carries the site's signature: every
/// part read and checked against the signed index; with the part files' own entries.
pub fn read_manifest(dir: &Path, key: &VerifyingKey) -> Result<(Manifest, Vec<Entry>), ManifestError> {
    Stored::open(reader(dir), key)?.whole()
}

/// Checks `manifest.json`'s bytes against `manifest.sig` with the site's public key.
pub fn verify_signature(manifest: &[u8], sig_hex: &str, key: &VerifyingKey) -> bool {
    yuanxun_guard::verify_signature(manifest, sig_hex, key)
}

/// Files being written into a new folder, each recorded for the manifest.
struct Tree {
    root: PathBuf,
    files: Vec<Entry>,
}

impl Tree {
    fn put(&mut self, path: &str, bytes: &[u8]) -> ServiceResult<()> {
        self.files.push(write_file(&self.root, path, bytes)?);
        Ok(())
    }
}

/// Writes one file under `root` (making its folder) and returns its manifest entry.
fn write_file(root: &Path, path: &str, bytes: &[u8]) -> ServiceResult<Entry> {
    let full = root.join(path);
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }
    std::fs::write(&full, bytes).map_err(|e| io_error(&full, e))?;
    Ok(Entry::of(path, bytes))
}

fn io_error(path: &Path, e: std::io::Error) -> ServiceError {
    ServiceError::Invalid(format!("无法写入 {}：{e}（请检查磁盘空间和目录权限）", path.display()))
}

fn page_html(r: Result<(axum::http::StatusCode, String), axum::response::Response>, what: &str) -> ServiceResult<String> {
    r.map(|(_, html)| html).map_err(|resp| ServiceError::Internal(format!("{what}: {}", resp.status())))
}

/// Writes the whole site for `base` (the address it will be served at) into `out`,
/// replacing what was there only when complete. `progress(done, total)` follows the
/// article pages, the bulk of the work.
pub async fn export(state: &AppState, out: &Path, base: &str, progress: impl Fn(usize, usize)) -> ServiceResult<Report> {
    let key = signing_key(state).await?;
    let name = out.file_name().and_then(|n| n.to_str()).ok_or_else(|| ServiceError::Invalid(format!("导出目录 {} 无效", out.display())))?;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    let tmp = parent.join(format!(".{name}.new-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| io_error(&tmp, e))?;
    }
    let mut tree = Tree { root: tmp.clone(), files: Vec::new() };
    let result = write_site(state, &mut tree, base, &key, progress).await;
    let articles = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    // Swap: the old copy steps aside, the new one takes its name, the old one goes.
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        std::fs::rename(out, &old).map_err(|e| io_error(out, e))?;
    }
    if let Err(e) = std::fs::rename(&tmp, out) {
        let _ = std::fs::rename(&old, out);
        return Err(io_error(out, e));
    }
    if old.exists() {
        let _ = std::fs::remove_dir_all(&old);
    }
    {
        let mut tx = state.store.begin().await?;
        sites::set_export_base(tx.conn(), state.site_id(), base).await?;
        tx.commit().await?;
    }
    let bytes = tree.files.iter().map(|f| f.size).sum();
    Ok(Report { files: tree.files.len(), bytes, articles, public_key: hex::encode(key.verifying_key().to_bytes()) })
}

async fn write_site(state: &AppState, tree: &mut Tree, base: &str, key: &SigningKey, progress: impl Fn(usize, usize)) -> ServiceResult<usize> {
    let view = View::export(base);
    let base = view.base.clone();
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let chans = sites::list_channels(&mut c, site).await?;
    let total = articles::count_live(&mut c, site, None).await? as usize;
    // Read before any page is rendered: a page rendered later is at least this version.
    let versions: std::collections::BTreeMap<i64, i64> = articles::versions(&mut c, site).await?.into_iter().collect();
    drop(c);

    tree.put("index.html", page_html(public::render_home(state, &view).await, "home")?.as_bytes())?;
    tree.put("404.html", page_html(public::render_notice(state, &view), "404")?.as_bytes())?;

    // Channel by channel, newest first: each article's 上一篇 / 下一篇 are its neighbours in
    // the walk, and the walk fills the channel's pages in turn (its index, then the archive
    // pages from the newest). A batch costs two
    // queries (its rows, and all their photos and files); its pages are rendered on every
    // core and handed to one writer thread (files made in one folder from two threads
    // mostly wait for each other's lock on it).
    let chans = std::sync::Arc::new(chans);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (tx, writer) = start_writer(tree.root.clone());
    let mut done = 0;
    let walked: ServiceResult<()> = async {
        for ch in chans.iter() {
            let count = {
                let mut c = state.store.conn().await?;
                articles::count_live(&mut c, site, Some(ch.id)).await?
            };
            let pages = public::ExportPages { total: count };
            let mut units = pages.all().peekable();
            let mut pending: Vec<public::Card> = Vec::new();
            let mut before = None;
            let mut newer: Option<(i64, String)> = None;
            loop {
                let mut c = state.store.conn().await?;
                let mut rows = articles::list_before(&mut c, site, Some(ch.id), before, BATCH + 1).await?;
                // One past the batch: the last one's older neighbour, and the next batch's first.
                let peek = if rows.len() as i64 > BATCH { rows.pop().map(|a| (a.id, a.title)) } else { None };
                let ids: Vec<i64> = rows.iter().map(|a| a.manuscript_id).collect();
                let article_ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
                let mut notices: std::collections::HashMap<i64, Vec<yuanxun_store::corrections::Notice>> = std::collections::HashMap::new();
                for n in yuanxun_store::corrections::notices(&mut c, site, &article_ids).await? {
                    notices.entry(n.article_id).or_default().push(n);
                }
                let mut media: std::collections::HashMap<i64, Vec<yuanxun_store::Media>> = std::collections::HashMap::new();
                for m in manuscripts::media_of_many(&mut c, site, &ids).await? {
                    if let Some(id) = m.manuscript_id {
                        media.entry(id).or_default().push(m);
                    }
                }
                let mut jobs = Vec::with_capacity(rows.len());
                let mut cards = Vec::with_capacity(rows.len());
                before = rows.last().map(|a| (a.published_at, a.id));
                let mut iter = rows.into_iter().peekable();
                while let Some(a) = iter.next() {
                    let older = iter.peek().map(|o| (o.id, o.title.clone())).or_else(|| peek.clone());
                    let media = media.remove(&a.manuscript_id).unwrap_or_default();
                    let cover = public::cover_url(&mut c, site, a.cover_media_id, &media).await;
                    cards.push(public::Card { id: a.id, title: a.title.clone(), published_at: a.published_at, cover_url: cover.clone() });
                    let this = (a.id, a.title.clone());
                    let corrections = notices.remove(&a.id).unwrap_or_default();
                    jobs.push(ArticleJob { article: a, media, cover, older, newer: newer.replace(this), corrections });
                }
                drop(c);
                let n = jobs.len();
                let mut tasks = Vec::new();
                // The list pages these articles complete (the last batch completes the rest;
                // an empty channel still has its index).
                pending.extend(cards);
                let last = peek.is_none();
                let mut ready = Vec::new();
                while let Some(&unit) = units.peek() {
                    let need = pages.window(unit).1 as usize;
                    if pending.len() < need && !(last && (unit == public::ExportPage::Index || !pending.is_empty())) {
                        break;
                    }
                    ready.push((unit, pending.drain(..need.min(pending.len())).collect::<Vec<_>>()));
                    units.next();
                }
                if !ready.is_empty() {
                    let (state, view, chans, tx, ch) = (state.clone(), view.clone(), chans.clone(), tx.clone(), ch.clone());
                    tasks.push(tokio::task::spawn_blocking(move || -> ServiceResult<()> {
                        for (unit, list) in ready {
                            let html = public::export_channel_html(&state, &view, &chans, &ch, pages, unit, list).map_err(|r| ServiceError::Internal(format!("channel {}: {}", ch.slug, r.status())))?;
                            tx.send(unit.file(&ch.slug), html.into_bytes())?;
                        }
                        Ok(())
                    }));
                }
                let mut jobs = jobs.into_iter();
                loop {
                    let chunk: Vec<ArticleJob> = jobs.by_ref().take(n.div_ceil(threads)).collect();
                    if chunk.is_empty() {
                        break;
                    }
                    let (state, view, chans, tx) = (state.clone(), view.clone(), chans.clone(), tx.clone());
                    tasks.push(tokio::task::spawn_blocking(move || -> ServiceResult<()> {
                        for job in chunk {
                            for (path, bytes) in job.files(&state, &view, &chans)? {
                                tx.send(path, bytes)?;
                            }
                        }
                        Ok(())
                    }));
                }
                for t in tasks {
                    t.await.map_err(|e| ServiceError::Internal(format!("rendering failed: {e}")))??;
                }
                done += n;
                progress(done, total);
                if peek.is_none() {
                    break;
                }
            }
        }
        Ok(())
    }
    .await;
    drop(tx);
    // The writer's own error (a full disk, say) explains a failed send better.
    tree.files.extend(writer.join().map_err(|_| ServiceError::Internal("the export's writer stopped".into()))??);
    walked?;
    lists(state, tree, &base, &chans).await?;
    tree.put("robots.txt", yuanxun_site::feeds::robots(&base).as_bytes())?;
    let theme = state.theme.get();
    for asset in [&theme.css, &theme.js] {
        tree.put(&asset.path[1..], asset.body.as_bytes())?;
    }
    let mut m = Stored::new(reader(&tree.root), &state.site.name, &base, &key.verifying_key());
    for e in tree.files.iter().cloned() {
        m.put(e).map_err(manifest_error)?;
    }
    for (id, v) in versions {
        m.set_version(id, Some(v)).map_err(manifest_error)?;
    }
    save_manifest(&tree.root, m, key)?;
    Ok(done)
}

/// Pages an update renders at once, each holding a database connection while it loads.
const RENDERS_AT_ONCE: usize = 4;

/// Articles loaded (and then rendered) together.
const BATCH: i64 = 12 * public::PAGE_SIZE;

/// Hands files to the writer thread ([`start_writer`]).
#[derive(Clone)]
struct Sender(std::sync::mpsc::SyncSender<(String, Vec<u8>)>);

impl Sender {
    fn send(&self, path: String, bytes: Vec<u8>) -> ServiceResult<()> {
        self.0.send((path, bytes)).map_err(|_| ServiceError::Internal("the export's writer stopped".into()))
    }
}

/// Starts the thread that writes an export's files under `root`, one at a time, and records
/// them for the manifest.
fn start_writer(root: PathBuf) -> (Sender, std::thread::JoinHandle<ServiceResult<Vec<Entry>>>) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<(String, Vec<u8>)>(256);
    let handle = std::thread::spawn(move || {
        let mut files = Vec::new();
        for (path, bytes) in rx {
            files.push(write_file(&root, &path, &bytes)?);
        }
        Ok(files)
    });
    (Sender(tx), handle)
}

/// One article's page, loaded and ready to render away from the database.
struct ArticleJob {
    article: yuanxun_store::Article,
    media: Vec<yuanxun_store::Media>,
    cover: Option<String>,
    older: Option<(i64, String)>,
    newer: Option<(i64, String)>,
    corrections: Vec<yuanxun_store::corrections::Notice>,
}

impl ArticleJob {
    /// The page and the article's photos and files, as (path, bytes).
    fn files(self, state: &AppState, view: &View, chans: &[yuanxun_store::Channel]) -> ServiceResult<Vec<(String, Vec<u8>)>> {
        let id = self.article.id;
        let views = self.article.view_count;
        let page = public::ArticlePage { article: self.article, channels: chans, media: &self.media, cover: self.cover, older: self.older, newer: self.newer, related: Vec::new(), views, corrections: self.corrections };
        let html = public::article_html(state, view, page).map_err(|r| ServiceError::Internal(format!("article {id}: {}", r.status())))?;
        let mut files = vec![(public::article_path(id)[1..].to_string(), html.into_bytes())];
        files.extend(media_files(state, &self.media)?);
        Ok(files)
    }
}

/// An article's photos and files as (path, bytes) for the export, from a blocking thread.
fn media_files(state: &AppState, media: &[yuanxun_store::Media]) -> ServiceResult<Vec<(String, Vec<u8>)>> {
    media
        .iter()
        .map(|m| {
            let bytes = state.store.media.get_blocking(&m.storage_key).map_err(|e| ServiceError::Internal(format!("media {}: {e}", m.id)))?;
            Ok((super::manuscripts::media_url(m)[1..].to_string(), bytes))
        })
        .collect()
}

/// An article's page with its photos and files, as (path, bytes), loaded on its own (for
/// an update after one publication).
async fn article_files(state: &AppState, view: &View, a: &yuanxun_store::Article) -> ServiceResult<Vec<(String, Vec<u8>)>> {
    let html = page_html(public::render_article(state, view, a.id).await, "article")?;
    let mut files = vec![(public::article_path(a.id)[1..].to_string(), html.into_bytes())];
    let media = {
        let mut c = state.store.conn().await?;
        manuscripts::media_of(&mut c, state.site_id(), a.manuscript_id).await?
    };
    for m in &media {
        let bytes = state.store.media.get(&m.storage_key).await.map_err(|e| ServiceError::Internal(format!("media {}: {e}", m.id)))?;
        files.push((super::manuscripts::media_url(m)[1..].to_string(), bytes));
    }
    Ok(files)
}

/// The feeds and the sitemap, every part.
async fn lists(state: &AppState, tree: &mut Tree, base: &str, chans: &[yuanxun_store::Channel]) -> ServiceResult<()> {
    let mut c = state.store.conn().await?;
    tree.put("feed.xml", public::feed_xml(state, base, &mut c, None).await?.as_bytes())?;
    for ch in chans {
        tree.put(&format!("channel/{}/feed.xml", ch.slug), public::feed_xml(state, base, &mut c, Some(ch)).await?.as_bytes())?;
    }
    tree.put("sitemap.xml", public::sitemap_index_xml(state, base, &mut c).await?.as_bytes())?;
    for part in public::sitemap_parts(state, &mut c).await? {
        tree.put(&part.path()[1..], public::sitemap_part_xml(state, base, &mut c, part).await?.as_bytes())?;
    }
    Ok(())
}

fn manifest_error(e: ManifestError) -> ServiceError {
    ServiceError::Internal(format!("manifest: {e}"))
}

/// Writes the manifest's changed parts, then manifest.json and its signature, each through
/// a temporary file and a rename; parts no longer used go.
fn save_manifest<R: Fn(&str) -> Option<Vec<u8>>>(root: &Path, m: Stored<R>, key: &SigningKey) -> ServiceResult<()> {
    let written = m.save(key, clock::now()).map_err(manifest_error)?;
    for (name, bytes) in written.files {
        let path = root.join(&name);
        let dir = path.parent().unwrap_or(root);
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let tmp = dir.join(format!(".{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("manifest")));
        std::fs::write(&tmp, &bytes).map_err(|e| io_error(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io_error(&path, e))?;
    }
    for name in written.gone {
        let _ = std::fs::remove_file(root.join(name));
    }
    Ok(())
}

/// Brings an existing export up to date after one article was published, corrected or
/// retracted: its page (or its removal) and its neighbours', the home page, the pages of its
/// channel that changed, its feeds and its part of the sitemap, then the parts of the
/// manifest that list them and its signed index. Other files are left as they are.
pub async fn update(state: &AppState, out: &Path, manuscript_id: i64) -> ServiceResult<()> {
    let key = signing_key(state).await?;
    let base = site_address(state).await?;
    let why = match Stored::open(reader(out), &key.verifying_key()) {
        Ok(m) => match update_in_place(state, out, manuscript_id, m, &key, &base).await? {
            Ok(()) => return Ok(()),
            Err(e) => e,
        },
        Err(e) => e,
    };
    // No export yet, or its manifest is not the site's (missing, changed, unsigned, a part
    // not the one the index names): nothing in it is believed, and the whole export is
    // written anew.
    if why != ManifestError::Missing {
        tracing::warn!("the export in {}: {why}; writing it anew", out.display());
    }
    export(state, out, &base, |_, _| {}).await.map(|_| ())
}

/// [`update`] on an export whose signed index has been read: `Ok(Err(_))` when a part of its
/// manifest turns out not to be believable.
async fn update_in_place<R: Fn(&str) -> Option<Vec<u8>>>(state: &AppState, out: &Path, manuscript_id: i64, mut m: Stored<R>, key: &SigningKey, base: &str) -> ServiceResult<Result<(), ManifestError>> {
    macro_rules! held {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => return Ok(Err(e)),
            }
        };
    }
    let view = View::export(base);
    let site = state.site_id();
    let (article, chans) = {
        let mut c = state.store.conn().await?;
        (articles::by_manuscript(&mut c, site, manuscript_id).await?, sites::list_channels(&mut c, site).await?)
    };
    let Some(article) = article else { return Ok(Ok(())) };
    let corrected = !article.retracted && held!(m.version(article.id)).is_some();
    let mut tree = Tree { root: out.to_path_buf(), files: Vec::new() };
    // Files of the manifest that are no longer part of the site.
    let mut removed = Vec::new();
    let remove = |path: &str, removed: &mut Vec<String>| {
        if yuanxun_guard::safe_path(path) {
            let _ = std::fs::remove_file(out.join(path));
            removed.push(path.to_string());
        }
    };
    if article.retracted {
        // The page and its photos and files: the live site no longer serves them either.
        let media = {
            let mut c = state.store.conn().await?;
            manuscripts::media_of(&mut c, site, article.manuscript_id).await?
        };
        for path in std::iter::once(public::article_path(article.id)).chain(media.iter().map(super::manuscripts::media_url)) {
            remove(&path[1..], &mut removed);
        }
    } else {
        for (path, bytes) in article_files(state, &view, &article).await? {
            tree.put(&path, &bytes)?;
        }
    }
    // What else it changes, found first (a few small queries), then rendered together, each
    // page on its own connection: its neighbours' pages, which name it (上一篇 / 下一篇) or,
    // once it is retracted, each other; the home page; its channel's pages; the feeds it is
    // in; the sitemap's index and its part ([`RENDERS_AT_ONCE`] at a time).
    type Render<'a> = futures::future::BoxFuture<'a, ServiceResult<(String, String)>>;
    use futures::FutureExt;
    let mut renders: Vec<Render> = Vec::new();
    let view = &view;
    let (older, newer) = {
        let mut c = state.store.conn().await?;
        articles::neighbours(&mut c, &article).await?
    };
    for (id, _) in older.into_iter().chain(newer) {
        renders.push(async move { Ok((public::article_path(id)[1..].to_string(), page_html(public::render_article(state, view, id).await, "article")?)) }.boxed());
    }
    renders.push(async move { Ok(("index.html".to_string(), page_html(public::render_home(state, view).await, "home")?)) }.boxed());
    let channel = chans.iter().find(|c| c.id == article.channel_id);
    if let Some(ch) = channel {
        let (total, rank) = {
            let mut c = state.store.conn().await?;
            (articles::count_live(&mut c, site, Some(ch.id)).await?, articles::rank(&mut c, site, ch.id, (article.published_at, article.id)).await?)
        };
        let pages = public::ExportPages { total };
        let archived = pages.archived();
        let archive_dir = format!("channel/{}/archive", ch.slug);
        let archive: std::collections::HashSet<String> = held!(m.paths_in(&archive_dir)).into_iter().collect();
        // The index, and the two newest archive pages (one may have just filled, the other
        // links to it); and the pages from the story's own on when it came or went (every
        // later story moved by one), or its own alone when it was corrected.
        let mut todo = std::collections::BTreeSet::from([public::ExportPage::Index]);
        todo.extend(((archived - 1).max(1)..=archived).map(public::ExportPage::Archive));
        if let public::ExportPage::Archive(j) = pages.page_of(rank) {
            todo.extend((j..=if corrected { j } else { archived }).map(public::ExportPage::Archive));
        }
        // And any the export lacks (one made before archive pages holds none of them).
        todo.extend((1..=archived).map(public::ExportPage::Archive).filter(|p| !archive.contains(&p.file(&ch.slug))));
        let chans = &chans;
        for page in todo {
            renders.push(async move { Ok((page.file(&ch.slug), public::render_export_channel(state, view, ch, chans, pages, page).await?)) }.boxed());
        }
        // Archive pages past the end (after a retraction), and the pages of the numbering
        // exports used before archive pages (`page/{n}.html`, from the newest).
        for path in &archive {
            if path.strip_prefix(&archive_dir).and_then(|j| j.strip_prefix('/')?.strip_suffix(".html")?.parse::<i64>().ok()).is_some_and(|j| j > archived) {
                remove(path, &mut removed);
            }
        }
        for path in held!(m.paths_in(&format!("channel/{}/page", ch.slug))) {
            remove(&path, &mut removed);
        }
    }
    // The site's feed and its channel's.
    for ch in std::iter::once(None).chain(channel.map(Some)) {
        let path = ch.map_or("feed.xml".to_string(), |ch| format!("channel/{}/feed.xml", ch.slug));
        renders.push(
            async move {
                let mut c = state.store.conn().await?;
                Ok((path, public::feed_xml(state, base, &mut c, ch).await?))
            }
            .boxed(),
        );
    }
    // Sitemap parts the index no longer names go.
    let parts = {
        let mut c = state.store.conn().await?;
        public::sitemap_parts(state, &mut c).await?
    };
    renders.push(async move {
        let mut c = state.store.conn().await?;
        Ok(("sitemap.xml".to_string(), public::sitemap_index_xml(state, base, &mut c).await?))
    }.boxed());
    let part = public::SitemapPart::of(article.id);
    let held: std::collections::HashSet<String> = held!(m.paths_in("sitemaps")).into_iter().collect();
    let listed: std::collections::HashSet<String> = parts.iter().map(|p| p.path()[1..].to_string()).collect();
    for p in parts.into_iter().filter(|&p| p == part || !held.contains(&p.path()[1..])) {
        renders.push(async move {
            let mut c = state.store.conn().await?;
            Ok((p.path()[1..].to_string(), public::sitemap_part_xml(state, base, &mut c, p).await?))
        }.boxed());
    }
    for path in held.iter().filter(|p| !listed.contains(p.as_str())) {
        remove(path, &mut removed);
    }
    // A few at a time: a retraction among old stories changes every later archive page, and
    // readers need connections too.
    use futures::{StreamExt, TryStreamExt};
    let rendered: Vec<(String, String)> = futures::stream::iter(renders).buffer_unordered(RENDERS_AT_ONCE).try_collect().await?;
    for (path, body) in rendered {
        tree.put(&path, body.as_bytes())?;
    }
    for path in &removed {
        held!(m.remove(path));
    }
    for e in tree.files {
        held!(m.put(e));
    }
    held!(m.set_version(article.id, (!article.retracted).then_some(article.version)));
    save_manifest(out, m, key)?;
    Ok(Ok(()))
}

/// Brings the export in `out` in step with the database after an interrupted run (`serve`
/// does this at start): a change that committed just before a crash, while the export had
/// not yet taken it in, is written now. The signed manifest says which version of each
/// article the export holds; every article behind (or retracted but still there) is updated
/// as after a publish, or, when many are, or the manifest predates the versions, the whole
/// export is written anew. Returns how many articles were brought up to date.
pub async fn mend(state: &AppState, out: &Path) -> ServiceResult<usize> {
    if !out.join("manifest.json").exists() {
        return Ok(0); // nothing exported yet: the first publish writes it
    }
    let key = signing_key(state).await?;
    let live: Vec<(i64, i64)> = {
        let mut c = state.store.conn().await?;
        articles::versions(&mut c, state.site_id()).await?
    };
    let Ok((held, _)) = read_manifest(out, &key.verifying_key()) else {
        let base = site_address(state).await?;
        return export(state, out, &base, |_, _| {}).await.map(|r| r.articles);
    };
    let (mut behind, gone) = articles::difference(&live, &held.articles);
    behind.extend(gone);
    if behind.is_empty() {
        return Ok(0);
    }
    if behind.len() > 50 || held.articles.is_empty() {
        let base = site_address(state).await?;
        return export(state, out, &base, |_, _| {}).await.map(|r| r.articles);
    }
    for id in &behind {
        let manuscript = {
            let mut c = state.store.conn().await?;
            articles::get(&mut c, state.site_id(), *id).await?.manuscript_id
        };
        update(state, out, manuscript).await?;
    }
    Ok(behind.len())
}
