//! How an item speaks of the hospital (情感倾向), and what a negative one is about (舆情类别).
//!
//! A lexicon scorer, not a model: the words are the team's (`data/sentiment.tsv`,
//! `data/categories.tsv`), so a member of staff can read why an item scored as it did and
//! the result never depends on a download. One Aho-Corasick pass (leftmost-longest, so
//! 未来 is not 未 + 来) finds sentiment words, negators, degree words and contrasts; each
//! sentiment word counts its weight, multiplied by the degree words and flipped by the
//! negators just before it in the same clause, and counted half again after a contrast
//! (但是, 却) in its sentence. A small naive Bayes model learnt from the team's labelled set
//! ([`crate::bayes`]) adds what the lexicon has no word for; the sum is squashed to -1..1.
//!
//! Measured by `yuanxun monitor-eval` on the team's labelled set (`data/hospital-sentiment.tsv`)
//! and on a public review corpus; see [`crate::eval`].

use std::sync::OnceLock;

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};

use crate::bayes::Bayes;
use crate::eval::{parse_set, HOSPITAL_SET, Labelled};
use crate::expr::normalize;

/// The lexicon's text, built in.
pub const SENTIMENT_TSV: &str = include_str!("../data/sentiment.tsv");
/// The category words, built in.
pub const CATEGORIES_TSV: &str = include_str!("../data/categories.tsv");

/// Below this score an item is negative, above its opposite positive.
pub const THRESHOLD: f32 = 0.2;

/// How many characters back a negator or degree word still reaches its word.
const REACH: usize = 4;

/// The three labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Polarity {
    Negative,
    Neutral,
    Positive,
}

impl Polarity {
    pub fn of(score: f32) -> Polarity {
        if score <= -THRESHOLD {
            Polarity::Negative
        } else if score >= THRESHOLD {
            Polarity::Positive
        } else {
            Polarity::Neutral
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Polarity::Negative => "负面",
            Polarity::Neutral => "中性",
            Polarity::Positive => "正面",
        }
    }

    pub fn from_label(s: &str) -> Option<Polarity> {
        [Polarity::Negative, Polarity::Neutral, Polarity::Positive].into_iter().find(|p| p.label() == s)
    }
}

/// What a negative item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Category {
    MedicalDispute,
    ServiceComplaint,
    Price,
    Corruption,
    Safety,
    Rumour,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] =
        [Category::MedicalDispute, Category::ServiceComplaint, Category::Price, Category::Corruption, Category::Safety, Category::Rumour, Category::Other];

    pub fn label(self) -> &'static str {
        match self {
            Category::MedicalDispute => "医疗纠纷",
            Category::ServiceComplaint => "服务投诉",
            Category::Price => "价格收费",
            Category::Corruption => "廉政问题",
            Category::Safety => "安全事故",
            Category::Rumour => "不实谣言",
            Category::Other => "其他",
        }
    }

    pub fn from_label(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.label() == s)
    }

    /// The stable name kept in the database.
    pub fn key(self) -> &'static str {
        match self {
            Category::MedicalDispute => "dispute",
            Category::ServiceComplaint => "service",
            Category::Price => "price",
            Category::Corruption => "corruption",
            Category::Safety => "safety",
            Category::Rumour => "rumour",
            Category::Other => "other",
        }
    }

    pub fn from_key(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == s)
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Positive(f32),
    Negative(f32),
    Negator,
    Degree(f32),
    Contrast,
    Neutral,
}

/// The compiled lexicons.
pub struct Scorer {
    words: CharwiseDoubleArrayAhoCorasick<u32>,
    kinds: Vec<Kind>,
    categories: CharwiseDoubleArrayAhoCorasick<u32>,
    category_of: Vec<(Category, f32)>,
    model: Option<Bayes>,
}

/// How far the learnt model moves the lexicon's sum (its margin is -1..1).
const MODEL_WEIGHT: f32 = 0.6;

/// The score of one text, with the words that made it (for the page that explains it).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reading {
    /// -1 (hostile) .. 1 (praise).
    pub score: f32,
    pub polarity: Polarity,
    /// The sentiment words found, with what each counted (negative below zero).
    pub words: Vec<(String, f32)>,
}

/// The rows of a lexicon file: line number, three columns, and the third read as a weight.
fn rows<'a>(text: &'a str, what: &str) -> Result<Vec<(usize, [&'a str; 3], f32)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [a, b, c] = cols[..] else { return Err(format!("{what}第 {} 行应为三列", i + 1)) };
        let w: f32 = c.parse().map_err(|_| format!("{what}第 {} 行的权重不是数字", i + 1))?;
        out.push((i + 1, [a, b, c], w));
    }
    Ok(out)
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n' | '…')
}

