//! Model configuration (stored by the core as JSON in settings), API keys
//! that never print, and the per-beat provider policy.

use serde::{Deserialize, Serialize};

pub use crate::policy::{host_of, is_loopback_host};

/// Which wire protocol a model speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI chat completions and every compatible server (DeepSeek, vLLM,
    /// llama.cpp, LM Studio, Ollama's `/v1`).
    Openai,
    /// Ollama's native `/api/chat` (honours `num_ctx` and a JSON-schema `format`).
    Ollama,
    /// Anthropic Messages.
    Anthropic,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Openai => "openai",
            ProviderKind::Ollama => "ollama",
            ProviderKind::Anthropic => "anthropic",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openai" => Some(ProviderKind::Openai),
            "ollama" => Some(ProviderKind::Ollama),
            "anthropic" => Some(ProviderKind::Anthropic),
            _ => None,
        }
    }

    /// The base URL used when none is configured.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::Openai => "https://api.openai.com/v1",
            ProviderKind::Ollama => "http://127.0.0.1:11434",
            ProviderKind::Anthropic => "https://api.anthropic.com",
        }
    }
}

/// How structured output is requested. `Auto` picks per provider: OpenAI-
/// compatible servers get `response_format` json_schema, except DeepSeek
/// (detected from the host) which only has `json_object`; Anthropic gets
/// `output_config.format` and falls back to forced tool use when refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StructuredMode {
    #[default]
    Auto,
    /// OpenAI `response_format: {type: json_schema, strict: true}` (also llama.cpp, LM Studio).
    JsonSchema,
    /// `response_format: {type: json_object}` plus the schema described in the prompt (DeepSeek).
    JsonObject,
    /// vLLM >= 0.12 `structured_outputs: {json: schema}`.
    StructuredOutputs,
    /// Anthropic `output_config.format` json_schema.
    OutputConfig,
    /// Anthropic forced tool use (`tool_choice: {type: tool}`), for older models.
    Tool,
}

impl StructuredMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StructuredMode::Auto => "auto",
            StructuredMode::JsonSchema => "json_schema",
            StructuredMode::JsonObject => "json_object",
            StructuredMode::StructuredOutputs => "structured_outputs",
            StructuredMode::OutputConfig => "output_config",
            StructuredMode::Tool => "tool",
        }
    }
}

/// Prices in USD per million tokens, as the provider publishes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Prices {
    pub input_per_million: f64,
    pub output_per_million: f64,
    /// Price of a prompt-cache hit; the input price when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input_per_million: Option<f64>,
    /// Price of writing the cache (Anthropic); the input price when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_per_million: Option<f64>,
}

/// One configured model, by name (`beatdesk model add NAME ...`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// The user's name for it: `--writer NAME`, keychain entry, env var.
    pub name: String,
    pub kind: ProviderKind,
    /// e.g. `https://api.deepseek.com`, `http://127.0.0.1:11434`,
    /// `http://127.0.0.1:8080/v1`. Empty means the provider's default.
    #[serde(default)]
    pub base_url: String,
    /// The provider's model id, e.g. `llama3.1:8b`, `deepseek-v4-flash`.
    pub model: String,
    /// The context window in tokens. Ollama gets it as `options.num_ctx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_tokens: Option<u32>,
    /// Reply budget in tokens; by default a quarter of the context, 1024..=4096.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prices: Option<Prices>,
    #[serde(default)]
    pub structured: StructuredMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
}

impl ModelConfig {
    pub fn new(name: &str, kind: ProviderKind, base_url: &str, model: &str) -> ModelConfig {
        ModelConfig {
            name: name.to_string(),
            kind,
            base_url: base_url.to_string(),
            model: model.to_string(),
            context_tokens: None,
            max_output_tokens: None,
            prices: None,
            structured: StructuredMode::Auto,
            temperature: None,
        }
    }

    /// The base URL without a trailing slash, defaulted per provider.
    pub fn base(&self) -> String {
        let b = self.base_url.trim();
        let b = if b.is_empty() {
            self.kind.default_base_url()
        } else {
            b
        };
        b.trim_end_matches('/').to_string()
    }

