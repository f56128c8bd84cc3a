//! What a model draft records about itself (stored by the core in `Draft.meta`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::CallStats;
use crate::config::ModelConfig;
use crate::evidence::Prepared;
use crate::prompt::system_prompt;
use crate::text::estimate_tokens;

/// Provider, model, prompt hash, tokens, cost, latency and cache-hit rate of one draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftMeta {
    /// The configured model's name (the writer).
    pub writer: String,
    /// `openai`, `ollama` or `anthropic`.
    pub provider: String,
    pub model: String,
    pub host: String,
    /// How structured output was requested: json_schema, json_object, structured_outputs, output_config, tool.
    pub structured: String,
    /// `single` (one call), `outline` (outline + one call per section + recap), `section`, `faq`.
    pub mode: String,
    pub calls: u32,
    pub retries: u32,
    /// sha256 over every call's system prompt, user message and schema.
    pub prompt_hash: String,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub cached_tokens: Option<u64>,
    /// Cached share of prompt tokens, where the provider reports caching.
    pub cache_hit_rate: Option<f64>,
    /// USD, where prices are configured for the model.
    pub cost_usd: Option<f64>,
    /// Beatdesk's own estimate of the prompt tokens sent (all calls).
    pub estimated_prompt_tokens: usize,
    /// The byte-stable prefix (system prompt: rules and reply shapes).
    pub stable_prefix_bytes: usize,
    pub stable_prefix_tokens: usize,
    /// Evidence budget per call, in estimated tokens.
    pub evidence_budget: usize,
    /// The evidence was shrunk after a context-overflow error.
    pub shrunk: bool,
    pub latency_ms: u64,
    pub finish_reason: Option<String>,
    /// R-id → record id, as sent.
    pub citation_ids: BTreeMap<String, i64>,
    /// Records the editor excluded: never sent.
    pub records_excluded: Vec<i64>,
    /// Near-duplicates collapsed into the record they repeat: [duplicate, kept].
    pub records_collapsed: Vec<[i64; 2]>,
    pub warnings: Vec<String>,
}

pub struct MetaInput<'a> {
    pub cfg: &'a ModelConfig,
    pub prepared: &'a Prepared<'a>,
    pub stats: &'a CallStats,
    pub mode: &'a str,
    pub prompt_hash: String,
    pub estimated_prompt_tokens: usize,
    pub evidence_budget: usize,
    pub shrunk: bool,
    pub latency_ms: u64,
}

impl DraftMeta {
    pub fn build(i: MetaInput) -> DraftMeta {
        let sys = system_prompt();
        let u = &i.stats.usage;
        DraftMeta {
            writer: i.cfg.name.clone(),
            provider: i.cfg.kind.as_str().to_string(),
            model: i.cfg.model.clone(),
            host: i.cfg.host().unwrap_or_default(),
            structured: i
                .stats
                .structured
                .unwrap_or(i.cfg.effective_structured())
                .as_str()
                .to_string(),
            mode: i.mode.to_string(),
            calls: i.stats.calls,
            retries: i.stats.retries,
            prompt_hash: i.prompt_hash,
            prompt_tokens: u.prompt_tokens,
            completion_tokens: u.completion_tokens,
            cached_tokens: u.cached_tokens,
            cache_hit_rate: u.cache_hit_rate(),
            cost_usd: i.cfg.prices.as_ref().and_then(|p| u.cost(p)),
            estimated_prompt_tokens: i.estimated_prompt_tokens,
            stable_prefix_bytes: sys.len(),
            stable_prefix_tokens: estimate_tokens(&sys),
            evidence_budget: i.evidence_budget,
            shrunk: i.shrunk,
            latency_ms: i.latency_ms,
            finish_reason: i.stats.finish_reasons.last().cloned(),
            citation_ids: i
                .prepared
                .sources
                .iter()
                .map(|s| (s.rid.clone(), s.record.id))
                .collect(),
            records_excluded: i.prepared.excluded.clone(),
            records_collapsed: i.prepared.collapsed.iter().map(|(a, b)| [*a, *b]).collect(),
            warnings: i.stats.warnings.clone(),
        }
    }

    /// The JSON the core stores in `Draft.meta`.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The methodology facts in one line, e.g. for the core's methodology text:
    /// "Drafted by ds (deepseek-v4-flash via api.deepseek.com) from 18 records."
    pub fn summary(&self) -> String {
        format!(
            "Drafted by {} ({} via {}) from {} records.",
            self.writer,
            self.model,
            self.host,
            self.citation_ids.len()
        )
    }
}
