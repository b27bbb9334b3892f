//! Time of the check with and without the language model on a text file:
//! `cargo run --release -p yuanxun-check --example model_speed -- FILE`.
use std::sync::Arc;
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let chars = text.chars().count();
    let rss = || std::fs::read_to_string("/proc/self/status").unwrap().lines().find(|l| l.starts_with("VmRSS")).map(|l| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024).unwrap();
    let before = rss();
    let t = std::time::Instant::now();
    let m = Arc::new(yuanxun_check::ContextModel::system().expect("installed").unwrap());
    println!("model opened in {:?}; resident {} MB → {} MB", t.elapsed(), before, rss());
    for (name, c) in [("rules", yuanxun_check::Checker::builtin()), ("rules+model", yuanxun_check::Checker::builtin().with_model(Some(m)))] {
        let input = yuanxun_check::CheckInput::text(&text);
        let n = if name == "rules" { 20 } else { 1000 };
        let t = std::time::Instant::now();
        let mut found = 0;
        for _ in 0..n { found = c.check(&input).findings.len(); }
        let per = t.elapsed() / n;
        if name != "rules" { println!("resident after checks: {} MB", rss()); }
        println!("{name}: {:?} per check of {chars} chars = {:.3} ms per 1000 chars, {found} findings", per, per.as_secs_f64() * 1e6 / chars as f64);
    }
}
