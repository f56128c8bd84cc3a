use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A model writer as the window shows and edits it (never its key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ModelInfo {
    pub name: String,
    /// `openai`, `ollama` or `anthropic`.
    pub kind: String,
    pub base_url: String,
    pub model: String,
    #[ts(type = "number | null")]
    pub context_tokens: Option<u32>,
    /// Whether an API key is in the keychain or the environment.
    pub has_key: bool,
}

/// Progress of a model draft, streamed to the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum DraftProgress {
    Started {
        label: String,
    },
    /// Text the model produced; append it.
    Delta {
        label: String,
        text: String,
    },
    /// The call is retried: throw away its partial text.
    Retrying {
        label: String,
        reason: String,
    },
    Shrinking {
        label: String,
        reason: String,
    },
    Finished {
        label: String,
    },
}

/// A beat's drafting figures, for the usage panel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BeatUsage {
    #[ts(type = "number")]
    pub drafts: i64,
    #[ts(type = "number")]
    pub model_drafts: i64,
    #[ts(type = "number")]
    pub prompt_tokens: i64,
    #[ts(type = "number")]
    pub completion_tokens: i64,
    #[ts(type = "number")]
    pub cached_tokens: i64,
    pub cost_usd: f64,
    /// Cached share of prompt tokens over drafts that report it.
    pub cache_hit_rate: Option<f64>,
    /// Per day (UTC): drafts, cost and cache-hit rate.
    pub by_day: Vec<UsageDay>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UsageDay {
    pub day: String,
    #[ts(type = "number")]
    pub drafts: i64,
    pub cost_usd: f64,
    pub cache_hit_rate: Option<f64>,
}
