//! Analysis across processes and re-ranks: a new process (a new `Beatdesk`
//! on the same file, as each `beatdesk import` is) clusters only the
//! records that arrived since the last pass; stories no new record touched
//! still get their recency moved; a record an editor excluded counts in no
//! signal, through incremental and full passes alike.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use beatdesk_core::{Beatdesk, FixedClock};
use serde_json::{json, Value};

const BEAT: &str = "Open AI";

fn open(dir: &std::path::Path, now: &str) -> Beatdesk {
    Beatdesk::open(dir)
        .unwrap()
        .with_clock(Arc::new(FixedClock(now.parse().unwrap())))
}

/// The analyze crate's labelled fixture as import lines, by time.
fn fixture() -> Vec<String> {
    let text = include_str!("../../beatdesk-analyze/tests/data/open_source_ai.jsonl");
    let mut rows: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v["platform"] != "manual")
        .collect();
    rows.sort_by_key(|v| v["published_at"].as_str().unwrap().to_string());
    rows.into_iter()
        .map(|mut v| {
            v["external_id"] = Value::String(v["id"].to_string());
            if v["title"].as_str().unwrap_or("").is_empty() {
                let t: String = v["text"].as_str().unwrap().chars().take(60).collect();
                v["title"] = Value::String(t);
            }
            v.to_string()
        })
        .collect()
}

