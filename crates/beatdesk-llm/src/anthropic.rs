//! Anthropic Messages: structured output through `output_config.format`
//! (json_schema), forced tool use for older models, the cached system block,
//! and the SSE event sequence with `ping` and mid-stream `error` events.

use serde_json::{json, Value};

use crate::client::{Built, Decoder, ErrInfo, Reply};
use crate::config::{ModelConfig, StructuredMode};
use crate::prompt::CallSpec;
use crate::retry::{looks_like_overflow, number_after};
use crate::sse::{SseEvent, SseParser};
use crate::usage::Usage;

pub const VERSION: &str = "2023-06-01";

pub fn build(cfg: &ModelConfig, spec: &CallSpec, mode: StructuredMode, stream: bool) -> Built {
    let schema = spec.schema();
    let mut body = json!({
        "model": cfg.model,
        "max_tokens": cfg.max_output(),
        // The byte-stable system prompt is the cache breakpoint.
        "system": [{"type": "text", "text": spec.system, "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": spec.user}],
        "temperature": cfg.temperature.unwrap_or(0.3),
        "stream": stream,
    });
    if mode == StructuredMode::Tool {
        body["tools"] = json!([{
            "name": spec.shape.name(),
            "description": "Record the reply in the required structure.",
            "input_schema": schema,
        }]);
        body["tool_choice"] = json!({"type": "tool", "name": spec.shape.name()});
    } else {
        body["output_config"] = json!({"format": {"type": "json_schema", "schema": schema}});
    }
    Built {
        path: "/v1/messages".into(),
        body,
        headers: vec![("anthropic-version", VERSION.to_string())],
    }
}

pub fn parse_full(v: &Value) -> Result<Reply, ErrInfo> {
    if v["type"] == "error" {
        return Err(error_info(&v["error"], 200));
    }
    let mut text = String::new();
    for b in v["content"].as_array().into_iter().flatten() {
        match b["type"].as_str() {
            Some("text") => text.push_str(b["text"].as_str().unwrap_or_default()),
            Some("tool_use") => text.push_str(&b["input"].to_string()),
            _ => {}
        }
    }
    let stop = v["stop_reason"].as_str().map(str::to_string);
    Ok(Reply {
        text,
        truncated: stop.as_deref() == Some("max_tokens"),
        finish_reason: stop,
        usage: Usage::from_anthropic(&v["usage"]),
    })
}

/// message_start → content_block_start/delta/stop → message_delta → message_stop.
#[derive(Default)]
pub struct StreamDecoder {
    sse: SseParser,
    text: String,
    stop: Option<String>,
    usage: Usage,
    done: bool,
}

impl StreamDecoder {
    fn event(&mut self, ev: SseEvent, out: &mut Vec<String>) -> Result<(), ErrInfo> {
        if ev.data.trim().is_empty() {
            return Ok(());
        }
        let v: Value = serde_json::from_str(&ev.data).map_err(|e| ErrInfo {
            kind: Some("invalid_stream".into()),
            message: format!("a stream event is not JSON ({e})"),
            no_retry: true,
            ..Default::default()
        })?;
        let kind = if ev.event == "message" {
            v["type"].as_str().unwrap_or_default().to_string()
        } else {
            ev.event
        };
        match kind.as_str() {
            "message_start" => self.usage = Usage::from_anthropic(&v["message"]["usage"]),
            "content_block_delta" => {
                let d = &v["delta"];
                let piece = match d["type"].as_str() {
                    Some("text_delta") => d["text"].as_str(),
                    Some("input_json_delta") => d["partial_json"].as_str(),
                    _ => None,
                };
                if let Some(p) = piece {
                    self.text.push_str(p);
                    out.push(p.to_string());
                }
            }
            "message_delta" => {
                if let Some(s) = v["delta"]["stop_reason"].as_str() {
                    self.stop = Some(s.to_string());
                }
                if let Some(o) = v["usage"]["output_tokens"].as_u64() {
                    self.usage.completion_tokens = Some(o);
                }
            }
            "message_stop" => self.done = true,
            "error" => return Err(error_info(&v["error"], 200)),
            _ => {} // ping, content_block_start/stop, unknown future events
        }
        Ok(())
    }
}

impl Decoder for StreamDecoder {
    fn feed(&mut self, chunk: &[u8], out: &mut Vec<String>) -> Result<(), ErrInfo> {
        for ev in self.sse.push(chunk) {
            self.event(ev, out)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<String>) -> Result<Reply, ErrInfo> {
        if let Some(ev) = self.sse.finish() {
            self.event(ev, out)?;
        }
        if !self.done && self.stop.is_none() {
            return Err(ErrInfo {
                kind: Some("incomplete_stream".into()),
                message: format!(
                    "the stream ended before message_stop ({} characters received)",
                    self.text.len()
                ),
                ..Default::default()
            });
        }
        Ok(Reply {
            text: std::mem::take(&mut self.text),
            truncated: self.stop.as_deref() == Some("max_tokens"),
            finish_reason: self.stop.take(),
            usage: std::mem::take(&mut self.usage),
        })
    }
}

fn error_info(e: &Value, status: u16) -> ErrInfo {
    let message = e["message"].as_str().unwrap_or("(no message)").to_string();
    let kind = e["type"].as_str().map(str::to_string);
    let overflow = looks_like_overflow(&message).then(|| {
        (
            number_after(&message, "prompt is too long"),
            number_after(&message, ">"),
        )
    });
    let no_retry = e.pointer("/details/error_code").and_then(Value::as_str)
        == Some("enforced_spend_limit_reached");
    let lower = message.to_lowercase();
    let structured_refused = status == 400
        && overflow.is_none()
        && [
            "output_config",
            "output_format",
            "structured output",
            "json_schema",
        ]
        .iter()
        .any(|p| lower.contains(p));
    ErrInfo {
        kind,
        message,
        overflow,
        no_retry,
        structured_refused,
    }
}

pub fn parse_error(status: u16, body: &str) -> ErrInfo {
    match serde_json::from_str::<Value>(body) {
        Ok(v) if v["error"].is_object() => error_info(&v["error"], status),
        _ => ErrInfo {
            message: if body.trim().is_empty() {
                "(empty body)".into()
            } else {
                body.trim().chars().take(300).collect()
            },
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_shapes() {
        let o = parse_error(
            400,
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208310 tokens > 200000 maximum"},"request_id":"req_011"}"#,
        );
        assert_eq!(o.overflow, Some((Some(208310), Some(200000))));
        let s = parse_error(
            429,
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"spend limit","details":{"error_code":"enforced_spend_limit_reached"}},"request_id":"req_1"}"#,
        );
        assert!(s.no_retry);
        let f = parse_error(
            400,
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"output_config.format: structured outputs are not supported for this model"}}"#,
        );
        assert!(f.structured_refused);
    }
}
