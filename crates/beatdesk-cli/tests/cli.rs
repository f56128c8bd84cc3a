//! Every verb of the `beatdesk` binary on a fresh `--home`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn beatdesk(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_beatdesk"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env("BEATDESK_NOW", "2026-11-29T12:00:00Z")
        .env_remove("BEATDESK_HOME")
        .output()
        .expect("runs")
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = beatdesk(home, args);
    assert!(
        out.status.success(),
        "beatdesk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(home: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(home, args))
        .unwrap_or_else(|e| panic!("beatdesk {args:?}: not JSON: {e}"))
}

/// Fails with exactly one line on stderr.
fn fails(home: &Path, args: &[&str]) -> String {
    let out = beatdesk(home, args);
    assert!(!out.status.success(), "beatdesk {args:?} should fail");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr, got: {err}"
    );
    err
}

#[test]
fn the_whole_pipeline_from_a_fresh_home() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let demo = json(home, &["demo", "--json"]);
    assert_eq!(demo["import"]["read"], 50);
    assert!(
        home.join("beatdesk.sqlite").exists(),
        "a real SQLite file in --home"
    );

    let beats = json(home, &["beat", "list", "--json"]);
    assert_eq!(beats[0]["name"], "Open Source AI");

    let records = json(home, &["records", "--beat", "Open Source AI", "--json"]);
    let first = &records[0];
    for key in [
        "id",
        "platform",
        "external_id",
        "url",
        "canonical_url",
        "title",
        "text",
        "author",
        "published_at",
        "status",
        "reason",
        "duplicate_of",
    ] {
        assert!(first.get(key).is_some(), "records --json has {key}");
    }

    let stories = json(home, &["stories", "--beat", "Open Source AI", "--json"]);
    let story = &stories[0];
    assert!(story["signal"]["total"].as_f64().unwrap() > 0.0);
    assert!(story["independent_origins"].as_i64().unwrap() >= 1);
    let rec = &story["records"][0];
    assert!(rec["id"].is_i64() && rec["external_id"].is_string() && rec["url"].is_string());

    let id = story["id"].as_i64().unwrap().to_string();
    let draft = json(home, &["draft", &id, "--writer", "offline", "--json"]);
    assert_eq!(draft["author"]["kind"], "writer");
    let md = ok(home, &["show", &id, "--markdown"]);
    assert!(
        md.starts_with("# ") && md.contains("## Sources") && md.contains("## Methodology"),
        "{md}"
    );
    let html = ok(home, &["show", &id, "--html"]);
    assert!(html.contains("<h1>"));
    let view = json(home, &["show", &id, "--json"]);
    assert_eq!(view["story"]["id"].as_i64().unwrap().to_string(), id);

    let signoff = json(home, &["signoff", &id, "--editor", "Ana Ruiz", "--json"]);
    assert_eq!(signoff["editor"], "Ana Ruiz");
    let out = home.join("story.md");
    ok(
        home,
        &[
            "export",
            &id,
            "--to",
            "markdown",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(
        exported.contains("Signed off by Ana Ruiz on 2026-11-29"),
        "{exported}"
    );
    let page = ok(home, &["export", &id, "--to", "html"]);
    assert!(page.starts_with("<!doctype html>"));
    let history = json(home, &["history", &id, "--json"]);
    let actions: Vec<&str> = history["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "export").count(), 2);
}

#[test]
fn beats_and_imports() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let cfg = home.join("beat.toml");
    std::fs::write(
        &cfg,
        "window_days = 7\n[[source]]\nkind = \"feed\"\nurl = \"https://feeds.example.org/rss\"\n",
    )
    .unwrap();
    let beat = json(
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
    assert_eq!(beat[0]["name"], "Chips");
    assert!(fails(home, &["beat", "add", "Chips"]).contains("already exists"));
    std::fs::write(&cfg, "window_days = = 7").unwrap();
    assert!(fails(
        home,
        &["beat", "add", "Broken", "--config", cfg.to_str().unwrap()]
    )
    .contains("beat configuration: (syntax): extra"));

    let file = home.join("in.jsonl");
    std::fs::write(
        &file,
        "{\"platform\":\"bluesky\",\"external_id\":\"at://did:plc:x/app.bsky.feed.post/1\",\"url\":\"https://bsky.app/profile/a/post/1\",\"title\":\"t\",\"text\":\"Fab opens.\",\"author\":\"a.bsky.social\",\"published_at\":\"2026-11-28T10:00:00+01:00\",\"metrics\":{\"likes\":3}}\n{\"platform\":\"bluesky\"}\n",
    )
    .unwrap();
    let out = beatdesk(
        home,
        &[
            "import",
            "--beat",
            "Chips",
            file.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["new"], 1);
    assert!(
        report["errors"][0]
            .as_str()
            .unwrap()
            .contains("in.jsonl line 2: url: is missing"),
        "{report}"
    );
    let records = json(home, &["records", "--beat", "Chips", "--json"]);
    assert_eq!(
        records[0]["published_at"], "2026-11-28T09:00:00Z",
        "times are stored in UTC"
    );
    let analysis = json(home, &["analyze", "--beat", "Chips", "--json"]);
    assert_eq!(analysis["stories"], 1);
}

#[test]
fn bad_arguments_and_unknown_ids_are_one_line_and_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    fails(home, &["stories", "--beat", "Nope"]);
    fails(home, &["show", "999"]);
    fails(home, &["draft", "999"]);
    fails(home, &["signoff", "1"]);
    fails(home, &["export", "1", "--to", "pdf"]);
    fails(home, &["frobnicate"]);
    fails(home, &["import", "--beat", "Nope", "/does/not/exist.jsonl"]);
    ok(home, &["demo"]);
    assert!(fails(home, &["signoff", "1", "--editor", " "]).contains("editor"));
}
