//! Anthropic Messages against a replay server on 127.0.0.1, in its wire
//! format: output_config structured output, cached system block, SSE with
//! ping and mid-stream error events, 429/529, overflow, tool-use fallback.

mod support;

use std::time::{Duration, Instant};

use beatdesk_llm::{
    draft, ApiKey, DraftOptions, LlmError, ModelConfig, Prices, ProviderKind, StructuredMode,
};
use serde_json::{json, Value};
use support::*;

fn cfg(s: &Server) -> ModelConfig {
    let mut c = ModelConfig::new(
        "claude",
        ProviderKind::Anthropic,
        &s.url,
        "claude-sonnet-4-5",
    );
    c.prices = Some(Prices {
        input_per_million: 3.0,
        output_per_million: 15.0,
        cached_input_per_million: Some(0.3),
        cache_write_per_million: Some(3.75),
    });
    c
}

fn opts(stream: bool) -> DraftOptions {
    DraftOptions {
        stream,
        retry_base: Duration::from_millis(10),
        ..Default::default()
    }
}

fn noop() -> impl Fn(beatdesk_llm::DraftEvent) + Send + Sync {
    |_| {}
}

fn usage() -> Value {
    json!({"input_tokens": 2810, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1190, "output_tokens": 640, "service_tier": "standard"})
}

fn message(content: Value) -> Value {
    json!({"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": content, "stop_reason": if content[0]["type"] == "tool_use" { "tool_use" } else { "end_turn" },
        "stop_sequence": null, "usage": usage()})
}

fn ev(name: &str, data: Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

fn sse(text: &str, tool: bool) -> String {
    let mut s = ev(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5", "content": [], "stop_reason": null, "stop_sequence": null,
        "usage": {"input_tokens": 2810, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1190, "output_tokens": 1}}}),
    );
    let block = if tool {
        json!({"type": "tool_use", "id": "toolu_01", "name": "story_document", "input": {}})
    } else {
        json!({"type": "text", "text": ""})
    };
    s.push_str(&ev(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": block}),
    ));
    s.push_str(&ev("ping", json!({"type": "ping"})));
    for (i, p) in pieces(text, 17).iter().enumerate() {
        let delta = if tool {
            json!({"type": "input_json_delta", "partial_json": p})
        } else {
            json!({"type": "text_delta", "text": p})
        };
        s.push_str(&ev(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": delta}),
        ));
        if i % 10 == 3 {
            s.push_str(&ev("ping", json!({"type": "ping"})));
        }
    }
    s.push_str(&ev(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    s.push_str(&ev("message_delta", json!({"type": "message_delta", "delta": {"stop_reason": if tool { "tool_use" } else { "end_turn" }, "stop_sequence": null}, "usage": {"output_tokens": 640}})));
    s.push_str(&ev("message_stop", json!({"type": "message_stop"})));
    s
}

fn err(kind: &str, msg: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": msg}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"})
}

#[tokio::test]
async fn full_structured_reply_with_cache_usage_and_cost() {
    let doc = good_document().to_string();
    let s = Server::start(vec![Reply::json(
        200,
        &message(json!([{"type": "text", "text": doc}])),
    )])
    .await;
    let d = draft(
        &cfg(&s),
        Some(&ApiKey::new("sk-ant-xyz")),
        &fixture(),
        &opts(false),
        &noop(),
    )
    .await
    .unwrap();
    let r = &s.requests()[0];
    assert_eq!(r.path, "/v1/messages");
    assert_eq!(
        (r.header("x-api-key"), r.header("anthropic-version")),
        (Some("sk-ant-xyz"), Some("2023-06-01"))
    );
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.body["output_config"]["format"]["type"], "json_schema");
    assert_eq!(
        citation_enum(&r.body["output_config"]["format"]["schema"]).len(),
        20
    );
    assert_eq!(
        r.body["system"][0]["cache_control"],
        json!({"type": "ephemeral"})
    );
    assert_eq!(
        r.body["system"][0]["text"],
        beatdesk_llm::prompt::system_prompt()
    );
    assert_eq!(
        (d.meta.prompt_tokens, d.meta.cached_tokens),
        (Some(4000), Some(1190))
    );
    assert_eq!(d.meta.cache_hit_rate, Some(1190.0 / 4000.0));
    let want = (2810.0 * 3.0 + 1190.0 * 0.3 + 640.0 * 15.0) / 1e6;
    assert!((d.meta.cost_usd.unwrap() - want).abs() < 1e-12);
    assert_eq!(d.meta.finish_reason.as_deref(), Some("end_turn"));
}

#[tokio::test]
async fn streamed_reply_with_pings_split_frames() {
    let doc = good_document().to_string();
    let s = Server::start(vec![Reply::sse(&sse(&doc, false), 53)]).await;
    let events = Events::default();
    let e2 = events.clone();
    let d = draft(&cfg(&s), None, &fixture(), &opts(true), &move |e| {
        e2.push(e)
    })
    .await
    .unwrap();
    assert_eq!(events.text(), doc);
    assert_eq!(
        (d.meta.prompt_tokens, d.meta.completion_tokens),
        (Some(4000), Some(640))
    );
    assert_eq!(s.requests()[0].body["stream"], true);
}

