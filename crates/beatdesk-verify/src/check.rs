//! One claim against its cited records: the records prepared once, the
//! checks in `check/` (quotes, numbers, names, support).

mod on_names;
mod on_numbers;
mod on_quotes;
mod on_support;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use beatdesk_types::{Check, CheckKind, CheckStatus, Evidence, Record};

use crate::numbers::{self, Quantity};
use crate::support::{self, RecordSentence};
use crate::text::{self, Token};

/// A record as the checker sees it: its words, plus facts about it (author,
/// outlet, date) that a writer may state without quoting.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceDoc {
    pub id: i64,
    pub included: bool,
    pub title: String,
    pub text: String,
    pub author: String,
    pub platform: String,
    /// Names the metadata holds: author, community, domain.
    pub facts: Vec<String>,
    pub published: Option<chrono::NaiveDate>,
}

impl SourceDoc {
    pub fn from_record(r: &Record, included: bool) -> SourceDoc {
        let mut facts = vec![r.author.clone()];
        // How the writers name the platform ("On Bluesky, @x wrote").
        facts.extend(match r.platform {
            beatdesk_types::Platform::Reddit => Some("Reddit".to_string()),
            beatdesk_types::Platform::Bluesky => Some("Bluesky".to_string()),
            _ => None,
        });
        facts.extend(r.community.clone());
        facts.extend(r.domain());
        facts.extend(r.added_by.clone());
        SourceDoc {
            id: r.id,
            included,
            title: r.title.clone(),
            text: r.text.clone(),
            author: r.author.clone(),
            platform: r.platform.as_str().to_string(),
            facts,
            published: Some(r.published_at.date_naive()),
        }
    }

    /// What evidence offsets point into: title, a blank line, text.
    pub fn haystack(&self) -> String {
        format!("{}\n\n{}", self.title, self.text)
    }
}

struct Prepared {
    doc: SourceDoc,
    tokens: Vec<Token>,
    /// Token norms with a possessive "'s" dropped, for names.
    bases: Vec<String>,
    fact_bases: Vec<Vec<String>>,
    raw: String,
    stems: HashSet<String>,
    quantities: Vec<Quantity>,
    sentences: Vec<RecordSentence>,
}

fn base(norm: &str) -> String {
    norm.strip_suffix("'s").unwrap_or(norm).to_string()
}

fn seq_in(hay: &[String], needle: &[String]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&k| hay[k..k + needle.len()] == *needle)
}

/// Checks claims against one story's records. Build once per story; each
/// record is tokenised and parsed once.
pub struct Verifier {
    sources: Vec<Prepared>,
    by_id: HashMap<i64, usize>,
    /// Words the records write in lower case: a capitalised one at the start
    /// of a sentence is an ordinary word, not a name.
    lower_words: HashSet<String>,
}

/// What a claim is checked against.
pub struct Scope<'a> {
    pub cites: &'a [i64],
    /// Body sentences must cite; headline and dek are checked against all cited records.
    pub needs_citation: bool,
    pub support: bool,
}

