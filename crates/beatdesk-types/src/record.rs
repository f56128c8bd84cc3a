use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Platform {
    Reddit,
    Bluesky,
    News,
    Web,
    Manual,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::Reddit,
        Platform::Bluesky,
        Platform::News,
        Platform::Web,
        Platform::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Reddit => "reddit",
            Platform::Bluesky => "bluesky",
            Platform::News => "news",
            Platform::Web => "web",
            Platform::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Whether a record takes part in analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum RecordStatus {
    Kept,
    Rejected,
    Duplicate,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Kept => "kept",
            RecordStatus::Rejected => "rejected",
            RecordStatus::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<RecordStatus> {
        match s {
            "kept" => Some(RecordStatus::Kept),
            "rejected" => Some(RecordStatus::Rejected),
            "duplicate" => Some(RecordStatus::Duplicate),
            _ => None,
        }
    }
}

/// Engagement as the platform reports it. Absent numbers are `None`, not 0,
/// so "no data" never reads as "no interest".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Metrics {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub score: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub comments: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub likes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub reposts: Option<i64>,
}

/// One source record: a post, an article, a web page or a reporter's note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Record {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub beat_id: i64,
    pub platform: Platform,
    pub external_id: String,
    pub url: String,
    pub canonical_url: String,
    pub title: String,
    pub text: String,
    pub author: String,
    /// Subreddit, Bluesky feed or publication; used for diversity.
    pub community: Option<String>,
    pub published_at: DateTime<Utc>,
    pub fetched_at: DateTime<Utc>,
    pub metrics: Metrics,
    pub status: RecordStatus,
    /// Why the record was rejected or collapsed as a duplicate.
    pub reason: Option<String>,
    #[ts(type = "number | null")]
    pub duplicate_of: Option<i64>,
    /// A reporter's note on a manual source.
    pub note: Option<String>,
    /// The reporter who added a manual source.
    pub added_by: Option<String>,
}

impl Record {
    /// The host of the record's URL without `www.`, for diversity and display.
    pub fn domain(&self) -> Option<String> {
        let rest = self.canonical_url.split("://").nth(1)?;
        let host = rest.split(['/', '?', '#']).next()?;
        let host = host.rsplit('@').next()?.split(':').next()?;
        if host.is_empty() {
            return None;
        }
        Some(host.trim_start_matches("www.").to_ascii_lowercase())
    }
}
