//! OpenAI-compatible adapter against a replay server on 127.0.0.1, in the
//! wire formats of OpenAI and DeepSeek (vLLM, llama.cpp: openai_compat.rs).

mod support;

use std::time::{Duration, Instant};

use beatdesk_llm::{draft, prompt::system_prompt, ApiKey, DraftOptions, LlmError, StructuredMode};
use serde_json::json;
use support::openai_wire::*;
use support::*;

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

#[tokio::test]
async fn context_overflow_openai_shape_shrinks_and_retries_once() {
    let body = json!({"error": {"message": "This model's maximum context length is 8192 tokens. However, your messages resulted in 9310 tokens. Please reduce the length of the messages.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}});
    overflow_then_success(body, StructuredMode::Auto).await;
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
