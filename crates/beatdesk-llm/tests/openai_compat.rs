//! OpenAI-compatible servers other than OpenAI (vLLM, llama.cpp, servers
//! without json_schema), cancellation, the wall-clock timeout and the policy,
//! against a replay server on 127.0.0.1.

mod support;

use std::time::{Duration, Instant};

use beatdesk_llm::{
    draft, ApiKey, CancellationToken, DraftOptions, LlmError, ModelConfig, ProviderKind,
    ProviderPolicy, StructuredMode,
};
use serde_json::json;
use support::openai_wire::*;
use support::*;

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
async fn list_models_openai_compatible_and_anthropic() {
    let ds = json!({"object": "list", "data": [
        {"id": "deepseek-v4-pro", "object": "model", "owned_by": "deepseek"},
        {"id": "deepseek-v4-flash", "object": "model", "owned_by": "deepseek"}]});
    let s = Server::start(vec![Reply::json(200, &ds), Reply::json(401, &json!({"error": {"message": "Authentication Fails, Your api key: ****abcd is invalid", "type": "authentication_error", "param": null, "code": "invalid_request_error"}}))]).await;
    let c = cfg(&s);
    let key = ApiKey::new("sk-list");
    let ids = beatdesk_llm::list_models(&c, Some(&key), Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(ids, vec!["deepseek-v4-flash", "deepseek-v4-pro"]);
    let r = &s.requests()[0];
    assert_eq!(
        (
            r.method.as_str(),
            r.path.as_str(),
            r.header("authorization")
        ),
        ("GET", "/v1/models", Some("Bearer sk-list"))
    );
    let e = beatdesk_llm::list_models(&c, Some(&key), Duration::from_secs(2))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("401 (authentication_error)"), "{e}");

    let an = json!({"data": [{"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5", "created_at": "2025-09-29T00:00:00Z"}],
        "has_more": false, "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5"});
    let s = Server::start(vec![Reply::json(200, &an)]).await;
    let c = ModelConfig::new(
        "claude",
        ProviderKind::Anthropic,
        &s.url,
        "claude-sonnet-4-5",
    );
    let ids = beatdesk_llm::list_models(&c, Some(&ApiKey::new("sk-ant")), Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(ids, vec!["claude-sonnet-4-5"]);
    let r = &s.requests()[0];
    assert_eq!(
        (r.header("x-api-key"), r.header("anthropic-version")),
        (Some("sk-ant"), Some("2023-06-01"))
    );
    assert!(r.path.starts_with("/v1/models"));
}
