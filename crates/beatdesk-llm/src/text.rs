//! Text helpers for evidence packing: a token estimate, a sentence splitter,
//! word shingles for near-duplicates, and sentence scoring (numbers, quotes,
//! names, and BM25 against the story's top terms).

use std::collections::{HashMap, HashSet};

/// Estimated tokens of `text` for BPE tokenizers (cl100k, Llama 3, Qwen) on
/// English prose: the larger of chars/4 and words*1.3, so it errs high.
pub fn estimate_tokens(text: &str) -> usize {
    let chars = text.chars().count();
    let words = text.split_whitespace().count();
    chars.div_ceil(4).max(words * 13 / 10)
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "sr", "jr", "no", "vs", "inc", "co", "corp", "ltd", "gov",
    "sen", "rep", "gen", "lt", "col", "sgt", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "u.s", "u.k", "approx", "est", "ave", "blvd",
];

/// Splits prose into sentences: at `.`, `!`, `?` (with closing quotes or
/// brackets) followed by whitespace, and at line breaks. Abbreviations and
/// decimal numbers do not end a sentence.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in text.split(['\n', '\r']) {
        let chars: Vec<char> = block.chars().collect();
        let mut start = 0;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if matches!(c, '.' | '!' | '?' | '…') {
                let mut j = i + 1;
                while j < chars.len() && matches!(chars[j], '"' | '\'' | '”' | '’' | ')' | ']')
                {
                    j += 1;
                }
                let at_break = j >= chars.len() || chars[j].is_whitespace();
                if at_break && !(c == '.' && is_abbreviation(&chars[start..i])) {
                    push_sentence(&mut out, &chars[start..j]);
                    start = j;
                }
                i = j;
            } else {
                i += 1;
            }
        }
        push_sentence(&mut out, &chars[start..]);
    }
    out
}

fn push_sentence(out: &mut Vec<String>, chars: &[char]) {
    let s: String = chars.iter().collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !s.is_empty() {
        out.push(s);
    }
}

fn is_abbreviation(before: &[char]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .take_while(|c| !c.is_whitespace())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let w = word
        .trim_start_matches(['(', '"', '“', '\''])
        .to_lowercase();
    // Initials such as "J." in "J. Smith".
    if w.chars().count() == 1 && w.chars().all(char::is_alphabetic) {
        return true;
    }
    ABBREVIATIONS.contains(&w.as_str())
}

/// Lower-cased word tokens (letters, digits, inner apostrophes and hyphens).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .map(|w| w.trim_matches(['\'', '’', '-']).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Crude stem for matching top terms: the first six characters of a word.
fn stem(w: &str) -> String {
    w.chars().take(6).collect()
}

/// 5-word shingles, hashed, for Jaccard similarity of near-duplicate records.
pub fn shingles(text: &str) -> HashSet<u64> {
    use std::hash::{Hash, Hasher};
    let w = words(text);
    let mut out = HashSet::new();
    for win in w.windows(5.min(w.len().max(1))) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        win.hash(&mut h);
        out.insert(h.finish());
    }
    out
}

pub fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count() as f64;
    inter / (a.len() as f64 + b.len() as f64 - inter)
}

/// BM25 over the sentences of a story, queried with its top terms.
pub struct SentenceScorer {
    terms: Vec<(String, f64)>,
    idf: HashMap<String, f64>,
    avg_len: f64,
}

