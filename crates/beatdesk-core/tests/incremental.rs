//! Incremental analysis through the facade: after the first pass, an import
//! clusters only the new records, rewrites only the stories they changed,
//! and ends where a full `analyze` of the same records ends.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use beatdesk_core::{Beatdesk, FixedClock};
use serde_json::Value;

const BEAT: &str = "Open AI";

/// The analyze crate's labelled fixture as import lines, by time, with the
/// gold label of each external id.
fn fixture() -> (Vec<String>, HashMap<String, String>) {
    let text = include_str!("../../beatdesk-analyze/tests/data/open_source_ai.jsonl");
    let mut rows: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v["platform"] != "manual")
        .collect();
    rows.sort_by_key(|v| v["published_at"].as_str().unwrap().to_string());
    let mut gold = HashMap::new();
    let lines = rows
        .into_iter()
        .map(|mut v| {
            let id = v["id"].to_string();
            gold.insert(id.clone(), v["label"].as_str().unwrap_or("").to_string());
            v["external_id"] = Value::String(id);
            if v["title"].as_str().unwrap_or("").is_empty() {
                let t: String = v["text"].as_str().unwrap().chars().take(60).collect();
                v["title"] = Value::String(t);
            }
            v.to_string()
        })
        .collect();
    (lines, gold)
}

/// Live stories as sets of external ids; also checks no record is in two.
fn groups(d: &Beatdesk) -> BTreeSet<BTreeSet<String>> {
    let ext: HashMap<i64, String> = d
        .records(BEAT)
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.external_id))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let out: BTreeSet<BTreeSet<String>> = d
        .stories(BEAT)
        .unwrap()
        .iter()
        .map(|s| {
            d.story_records(s.id)
                .unwrap()
                .iter()
                .map(|r| {
                    assert!(
                        seen.insert(r.record.id),
                        "record {} in two live stories",
                        r.record.id
                    );
                    ext[&r.record.id].clone()
                })
                .collect()
        })
        .collect();
    out
}

/// Share of record pairs on which two groupings agree (together or apart).
fn agreement(a: &BTreeSet<BTreeSet<String>>, b: &BTreeSet<BTreeSet<String>>) -> f64 {
    let label = |g: &BTreeSet<BTreeSet<String>>| -> HashMap<String, usize> {
        g.iter()
            .enumerate()
            .flat_map(|(i, s)| s.iter().map(move |x| (x.clone(), i)))
            .collect()
    };
    let (la, lb) = (label(a), label(b));
    let ids: Vec<&String> = la.keys().filter(|k| lb.contains_key(*k)).collect();
    let (mut same, mut all) = (0usize, 0usize);
    for i in 0..ids.len() {
        for j in i + 1..ids.len() {
            let x = la[ids[i]] == la[ids[j]];
            let y = lb[ids[i]] == lb[ids[j]];
            same += (x == y) as usize;
            all += 1;
        }
    }
    same as f64 / all.max(1) as f64
}

#[test]
fn an_import_after_the_first_pass_is_incremental_and_ends_like_a_full_pass() {
    let (lines, gold) = fixture();
    let d = Beatdesk::in_memory(Arc::new(FixedClock(
        "2026-03-12T12:00:00Z".parse().unwrap(),
    )))
    .unwrap();
    d.add_beat(BEAT, None).unwrap();
    let cut = lines.len() * 2 / 3;
    let beat = d.beat(BEAT).unwrap().id;
    d.import_jsonl(BEAT, "first.jsonl", &lines[..cut].join("\n"))
        .unwrap();
    assert!(
        !d.last_analysis(beat).unwrap().incremental,
        "the first pass is full"
    );
    let first = groups(&d);

    // The second import clusters only its records.
    d.import_jsonl(BEAT, "second.jsonl", &lines[cut..].join("\n"))
        .unwrap();
    let report = d.last_analysis(beat).unwrap();
    assert!(report.incremental, "{report:?}");
    let incremental = groups(&d);
    assert_ne!(first, incremental, "the new records landed somewhere");
    let held: usize = incremental.iter().map(|g| g.len()).sum();
    assert_eq!(held, lines.len(), "every record in exactly one story");

    // A full pass over the same records agrees on nearly every pair.
    let full_report = d.analyze(BEAT).unwrap();
    assert!(!full_report.incremental);
    let full = groups(&d);
    let a = agreement(&incremental, &full);
    assert!(
        a >= 0.98,
        "incremental and full passes agree on {a:.3} of pairs"
    );
    // A full analyze in between makes the live state stale: the next pass
    // continues from the note the full pass left, rebuilt from the store.
    let after = d.refresh_analysis(beat).unwrap();
    assert!(after.incremental && after.rebuilt > 0, "{after:?}");
    assert_eq!(groups(&d), full, "and keeps the full pass's stories");
    let again = d.refresh_analysis(beat).unwrap();
    assert!(
        again.incremental && again.rebuilt == 0,
        "and then it is current again (on PostgreSQL too: the note is unchanged): {again:?}"
    );

    // And the incremental grouping is as good against the labels.
    let mut gold_groups: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for (id, l) in &gold {
        gold_groups
            .entry(l.as_str())
            .or_default()
            .insert(id.clone());
    }
    let gold: BTreeSet<BTreeSet<String>> = gold_groups.into_values().collect();
    assert!(agreement(&incremental, &gold) >= 0.97);
}

#[test]
fn a_full_analyze_or_a_correction_in_between_is_noticed() {
    let (lines, _) = fixture();
    let d = Beatdesk::in_memory(Arc::new(FixedClock(
        "2026-03-12T12:00:00Z".parse().unwrap(),
    )))
    .unwrap();
    let beat = d.add_beat(BEAT, None).unwrap();
    d.import_jsonl(BEAT, "first.jsonl", &lines[..60].join("\n"))
        .unwrap();
    // An editor moves a record: the stored grouping changed behind the
    // analyzer's back, so the next pass is a full one and keeps the move.
    let stories = d.stories(BEAT).unwrap();
    let (a, b) = (&stories[0], &stories[1]);
    let moved = d.story_records(a.id).unwrap()[0].record.id;
    d.move_record(moved, b.id, "Ana").unwrap();
    d.import_jsonl(BEAT, "second.jsonl", &lines[60..].join("\n"))
        .unwrap();
    // The move ran a full pass, which left a note: the import continues
    // from it (rebuilt from the store, the moved record's story pinned).
    let report = d.last_analysis(beat.id).unwrap();
    assert!(report.incremental && report.rebuilt > 0, "{report:?}");
    assert!(
        d.story_records(b.id)
            .unwrap()
            .iter()
            .any(|r| r.record.id == moved),
        "the editor's move holds"
    );
    let again = d.refresh_analysis(beat.id).unwrap();
    assert!(again.incremental, "nothing new: the state is current again");
}
