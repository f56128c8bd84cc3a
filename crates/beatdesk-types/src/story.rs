use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Record, StoryDocument};

/// A beat the newsroom follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Beat {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// The beat's TOML configuration, as the user wrote it.
    pub config: String,
    pub created_at: DateTime<Utc>,
    #[ts(type = "number")]
    pub story_count: i64,
    #[ts(type = "number")]
    pub record_count: i64,
}

/// Where a story is in the editorial workflow:
/// candidate → drafted → in review → approved → exported, plus spiked
/// (reversible) and corrected (an exported story edited again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StoryStatus {
    /// Found by analysis; nothing drafted yet.
    Candidate,
    /// A writer drafted it; no editor has touched it.
    Drafted,
    /// An editor is working on it: edited, or a new revision landed after a sign-off.
    InReview,
    /// Signed off by an editor; any later revision returns it to `InReview`.
    Approved,
    /// Sent to a CMS or exported.
    Exported,
    /// Set aside by an editor; reversible.
    Spiked,
    /// Edited again after export; the next export is a correction.
    Corrected,
}

impl StoryStatus {
    pub const ALL: [StoryStatus; 7] = [
        StoryStatus::Candidate,
        StoryStatus::Drafted,
        StoryStatus::InReview,
        StoryStatus::Approved,
        StoryStatus::Exported,
        StoryStatus::Spiked,
        StoryStatus::Corrected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StoryStatus::Candidate => "candidate",
            StoryStatus::Drafted => "drafted",
            StoryStatus::InReview => "in_review",
            StoryStatus::Approved => "approved",
            StoryStatus::Exported => "exported",
            StoryStatus::Spiked => "spiked",
            StoryStatus::Corrected => "corrected",
        }
    }

    pub fn parse(s: &str) -> Option<StoryStatus> {
        StoryStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One point of a story's signal history, for the sparkline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SignalPoint {
    pub at: DateTime<Utc>,
    /// Unique records published in the bucket ending at `at`.
    #[ts(type = "number")]
    pub records: i64,
}

/// A story's signal: the total and every component, so an editor can see why
/// it ranks where it does.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Signal {
    pub total: f64,
    pub volume: f64,
    pub velocity: f64,
    pub engagement: f64,
    pub diversity: f64,
    pub origins: f64,
    pub recency: f64,
    /// Reports that are not copies of one another (wire copies and reposts count once).
    #[ts(type = "number")]
    pub independent_origins: i64,
    #[serde(default)]
    pub series: Vec<SignalPoint>,
    /// Plain-language reasons, strongest first.
    #[serde(default)]
    pub why: Vec<String>,
}

/// A story as listed: enough to rank and pick it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StorySummary {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub beat_id: i64,
    pub title: String,
    pub status: StoryStatus,
    pub signal: Signal,
    #[ts(type = "number")]
    pub record_count: i64,
    pub top_terms: Vec<String>,
    pub updated_at: DateTime<Utc>,
    pub last_signoff: Option<SignOff>,
    /// Records that joined the story after its latest draft.
    #[ts(type = "number")]
    pub new_since_draft: i64,
}

/// Who wrote a revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
#[ts(export)]
pub enum DraftAuthor {
    /// A writer: `offline` or a configured model's name.
    Writer(String),
    /// An editor, by name.
    Editor(String),
}

impl DraftAuthor {
    pub fn kind(&self) -> &'static str {
        match self {
            DraftAuthor::Writer(_) => "writer",
            DraftAuthor::Editor(_) => "editor",
        }
    }

    pub fn name(&self) -> &str {
        match self {
            DraftAuthor::Writer(n) | DraftAuthor::Editor(n) => n,
        }
    }
}

/// One immutable revision of a story document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Draft {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub story_id: i64,
    /// 1 for the first draft, then one more per revision.
    #[ts(type = "number")]
    pub revision: i64,
    pub author: DraftAuthor,
    pub created_at: DateTime<Utc>,
    pub document: StoryDocument,
    /// What the writer reports: provider, model, tokens, latency, cost.
    #[ts(type = "Record<string, unknown>")]
    pub meta: serde_json::Value,
}

