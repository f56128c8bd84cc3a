//! Which models a configured server offers, for `beatdesk model add` and the
//! settings form: OpenAI-compatible `GET {base}/models` (DeepSeek advises
//! listing instead of hard-coding names), Anthropic `GET /v1/models`, and
//! Ollama `GET /api/tags`.

use std::time::Duration;

use serde_json::Value;

use crate::anthropic::VERSION;
use crate::client::{http_client, model_label};
use crate::config::{ModelConfig, ProviderKind};
use crate::error::{retryable_status, LlmError};
use crate::ollama::probe_ollama;
use crate::policy::ApiKey;
use crate::{anthropic, openai};

/// The model ids the server offers, sorted.
pub async fn list_models(
    cfg: &ModelConfig,
    api_key: Option<&ApiKey>,
    timeout: Duration,
) -> Result<Vec<String>, LlmError> {
    if cfg.kind == ProviderKind::Ollama {
        let mut v: Vec<String> = probe_ollama(&cfg.base(), timeout)
            .await?
            .into_iter()
            .map(|m| m.name)
            .collect();
        v.sort();
        return Ok(v);
    }
    let label = model_label(cfg);
    let (url, mut req) = match cfg.kind {
        ProviderKind::Anthropic => {
            let url = format!("{}/v1/models?limit=1000", cfg.base());
            let r = http_client()?
                .get(&url)
                .header("anthropic-version", VERSION);
            (url, r)
        }
        _ => {
            let url = format!("{}/models", cfg.base());
            (url.clone(), http_client()?.get(&url))
        }
    };
    if let Some(k) = api_key.filter(|k| !k.expose().is_empty()) {
        req = match cfg.kind {
            ProviderKind::Anthropic => req.header("x-api-key", k.expose()),
            _ => req.bearer_auth(k.expose()),
        };
    }
    let fut = async {
        let resp = req.send().await.map_err(|e| LlmError::Transport {
            model: label.clone(),
            message: format!("GET {url}: {e}"),
            retryable: true,
        })?;
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        if !(200..300).contains(&status) {
            let info = match cfg.kind {
                ProviderKind::Anthropic => anthropic::parse_error(status, &body),
                _ => openai::parse_error(status, &body),
            };
            return Err(LlmError::Http {
                model: label.clone(),
                status,
                kind: info.kind,
                message: info.message,
                retryable: retryable_status(status),
            });
        }
        let v: Value = serde_json::from_str(&body).map_err(|e| LlmError::InvalidReply {
            model: label.clone(),
            reason: format!("the model list is not JSON ({e})"),
            raw: body.clone(),
        })?;
        let mut ids: Vec<String> = v["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["id"].as_str().map(str::to_string))
            .collect();
        ids.sort();
        Ok(ids)
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(LlmError::Timeout {
            model: label,
            secs: timeout.as_secs(),
        }),
    }
}
