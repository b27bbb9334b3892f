//! Rule expressions (监测规则), as the publicity staff write them:
//!
//! ```text
//! (@院名 | 人民医院) & (纠纷 | 投诉 | 死亡) & !招聘
//! "急诊科 医生" | NEAR(院名简称, 打人, 10)
//! ```
//!
//! - a word matches where it appears in the text (Chinese has no spaces between words);
//!   case, full-width letters and digits, and spaces inside the text do not matter;
//! - `"…"` a phrase, matched as written (spaces in it are ignored like in the text);
//! - `&` (or `AND`, `且`) both; `|` (or `OR`, `或`) either; `!` (or `NOT`, `非`) not;
//!   parentheses group; `&` binds tighter than `|`, and two parts side by side mean `&`;
//! - `NEAR(甲, 乙, n)`: both within `n` characters of each other (the gap between them);
//! - `@名称`: any word of a reusable set (the hospital's names and aliases, its leaders, its
//!   departments), given to [`Expr::parse`].
//!
//! Mistakes are reported in Chinese with the character where they are, so the rule page can
//! point at them.

use std::collections::BTreeMap;
use std::fmt;

/// Reusable word sets by name (`院名` → 某某医院, 某某人民医院, 某医).
pub type Sets = BTreeMap<String, Vec<String>>;

/// A parsed rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A word or phrase, normalised.
    Word(String),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// Two words within `gap` characters of each other.
    Near(String, String, usize),
}

/// What is wrong with a rule, and where (a character index, counting from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第 {at} 个字符处：{message}")]
pub struct ParseError {
    pub at: usize,
    pub message: String,
}

/// The largest proximity window accepted.
const MAX_GAP: usize = 200;
/// How deeply parentheses and `!` may nest (a rule is written by a person).
const MAX_DEPTH: usize = 32;

/// Folds what should not matter: ASCII case, full-width ASCII, and whitespace.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// A word of a rule as it is matched: normalised, with no quotation marks, since the
/// canonical form writes every word in quotes and has no way to write one inside (found by
/// fuzzing: 非 NW＂ became the unreadable `!"nw""`).
fn rule_word(s: &str) -> String {
    normalize(s).chars().filter(|c| !matches!(c, '"' | '“' | '”')).collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Phrase(String),
    Set(String),
    And,
    Or,
    Not,
    Open,
    Close,
    Comma,
    Near,
}

fn is_special(c: char) -> bool {
    matches!(c, '&' | '|' | '!' | '(' | ')' | '"' | ',' | '，' | '（' | '）' | '“' | '”' | '！' | '＆' | '｜' | '@')
}

