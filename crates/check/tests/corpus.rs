//! The checker against the team's labelled corpus (`tests/corpus/*.txt`, marks as described in
//! `yuanxun_check::eval`): overall recall must stay ≥ 0.90 and precision ≥ 0.95, and every
//! clean near-miss document must stay clean. `yuanxun check-eval crates/check/tests/corpus`
//! prints the same figures per category with every miss and false alarm.

use std::path::PathBuf;

use yuanxun_check::eval::{parse, score, Score};
use yuanxun_check::Checker;

#[test]
fn labelled_corpus_recall_and_precision() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    files.sort();
    let checker = Checker::builtin();
    let mut total = Score::default();
    let (mut docs, mut clean) = (0, 0);
    for f in &files {
        let doc = parse(&std::fs::read_to_string(f).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let s = score(&checker, &doc);
        if doc.labels.is_empty() {
            clean += 1;
            assert!(s.false_alarms.is_empty(), "clean document {} flagged: {:?}", f.display(), s.false_alarms);
        }
        docs += 1;
        total.merge(s);
    }
    let t = total.total();
    assert!(docs >= 120 && clean >= 20 && t.labels >= 400, "the corpus shrank: {docs} documents, {clean} clean, {} labels", t.labels);
    // Every category is exercised, not only the easy ones.
    for (category, v) in &total.by_category {
        assert!(v.labels >= 5, "only {} labelled errors of category {}", v.labels, category.as_str());
    }
    assert_eq!(total.by_category.len(), 11, "a category has no labelled errors: {:?}", total.by_category.keys().collect::<Vec<_>>());
    let report = total.by_category.iter().map(|(c, v)| format!("{}: recall {:.3} precision {:.3} ({} labels)", c.as_str(), v.recall(), v.precision(), v.labels)).collect::<Vec<_>>().join("\n");
    assert!(t.recall() >= 0.90, "recall {:.3} < 0.90\n{report}\nmissed: {:?}", t.recall(), total.missed);
    assert!(t.precision() >= 0.95, "precision {:.3} < 0.95\n{report}\nfalse alarms: {:?}", t.precision(), total.false_alarms);
}
