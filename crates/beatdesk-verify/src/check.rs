//! One claim against its cited records.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use beatdesk_types::{Check, CheckKind, CheckStatus, Evidence, Record};

use crate::numbers::{self, Kind, Quantity};
use crate::support::{self, RecordSentence};
use crate::text::{self, Token};
use crate::{names, quotes};

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
                    stems: support::content(&mut st, toks).into_iter().collect(),
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

    fn check_quotes(
        &self,
        sentence: &str,
        cited: &[&Prepared],
        others: &[&Prepared],
        out: &mut Vec<Check>,
    ) {
        for q in quotes::find(sentence) {
            fn found<'a>(
                ps: &[&'a Prepared],
                q: &quotes::Quote,
            ) -> Option<(&'a Prepared, usize, usize)> {
                ps.iter()
                    .find_map(|p| quotes::locate(&p.tokens, &q.pieces).map(|(s, e)| (*p, s, e)))
            }
            let short: String = if q.text.chars().count() > 60 {
                format!("{}…", q.text.chars().take(60).collect::<String>())
            } else {
                q.text.clone()
            };
            if let Some((p, s, e)) = found(cited, &q) {
                out.push(check(
                    CheckKind::Quote,
                    CheckStatus::Pass,
                    format!("\u{201c}{short}\u{201d} is in record {}", p.doc.id),
                    Self::evidence(p, p.tokens[s].start, p.tokens[e - 1].end),
                ));
                continue;
            }
            if let Some((p, s, e)) = found(others, &q) {
                out.push(check(CheckKind::Quote, CheckStatus::Fail, format!("miscited: \u{201c}{short}\u{201d} is in record {}, which this paragraph does not cite; cite record {}", p.doc.id, p.doc.id), Self::evidence(p, p.tokens[s].start, p.tokens[e - 1].end)));
                continue;
            }
            let words: Vec<String> = q.pieces.concat();
            let best = cited
                .iter()
                .chain(others.iter())
                .filter_map(|p| quotes::closest(&p.tokens, &words).map(|c| (*p, c)))
                .min_by_key(|(p, c)| (c.0, !cited.iter().any(|x| x.doc.id == p.doc.id)));
            match best {
                Some((p, (cost, s, e, diff))) if cost <= (words.len() / 3).max(1) && e > s => {
                    let fix: String =
                        text::char_slice(&p.raw, p.tokens[s].start, p.tokens[e - 1].end);
                    out.push(check(
                        CheckKind::Quote,
                        CheckStatus::Fail,
                        format!("misquote: {} from record {}: {diff}; the record reads \u{201c}{fix}\u{201d}", plural(cost, "word differs", "words differ"), p.doc.id),
                        Self::evidence(p, p.tokens[s].start, p.tokens[e - 1].end),
                    ));
                }
                _ => out.push(check(
                    CheckKind::Quote,
                    CheckStatus::Fail,
                    format!("\u{201c}{short}\u{201d} is not in the cited records"),
                    None,
                )),
            }
        }
    }

    fn check_numbers(
        &self,
        sentence: &str,
        cited: &[&Prepared],
        others: &[&Prepared],
        out: &mut Vec<Check>,
    ) {
        let qs = numbers::parse(sentence);
        let chars: Vec<char> = sentence.chars().collect();
        let shown = |q: &Quantity| {
            chars[q.start as usize..q.end as usize]
                .iter()
                .collect::<String>()
        };
        // Facts about the cited records a writer may state: how many, from how many platforms and authors.
        let mut counts = vec![cited.len() as f64];
        let mut per_platform: HashMap<&str, usize> = HashMap::default();
        for p in cited {
            *per_platform.entry(p.doc.platform.as_str()).or_default() += 1;
        }
        counts.extend(per_platform.values().map(|n| *n as f64));
        counts.push(
            cited
                .iter()
                .map(|p| p.doc.platform.as_str())
                .collect::<HashSet<_>>()
                .len() as f64,
        );
        counts.push(
            cited
                .iter()
                .map(|p| p.doc.author.as_str())
                .collect::<HashSet<_>>()
                .len() as f64,
        );
        fn find<'a>(q: &Quantity, ps: &[&'a Prepared]) -> Option<(&'a Prepared, u32, u32)> {
            ps.iter().find_map(|p| {
                p.quantities
                    .iter()
                    .find(|s| numbers::matches(q, s))
                    .map(|s| (*p, s.start, s.end))
            })
        }
        let mut matched: Vec<&Quantity> = Vec::new();
        let mut pending: Vec<&Quantity> = Vec::new();
        for q in &qs {
            if let Some((p, s, e)) = find(q, cited) {
                let ev = if e > s { Self::evidence(p, s, e) } else { None };
                let where_ = if e > s { "" } else { " (its date)" };
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Pass,
                    format!("{} matches record {}{where_}", shown(q), p.doc.id),
                    ev,
                ));
                matched.push(q);
            } else if q.kind == Kind::Plain
                && counts.iter().any(|c| (c - q.value).abs() <= q.tol)
                && q.value < 1000.0
            {
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Pass,
                    format!("{} counts the cited records", shown(q)),
                    None,
                ));
                matched.push(q);
            } else {
                pending.push(q);
            }
        }
        for q in pending {
            if let Some(how) = derived(q, &matched) {
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Warn,
                    format!("derived — check: {} looks computed ({how})", shown(q)),
                    None,
                ));
            } else if let Some((p, s, e)) = find(q, others) {
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Fail,
                    format!(
                        "{} is not in the cited records; record {} has it",
                        shown(q),
                        p.doc.id
                    ),
                    if e > s { Self::evidence(p, s, e) } else { None },
                ));
            } else {
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Fail,
                    format!("{} is not in the cited records", shown(q)),
                    None,
                ));
            }
        }
    }

    fn name_in(&self, words: &[String], p: &Prepared) -> Option<(u32, u32)> {
        if let Some(k) = seq_in(&p.bases, words) {
            return Some((p.tokens[k].start, p.tokens[k + words.len() - 1].end));
        }
        if p.fact_bases.iter().any(|f| {
            seq_in(f, words).is_some() || (f.len() == 1 && words.len() == 1 && f[0] == words[0])
        }) {
            return Some((0, 0));
        }
        None
    }

    fn check_names(
        &self,
        sentence: &str,
        cited: &[&Prepared],
        others: &[&Prepared],
        out: &mut Vec<Check>,
    ) {
        let mut found = Vec::new();
        for n in names::find(sentence) {
            let mut text_ = n.text.clone();
            let first = text_.split(' ').next().unwrap_or("").to_string();
            if n.initial && text_.contains(' ') && names::ordinary(&first, &self.lower_words) {
                // "The Sable Community License", "On r/x": the capital is the sentence's.
                text_ = text_
                    .split_once(' ')
                    .map(|x| x.1.to_string())
                    .unwrap_or_default();
            } else if n.initial
                && !text_.contains(' ')
                && names::ordinary(&text_, &self.lower_words)
            {
                continue;
            }
            // "r/LocalLLaMA", "u/someone", "@handle": the metadata holds them without the prefix.
            let text_: String = text_
                .split(' ')
                .map(|w| {
                    w.trim_start_matches("r/")
                        .trim_start_matches("u/")
                        .trim_start_matches('@')
                })
                .collect::<Vec<_>>()
                .join(" ");
            let words: Vec<String> = text::tokens(&text_).iter().map(|t| base(&t.norm)).collect();
            if words.is_empty() {
                continue;
            }
            let hit = cited
                .iter()
                .find_map(|p| self.name_in(&words, p).map(|s| (*p, s)));
            if let Some((p, (s, e))) = hit {
                found.push((text_, p.doc.id, s, e));
                continue;
            }
            if cited.iter().any(|p| names::acronym_in(&n.text, &p.raw)) {
                found.push((text_, cited[0].doc.id, 0, 0));
                continue;
            }
            let elsewhere = others
                .iter()
                .find_map(|p| self.name_in(&words, p).map(|s| (*p, s)));
            let detail = match elsewhere {
                Some((p, _)) => format!(
                    "\u{201c}{text_}\u{201d} is not in the cited records (record {} has it)",
                    p.doc.id
                ),
                None => format!("\u{201c}{text_}\u{201d} is not in the cited records"),
            };
            out.push(check(
                CheckKind::Name,
                CheckStatus::Warn,
                detail,
                elsewhere
                    .and_then(|(p, (s, e))| if e > s { Self::evidence(p, s, e) } else { None }),
            ));
        }
        if !found.is_empty() {
            let list: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
            let ev = found
                .iter()
                .find(|f| f.3 > f.2)
                .and_then(|f| self.source(f.1).and_then(|p| Self::evidence(p, f.2, f.3)));
            out.push(check(
                CheckKind::Name,
                CheckStatus::Pass,
                format!("in the cited records: {}", list.join(", ")),
                ev,
            ));
        }
    }

    fn check_support(
        &self,
        sentence: &str,
        cited: &[&Prepared],
        others: &[&Prepared],
        out: &mut Vec<Check>,
    ) {
        let toks = text::tokens(sentence);
        let mut st = support::Stems::default();
        let stems = support::content(&mut st, &toks);
        let claim_polar = support::polar(&mut st, &toks);
        // Words that describe sources rather than claim anything ("This draft rests on 5 records").
        let known = |w: &String| FACT_WORDS.contains(&w.as_str()) || cited.iter().any(|p| p.stems.contains(w));
        let r = if stems.is_empty() {
            1.0
        } else {
            stems.iter().filter(|w| known(w)).count() as f64 / stems.len() as f64
        };
        let all: Vec<(&Prepared, &RecordSentence)> = cited
            .iter()
            .flat_map(|p| p.sentences.iter().map(move |s| (*p, s)))
            .collect();
        let near: Vec<(&Prepared, &RecordSentence)> = all
            .iter()
            .copied()
            .filter(|(_, s)| {
                support::overlap(&stems, s) >= 0.3
                    || support::overlap(&stems, s) * stems.len() as f64 >= 3.0
            })
            .collect();
        let near_s: Vec<&RecordSentence> = near.iter().map(|x| x.1).collect();
        let all_s: Vec<&RecordSentence> = all.iter().map(|x| x.1).collect();
        if let Some((why, i)) = support::polarity(&claim_polar, &near_s, &all_s) {
            let (p, s) = near[i];
            out.push(check(
                CheckKind::Support,
                CheckStatus::Warn,
                format!("{why}: compare record {}", p.doc.id),
                Self::evidence(p, s.start, s.end),
            ));
            return;
        }
        let best = all
            .iter()
            .map(|(p, s)| (*p, *s, support::overlap(&stems, s)))
            .max_by(|a, b| a.2.total_cmp(&b.2));
        let pct = (r * 100.0).round();
        if r < 0.6 {
            let better = others
                .iter()
                .map(|p| (*p, support::recall(&stems, &p.stems)))
                .filter(|(_, x)| *x >= 0.85 && *x > r + 0.2)
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let detail = match better {
                Some((p, x)) => format!("weak support: {pct}% of its words are in the cited records, {}% in record {}, which is not cited", (x * 100.0).round(), p.doc.id),
                None => format!("weak support: {pct}% of its words are in the cited records"),
            };
            out.push(check(CheckKind::Support, CheckStatus::Warn, detail, None));
        } else {
            let ev = best.and_then(|(p, s, _)| Self::evidence(p, s.start, s.end));
            out.push(check(
                CheckKind::Support,
                CheckStatus::Pass,
                format!("{pct}% of its words are in the cited records"),
                ev,
            ));
        }
    }
}

