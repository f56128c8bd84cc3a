//! `beatdesk import` throughput: 100k JSON Lines records (Reddit, Bluesky and
//! news shapes; a third without titles, a fifth with `links`, a tenth with
//! `reply_to`) through the import path, next to a plain serde_json parse +
//! one-transaction rusqlite insert of the same file into the same schema.
//!
//!     cargo run --release -p beatdesk-core --example bench_import [-- RECORDS] [--store ADDRESS]
//!
//! With `--store postgres://…` (or `host=… dbname=…`, password in
//! `PGPASSWORD`) the import and analysis run against that PostgreSQL store
//! (a beat named `Bench <time>`, so reruns do not collide); the reference
//! stays SQLite.
//!
//! Figures: the reference, the import alone (parse, validate, canonical URLs,
//! duplicate check, insert, relations, resolve; one transaction), and the
//! Analyze + Signal pass that `beatdesk import` runs after it.

use std::time::Instant;

use beatdesk_core::Beatdesk;
use chrono::{Duration, Utc};
use serde_json::{json, Value};

const WORDS: &[&str] = &[
    "model",
    "weights",
    "open",
    "licence",
    "chip",
    "export",
    "rule",
    "gpu",
    "inference",
    "benchmark",
    "release",
    "lab",
    "startup",
    "funding",
    "datacentre",
    "policy",
    "agent",
];

fn lines(n: usize) -> String {
    let now = Utc::now();
    let mut out = String::with_capacity(n * 400);
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..n {
        let text: Vec<&str> = (0..30)
            .map(|_| WORDS[(rnd() % WORDS.len() as u64) as usize])
            .collect();
        let text = text.join(" ");
        let published = (now - Duration::minutes((rnd() % (6 * 24 * 60)) as i64)).to_rfc3339();
        let mut v = match i % 3 {
            0 => json!({"platform": "reddit", "external_id": format!("r{i}"),
                "url": format!("https://www.reddit.com/r/LocalLLaMA/comments/r{i}/post_{i}/"),
                "title": format!("Post {i}: {}", &text[..40]), "text": text, "author": format!("user{}", i % 997),
                "community": "LocalLLaMA", "published_at": published, "metrics": {"score": i % 500, "comments": i % 40}}),
            1 => {
                json!({"platform": "bluesky", "external_id": format!("at://did:plc:u{}/app.bsky.feed.post/{i}", i % 991),
                "url": format!("https://bsky.app/profile/u{}.example/post/{i}", i % 991),
                "title": "", "text": text, "author": format!("u{}.example", i % 991),
                "published_at": published, "metrics": {"likes": i % 90, "reposts": i % 9}})
            }
            _ => {
                json!({"platform": "news", "external_id": format!("https://news{}.example/2026/story-{i}", i % 13),
                "url": format!("https://www.news{}.example/2026/story-{i}?utm_source=feed", i % 13),
                "title": format!("Story {i}: {}", &text[..50]), "text": text, "author": "",
                "published_at": published})
            }
        };
        if i % 5 == 0 {
            v["links"] = json!([format!(
                "https://news{}.example/2026/story-{}",
                (i + 1) % 13,
                i + 2
            )]);
        }
        if i % 10 == 4 {
            v["reply_to"] = json!(format!(
                "at://did:plc:u{}/app.bsky.feed.post/{}",
                (i - 3) % 991,
                i - 3
            ));
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

/// The reference: serde_json per line, one transaction, one prepared insert.
fn reference(path: &std::path::Path, text: &str) -> usize {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    let mut n = 0;
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author,
                    community, published_at, fetched_at, metrics) VALUES (1, ?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
            )
            .unwrap();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            stmt.execute(rusqlite::params![
                s("platform"),
                s("external_id"),
                s("url"),
                s("title"),
                s("text"),
                s("author"),
                v.get("community").and_then(Value::as_str),
                s("published_at"),
                v.get("metrics")
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "{}".into())
            ])
            .unwrap();
            n += 1;
        }
    }
    tx.commit().unwrap();
    n
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let store = args
        .iter()
        .position(|a| a == "--store")
        .and_then(|i| args.get(i + 1))
        .map(|a| beatdesk_core::StoreAddress::parse(a));
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("records.jsonl");
    std::fs::write(&file, lines(n)).unwrap();
    println!(
        "{n} records, {:.1} MB of JSON Lines",
        std::fs::metadata(&file).unwrap().len() as f64 / 1e6
    );

    // Same schema for the reference: a Beatdesk home with one beat, then raw rusqlite.
    let ref_home = dir.path().join("ref");
    Beatdesk::open(&ref_home)
        .unwrap()
        .add_beat("Ref", None)
        .unwrap();
    let t = Instant::now();
    let text = std::fs::read_to_string(&file).unwrap();
    let stored = reference(&ref_home.join(beatdesk_core::DB_FILE), &text);
    let reference_secs = t.elapsed().as_secs_f64();
    println!("reference (serde_json + one rusqlite transaction): {reference_secs:.2} s, {stored} rows, {:.0} records/s", stored as f64 / reference_secs);

    let home = dir.path().join("desk");
    let (d, beat_name) = match &store {
        Some(address) => (
            Beatdesk::open_at(&home, address).unwrap(),
            format!("Bench {}", Utc::now().format("%H%M%S%.3f")),
        ),
        None => (Beatdesk::open(&home).unwrap(), "Bench".to_string()),
    };
    println!("store: {:?}", d.store().engine());
    let beat = d.add_beat(&beat_name, None).unwrap();
    let t = Instant::now();
    let text = std::fs::read_to_string(&file).unwrap();
    let now = Utc::now();
    let report = d
        .store()
        .write(|tx| beatdesk_core::import::import_jsonl(tx, beat.id, "records.jsonl", &text, now))
        .unwrap();
    let import_secs = t.elapsed().as_secs_f64();
    println!(
        "beatdesk import (no analysis): {import_secs:.2} s, {} new, {} duplicates, {} relations, {} errors — {:.2}× the reference",
        report.new, report.duplicates, report.links, report.errors.len(), import_secs / reference_secs
    );
    let t = Instant::now();
    let a = d.analyze(&beat_name).unwrap();
    let analyze_secs = t.elapsed().as_secs_f64();
    println!("analyze + signal after it: {analyze_secs:.2} s ({a:?})");
    println!(
        "beatdesk import with analysis: {:.2} s",
        import_secs + analyze_secs
    );
}