/// An editor's sign-off on one revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SignOff {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub story_id: i64,
    #[ts(type = "number")]
    pub draft_id: i64,
    #[ts(type = "number")]
    pub revision: i64,
    pub editor: String,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Set when the editor signed off over hard verification failures: why.
    #[serde(default)]
    pub override_reason: Option<String>,
    /// The hard failures standing at sign-off (empty without an override).
    #[serde(default)]
    pub failures: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ExportFormat {
    Markdown,
    Html,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "markdown",
            ExportFormat::Html => "html",
        }
    }
}

/// A completed export of one revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportRecord {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub story_id: i64,
    #[ts(type = "number")]
    pub draft_id: i64,
    pub target: String,
    /// Where it went: a file path, later a CMS URL.
    pub location: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A record as it appears in a story's source list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StoryRecord {
    pub record: Record,
    /// The record's citation label in this story: given when it joined, never changed.
    #[ts(type = "number")]
    pub label: i64,
    /// Excluded records are never cited or sent to a writer.
    pub included: bool,
    /// The editor's importance for the record (1.0 is neutral).
    pub weight: f64,
    /// Terms this record shares most strongly with the story.
    pub why: Vec<String>,
    /// What the platform says this record replies to, quotes or links to.
    #[serde(default)]
    pub relations: Vec<crate::RecordLink>,
    /// The window's copy leaves `record.text` out (it is fetched when opened):
    /// then this is true and `text_chars` says how long the stored text is.
    #[serde(default)]
    pub text_omitted: bool,
    #[serde(default)]
    #[ts(type = "number")]
    pub text_chars: u64,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    #[ts(type = "number | null")]
    pub story_id: Option<i64>,
    #[ts(type = "Record<string, unknown>")]
    pub detail: serde_json::Value,
}

/// Everything the review desk shows for one story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StoryView {
    pub story: StorySummary,
    pub beat_name: String,
    /// The latest revision, if any.
    pub draft: Option<Draft>,
    pub records: Vec<StoryRecord>,
    /// Newest first.
    pub history: Vec<DraftSummary>,
    pub signoffs: Vec<SignOff>,
    /// The last model draft that failed after the latest revision: which model, what the server said.
    pub last_failure: Option<String>,
    /// Citation labels of records the latest revision cites that are no longer
    /// in the story (moved away), as `[record id, label]`.
    #[serde(default)]
    #[ts(type = "Array<[number, number]>")]
    pub other_labels: Vec<(i64, i64)>,
}

impl StoryView {
    /// The window's copy: source texts left out (a story with 200 long articles
    /// would otherwise cross IPC whole before the first paint); the window
    /// fetches a text when a card is opened.
    pub fn without_texts(mut self) -> StoryView {
        for sr in &mut self.records {
            if !sr.text_omitted {
                sr.text_chars = sr.record.text.chars().count() as u64;
                sr.record.text = String::new();
                sr.text_omitted = true;
            }
        }
        self
    }
}

/// A revision as listed in the history panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DraftSummary {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub revision: i64,
    pub author: DraftAuthor,
    pub created_at: DateTime<Utc>,
    pub headline: String,
    /// What the writer reported (model, tokens, cost, cache hits); `{}` for editors.
    #[ts(type = "Record<string, unknown>")]
    pub meta: serde_json::Value,
}

/// An editor's edit: the whole new document, and the revision it was based
/// on, so an edit made on a stale copy is refused instead of overwriting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentEdit {
    pub document: StoryDocument,
    #[ts(type = "number")]
    pub base_revision: i64,
    pub editor: String,
}

/// Settings the window reads at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppSettings {
    /// The editor's name for sign-offs; asked once, then kept.
    pub editor_name: Option<String>,
    /// The data directory holding the SQLite file and exports.
    pub home: String,
}

/// What an export produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportResult {
    pub export: ExportRecord,
    /// The file written, if any.
    pub path: Option<String>,
}