fn tokens(src: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        let single = match c {
            '&' | '＆' => Some(Token::And),
            '|' | '｜' => Some(Token::Or),
            '!' | '！' => Some(Token::Not),
            '(' | '（' => Some(Token::Open),
            ')' | '）' => Some(Token::Close),
            ',' | '，' => Some(Token::Comma),
            _ => None,
        };
        if let Some(t) = single {
            out.push((at, t));
            i += 1;
            continue;
        }
        match c {
            c if c.is_whitespace() => i += 1,
            '"' | '“' | '”' => {
                let end = chars[i + 1..].iter().position(|c| matches!(c, '"' | '“' | '”')).ok_or(ParseError { at, message: "引号没有配对：短语请写成 \"急诊科 医生\"".into() })?;
                let phrase: String = chars[i + 1..i + 1 + end].iter().collect();
                if rule_word(&phrase).is_empty() {
                    return Err(ParseError { at, message: "引号里没有内容".into() });
                }
                out.push((at, Token::Phrase(phrase)));
                i += end + 2;
            }
            '@' => {
                let len = chars[i + 1..].iter().take_while(|c| !c.is_whitespace() && !is_special(**c)).count();
                if len == 0 {
                    return Err(ParseError { at, message: "@ 后面要写词组名称，例如 @院名".into() });
                }
                out.push((at, Token::Set(chars[i + 1..i + 1 + len].iter().collect())));
                i += len + 1;
            }
            _ => {
                let len = chars[i..].iter().take_while(|c| !c.is_whitespace() && !is_special(**c)).count();
                let word: String = chars[i..i + len].iter().collect();
                let token = match word.as_str() {
                    "AND" | "且" => Token::And,
                    "OR" | "或" => Token::Or,
                    "NOT" | "非" => Token::Not,
                    w if w.eq_ignore_ascii_case("near") && chars.get(i + len).is_some_and(|c| matches!(c, '(' | '（')) => Token::Near,
                    _ => Token::Word(word),
                };
                out.push((at, token));
                i += len;
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    sets: &'a Sets,
    end: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(a, _)| *a)
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError { at: self.at(), message: message.into() })
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.pop().expect("one part") } else { Expr::Or(parts) })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek() {
                Some(Token::And) => {
                    self.pos += 1;
                    parts.push(self.unary()?);
                }
                // Side by side: both.
                Some(Token::Word(_) | Token::Phrase(_) | Token::Set(_) | Token::Not | Token::Open | Token::Near) => parts.push(self.unary()?),
                _ => break,
            }
        }
        Ok(if parts.len() == 1 { parts.pop().expect("one part") } else { Expr::And(parts) })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.depth >= MAX_DEPTH {
            return self.fail("嵌套太深，请简化规则");
        }
        self.depth += 1;
        let e = match self.peek() {
            Some(Token::Not) => {
                self.pos += 1;
                Expr::Not(Box::new(self.unary()?))
            }
            _ => self.atom()?,
        };
        self.depth -= 1;
        Ok(e)
    }

    fn word(&mut self, what: &str) -> Result<String, ParseError> {
        let w = match self.peek() {
            Some(Token::Word(w) | Token::Phrase(w)) => rule_word(w),
            _ => return self.fail(format!("这里应是{what}")),
        };
        if w.is_empty() {
            return self.fail(format!("这里应是{what}，不能只有引号"));
        }
        self.pos += 1;
        Ok(w)
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let Some(token) = self.peek().cloned() else {
            return self.fail(if self.tokens.is_empty() { "规则是空的：请写要监测的词，例如 (院名 | 院名简称) & 投诉" } else { "规则在这里结束了，后面缺少词语" });
        };
        match token {
            Token::Word(w) | Token::Phrase(w) => {
                let w = rule_word(&w);
                if w.is_empty() {
                    return self.fail("这里只有引号，没有词语");
                }
                self.pos += 1;
                Ok(Expr::Word(w))
            }
            Token::Set(name) => {
                let Some(words) = self.sets.get(&name) else {
                    return self.fail(format!("没有名为“{name}”的词组；可用的有：{}", self.sets.keys().cloned().collect::<Vec<_>>().join("、")));
                };
                let words: Vec<Expr> = words.iter().map(|w| rule_word(w)).filter(|w| !w.is_empty()).map(Expr::Word).collect();
                if words.is_empty() {
                    return self.fail(format!("词组“{name}”还没有词"));
                }
                self.pos += 1;
                Ok(if words.len() == 1 { words.into_iter().next().expect("one word") } else { Expr::Or(words) })
            }
            Token::Open => {
                self.pos += 1;
                let e = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return self.fail("缺少右括号“)”");
                }
                self.pos += 1;
                Ok(e)
            }
            Token::Near => {
                self.pos += 2; // NEAR and its (
                let a = self.word("第一个词")?;
                if self.peek() != Some(&Token::Comma) {
                    return self.fail("NEAR 的写法是 NEAR(词一, 词二, 字数)");
                }
                self.pos += 1;
                let b = self.word("第二个词")?;
                if self.peek() != Some(&Token::Comma) {
                    return self.fail("NEAR 的写法是 NEAR(词一, 词二, 字数)");
                }
                self.pos += 1;
                let gap = match self.peek() {
                    Some(Token::Word(n)) => n.parse::<usize>().ok().filter(|n| *n <= MAX_GAP),
                    _ => None,
                };
                let Some(gap) = gap else { return self.fail(format!("字数应是 0 到 {MAX_GAP} 之间的整数")) };
                self.pos += 1;
                if self.peek() != Some(&Token::Close) {
                    return self.fail("缺少右括号“)”");
                }
                self.pos += 1;
                Ok(Expr::Near(a, b, gap))
            }
            Token::Close => self.fail("多了一个右括号“)”"),
            Token::And | Token::Or => self.fail("这里缺少词语：& 和 | 的两边都要有词"),
            Token::Comma => self.fail("逗号只用在 NEAR(词一, 词二, 字数) 里"),
            Token::Not => unreachable!("handled by unary"),
        }
    }
}

