//! The Yuanxun server: the newsroom at `/admin`, the JSON API at `/api/v1`, the public site
//! at `/`, and the background jobs of `serve` (scheduled publishing, view-count flushing).
//!
//! Handlers are thin: they parse the request, call [`services`] (where every rule lives, for
//! the UI and the API alike) and render. [`auth`] checks the session and the CSRF token of
//! every state-changing request before any handler runs.

pub mod auth;
pub mod chart;
pub mod demo;
pub mod error;
pub mod heavy;
pub mod jobs;
pub mod pages;
pub mod ratelimit;
pub mod routes;
pub mod sanitize;
pub mod services;
pub mod views;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use yuanxun_store::Store;

pub use error::ServiceError;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Always mark cookies `Secure` (behind an HTTPS proxy that does not set
    /// `X-Forwarded-Proto`).
    pub secure_cookies: bool,
    /// How often the scheduler looks for manuscripts due to publish.
    pub scheduler_every: Duration,
    /// How often counted page views are written to the database.
    pub views_flush_every: Duration,
    /// How often the change feed is read for what other processes on the database changed.
    pub follow_every: Duration,
    /// The largest request body accepted (uploads included).
    pub max_upload: usize,
    /// The public site's address as readers reach it (`https://news.example-hospital.cn`),
    /// used for canonical links, feeds and the sitemap. Without it, the request's Host is used.
    pub public_url: Option<String>,
    /// Where the search index lives (`DATA/search`); `None` keeps it in memory, rebuilt from
    /// the database at every start.
    pub search_dir: Option<PathBuf>,
    /// The site's theme folder (`DATA/theme`): its templates and CSS replace the default
    /// theme's. `None`: the default theme only.
    pub theme_dir: Option<PathBuf>,
    /// How often the theme folder is looked at for changes.
    pub theme_check_every: Duration,
    /// A static export kept up to date: every publish, correction and retraction updates it.
    pub export_dir: Option<PathBuf>,
    /// Hosts besides the site's own that pages may link to (the tamper check reports links
    /// to any other); subdomains included.
    pub link_allowlist: Vec<String>,
    /// How often `serve` runs the tamper check on its export.
    pub verify_every: Duration,
    /// How often the opinion monitor looks for sources due to be fetched.
    pub monitor_every: Duration,
    /// Limits of every monitoring fetch (time, size, redirects).
    pub monitor_limits: services::monitor_fetch::Limits,
    /// How many sources are fetched at once.
    pub monitor_concurrency: usize,
    /// Where alert e-mails are sent through (`smtp://host:25`, `smtps://user:pass@host`);
    /// none: e-mail channels report that nothing is configured.
    pub smtp_url: Option<String>,
    /// The From of alert e-mails.
    pub smtp_from: String,
    /// The outbound policy every fetch and webhook goes through: internal addresses are
    /// refused except the networks listed here (`serve --allow-fetch 10.1.2.0/24`).
    pub outbound: yuanxun_net::Outbound,
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed
    /// (`serve --trusted-proxy 127.0.0.1`); from anyone else those headers are dropped.
    pub trusted_proxies: Vec<yuanxun_net::IpNet>,
    /// How long a session may sit unused before it ends (等保: 2 hours by default).
    pub idle_timeout: Duration,
    /// Requests per minute per client address for logins, searches, downloads and the API
    /// (`serve --rate-limits`).
    pub rate_limits: ratelimit::RateLimits,
    /// How long a password lasts before its owner must change it (`serve --password-days`);
    /// none: passwords do not expire.
    pub password_max_age: Option<Duration>,
    /// How long an article page is served from the render cache before it is rendered
    /// again with its new view count (while the database is down, the old copy is served).
    pub views_refresh: Duration,
    /// Whether public pages are served from the render cache (`serve --page-cache off`
    /// renders every one afresh: for measuring, never for readers).
    pub page_cache: bool,
    /// The language model the check reads manuscripts with (loaded once, shared by every
    /// site); until it is set, lexicons and rules only, and the review sidebar says so.
    pub check_model: CheckModel,
}

/// The language model of the check, set once when loaded: `serve` starts answering at once
/// and loads the model (seconds) beside it; checks before it is ready run without it.
#[derive(Clone, Default)]
pub struct CheckModel(Arc<std::sync::OnceLock<Arc<yuanxun_check::ContextModel>>>);

impl CheckModel {
    /// A slot that holds `m` already.
    pub fn ready(m: Arc<yuanxun_check::ContextModel>) -> CheckModel {
        let slot = CheckModel::default();
        slot.set(m);
        slot
    }

    /// Puts the loaded model in (once; a second model is ignored).
    pub fn set(&self, m: Arc<yuanxun_check::ContextModel>) {
        let _ = self.0.set(m);
    }

    pub fn get(&self) -> Option<Arc<yuanxun_check::ContextModel>> {
        self.0.get().cloned()
    }
}

