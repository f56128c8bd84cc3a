//! Ollama's native `/api/chat` against a replay server on 127.0.0.1:
//! NDJSON streams, `format` schema, `options.num_ctx`, the probe, the
//! outlined draft and regeneration of one section or the FAQ.

mod support;

use std::time::Duration;

use beatdesk_llm::{
    draft, probe_ollama, regenerate_faq, regenerate_section, DraftOptions, LlmError, ModelConfig,
    ProviderKind, ProviderPolicy,
};
use serde_json::{json, Value};
use support::*;

fn cfg(s: &Server) -> ModelConfig {
    ModelConfig::new("laptop", ProviderKind::Ollama, &s.url, "llama3.1:8b")
}

fn opts(stream: bool) -> DraftOptions {
    DraftOptions {
        stream,
        retry_base: Duration::from_millis(10),
        policy: ProviderPolicy {
            local_only: true,
            allowed_hosts: vec![],
        },
        ..Default::default()
    }
}

fn noop() -> impl Fn(beatdesk_llm::DraftEvent) + Send + Sync {
    |_| {}
}

fn done(content: &str, prompt_eval: u64) -> Value {
    json!({"model": "llama3.1:8b", "created_at": "2026-11-21T09:00:00.123456Z",
        "message": {"role": "assistant", "content": content}, "done_reason": "stop", "done": true,
        "total_duration": 48213000000u64, "load_duration": 1200000000u64, "prompt_eval_count": prompt_eval,
        "prompt_eval_duration": 9000000000u64, "eval_count": 610, "eval_duration": 38000000000u64})
}

fn ndjson(content: &str, prompt_eval: u64) -> String {
    let mut s = String::new();
    for p in pieces(content, 13) {
        let line = json!({"model": "llama3.1:8b", "created_at": "2026-11-21T09:00:01Z",
            "message": {"role": "assistant", "content": p}, "done": false});
        s.push_str(&format!("{line}\n"));
    }
    s.push_str(&format!("{}\n", done("", prompt_eval)));
    s
}

#[tokio::test]
async fn full_structured_reply_with_num_ctx_and_schema_format() {
    let doc = good_document().to_string();
    let s = Server::start(vec![Reply::json(200, &done(&doc, 4120))]).await;
    let d = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    let r = &s.requests()[0];
    assert_eq!(r.path, "/api/chat");
    assert_eq!(r.body["options"]["num_ctx"], 8192);
    assert_eq!(r.body["options"]["num_predict"], 2048);
    assert_eq!(r.body["stream"], false);
    assert_eq!(citation_enum(&r.body["format"]).len(), 20);
    assert_eq!(r.header("authorization"), None);
    assert_eq!(
        (d.meta.prompt_tokens, d.meta.completion_tokens),
        (Some(4120), Some(610))
    );
    assert_eq!((d.meta.cache_hit_rate, d.meta.cost_usd), (None, None));
    assert!(d.meta.warnings.is_empty(), "{:?}", d.meta.warnings);
    assert_eq!(d.document.faq[0].citations, vec![d.meta.citation_ids["R1"]]);
}

#[tokio::test]
async fn ndjson_stream_split_across_chunks_warns_on_truncation() {
    let doc = good_document().to_string();
    let s = Server::start(vec![Reply::stream(
        "application/x-ndjson",
        &ndjson(&doc, 2048),
        61,
    )])
    .await;
    let ev = Events::default();
    let e2 = ev.clone();
    let d = draft(&cfg(&s), None, &fixture(), &opts(true), &move |e| {
        e2.push(e)
    })
    .await
    .unwrap();
    assert_eq!(ev.text(), doc);
    assert_eq!(d.document.sections.len(), 2);
    // 2048 evaluated for ~4000 sent: Ollama truncated silently.
    assert!(
        d.meta
            .warnings
            .iter()
            .any(|w| w.contains("may have been truncated")),
        "{:?}",
        d.meta.warnings
    );
}

