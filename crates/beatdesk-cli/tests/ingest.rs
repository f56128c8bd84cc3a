//! `beatdesk ingest` and `beatdesk source add` against a news site on 127.0.0.1
//! serving a recorded WordPress RSS feed with an ETag.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread;

use serde_json::Value;

const FEED: &str = include_str!("../../beatdesk-ingest/tests/fixtures/feeds/ledger.xml");

fn beatdesk(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_beatdesk"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env("BEATDESK_NOW", "2026-11-13T09:00:00Z")
        .env_remove("BEATDESK_HOME")
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .unwrap()
}

fn json(home: &Path, args: &[&str]) -> Value {
    let out = beatdesk(home, args);
    assert!(
        out.status.success(),
        "beatdesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A tiny site: the feed (with ETag / 304) and 404 for everything else.
fn site() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let feed = FEED.replace("{{BASE}}", &base);
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                request.push_str(&line);
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            seen.lock().unwrap().push(request.clone());
            let reply = if path == "/feeds/ledger.xml"
                && request
                    .to_ascii_lowercase()
                    .contains("if-none-match: \"v1\"")
            {
                "HTTP/1.1 304 Not Modified\r\netag: \"v1\"\r\nconnection: close\r\n\r\n".to_string()
            } else if path == "/feeds/ledger.xml" {
                format!("HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml; charset=UTF-8\r\netag: \"v1\"\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{feed}", feed.len())
            } else {
                "HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot found".to_string()
            };
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (base, log)
}

#[test]
fn ingest_a_feed_then_nothing_new_then_a_manual_source() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (base, log) = site();
    let cfg = home.join("chips.toml");
    std::fs::write(
        &cfg,
        format!(
            "window_days = 14\n\n[[source]]\nkind = \"feed\"\nurl = \"{base}/feeds/ledger.xml\"\n"
        ),
    )
    .unwrap();
    json(
        home,
        &[
            "beat",
            "add",
            "Chips",
            "--config",
            cfg.to_str().unwrap(),
            "--json",
        ],
    );

    let first = json(home, &["ingest", "--beat", "Chips", "--json"]);
    let run = &first["sources"][0];
    assert!(
        run["new"].as_i64().unwrap() >= 3,
        "the feed's items are stored: {first}"
    );
    assert!(run["errors"].as_array().unwrap().is_empty(), "{first}");
    let records = json(home, &["records", "--beat", "Chips", "--json"]);
    assert!(records
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["platform"] == "news"));
    assert!(
        records
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r["canonical_url"].as_str().unwrap().contains("utm_")),
        "tracking parameters never reach a canonical URL"
    );
    let stories = json(home, &["stories", "--beat", "Chips", "--json"]);
    assert!(
        !stories.as_array().unwrap().is_empty(),
        "analysis ran after the ingest"
    );

    let again = json(home, &["ingest", "--beat", "Chips", "--force", "--json"]);
    assert_eq!(
        again["new_records"], 0,
        "re-ingesting adds nothing: {again}"
    );
    assert!(
        log.lock()
            .unwrap()
            .iter()
            .any(|r| r.to_ascii_lowercase().contains("if-none-match: \"v1\"")),
        "conditional GET"
    );
    let sources = json(home, &["sources", "--beat", "Chips", "--json"]);
    assert!(sources[0]["last_fetch_at"].is_string());
    assert!(sources[0]["last_error"].is_null());

    let note = home.join("tip.txt");
    std::fs::write(&note, "A ministry spokesperson confirmed the export rule will take effect in January.\nThe rule covers chips above a performance threshold.").unwrap();
    let story = stories[0]["id"].as_i64().unwrap().to_string();
    let added = json(
        home,
        &[
            "source",
            "add",
            "--story",
            &story,
            "--text",
            note.to_str().unwrap(),
            "--note",
            "phone call",
            "--by",
            "Sam Lee",
            "--json",
        ],
    );
    assert_eq!(added["created"], true);
    let view = json(home, &["show", &story, "--json"]);
    let manual: Vec<&Value> = view["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["record"]["platform"] == "manual")
        .collect();
    assert_eq!(manual.len(), 1, "the manual source is on the story");
    assert_eq!(manual[0]["record"]["added_by"], "Sam Lee");
    let missing = beatdesk(
        home,
        &[
            "source",
            "add",
            "--story",
            &story,
            "--text",
            note.to_str().unwrap(),
        ],
    );
    assert!(!missing.status.success(), "--by is required");
}

#[test]
fn a_bad_beat_configuration_names_the_source_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let cfg = home.join("bad.toml");
    std::fs::write(&cfg, "[[source]]\nkind = \"feed\"\n").unwrap();
    let out = beatdesk(
        home,
        &["beat", "add", "Bad", "--config", cfg.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("source #1") && err.contains("url"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1);
}
