//! Drafting figures per beat: tokens, cost and cache-hit rate, by day.

use std::collections::BTreeMap;

use beatdesk_store::{drafts, stories};
use beatdesk_types::{BeatUsage, DraftAuthor, ModelInfo, UsageDay};

use crate::secrets::model_key;
use crate::{Beatdesk, Result};

#[derive(Default)]
struct Acc {
    drafts: i64,
    cost: f64,
    prompt: i64,
    cached: i64,
    reported: bool,
}

impl Beatdesk {
    pub fn beat_usage(&self, beat_id: i64) -> Result<BeatUsage> {
        self.store.read(|c| {
            let mut u = BeatUsage::default();
            let mut days: BTreeMap<String, Acc> = BTreeMap::new();
            let (mut rep_prompt, mut rep_cached) = (0i64, 0i64);
            for s in stories::list_all_for_beat(c, beat_id)? {
                for h in drafts::history(c, s.id)? {
                    let DraftAuthor::Writer(_) = h.author else {
                        continue;
                    };
                    let d = drafts::get(c, h.id)?;
                    u.drafts += 1;
                    let m = &d.meta;
                    let num = |k: &str| m.get(k).and_then(|v| v.as_f64());
                    let day = days
                        .entry(d.created_at.format("%Y-%m-%d").to_string())
                        .or_default();
                    day.drafts += 1;
                    if m.get("provider").is_none() {
                        continue;
                    }
                    u.model_drafts += 1;
                    let prompt = num("prompt_tokens").unwrap_or(0.0) as i64;
                    u.prompt_tokens += prompt;
                    u.completion_tokens += num("completion_tokens").unwrap_or(0.0) as i64;
                    let cost = num("cost_usd").unwrap_or(0.0);
                    u.cost_usd += cost;
                    day.cost += cost;
                    if let Some(cached) = num("cached_tokens") {
                        u.cached_tokens += cached as i64;
                        if m.get("cache_hit_rate").is_some_and(|v| !v.is_null()) {
                            rep_prompt += prompt;
                            rep_cached += cached as i64;
                            day.prompt += prompt;
                            day.cached += cached as i64;
                            day.reported = true;
                        }
                    }
                }
            }
            u.cache_hit_rate = (rep_prompt > 0).then(|| rep_cached as f64 / rep_prompt as f64);
            u.by_day = days
                .into_iter()
                .map(|(day, a)| UsageDay {
                    day,
                    drafts: a.drafts,
                    cost_usd: a.cost,
                    cache_hit_rate: (a.reported && a.prompt > 0)
                        .then(|| a.cached as f64 / a.prompt as f64),
                })
                .collect();
            Ok(u)
        })
    }

    /// Model writers for the window, with whether a key is available.
    pub fn model_infos(&self) -> Result<Vec<ModelInfo>> {
        Ok(self
            .models()?
            .into_iter()
            .map(|m| {
                let has_key = beatdesk_llm::api_key_from_env(&m.name).is_some()
                    || self
                        .secrets
                        .get(&model_key(&m.name))
                        .ok()
                        .flatten()
                        .is_some();
                ModelInfo {
                    kind: serde_json::to_value(m.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    name: m.name,
                    base_url: m.base_url,
                    model: m.model,
                    context_tokens: m.context_tokens,
                    has_key,
                }
            })
            .collect())
    }
}

impl Beatdesk {
    /// Adds a model writer from the window's form.
    pub fn add_model_info(&self, info: &ModelInfo) -> Result<()> {
        let kind: beatdesk_llm::ProviderKind =
            serde_json::from_value(serde_json::Value::String(info.kind.clone())).map_err(|_| {
                crate::CoreError::bad_input(
                    "model",
                    "kind",
                    format!("{:?} is not openai, ollama or anthropic", info.kind),
                )
            })?;
        let mut cfg = beatdesk_llm::ModelConfig::new(
            info.name.trim(),
            kind,
            info.base_url.trim(),
            info.model.trim(),
        );
        cfg.context_tokens = info.context_tokens;
        self.add_model(cfg)
    }
}
