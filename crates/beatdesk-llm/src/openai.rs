//! OpenAI-compatible chat completions: OpenAI, DeepSeek (`json_object`,
//! keep-alive comments, cache-hit usage), vLLM (`structured_outputs`),
//! llama.cpp (`exceed_context_size_error`), LM Studio.

use serde_json::{json, Value};

use crate::client::{Built, Decoder, ErrInfo, Reply};
use crate::config::{ModelConfig, StructuredMode};
use crate::prompt::CallSpec;
use crate::retry::{looks_like_overflow, number_after};
use crate::sse::{SseEvent, SseParser};
use crate::usage::Usage;

pub fn build(cfg: &ModelConfig, spec: &CallSpec, mode: StructuredMode, stream: bool) -> Built {
    let schema = spec.schema();
    let mut user = spec.user.clone();
    if mode == StructuredMode::JsonObject {
        // No schema on the wire: state it in the prompt, which must say "json".
        user.push_str(&format!(
            "\nThe reply is a json object valid against this JSON schema:\n{}",
            schema
        ));
    }
    let mut body = json!({
        "model": cfg.model,
        "messages": [
            {"role": "system", "content": spec.system},
            {"role": "user", "content": user},
        ],
        "stream": stream,
    });
    let openai_host = cfg.host().is_some_and(|h| h == "api.openai.com");
    let max_key = if openai_host {
        "max_completion_tokens"
    } else {
        "max_tokens"
    };
    body[max_key] = json!(cfg.max_output());
    if let Some(t) = cfg.temperature.or((!openai_host).then_some(0.3)) {
        body["temperature"] = json!(t);
    }
    if stream {
        body["stream_options"] = json!({"include_usage": true});
    }
    match mode {
        StructuredMode::JsonObject => body["response_format"] = json!({"type": "json_object"}),
        StructuredMode::StructuredOutputs => body["structured_outputs"] = json!({"json": schema}),
        _ => {
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": {"name": spec.shape.name(), "strict": true, "schema": schema},
            })
        }
    }
    Built {
        path: "/chat/completions".into(),
        body,
        headers: Vec::new(),
    }
}

pub fn parse_full(v: &Value) -> Result<Reply, ErrInfo> {
    if let Some(e) = v.get("error") {
        return Err(error_info(e, 200));
    }
    let choice = v.pointer("/choices/0").ok_or_else(|| ErrInfo {
        kind: Some("invalid_response".into()),
        message: "the response has no choices".into(),
        ..Default::default()
    })?;
    let msg = &choice["message"];
    let text = msg["content"].as_str().unwrap_or_default().to_string();
    if text.is_empty() {
        if let Some(r) = msg["refusal"].as_str() {
            return Err(ErrInfo {
                kind: Some("refusal".into()),
                message: format!("the model refused: {r}"),
                no_retry: true,
                ..Default::default()
            });
        }
    }
    let finish = choice["finish_reason"].as_str().map(str::to_string);
    Ok(Reply {
        truncated: finish.as_deref() == Some("length"),
        text,
        finish_reason: finish,
        usage: v.get("usage").map(Usage::from_openai).unwrap_or_default(),
    })
}

/// Chat-completion chunks over SSE, ending with `data: [DONE]`.
#[derive(Default)]
pub struct StreamDecoder {
    sse: SseParser,
    text: String,
    finish: Option<String>,
    usage: Usage,
    done: bool,
}

