//! `yuanxun check FILE...`: the content-risk check on files (.txt, .md, .html, .docx), with
//! the line and a caret under each finding, or JSON. Exit code: 0 clean, 1 warnings only
//! (or info), 2 any blocking finding or an unreadable file. Many files (a whole archive) are
//! checked on every core and reported in the order given.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use anyhow::Context;

use std::sync::Arc;

use yuanxun_check::{CheckInput, CheckReport, Checker, ContextModel, Finding, Format, Severity, SiteLexicon};

/// Which language model the check reads with.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// The language model (KenLM binary trie); by default fcitx's, where Debian's
    /// libime-data-language-model installs it.
    #[arg(long = "model", env = "YUANXUN_CHECK_MODEL")]
    pub path: Option<PathBuf>,
    /// Check with the lexicons and rules only.
    #[arg(long = "no-model", conflicts_with = "path")]
    pub off: bool,
}

impl ModelArgs {
    /// The model to check with: the one given (an error if it cannot be read), else the
    /// system's if installed (a note on stderr if not).
    pub fn load(&self) -> anyhow::Result<Option<Arc<ContextModel>>> {
        let Some(path) = self.path_checked()? else { return Ok(None) };
        Ok(Some(Arc::new(ContextModel::open(&path).with_context(|| format!("无法读取语言模型 {}", path.display()))?)))
    }

    /// The model's path, before anything is opened (for `serve`, which loads it beside):
    /// none with `--no-model` or when the system has none (a note on stderr); a path given
    /// must open (its header is checked now, an error stops the start).
    pub fn path_checked(&self) -> anyhow::Result<Option<PathBuf>> {
        if self.off {
            return Ok(None);
        }
        match &self.path {
            Some(p) => {
                yuanxun_check::model::ngram::NgramModel::open(p).with_context(|| format!("无法读取语言模型 {}", p.display()))?;
                Ok(Some(p.clone()))
            }
            None => {
                let p = yuanxun_check::model::system_model_path();
                if p.is_none() {
                    eprintln!("提示：未安装语言模型（apt-get install libime-data-language-model），只按词库和规则检查");
                }
                Ok(p)
            }
        }
    }
}

/// Loads the model at `path` on a thread of its own (its indexes take seconds) and hands it
/// to `ready`, while the server already answers.
pub fn load_model_beside(path: PathBuf, ready: impl FnOnce(Arc<ContextModel>) + Send + 'static) -> anyhow::Result<()> {
    std::thread::Builder::new().name("check-model".into()).spawn(move || match ContextModel::open(&path) {
        Ok(m) => {
            eprintln!("语言模型已载入：{}", m.name());
            ready(Arc::new(m));
        }
        Err(e) => eprintln!("警告：无法读取语言模型 {}：{e}；稿件检查只按词库和规则", path.display()),
    })?;
    Ok(())
}

/// Output format.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// A file read for checking: its text and how to read it.
struct Doc {
    text: String,
    format: Format,
}

fn read(path: &Path) -> anyhow::Result<Doc> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", path.display()))?;
    match ext.as_str() {
        "docx" => {
            let imported = yuanxun_docx::read_docx(&bytes, &yuanxun_docx::Limits::default())?;
            // Check what a reader sees: the title, then the body's visible text, line by line.
            let body = yuanxun_check::source::Stream::from_html(&imported.body_html).text;
            Ok(Doc { text: format!("{}\n{}", imported.title, body.trim_start_matches(imported.title.as_str()).trim_start_matches('\n')), format: Format::Text })
        }
        "html" | "htm" => Ok(Doc { text: utf8(path, bytes)?, format: Format::Html }),
        "txt" | "md" | "markdown" | "" => Ok(Doc { text: utf8(path, bytes)?, format: Format::Text }),
        other => anyhow::bail!("{}：不支持 .{other} 文件，可检查 .txt、.md、.html、.docx", path.display()),
    }
}

fn utf8(path: &Path, bytes: Vec<u8>) -> anyhow::Result<String> {
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} 不是 UTF-8 编码的文本：请另存为 UTF-8 后再检查", path.display()))
}

