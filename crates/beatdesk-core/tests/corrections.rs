//! An editor's corrections (move, merge, split) hold across a full
//! `analyze`, a later import, and are each in the audit log.

use std::collections::BTreeSet;
use std::sync::Arc;

use beatdesk_core::{Beatdesk, FixedClock};
use chrono::{TimeZone, Utc};

const BEAT: &str = "Chips";

fn line(id: &str, hour: u32, title: &str, text: &str) -> String {
    serde_json::json!({
        "platform": "news", "external_id": id, "url": format!("https://news{id}.example.com/{id}"),
        "title": title, "text": text, "author": format!("writer {id}"),
        "published_at": format!("2026-11-28T{hour:02}:00:00Z"),
    })
    .to_string()
}

fn desk() -> Beatdesk {
    let d = Beatdesk::in_memory(Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap(),
    )))
    .unwrap();
    d.add_beat(BEAT, None).unwrap();
    let lines = [
        line("a1", 1, "Kestrel raises $4.6B for K9 chip factory", "Kestrel Semiconductor raised $4.6 billion to build a K9 chip factory in Ohio, the company said."),
        line("a2", 2, "Kestrel's $4.6B raise will fund an Ohio K9 factory", "The chipmaker Kestrel Semiconductor said the $4.6 billion round funds its Ohio K9 factory."),
        line("a3", 3, "Kestrel closes $4.6 billion K9 factory round", "Kestrel Semiconductor closed a $4.6 billion round for a K9 chip factory in Ohio."),
        line("b1", 4, "Tarnwell moves Sable models to a community licence", "Tarnwell Labs moves future Sable models from Apache-2.0 to a community licence with a 50M MAU cap."),
        line("b2", 5, "Sable licence change: Tarnwell adds a 50M MAU cap", "Tarnwell Labs said new Sable releases use a community licence capped at 50M monthly users."),
        line("b3", 6, "Tarnwell's Sable community licence caps users at 50M", "Future Sable models from Tarnwell Labs ship under a community licence with a 50M user cap."),
    ];
    d.import_jsonl(BEAT, "seed.jsonl", &lines.join("\n"))
        .unwrap();
    d
}

/// Stories as sets of record external ids.
fn groups(d: &Beatdesk) -> BTreeSet<BTreeSet<String>> {
    let ext: std::collections::HashMap<i64, String> = d
        .records(BEAT)
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.external_id))
        .collect();
    d.stories(BEAT)
        .unwrap()
        .iter()
        .map(|s| {
            d.story_records(s.id)
                .unwrap()
                .iter()
                .map(|r| ext[&r.record.id].clone())
                .collect()
        })
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn story_with(d: &Beatdesk, ext: &str) -> i64 {
    let id = d
        .records(BEAT)
        .unwrap()
        .into_iter()
        .find(|r| r.external_id == ext)
        .unwrap()
        .id;
    d.stories(BEAT)
        .unwrap()
        .into_iter()
        .find(|s| {
            d.story_records(s.id)
                .unwrap()
                .iter()
                .any(|r| r.record.id == id)
        })
        .unwrap()
        .id
}

fn record(d: &Beatdesk, ext: &str) -> i64 {
    d.records(BEAT)
        .unwrap()
        .into_iter()
        .find(|r| r.external_id == ext)
        .unwrap()
        .id
}

#[test]
fn merge_split_and_move_survive_a_full_analyze_and_later_imports() {
    let d = desk();
    let before = groups(&d);
    assert!(before.contains(&set(&["a1", "a2", "a3"])), "{before:?}");
    assert!(before.contains(&set(&["b1", "b2", "b3"])), "{before:?}");

    // Merge: one story of six; the other is retired.
    let (a, b) = (story_with(&d, "a1"), story_with(&d, "b1"));
    d.merge_stories(a, b, "Ana Ruiz").unwrap();
    d.analyze(BEAT).unwrap();
    assert_eq!(
        groups(&d),
        BTreeSet::from([set(&["a1", "a2", "a3", "b1", "b2", "b3"])])
    );
    assert_eq!(story_with(&d, "b1"), a, "the surviving story keeps its id");

    // Split two records out: a new story, kept apart by the next analyze.
    let new = d
        .split_records(a, &[record(&d, "b1"), record(&d, "b2")], "Ana Ruiz")
        .unwrap();
    d.analyze(BEAT).unwrap();
    assert_eq!(
        groups(&d),
        BTreeSet::from([set(&["a1", "a2", "a3", "b3"]), set(&["b1", "b2"])])
    );
    assert_eq!(story_with(&d, "b1"), new);

    // Move one back the other way; a later import does not undo it.
    d.move_record(record(&d, "b3"), new, "Sam Lee").unwrap();
    d.import_jsonl(
        BEAT,
        "later.jsonl",
        &line(
            "a4",
            7,
            "Kestrel's K9 factory round: $4.6B from investors",
            "Kestrel Semiconductor's $4.6 billion K9 factory round in Ohio drew new investors.",
        ),
    )
    .unwrap();
    d.analyze(BEAT).unwrap();
    let g = groups(&d);
    assert!(g.contains(&set(&["b1", "b2", "b3"])), "{g:?}");
    assert!(
        g.iter().any(|s| s.contains("a1") && s.contains("a4")),
        "new records still cluster: {g:?}"
    );

    let actions: Vec<String> = d
        .audit(None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in ["merge_stories", "split_records", "move_record"] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

#[test]
fn bad_corrections_are_refused_and_change_nothing() {
    let d = desk();
    let before = groups(&d);
    let a = story_with(&d, "a1");
    assert!(d.merge_stories(a, a, "Ana").is_err());
    assert!(
        d.split_records(a, &[record(&d, "b1")], "Ana").is_err(),
        "not in the story"
    );
    let all: Vec<i64> = ["a1", "a2", "a3"].iter().map(|e| record(&d, e)).collect();
    assert!(d.split_records(a, &all, "Ana").is_err(), "would empty it");
    assert!(d.move_record(record(&d, "b1"), a, " ").is_err(), "no actor");
    assert!(d.move_record(record(&d, "b1"), 9999, "Ana").is_err());
    assert_eq!(groups(&d), before);
    assert!(d
        .audit(None)
        .unwrap()
        .iter()
        .all(|e| !e.action.contains("split")));
}
