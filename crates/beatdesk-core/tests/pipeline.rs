//! The pipeline through the facade, on an in-memory store and a fixed clock.

use std::sync::Arc;

use beatdesk_core::{Beatdesk, CoreError, DocumentEdit, FixedClock, DEMO_BEAT};
use beatdesk_types::{ExportFormat, RecordStatus, StoryStatus};
use chrono::{TimeZone, Utc};

fn desk() -> Beatdesk {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    Beatdesk::in_memory(Arc::new(FixedClock(now))).unwrap()
}

/// Every “…” span in a text, as the offline writer quotes records.
fn quotes(text: &str) -> Vec<String> {
    text.split('\u{201c}')
        .skip(1)
        .filter_map(|s| s.split('\u{201d}').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn demo_loads_ranks_and_drafts_and_refreshing_adds_nothing() {
    let d = desk();
    let first = d.demo().unwrap();
    assert_eq!(first.import.read, 50);
    assert!(
        first.import.new >= 45,
        "the demo records are stored: {first:?}"
    );
    assert!(first.stories >= 3, "at least three stories: {first:?}");
    assert_eq!(first.drafted, 3, "the top stories open drafted");
    let stories = d.stories(DEMO_BEAT).unwrap();
    assert!(
        stories
            .windows(2)
            .all(|w| w[0].signal.total >= w[1].signal.total),
        "ranked by signal"
    );
    let again = d.demo().unwrap();
    assert_eq!(
        (again.import.new, again.drafted),
        (0, 0),
        "refreshing the demo adds no records and no drafts"
    );
    let ids: Vec<i64> = d.stories(DEMO_BEAT).unwrap().iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        stories.iter().map(|s| s.id).collect::<Vec<_>>(),
        "story ids are stable across refreshes"
    );
}

#[test]
fn offline_writer_only_quotes_what_its_citations_hold() {
    let d = desk();
    d.demo().unwrap();
    let mut checked = 0;
    for s in d.stories(DEMO_BEAT).unwrap() {
        let draft = d.draft(s.id, "offline").unwrap();
        let view = d.story(s.id).unwrap();
        let text_of = |id: i64| {
            let r = &view
                .records
                .iter()
                .find(|r| r.record.id == id)
                .expect("cited record belongs to the story")
                .record;
            format!("{}\n{}", r.title, r.text)
        };
        let doc = &draft.document;
        let mut paras: Vec<(String, Vec<i64>)> = doc
            .paragraphs()
            .map(|p| (p.text.clone(), p.citations.clone()))
            .collect();
        paras.extend(doc.faq.iter().map(|f| (f.a.clone(), f.citations.clone())));
        for (text, cites) in paras {
            assert!(!cites.is_empty(), "every paragraph cites a record: {text}");
            let sources: Vec<String> = cites.iter().map(|c| text_of(*c)).collect();
            for q in quotes(&text) {
                let q = q.trim_end_matches('…');
                assert!(
                    sources.iter().any(|s| s.contains(q)),
                    "quote {q:?} is not in its cited records {cites:?}"
                );
                checked += 1;
            }
        }
        assert!(
            doc.methodology
                .contains(&format!("from {} source record", s.record_count)),
            "{}",
            doc.methodology
        );
    }
    assert!(
        checked > 20,
        "the writer quotes records (checked {checked})"
    );
}

#[test]
fn import_reports_bad_lines_keeps_good_ones_and_collapses_duplicates() {
    let d = desk();
    d.add_beat("Chips", None).unwrap();
    let text = r#"{"platform":"news","external_id":"a1","url":"https://www.chips.example.com/fab?utm_source=x","title":"Fab opens","text":"A fab opened.","author":"Kim","published_at":"2026-11-28T10:00:00Z"}
{"platform":"news","external_id":"a2","url":"https://chips.example.com/fab/","title":"Fab opens (syndicated)","text":"A fab opened.","author":"Wire","published_at":"2026-11-28T11:00:00Z"}
{"platform":"tiktok","external_id":"x","url":"https://x.example","title":"t","text":"","author":"a","published_at":"2026-11-28T11:00:00Z"}
{"platform":"reddit","external_id":"r1","url":"https://www.reddit.com/r/chips/comments/r1/x/","title":"Fab","author":"u","published_at":"yesterday"}
not json
{"platform":"news","external_id":"a1","url":"https://www.chips.example.com/fab","title":"Fab opens","text":"A fab opened.","author":"Kim","published_at":"2026-11-28T10:00:00Z","metrics":{"comments":4}}
"#;
    let r = d.import_jsonl("Chips", "chips.jsonl", text).unwrap();
    assert_eq!(
        (r.read, r.new, r.duplicates, r.updated),
        (6, 1, 1, 1),
        "{r:?}"
    );
    assert_eq!(r.errors.len(), 3);
    assert!(
        r.errors[0].starts_with("chips.jsonl line 3: platform:"),
        "{}",
        r.errors[0]
    );
    assert!(
        r.errors[1].starts_with("chips.jsonl line 4: published_at:"),
        "{}",
        r.errors[1]
    );
    assert!(
        r.errors[2].starts_with("chips.jsonl line 5: json:"),
        "{}",
        r.errors[2]
    );
    let recs = d.records("Chips").unwrap();
    assert_eq!(recs.len(), 2, "bad lines are not half-written");
    let dup = recs.iter().find(|r| r.external_id == "a2").unwrap();
    assert_eq!(dup.status, RecordStatus::Duplicate);
    assert_eq!(
        dup.duplicate_of,
        Some(recs.iter().find(|r| r.external_id == "a1").unwrap().id)
    );
    assert!(dup.reason.as_deref().unwrap().contains("canonical URL"));
    assert_eq!(
        recs[0].metrics.comments,
        Some(4),
        "a re-seen record refreshes its metrics"
    );
}

fn signoff(editor: &str, note: Option<&str>, revision: i64) -> beatdesk_types::SignOffRequest {
    beatdesk_types::SignOffRequest {
        editor: editor.into(),
        note: note.map(str::to_string),
        revision,
        override_reason: None,
    }
}

#[test]
fn edits_are_revisions_stale_edits_are_refused_and_signoff_approves() {
    let d = desk();
    d.demo().unwrap();
    let story = d
        .stories(DEMO_BEAT)
        .unwrap()
        .into_iter()
        .find(|s| s.status == StoryStatus::Drafted)
        .unwrap();
    let first = d.latest_draft(story.id).unwrap();
    let mut doc = first.document.clone();
    doc.headline = "An editor's headline".into();
    let edit = DocumentEdit {
        document: doc.clone(),
        base_revision: first.revision,
        editor: "Ana Ruiz".into(),
    };
    let view = d.save_document(story.id, &edit).unwrap();
    assert_eq!(view.draft.as_ref().unwrap().revision, first.revision + 1);
    assert_eq!(view.story.status, StoryStatus::InReview);

    let stale = DocumentEdit {
        base_revision: first.revision,
        ..edit.clone()
    };
    let err = d.save_document(story.id, &stale).unwrap_err();
    assert!(
        matches!(err, CoreError::Stale(_))
            && err.to_string().contains("changed since you opened it"),
        "{err}"
    );
    assert_eq!(
        d.story(story.id).unwrap().history.len(),
        2,
        "a refused edit writes nothing"
    );

    assert!(
        d.sign_off(story.id, &signoff("  ", None, first.revision + 1))
            .is_err(),
        "a sign-off needs a name"
    );
    let s = d
        .sign_off(
            story.id,
            &signoff("Ana Ruiz", Some("checked quotes"), first.revision + 1),
        )
        .unwrap();
    assert_eq!(s.revision, first.revision + 1);
    assert_eq!(
        d.story(story.id).unwrap().story.status,
        StoryStatus::Approved
    );
    let (md, rec) = d
        .export(story.id, ExportFormat::Markdown, None, "test")
        .unwrap();
    assert!(md.starts_with("# An editor's headline"));
    assert!(md.contains("Signed off by Ana Ruiz on 2026-11-29"), "{md}");
    assert!(md.contains("Edited by Ana Ruiz."));
    assert_eq!(rec.target, "markdown");
    assert_eq!(
        d.story(story.id).unwrap().story.status,
        StoryStatus::Exported
    );
    let actions: Vec<String> = d
        .audit(Some(story.id))
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["draft", "edit", "sign_off", "export"]);
}

