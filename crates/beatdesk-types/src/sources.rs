use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A configured source of a beat and its fetch state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SourceInfo {
    #[ts(type = "number")]
    pub id: i64,
    /// `reddit`, `bluesky` or `feed`.
    pub kind: String,
    /// "r/LocalLLaMA search: deepseek", a feed URL…
    pub label: String,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub next_check_at: Option<DateTime<Utc>>,
    #[ts(type = "number")]
    pub error_count: i64,
    pub last_error: Option<String>,
}

/// Progress of an ingest run, per source, for the window's progress bars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IngestProgress {
    #[ts(type = "number")]
    pub beat_id: i64,
    #[ts(type = "number")]
    pub source_id: i64,
    /// `started`, `page`, `citations` or `finished`.
    pub phase: String,
    pub label: String,
    /// 0..=1 where known.
    pub fraction: Option<f64>,
    pub ok: Option<bool>,
    pub last_error: Option<String>,
}

/// What one source's fetch did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SourceRun {
    #[ts(type = "number")]
    pub source_id: i64,
    pub label: String,
    pub skipped: bool,
    pub not_modified: bool,
    #[ts(type = "number")]
    pub fetched: i64,
    #[ts(type = "number")]
    pub new: i64,
    #[ts(type = "number")]
    pub updated: i64,
    #[ts(type = "number")]
    pub duplicates: i64,
    #[ts(type = "number")]
    pub rejected: i64,
    /// Why records were rejected (deleted, removed, spam, NSFW, outside the window), with counts.
    #[ts(type = "Record<string, number>")]
    pub rejected_reasons: std::collections::BTreeMap<String, i64>,
    /// Why records were collapsed as duplicates, with counts.
    #[ts(type = "Record<string, number>")]
    pub duplicate_reasons: std::collections::BTreeMap<String, i64>,
    #[ts(type = "number")]
    pub web_citations: i64,
    pub errors: Vec<String>,
}

/// An ingest run over a beat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IngestSummary {
    #[ts(type = "number")]
    pub beat_id: i64,
    pub sources: Vec<SourceRun>,
    #[ts(type = "number")]
    pub new_records: i64,
    pub errors: Vec<String>,
}
