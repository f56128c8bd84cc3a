//! Lexical support (a triage signal, never a pass) and polarity: a claim
//! that negates, or says the opposite of, what its cited records say.

use rustc_hash::FxHashSet as HashSet;

use rustc_hash::FxHashMap as HashMap;

use crate::text::{is_stopword, stem, Token};

/// A stemmer that stems each distinct word once.
pub struct Stems {
    stemmer: rust_stemmers::Stemmer,
    memo: HashMap<String, String>,
}

impl Default for Stems {
    fn default() -> Self {
        Stems { stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English), memo: HashMap::default() }
    }
}

impl Stems {
    pub fn get(&mut self, w: &str) -> String {
        if let Some(s) = self.memo.get(w) {
            return s.clone();
        }
        let s = stem(&self.stemmer, w);
        self.memo.insert(w.to_string(), s.clone());
        s
    }
}

/// Content stems of a token list (no stopwords, no bare numbers).
pub fn content(stems: &mut Stems, toks: &[Token]) -> Vec<String> {
    toks.iter()
        .filter(|t| {
            t.norm.chars().any(char::is_alphabetic) && !is_stopword(&t.norm) && t.norm.len() > 1
        })
        .map(|t| stems.get(&t.norm))
        .collect()
}

/// Share of the claim's content stems found in `stems`.
pub fn recall(claim: &[String], stems: &HashSet<String>) -> f64 {
    if claim.is_empty() {
        return 1.0;
    }
    claim.iter().filter(|s| stems.contains(*s)).count() as f64 / claim.len() as f64
}

/// Opposites a one-word edit turns a claim into (compared as stems).
const OPPOSITES: [(&str, &str); 21] = [
    ("rose", "fell"),
    ("rise", "fall"),
    ("gain", "lost"),
    ("increas", "decreas"),
    ("before", "after"),
    ("cover", "exempt"),
    ("stop", "keep"),
    ("stop", "continu"),
    ("split", "unit"),
    ("above", "below"),
    ("higher", "lower"),
    ("win", "lose"),
    ("won", "lost"),
    ("approv", "reject"),
    ("allow", "ban"),
    ("includ", "exclud"),
    ("accept", "declin"),
    ("support", "oppos"),
    ("confirm", "deni"),
    ("earlier", "later"),
    ("first", "last"),
];

fn is_cue(w: &str) -> bool {
    matches!(
        w,
        "not"
            | "no"
            | "never"
            | "without"
            | "none"
            | "nor"
            | "neither"
            | "stop"
            | "stops"
            | "stopped"
            | "cease"
            | "ceased"
            | "halt"
            | "halted"
    ) || w.ends_with("n't")
}

/// A sentence as polarity sees it: every word's stem, and the content stems
/// that follow a negation within three words ("did not address" → address).
pub struct Polar {
    pub all: HashSet<String>,
    pub negated: HashSet<String>,
    pub plain: HashSet<String>,
}

pub fn polar(stems: &mut Stems, toks: &[Token]) -> Polar {
    let mut all = HashSet::default();
    let mut negated = HashSet::default();
    let mut plain = HashSet::default();
    // Words left in which a negation cue may still find its word.
    let mut window = 0usize;
    for t in toks {
        let w = t.norm.as_str();
        all.insert(stems.get(w));
        if is_cue(w) {
            window = 4;
            continue;
        }
        if w == "longer" || w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if !is_stopword(w) && w.len() > 1 {
            let s = stems.get(w);
            if window > 0 {
                // The cue binds to the first content word after it.
                negated.insert(s);
                window = 0;
            } else {
                plain.insert(s);
            }
        }
        window = window.saturating_sub(1);
    }
    Polar {
        all,
        negated,
        plain,
    }
}

/// A record sentence: stems for overlap, polarity, and its char span.
pub struct RecordSentence {
    pub stems: HashSet<String>,
    pub polar: Polar,
    pub start: u32,
    pub end: u32,
}

/// What the claim gets backwards, judged against the cited sentences that
/// resemble it (`near`) and every cited sentence (`all`).
pub fn polarity(
    claim: &Polar,
    near: &[&RecordSentence],
    all: &[&RecordSentence],
) -> Option<(String, usize)> {
    // The claim negates a word that no cited sentence negates, but one states.
    for w in &claim.negated {
        let negated_somewhere = all.iter().any(|s| s.polar.negated.contains(w));
        if !negated_somewhere {
            if let Some(i) = near.iter().position(|s| s.polar.plain.contains(w)) {
                return Some((
                    format!("the claim negates \u{2018}{w}\u{2019}, which the record states"),
                    i,
                ));
            }
        }
    }
    // A near sentence negates a word the claim states plainly.
    for w in &claim.plain {
        if claim.negated.contains(w) {
            continue;
        }
        let stated_somewhere = all.iter().any(|s| s.polar.plain.contains(w));
        if !stated_somewhere {
            if let Some(i) = near.iter().position(|s| s.polar.negated.contains(w)) {
                return Some((
                    format!("the record negates \u{2018}{w}\u{2019}, which the claim states"),
                    i,
                ));
            }
        }
    }
    for (a, b) in OPPOSITES {
        for (x, y) in [(a, b), (b, a)] {
            if claim.all.contains(x)
                && !claim.all.contains(y)
                && !near.iter().any(|s| s.polar.all.contains(x))
            {
                if let Some(i) = near.iter().position(|s| s.polar.all.contains(y)) {
                    return Some((format!("the claim says \u{2018}{x}\u{2019} where the record says \u{2018}{y}\u{2019}"), i));
                }
            }
        }
    }
    None
}

/// Overlap of a claim with a record sentence, for picking the closest ones.
pub fn overlap(claim: &[String], s: &RecordSentence) -> f64 {
    if claim.is_empty() {
        return 0.0;
    }
    claim.iter().filter(|c| s.stems.contains(*c)).count() as f64 / claim.len() as f64
}