const FACT_WORDS: [&str; 17] = [
    "draft", "rest", "record", "platform", "distinct", "author", "earliest", "report", "wrote",
    "post", "source", "bluesky", "reddit", "news", "web", "manual", "one",
];

/// When `q` is computed from two matched figures of the same sentence.
fn derived(q: &Quantity, matched: &[&Quantity]) -> Option<String> {
    let close = |v: f64| (v - q.value).abs() <= q.tol.max(q.value.abs() * 0.01);
    let vals = |x: &Quantity| {
        let mut v = vec![x.value];
        if let Some((_, a, _)) = x.alt {
            v.push(a);
        }
        v
    };
    for (i, a) in matched.iter().enumerate() {
        for b in matched.iter().skip(i + 1) {
            if a.kind == Kind::Date && b.kind == Kind::Date {
                if numbers::date_days(a.value, b.value).is_some_and(close) {
                    return Some("days between two dates".into());
                }
                continue;
            }
            for x in vals(a) {
                for y in vals(b) {
                    let cands = [
                        (x + y, "a sum"),
                        ((x - y).abs(), "a difference"),
                        (x * y, "a product"),
                        (x / y, "a ratio"),
                        (y / x, "a ratio"),
                        ((x / y - 1.0) * 100.0, "a percent change"),
                        ((y / x - 1.0) * 100.0, "a percent change"),
                    ];
                    if let Some((_, how)) = cands.iter().find(|(v, _)| v.is_finite() && close(*v)) {
                        return Some(format!("{how} of two figures in the sentence"));
                    }
                }
            }
        }
    }
    None
}
