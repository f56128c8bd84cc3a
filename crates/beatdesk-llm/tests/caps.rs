//! Model replies and error bodies are read with a size cap, whole or streamed.

mod support;

use beatdesk_llm::client::MAX_REPLY_BYTES;
use beatdesk_llm::{draft, LlmError};
use support::openai_wire::*;
use support::*;

#[tokio::test]
async fn an_oversized_reply_is_refused_not_read_whole() {
    let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(MAX_REPLY_BYTES + 1024));
    let s = Server::start(vec![Reply::text(200, &huge)]).await;
    let err = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, LlmError::InvalidReply { reason, raw, .. } if reason.contains("larger than") && raw.is_empty()),
        "{err}"
    );
}

#[tokio::test]
async fn an_oversized_stream_is_cut_off() {
    let line = format!(
        "data: {{\"choices\":[{{\"delta\":{{\"content\":\"{}\"}}}}]}}\n\n",
        "y".repeat(64 * 1024)
    );
    let body = line.repeat(MAX_REPLY_BYTES / line.len() + 2);
    let s = Server::start(vec![Reply::sse(&body, 1024 * 1024)]).await;
    let err = draft(&cfg(&s), None, &fixture(), &opts(true), &noop())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
}

#[tokio::test]
async fn an_error_body_is_read_only_up_to_its_cap() {
    let body = format!("{{\"error\":{{\"message\":\"bad request\",\"type\":\"invalid_request_error\"}},\"pad\":\"{}\"}}", "z".repeat(2 * 1024 * 1024));
    let s = Server::start(vec![Reply::text(400, &body)]).await;
    let err = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert!(
        err.to_string().len() < 70 * 1024,
        "the error keeps a bounded part of the body ({} bytes)",
        err.to_string().len()
    );
}
