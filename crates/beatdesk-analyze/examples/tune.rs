//! Grid search over the main tunables, scored on the labelled fixture and
//! on 30 000 synthetic records (where shared names and themes tempt the
//! merge pass into chaining). Prints the best settings by the worse of the
//! two pairwise F1 scores.
//! `cargo run --release -p beatdesk-analyze --example tune`
use beatdesk_analyze::eval::{pairwise, Fixture};
use beatdesk_analyze::{analyze_with, synth, Clusterer, Config};
use chrono::{TimeZone, Utc};

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/open_source_ai.jsonl"
    );
    let fx = Fixture::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 12, 18, 0, 0).unwrap();
    let (syn, gold) = synth::records(30_000, 1_500, 60, 7);
    let mut results = Vec::new();
    for th in [0.26f32, 0.3, 0.34] {
        for mt in [0.22f32, 0.26, 0.3, 0.35] {
            for pen in [0.0f32, 0.25, 0.5, 0.75] {
                let cfg = Config {
                    threshold: th,
                    merge_threshold: mt,
                    merge_size_penalty: pen,
                    ..Config::default()
                };
                let a = analyze_with(&fx.records, &[], now, cfg.clone());
                let groups: Vec<Vec<i64>> =
                    a.stories.iter().map(|s| s.record_ids.clone()).collect();
                let (pw, b3) = fx.score(&groups);
                let mut c = Clusterer::new(cfg);
                c.add(&syn);
                let (mut pred, mut lab) = (Vec::new(), Vec::new());
                for (i, g) in c.groups().iter().enumerate() {
                    for id in g {
                        pred.push(i);
                        lab.push(gold[(*id - 1) as usize]);
                    }
                }
                let sp = pairwise(&pred, &lab);
                results.push((
                    pw.f1.min(sp.f1),
                    pw,
                    b3.f1,
                    sp,
                    format!("th {th} mt {mt} pen {pen}"),
                ));
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    for r in results.iter().take(20) {
        println!(
            "fixture F1 {:.3} P {:.3} R {:.3} B3 {:.3} | synthetic F1 {:.3} P {:.3} R {:.3} | {}",
            r.1.f1, r.1.precision, r.1.recall, r.2, r.3.f1, r.3.precision, r.3.recall, r.4
        );
    }
}