#[tokio::test]
async fn mid_stream_overloaded_error_is_retried() {
    let doc = good_document().to_string();
    let full = sse(&doc, false);
    let cut = full
        .match_indices("event: content_block_delta")
        .nth(5)
        .unwrap()
        .0;
    let broken = format!(
        "{}{}",
        &full[..cut],
        ev("error", err("overloaded_error", "Overloaded"))
    );
    let s = Server::start(vec![Reply::sse(&broken, 80), Reply::sse(&full, 200)]).await;
    let events = Events::default();
    let e2 = events.clone();
    let d = draft(&cfg(&s), None, &fixture(), &opts(true), &move |e| {
        e2.push(e)
    })
    .await
    .unwrap();
    assert_eq!((d.meta.retries, events.retries()), (1, 1));

    let s = Server::start(vec![Reply::sse(&broken, 80)]).await;
    let e = draft(
        &cfg(&s),
        None,
        &fixture(),
        &DraftOptions {
            max_retries: 0,
            ..opts(true)
        },
        &noop(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, LlmError::Stream { .. })
            && e.to_string().contains("(overloaded_error): Overloaded"),
        "{e}"
    );
}

#[tokio::test]
async fn rate_limit_429_with_retry_after_then_529() {
    let doc = good_document().to_string();
    let s = Server::start(vec![
        Reply::json(
            429,
            &err(
                "rate_limit_error",
                "Number of request tokens has exceeded your per-minute rate limit",
            ),
        )
        .header("retry-after", "1")
        .header(
            "anthropic-ratelimit-input-tokens-reset",
            "2026-11-21T09:00:01Z",
        ),
        Reply::json(529, &err("overloaded_error", "Overloaded")),
        Reply::json(200, &message(json!([{"type": "text", "text": doc}]))),
    ])
    .await;
    let t = Instant::now();
    let d = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    assert!(t.elapsed() >= Duration::from_millis(950));
    assert_eq!((s.requests().len(), d.meta.retries), (3, 2));
}

#[tokio::test]
async fn spend_limit_and_auth_are_not_retried() {
    let mut spend = err(
        "rate_limit_error",
        "You have reached your specified workspace API usage limits.",
    );
    spend["error"]["details"] = json!({"error_code": "enforced_spend_limit_reached"});
    let s = Server::start(vec![
        Reply::json(429, &spend).header("retry-after", "0"),
        Reply::json(401, &err("authentication_error", "invalid x-api-key")),
    ])
    .await;
    let e = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("429 (rate_limit_error)"), "{e}");
    assert_eq!(s.requests().len(), 1);
    let e = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "model 'claude' (anthropic claude-sonnet-4-5 at 127.0.0.1): the server answered 401 (authentication_error): invalid x-api-key");
}

#[tokio::test]
async fn prompt_too_long_shrinks_and_retries() {
    let doc = good_document().to_string();
    let s = Server::start(vec![
        Reply::json(
            400,
            &err(
                "invalid_request_error",
                "prompt is too long: 9310 tokens > 8192 maximum",
            ),
        ),
        Reply::json(200, &message(json!([{"type": "text", "text": doc}]))),
    ])
    .await;
    let d = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    let r = s.requests();
    assert!(d.meta.shrunk && r[1].user().len() < r[0].user().len() * 9 / 10);
}

#[tokio::test]
async fn invalid_json_and_unknown_id() {
    let raw = "I can't help with that.";
    let s = Server::start(vec![Reply::json(
        200,
        &message(json!([{"type": "text", "text": raw}])),
    )])
    .await;
    let e = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert_eq!(e.raw_text(), Some(raw));

    let mut doc = good_document();
    doc["story_so_far"][0]["citations"] = json!(["R5", "https://rivertonledger.example.com/x"]);
    let s = Server::start(vec![Reply::json(
        200,
        &message(json!([{"type": "text", "text": doc.to_string()}])),
    )])
    .await;
    let e = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("story_so_far[0].citations[1]"),
        "{e}"
    );
}

#[tokio::test]
async fn refused_output_config_falls_back_to_forced_tool_use() {
    let doc = good_document().to_string();
    let s = Server::start(vec![
        Reply::json(400, &err("invalid_request_error", "output_config.format: structured outputs are not supported for model claude-3-haiku-20240307")),
        Reply::sse(&sse(&doc, true), 71),
    ])
    .await;
    let d = draft(&cfg(&s), None, &fixture(), &opts(true), &noop())
        .await
        .unwrap();
    let r = &s.requests()[1];
    assert_eq!(
        r.body["tool_choice"],
        json!({"type": "tool", "name": "story_document"})
    );
    assert_eq!(citation_enum(&r.body["tools"][0]["input_schema"]).len(), 20);
    assert!(r.body.get("output_config").is_none());
    assert_eq!(d.meta.structured, "tool");
    assert_eq!(d.document.sections.len(), 2);

    // Configured for tools from the start, non-streamed tool_use block.
    let s = Server::start(vec![Reply::json(200, &message(json!([{"type": "tool_use", "id": "toolu_01", "name": "story_document", "input": good_document()}])))]).await;
    let mut c = cfg(&s);
    c.structured = StructuredMode::Tool;
    let d = draft(&c, None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    assert_eq!(d.document.headline, good_document()["headline"]);
}
