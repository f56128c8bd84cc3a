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
        Stems {
            stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
            memo: HashMap::default(),
        }
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

/// Bit of an opposite word in a sentence's mask: its first place in `OPPOSITES`.
fn opp_bit(stem: &str) -> u64 {
    OPPOSITES
        .iter()
        .enumerate()
        .find_map(|(i, (a, b))| {
            if *a == stem {
                Some(1u64 << (2 * i))
            } else if *b == stem {
                Some(1u64 << (2 * i + 1))
            } else {
                None
            }
        })
        .unwrap_or(0)
}

/// A sentence as polarity sees it: which opposite words it has (stems, any
/// word), its content stems, and those that follow a negation ("did not
/// address" → address).
pub struct Polar {
    pub opp: u64,
    pub negated: Vec<String>,
    pub stems: HashSet<String>,
}

impl Polar {
    /// Stated without a negation.
    fn plain(&self, w: &str) -> bool {
        self.stems.contains(w) && !self.negated.iter().any(|n| n == w)
    }

    fn negates(&self, w: &str) -> bool {
        self.negated.iter().any(|n| n == w)
    }

    fn has(&self, w: &str) -> bool {
        self.opp & opp_bit(w) != 0
    }
}

pub fn polar(stems: &mut Stems, toks: &[Token]) -> Polar {
    let mut opp = 0u64;
    let mut negated = Vec::new();
    let mut content = HashSet::default();
    // Words left in which a negation cue may still find its word.
    let mut window = 0usize;
    for t in toks {
        let w = t.norm.as_str();
        let s = stems.get(w);
        // The list holds plain words ("before") and stems ("increas"): try both.
        opp |= opp_bit(&s) | opp_bit(w);
        if is_cue(w) {
            window = 4;
            continue;
        }
        if w == "longer" || w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if !is_stopword(w) && w.len() > 1 {
            if window > 0 {
                // The cue binds to the first content word after it.
                negated.push(s.clone());
                window = 0;
            }
            content.insert(s);
        }
        window = window.saturating_sub(1);
    }
    Polar {
        opp,
        negated,
        stems: content,
    }
}

/// A record sentence: its polarity (with its content stems) and char span.
pub struct RecordSentence {
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
        if !all.iter().any(|s| s.polar.negates(w)) {
            if let Some(i) = near.iter().position(|s| s.polar.plain(w)) {
                return Some((
                    format!("the claim negates \u{2018}{w}\u{2019}, which the record states"),
                    i,
                ));
            }
        }
    }
    // A near sentence negates a word the claim states plainly.
    for w in claim.stems.iter().filter(|w| claim.plain(w)) {
        if !all.iter().any(|s| s.polar.plain(w)) {
            if let Some(i) = near.iter().position(|s| s.polar.negates(w)) {
                return Some((
                    format!("the record negates \u{2018}{w}\u{2019}, which the claim states"),
                    i,
                ));
            }
        }
    }
    for (a, b) in OPPOSITES {
        for (x, y) in [(a, b), (b, a)] {
            if !claim.has(x) || claim.has(y) {
                continue;
            }
            let says = || {
                format!(
                    "the claim says \u{2018}{x}\u{2019} where the record says \u{2018}{y}\u{2019}"
                )
            };
            // The closest sentence says the opposite, or every resembling one does.
            if near
                .first()
                .is_some_and(|s| s.polar.has(y) && !s.polar.has(x))
            {
                return Some((says(), 0));
            }
            if !near.iter().any(|s| s.polar.has(x)) {
                if let Some(i) = near.iter().position(|s| s.polar.has(y)) {
                    return Some((says(), i));
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
    claim.iter().filter(|c| s.polar.stems.contains(*c)).count() as f64 / claim.len() as f64
}
