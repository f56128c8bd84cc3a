//! Write: turning a story's records into a story document, and a document
//! into Markdown or HTML.
//!
//! The offline writer is the default: deterministic, extractive, no network.
//! Every sentence it writes is either copied from a cited record or built from
//! a record's metadata (author, platform, time), so it cannot state anything
//! its citations do not hold. Model-backed writers live in `beatdesk-llm` and
//! produce the same `StoryDocument`.

mod methodology;
mod offline;
mod render;
mod sentences;

use beatdesk_types::Record;

pub use methodology::{methodology_line, MethodologyFacts};
pub use offline::{OfflineWriter, OFFLINE_WRITER_NAME};
pub use render::{render_html, render_markdown, RenderContext};
pub use sentences::split_sentences;

/// A record as a writer sees it: included by the editor, with their weight.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRecord {
    pub record: Record,
    /// 1.0 is neutral; the editor raises or lowers a record's importance.
    pub weight: f64,
}

/// Everything a writer may use. Excluded records are never in here.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryEvidence {
    pub beat_name: String,
    pub story_title: String,
    pub top_terms: Vec<String>,
    /// Most central first.
    pub records: Vec<EvidenceRecord>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WriteError {
    #[error("story has no included records to draft from")]
    NoEvidence,
}