/// Live stories as sets of external ids.
fn groups(d: &Beatdesk) -> BTreeSet<BTreeSet<String>> {
    let ext: HashMap<i64, String> = d
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

#[test]
fn a_new_process_clusters_only_what_arrived_and_ends_like_one_process() {
    let lines = fixture();
    let cut = lines.len() * 2 / 3;
    let now = "2026-03-12T12:00:00Z";

    // One process, as the window runs it.
    let one = tempfile::tempdir().unwrap();
    let d = open(one.path(), now);
    d.add_beat(BEAT, None).unwrap();
    d.import_jsonl(BEAT, "a.jsonl", &lines[..cut].join("\n"))
        .unwrap();
    d.import_jsonl(BEAT, "b.jsonl", &lines[cut..].join("\n"))
        .unwrap();
    let in_one = groups(&d);

    // Two processes, as two `beatdesk import` runs.
    let two = tempfile::tempdir().unwrap();
    let first = open(two.path(), now);
    let beat = first.add_beat(BEAT, None).unwrap().id;
    first
        .import_jsonl(BEAT, "a.jsonl", &lines[..cut].join("\n"))
        .unwrap();
    assert!(!first.last_analysis(beat).unwrap().incremental);
    drop(first);
    let second = open(two.path(), now);
    second
        .import_jsonl(BEAT, "b.jsonl", &lines[cut..].join("\n"))
        .unwrap();
    let report = second.last_analysis(beat).unwrap();
    assert!(
        report.incremental,
        "rebuilt from the stored stories: {report:?}"
    );
    assert_eq!(groups(&second), in_one, "the same stories as one process");
}

#[test]
fn a_window_whose_state_another_process_made_stale_continues_from_the_note() {
    let lines = fixture();
    let (a, b) = (lines.len() / 3, lines.len() * 2 / 3);
    let now = "2026-03-12T12:00:00Z";

    // One process takes all three batches.
    let one = tempfile::tempdir().unwrap();
    let d = open(one.path(), now);
    d.add_beat(BEAT, None).unwrap();
    for (name, part) in [("a", &lines[..a]), ("b", &lines[a..b]), ("c", &lines[b..])] {
        d.import_jsonl(BEAT, name, &part.join("\n")).unwrap();
    }
    let in_one = groups(&d);

    // A window keeps its state while a `beatdesk import` adds the second batch.
    let dir = tempfile::tempdir().unwrap();
    let window = open(dir.path(), now);
    let beat = window.add_beat(BEAT, None).unwrap().id;
    window
        .import_jsonl(BEAT, "a", &lines[..a].join("\n"))
        .unwrap();
    let cli = open(dir.path(), now);
    cli.import_jsonl(BEAT, "b", &lines[a..b].join("\n"))
        .unwrap();
    assert!(cli.last_analysis(beat).unwrap().incremental);
    drop(cli);
    // The window's state is stale now: it continues from the note the
    // other process left instead of clustering the whole beat again.
    window
        .import_jsonl(BEAT, "c", &lines[b..].join("\n"))
        .unwrap();
    let report = window.last_analysis(beat).unwrap();
    assert!(
        report.incremental && report.rebuilt > 0,
        "rebuilt from the note, not a full pass: {report:?}"
    );
    assert_eq!(groups(&window), in_one, "the same stories as one process");
}

#[test]
fn an_editors_move_holds_and_a_change_behind_the_note_forces_a_full_pass() {
    let lines = fixture();
    let now = "2026-03-12T12:00:00Z";
    let dir = tempfile::tempdir().unwrap();
    let d = open(dir.path(), now);
    let beat = d.add_beat(BEAT, None).unwrap().id;
    d.import_jsonl(BEAT, "a.jsonl", &lines[..60].join("\n"))
        .unwrap();
    drop(d);
    // Another process: an editor's move (a full pass, which leaves its note).
    let editor = open(dir.path(), now);
    let stories = editor.stories(BEAT).unwrap();
    let moved = editor.story_records(stories[0].id).unwrap()[0].record.id;
    editor.move_record(moved, stories[1].id, "Ana").unwrap();
    drop(editor);
    let next = open(dir.path(), now);
    next.import_jsonl(BEAT, "b.jsonl", &lines[60..90].join("\n"))
        .unwrap();
    assert!(next.last_analysis(beat).unwrap().incremental);
    assert!(next
        .story_records(stories[1].id)
        .unwrap()
        .iter()
        .any(|r| r.record.id == moved));
    drop(next);

    // A record the last pass held is rejected behind its back (another
    // tool, an older build): the note no longer holds.
    let other = open(dir.path(), now);
    other
        .store()
        .write(|tx| {
            tx.execute(
                "UPDATE records SET status = 'rejected', reason = 'test' WHERE id = ?1",
                [moved],
            )
            .map_err(beatdesk_store::StoreError::from)
        })
        .unwrap();
    drop(other);
    let last = open(dir.path(), now);
    last.import_jsonl(BEAT, "c.jsonl", &lines[90..].join("\n"))
        .unwrap();
    assert!(!last.last_analysis(beat).unwrap().incremental);
    assert!(last
        .story_records(stories[1].id)
        .unwrap()
        .iter()
        .all(|r| r.record.id != moved));
}

#[test]
fn stories_no_new_record_touched_still_age() {
    let lines = fixture();
    let dir = tempfile::tempdir().unwrap();
    let d = open(dir.path(), "2026-03-12T12:00:00Z");
    let beat = d.add_beat(BEAT, None).unwrap().id;
    d.import_jsonl(BEAT, "a.jsonl", &lines.join("\n")).unwrap();
    let before: HashMap<i64, f64> = d
        .stories(BEAT)
        .unwrap()
        .iter()
        .map(|s| (s.id, s.signal.recency))
        .collect();
    drop(d);
    // Two days later, one unrelated record arrives in a new process.
    let later = open(dir.path(), "2026-03-14T12:00:00Z");
    let one = json!({"platform": "reddit", "external_id": "late-1",
        "url": "https://www.reddit.com/r/x/comments/late1/", "title": "Weekend rig photo thread",
        "text": "Post your weekend rig photos here.", "author": "mod",
        "published_at": "2026-03-14T11:00:00Z"});
    later
        .import_jsonl(BEAT, "c.jsonl", &one.to_string())
        .unwrap();
    let report = later.last_analysis(beat).unwrap();
    assert!(report.incremental, "{report:?}");
    assert!(report.resignalled >= before.len() / 2, "{report:?}");
    let mut aged = 0;
    for s in later.stories(BEAT).unwrap() {
        if let Some(old) = before.get(&s.id) {
            assert!(s.signal.recency <= *old, "story {} got fresher", s.id);
            aged += (s.signal.recency < *old) as usize;
        }
    }
    assert!(aged >= before.len() / 2, "{aged} of {} aged", before.len());
}

/// Two outlets with their own reporting, and posts linking the first.
fn two_origin_story() -> String {
    let t = |m: u32| format!("2026-03-12T{:02}:{:02}:00Z", 8 + m / 60, m % 60);
    [
        json!({"platform": "news", "external_id": "a1", "url": "https://alpha-news.example/quill-funding",
            "title": "Quill Labs raises $90 million to build open speech models",
            "text": "Quill Labs, the Lisbon startup behind the Cantor speech models, has raised $90 million in a round led by Northwind Ventures, chief executive Ines Prado said in an interview. The company will open a research office in Montreal and release Cantor 3 weights under Apache 2.0 next quarter.",
            "author": "Alpha News", "published_at": t(0)}),
        json!({"platform": "news", "external_id": "b1", "url": "https://beta-wire.example/quill-round",
            "title": "Speech AI startup Quill Labs lands $90 million round",
            "text": "Quill Labs closed a $90 million funding round led by Northwind Ventures, according to a regulatory filing seen by Beta Wire. The filing lists Lisbon as headquarters and shows earlier backers joining the round for the Cantor speech models maker.",
            "author": "Beta Wire", "published_at": t(40)}),
        json!({"platform": "reddit", "external_id": "r1", "url": "https://www.reddit.com/r/ml/comments/r1/",
            "title": "Quill Labs raises $90M, Cantor 3 weights coming under Apache 2.0",
            "text": "https://alpha-news.example/quill-funding Northwind led the $90 million round for Quill Labs.", "author": "u1",
            "published_at": t(70), "metrics": {"score": 120, "comments": 30}}),
        json!({"platform": "bluesky", "external_id": "p1", "url": "https://bsky.app/profile/x/post/p1",
            "title": "Quill Labs $90M round",
            "text": "Quill Labs raised $90M from Northwind for Cantor speech models https://alpha-news.example/quill-funding", "author": "x.bsky.social",
            "published_at": t(90), "metrics": {"likes": 40}}),
    ]
    .iter()
    .map(|v| v.to_string())
    .collect::<Vec<_>>()
    .join("\n")
}

#[test]
fn an_excluded_record_counts_in_no_signal() {
    let dir = tempfile::tempdir().unwrap();
    let d = open(dir.path(), "2026-03-12T12:00:00Z");
    d.add_beat(BEAT, None).unwrap();
    d.import_jsonl(BEAT, "q.jsonl", &two_origin_story())
        .unwrap();
    let story = d
        .stories(BEAT)
        .unwrap()
        .into_iter()
        .max_by_key(|s| s.record_count)
        .unwrap();
    assert_eq!(story.record_count, 4, "{:?}", groups(&d));
    assert_eq!(
        story.signal.independent_origins, 2,
        "{:?}",
        story.signal.why
    );
    let beta = d
        .story_records(story.id)
        .unwrap()
        .into_iter()
        .find(|r| r.record.external_id == "b1")
        .unwrap()
        .record
        .id;

    d.set_record_included(story.id, beta, false, 1.0, "Ana")
        .unwrap();
    let s = d.story(story.id).unwrap().story;
    assert_eq!(s.signal.independent_origins, 1, "{:?}", s.signal.why);
    assert!(s.signal.volume < story.signal.volume);
    assert!(
        s.signal
            .why
            .iter()
            .any(|w| w.starts_with("volume: 3 unique records")),
        "{:?}",
        s.signal.why
    );
    assert!(
        s.signal.why[0].starts_with("single origin"),
        "{:?}",
        s.signal.why
    );

    // The draft's methodology line counts what the draft is written from,
    // and says single-sourced.
    let draft = d.draft(story.id, "offline").unwrap();
    let (md, _) = d
        .export(
            story.id,
            beatdesk_types::ExportFormat::Markdown,
            None,
            "Ana",
        )
        .unwrap();
    assert_eq!(draft.meta["records"], 3, "{:?}", draft.meta);
    assert!(md.contains("from 3 source records"), "{md}");
    assert!(md.contains("Single-sourced"), "{md}");

    // A full pass and a new process keep it out.
    d.analyze(BEAT).unwrap();
    assert_eq!(
        d.story(story.id).unwrap().story.signal.independent_origins,
        1
    );
    drop(d);
    let again = open(dir.path(), "2026-03-12T13:00:00Z");
    again
        .refresh_analysis(again.beat(BEAT).unwrap().id)
        .unwrap();
    assert_eq!(
        again
            .story(story.id)
            .unwrap()
            .story
            .signal
            .independent_origins,
        1
    );

    // Included again, it counts again.
    again
        .set_record_included(story.id, beta, true, 1.0, "Ana")
        .unwrap();
    assert_eq!(
        again
            .story(story.id)
            .unwrap()
            .story
            .signal
            .independent_origins,
        2
    );
}

/// Synthetic records as import lines.
fn synth_lines(records: &[beatdesk_types::Record]) -> Vec<String> {
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
                "title": title, "text": r.text,
                "author": if r.author.is_empty() { "anon" } else { &r.author },
                "published_at": r.published_at.to_rfc3339(), "community": r.community,
            })
            .to_string()
        })
        .collect()
}

