//! Export targets (WordPress, Ghost, webhooks) and what was sent to them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A configured target. Its secret is never here: only where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TargetInfo {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// `wordpress`, `ghost` or `webhook`.
    pub kind: String,
    pub url: String,
    pub user: Option<String>,
    /// `env` (BEATDESK_TARGET_<NAME>_SECRET), `keychain` or `missing`.
    pub secret_source: String,
    pub created_at: DateTime<Utc>,
}

/// What an export would send, shown before anything goes (`--dry-run`, the window's preview).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportPlan {
    pub target: String,
    pub kind: String,
    /// `create`, `update` or `none` (unchanged since the last export).
    pub action: String,
    pub remote_id: Option<String>,
    pub url: Option<String>,
    #[ts(type = "number")]
    pub story_id: i64,
    #[ts(type = "number")]
    pub revision: i64,
    pub status: String,
    /// `approved`, `corrected` or `spiked`.
    pub event: String,
    pub signed_off_by: String,
    pub title: String,
    pub excerpt: Option<String>,
    pub body_html: String,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
}

/// The answer of `export --to TARGET`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportOutcome {
    pub target: String,
    pub kind: String,
    pub action: String,
    pub remote_id: Option<String>,
    pub url: Option<String>,
    #[ts(type = "number")]
    pub revision: i64,
    pub status: String,
    /// True when a lost reply was recovered by finding the post already made.
    pub recovered: bool,
}

/// One export attempt to a target, as History shows it (failures included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TargetExport {
    #[ts(type = "number")]
    pub id: i64,
    pub target: String,
    pub kind: String,
    #[ts(type = "number")]
    pub story_id: i64,
    #[ts(type = "number")]
    pub revision: i64,
    /// `create`, `update`, `none` or `failed`.
    pub action: String,
    pub remote_id: Option<String>,
    pub url: Option<String>,
    pub status: Option<String>,
    pub event: Option<String>,
    pub error: Option<String>,
    pub actor: String,
    pub created_at: DateTime<Utc>,
}
