//! The clustering targets on the labelled fixture. Scores are computed from
//! the clusterer's output against the gold labels; nothing is hard-coded.

use std::collections::{HashMap, HashSet};

use beatdesk_analyze::eval::Fixture;
use beatdesk_analyze::{analyze, Analysis, Clusterer};
use chrono::{DateTime, TimeZone, Utc};

fn fixture() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/open_source_ai.jsonl"
    );
    Fixture::parse(&std::fs::read_to_string(path).expect("fixture")).expect("valid fixture")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 12, 18, 0, 0).unwrap()
}

fn groups(a: &Analysis) -> Vec<Vec<i64>> {
    a.stories.iter().map(|s| s.record_ids.clone()).collect()
}

#[test]
fn fixture_is_big_enough() {
    let fx = fixture();
    let kept = fx
        .records
        .iter()
        .filter(|r| r.status == beatdesk_types::RecordStatus::Kept)
        .count();
    let stories: HashSet<&str> = fx
        .labels
        .values()
        .map(|l| l.as_str())
        .filter(|l| !l.contains(':'))
        .collect();
    assert!(kept >= 150, "{kept} kept records");
    assert!(stories.len() >= 15, "{} stories", stories.len());
    assert!(fx.labels.values().any(|l| l.starts_with("roundup:")));
    assert!(
        fx.labels
            .values()
            .filter(|l| l.starts_with("noise:"))
            .count()
            >= 10
    );
}

#[test]
fn clustering_meets_targets() {
    let fx = fixture();
    let a = analyze(&fx.records, &[], now());
    let (pw, b3) = fx.score(&groups(&a));
    println!(
        "pairwise P {:.3} R {:.3} F1 {:.3}; B3 P {:.3} R {:.3} F1 {:.3}",
        pw.precision, pw.recall, pw.f1, b3.precision, b3.recall, b3.f1
    );
    assert!(
        pw.precision >= 0.95,
        "pairwise precision {:.3}",
        pw.precision
    );
    assert!(pw.f1 >= 0.94, "pairwise F1 {:.3}", pw.f1);
    assert!(b3.f1 >= 0.90, "B-cubed F1 {:.3}", b3.f1);
}

#[test]
fn incremental_batches_meet_targets() {
    let fx = fixture();
    let mut recs = fx.records.clone();
    recs.sort_by_key(|r| r.published_at);
    let mut c = Clusterer::default();
    for chunk in recs.chunks(40) {
        c.add(chunk);
    }
    let (pw, b3) = fx.score(&c.groups());
    println!(
        "incremental: pairwise P {:.3} R {:.3} F1 {:.3}; B3 F1 {:.3}",
        pw.precision, pw.recall, pw.f1, b3.f1
    );
    assert!(pw.precision >= 0.95 && pw.f1 >= 0.94 && b3.f1 >= 0.90);
}

/// Same entity, different event: every pair of these gold stories must be
/// in different clusters.
#[test]
fn same_entity_traps_stay_apart() {
    let fx = fixture();
    let a = analyze(&fx.records, &[], now());
    let traps = [
        ["deepseek-funding", "deepseek-outage"],
        ["deepseek-funding", "deepseek-gguf"],
        ["deepseek-outage", "deepseek-gguf"],
        ["deepseek-gguf", "vllm-v4-hang"],
        ["deepseek-outage", "vllm-v4-hang"],
        ["qwen-release", "qwen-lead-departs"],
        ["llamacpp-mtp", "ggml-joins-hf"],
    ];
    for s in &a.stories {
        let labels: HashSet<&str> = s.record_ids.iter().map(|id| fx.label(*id)).collect();
        for [x, y] in traps {
            assert!(
                !(labels.contains(x) && labels.contains(y)),
                "{x} and {y} merged in '{}'",
                s.title
            );
        }
    }
}

/// Roundups stay alone and never bridge the stories they mention; noise never
/// joins a story and ranks below every real story of three or more records.
#[test]
fn roundups_and_noise_stay_out() {
    let fx = fixture();
    let a = analyze(&fx.records, &[], now());
    let mut cluster_of: HashMap<i64, usize> = HashMap::new();
    for (i, s) in a.stories.iter().enumerate() {
        for id in &s.record_ids {
            cluster_of.insert(*id, i);
        }
    }
    for (id, label) in &fx.labels {
        let Some(&i) = cluster_of.get(id) else {
            continue;
        };
        if label.starts_with("noise:") || label.starts_with("roundup:") {
            assert_eq!(
                a.stories[i].record_ids.len(),
                1,
                "{label} ({id}) joined '{}'",
                a.stories[i].title
            );
        }
    }
    let mut totals: Vec<f64> = a
        .stories
        .iter()
        .filter(|s| s.record_ids.len() >= 3)
        .map(|s| s.signal.total)
        .collect();
    totals.sort_by(|x, y| x.total_cmp(y));
    let median = totals[totals.len() / 2];
    for s in &a.stories {
        let label = fx.label(s.record_ids[0]);
        if label.starts_with("noise:") {
            let g = &s.signal;
            assert!(
                g.total < median,
                "noise '{}' ({:.2}) outranks the median story ({median:.2})",
                s.title,
                g.total
            );
            assert_eq!(
                (g.volume, g.diversity, g.origins),
                (0.0, 0.0, 0.0),
                "{}",
                s.title
            );
            assert_eq!(g.independent_origins, 1);
            assert!(g.why[0].starts_with("single origin"), "{:?}", g.why);
        }
    }
}

/// Every multi-record story gets a title from one of its records, top terms
/// and a reason for each record.
#[test]
fn stories_are_explained() {
    let fx = fixture();
    let a = analyze(&fx.records, &[], now());
    for s in a.stories.iter().filter(|s| s.record_ids.len() > 1) {
        assert!(s.record_ids.contains(&s.central_record_id));
        assert!(!s.title.is_empty() && s.top_terms.len() >= 3, "{s:?}");
        for id in &s.record_ids {
            assert!(!s.why[id].is_empty(), "no reason for {id} in '{}'", s.title);
        }
        assert_eq!(s.signal.series.len(), 28);
        assert_eq!(
            s.signal.series.iter().map(|p| p.records).sum::<i64>() as usize,
            s.record_ids.len()
        );
    }
    let funding = a
        .stories
        .iter()
        .find(|s| fx.label(s.central_record_id) == "deepseek-funding")
        .unwrap();
    let terms = funding.top_terms.join(" ");
    assert!(
        terms.contains("deepseek") || terms.contains("tencent") || terms.contains("catl"),
        "{terms}"
    );
}
