//! A small naive Bayes model over characters and character pairs, trained from the team's
//! labelled set when first used (a few milliseconds; nothing is downloaded). The lexicon knows
//! the words that carry feeling; this learns the rest of the genre from examples: that
//! "花了一千二" is a complaint about price and "召开…会议" is neutral news, without anyone
//! listing those words.

use rustc_hash::FxHashMap;

use crate::expr::normalize;
use crate::sentiment::Polarity;

/// Multinomial naive Bayes over three labels.
pub struct Bayes {
    log_prior: [f32; 3],
    log_likelihood: FxHashMap<u64, [f32; 3]>,
    /// What a feature never seen with a label counts.
    unseen: [f32; 3],
}

fn keep(c: char) -> bool {
    !(c.is_ascii_digit() || c.is_ascii_punctuation() || "，。！？；：、“”‘’（）《》…—".contains(c))
}

/// The characters and adjacent pairs of `text` (normalised), as numbers.
fn features(text: &str, mut f: impl FnMut(u64)) {
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if !keep(c) {
            prev = None;
            continue;
        }
        f(c as u64);
        if let Some(p) = prev {
            f(((p as u64) << 32) | c as u64);
        }
        prev = Some(c);
    }
}

impl Bayes {
    /// Learns from `(text, label)` pairs.
    pub fn train<'a>(examples: impl IntoIterator<Item = (&'a str, Polarity)>) -> Bayes {
        let mut counts: FxHashMap<u64, [f32; 3]> = FxHashMap::default();
        let mut docs = [0f32; 3];
        let mut totals = [0f32; 3];
        for (text, label) in examples {
            let l = label as usize;
            docs[l] += 1.0;
            features(&normalize(text), |k| {
                counts.entry(k).or_default()[l] += 1.0;
                totals[l] += 1.0;
            });
        }
        let vocabulary = counts.len() as f32;
        let n: f32 = docs.iter().sum();
        let log_prior = docs.map(|d| ((d + 1.0) / (n + 3.0)).ln());
        let denominators: [f32; 3] = std::array::from_fn(|l| totals[l] + vocabulary);
        let log_likelihood = counts.into_iter().map(|(k, c)| (k, std::array::from_fn(|l| ((c[l] + 1.0) / denominators[l]).ln()))).collect();
        Bayes { log_prior, log_likelihood, unseen: denominators.map(|d| (1.0 / d).ln()) }
    }

    /// The probabilities of negative, neutral and positive for `text` (already normalised).
    pub fn posterior(&self, text: &str) -> [f32; 3] {
        let mut log = self.log_prior;
        features(text, |k| {
            let ll = self.log_likelihood.get(&k).unwrap_or(&self.unseen);
            // Features seen with no label teach nothing; skip them so long texts of unknown
            // words do not drift toward the label with the fewest training characters.
            if self.log_likelihood.contains_key(&k) {
                for l in 0..3 {
                    log[l] += ll[l];
                }
            }
        });
        let max = log.iter().copied().fold(f32::MIN, f32::max);
        let exp = log.map(|x| (x - max).exp());
        let sum: f32 = exp.iter().sum();
        exp.map(|e| e / sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_learns_the_genre_from_examples() {
        let b = Bayes::train([
            ("召开工作会议", Polarity::Neutral),
            ("举办培训会议", Polarity::Neutral),
            ("花了一千块，太坑", Polarity::Negative),
            ("多收了三百块", Polarity::Negative),
            ("感谢医生", Polarity::Positive),
            ("谢谢护士", Polarity::Positive),
        ]);
        let argmax = |t: &str| {
            let p = b.posterior(&normalize(t));
            (0..3).max_by(|&a, &c| p[a].total_cmp(&p[c])).unwrap()
        };
        assert_eq!(argmax("召开党委会议"), Polarity::Neutral as usize);
        assert_eq!(argmax("又收了两百块"), Polarity::Negative as usize);
        assert_eq!(argmax("感谢大夫"), Polarity::Positive as usize);
        let p = b.posterior("");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}
