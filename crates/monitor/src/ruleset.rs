//! Many rules against many items: every word of every rule goes into one Aho-Corasick
//! automaton (daachorse, on whole characters), so a text is scanned once whatever the
//! number of rules, and each rule is then decided from which words were found where.
//! Gives the same answers as [`Expr::matches`] (property-tested).

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder};

use crate::expr::{normalize, Expr};

/// A rule with its words replaced by their numbers in the automaton.
#[derive(Debug, Clone)]
enum Compiled {
    Word(usize),
    And(Vec<Compiled>),
    Or(Vec<Compiled>),
    Not(Box<Compiled>),
    Near(usize, usize, usize),
}

/// A set of rules compiled for matching together.
pub struct RuleSet {
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    words: usize,
    rules: Vec<Compiled>,
}

fn compile(e: &Expr, words: &mut Vec<String>) -> Compiled {
    let mut id = |w: &str| match words.iter().position(|x| x == w) {
        Some(i) => i,
        None => {
            words.push(w.to_string());
            words.len() - 1
        }
    };
    match e {
        Expr::Word(w) => Compiled::Word(id(w)),
        Expr::Near(a, b, gap) => {
            let (a, b) = (id(a), id(b));
            Compiled::Near(a, b, *gap)
        }
        Expr::And(parts) => Compiled::And(parts.iter().map(|p| compile(p, words)).collect()),
        Expr::Or(parts) => Compiled::Or(parts.iter().map(|p| compile(p, words)).collect()),
        Expr::Not(inner) => Compiled::Not(Box::new(compile(inner, words))),
    }
}

impl RuleSet {
    /// Compiles `rules` (their order is kept: [`RuleSet::matching`] answers with indexes).
    pub fn new(rules: &[Expr]) -> RuleSet {
        let mut words = Vec::new();
        let rules: Vec<Compiled> = rules.iter().map(|r| compile(r, &mut words)).collect();
        let automaton = (!words.is_empty()).then(|| {
            CharwiseDoubleArrayAhoCorasickBuilder::new().build(words.iter().map(String::as_str)).expect("rule words are distinct and non-empty")
        });
        RuleSet { automaton, words: words.len(), rules }
    }

    /// The indexes of the rules `text` satisfies.
    pub fn matching(&self, text: &str) -> Vec<usize> {
        let text = normalize(text);
        // Where each word occurs, as (start, end) in characters.
        let mut found: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.words];
        if let Some(ac) = &self.automaton {
            // Characters before each byte offset (matches come in bytes, NEAR counts characters).
            let mut chars_before = Vec::with_capacity(text.len() + 1);
            for (n, (i, _)) in text.char_indices().enumerate() {
                chars_before.resize(i + 1, n);
            }
            chars_before.resize(text.len() + 1, text.chars().count());
            for m in ac.find_overlapping_iter(&text) {
                found[m.value() as usize].push((chars_before[m.start()], chars_before[m.end()]));
            }
        }
        (0..self.rules.len()).filter(|&i| holds(&self.rules[i], &found)).collect()
    }
}

fn holds(rule: &Compiled, found: &[Vec<(usize, usize)>]) -> bool {
    match rule {
        Compiled::Word(w) => !found[*w].is_empty(),
        Compiled::And(parts) => parts.iter().all(|p| holds(p, found)),
        Compiled::Or(parts) => parts.iter().any(|p| holds(p, found)),
        Compiled::Not(inner) => !holds(inner, found),
        Compiled::Near(a, b, gap) => crate::expr::close(&found[*a], &found[*b], *gap),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Sets;
    use proptest::prelude::*;

    #[test]
    fn many_rules_one_scan() {
        let sets = Sets::new();
        let rules: Vec<Expr> = ["示医 & (纠纷 | 投诉) & !招聘", "NEAR(急诊, 打人, 10)", "表扬 | 锦旗", "\"急诊科 医生\""].iter().map(|r| Expr::parse(r, &sets).unwrap()).collect();
        let set = RuleSet::new(&rules);
        assert_eq!(set.matching("示医急诊科医生被患者家属打人，引发纠纷"), [0, 1, 3]);
        assert_eq!(set.matching("患者送锦旗表扬示医"), [2]);
        assert_eq!(set.matching("示医招聘：投诉电话"), Vec::<usize>::new());
        assert!(RuleSet::new(&[]).matching("任何内容").is_empty());
    }

    fn arb_rule() -> impl Strategy<Value = Expr> {
        crate::strategies::rule(&["急诊", "诊室", "纠纷", "医院", "打人", "ab", "b"], true)
    }

    proptest! {
        /// The compiled set answers as each rule alone would.
        #[test]
        fn the_compiled_set_agrees_with_each_rule(rules in prop::collection::vec(arb_rule(), 1..6), text in "[急诊室纠纷医院打人ab ]{0,16}") {
            let set = RuleSet::new(&rules);
            let alone: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].matches(&text)).collect();
            prop_assert_eq!(set.matching(&text), alone);
        }
    }
}