impl std::fmt::Debug for CheckModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "CheckModel(loaded)" } else { "CheckModel(none)" })
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            scheduler_every: Duration::from_secs(15),
            views_flush_every: Duration::from_secs(10),
            follow_every: Duration::from_millis(250),
            max_upload: 60 * 1024 * 1024,
            public_url: None,
            search_dir: None,
            theme_dir: None,
            theme_check_every: Duration::from_secs(3),
            export_dir: None,
            link_allowlist: vec!["gov.cn".into()],
            verify_every: Duration::from_secs(600),
            monitor_every: Duration::from_secs(15),
            monitor_limits: services::monitor_fetch::Limits::default(),
            monitor_concurrency: 4,
            smtp_url: None,
            smtp_from: "院讯舆情监测 <yuanxun@localhost>".into(),
            outbound: yuanxun_net::Outbound::default(),
            trusted_proxies: Vec::new(),
            idle_timeout: Duration::from_secs(2 * 3600),
            rate_limits: ratelimit::RateLimits::default(),
            password_max_age: None,
            views_refresh: pages::VIEWS_REFRESH,
            page_cache: true,
            check_model: CheckModel::default(),
        }
    }
}

/// Everything a handler needs: a handle to one [`SiteState`], so the clone every middleware
/// layer and handler takes costs one atomic increment, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<SiteState>);

impl std::ops::Deref for AppState {
    type Target = SiteState;
    fn deref(&self) -> &SiteState {
        &self.0
    }
}

/// What one site of the deployment is served with (behind [`AppState`]).
#[derive(Clone)]
pub struct SiteState {
    pub store: Store,
    pub config: Arc<Config>,
    pub templates: Arc<minijinja::Environment<'static>>,
    /// The public site's theme, reloaded when its folder changes (the last good one stays
    /// while a changed folder is broken).
    pub theme: Arc<yuanxun_site::LiveTheme>,
    pub views: Arc<views::ViewCounter>,
    /// The site this deployment serves (one hospital; host-based sites come later).
    pub site: Arc<yuanxun_store::Site>,
    /// The site's compiled check lexicons, rebuilt when they change.
    pub checkers: Arc<services::checks::CheckerCache>,
    /// The public site's full-text index.
    pub search: Arc<yuanxun_search::SearchIndex>,
    /// The public site's rendered pages.
    pub pages: Arc<pages::PageCache>,
    /// Held while the static export is being updated (one update at a time).
    pub export_lock: Arc<tokio::sync::Mutex<()>>,
    /// What the last scheduled tamper check of the export found (shown to admins).
    pub tamper: Arc<std::sync::RwLock<Vec<String>>>,
    /// This process's name in the change feed and on leases (random at each start).
    pub node: Arc<str>,
    /// The Word downloads of articles already built.
    pub words: Arc<services::word::WordCache>,
    /// The rate limits' counters by client address.
    pub limiter: Arc<ratelimit::Limiter>,
}