    /// The lower-cased host of the base URL.
    pub fn host(&self) -> Option<String> {
        host_of(&self.base())
    }

    /// The context window: configured, or 8k for local servers and 128k for hosted ones.
    pub fn context(&self) -> u32 {
        self.context_tokens.unwrap_or(match self.kind {
            ProviderKind::Ollama => 8192,
            _ if self.is_local() => 8192,
            _ => 128_000,
        })
    }

    pub fn max_output(&self) -> u32 {
        self.max_output_tokens
            .unwrap_or_else(|| (self.context() / 4).clamp(1024, 4096))
    }

    /// Whether the server is on this machine (loopback).
    pub fn is_local(&self) -> bool {
        self.host().map(|h| is_loopback_host(&h)).unwrap_or(false)
    }

    pub fn is_deepseek(&self) -> bool {
        self.host().map(|h| h.contains("deepseek")).unwrap_or(false)
            || self.model.to_ascii_lowercase().starts_with("deepseek") && !self.is_local()
    }

    /// The structured-output mode actually used on the wire.
    pub fn effective_structured(&self) -> StructuredMode {
        match (self.kind, self.structured) {
            (ProviderKind::Ollama, _) => StructuredMode::JsonSchema,
            (ProviderKind::Anthropic, StructuredMode::Tool) => StructuredMode::Tool,
            (ProviderKind::Anthropic, _) => StructuredMode::OutputConfig,
            (ProviderKind::Openai, StructuredMode::Auto) if self.is_deepseek() => {
                StructuredMode::JsonObject
            }
            (ProviderKind::Openai, StructuredMode::Auto)
            | (ProviderKind::Openai, StructuredMode::OutputConfig)
            | (ProviderKind::Openai, StructuredMode::Tool) => StructuredMode::JsonSchema,
            (ProviderKind::Openai, m) => m,
        }
    }

    /// Checks the configuration before anything is sent.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("the model needs a name".into());
        }
        if self.model.trim().is_empty() {
            return Err(format!("model '{}' has no provider model id", self.name));
        }
        let base = self.base();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "model '{}': base URL '{}' must start with http:// or https://",
                self.name, base
            ));
        }
        if self.host().is_none() {
            return Err(format!(
                "model '{}': base URL '{}' has no host",
                self.name, base
            ));
        }
        if let Some(c) = self.context_tokens {
            if c < 2048 {
                return Err(format!(
                    "model '{}': a context of {c} tokens is too small to draft a story",
                    self.name
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_mode_is_picked_per_provider() {
        let ds = ModelConfig::new("ds", ProviderKind::Openai, "https://api.deepseek.com", "x");
        assert_eq!(ds.effective_structured(), StructuredMode::JsonObject);
        let oa = ModelConfig::new("oa", ProviderKind::Openai, "", "gpt");
        assert_eq!(oa.effective_structured(), StructuredMode::JsonSchema);
        assert_eq!(oa.base(), "https://api.openai.com/v1");
        let an = ModelConfig::new("an", ProviderKind::Anthropic, "", "claude");
        assert_eq!(an.effective_structured(), StructuredMode::OutputConfig);
        assert_eq!(an.context(), 128_000);
        let ol = ModelConfig::new("ol", ProviderKind::Ollama, "", "llama");
        assert_eq!((ol.context(), ol.max_output()), (8192, 2048));
    }

    #[test]
    fn config_round_trips_as_json() {
        let mut c = ModelConfig::new("ds", ProviderKind::Openai, "https://api.deepseek.com", "x");
        c.prices = Some(Prices {
            input_per_million: 0.27,
            output_per_million: 1.1,
            ..Default::default()
        });
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<ModelConfig>(&j).unwrap(), c);
        let min: ModelConfig =
            serde_json::from_str(r#"{"name":"a","kind":"ollama","model":"llama3.1:8b"}"#).unwrap();
        assert!(min.validate().is_ok());
    }
}