impl StreamDecoder {
    fn event(&mut self, ev: SseEvent, out: &mut Vec<String>) -> Result<(), ErrInfo> {
        let data = ev.data.trim();
        if data.is_empty() {
            return Ok(());
        }
        if data == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        let v: Value = serde_json::from_str(data).map_err(|e| ErrInfo {
            kind: Some("invalid_stream".into()),
            message: format!("a stream event is not JSON ({e}): {}", short(data)),
            no_retry: true,
            ..Default::default()
        })?;
        if let Some(e) = v.get("error") {
            return Err(error_info(e, 200));
        }
        if ev.event == "error" {
            return Err(error_info(&v, 200));
        }
        if let Some(choice) = v.pointer("/choices/0") {
            if let Some(d) = choice.pointer("/delta/content").and_then(Value::as_str) {
                self.text.push_str(d);
                out.push(d.to_string());
            }
            if let Some(f) = choice["finish_reason"].as_str() {
                self.finish = Some(f.to_string());
            }
        }
        if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
            self.usage = Usage::from_openai(u);
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
        if !self.done && self.finish.is_none() {
            return Err(ErrInfo {
                kind: Some("incomplete_stream".into()),
                message: format!(
                    "the stream ended before the reply was complete ({} characters received)",
                    self.text.len()
                ),
                ..Default::default()
            });
        }
        Ok(Reply {
            text: std::mem::take(&mut self.text),
            truncated: self.finish.as_deref() == Some("length"),
            finish_reason: self.finish.take(),
            usage: std::mem::take(&mut self.usage),
        })
    }
}

fn short(s: &str) -> String {
    let mut t: String = s.chars().take(300).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// An error object: OpenAI/DeepSeek/llama.cpp `error` member, or vLLM's
/// top-level `{"object":"error","message",...}`.
fn error_info(e: &Value, status: u16) -> ErrInfo {
    let message = e["message"]
        .as_str()
        .or_else(|| e.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| short(&e.to_string()));
    let kind = e["type"]
        .as_str()
        .or_else(|| e["code"].as_str())
        .map(str::to_string);
    let code = e["code"].as_str().unwrap_or_default();
    let overflow = if kind.as_deref() == Some("exceed_context_size_error") {
        Some((e["n_prompt_tokens"].as_u64(), e["n_ctx"].as_u64()))
    } else if code == "context_length_exceeded" || looks_like_overflow(&message) {
        let prompt = number_after(&message, "resulted in")
            .or_else(|| number_after(&message, "your request has"))
            .or_else(|| number_after(&message, "you requested"));
        Some((prompt, number_after(&message, "maximum context length is")))
    } else {
        None
    };
    let lower = message.to_lowercase();
    let structured_refused = status == 400
        && overflow.is_none()
        && [
            "response_format",
            "json_schema",
            "structured_outputs",
            "structured output",
        ]
        .iter()
        .any(|p| lower.contains(p));
    ErrInfo {
        kind,
        message,
        overflow,
        no_retry: false,
        structured_refused,
    }
}

pub fn parse_error(status: u16, body: &str) -> ErrInfo {
    match serde_json::from_str::<Value>(body) {
        Ok(v) if v.get("error").is_some() => error_info(&v["error"], status),
        Ok(v) if v.get("message").is_some() => error_info(&v, status),
        _ => {
            let message = if body.trim().is_empty() {
                "(empty body)".to_string()
            } else {
                short(body.trim())
            };
            ErrInfo {
                overflow: looks_like_overflow(&message).then_some((None, None)),
                message,
                ..Default::default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_shapes() {
        let oa = parse_error(
            400,
            r#"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9120 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
        );
        assert_eq!(oa.overflow, Some((Some(9120), Some(8192))));
        let ll = parse_error(
            400,
            r#"{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":9120,"n_ctx":8192}}"#,
        );
        assert_eq!(ll.overflow, Some((Some(9120), Some(8192))));
        let vl = parse_error(
            400,
            r#"{"object":"error","message":"This model's maximum context length is 8192 tokens. However, you requested 11000 tokens (9000 in the messages, 2000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}"#,
        );
        assert_eq!(vl.overflow, Some((Some(11000), Some(8192))));
        let rf = parse_error(
            400,
            r#"{"error":{"message":"Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.","type":"invalid_request_error","param":"response_format","code":null}}"#,
        );
        assert!(rf.structured_refused && rf.overflow.is_none());
        let plain = parse_error(502, "Bad Gateway");
        assert_eq!(plain.message, "Bad Gateway");
    }
}
