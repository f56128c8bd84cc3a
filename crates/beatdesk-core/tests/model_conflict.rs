//! A model draft that started from an older revision than the one it lands
//! on is kept with the conflict visible, and returns an approved story to
//! review. The model is an OpenAI-compatible server on 127.0.0.1 that, while
//! "thinking", lets an editor save a revision through a second connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use beatdesk_core::{Beatdesk, DocumentEdit, FixedClock, ModelConfig, ProviderKind, DEMO_BEAT};
use beatdesk_types::{SignOffRequest, StoryStatus};
use chrono::{TimeZone, Utc};

fn open(home: &std::path::Path) -> Beatdesk {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    Beatdesk::open(home)
        .unwrap()
        .with_clock(Arc::new(FixedClock(now)))
        .with_secrets(Arc::new(beatdesk_ingest::MemorySecrets::new()))
}

/// Answers one chat completion: first the editor saves, then the model replies (SSE).
fn model_server(home: std::path::PathBuf, story: i64) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(sock.try_clone().unwrap());
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0u8; len];
        reader.read_exact(&mut body).unwrap();
        // The editor saves while the model is writing.
        let editor = open(&home);
        let latest = editor.latest_draft(story).unwrap();
        let mut doc = latest.document.clone();
        doc.headline.push_str(" (editor's version)");
        editor
            .save_document(
                story,
                &DocumentEdit {
                    document: doc,
                    base_revision: latest.revision,
                    editor: "Ana Ruiz".into(),
                },
            )
            .unwrap();
        let doc = serde_json::json!({
            "headline": "A model's headline",
            "dek": "Written by a model on loopback.",
            "sections": [{"heading": "What happened", "paragraphs": [{"text": "A paragraph the model cited.", "citations": ["R1"]}]}],
            "story_so_far": [{"text": "So far, one record.", "citations": ["R1"]}],
            "faq": [{"q": "Who?", "a": "A source.", "citations": ["R1"]}]
        })
        .to_string();
        let chunk = serde_json::json!({"id": "c", "choices": [{"index": 0, "delta": {"content": doc}, "finish_reason": null}]});
        let done = serde_json::json!({"id": "c", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 100, "completion_tokens": 50}});
        let sse = format!("data: {chunk}\n\ndata: {done}\n\ndata: [DONE]\n\n");
        write!(sock, "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{sse}", sse.len()).unwrap();
    });
    (port, handle)
}

#[test]
fn a_model_draft_landing_on_a_newer_revision_keeps_the_conflict_visible() {
    let dir = tempfile::tempdir().unwrap();
    let d = open(dir.path());
    d.demo().unwrap();
    let story = d
        .stories(DEMO_BEAT)
        .unwrap()
        .into_iter()
        .find(|s| s.status == StoryStatus::Drafted)
        .unwrap()
        .id;
    let started = d.latest_draft(story).unwrap().revision;
    d.sign_off(
        story,
        &SignOffRequest {
            editor: "Ana Ruiz".into(),
            note: None,
            revision: started,
            override_reason: None,
        },
    )
    .unwrap();
    let (port, server) = model_server(dir.path().to_path_buf(), story);
    d.add_model(ModelConfig::new(
        "loop",
        ProviderKind::Openai,
        &format!("http://127.0.0.1:{port}/v1"),
        "m",
    ))
    .unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let draft = rt
        .block_on(d.draft_with_model(story, "loop", None, &|_| {}))
        .unwrap();
    server.join().unwrap();

    assert_eq!(
        draft.revision,
        started + 2,
        "kept as a revision on top of the editor's"
    );
    let conflict = &draft.meta["conflict"];
    assert_eq!(conflict["started_from_revision"], started);
    assert_eq!(conflict["latest_when_saved"], started + 1);
    let audit = d.audit(Some(story)).unwrap();
    let entry = audit.iter().rev().find(|a| a.action == "draft").unwrap();
    assert_eq!(
        entry.detail["conflict"]["latest_when_saved"],
        started + 1,
        "the conflict is in the audit log too"
    );
    assert_eq!(
        d.story(story).unwrap().story.status,
        StoryStatus::InReview,
        "an approved story goes back to review"
    );
}