impl Expr {
    /// Reads a rule; `sets` are the reusable word sets `@名称` may name.
    pub fn parse(src: &str, sets: &Sets) -> Result<Expr, ParseError> {
        let tokens = tokens(src)?;
        let end = src.chars().count() + 1;
        let mut p = Parser { tokens, pos: 0, sets, end, depth: 0 };
        let e = p.or()?;
        if p.pos < p.tokens.len() {
            return p.fail(match p.peek() {
                Some(Token::Close) => "多了一个右括号“)”",
                Some(Token::Comma) => "逗号只用在 NEAR(词一, 词二, 字数) 里；几个词任选其一请用 |",
                _ => "这里多了内容",
            });
        }
        // The written nesting is bounded above; the rule's own nesting is bounded too, since a
        // word set becomes a group and the canonical form writes that group in brackets: a rule
        // that is accepted is accepted again when written back (found by fuzzing).
        if e.depth() > MAX_DEPTH {
            return Err(ParseError { at: 1, message: "嵌套太深，请简化规则".into() });
        }
        Ok(e)
    }

    /// How deep the canonical form nests: what the parser counts when it reads it back.
    fn depth(&self) -> usize {
        match self {
            Expr::Word(_) | Expr::Near(..) => 1,
            Expr::Not(e) => 1 + e.depth(),
            Expr::And(parts) | Expr::Or(parts) => 1 + parts.iter().map(Expr::depth).max().unwrap_or(0),
        }
    }

    /// Whether the rule holds for `text` (normalised first).
    pub fn matches(&self, text: &str) -> bool {
        self.holds(&normalize(text))
    }

    /// Whether the rule holds for text already [`normalize`]d (many rules, one text).
    pub fn holds(&self, text: &str) -> bool {
        match self {
            Expr::Word(w) => text.contains(w.as_str()),
            Expr::And(parts) => parts.iter().all(|p| p.holds(text)),
            Expr::Or(parts) => parts.iter().any(|p| p.holds(text)),
            Expr::Not(e) => !e.holds(text),
            Expr::Near(a, b, gap) => near(text, a, b, *gap),
        }
    }

    /// The words a match can show (for highlighting): every word not under a `!`.
    pub fn words(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Word(w) => out.push(w),
            Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| p.collect(out)),
            Expr::Not(_) => {}
            Expr::Near(a, b, _) => {
                out.push(a);
                out.push(b);
            }
        }
    }
}

/// Whether `a` and `b` occur with at most `gap` characters between them (either order;
/// overlapping occurrences count as near).
fn near(text: &str, a: &str, b: &str, gap: usize) -> bool {
    let spans = |w: &str| -> Vec<(usize, usize)> {
        text.match_indices(w).map(|(i, m)| (text[..i].chars().count(), text[..i].chars().count() + m.chars().count())).collect()
    };
    close(&spans(a), &spans(b), gap)
}

/// Whether some span of `xs` and some span of `ys` (start, end in characters) overlap or
/// have at most `gap` characters between them.
pub(crate) fn close(xs: &[(usize, usize)], ys: &[(usize, usize)], gap: usize) -> bool {
    xs.iter().any(|&(s1, e1)| ys.iter().any(|&(s2, e2)| (s2 >= e1 && s2 - e1 <= gap) || (s1 >= e2 && s1 - e2 <= gap) || (s1 < e2 && s2 < e1)))
}