fn check(
    kind: CheckKind,
    status: CheckStatus,
    detail: impl Into<String>,
    evidence: Option<Evidence>,
) -> Check {
    Check {
        kind,
        status,
        detail: detail.into(),
        evidence,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Verifier {
    pub fn new(docs: Vec<SourceDoc>) -> Verifier {
        let mut st = support::Stems::default();
        let mut lower_words = HashSet::default();
        let mut sources = Vec::with_capacity(docs.len());
        for doc in docs {
            let raw = doc.haystack();
            let chars: Vec<char> = raw.chars().collect();
            let tokens = text::tokens(&raw);
            for t in &tokens {
                if chars[t.start as usize].is_lowercase() && !lower_words.contains(&t.norm) {
                    lower_words.insert(t.norm.clone());
                }
            }
            let mut quantities = numbers::parse_tokens(&chars, &tokens);
            if let Some(d) = doc.published {
                quantities.extend(numbers::date_facts(d));
            }
            let stems: HashSet<String> = support::content(&mut st, &tokens).into_iter().collect();
            let mut sentences = Vec::new();
            let (mut from, mut from_chars) = (0usize, 0u32);
            for s in crate::sentences::split(&raw) {
                // Offsets of each record sentence, found in order; chars counted once.
                let Some(at) = raw[from..].find(&s) else {
                    continue;
                };
                let start = from_chars + raw[from..from + at].chars().count() as u32;
                let len = s.chars().count() as u32;
                from += at + s.len();
                from_chars = start + len;
                // The record's own tokens inside the sentence: no second tokenising.
                let a = tokens.partition_point(|t| t.start < start);
                let b = tokens.partition_point(|t| t.end <= start + len);
                let toks = &tokens[a..b.max(a)];
                sentences.push(RecordSentence {
                    polar: support::polar(&mut st, toks),
                    start,
                    end: start + len,
                });
            }
            let bases = tokens.iter().map(|t| base(&t.norm)).collect();
            let fact_bases = doc
                .facts
                .iter()
                .map(|f| text::tokens(f).iter().map(|t| base(&t.norm)).collect())
                .collect();
            sources.push(Prepared {
                doc,
                tokens,
                bases,
                fact_bases,
                raw,
                stems,
                quantities,
                sentences,
            });
        }
        let by_id = sources
            .iter()
            .enumerate()
            .map(|(i, p)| (p.doc.id, i))
            .collect();
        Verifier {
            sources,
            by_id,
            lower_words,
        }
    }

    pub fn has_record(&self, id: i64) -> bool {
        self.by_id.contains_key(&id)
    }

    fn source(&self, id: i64) -> Option<&Prepared> {
        self.by_id.get(&id).map(|&i| &self.sources[i])
    }

    fn evidence(p: &Prepared, start: u32, end: u32) -> Option<Evidence> {
        Some(Evidence {
            record_id: p.doc.id,
            start,
            end,
        })
    }

    /// Every check of one sentence.
    pub fn check_sentence(&self, sentence: &str, scope: &Scope) -> Vec<Check> {
        let mut out = Vec::new();
        // Citations.
        let mut cited: Vec<&Prepared> = Vec::new();
        let mut bad = Vec::new();
        for &id in scope.cites {
            match self.source(id) {
                None => bad.push(format!("record {id} is not a source of this story")),
                Some(p) if !p.doc.included => {
                    bad.push(format!("record {id} is excluded from this story"))
                }
                Some(p) => {
                    if !cited.iter().any(|c| c.doc.id == id) {
                        cited.push(p)
                    }
                }
            }
        }
        if scope.needs_citation {
            if scope.cites.is_empty() {
                out.push(check(
                    CheckKind::Citation,
                    CheckStatus::Fail,
                    "cites no record: every body paragraph needs one",
                    None,
                ));
            } else if !bad.is_empty() {
                out.push(check(
                    CheckKind::Citation,
                    CheckStatus::Fail,
                    bad.join("; "),
                    None,
                ));
            } else {
                let ids: Vec<String> = cited.iter().map(|p| p.doc.id.to_string()).collect();
                out.push(check(
                    CheckKind::Citation,
                    CheckStatus::Pass,
                    format!("cites record {}", ids.join(", ")),
                    None,
                ));
            }
        }
        let others: Vec<&Prepared> = self
            .sources
            .iter()
            .filter(|p| p.doc.included && !cited.iter().any(|c| c.doc.id == p.doc.id))
            .collect();
        self.check_quotes(sentence, &cited, &others, &mut out);
        self.check_numbers(sentence, &cited, &others, &mut out);
        self.check_names(sentence, &cited, &others, &mut out);
        if scope.support && !cited.is_empty() {
            self.check_support(sentence, &cited, &others, &mut out);
        }
        out
    }
}
