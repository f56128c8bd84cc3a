//! Scores the clusterer on the labelled fixture and prints pairwise and
//! B-cubed precision/recall/F1, then every gold story that was split or
//! merged. `cargo run -p beatdesk-analyze --example eval [-- path.jsonl]`
use std::collections::BTreeMap;

use beatdesk_analyze::analyze;
use beatdesk_analyze::eval::Fixture;
use chrono::{TimeZone, Utc};

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/open_source_ai.jsonl"
        )
        .to_string()
    });
    let fx = Fixture::parse(&std::fs::read_to_string(&path).expect("read fixture"))
        .expect("parse fixture");
    let now = Utc.with_ymd_and_hms(2026, 3, 12, 18, 0, 0).unwrap();
    let t = std::time::Instant::now();
    let a = analyze(&fx.records, &[], now);
    let took = t.elapsed();
    let groups: Vec<Vec<i64>> = a.stories.iter().map(|s| s.record_ids.clone()).collect();
    let (pw, b3) = fx.score(&groups);
    let kept: usize = groups.iter().map(|g| g.len()).sum();
    let gold: std::collections::HashSet<&str> = groups
        .iter()
        .flatten()
        .map(|id| fx.label(*id))
        .filter(|l| !l.contains(':'))
        .collect();
    println!("fixture: {path}");
    println!(
        "records: {} ({} kept), gold stories: {}, predicted clusters: {} (in {:.1} ms)",
        fx.records.len(),
        kept,
        gold.len(),
        groups.len(),
        took.as_secs_f64() * 1000.0
    );
    println!(
        "pairwise  P {:.3}  R {:.3}  F1 {:.3}",
        pw.precision, pw.recall, pw.f1
    );
    println!(
        "B-cubed   P {:.3}  R {:.3}  F1 {:.3}",
        b3.precision, b3.recall, b3.f1
    );
    // Diagnostics: where gold labels went.
    let mut where_: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, g) in groups.iter().enumerate() {
        for id in g {
            where_.entry(fx.label(*id)).or_default().push(i);
        }
    }
    for (label, cs) in &where_ {
        let mut u = cs.clone();
        u.sort();
        u.dedup();
        if u.len() > 1 {
            println!(
                "split  {label}: {:?}",
                u.iter()
                    .map(|c| groups[*c]
                        .iter()
                        .filter(|id| fx.label(**id) == *label)
                        .count())
                    .collect::<Vec<_>>()
            );
        }
    }
    for (i, g) in groups.iter().enumerate() {
        let mut labels: Vec<&str> = g.iter().map(|id| fx.label(*id)).collect();
        labels.sort();
        labels.dedup();
        if labels.len() > 1 {
            let s = &a.stories[i];
            println!(
                "merged cluster {i} ({} records, '{}'): {}",
                g.len(),
                s.title,
                g.iter()
                    .map(|id| format!("{id}:{}", fx.label(*id)))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
    }
    if std::env::var("SHOW").is_ok() {
        for s in &a.stories {
            println!(
                "\n[{:.2}] {} ({} records, {} origins) terms: {:?}",
                s.signal.total,
                s.title,
                s.record_ids.len(),
                s.signal.independent_origins,
                s.top_terms
            );
            for w in &s.signal.why {
                println!("    {w}");
            }
            for id in &s.record_ids {
                println!("    {id} {} why {:?}", fx.label(*id), s.why[id]);
            }
        }
    }
}