#[test]
fn a_new_process_rebuilds_only_stories_in_reach_and_ends_like_one_process() {
    // A beat accumulating 60 days of records; the last ones arrive later.
    let (mut records, _) = beatdesk_analyze::synth::records(2400, 160, 60, 5);
    records.sort_by_key(|r| (r.published_at, r.id));
    let lines = synth_lines(&records);
    let cut = lines.len() - 150;
    let now = (records.last().unwrap().published_at + chrono::Duration::hours(1)).to_rfc3339();

    let one = tempfile::tempdir().unwrap();
    let d = open(one.path(), &now);
    d.add_beat(BEAT, None).unwrap();
    d.import_jsonl(BEAT, "a.jsonl", &lines[..cut].join("\n"))
        .unwrap();
    d.import_jsonl(BEAT, "b.jsonl", &lines[cut..].join("\n"))
        .unwrap();
    let in_one = groups(&d);

    let two = tempfile::tempdir().unwrap();
    let first = open(two.path(), &now);
    let beat = first.add_beat(BEAT, None).unwrap().id;
    first
        .import_jsonl(BEAT, "a.jsonl", &lines[..cut].join("\n"))
        .unwrap();
    let stored = first.last_analysis(beat).unwrap().stories;
    drop(first);
    let second = open(two.path(), &now);
    second
        .import_jsonl(BEAT, "b.jsonl", &lines[cut..].join("\n"))
        .unwrap();
    let report = second.last_analysis(beat).unwrap();
    assert!(report.incremental, "{report:?}");
    assert!(
        report.rebuilt > 0 && report.rebuilt * 3 < stored,
        "only stories near the new records are rebuilt: {} of {stored}",
        report.rebuilt
    );
    assert_eq!(
        report.stories,
        groups(&second).len(),
        "stories held back still count"
    );
    assert_eq!(groups(&second), in_one, "the same stories as one process");
}