impl fmt::Display for Expr {
    /// The rule written back in its canonical form (phrases quoted, `&`, `|`, `!`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, parts: &[Expr], op: &str| -> fmt::Result {
            write!(f, "(")?;
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{p}")?;
            }
            write!(f, ")")
        };
        match self {
            Expr::Word(w) => write!(f, "\"{w}\""),
            Expr::And(parts) => join(f, parts, "&"),
            Expr::Or(parts) => join(f, parts, "|"),
            Expr::Not(e) => write!(f, "!{e}"),
            Expr::Near(a, b, n) => write!(f, "NEAR(\"{a}\", \"{b}\", {n})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sets() -> Sets {
        let mut s = Sets::new();
        s.insert("院名".into(), vec!["示范医院".into(), "示范人民医院".into(), "示医".into()]);
        s.insert("空".into(), vec![]);
        s
    }

    fn rule(src: &str) -> Expr {
        Expr::parse(src, &sets()).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    #[test]
    fn a_dispute_rule_picks_disputes_about_the_hospital_and_not_job_ads() {
        let r = rule("(@院名 | 人民医院) & (纠纷 | 投诉 | 死亡) & !招聘");
        assert!(r.matches("网友投诉：示范医院急诊科等候三小时无人问津"));
        assert!(r.matches("示医 发生 医疗纠纷"), "spaces in the text do not matter");
        assert!(!r.matches("示范医院2026年护士招聘公告（投诉电话见文末）"), "a job ad is left out");
        assert!(!r.matches("某市发生医疗纠纷"), "not about the hospital");
        assert!(!r.matches("示范医院举办义诊"), "about the hospital, no dispute");
    }

    #[test]
    fn words_side_by_side_mean_both_and_operators_have_chinese_and_english_forms() {
        assert_eq!(rule("急诊 打人"), rule("急诊 & 打人"));
        assert_eq!(rule("急诊 且 打人 或 伤医"), rule("(急诊 & 打人) | 伤医"));
        assert_eq!(rule("急诊 AND NOT 演练"), rule("急诊 & !演练"));
        assert_eq!(rule("（急诊｜门诊）＆！演练"), rule("(急诊 | 门诊) & !演练"), "full-width marks typed with a Chinese keyboard");
        assert!(rule("ＡＢＣ医院").matches("abc医院通报"), "full-width and case folded");
        assert!(rule("\"急诊科 医生\"").matches("急诊科医生被打"));
    }

    #[test]
    fn near_means_within_so_many_characters() {
        let r = rule("NEAR(示医, 打人, 5)");
        assert!(r.matches("示医急诊有人打人"), "4 characters apart");
        assert!(r.matches("有人打人在示医"), "either order");
        assert!(!r.matches("示医今天上午在急诊发生一起打人事件"), "too far apart");
        assert!(rule("near(示医, 示医急诊, 0)").matches("示医急诊"), "overlapping counts as near");
    }

    #[test]
    fn mistakes_say_what_and_where() {
        for (src, at, says) in [
            ("", 1, "规则是空的"),
            ("(急诊 | 门诊", 9, "缺少右括号"),
            ("急诊 | 门诊)", 8, "多了一个右括号"),
            ("急诊 & | 门诊", 6, "两边都要有词"),
            ("急诊 &", 5, "后面缺少词语"),
            ("\"急诊", 1, "引号没有配对"),
            ("@院长 & 纠纷", 1, "没有名为“院长”的词组"),
            ("@空", 1, "还没有词"),
            ("NEAR(急诊, 打人)", 12, "NEAR 的写法"),
            ("NEAR(急诊, 打人, 1000)", 14, "0 到 200"),
            ("急诊, 打人", 3, "逗号只用在"),
        ] {
            let e = Expr::parse(src, &sets()).expect_err(src);
            assert!(e.message.contains(says) && e.at == at, "{src}: {e} (at {})", e.at);
        }
        let deep = format!("{}急诊{}", "(".repeat(40), ")".repeat(40));
        assert!(Expr::parse(&deep, &sets()).unwrap_err().message.contains("嵌套太深"));
    }

    /// Found by `bench/fuzz.sh` (target `rule_expr`): thirty-one `!` before a word set were
    /// accepted, but the canonical form writes the set as a bracketed group, one level deeper,
    /// and was refused when read back. Every rule accepted now reads back as itself.
    #[test]
    fn an_accepted_rule_reads_back_from_its_canonical_form_at_the_depth_limit() {
        for n in 25..40 {
            for body in ["@院名", "急诊", "(急诊 & 投诉)", "NEAR(急诊, 投诉, 3)"] {
                let src = format!("{}{body}", "!".repeat(n));
                match Expr::parse(&src, &sets()) {
                    Ok(e) => assert_eq!(Expr::parse(&e.to_string(), &sets()).unwrap_or_else(|err| panic!("{src} → {e}: {err}")), e),
                    Err(err) => assert!(err.message.contains("嵌套太深"), "{src}: {err}"),
                }
            }
        }
        let fuzzed = "(NOT!!!!!L)!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!@院名 @院名 |\u{1e} \u{fffd}T(\u{fffd}AON  B\u{0}\u{0}\u{0}\u{0}\u{0}i";
        if let Ok(e) = Expr::parse(fuzzed, &sets()) {
            assert_eq!(Expr::parse(&e.to_string(), &sets()).expect("reads back"), e);
        }
        assert!(Expr::parse(&format!("{}@院名", "!".repeat(31)), &sets()).unwrap_err().message.contains("嵌套太深"));
        assert!(Expr::parse(&format!("{}@院名", "!".repeat(30)), &sets()).is_ok());
    }

    /// Found by `bench/fuzz.sh` (target `rule_expr`) after the fix above: a full-width quote
    /// inside a word (非 NW＂) normalised to `"` and the canonical form `!"nw""` did not read
    /// back. Quotation marks are not part of a rule's words, from the rule or from a word set.
    #[test]
    fn quotation_marks_inside_words_are_dropped_and_the_canonical_form_reads_back() {
        let mut with_quotes = sets();
        with_quotes.insert("引".into(), vec!["示范“医院".into(), "＂".into()]);
        for src in ["非 NW\u{8}＂", "急诊＂科", "NEAR(急＂诊, 打人, 3)", "@引 & 投诉"] {
            let e = Expr::parse(src, &with_quotes).unwrap_or_else(|err| panic!("{src}: {err}"));
            assert_eq!(Expr::parse(&e.to_string(), &with_quotes).unwrap_or_else(|err| panic!("{src} → {e}: {err}")), e, "{src}");
        }
        assert!(rule("急诊＂科").matches("示范医院急诊科"));
        assert!(Expr::parse("＂", &sets()).unwrap_err().message.contains("只有引号"));
        assert!(Expr::parse("急诊 & ＂＂", &sets()).unwrap_err().message.contains("只有引号"));
    }

    #[test]
    fn highlighted_words_leave_out_the_negated_ones() {
        assert_eq!(rule("(示医 | 人民医院) & 纠纷 & !招聘 | NEAR(急诊, 打人, 3)").words(), ["示医", "人民医院", "纠纷", "急诊", "打人"]);
    }

    fn arb_expr() -> impl Strategy<Value = Expr> {
        crate::strategies::rule(&["急诊", "纠纷", "医院", "打人", "投诉", "ab"], true)
    }

    proptest! {
        /// What the rule page shows (the canonical form) reads back as the same rule, and a
        /// rule and its negation never both hold.
        #[test]
        fn rules_read_back_and_negation_is_exact(e in arb_expr(), text in "[急诊纠纷医院打人投诉ab ]{0,12}") {
            let back = Expr::parse(&e.to_string(), &Sets::new()).unwrap();
            prop_assert_eq!(back.matches(&text), e.matches(&text));
            prop_assert_ne!(Expr::Not(Box::new(e.clone())).matches(&text), e.matches(&text));
        }
    }
}