#[tokio::test]
async fn mid_stream_error_line_then_retry() {
    let doc = good_document().to_string();
    let mut broken: String = ndjson(&doc, 4000)
        .lines()
        .take(20)
        .map(|l| format!("{l}\n"))
        .collect();
    broken.push_str(
        "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n",
    );
    let s = Server::start(vec![
        Reply::stream("application/x-ndjson", &broken, 40),
        Reply::stream("application/x-ndjson", &ndjson(&doc, 4000), 500),
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

    let s = Server::start(vec![Reply::stream("application/x-ndjson", &broken, 40)]).await;
    let o = DraftOptions {
        max_retries: 0,
        ..opts(true)
    };
    let err = draft(&cfg(&s), None, &fixture(), &o, &noop())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("unexpected EOF") && err.to_string().contains("model 'laptop'"),
        "{err}"
    );
}

#[tokio::test]
async fn busy_429_with_retry_after_and_529() {
    let doc = good_document().to_string();
    let s = Server::start(vec![
        Reply::json(
            429,
            &json!({"error": "server busy, please try again.  maximum pending requests exceeded"}),
        )
        .header("retry-after", "0.2"),
        Reply::json(529, &json!({"error": "overloaded"})),
        Reply::json(200, &done(&doc, 4000)),
    ])
    .await;
    let d = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap();
    assert_eq!((s.requests().len(), d.meta.retries), (3, 2));
}

#[tokio::test]
async fn context_overflow_error_shrinks_once() {
    let doc = good_document().to_string();
    let s = Server::start(vec![
        Reply::json(
            400,
            &json!({"error": "the input length exceeds the context length"}),
        ),
        Reply::json(200, &done(&doc, 3000)),
    ])
    .await;
    let ev = Events::default();
    let e2 = ev.clone();
    let d = draft(&cfg(&s), None, &fixture(), &opts(false), &move |e| {
        e2.push(e)
    })
    .await
    .unwrap();
    let r = s.requests();
    assert!(d.meta.shrunk && r[1].user().len() < r[0].user().len());
    assert!(ev
        .all()
        .iter()
        .any(|e| matches!(e, beatdesk_llm::DraftEvent::Shrinking { .. })));
}

#[tokio::test]
async fn invalid_json_and_unknown_id() {
    let s = Server::start(vec![Reply::json(
        200,
        &done(
            "{\"headline\": \"Levy\", \"dek\": \"x\", \"sections\": [",
            4000,
        ),
    )])
    .await;
    let err = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert!(
        matches!(err, LlmError::InvalidReply { .. })
            && err.raw_text().unwrap().starts_with("{\"headline\"")
    );

    let mut doc = good_document();
    doc["faq"][0]["citations"] = json!(["R0"]);
    let s = Server::start(vec![Reply::json(200, &done(&doc.to_string(), 4000))]).await;
    let err = draft(&cfg(&s), None, &fixture(), &opts(false), &noop())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("faq[0].citations[0]: \"R0\" is not a record"),
        "{err}"
    );
}

#[tokio::test]
async fn outlined_draft_writes_each_section_from_its_records() {
    let outline = json!({"headline": "Transit levy goes to voters", "dek": "Drivers weigh a strike.",
        "sections": [{"heading": "The vote", "records": ["R1", "R6"]}, {"heading": "The drivers", "records": ["R2", "R3", "R4"]}]});
    let s1 = json!({"heading": "The vote", "paragraphs": [{"text": "The council voted 7-2.", "citations": ["R1"]}]});
    let s2 = json!({"heading": "The drivers", "paragraphs": [{"text": "A strike vote is set for Dec. 3.", "citations": ["R2", "R3"]}]});
    let tail = json!({"story_so_far": [{"text": "The garage ran over budget.", "citations": ["R5"]}],
        "faq": [{"q": "When is the vote?", "a": "In March.", "citations": ["R1"]}]});
    let s = Server::start(vec![
        Reply::json(200, &done(&outline.to_string(), 3000)),
        Reply::json(200, &done(&s1.to_string(), 2000)),
        Reply::json(200, &done(&s2.to_string(), 2000)),
        Reply::json(200, &done(&tail.to_string(), 3000)),
    ])
    .await;
    let o = DraftOptions {
        force_outline: true,
        ..opts(false)
    };
    let d = draft(&cfg(&s), None, &fixture(), &o, &noop())
        .await
        .unwrap();
    let r = s.requests();
    assert_eq!(r.len(), 4);
    assert_eq!(
        r[0].body["format"]["properties"]["sections"]["items"]["required"],
        json!(["heading", "records"])
    );
    let sec_ids = r[2].body["format"]["properties"]["paragraphs"]["items"]["properties"]
        ["citations"]["items"]["enum"]
        .clone();
    assert_eq!(sec_ids, json!(["R2", "R3", "R4"]));
    assert!(
        !r[2].user().contains("<record id=\"R1\""),
        "a section call sees only its records"
    );
    assert_eq!(
        (
            d.meta.mode.as_str(),
            d.meta.calls,
            d.document.sections.len()
        ),
        ("outline", 4, 2)
    );
    assert_eq!(d.meta.prompt_tokens, Some(10000));
    assert_eq!(d.document.headline, "Transit levy goes to voters");
    assert_eq!(
        d.document.story_so_far[0].citations,
        vec![d.meta.citation_ids["R5"]]
    );
}

