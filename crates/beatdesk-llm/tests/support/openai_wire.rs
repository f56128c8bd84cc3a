//! OpenAI-compatible wire formats (OpenAI, DeepSeek) and the test model config.

use std::time::Duration;

use beatdesk_llm::{DraftOptions, ModelConfig, Prices, ProviderKind, StructuredMode};
use serde_json::{json, Value};

use super::{fixture, pieces, Server};

pub fn cfg(s: &Server) -> ModelConfig {
    let mut c = ModelConfig::new(
        "local-oa",
        ProviderKind::Openai,
        &format!("{}/v1", s.url),
        "qwen3-8b-instruct",
    );
    c.prices = Some(Prices {
        input_per_million: 0.28,
        output_per_million: 0.42,
        cached_input_per_million: Some(0.028),
        cache_write_per_million: None,
    });
    c
}

pub fn opts(stream: bool) -> DraftOptions {
    DraftOptions {
        stream,
        retry_base: Duration::from_millis(10),
        ..Default::default()
    }
}

pub fn full(content: &str, usage: Value) -> Value {
    json!({
        "id": "chatcmpl-BZ5q1", "object": "chat.completion", "created": 1763600000, "model": "qwen3-8b-instruct",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null, "annotations": []},
                     "logprobs": null, "finish_reason": "stop"}],
        "usage": usage, "service_tier": "default", "system_fingerprint": "fp_5d0f6"
    })
}

pub fn usage() -> Value {
    json!({"prompt_tokens": 4000, "completion_tokens": 600, "total_tokens": 4600,
           "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
           "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0}})
}

pub fn chunk(delta: Value, finish: Value) -> String {
    let v = json!({"id": "chatcmpl-BZ5q1", "object": "chat.completion.chunk", "created": 1763600000,
        "model": "deepseek-v4-flash", "system_fingerprint": "fp_ds", "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}], "usage": null});
    format!("data: {v}\n\n")
}

/// A DeepSeek-style stream: keep-alive comments, blank lines, usage chunk, [DONE].
pub fn stream_body(content: &str, keepalive: bool) -> String {
    let mut s = String::new();
    if keepalive {
        s.push_str(": keep-alive\n\n\n");
    }
    s.push_str(&chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    ));
    for (i, p) in pieces(content, 11).iter().enumerate() {
        s.push_str(&chunk(json!({"content": p}), Value::Null));
        if keepalive && i % 4 == 0 {
            s.push_str(": keep-alive\n\n");
        }
    }
    s.push_str(&chunk(json!({}), json!("stop")));
    let u = json!({"id": "chatcmpl-BZ5q1", "object": "chat.completion.chunk", "created": 1763600000, "model": "deepseek-v4-flash",
        "choices": [], "usage": {"prompt_tokens": 5000, "completion_tokens": 700, "total_tokens": 5700,
        "prompt_tokens_details": {"cached_tokens": 1280}, "prompt_cache_hit_tokens": 1280, "prompt_cache_miss_tokens": 3720}});
    s.push_str(&format!("data: {u}\n\ndata: [DONE]\n\n"));
    s
}

pub fn noop() -> impl Fn(beatdesk_llm::DraftEvent) + Send + Sync {
    |_| {}
}

/// An overflow error, then a good reply: the evidence shrank and every record was still sent.
pub async fn overflow_then_success(
    body: Value,
    mode: StructuredMode,
) -> (Vec<super::Request>, beatdesk_llm::ModelDraft) {
    let doc = super::good_document().to_string();
    let s = Server::start(vec![
        super::Reply::json(400, &body),
        super::Reply::json(200, &full(&doc, usage())),
    ])
    .await;
    let mut c = cfg(&s);
    c.structured = mode;
    let d = beatdesk_llm::draft(&c, None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    let r = s.requests();
    assert_eq!(r.len(), 2);
    assert!(d.meta.shrunk);
    assert!(
        r[1].user().len() < r[0].user().len() * 9 / 10,
        "{} vs {}",
        r[1].user().len(),
        r[0].user().len()
    );
    assert!(
        r[1].user().contains("<record id=\"R20\""),
        "every record is still sent"
    );
    (r, d)
}
