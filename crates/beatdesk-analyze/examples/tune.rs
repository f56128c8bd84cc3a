//! Grid search over the main tunables on the labelled fixture, printing the
//! best settings by pairwise F1 with precision ≥ 0.95.
//! `cargo run --release -p beatdesk-analyze --example tune`
use beatdesk_analyze::eval::Fixture;
use beatdesk_analyze::{analyze_with, Config};
use chrono::{TimeZone, Utc};

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/open_source_ai.jsonl"
    );
    let fx = Fixture::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 12, 18, 0, 0).unwrap();
    let mut results = Vec::new();
    for wt in [0.2f32, 0.3, 0.4] {
        for we in [0.15f32, 0.25, 0.35] {
            let wb = 1.0 - wt - we;
            for th in [0.2f32, 0.23, 0.26, 0.3, 0.34] {
                for mt in [0.18f32, 0.22, 0.26, 0.3] {
                    for floor in [0.5f32] {
                        let cfg = Config {
                            weights: [wt, wb, we],
                            threshold: th,
                            merge_threshold: mt,
                            time_floor: floor,
                            ..Config::default()
                        };
                        let a = analyze_with(&fx.records, &[], now, cfg);
                        let groups: Vec<Vec<i64>> =
                            a.stories.iter().map(|s| s.record_ids.clone()).collect();
                        let (pw, b3) = fx.score(&groups);
                        results.push((
                            pw.f1,
                            pw.precision,
                            pw.recall,
                            b3.f1,
                            format!("wt {wt} wb {wb:.2} we {we} th {th} mt {mt} floor {floor}"),
                        ));
                    }
                }
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    for r in results.iter().filter(|r| r.1 >= 0.95).take(25) {
        println!(
            "F1 {:.3} P {:.3} R {:.3} B3 {:.3}  {}",
            r.0, r.1, r.2, r.3, r.4
        );
    }
}