#[tokio::test]
async fn regenerate_one_section_and_the_faq() {
    let ev = fixture();
    let mut current: beatdesk_types::StoryDocument = serde_json::from_value(json!({
        "headline": "H", "dek": "D",
        "sections": [{"heading": "The vote", "paragraphs": [{"text": "Old text.", "citations": [1001]}]},
                     {"heading": "The drivers", "paragraphs": [{"text": "Old drivers text.", "citations": [1002, 1022]}]}],
        "story_so_far": [], "faq": []})).unwrap();
    current.methodology = "kept by the core".into();
    let sec = json!({"heading": "The drivers' strike vote", "paragraphs": [{"text": "Drivers vote on Dec. 3.", "citations": ["R2"]}]});
    let faq = json!({"faq": [{"q": "Will buses stop?", "a": "Not unless leaders call a strike.", "citations": ["R2"]}]});
    let s = Server::start(vec![
        Reply::json(200, &done(&sec.to_string(), 4000)),
        Reply::json(200, &done(&faq.to_string(), 4000)),
    ])
    .await;
    let r = regenerate_section(&cfg(&s), None, &ev, &current, 1, &opts(false), &noop())
        .await
        .unwrap();
    assert_eq!(r.section.heading, "The drivers' strike vote");
    assert_eq!(
        r.section.paragraphs[0].citations,
        vec![r.meta.citation_ids["R2"]]
    );
    assert_eq!(r.meta.mode, "section");
    let req = &s.requests()[0];
    assert!(
        req.user().contains("section 2 (\"The drivers\")")
            && req.user().contains("Old drivers text. [R2]"),
        "{}",
        req.user()
    );
    let f = regenerate_faq(&cfg(&s), None, &ev, &current, &opts(false), &noop())
        .await
        .unwrap();
    assert_eq!(f.faq.len(), 1);
    assert_eq!(s.requests()[1].body["format"]["required"], json!(["faq"]));
    assert!(
        regenerate_section(&cfg(&s), None, &ev, &current, 5, &opts(false), &noop())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn probe_lists_local_models() {
    let tags = json!({"models": [{"name": "llama3.1:8b", "model": "llama3.1:8b", "modified_at": "2026-11-01T10:00:00Z",
        "size": 4920753328u64, "digest": "46e0c10c039e", "details": {"parent_model": "", "format": "gguf", "family": "llama",
        "families": ["llama"], "parameter_size": "8.0B", "quantization_level": "Q4_K_M"}}]});
    let s = Server::start(vec![Reply::json(200, &tags)]).await;
    let models = probe_ollama(&s.url, Duration::from_secs(2)).await.unwrap();
    assert_eq!(models.len(), 1);
    assert_eq!(
        (models[0].name.as_str(), models[0].parameter_size.as_deref()),
        ("llama3.1:8b", Some("8.0B"))
    );
    assert_eq!(s.requests()[0].path, "/api/tags");
    // Nothing listening: a clear transport error, quickly.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let err = probe_ollama(&format!("http://{dead}"), Duration::from_secs(2))
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::Transport { .. }), "{err:?}");
}
