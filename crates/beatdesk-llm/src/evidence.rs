//! The evidence a model sees: the story's included records, duplicates
//! collapsed, each given a short opaque id (R1..Rn, most important first) and
//! packed as title + the sentences with numbers, quotes and names + the
//! sentences most relevant to the story, within a token budget.

use beatdesk_types::{Record, RecordStatus, StoryRecord};
use serde::{Deserialize, Serialize};

use crate::text::{estimate_tokens, jaccard, sentences, shingles, SentenceScorer};

/// Near-duplicate threshold on 5-word shingles.
const DUPLICATE_JACCARD: f64 = 0.6;
/// Below this many tokens per record a single call says too little: outline instead.
pub const MIN_TOKENS_PER_RECORD: usize = 110;
/// More than this per record adds little for a news draft.
pub const MAX_TOKENS_PER_RECORD: usize = 600;

/// One record of a story with the editor's choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    pub record: Record,
    /// The editor's importance (1.0 neutral). 0 or less excludes the record.
    pub weight: f64,
    /// Excluded records are never sent to a model.
    #[serde(default = "yes")]
    pub included: bool,
}

fn yes() -> bool {
    true
}

impl From<StoryRecord> for EvidenceRecord {
    fn from(s: StoryRecord) -> Self {
        EvidenceRecord {
            record: s.record,
            weight: s.weight,
            included: s.included,
        }
    }
}

/// Everything a model is given about one story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryEvidence {
    pub beat_name: String,
    pub story_title: String,
    /// The story's top terms, strongest first.
    pub top_terms: Vec<String>,
    pub records: Vec<EvidenceRecord>,
}

impl StoryEvidence {
    pub fn new(beat: &str, title: &str, top_terms: Vec<String>, records: Vec<StoryRecord>) -> Self {
        StoryEvidence {
            beat_name: beat.to_string(),
            story_title: title.to_string(),
            top_terms,
            records: records.into_iter().map(EvidenceRecord::from).collect(),
        }
    }
}

/// A record that may be sent, with its R-id.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub rid: String,
    pub record: &'a Record,
    pub weight: f64,
    /// Collapsed near-duplicates: (record id, "platform author").
    pub also: Vec<(i64, String)>,
}

/// The sendable records of a story in R-id order, and what was left out.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    pub sources: Vec<Source<'a>>,
    /// Records the editor excluded (or rejected records): never sent.
    pub excluded: Vec<i64>,
    /// (duplicate, kept) pairs: the duplicate's text is not sent.
    pub collapsed: Vec<(i64, i64)>,
}

impl<'a> Prepared<'a> {
    pub fn new(ev: &'a StoryEvidence) -> Prepared<'a> {
        let mut excluded = Vec::new();
        let mut cands: Vec<&'a EvidenceRecord> = Vec::new();
        for r in &ev.records {
            if !r.included || r.weight <= 0.0 || r.record.status == RecordStatus::Rejected {
                excluded.push(r.record.id);
            } else {
                cands.push(r);
            }
        }
        cands.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then(a.record.published_at.cmp(&b.record.published_at))
                .then(a.record.id.cmp(&b.record.id))
        });
        let mut sources: Vec<Source<'a>> = Vec::new();
        let mut sigs = Vec::new();
        let mut collapsed = Vec::new();
        for c in cands {
            let sig = shingles(&format!("{} {}", c.record.title, c.record.text));
            let by_link = c
                .record
                .duplicate_of
                .and_then(|d| sources.iter().position(|s| s.record.id == d));
            let dup = by_link.or_else(|| {
                sigs.iter()
                    .position(|s| jaccard(s, &sig) >= DUPLICATE_JACCARD)
            });
            match dup {
                Some(i) => {
                    let who = format!("{} {}", c.record.platform.as_str(), c.record.author);
                    sources[i].also.push((c.record.id, who));
                    collapsed.push((c.record.id, sources[i].record.id));
                }
                None => {
                    sigs.push(sig);
                    sources.push(Source {
                        rid: format!("R{}", sources.len() + 1),
                        record: &c.record,
                        weight: c.weight,
                        also: Vec::new(),
                    });
                }
            }
        }
        Prepared {
            sources,
            excluded,
            collapsed,
        }
    }

    pub fn ids(&self) -> Vec<String> {
        self.sources.iter().map(|s| s.rid.clone()).collect()
    }

    pub fn record_id(&self, rid: &str) -> Option<i64> {
        self.sources
            .iter()
            .find(|s| s.rid == rid)
            .map(|s| s.record.id)
    }

    pub fn rid(&self, record_id: i64) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.record.id == record_id)
            .map(|s| s.rid.as_str())
    }

    /// Packs `only` (R-ids; all when `None`) within `budget` tokens.
    pub fn pack(&self, top_terms: &[String], budget: usize, only: Option<&[String]>) -> Packed {
        let chosen: Vec<&Source> = self
            .sources
            .iter()
            .filter(|s| only.is_none_or(|o| o.contains(&s.rid)))
            .collect();
        let split: Vec<Vec<String>> = chosen.iter().map(|s| sentences(&s.record.text)).collect();
        let corpus: Vec<&str> = split.iter().flatten().map(String::as_str).collect();
        let scorer = SentenceScorer::new(top_terms, &corpus);
        let headers: Vec<String> = chosen.iter().map(|s| header(s)).collect();
        let fixed: usize = headers.iter().map(|h| estimate_tokens(h) + 4).sum();
        let body_budget = budget.saturating_sub(fixed);
        // Shares by weight (clamped to 0.5..2), capped per record.
        let w: Vec<f64> = chosen.iter().map(|s| s.weight.clamp(0.5, 2.0)).collect();
        let wsum: f64 = w.iter().sum::<f64>().max(1e-9);
        let need: Vec<usize> = split
            .iter()
            .map(|ss| ss.iter().map(|s| estimate_tokens(s) + 1).sum())
            .collect();
        let mut alloc: Vec<usize> = w
            .iter()
            .zip(&need)
            .map(|(wi, n)| {
                ((body_budget as f64 * wi / wsum) as usize)
                    .min(*n)
                    .min(MAX_TOKENS_PER_RECORD)
            })
            .collect();
        // Hand what short records did not need to the others, in R-id order.
        let mut spare = body_budget.saturating_sub(alloc.iter().sum());
        for (a, n) in alloc.iter_mut().zip(&need) {
            let more = n.min(&MAX_TOKENS_PER_RECORD).saturating_sub(*a).min(spare);
            *a += more;
            spare -= more;
        }
        let mut blocks = Vec::new();
        for (i, s) in chosen.iter().enumerate() {
            let body = select(&split[i], &scorer, alloc[i]);
            let text = render(&headers[i], &body.0);
            blocks.push(PackedRecord {
                rid: s.rid.clone(),
                record_id: s.record.id,
                tokens: estimate_tokens(&text),
                sentences_kept: body.1,
                sentences_total: split[i].len(),
                text,
            });
        }
        Packed {
            tokens: blocks.iter().map(|b| b.tokens).sum(),
            blocks,
        }
    }

    /// Tokens the records would take at `MIN_TOKENS_PER_RECORD` each.
    pub fn min_tokens(&self) -> usize {
        self.sources.len() * MIN_TOKENS_PER_RECORD
    }
}