fn is_clause_end(c: char) -> bool {
    is_sentence_end(c) || matches!(c, '，' | ',' | '、' | '：' | ':')
}

impl Scorer {
    /// The built-in lexicons.
    pub fn builtin() -> &'static Scorer {
        static SCORER: OnceLock<Scorer> = OnceLock::new();
        SCORER.get_or_init(|| {
            let set = parse_set(HOSPITAL_SET).expect("the built-in labelled set parses");
            Scorer::new(SENTIMENT_TSV, CATEGORIES_TSV).expect("the built-in lexicons parse").with_model(&set)
        })
    }

    /// The same lexicons with a model learnt from `examples` added to them.
    pub fn with_model(mut self, examples: &[Labelled]) -> Scorer {
        self.model = Some(Bayes::train(examples.iter().map(|e| (e.text.as_str(), e.polarity))));
        self
    }

    /// Compiles lexicons in the formats of `data/`. Errors name the line.
    pub fn new(sentiment: &str, categories: &str) -> Result<Scorer, String> {
        let mut terms: Vec<String> = Vec::new();
        let mut kinds = Vec::new();
        for (n, [term, kind, _], w) in rows(sentiment, "情感词表")? {
            let kind = match kind {
                "pos" => Kind::Positive(w),
                "neg" => Kind::Negative(w),
                "not" => Kind::Negator,
                "degree" => Kind::Degree(w),
                "but" => Kind::Contrast,
                "neu" => Kind::Neutral,
                other => return Err(format!("情感词表第 {n} 行的类型“{other}”不认识")),
            };
            let term = normalize(term);
            if !term.is_empty() && !terms.contains(&term) {
                terms.push(term);
                kinds.push(kind);
            }
        }
        let words = CharwiseDoubleArrayAhoCorasickBuilder::new().match_kind(MatchKind::LeftmostLongest).build(&terms).map_err(|e| e.to_string())?;

        let mut cterms: Vec<String> = Vec::new();
        let mut category_of = Vec::new();
        for (n, [cat, term, _], w) in rows(categories, "类别词表")? {
            let cat = Category::from_label(cat).ok_or_else(|| format!("类别词表第 {n} 行的类别“{cat}”不认识"))?;
            let term = normalize(term);
            if !term.is_empty() && !cterms.contains(&term) {
                cterms.push(term);
                category_of.push((cat, w));
            }
        }
        // Overlapping: 收红包 counts as well as 红包 (both say corruption).
        let categories = CharwiseDoubleArrayAhoCorasickBuilder::new().build(&cterms).map_err(|e| e.to_string())?;
        Ok(Scorer { words, kinds, categories, category_of, model: None })
    }

    /// Scores `text`.
    pub fn read(&self, text: &str) -> Reading {
        let text = normalize(text);
        self.read_normalized(&text)
    }

    /// The score alone (the hot path of ingestion).
    pub fn score(&self, text: &str) -> f32 {
        self.read_normalized(&normalize(text)).score
    }

    fn read_normalized(&self, text: &str) -> Reading {
        // Sentences already read, and the one being read (a contrast halves what came before
        // it in its sentence: 环境不错，但是护士态度恶劣 is a complaint).
        let mut sum = 0.0f32;
        let mut sentence = 0.0f32;
        let mut words = Vec::new();
        // The negators and the last degree word, by the character position where they end.
        let mut negators: Vec<usize> = Vec::new();
        let mut degree: Option<(usize, f32)> = None;
        let mut contrast = false;
        let mut clause_start = 0usize;
        let mut cursor_byte = 0usize;
        let mut cursor_char = 0usize;
        for m in self.words.leftmost_find_iter(text) {
            for c in text[cursor_byte..m.start()].chars() {
                if is_sentence_end(c) {
                    sum += sentence;
                    sentence = 0.0;
                    contrast = false;
                }
                if is_clause_end(c) {
                    clause_start = cursor_char + 1;
                }
                cursor_char += 1;
            }
            let start = cursor_char;
            let len = text[m.start()..m.end()].chars().count();
            cursor_byte = m.end();
            cursor_char += len;
            let base = match self.kinds[m.value() as usize] {
                Kind::Negator => {
                    negators.push(start + len);
                    continue;
                }
                Kind::Degree(w) => {
                    degree = Some((start + len, w));
                    continue;
                }
                Kind::Contrast => {
                    contrast = true;
                    sentence *= 0.5;
                    continue;
                }
                Kind::Neutral => continue,
                Kind::Positive(w) => w,
                Kind::Negative(w) => -w,
            };
            let near = |end: usize| end >= clause_start && end <= start && start - end <= REACH;
            let flips: Vec<usize> = negators.iter().copied().filter(|&e| near(e)).collect();
            let degree_here = degree.filter(|&(e, _)| near(e));
            let mut v = base;
            if flips.len() % 2 == 1 {
                // 不好 is bad, but 不差 is only not bad (and 这不是过度医疗是什么 is no praise).
                v = if v > 0.0 { -v * 0.9 } else { 0.0 };
                // A degree word before the negator strengthens it (一点也不耐心, 很不满意);
                // after it, softens (不太好).
                if let Some((e, _)) = degree_here {
                    v *= if e < flips[0] { 1.5 } else { 0.8 };
                }
            } else if let Some((_, w)) = degree_here {
                v *= w;
            }
            if contrast {
                v *= 1.5;
            }
            sentence += v;
            words.push((text[m.start()..m.end()].to_string(), v));
            negators.clear();
            degree = None;
        }
        sum += sentence;
        let margin = self.model.as_ref().map_or(0.0, |m| {
            let p = m.posterior(text);
            p[Polarity::Positive as usize] - p[Polarity::Negative as usize]
        });
        let score = (sum / 3.0 + MODEL_WEIGHT * margin).tanh();
        Reading { score, polarity: Polarity::of(score), words }
    }

    /// What `text` is about, with the words' sums (none found: [`Category::Other`]).
    pub fn category(&self, text: &str) -> Category {
        let text = normalize(text);
        let mut sums = [0.0f32; 7];
        for m in self.categories.find_overlapping_iter(&text) {
            let (c, w) = self.category_of[m.value() as usize];
            sums[c as usize] += w;
        }
        let (best, sum) = sums.iter().enumerate().fold((6, 0.0f32), |acc, (i, &s)| if s > acc.1 { (i, s) } else { acc });
        if sum > 0.0 {
            Category::ALL[best]
        } else {
            Category::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Polarity {
        Scorer::builtin().read(text).polarity
    }

    #[test]
    fn negation_degree_and_contrast_change_the_reading() {
        assert_eq!(p("医生态度很好"), Polarity::Positive);
        assert_eq!(p("医生态度不好"), Polarity::Negative);
        assert_eq!(p("医生一点也不耐心"), Polarity::Negative);
        // A negator in another clause does not reach.
        assert_eq!(p("没想到，医生非常耐心"), Polarity::Positive);
        // 未来 is not a negator.
        assert_eq!(p("医院未来发展良好，前景光明"), Polarity::Positive);
        let s = Scorer::builtin();
        assert!(s.read("医生很耐心").score > s.read("医生耐心").score, "a degree word strengthens");
        // After 但是 the second half weighs more.
        assert_eq!(p("环境不错，但是护士态度恶劣"), Polarity::Negative);
        assert_eq!(p("医院召开年度工作会议"), Polarity::Neutral);
    }

    #[test]
    fn the_reading_names_its_words() {
        let r = Scorer::builtin().read("感谢医生，可是药费太贵");
        let words: Vec<&str> = r.words.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["感谢", "太贵"]);
        assert!(r.words[0].1 > 0.0 && r.words[1].1 < 0.0);
        // After the contrast the complaint outweighs the thanks.
        assert_eq!(r.polarity, Polarity::Negative);
    }

    #[test]
    fn categories_follow_their_words() {
        let s = Scorer::builtin();
        assert_eq!(s.category("主刀医生收红包"), Category::Corruption);
        assert_eq!(s.category("住院部发生火灾"), Category::Safety);
        assert_eq!(s.category("清单上重复收费"), Category::Price);
        assert_eq!(s.category("网传医院停诊系谣言"), Category::Rumour);
        assert_eq!(s.category("今天天气不错"), Category::Other);
    }

    #[test]
    fn a_broken_lexicon_is_refused_with_its_line() {
        let e = Scorer::new("好\tpos\n坏\tbad\t1\n", "").err().unwrap();
        assert!(e.contains("第 1 行"), "{e}");
        let e = Scorer::new("好\tpos\t1\n", "医疗纠纷\t纠纷\tx\n").err().unwrap();
        assert!(e.contains("类别词表第 1 行"), "{e}");
    }
}