#[test]
fn a_reply_or_a_link_to_an_old_story_out_of_the_window_still_joins_it() {
    let t0: chrono::DateTime<chrono::Utc> = "2026-01-01T09:00:00Z".parse().unwrap();
    let at = |h: i64| (t0 + chrono::Duration::hours(h)).to_rfc3339();
    let mut lines: Vec<String> = vec![
        json!({"platform": "news", "external_id": "q-a1", "url": "https://alpha-news.example/quill-funding",
            "title": "Quill Labs raises $90 million to build open speech models",
            "text": "Quill Labs, the Lisbon startup behind the Cantor speech models, has raised $90 million in a round led by Northwind Ventures, chief executive Ines Prado said.",
            "author": "Alpha News", "published_at": at(0)}),
        json!({"platform": "bluesky", "external_id": "q-p1", "url": "https://bsky.app/profile/x/post/qp1",
            "title": "Quill Labs $90M round",
            "text": "Quill Labs raised $90M from Northwind Ventures for the Cantor speech models",
            "author": "x.bsky.social", "published_at": at(2)}),
        json!({"platform": "bluesky", "external_id": "q-p2", "url": "https://bsky.app/profile/y/post/qp2",
            "title": "Cantor speech models funding",
            "text": "Northwind Ventures leads $90 million round in Quill Labs, makers of Cantor speech models",
            "author": "y.bsky.social", "published_at": at(3)}),
        json!({"platform": "news", "external_id": "f-a1", "url": "https://harbor-news.example/ferry-terminal",
            "title": "Harbor council approves Kestrel Point ferry terminal",
            "text": "The Harbor city council voted 7-2 to approve the Kestrel Point ferry terminal, a $40 million project backed by mayor Dana Oyelaran.",
            "author": "Harbor News", "published_at": at(1)}),
        json!({"platform": "reddit", "external_id": "f-r1", "url": "https://www.reddit.com/r/harbor/comments/fr1/",
            "title": "Council approves Kestrel Point ferry terminal 7-2",
            "text": "Harbor council approved the $40 million Kestrel Point ferry terminal, Oyelaran's project.",
            "author": "u9", "published_at": at(2)}),
        json!({"platform": "bluesky", "external_id": "f-p1", "url": "https://bsky.app/profile/v/post/fp1",
            "title": "Kestrel Point ferry terminal approved",
            "text": "Kestrel Point ferry terminal approved by Harbor council, $40 million, mayor Oyelaran",
            "author": "v.bsky.social", "published_at": at(3)}),
        json!({"platform": "news", "external_id": "m-a1", "url": "https://valley-post.example/mill-strike",
            "title": "Workers at Tamsin Mill walk out over night-shift pay",
            "text": "About 300 workers at the Tamsin Mill paper plant walked out on Tuesday over cuts to night-shift pay, union steward Roan Ickes said.",
            "author": "Valley Post", "published_at": at(4)}),
        json!({"platform": "bluesky", "external_id": "m-p1", "url": "https://bsky.app/profile/u/post/mp1",
            "title": "Tamsin Mill walkout",
            "text": "300 Tamsin Mill workers walk out over night-shift pay cuts, says steward Roan Ickes",
            "author": "u.bsky.social", "published_at": at(5)}),
        json!({"platform": "reddit", "external_id": "m-r1", "url": "https://www.reddit.com/r/valley/comments/mr1/",
            "title": "Tamsin Mill workers walk out over night-shift pay",
            "text": "Night-shift pay cuts at Tamsin Mill: about 300 workers out, Roan Ickes says.",
            "author": "u8", "published_at": at(6)}),
    ]
    .iter()
    .map(|v| v.to_string())
    .collect();
    // Two months of other stories after it.
    let (mut filler, _) = beatdesk_analyze::synth::records(600, 40, 60, 9);
    let shift =
        t0 + chrono::Duration::days(1) - filler.iter().map(|r| r.published_at).min().unwrap();
    for r in &mut filler {
        r.published_at += shift;
    }
    filler.sort_by_key(|r| (r.published_at, r.id));
    lines.extend(synth_lines(&filler));
    let last = filler.last().unwrap().published_at;
    let now = (last + chrono::Duration::hours(3)).to_rfc3339();

    let dir = tempfile::tempdir().unwrap();
    let d = open(dir.path(), &now);
    let beat = d.add_beat(BEAT, None).unwrap().id;
    d.import_jsonl(BEAT, "a.jsonl", &lines.join("\n")).unwrap();
    let story_of = |d: &Beatdesk, ext: &str| {
        d.stories(BEAT)
            .unwrap()
            .into_iter()
            .find(|s| {
                d.story_records(s.id)
                    .unwrap()
                    .iter()
                    .any(|r| r.record.external_id == ext)
            })
            .map(|s| s.id)
    };
    let old = story_of(&d, "q-p1").expect("the Quill story");
    drop(d);

    // Two months on, in a new process: a reply to the old post.
    let reply = json!({"platform": "bluesky", "external_id": "q-r1",
        "url": "https://bsky.app/profile/z/post/qr1", "title": "Congrats to the Quill team",
        "text": "Congrats to the Quill team, well deserved.", "author": "z.bsky.social",
        "published_at": (last + chrono::Duration::hours(1)).to_rfc3339(), "reply_to": "q-p1"});
    // And a post linking the old article in its text (found in the store by URL).
    let share = json!({"platform": "bluesky", "external_id": "q-s1",
        "url": "https://bsky.app/profile/w/post/qs1", "title": "Worth rereading",
        "text": "Worth rereading two months on: https://alpha-news.example/quill-funding",
        "author": "w.bsky.social",
        "published_at": (last + chrono::Duration::hours(2)).to_rfc3339()});
    let next = open(dir.path(), &now);
    next.import_jsonl(BEAT, "b.jsonl", &format!("{reply}\n{share}"))
        .unwrap();
    let report = next.last_analysis(beat).unwrap();
    assert!(report.incremental, "{report:?}");
    assert_eq!(story_of(&next, "q-r1"), Some(old), "{report:?}");
    assert_eq!(story_of(&next, "q-s1"), Some(old), "{report:?}");

    // A late batch of old records (a backfill) in the same process: the
    // held story of their time is rebuilt and they join it.
    let ferry = story_of(&next, "f-p1").expect("the ferry story");
    let late = json!({"platform": "news", "external_id": "f-b1", "url": "https://bay-times.example/kestrel-ferry",
        "title": "Kestrel Point ferry terminal wins council approval",
        "text": "Harbor council approved the Kestrel Point ferry terminal 7-2; mayor Dana Oyelaran called the $40 million project overdue.",
        "author": "Bay Times", "published_at": at(5)});
    next.import_jsonl(BEAT, "c.jsonl", &late.to_string())
        .unwrap();
    assert!(next.last_analysis(beat).unwrap().incremental);
    assert_eq!(story_of(&next, "f-b1"), Some(ferry));

    // An editor excludes a record of a story this process did not rebuild:
    // it is rebuilt then and re-ranked at once.
    let ferry = story_of(&next, "m-p1").expect("the mill story");
    let before = next.story(ferry).unwrap().story.signal;
    let post = next
        .story_records(ferry)
        .unwrap()
        .into_iter()
        .find(|r| r.record.external_id == "m-p1")
        .unwrap()
        .record
        .id;
    next.set_record_included(ferry, post, false, 1.0, "Ana")
        .unwrap();
    let after = next.story(ferry).unwrap().story.signal;
    assert!(after.volume < before.volume, "{before:?} -> {after:?}");
    assert!(
        report.rebuilt < report.stories / 2,
        "the old story was rebuilt on demand, not the whole beat: {report:?}"
    );
}