impl SentenceScorer {
    /// `corpus` is every candidate sentence of the story; `top_terms` come
    /// strongest first and weigh a little more.
    pub fn new(top_terms: &[String], corpus: &[&str]) -> SentenceScorer {
        let terms: Vec<(String, f64)> = top_terms
            .iter()
            .flat_map(|t| words(t))
            .enumerate()
            .map(|(i, t)| (stem(&t), 1.0 / (1.0 + 0.1 * i as f64)))
            .collect();
        let n = corpus.len().max(1) as f64;
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut total = 0usize;
        for s in corpus {
            let ws: HashSet<String> = words(s).iter().map(|w| stem(w)).collect();
            total += words(s).len();
            for (t, _) in &terms {
                if ws.contains(t) {
                    *df.entry(t.clone()).or_default() += 1;
                }
            }
        }
        let idf = terms
            .iter()
            .map(|(t, _)| {
                let d = *df.get(t).unwrap_or(&0) as f64;
                (t.clone(), ((n - d + 0.5) / (d + 0.5) + 1.0).ln())
            })
            .collect();
        SentenceScorer {
            terms,
            idf,
            avg_len: (total as f64 / n).max(1.0),
        }
    }

    /// Relevance to the story (BM25, k1 = 1.2, b = 0.75).
    pub fn relevance(&self, sentence: &str) -> f64 {
        let ws: Vec<String> = words(sentence).iter().map(|w| stem(w)).collect();
        let len = ws.len() as f64;
        let mut score = 0.0;
        for (t, boost) in &self.terms {
            let tf = ws.iter().filter(|w| *w == t).count() as f64;
            if tf > 0.0 {
                let norm = tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / self.avg_len));
                score += boost * self.idf[t] * norm;
            }
        }
        score
    }

    /// Relevance plus the facts a reporter needs: numbers, quotes, names,
    /// and the lede.
    pub fn score(&self, sentence: &str, position: usize) -> f64 {
        let mut s = self.relevance(sentence);
        if sentence.chars().any(|c| c.is_ascii_digit()) {
            s += 2.0;
        }
        if sentence.contains(['"', '“', '”']) {
            s += 2.0;
        }
        s += 0.5 * names(sentence).min(3) as f64;
        s += match position {
            0 => 1.5,
            1 => 0.5,
            _ => 0.0,
        };
        if sentence.split_whitespace().count() < 4 {
            s -= 1.0;
        }
        s
    }
}

/// Capitalised words that do not open the sentence: a cheap proper-noun count.
pub fn names(sentence: &str) -> usize {
    sentence
        .split_whitespace()
        .skip(1)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.len() > 1 && w.chars().next().is_some_and(char::is_uppercase))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_respect_abbreviations_and_decimals() {
        let s = sentences("Mr. Ortiz said the levy is $48.5 million. \"We will strike,\" said J. Lee! Then? Done\nNext line");
        assert_eq!(
            s,
            vec![
                "Mr. Ortiz said the levy is $48.5 million.",
                "\"We will strike,\" said J. Lee!",
                "Then?",
                "Done",
                "Next line"
            ]
        );
    }

    #[test]
    fn token_estimate_errs_high() {
        assert_eq!(estimate_tokens(""), 0);
        let t = estimate_tokens("The council voted 7-2 on Tuesday to approve the levy.");
        assert!((12..=16).contains(&t), "{t}");
    }

    #[test]
    fn scorer_prefers_relevant_factual_sentences() {
        let corpus = [
            "The transit levy passed 7-2.",
            "It was sunny.",
            "Drivers may strike over the levy.",
        ];
        let sc = SentenceScorer::new(&["levy".into(), "strike".into()], &corpus);
        assert!(sc.score(corpus[0], 3) > sc.score(corpus[1], 3));
        assert!(sc.relevance(corpus[2]) > sc.relevance(corpus[0]));
        assert_eq!(sc.relevance(corpus[1]), 0.0);
    }

    #[test]
    fn near_duplicates_have_high_jaccard() {
        let a = shingles("The city council approved a 48 million dollar transit levy on Tuesday night after a long debate");
        let b = shingles("The city council approved a 48 million dollar transit levy on Tuesday night after a long debate, AP reports");
        let c = shingles(
            "Bus drivers said they would walk off the job if the contract is not signed by Friday",
        );
        assert!(jaccard(&a, &b) > 0.6);
        assert!(jaccard(&a, &c) < 0.1);
    }
}