#[test]
fn excluded_sources_are_never_cited_by_a_new_draft() {
    let d = desk();
    d.demo().unwrap();
    let story = d
        .stories(DEMO_BEAT)
        .unwrap()
        .into_iter()
        .find(|s| s.record_count >= 3)
        .unwrap();
    let cited = d.draft(story.id, "offline").unwrap().document.cited_ids();
    let victim = cited[0];
    d.set_record_included(story.id, victim, false, 1.0, "Ana Ruiz")
        .unwrap();
    let again = d.draft(story.id, "offline").unwrap();
    assert!(
        !again.document.cited_ids().contains(&victim),
        "excluded record {victim} was cited"
    );
    assert!(d
        .draft(story.id, "gpt-9")
        .unwrap_err()
        .to_string()
        .contains("unknown writer"));
}

#[test]
fn html_export_escapes_hostile_record_text() {
    let d = desk();
    d.add_beat("Hostile", None).unwrap();
    let line = r#"{"platform":"news","external_id":"h1","url":"https://evil.example/a","title":"<script>alert(1)</script> Chips","text":"The <img src=x onerror=alert(1)> fab opened with 4,000 workers today. It is the largest fab in the region by far.","author":"<b>x</b>","published_at":"2026-11-28T10:00:00Z"}"#;
    d.import_jsonl("Hostile", "h.jsonl", line).unwrap();
    let story = d.stories("Hostile").unwrap()[0].id;
    d.draft(story, "offline").unwrap();
    let (html, _) = d.export(story, ExportFormat::Html, None, "test").unwrap();
    for bad in ["<script>", "<img", "<b>x"] {
        assert!(!html.contains(bad), "{bad} must not survive into the HTML");
    }
    assert!(
        html.contains("&lt;script&gt;"),
        "but the text is still there, escaped"
    );
    assert!(
        html.contains("default-src 'none'"),
        "the exported page carries a CSP"
    );
}