/// Packed records, ready for the prompt.
#[derive(Debug, Clone)]
pub struct Packed {
    pub blocks: Vec<PackedRecord>,
    pub tokens: usize,
}

#[derive(Debug, Clone)]
pub struct PackedRecord {
    pub rid: String,
    pub record_id: i64,
    pub text: String,
    pub tokens: usize,
    pub sentences_kept: usize,
    pub sentences_total: usize,
}

impl Packed {
    pub fn text(&self) -> String {
        self.blocks
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Picks the best sentences within `budget`, keeps them in reading order and
/// marks gaps with " … ". Returns the text and how many sentences were kept.
fn select(ss: &[String], scorer: &SentenceScorer, budget: usize) -> (String, usize) {
    let mut order: Vec<(usize, f64)> = ss
        .iter()
        .enumerate()
        .map(|(i, s)| (i, scorer.score(s, i)))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut keep = vec![false; ss.len()];
    let mut used = 0;
    for (i, _) in order {
        let t = estimate_tokens(&ss[i]) + 1;
        if used + t <= budget {
            keep[i] = true;
            used += t;
        }
    }
    let mut out = String::new();
    let mut gap = false;
    let mut n = 0;
    for (i, s) in ss.iter().enumerate() {
        if keep[i] {
            if !out.is_empty() {
                out.push_str(if gap { " … " } else { " " });
            } else if gap {
                out.push_str("… ");
            }
            out.push_str(s);
            gap = false;
            n += 1;
        } else {
            gap = true;
        }
    }
    if gap && !out.is_empty() {
        out.push_str(" …");
    }
    (out, n)
}

fn importance(w: f64) -> &'static str {
    if w >= 1.5 {
        "high"
    } else if w <= 0.75 {
        "low"
    } else {
        "normal"
    }
}

/// Source text must not close or open a record tag, nor forge an attribute.
fn clean(s: &str) -> String {
    let mut out = s.replace(['\n', '\r'], " ");
    for tag in [
        "</record",
        "<record",
        "</records",
        "<records",
        "</story",
        "<story",
    ] {
        while let Some(i) = out.to_ascii_lowercase().find(tag) {
            out.replace_range(i..i + 1, "(");
        }
    }
    out
}

fn attr(s: &str) -> String {
    clean(s).replace('"', "'")
}

fn header(s: &Source) -> String {
    let r = s.record;
    let mut h = format!(
        "<record id=\"{}\" importance=\"{}\" platform=\"{}\"",
        s.rid,
        importance(s.weight),
        r.platform.as_str()
    );
    if let Some(src) = r
        .community
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .or_else(|| r.domain())
    {
        h.push_str(&format!(" source=\"{}\"", attr(&src)));
    }
    if !r.author.is_empty() {
        h.push_str(&format!(" author=\"{}\"", attr(&r.author)));
    }
    h.push_str(&format!(
        " published=\"{}\">",
        r.published_at.format("%Y-%m-%d %H:%M UTC")
    ));
    h.push_str(&format!("\ntitle: {}", clean(&r.title)));
    if let Some(n) = r.note.as_deref().filter(|n| !n.is_empty()) {
        h.push_str(&format!("\nreporter's note: {}", clean(n)));
    }
    if !s.also.is_empty() {
        let who: Vec<&str> = s.also.iter().map(|(_, w)| w.as_str()).collect();
        h.push_str(&format!("\nalso reported by: {}", attr(&who.join(", "))));
    }
    h
}

fn render(header: &str, body: &str) -> String {
    format!("{header}\ntext: {}\n</record>", clean(body))
}
