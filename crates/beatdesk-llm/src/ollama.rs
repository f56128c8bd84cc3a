//! Ollama's native `/api/chat`: `format` carries the JSON schema and
//! `options.num_ctx` the context window (its `/v1` ignores `num_ctx` and
//! silently truncates). Streams are NDJSON, not SSE. Also the local probe.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::client::{http_client, Built, Decoder, ErrInfo, Reply};
use crate::config::{ModelConfig, ProviderKind};
use crate::error::LlmError;
use crate::prompt::CallSpec;
use crate::retry::{looks_like_overflow, number_after};
use crate::sse::LineBuffer;
use crate::usage::Usage;

pub fn build(cfg: &ModelConfig, spec: &CallSpec, stream: bool) -> Built {
    let body = json!({
        "model": cfg.model,
        "messages": [
            {"role": "system", "content": spec.system},
            {"role": "user", "content": spec.user},
        ],
        "stream": stream,
        "format": spec.schema(),
        "options": {
            "num_ctx": cfg.context(),
            "num_predict": cfg.max_output(),
            "temperature": cfg.temperature.unwrap_or(0.3),
        },
    });
    Built {
        path: "/api/chat".into(),
        body,
        headers: Vec::new(),
    }
}

fn usage(v: &Value) -> Usage {
    Usage {
        prompt_tokens: v["prompt_eval_count"].as_u64(),
        completion_tokens: v["eval_count"].as_u64(),
        ..Default::default()
    }
}

fn error_info(msg: &str) -> ErrInfo {
    let overflow = looks_like_overflow(msg)
        .then(|| (number_after(msg, "prompt="), number_after(msg, "limit=")));
    ErrInfo {
        kind: None,
        message: msg.to_string(),
        overflow,
        ..Default::default()
    }
}

pub fn parse_full(v: &Value) -> Result<Reply, ErrInfo> {
    if let Some(e) = v["error"].as_str() {
        return Err(error_info(e));
    }
    let finish = v["done_reason"].as_str().map(str::to_string);
    Ok(Reply {
        text: v
            .pointer("/message/content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        truncated: finish.as_deref() == Some("length"),
        finish_reason: finish,
        usage: usage(v),
    })
}

/// One JSON object per line; the last has `done: true` and the counts.
#[derive(Default)]
pub struct StreamDecoder {
    lines: LineBuffer,
    text: String,
    last: Option<Value>,
}

impl StreamDecoder {
    fn line(&mut self, line: &str, out: &mut Vec<String>) -> Result<(), ErrInfo> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(());
        }
        let v: Value = serde_json::from_str(line).map_err(|e| ErrInfo {
            kind: Some("invalid_stream".into()),
            message: format!("a stream line is not JSON ({e})"),
            no_retry: true,
            ..Default::default()
        })?;
        if let Some(e) = v["error"].as_str() {
            return Err(error_info(e));
        }
        if let Some(d) = v.pointer("/message/content").and_then(Value::as_str) {
            if !d.is_empty() {
                self.text.push_str(d);
                out.push(d.to_string());
            }
        }
        if v["done"].as_bool() == Some(true) {
            self.last = Some(v);
        }
        Ok(())
    }
}

impl Decoder for StreamDecoder {
    fn feed(&mut self, chunk: &[u8], out: &mut Vec<String>) -> Result<(), ErrInfo> {
        for l in self.lines.push(chunk) {
            self.line(&l, out)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<String>) -> Result<Reply, ErrInfo> {
        if let Some(l) = self.lines.finish() {
            self.line(&l, out)?;
        }
        let Some(last) = self.last.take() else {
            return Err(ErrInfo {
                kind: Some("incomplete_stream".into()),
                message: format!(
                    "the stream ended before `done` ({} characters received)",
                    self.text.len()
                ),
                ..Default::default()
            });
        };
        let finish = last["done_reason"].as_str().map(str::to_string);
        Ok(Reply {
            text: std::mem::take(&mut self.text),
            truncated: finish.as_deref() == Some("length"),
            finish_reason: finish,
            usage: usage(&last),
        })
    }
}

pub fn parse_error(_status: u16, body: &str) -> ErrInfo {
    match serde_json::from_str::<Value>(body) {
        Ok(v) if v["error"].is_string() => error_info(v["error"].as_str().unwrap_or_default()),
        _ => error_info(if body.trim().is_empty() {
            "(empty body)"
        } else {
            body.trim()
        }),
    }
}

/// A model a local Ollama has pulled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OllamaModel {
    pub name: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub parameter_size: Option<String>,
    #[serde(default)]
    pub quantization: Option<String>,
    #[serde(default)]
    pub family: Option<String>,
}

/// Asks an Ollama server which models it has (`GET /api/tags`). The core
/// offers `http://127.0.0.1:11434` automatically when this answers.
pub async fn probe_ollama(base_url: &str, timeout: Duration) -> Result<Vec<OllamaModel>, LlmError> {
    let base = if base_url.trim().is_empty() {
        ProviderKind::Ollama.default_base_url()
    } else {
        base_url.trim()
    };
    let base = base.trim_end_matches('/');
    let label = format!("ollama at {base}");
    let fut = async {
        let resp = http_client()?
            .get(format!("{base}/api/tags"))
            .send()
            .await
            .map_err(|e| LlmError::Transport {
                model: label.clone(),
                message: e.to_string(),
                retryable: true,
            })?;
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        if status != 200 {
            let info = parse_error(status, &body);
            return Err(LlmError::Http {
                model: label.clone(),
                status,
                kind: None,
                message: info.message,
                retryable: false,
            });
        }
        let v: Value = serde_json::from_str(&body).map_err(|e| LlmError::InvalidReply {
            model: label.clone(),
            reason: format!("/api/tags is not JSON ({e})"),
            raw: body.clone(),
        })?;
        Ok(v["models"]
            .as_array()
            .map(|ms| {
                ms.iter()
                    .filter_map(|m| {
                        Some(OllamaModel {
                            name: m["name"]
                                .as_str()
                                .or_else(|| m["model"].as_str())?
                                .to_string(),
                            size: m["size"].as_u64().unwrap_or(0),
                            parameter_size: m
                                .pointer("/details/parameter_size")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                            quantization: m
                                .pointer("/details/quantization_level")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                            family: m
                                .pointer("/details/family")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default())
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(LlmError::Timeout {
            model: label,
            secs: timeout.as_secs(),
        }),
    }
}

/// A model config for a probed local Ollama model (8k context by default).
pub fn ollama_config(name: &str, base_url: &str, model: &OllamaModel) -> ModelConfig {
    let mut c = ModelConfig::new(name, ProviderKind::Ollama, base_url, &model.name);
    c.context_tokens = Some(8192);
    c
}
