//! OpenAI-compatible adapter against a replay server on 127.0.0.1, in the
//! wire formats of OpenAI, DeepSeek, vLLM and llama.cpp.

mod support;

use std::time::{Duration, Instant};

use beatdesk_llm::{
    draft, prompt::system_prompt, ApiKey, CancellationToken, DraftOptions, LlmError, ModelConfig,
    Prices, ProviderKind, ProviderPolicy, StructuredMode,
};
use serde_json::{json, Value};
use support::*;

fn cfg(s: &Server) -> ModelConfig {
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

fn opts(stream: bool) -> DraftOptions {
    DraftOptions {
        stream,
        retry_base: Duration::from_millis(10),
        ..Default::default()
    }
}

fn full(content: &str, usage: Value) -> Value {
    json!({
        "id": "chatcmpl-BZ5q1", "object": "chat.completion", "created": 1763600000, "model": "qwen3-8b-instruct",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null, "annotations": []},
                     "logprobs": null, "finish_reason": "stop"}],
        "usage": usage, "service_tier": "default", "system_fingerprint": "fp_5d0f6"
    })
}

fn usage() -> Value {
    json!({"prompt_tokens": 4000, "completion_tokens": 600, "total_tokens": 4600,
           "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
           "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0}})
}

fn chunk(delta: Value, finish: Value) -> String {
    let v = json!({"id": "chatcmpl-BZ5q1", "object": "chat.completion.chunk", "created": 1763600000,
        "model": "deepseek-v4-flash", "system_fingerprint": "fp_ds", "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}], "usage": null});
    format!("data: {v}\n\n")
}

/// A DeepSeek-style stream: keep-alive comments, blank lines, usage chunk, [DONE].
fn stream_body(content: &str, keepalive: bool) -> String {
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

fn noop() -> impl Fn(beatdesk_llm::DraftEvent) + Send + Sync {
    |_| {}
}

#[tokio::test]
async fn full_structured_reply() {
    let doc = good_document().to_string();
    let s = Server::start(vec![Reply::json(200, &full(&doc, usage()))]).await;
    let key = ApiKey::new("sk-test-123");
    let ev = fixture();
    let d = draft(&cfg(&s), Some(&key), &ev, &opts(false), &noop())
        .await
        .unwrap();
    let req = &s.requests()[0];
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(req.header("authorization"), Some("Bearer sk-test-123"));
    assert_eq!(req.body["messages"][0]["content"], system_prompt());
    let rf = &req.body["response_format"];
    assert_eq!(
        (rf["type"].as_str(), rf["json_schema"]["strict"].as_bool()),
        (Some("json_schema"), Some(true))
    );
    let ids = citation_enum(&rf["json_schema"]["schema"]);
    assert_eq!(ids, (1..=20).map(|i| format!("R{i}")).collect::<Vec<_>>());
    assert!(req.body["max_tokens"].is_u64() && req.body.get("max_completion_tokens").is_none());
    let user = req.user();
    assert!(!user.contains("pothole"), "excluded record sent");
    assert_eq!(
        user.matches("(AP) — The Riverton City Council voted")
            .count(),
        1,
        "duplicate not collapsed"
    );
    let inj = user.find("Ignore all previous instructions").unwrap();
    assert!(user[..inj].rfind("<record").unwrap() > user[..inj].rfind("</record>").unwrap_or(0));
    // Citations come back as record ids.
    let r1 = d.meta.citation_ids["R1"];
    assert_eq!(r1, 1001, "the weight-2.0 council story is R1");
    assert_eq!(d.document.sections[0].paragraphs[0].citations, vec![r1]);
    assert!(d.document.methodology.is_empty());
    assert_eq!(
        (
            d.meta.prompt_tokens,
            d.meta.completion_tokens,
            d.meta.cached_tokens
        ),
        (Some(4000), Some(600), Some(1024))
    );
    assert_eq!(d.meta.cache_hit_rate, Some(0.256));
    let cost = d.meta.cost_usd.unwrap();
    assert!((cost - (2976.0 * 0.28 + 1024.0 * 0.028 + 600.0 * 0.42) / 1e6).abs() < 1e-12);
    assert_eq!(
        (d.meta.mode.as_str(), d.meta.calls, d.meta.retries),
        ("single", 1, 0)
    );
    assert!(d.meta.prompt_hash.starts_with("sha256:") && d.meta.records_excluded == vec![1022]);
    assert_eq!(d.meta.records_collapsed.len(), 1);
    let v = d.meta.to_value();
    assert_eq!(v["provider"], "openai");
    assert!(!format!("{v} {:?}", d.meta).contains("sk-test"));
}

#[tokio::test]
async fn streamed_reply_split_frames_and_keepalives_deepseek_json_object() {
    let doc = good_document().to_string();
    let s = Server::start(vec![Reply::sse(&stream_body(&doc, true), 97)]).await;
    let mut c = cfg(&s);
    c.structured = StructuredMode::JsonObject;
    let ev = Events::default();
    let e2 = ev.clone();
    let d = draft(&c, None, &fixture(), &opts(true), &move |e| e2.push(e))
        .await
        .unwrap();
    assert_eq!(ev.text(), doc, "the deltas are the reply");
    let req = &s.requests()[0];
    assert_eq!(req.body["response_format"], json!({"type": "json_object"}));
    assert_eq!(req.body["stream_options"], json!({"include_usage": true}));
    assert!(req
        .user()
        .contains("json object valid against this JSON schema"));
    assert_eq!(d.meta.cache_hit_rate, Some(1280.0 / 5000.0));
    assert_eq!(d.meta.structured, "json_object");
    assert_eq!(d.document.headline, good_document()["headline"]);
}

#[tokio::test]
async fn blank_content_is_retried() {
    let doc = good_document().to_string();
    let s = Server::start(vec![
        Reply::json(200, &full("   \n\n  ", usage())),
        Reply::json(200, &full(&doc, usage())),
    ])
    .await;
    let d = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    assert_eq!(s.requests().len(), 2);
    assert_eq!(d.document.sections.len(), 2);
}

#[tokio::test]
async fn mid_stream_error_event_is_retried_then_reported() {
    let doc = good_document().to_string();
    let mut broken: String = stream_body(&doc, false).chars().take(900).collect();
    broken.truncate(broken.rfind("\n\n").unwrap() + 2);
    broken.push_str("data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");
    let s = Server::start(vec![
        Reply::sse(&broken, 50),
        Reply::sse(&stream_body(&doc, false), 64),
    ])
    .await;
    let ev = Events::default();
    let e2 = ev.clone();
    let d = draft(&cfg(&s), None, &fixture(), &opts(true), &move |e| {
        e2.push(e)
    })
    .await
    .unwrap();
    assert_eq!((d.meta.retries, ev.retries()), (1, 1));

    let s = Server::start(vec![Reply::sse(&broken, 50)]).await;
    let o = DraftOptions {
        max_retries: 0,
        ..opts(true)
    };
    let err = draft(&cfg(&s), None, &fixture(), &o, &noop())
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::Stream { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("model 'local-oa'")
            && msg.contains("server_error")
            && msg.contains("Sorry about that"),
        "{msg}"
    );
}

#[tokio::test]
async fn rate_limit_429_honours_retry_after() {
    let doc = good_document().to_string();
    let limited = json!({"error": {"message": "Rate limit reached for requests", "type": "requests", "param": null, "code": "rate_limit_exceeded"}});
    let s = Server::start(vec![
        Reply::json(429, &limited)
            .header("retry-after", "1")
            .header("x-ratelimit-reset-requests", "1s"),
        Reply::json(200, &full(&doc, usage())),
    ])
    .await;
    let t = Instant::now();
    let d = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        t.elapsed()
    );
    assert_eq!((s.requests().len(), d.meta.retries), (2, 1));
}

#[tokio::test]
async fn overloaded_529_and_reset_are_retried() {
    let doc = good_document().to_string();
    let s = Server::start(vec![
        Reply::json(529, &json!({"error": {"message": "The engine is currently overloaded, please try again later", "type": "server_error", "param": null, "code": null}})),
        Reply::reset(),
        Reply::json(200, &full(&doc, usage())).header("retry-after-ms", "5"),
    ])
    .await;
    let d = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    assert_eq!((s.requests().len(), d.meta.retries), (3, 2));
}

#[tokio::test]
async fn never_retries_client_errors() {
    for (status, body) in [
        (
            400,
            json!({"error": {"message": "Invalid value for 'temperature'", "type": "invalid_request_error", "param": "temperature", "code": null}}),
        ),
        (
            401,
            json!({"error": {"message": "Authentication Fails (no such user)", "type": "authentication_error", "param": null, "code": "invalid_request_error"}}),
        ),
        (
            402,
            json!({"error": {"message": "Insufficient Balance", "type": "unknown_error", "param": null, "code": "invalid_request_error"}}),
        ),
        (
            403,
            json!({"error": {"message": "Forbidden", "type": "permission_error", "param": null, "code": null}}),
        ),
        (
            422,
            json!({"error": {"message": "Invalid Parameters", "type": "invalid_request_error", "param": null, "code": null}}),
        ),
    ] {
        let s = Server::start(vec![
            Reply::json(status, &body),
            Reply::json(200, &full("{}", usage())),
        ])
        .await;
        let key = ApiKey::new("sk-never-print");
        let err = draft(&cfg(&s), Some(&key), &fixture(), &opts(false), &noop())
            .await
            .unwrap_err();
        assert_eq!(s.requests().len(), 1, "{status} was retried");
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("answered {status}"))
                && msg.contains(body["error"]["message"].as_str().unwrap()),
            "{msg}"
        );
        assert!(!msg.contains("sk-never-print") && !format!("{err:?}").contains("sk-never-print"));
    }
}

async fn overflow_then_success(
    body: Value,
    mode: StructuredMode,
) -> (Vec<Request>, beatdesk_llm::ModelDraft) {
    let doc = good_document().to_string();
    let s = Server::start(vec![
        Reply::json(400, &body),
        Reply::json(200, &full(&doc, usage())),
    ])
    .await;
    let mut c = cfg(&s);
    c.structured = mode;
    let d = draft(&c, None, &fixture(), &opts(false), &noop())
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

#[tokio::test]
async fn context_overflow_openai_shape_shrinks_and_retries_once() {
    let body = json!({"error": {"message": "This model's maximum context length is 8192 tokens. However, your messages resulted in 9310 tokens. Please reduce the length of the messages.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}});
    overflow_then_success(body, StructuredMode::Auto).await;
}

#[tokio::test]
async fn context_overflow_llama_cpp_shape() {
    let body = json!({"error": {"code": 400, "message": "the request exceeds the available context size, try increasing it", "type": "exceed_context_size_error", "n_prompt_tokens": 9310, "n_ctx": 8192}});
    overflow_then_success(body, StructuredMode::JsonSchema).await;
}

#[tokio::test]
async fn context_overflow_vllm_shape_with_structured_outputs() {
    let body = json!({"error": {"message": "This model's maximum context length is 8192 tokens. However, you requested 11310 tokens (9310 in the messages, 2000 in the completion). Please reduce the length of the messages or completion.", "type": "BadRequestError", "param": null, "code": 400}});
    let (r, _) = overflow_then_success(body, StructuredMode::StructuredOutputs).await;
    assert!(r[0].body["structured_outputs"]["json"]["properties"]["sections"].is_object());
    assert!(r[0].body.get("response_format").is_none());
}

#[tokio::test]
async fn second_overflow_is_an_error() {
    let body = json!({"error": {"message": "This model's maximum context length is 4096 tokens. However, your messages resulted in 9310 tokens.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}});
    let s = Server::start(vec![Reply::json(400, &body), Reply::json(400, &body)]).await;
    let err = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::ContextOverflow {
                limit: Some(4096),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.requests().len(), 2);
}

#[tokio::test]
async fn structured_output_refusal_falls_back_to_json_object() {
    let doc = good_document().to_string();
    let refused = json!({"error": {"message": "response_format json_schema is not supported by this server", "type": "invalid_request_error", "param": "response_format", "code": null}});
    let s = Server::start(vec![
        Reply::json(400, &refused),
        Reply::json(200, &full(&doc, usage())),
    ])
    .await;
    let d = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    assert_eq!(
        s.requests()[1].body["response_format"],
        json!({"type": "json_object"})
    );
    assert_eq!(d.meta.structured, "json_object");
    assert_eq!(d.meta.warnings.len(), 1);
}

#[tokio::test]
async fn invalid_json_reply_keeps_the_raw_text() {
    let raw = "Here is your story: {\"headline\": \"Levy passes\", \"dek\": ";
    let s = Server::start(vec![Reply::json(200, &full(raw, usage()))]).await;
    let err = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert_eq!(err.raw_text(), Some(raw));
    assert!(err.to_string().contains("not valid JSON"), "{err}");
    assert_eq!(s.requests().len(), 1, "an invalid reply is not re-sent");
}

#[tokio::test]
async fn reply_citing_an_unknown_id_is_rejected() {
    let mut doc = good_document();
    doc["sections"][1]["paragraphs"][0]["citations"] = json!(["R2", "R27"]);
    let s = Server::start(vec![Reply::json(200, &full(&doc.to_string(), usage()))]).await;
    let err = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(
            "sections[1].paragraphs[0].citations[1]: \"R27\" is not a record of this story"
        ),
        "{msg}"
    );
    assert_eq!(err.code(), "invalid_reply");
}

#[tokio::test]
async fn cancellation_and_wall_clock_timeout() {
    let doc = good_document().to_string();
    let slow = || Reply::sse(&stream_body(&doc, true), 40).delayed(Duration::from_millis(100));
    let s = Server::start(vec![slow()]).await;
    let token = CancellationToken::new();
    let o = DraftOptions {
        cancel: Some(token.clone()),
        ..opts(true)
    };
    let t2 = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        t2.cancel();
    });
    let t = Instant::now();
    let err = draft(&cfg(&s), None, &fixture(), &o, &noop())
        .await
        .unwrap_err();
    assert!(
        matches!(err, LlmError::Cancelled) && t.elapsed() < Duration::from_secs(2),
        "{err:?}"
    );

    let s = Server::start(vec![slow()]).await;
    let o = DraftOptions {
        timeout: Duration::from_millis(400),
        ..opts(true)
    };
    let err = draft(&cfg(&s), None, &fixture(), &o, &noop())
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("no complete reply within"));
}

#[tokio::test]
async fn policy_refuses_before_sending() {
    let s = Server::start(vec![]).await;
    let o = DraftOptions {
        policy: ProviderPolicy {
            local_only: false,
            allowed_hosts: vec!["api.deepseek.com".into()],
        },
        ..opts(false)
    };
    let err = draft(&cfg(&s), None, &fixture(), &o, &noop())
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::PolicyRefused { .. }));
    assert!(
        err.to_string().contains("allows only api.deepseek.com"),
        "{err}"
    );
    assert!(s.requests().is_empty());
    // An API key never travels over plain http to another machine.
    let remote = ModelConfig::new("lan", ProviderKind::Openai, "http://10.0.0.5:8000/v1", "m");
    let err = draft(
        &remote,
        Some(&ApiKey::new("k")),
        &fixture(),
        &opts(false),
        &noop(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
}
