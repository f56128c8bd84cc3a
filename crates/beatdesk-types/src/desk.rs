//! Types of the review desk: story search, revision comparison, the
//! unsaved-edit buffer and a manual source's attribution.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Platform, StoryDocument, StoryStatus};

/// How the story list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum StorySort {
    #[default]
    Signal,
    /// Most recently updated first.
    Time,
    /// Most records first.
    Size,
}

/// Search, filter and sort of a beat's stories.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StoryQuery {
    /// Words that must all appear in the story's title or in a record's title, text or author.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub status: Option<StoryStatus>,
    /// Only stories holding a record of this platform.
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub sort: StorySort,
}

/// One word (with its trailing space) of a compared paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum DiffOp {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiffWord {
    pub op: DiffOp,
    pub text: String,
}

/// One block (headline, dek, heading, paragraph, FAQ entry) of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiffBlock {
    /// `same`, `added`, `removed` or `changed`.
    pub change: String,
    /// Where it is: "Headline", "Section 2 paragraph 1", "FAQ 3"…
    pub place: String,
    /// The words, marked; for `same` blocks a single `same` run.
    pub words: Vec<DiffWord>,
    /// Citation labels before and after, when they changed.
    #[ts(type = "number[]")]
    pub citations_before: Vec<i64>,
    #[ts(type = "number[]")]
    pub citations_after: Vec<i64>,
}

/// Two revisions of a story compared by paragraph, then by word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RevisionDiff {
    #[ts(type = "number")]
    pub story_id: i64,
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    pub blocks: Vec<DiffBlock>,
    #[ts(type = "number")]
    pub changed: i64,
}

/// Unsaved edit text kept outside the revision history, so a crash or a
/// closed window loses nothing; offered back when the story is opened again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EditBuffer {
    #[ts(type = "number")]
    pub story_id: i64,
    /// The revision the edit started from.
    #[ts(type = "number")]
    pub base_revision: i64,
    pub document: StoryDocument,
    pub saved_at: DateTime<Utc>,
}

/// Who said a manual source's words, when and in what capacity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attribution {
    /// The person or organisation quoted ("Dana Kim").
    #[serde(default)]
    pub who: String,
    /// Their role ("spokesperson for Mistral").
    #[serde(default)]
    pub capacity: String,
    /// When they said it; the time it was added when missing.
    #[serde(default)]
    pub when: Option<DateTime<Utc>>,
}
