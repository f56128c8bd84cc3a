//! Beatdesk ingest: pulls a beat's records from Reddit, Bluesky and news
//! feeds, fetches the articles they cite, takes reporters' manual sources,
//! and collapses duplicates with the reason recorded. Tauri-free; the core
//! calls `ingest_beat`, `add_manual` and `BeatConfig`, passing "now" in
//! (the core owns the clock and its BEATDESK_NOW override).

pub mod citations;
pub mod config;
pub mod error;
pub mod extract;
pub mod guard;
pub mod http;
pub mod ingest;
pub mod manual;
pub mod neardup;
pub mod normalize;
pub mod pipeline;
pub mod secrets;
pub mod sources;
pub mod web;

pub use citations::{CitationReport, CiteOptions};
pub use config::{BeatConfig, SourceConfig};
pub use error::{IngestError, Result};
pub use http::{Http, HttpOptions};
pub use ingest::{
    ingest_beat, ingest_beat_with, IngestOptions, IngestReport, SourceProgress, SourceReport,
    SourceRun,
};
pub use manual::{add_manual, ManualAdded};
pub use secrets::{KeyringSecrets, MemorySecrets, SecretStore};
pub use web::{citation_count_for_story, citations_for_beat, cited_by};
