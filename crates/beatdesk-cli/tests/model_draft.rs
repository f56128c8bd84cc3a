//! `beatdesk draft STORY --writer NAME` headless against an OpenAI-compatible
//! server on 127.0.0.1 that streams its reply as real SSE.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread;

fn beatdesk(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_beatdesk"));
    cmd.arg("--home")
        .arg(home)
        .args(args)
        .env("BEATDESK_NOW", "2026-11-29T12:00:00Z")
        .env_remove("BEATDESK_HOME");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Serves `replies` in order, one per connection, recording each request.
fn serve(replies: Vec<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    thread::spawn(move || {
        for reply in replies {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut len = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                head.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            log.lock()
                .unwrap()
                .push(format!("{head}{}", String::from_utf8_lossy(&body)));
            stream.write_all(reply.as_bytes()).unwrap();
        }
    });
    (addr, seen)
}

fn sse(chunks: &[&str]) -> String {
    let mut body = String::from(": keep-alive\n\n");
    for c in chunks {
        let frame = serde_json::json!({"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":c},"finish_reason":null}]});
        body.push_str(&format!("data: {frame}\n\n"));
    }
    body.push_str("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3000,\"completion_tokens\":200,\"total_tokens\":3200,\"prompt_cache_hit_tokens\":2048,\"prompt_cache_miss_tokens\":952}}\n\ndata: [DONE]\n\n");
    format!("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n{body}")
}

