//! Calibration of the language-model stage without building the whole CLI:
//! `cargo run --release -p yuanxun-check --example pairs_eval -- FILE.tsv [margins] [-v] [--unigram] [--no-model]`
//! (the same counts as `yuanxun check-eval --pairs`).
use std::sync::Arc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pairs = yuanxun_check::eval::parse_pairs(&std::fs::read_to_string(&args[1]).unwrap()).unwrap();
    let mut m = yuanxun_check::ContextModel::system().expect("installed").unwrap();
    if let Some(v) = args.get(2).filter(|a| a.contains(',')) {
        m.thresholds = yuanxun_check::model::Thresholds::parse(v).unwrap();
    }
    m.unigram_only = args.iter().any(|a| a == "--unigram");
    let checker = if args.iter().any(|a| a == "--no-model") { yuanxun_check::Checker::builtin() } else { yuanxun_check::Checker::builtin().with_model(Some(Arc::new(m))) };
    let t = std::time::Instant::now();
    let s = yuanxun_check::eval::score_pairs(&checker, &pairs);
    if args.iter().any(|a| a == "-v") {
        s.missed.iter().for_each(|m| println!("MISS\t{m}"));
        s.alarms.iter().for_each(|(t, w)| println!("FA\t{t}\t{w}"));
    }
    println!("recall {:.3} ({}/{}) corrected {} FA {:.3} ({}/{}) precision {:.3} misplaced {} rules {:?} in {:?}", s.recall(), s.detected, s.wrong, s.corrected, s.false_alarm_rate(), s.false_alarms, s.clean, s.precision(), s.misplaced, s.false_rules, t.elapsed());
}