impl AppState {
    /// Builds the state for the store's default site (creating an empty one if needed).
    /// The search index is opened (or created) here; a new one is filled from the database.
    pub async fn new(store: Store, config: Config) -> anyhow::Result<AppState> {
        let (state, fresh) = Self::open(store, config).await?;
        services::media_sweep(&state, true).await;
        if !fresh {
            let (put, taken) = services::search::mend(&state).await?;
            if put + taken > 0 {
                tracing::warn!("search index was behind the database (the last run was interrupted?): {put} articles put in as they now are, {taken} taken out");
            }
        } else {
            let n = services::search::reindex(&state, |_, _| {}).await?;
            if n > 0 {
                tracing::info!("search index built: {n} articles");
            }
        }
        if let Some(dir) = state.config.export_dir.clone() {
            let _one_at_a_time = state.export_lock.lock().await;
            match services::export::mend(&state, &dir).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!("static export in {} was behind the database (the last run was interrupted?): {n} articles brought up to date", dir.display()),
                Err(e) => tracing::error!("static export in {} not brought up to date: {e}", dir.display()),
            }
        }
        Ok(state)
    }

    /// The state without filling a new search index; the flag says whether the index is new
    /// (empty) and needs [`services::search::reindex`].
    pub async fn open(store: Store, config: Config) -> anyhow::Result<(AppState, bool)> {
        let site = Self::load_site(&store).await?;
        Self::open_site(store, config, site).await
    }

    /// The state of another site of the same deployment (several hospitals on one server,
    /// told apart by host name): the same store, templates and process name; its own site,
    /// theme folder and search index (beside the first site's: `theme-{slug}`,
    /// `search-{slug}`), caches and view counter. The static export is the first site's.
    pub async fn sibling(&self, site: yuanxun_store::Site) -> anyhow::Result<AppState> {
        let mut config = (*self.config).clone();
        config.search_dir = config.search_dir.map(|d| d.with_file_name(format!("search-{}", site.slug)));
        config.theme_dir = config.theme_dir.map(|d| d.with_file_name(format!("theme-{}", site.slug)));
        config.export_dir = None;
        if let Some(dir) = &config.theme_dir {
            std::fs::create_dir_all(dir)?;
        }
        let (state, fresh) = Self::open_site(self.store.clone(), config, site).await?;
        let state = AppState(Arc::new(SiteState { node: self.node.clone(), ..(*state.0).clone() }));
        if fresh {
            services::search::reindex(&state, |_, _| {}).await?;
        } else {
            let (put, taken) = services::search::mend(&state).await?;
            if put + taken > 0 {
                tracing::warn!("search index of {} was behind the database: {put} articles put in, {taken} taken out", state.site.slug);
            }
        }
        Ok(state)
    }

    async fn open_site(store: Store, config: Config, site: yuanxun_store::Site) -> anyhow::Result<(AppState, bool)> {
        let (search, fresh) = match &config.search_dir {
            Some(dir) => yuanxun_search::SearchIndex::open(dir)?,
            None => (yuanxun_search::SearchIndex::in_memory()?, true),
        };
        let theme_dir = config.theme_dir.clone();
        let theme = tokio::task::spawn_blocking(move || yuanxun_site::LiveTheme::new(theme_dir)).await?;
        if let Some(e) = theme.error() {
            tracing::error!("theme folder has an error, serving the default theme: {e}");
        }
        let limiter = Arc::new(ratelimit::Limiter::new(config.rate_limits));
        let pages = Arc::new(if config.page_cache { pages::PageCache::default() } else { pages::PageCache::bypassed() });
        let state = AppState(Arc::new(SiteState {
            store,
            config: Arc::new(config),
            templates: Arc::new(routes::admin::templates()),
            theme: Arc::new(theme),
            views: Arc::new(views::ViewCounter::default()),
            site: Arc::new(site),
            checkers: Arc::default(),
            search: Arc::new(search),
            pages,
            export_lock: Arc::default(),
            tamper: Arc::default(),
            node: Arc::from(format!("{:016x}", rand::random::<u64>())),
            words: Arc::default(),
            limiter,
        }));
        Ok((state, fresh))
    }

    async fn load_site(store: &Store) -> anyhow::Result<yuanxun_store::Site> {
        let mut tx = store.begin().await?;
        let site = match yuanxun_store::sites::default_site(tx.conn()).await? {
            Some(s) => s,
            None => yuanxun_store::sites::create_site(tx.conn(), "default", "院讯示范医院", "").await?,
        };
        tx.commit().await?;
        Ok(site)
    }

    /// The same state with the site re-read (after the demo seeded it).
    pub async fn reload_site(self) -> anyhow::Result<AppState> {
        let site = Arc::new(Self::load_site(&self.store).await?);
        Ok(AppState(Arc::new(SiteState { site, ..(*self.0).clone() })))
    }

    /// The current site's id.
    pub fn site_id(&self) -> i64 {
        self.site.id
    }
}

/// A running server, for `serve` and for tests.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: tokio::sync::watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops accepting requests, finishes those under way, stops the jobs and flushes views.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.handle.await;
    }

    /// Waits until the server stops (after a signal).
    pub async fn wait(self) {
        let _ = self.handle.await;
    }
}

/// Binds `addr`, starts the background jobs and serves until `shutdown` is called or, with
/// `on_signal`, until SIGINT/SIGTERM.
pub async fn start(state: AppState, addr: SocketAddr, on_signal: bool) -> anyhow::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("无法监听 {addr}：{e}（端口被占用？用 --listen 换一个地址）"))?;
    let addr = listener.local_addr()?;
    // jieba's dictionary is loaded before the first reader's search, not during it (and not
    // at all for one-off commands such as an export).
    tokio::task::spawn_blocking(yuanxun_search::SearchIndex::warm_up).await?;
    // Every other site of the deployment, answered by its host name.
    let mut states = vec![state.clone()];
    let others = {
        let mut c = state.store.conn().await?;
        yuanxun_store::sites::list_sites(&mut c).await?
    };
    for site in others.into_iter().filter(|s| s.id != state.site_id()) {
        states.push(state.sibling(site).await?);
    }
    let (tx, rx) = tokio::sync::watch::channel(false);
    let jobs: Vec<jobs::Jobs> = states.iter().map(|s| jobs::spawn(s.clone(), rx.clone())).collect();
    let app = routes::by_host(&states);
    let flush_states = states.clone();
    let mut stop = rx.clone();
    let handle = tokio::spawn(async move {
        let signal = async move {
            if on_signal {
                tokio::select! {
                    _ = stop.changed() => {},
                    _ = shutdown_signal() => {},
                }
            } else {
                let _ = stop.changed().await;
            }
        };
        let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(signal)
            .await;
        if let Err(e) = served {
            tracing::error!("server error: {e}");
        }
        for j in &jobs {
            j.stop().await;
        }
        for s in &flush_states {
            if let Err(e) = s.views.flush(&s.store).await {
                tracing::error!("could not flush view counts at shutdown: {e}");
            }
        }
    });
    Ok(Running { addr, state, shutdown: tx, handle })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Where `serve` keeps its data when not told otherwise.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from("yuanxun-data")
}
