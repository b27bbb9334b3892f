//! Prints the language-model findings on text files, one line each, and their rate per
//! 10,000 characters: `cargo run --release -p yuanxun-check --example model_findings -- [margins] [--all] FILE...`
//! (`--all`: print every finding at warn or above, not only the model's).
use std::sync::Arc;
fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut m = yuanxun_check::ContextModel::system().expect("installed").unwrap();
    if args.first().is_some_and(|a| a.contains(',') && !a.contains('/')) {
        m.thresholds = yuanxun_check::model::Thresholds::parse(&args.remove(0)).unwrap();
    }
    let all = args.iter().any(|a| a == "--all");
    args.retain(|a| a != "--all");
    let c = yuanxun_check::Checker::builtin().with_model(Some(Arc::new(m)));
    let (mut chars, mut found, mut warn) = (0usize, 0usize, 0usize);
    for f in &args {
        let text = std::fs::read_to_string(f).unwrap();
        chars += text.chars().count();
        let r = c.check(&yuanxun_check::CheckInput::text(&text));
        for x in &r.findings {
            if x.severity >= yuanxun_check::Severity::Warn { warn += 1; }
            if x.rule.contains("model") {
                found += 1;
            }
            if x.rule.contains("model") || (all && x.severity >= yuanxun_check::Severity::Warn) {
                let ctx: String = text.chars().skip(x.start.saturating_sub(8)).take(x.end - x.start + 16).collect();
                println!("{f}\t{}\t{}→{}\t{}\t{}", x.rule, x.text, x.suggestion.as_deref().unwrap_or(""), ctx.replace('\n', " "), x.reason);
            }
        }
    }
    println!("{chars} chars, {found} model findings ({:.2} per 10k chars), {warn} warn+ findings in all ({:.2} per 10k)", found as f64 * 1e4 / chars as f64, warn as f64 * 1e4 / chars as f64);
}
