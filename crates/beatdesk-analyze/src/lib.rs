//! Analyze and Signal.
//!
//! `analyze` takes every record of a beat (any status; only kept ones count)
//! and the stories found last time, and returns story candidates with stable
//! ids where a prior story continues, each with its signal.
//!
//! The pipeline, one module per concern:
//! - [`text`]: Unicode tokenisation, lowercase, stop words, special tokens;
//! - [`features`]: stemmed title / body / entity groups with TF-IDF weights;
//! - [`cluster`]: the online single-pass clusterer (Miranda et al. 2018) with
//!   an inverted index, time decay, roundup guard and merge pass;
//! - [`origins`]: copies and reposts of one report count as one origin;
//! - [`signal`]: volume, velocity, engagement, diversity, origins, recency;
//! - `explain`: titles, top terms, per-record reasons, stable ids;
//! - [`eval`]: pairwise and B-cubed scores against a labelled fixture.
//!
//! [`Clusterer`] is the incremental form: keep one and `add` new records.
//!
//! Measuring it:
//! - `cargo run --release -p beatdesk-analyze --example eval` prints pairwise
//!   and B-cubed precision/recall/F1 on `tests/data/open_source_ai.jsonl`
//!   (178 hand-written records, 19 stories, traps, roundups, noise) and every
//!   split or merged story; `SHOW=1` also prints each story with its signal;
//! - `--example tune` grid-searches the tunables on that fixture and on
//!   synthetic data; `--example bench` times 100k records, a 1k-record add,
//!   signals for 1k stories, and prints peak RSS;
//! - `tests/fixture.rs` asserts the targets (pairwise F1 ≥ 0.94 with
//!   precision ≥ 0.95, B³-F1 ≥ 0.90).

use std::collections::HashMap;

use beatdesk_types::{Record, Signal};
use chrono::{DateTime, Utc};

mod anchor;
mod attach;
mod candidates;
pub mod cluster;
pub mod config;
pub mod doc;
pub mod eval;
mod explain;
pub mod features;
mod merge;
pub mod origins;
mod pointers;
mod restore;
pub mod signal;
#[cfg(test)]
mod speed_tests;
pub mod synth;
pub mod text;

pub use cluster::Clusterer;
pub use config::Config;
pub use explain::{duplicate_counts, match_prior};
pub use restore::StoredStory;

/// A story as stored before this pass, so ids stay stable across runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorStory {
    pub story_id: i64,
    pub record_ids: Vec<i64>,
    /// Drafted or signed off: an editor depends on its identity.
    pub pinned: bool,
}

/// One story found by this pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoryCandidate {
    /// The prior story this continues, if any.
    pub story_id: Option<i64>,
    /// Kept records in the story, in publication order.
    pub record_ids: Vec<i64>,
    pub title: String,
    pub central_record_id: i64,
    pub top_terms: Vec<String>,
    /// Per record: the terms it shares most strongly with the story.
    pub why: HashMap<i64, Vec<String>>,
    pub signal: Signal,
    /// Records not in the prior story this continues (all of them for a new
    /// story), in publication order.
    pub new_record_ids: Vec<i64>,
    /// A roundup that mentions several stories, kept apart from them.
    pub roundup: bool,
    /// The clusterer's story this came from (for incremental passes).
    pub cluster: u32,
}

/// Stories ranked by signal, strongest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    pub stories: Vec<StoryCandidate>,
}

/// A full pass over a beat: clusters every kept record in publication order,
/// keeps pinned stories together under their ids, carries other prior ids to
/// the candidates that continue them, and scores every story.
pub fn analyze(records: &[Record], prior: &[PriorStory], now: DateTime<Utc>) -> Analysis {
    analyze_with(records, prior, now, Config::default())
}

/// [`analyze`] with explicit tunables.
pub fn analyze_with(
    records: &[Record],
    prior: &[PriorStory],
    now: DateTime<Utc>,
    config: Config,
) -> Analysis {
    analyze_linked(records, prior, &[], now, config)
}

/// [`analyze_with`] plus the records' relations (record id → record id it
/// answers, quotes, comments on or links to).
pub fn analyze_linked(
    records: &[Record],
    prior: &[PriorStory],
    relations: &[(i64, i64)],
    now: DateTime<Utc>,
    config: Config,
) -> Analysis {
    let mut c = Clusterer::new(config);
    for p in prior.iter().filter(|p| p.pinned) {
        c.pin(p.story_id, &p.record_ids);
    }
    for &(from, to) in relations {
        c.relate(from, to);
    }
    c.add(records);
    c.analysis(records, prior, now)
}
