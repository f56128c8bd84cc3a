//! The clusterer's tunables and their defaults.

use crate::features::GROUPS;

/// Tunables of the clusterer. The defaults are tuned (`--example tune`) on
/// the labelled fixture in `tests/data/` and on synthetic records.
#[derive(Debug, Clone)]
pub struct Config {
    /// Weights of the title, body and entity similarities.
    pub weights: [f32; GROUPS],
    /// Minimum score for a record to join a story.
    pub threshold: f32,
    /// Minimum score for two stories to merge when one is a single record.
    pub merge_threshold: f32,
    /// Merging larger stories needs more: the threshold is multiplied by
    /// `1 + merge_size_penalty · ln(size of the smaller story)`, so generic
    /// centroids of big stories do not chain into one blob.
    pub merge_size_penalty: f32,
    /// σ of the Gaussian time decay, in days.
    pub time_sigma_days: f32,
    /// Share of the score that does not decay with time.
    pub time_floor: f32,
    /// Stories more than this many days from a record are not candidates.
    pub window_days: f32,
    /// A second unrelated story scoring at least this share of the threshold
    /// makes the record a roundup.
    pub roundup_ratio: f32,
    /// ... and the two matches rest on terms that overlap less than this
    /// share (see `shared_basis`).
    pub roundup_overlap: f32,
    /// How many of a record's terms are looked up in the index.
    pub candidate_terms: usize,
    /// How many candidate stories are scored in full.
    pub max_candidates: usize,
    /// How many of the newest postings are scanned per term.
    pub postings_scan: usize,
    /// Terms in more than this share of records (and more than 200) are not
    /// looked up.
    pub common_df: f32,
    /// Run a merge pass after this many records.
    pub merge_every: usize,
    /// Minimum score for a record to join the story its structure (reply,
    /// quote, comment, link) points to: far below `threshold`, since a
    /// short reply shares few words, but above zero so an off-topic reply
    /// stays out.
    pub link_threshold: f32,
    /// A lone short post joins a story when this share of its IDF weight is
    /// on the story's vocabulary (see `attach`; 0.33 is where the labelled
    /// fixture reaches F1 1.0, and the stream-dev day gains without
    /// precision loss) ...
    pub attach_coverage: f32,
    /// ... and the next story explains at most this share of that.
    pub attach_margin: f32,
    /// A lone short post that one of a story's records anchors (a shared
    /// name or its reporter, and shared event words: see `anchor`) joins it
    /// with this much coverage, when no other story anchors it.
    pub anchor_coverage: f32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            weights: [0.3, 0.45, 0.25],
            threshold: 0.3,
            merge_threshold: 0.26,
            merge_size_penalty: 0.25,
            time_sigma_days: 3.0,
            time_floor: 0.5,
            window_days: 7.0,
            roundup_ratio: 0.8,
            roundup_overlap: 0.3,
            candidate_terms: 12,
            max_candidates: 24,
            postings_scan: 256,
            common_df: 0.2,
            merge_every: 2000,
            link_threshold: 0.02,
            attach_coverage: 0.33,
            attach_margin: 0.6,
            anchor_coverage: 0.25,
        }
    }
}