#[test]
fn draft_with_a_model_over_loopback_then_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    assert!(beatdesk(home, &["demo"], &[]).status.success());
    let stories = beatdesk(
        home,
        &["stories", "--beat", "Open Source AI", "--json"],
        &[],
    );
    let stories: serde_json::Value = serde_json::from_slice(&stories.stdout).unwrap();
    // The top story: the demo drafts it offline, so a model draft is revision 2.
    let id = stories[0]["id"].as_i64().unwrap().to_string();
    let id = id.as_str();
    let doc = serde_json::json!({
        "headline": "Model headline",
        "dek": "A dek.",
        "sections": [{"heading": "What happened", "paragraphs": [{"text": "A cited paragraph.", "citations": ["R1"]}]}],
        "story_so_far": [{"text": "So far.", "citations": ["R1"]}],
        "faq": [{"q": "Q?", "a": "A.", "citations": ["R1"]}]
    })
    .to_string();
    let (mid, end) = doc.split_at(doc.len() / 2);
    let error = "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: 95\r\n\r\n{\"error\":{\"message\":\"Invalid API key provided\",\"type\":\"invalid_request_error\",\"code\":\"bad\"}}    ";
    let (base, seen) = serve(vec![sse(&[mid, end]), error.to_string()]);
    let add = beatdesk(
        home,
        &[
            "model",
            "add",
            "local",
            "--kind",
            "openai",
            "--base-url",
            &base,
            "--model",
            "m-1",
            "--context",
            "8192",
        ],
        &[],
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );

    let key = [("BEATDESK_MODEL_LOCAL_API_KEY", "sk-test-123")];
    let out = beatdesk(home, &["draft", id, "--writer", "local", "--json"], &key);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let draft: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(draft["document"]["headline"], "Model headline");
    assert_eq!(
        draft["author"],
        serde_json::json!({"kind": "writer", "name": "local"})
    );
    let cited = draft["document"]["sections"][0]["paragraphs"][0]["citations"][0]
        .as_i64()
        .unwrap();
    assert!(cited > 0, "R1 is mapped back to a record id");
    assert_eq!(
        draft["meta"]["cache_hit_rate"]
            .as_f64()
            .map(|r| (r * 100.0).round()),
        Some(68.0)
    );
    assert!(draft["document"]["methodology"]
        .as_str()
        .unwrap()
        .contains("model local"));
    let req = seen.lock().unwrap()[0].clone();
    assert!(
        req.contains("authorization: Bearer sk-test-123")
            || req.contains("Authorization: Bearer sk-test-123"),
        "{req}"
    );
    assert!(req.contains("R1"), "records are sent with opaque ids");

    // A 401 is not retried; it ends in one clear line and no new revision.
    let out = beatdesk(home, &["draft", id, "--writer", "local", "--json"], &key);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("401") && err.contains("Invalid API key provided") && err.contains("local"),
        "{err}"
    );
    let hist = beatdesk(home, &["history", id, "--json"], &[]);
    let hist: serde_json::Value = serde_json::from_slice(&hist.stdout).unwrap();
    assert_eq!(
        hist["revisions"].as_array().unwrap().len(),
        2,
        "the failed draft wrote no revision"
    );
    assert!(hist["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["action"] == "draft_failed"));
    let view = beatdesk(home, &["show", id, "--json"], &[]);
    let view: serde_json::Value = serde_json::from_slice(&view.stdout).unwrap();
    let failure = view["last_failure"]
        .as_str()
        .expect("the failure is shown on the story");
    assert!(
        failure.contains("401") && failure.contains("local"),
        "{failure}"
    );
    assert_eq!(seen.lock().unwrap().len(), 2);

    let unknown = beatdesk(home, &["draft", id, "--writer", "nope"], &[]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown writer"));
}

fn json_reply(body: &str) -> String {
    format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn policy_regenerate_and_local_ollama_detection() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    assert!(beatdesk(home, &["demo"], &[]).status.success());

    // A local Ollama answering /api/tags is offered as a writer.
    let tags = r#"{"models":[{"name":"llama3.1:8b","model":"llama3.1:8b","modified_at":"2026-11-20T10:00:00Z","size":4920753328,"digest":"abc","details":{"format":"gguf","family":"llama","parameter_size":"8.0B","quantization_level":"Q4_K_M"}}]}"#;
    let (ollama, _) = serve(vec![json_reply(tags)]);
    let out = beatdesk(
        home,
        &["model", "detect", "--base-url", &ollama, "--json"],
        &[],
    );
    let offers: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(offers[0]["model"], "llama3.1:8b");
    assert_eq!(offers[0]["kind"], "ollama");
    let nothing = beatdesk(
        home,
        &[
            "model",
            "detect",
            "--base-url",
            "http://127.0.0.1:9",
            "--json",
        ],
        &[],
    );
    assert_eq!(
        String::from_utf8_lossy(&nothing.stdout).trim(),
        "[]",
        "no Ollama is not an error"
    );

    // A beat that allows only one hosted provider refuses a loopback model before sending anything.
    let cfg = home.join("sensitive.toml");
    std::fs::write(&cfg, "[policy]\nallowed_hosts = [\"api.example.com\"]\n").unwrap();
    assert!(beatdesk(
        home,
        &[
            "beat",
            "add",
            "Sensitive",
            "--config",
            cfg.to_str().unwrap()
        ],
        &[]
    )
    .status
    .success());
    let line = r#"{"platform":"news","external_id":"s1","url":"https://n.example.com/s1","title":"Leak at the ministry","text":"A document leaked on Monday. The ministry confirmed it.","author":"Desk","published_at":"2026-11-28T10:00:00Z"}"#;
    let file = home.join("s.jsonl");
    std::fs::write(&file, line).unwrap();
    assert!(beatdesk(
        home,
        &["import", "--beat", "Sensitive", file.to_str().unwrap()],
        &[]
    )
    .status
    .success());
    let (base, seen) = serve(vec![]);
    assert!(beatdesk(
        home,
        &[
            "model",
            "add",
            "lan",
            "--kind",
            "openai",
            "--base-url",
            &base,
            "--model",
            "m"
        ],
        &[]
    )
    .status
    .success());
    let stories = beatdesk(home, &["stories", "--beat", "Sensitive", "--json"], &[]);
    let stories: serde_json::Value = serde_json::from_slice(&stories.stdout).unwrap();
    let sid = stories[0]["id"].as_i64().unwrap().to_string();
    let out = beatdesk(home, &["draft", &sid, "--writer", "lan"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("api.example.com") || err.to_lowercase().contains("policy"),
        "{err}"
    );
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");

    // Regenerating the FAQ offline keeps the editor's headline.
    let stories = beatdesk(
        home,
        &["stories", "--beat", "Open Source AI", "--json"],
        &[],
    );
    let stories: serde_json::Value = serde_json::from_slice(&stories.stdout).unwrap();
    let id = stories[0]["id"].as_i64().unwrap().to_string();
    let view = beatdesk(home, &["show", &id, "--json"], &[]);
    let view: serde_json::Value = serde_json::from_slice(&view.stdout).unwrap();
    let faq_before = view["draft"]["document"]["faq"].clone();
    let out = beatdesk(home, &["regenerate", &id, "--faq", "--json"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["revision"], 2);
    assert_eq!(
        d["document"]["faq"], faq_before,
        "the offline writer is deterministic"
    );
    assert_eq!(d["meta"]["regenerated"]["part"], "faq");
    assert!(
        !beatdesk(home, &["regenerate", &id, "--section", "99"], &[])
            .status
            .success()
    );
    assert!(
        !beatdesk(home, &["regenerate", &id], &[]).status.success(),
        "--section or --faq is required"
    );
}