pub fn run(files: &[PathBuf], date: Option<&str>, format: OutputFormat, site_names: &[String], model: &ModelArgs) -> anyhow::Result<ExitCode> {
    let date = match date {
        Some(d) => Some(yuanxun_check::lexicon::parse_date(d).ok_or_else(|| anyhow::anyhow!("日期“{d}”无效，应为 YYYY-MM-DD，例如 2024-05-01"))?),
        None => None,
    };
    let site = SiteLexicon { own_names: site_names.to_vec(), ..Default::default() };
    let checker = Checker::new(&site).with_model(model.load()?);
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut worst: Option<Severity> = None;
    let mut failed = false;
    let mut reports = Vec::new();
    let out = std::io::stdout();
    let mut out = out.lock();
    // An archive takes a while: a progress bar on the terminal (hidden when stderr is not one).
    let bar = if files.len() >= 20 { indicatif::ProgressBar::new(files.len() as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} 个文件 剩余 {eta}").expect("a valid template"));
    bar.set_message("读取");
    // Read every file first, then check them on every core.
    let mut docs = Vec::with_capacity(files.len());
    for path in files {
        match read(path) {
            Ok(d) => docs.push((path, d)),
            Err(e) => {
                bar.suspend(|| eprintln!("错误：{e:#}"));
                failed = true;
            }
        }
        bar.inc(1);
    }
    bar.set_message("检查");
    bar.set_length(docs.len() as u64);
    bar.set_position(0);
    let inputs: Vec<CheckInput> = docs.iter().map(|(_, doc)| CheckInput { text: &doc.text, format: doc.format, date, dismissed: &[] }).collect();
    // Each report is rendered on the core that made it; the output keeps the files' order.
    let rendered = checker.check_many_with(&inputs, |i, report| {
        let (path, doc) = &docs[i];
        let mut text = Vec::new();
        let json = match format {
            OutputFormat::Text => {
                print_text(&mut text, path, &doc.text, &report, color).expect("writing to memory");
                None
            }
            OutputFormat::Json => Some(serde_json::json!({ "file": path.display().to_string(), "report": report })),
        };
        bar.inc(1);
        (report.worst(), text, json)
    });
    bar.finish_and_clear();
    for (w, text, json) in rendered {
        worst = worst.max(w);
        out.write_all(&text)?;
        reports.extend(json);
    }
    if let OutputFormat::Json = format {
        serde_json::to_writer_pretty(&mut out, &reports)?;
        writeln!(out)?;
    }
    Ok(match (failed, worst) {
        (true, _) | (_, Some(Severity::Block)) => ExitCode::from(2),
        (_, Some(_)) => ExitCode::from(1),
        (false, None) => ExitCode::SUCCESS,
    })
}

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn print_text(out: &mut impl Write, path: &Path, text: &str, report: &CheckReport, color: bool) -> std::io::Result<()> {
    let lines: Vec<&str> = text.split('\n').collect();
    for f in &report.findings {
        let (sev_color, sev) = match f.severity {
            Severity::Block => ("1;31", "必须修改"),
            Severity::Warn => ("1;33", "警告"),
            Severity::Info => ("1;36", "提示"),
        };
        writeln!(out, "{}:{}:{}: {} [{}·{}] {}", path.display(), f.line, f.column, paint(color, sev_color, sev), f.category.label(), f.rule, f.reason)?;
        caret(out, &lines, f, color, sev_color)?;
        if let Some(s) = &f.suggestion {
            writeln!(out, "    建议：{}", paint(color, "32", s))?;
        }
    }
    let c = report.counts;
    writeln!(out, "{}：必须修改 {} 处，警告 {} 处，提示 {} 处（词库版本 {}）", path.display(), c.block, c.warn, c.info, report.lexicon_version)?;
    Ok(())
}

/// The finding's line with a caret under its span (display width: CJK characters take two
/// columns). Long lines are cut to a window around the span.
fn caret(out: &mut impl Write, lines: &[&str], f: &Finding, color: bool, sev_color: &str) -> std::io::Result<()> {
    let Some(line) = lines.get(f.line - 1) else { return Ok(()) };
    let chars: Vec<char> = line.trim_end_matches('\r').chars().collect();
    let start = f.column - 1;
    let len = (f.end - f.start).max(1);
    let from = start.saturating_sub(30);
    let to = (start + len + 30).min(chars.len());
    let width = |c: &char| if (*c as u32) >= 0x1100 { 2 } else { 1 };
    let shown: String = chars[from.min(chars.len())..to].iter().collect();
    let pad: usize = chars[from.min(chars.len())..start.min(chars.len())].iter().map(width).sum();
    let mark: usize = chars[start.min(chars.len())..(start + len).min(chars.len())].iter().map(width).sum::<usize>().max(1);
    writeln!(out, "    {}{}", if from > 0 { "…" } else { "" }, shown)?;
    writeln!(out, "    {}{}{}", if from > 0 { " " } else { "" }, " ".repeat(pad), paint(color, sev_color, &"^".repeat(mark)))?;
    Ok(())
}

/// `yuanxun check-eval DIR`: scores the checker against a labelled corpus (every `.txt`
/// under DIR, marks as in `yuanxun_check::eval`) and prints recall and precision per category,
/// then every missed label and false alarm. Exit code 0; 1 when overall recall < 0.90 or
/// precision < 0.95 (the quality bar the crate's tests hold).
pub fn eval(dir: &Path, model: &ModelArgs) -> anyhow::Result<ExitCode> {
    use yuanxun_check::eval;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("无法读取目录 {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("{} 中没有 .txt 语料文件", dir.display());
    }
    let checker = Checker::builtin().with_model(model.load()?);
    let mut total = eval::Score::default();
    let mut clean = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).with_context(|| format!("无法读取 {}", f.display()))?;
        let doc = eval::parse(&src).map_err(|e| anyhow::anyhow!("{}：{e}", f.display()))?;
        if doc.labels.is_empty() {
            clean += 1;
        }
        let s = eval::score(&checker, &doc);
        for m in &s.missed {
            println!("漏报  {}  {}「{}」", f.file_name().unwrap_or_default().to_string_lossy(), m.category.label(), m.surface);
        }
        for m in &s.false_alarms {
            println!("误报  {}  {}「{}」({})", f.file_name().unwrap_or_default().to_string_lossy(), m.category.label(), m.surface, m.rule);
        }
        total.merge(s);
    }
    let t = total.total();
    println!();
    println!("语料 {} 篇（其中无错文档 {} 篇），标注错误 {} 处，报出 {} 处；词库 {}", files.len(), clean, t.labels, t.findings, checker.version());
    println!("{:<10} {:>6} {:>6} {:>8} {:>8}", "类别", "标注", "报出", "召回率", "准确率");
    for (c, v) in &total.by_category {
        println!("{:<10} {:>6} {:>6} {:>8.3} {:>8.3}", c.as_str(), v.labels, v.findings, v.recall(), v.precision());
    }
    println!("{:<10} {:>6} {:>6} {:>8.3} {:>8.3}", "total", t.labels, t.findings, t.recall(), t.precision());
    Ok(if t.recall() >= 0.90 && t.precision() >= 0.95 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `yuanxun check-eval --pairs FILE.tsv`: sentence-level detection on pairs (wrong TAB right):
/// recall on the wrong sentences, false alarms on the right ones, precision. Exit code 0.
pub fn eval_pairs(path: &Path, model: &ModelArgs, margins: Option<&str>, verbose: bool) -> anyhow::Result<ExitCode> {
    use yuanxun_check::eval;
    let src = std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))?;
    let pairs = eval::parse_pairs(&src).map_err(|e| anyhow::anyhow!("{}：{e}", path.display()))?;
    let mut model = model.load()?;
    if let (Some(m), Some(margins)) = (model.as_mut(), margins) {
        let t = yuanxun_check::model::Thresholds::parse(margins).map_err(|e| anyhow::anyhow!("--margins {e}"))?;
        Arc::get_mut(m).expect("not shared yet").thresholds = t;
    }
    let checker = Checker::builtin().with_model(model);
    let started = std::time::Instant::now();
    let s = eval::score_pairs(&checker, &pairs);
    let took = started.elapsed();
    if verbose {
        for m in &s.missed {
            println!("漏报\t{m}");
        }
        for (t, what) in &s.alarms {
            println!("误报\t{t}\t{what}");
        }
        println!();
    }
    println!("句对 {}（错句 {}），模型 {}", pairs.len(), s.wrong, checker.model().map_or("无（仅词库和规则）", |m| m.name()));
    println!("检出率（错句中报在错字上）{:.3}  {}/{}", s.recall(), s.detected, s.wrong);
    println!("其中建议即正确改法        {:.3}  {}/{}", if s.wrong == 0 { 0.0 } else { s.corrected as f64 / s.wrong as f64 }, s.corrected, s.wrong);
    println!("误报率（正句中被报）      {:.3}  {}/{}", s.false_alarm_rate(), s.false_alarms, s.clean);
    println!("准确率                    {:.3}  （报在别处的错句 {}）", s.precision(), s.misplaced);
    let mut rules: Vec<_> = s.false_rules.iter().collect();
    rules.sort_by(|a, b| b.1.cmp(a.1));
    if !rules.is_empty() {
        println!("误报规则：{}", rules.iter().map(|(r, n)| format!("{r} {n}")).collect::<Vec<_>>().join("，"));
    }
    println!("用时 {:.2} 秒（{} 句）", took.as_secs_f64(), 2 * pairs.len());
    Ok(ExitCode::SUCCESS)
}
