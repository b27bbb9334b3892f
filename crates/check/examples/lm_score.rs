//! Prints the model's log10 score of each line of a file of space-separated words (to compare
//! with KenLM's own `query`): `cargo run -p yuanxun-check --example lm_score -- MODEL FILE`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let m = yuanxun_check::model::ngram::NgramModel::open(std::path::Path::new(&args[1])).unwrap();
    for s in std::fs::read_to_string(&args[2]).unwrap().lines() {
        let mut st = m.begin_state();
        let mut parts = Vec::new();
        for w in s.split_whitespace().map(|w| m.index(w).unwrap_or(0)).chain([m.sentence_markers().1]) {
            let (p, next) = m.score(&st, w);
            parts.push((p * 1000.0).round() / 1000.0);
            st = next;
        }
        println!("{:.4}\t{}\t{:?}", parts.iter().sum::<f32>(), s, parts);
    }
}
