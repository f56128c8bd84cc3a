//! Incremental analysis through the facade, as the product runs it: a beat
//! of N synthetic records (default 100 000) imported into a SQLite file
//! (the first pass is full), then 1 000 more imported (only they are
//! clustered), then a full `analyze` for comparison. Prints wall and CPU
//! time per step.
//!
//! ```sh
//! cargo run --release -p beatdesk-core --example bench_incremental [-- N]
//! ```

use std::sync::Arc;
use std::time::Instant;

use beatdesk_core::{Beatdesk, FixedClock};
use serde_json::json;

/// CPU time of this process (user + system) in ms, from /proc/self/stat.
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            Some((rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?) * 10.0)
        })
        .unwrap_or(f64::NAN)
}

fn lines(records: &[beatdesk_types::Record]) -> String {
    records
        .iter()
        .map(|r| {
            let title = if r.title.trim().is_empty() {
                r.text.chars().take(60).collect::<String>()
            } else {
                r.title.clone()
            };
            json!({
                "platform": r.platform.as_str(), "external_id": r.external_id, "url": r.url,
                "title": title, "text": r.text, "author": if r.author.is_empty() { "anon" } else { &r.author },
                "published_at": r.published_at.to_rfc3339(), "community": r.community,
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn step<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (t, c) = (Instant::now(), cpu_ms());
    let out = f();
    println!(
        "{what}: {:.0} ms wall, {:.0} ms CPU",
        t.elapsed().as_secs_f64() * 1000.0,
        cpu_ms() - c
    );
    out
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let (mut records, _) = beatdesk_analyze::synth::records(n + 1000, n / 20, 60, 7);
    records.sort_by_key(|r| r.published_at);
    let extra = records.split_off(n);
    let now = extra.iter().map(|r| r.published_at).max().unwrap() + chrono::Duration::hours(1);
    let dir = tempfile::tempdir().unwrap();
    let bd = Beatdesk::open(dir.path())
        .unwrap()
        .with_clock(Arc::new(FixedClock(now)));
    let beat = bd.add_beat("Bench", None).unwrap();
    let (first, more) = (lines(&records), lines(&extra));
    step(
        &format!("import {n} records + first (full) analysis"),
        || bd.import_jsonl("Bench", "first.jsonl", &first).unwrap(),
    );
    // What storing the 1 000 costs without a big beat behind them.
    bd.add_beat("Small", None).unwrap();
    step(
        "import the same 1000 into an empty beat (storing + a 1k full pass)",
        || bd.import_jsonl("Small", "more.jsonl", &more).unwrap(),
    );
    let r = step("import 1000 more + incremental analysis", || {
        bd.import_jsonl("Bench", "more.jsonl", &more).unwrap();
        bd.last_analysis(beat.id).unwrap()
    });
    println!("  that pass: {r:?}   [target <= 200 ms for the analysis]");
    step("refresh with nothing new (stamp check)", || {
        bd.refresh_analysis(beat.id).unwrap()
    });
    step("full analyze (beatdesk analyze)", || {
        bd.analyze("Bench").unwrap()
    });
}