/// Live stories as external ids with their stored signal.
fn ranked(d: &Beatdesk) -> BTreeSet<(Vec<String>, String)> {
    let ext: HashMap<i64, String> = d
        .records(BEAT)
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.external_id))
        .collect();
    d.stories(BEAT)
        .unwrap()
        .iter()
        .map(|s| {
            let mut ids: Vec<String> = d
                .story_records(s.id)
                .unwrap()
                .iter()
                .map(|r| ext[&r.record.id].clone())
                .collect();
            ids.sort();
            (ids, format!("{:?}", s.signal))
        })
        .collect()
}

#[test]
fn copies_collapsed_before_a_new_process_still_count_once_in_its_signals() {
    let lines = fixture();
    let cut = lines.len() * 2 / 3;
    // Every early record has a copy at the same URL (collapsed into it);
    // a new process learns the copies from the few unusual records it reads.
    let mut early: Vec<String> = lines[..cut].to_vec();
    for l in &lines[..cut] {
        let mut v: Value = serde_json::from_str(l).unwrap();
        v["external_id"] = Value::String(format!("{}-copy", v["external_id"].as_str().unwrap()));
        early.push(v.to_string());
    }
    let now = "2026-03-12T12:00:00Z";
    let one = tempfile::tempdir().unwrap();
    let d = open(one.path(), now);
    d.add_beat(BEAT, None).unwrap();
    d.import_jsonl(BEAT, "a.jsonl", &early.join("\n")).unwrap();
    d.import_jsonl(BEAT, "b.jsonl", &lines[cut..].join("\n"))
        .unwrap();
    let in_one = ranked(&d);

    let two = tempfile::tempdir().unwrap();
    let first = open(two.path(), now);
    let beat = first.add_beat(BEAT, None).unwrap().id;
    let report = first
        .import_jsonl(BEAT, "a.jsonl", &early.join("\n"))
        .unwrap();
    assert_eq!(report.duplicates, cut, "{report:?}");
    drop(first);
    let second = open(two.path(), now);
    second
        .import_jsonl(BEAT, "b.jsonl", &lines[cut..].join("\n"))
        .unwrap();
    let report = second.last_analysis(beat).unwrap();
    assert!(report.incremental && report.rebuilt > 0, "{report:?}");
    assert_eq!(
        ranked(&second),
        in_one,
        "the same stories and signals as one process"
    );
}
