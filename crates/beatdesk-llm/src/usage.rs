//! Token usage as each provider reports it, normalised, and what it costs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Prices;

/// One call's usage. `prompt_tokens` always includes cached tokens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    /// Prompt tokens served from the provider's cache.
    pub cached_tokens: Option<u64>,
    /// Prompt tokens not served from cache, when reported (DeepSeek).
    pub cache_miss_tokens: Option<u64>,
    /// Prompt tokens written to the cache (Anthropic).
    pub cache_write_tokens: Option<u64>,
}

fn u(v: &Value, path: &[&str]) -> Option<u64> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_u64()
}

impl Usage {
    /// OpenAI-compatible `usage` (OpenAI, DeepSeek, vLLM, llama.cpp).
    pub fn from_openai(v: &Value) -> Usage {
        let hit = u(v, &["prompt_cache_hit_tokens"]);
        let miss = u(v, &["prompt_cache_miss_tokens"]);
        let cached = hit.or_else(|| u(v, &["prompt_tokens_details", "cached_tokens"]));
        Usage {
            prompt_tokens: u(v, &["prompt_tokens"]).or(match (hit, miss) {
                (Some(h), Some(m)) => Some(h + m),
                _ => None,
            }),
            completion_tokens: u(v, &["completion_tokens"]),
            cached_tokens: cached,
            cache_miss_tokens: miss,
            cache_write_tokens: None,
        }
    }

    /// Anthropic `usage`: `input_tokens` excludes cache reads and writes.
    pub fn from_anthropic(v: &Value) -> Usage {
        let input = u(v, &["input_tokens"]);
        let read = u(v, &["cache_read_input_tokens"]);
        let write = u(v, &["cache_creation_input_tokens"]);
        Usage {
            prompt_tokens: input.map(|i| i + read.unwrap_or(0) + write.unwrap_or(0)),
            completion_tokens: u(v, &["output_tokens"]),
            cached_tokens: read,
            cache_miss_tokens: None,
            cache_write_tokens: write,
        }
    }

    /// Merges a later usage report of the same call (Anthropic's
    /// `message_delta` carries the output count; its input count repeats).
    pub fn merge(&mut self, later: Usage) {
        fn pick(a: &mut Option<u64>, b: Option<u64>) {
            if b.is_some() {
                *a = b;
            }
        }
        pick(&mut self.prompt_tokens, later.prompt_tokens);
        pick(&mut self.completion_tokens, later.completion_tokens);
        pick(&mut self.cached_tokens, later.cached_tokens);
        pick(&mut self.cache_miss_tokens, later.cache_miss_tokens);
        pick(&mut self.cache_write_tokens, later.cache_write_tokens);
    }

    /// Adds another call's usage (a draft of several calls).
    pub fn add(&mut self, o: &Usage) {
        fn sum(a: &mut Option<u64>, b: Option<u64>) {
            if let Some(b) = b {
                *a = Some(a.unwrap_or(0) + b);
            }
        }
        sum(&mut self.prompt_tokens, o.prompt_tokens);
        sum(&mut self.completion_tokens, o.completion_tokens);
        sum(&mut self.cached_tokens, o.cached_tokens);
        sum(&mut self.cache_miss_tokens, o.cache_miss_tokens);
        sum(&mut self.cache_write_tokens, o.cache_write_tokens);
    }

    /// Cached share of the prompt, when the provider reports caching.
    pub fn cache_hit_rate(&self) -> Option<f64> {
        let hit = self.cached_tokens?;
        let total = match self.cache_miss_tokens {
            Some(m) => hit + m,
            None => self.prompt_tokens?,
        };
        (total > 0).then(|| hit as f64 / total as f64)
    }

    /// Cost in USD under `prices`, when the token counts are known.
    pub fn cost(&self, prices: &Prices) -> Option<f64> {
        let prompt = self.prompt_tokens? as f64;
        let out = self.completion_tokens.unwrap_or(0) as f64;
        let cached = self.cached_tokens.unwrap_or(0) as f64;
        let written = self.cache_write_tokens.unwrap_or(0) as f64;
        let fresh = (prompt - cached - written).max(0.0);
        let cached_price = prices
            .cached_input_per_million
            .unwrap_or(prices.input_per_million);
        let write_price = prices
            .cache_write_per_million
            .unwrap_or(prices.input_per_million);
        Some(
            (fresh * prices.input_per_million
                + cached * cached_price
                + written * write_price
                + out * prices.output_per_million)
                / 1e6,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deepseek_hit_rate_is_hit_over_hit_plus_miss() {
        let u = Usage::from_openai(&json!({"prompt_tokens": 1000, "completion_tokens": 200,
            "prompt_cache_hit_tokens": 750, "prompt_cache_miss_tokens": 250, "total_tokens": 1200}));
        assert_eq!(u.cache_hit_rate(), Some(0.75));
        let p = Prices {
            input_per_million: 0.28,
            output_per_million: 0.42,
            cached_input_per_million: Some(0.028),
            cache_write_per_million: None,
        };
        let c = u.cost(&p).unwrap();
        assert!((c - (250.0 * 0.28 + 750.0 * 0.028 + 200.0 * 0.42) / 1e6).abs() < 1e-12);
    }

    #[test]
    fn openai_and_anthropic_cache_fields() {
        let o = Usage::from_openai(&json!({"prompt_tokens": 2000, "completion_tokens": 10,
            "prompt_tokens_details": {"cached_tokens": 1024}}));
        assert_eq!(o.cache_hit_rate(), Some(0.512));
        let mut a =
            Usage::from_anthropic(&json!({"input_tokens": 100, "cache_read_input_tokens": 900,
            "cache_creation_input_tokens": 0, "output_tokens": 1}));
        a.merge(Usage::from_anthropic(&json!({"output_tokens": 321})));
        assert_eq!(
            (a.prompt_tokens, a.completion_tokens),
            (Some(1000), Some(321))
        );
        assert_eq!(a.cache_hit_rate(), Some(0.9));
        let none = Usage::from_openai(&json!({"prompt_tokens": 10, "completion_tokens": 1}));
        assert_eq!(none.cache_hit_rate(), None);
    }
}
