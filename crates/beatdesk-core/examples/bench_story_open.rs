//! Opening a story with 200 sources (the window's `get_story`: the story
//! view with records, labels, latest draft, history, sign-offs and audit),
//! median and p95 over 100 opens, on SQLite or on a PostgreSQL store.
//!
//!     cargo run --release -p beatdesk-core --example bench_story_open [-- --store ADDRESS] [--sources N]
//!
//! With `--store postgres://…` (or `host=… dbname=…`, password in
//! `PGPASSWORD`) the beat is made there (named by the time, so reruns do
//! not collide); otherwise in a temporary SQLite home.

use std::time::Instant;

use beatdesk_core::{Beatdesk, StoreAddress};
use beatdesk_store::records::{self, Upsert};
use beatdesk_store::stories;
use beatdesk_types::{Metrics, Platform, RecordStatus};
use chrono::{Duration, Utc};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: usize = flag("--sources")
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("desk");
    let d = match flag("--store") {
        Some(a) => Beatdesk::open_at(&home, &StoreAddress::parse(&a)).unwrap(),
        None => Beatdesk::open(&home).unwrap(),
    };
    println!("store: {:?}", d.store().engine());
    let now = Utc::now();
    let beat = d
        .add_beat(&format!("Open {}", now.format("%H%M%S%.3f")), None)
        .unwrap();
    let metrics = Metrics::default();
    let story = d
        .store()
        .write(|tx| -> beatdesk_store::Result<i64> {
            let story = stories::insert(tx, beat.id, "Chip export rules tighten", now)?;
            for i in 0..n {
                let text = format!(
                    "Source {i} reports that the export rule for accelerators changes on {}; \
                     the ministry confirmed {} units were held at the border.",
                    now.format("%d %B"),
                    100 + i
                );
                let url = format!("https://news.example/{}/story-{i}", beat.id);
                let rec = records::RecordRef {
                    source_id: None,
                    platform: Platform::Web,
                    external_id: &url,
                    url: &url,
                    canonical_url: &url,
                    title: &format!("Report {i} on the chip rule"),
                    text: &text,
                    author: &format!("reporter{}", i % 17),
                    community: None,
                    published_at: now - Duration::minutes(i as i64),
                    metrics: &metrics,
                    status: RecordStatus::Kept,
                    reason: None,
                    duplicate_of: None,
                    note: None,
                    added_by: None,
                };
                let id = match records::upsert_ref(tx, beat.id, &rec, now)? {
                    Upsert::Inserted(id) | Upsert::Updated(id) => id,
                };
                stories::add_link(tx, story, id, now)?;
            }
            Ok(story)
        })
        .unwrap();
    d.draft(story, "offline").unwrap();
    let view = d.story(story).unwrap();
    println!(
        "story {story}: {} sources, {} revisions",
        view.records.len(),
        view.history.len()
    );
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let v = d.story(story).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(v.records.len(), n);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "open a story with {n} sources: median {:.1} ms, p95 {:.1} ms, max {:.1} ms (100 opens)",
        times[50], times[94], times[99]
    );
}
