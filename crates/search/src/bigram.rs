//! A tokenizer for recall in Chinese: every two neighbouring Han characters become a token,
//! with consecutive positions, so a phrase query of bigrams matches exactly the substring
//! typed; runs of letters and digits become one lower-cased token; everything else separates.
//!
//! Hand-written because tantivy's `NgramTokenizer` gives every gram position 0 (phrases
//! cannot be matched) and does not tell Han characters from the rest.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

#[derive(Clone, Copy, Debug, Default)]
pub struct Bigrams;

pub struct BigramStream {
    tokens: Vec<Token>,
    at: usize,
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}' | '〇')
}

impl Tokenizer for Bigrams {
    type TokenStream<'a> = BigramStream;

    fn token_stream(&mut self, text: &str) -> BigramStream {
        let mut tokens = Vec::new();
        let mut push = |from: usize, to: usize, text: String| {
            let position = tokens.len();
            tokens.push(Token { offset_from: from, offset_to: to, position, text, position_length: 1 });
        };
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let end_of = |i: usize| chars.get(i + 1).map_or(text.len(), |c| c.0);
        let mut i = 0;
        while i < chars.len() {
            let (start, c) = chars[i];
            if is_han(c) {
                let mut j = i;
                while j + 1 < chars.len() && is_han(chars[j + 1].1) {
                    j += 1;
                }
                if i == j {
                    push(start, end_of(i), c.to_string());
                } else {
                    for k in i..j {
                        push(chars[k].0, end_of(k + 1), text[chars[k].0..end_of(k + 1)].to_string());
                    }
                }
                i = j + 1;
            } else if c.is_alphanumeric() {
                let mut j = i;
                while j + 1 < chars.len() && chars[j + 1].1.is_alphanumeric() && !is_han(chars[j + 1].1) {
                    j += 1;
                }
                push(start, end_of(j), text[start..end_of(j)].to_lowercase());
                i = j + 1;
            } else {
                i += 1;
            }
        }
        BigramStream { tokens, at: 0 }
    }
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        self.at += 1;
        self.at <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.at - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut t = Bigrams;
        let mut st = t.token_stream(s);
        while st.advance() {
            out.push((st.token().text.clone(), st.token().position));
        }
        out
    }

    #[test]
    fn han_runs_become_overlapping_pairs_with_positions() {
        let got = texts("党建引领，骨科CT室 PET-CT 3楼。护");
        let want = [("党建", 0), ("建引", 1), ("引领", 2), ("骨科", 3), ("ct", 4), ("室", 5), ("pet", 6), ("ct", 7), ("3", 8), ("楼", 9), ("护", 10)];
        assert_eq!(got, want.iter().map(|(t, p)| (t.to_string(), *p)).collect::<Vec<_>>());
    }

    #[test]
    fn offsets_cover_the_original_text() {
        let s = "急诊科 A1";
        let mut t = Bigrams;
        let mut st = t.token_stream(s);
        let mut seen = Vec::new();
        while st.advance() {
            seen.push(s[st.token().offset_from..st.token().offset_to].to_string());
        }
        assert_eq!(seen, ["急诊", "诊科", "A1"]);
    }
}
