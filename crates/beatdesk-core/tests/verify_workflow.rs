//! Verify and the sign-off workflow through the facade: what a sign-off
//! means, what a new revision does to an approved story, what an edit may cite.

use std::sync::Arc;

use beatdesk_core::{Beatdesk, CoreError, DocumentEdit, FixedClock, DEMO_BEAT};
use beatdesk_types::{
    CheckKind, CheckStatus, ClaimPart, ExportFormat, SignOffRequest, StoryStatus,
};
use chrono::{TimeZone, Utc};

fn desk() -> Beatdesk {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let d = Beatdesk::in_memory(Arc::new(FixedClock(now))).unwrap();
    d.demo().unwrap();
    d
}

fn drafted(d: &Beatdesk) -> i64 {
    d.stories(DEMO_BEAT)
        .unwrap()
        .into_iter()
        .find(|s| s.status == StoryStatus::Drafted)
        .unwrap()
        .id
}

fn req(revision: i64, reason: Option<&str>) -> SignOffRequest {
    SignOffRequest {
        editor: "Ana Ruiz".into(),
        note: None,
        revision,
        override_reason: reason.map(str::to_string),
    }
}

/// Changes one word inside the first quotation of the first body paragraph.
fn misquote(d: &Beatdesk, story: i64) -> i64 {
    let latest = d.latest_draft(story).unwrap();
    let mut doc = latest.document.clone();
    let p = &mut doc.sections[0].paragraphs[0];
    let open = p.text.find('\u{201c}').unwrap();
    let word_at = p.text[open..].find(' ').unwrap() + open + 1;
    let word_end = p.text[word_at..].find(' ').unwrap() + word_at;
    p.text.replace_range(word_at..word_end, "allegedly");
    let view = d
        .save_document(
            story,
            &DocumentEdit {
                document: doc,
                base_revision: latest.revision,
                editor: "Ana Ruiz".into(),
            },
        )
        .unwrap();
    view.draft.unwrap().revision
}

#[test]
fn the_offline_draft_verifies_clean_and_the_report_has_the_contract_shape() {
    let d = desk();
    let story = drafted(&d);
    let r = d.verify(story, None).unwrap();
    assert_eq!(
        r.summary.fail,
        0,
        "{:#?}",
        r.claims
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .collect::<Vec<_>>()
    );
    assert!(r.summary.quotes_checked > 0 && r.summary.quotes_checked == r.summary.quotes_ok);
    assert_eq!(r.summary.citation_coverage, 1.0);
    // Headline and dek quote a record and say whose words they are.
    for part in [ClaimPart::Headline, ClaimPart::Dek] {
        let c = r.claims.iter().find(|c| c.location.part == part).unwrap();
        assert!(
            c.checks
                .iter()
                .any(|k| k.kind == CheckKind::Quote && k.status == CheckStatus::Pass),
            "{part:?} must quote a cited record: {c:#?}"
        );
    }
    assert_eq!(r.summary.claims as usize, r.claims.len());
    let v = serde_json::to_value(&r).unwrap();
    let keys = |o: &serde_json::Value| {
        let mut k: Vec<String> = o.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&v), ["claims", "revision", "story_id", "summary"]);
    assert_eq!(
        keys(&v["summary"]),
        [
            "citation_coverage",
            "claims",
            "fail",
            "numbers_checked",
            "numbers_ok",
            "pass",
            "quotes_checked",
            "quotes_ok",
            "warn"
        ]
    );
    let c = &v["claims"][0];
    assert_eq!(keys(c), ["checks", "location", "status", "text"]);
    assert_eq!(
        keys(&c["location"]),
        ["paragraph", "part", "section", "sentence"]
    );
    assert_eq!(c["location"]["part"], "headline");
    let with_evidence = v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["checks"].as_array().unwrap().iter())
        .find(|k| !k["evidence"].is_null())
        .unwrap();
    assert_eq!(
        keys(with_evidence),
        ["detail", "evidence", "kind", "status"]
    );
    assert_eq!(
        keys(&with_evidence["evidence"]),
        ["end", "record_id", "start"]
    );
}

#[test]
fn a_misquote_fails_with_the_closest_span_and_blocks_sign_off_until_overridden() {
    let d = desk();
    let story = drafted(&d);
    let rev = misquote(&d, story);
    let r = d.verify(story, Some(rev)).unwrap();
    let failed: Vec<_> = r
        .claims
        .iter()
        .flat_map(|c| c.checks.iter())
        .filter(|k| k.status == CheckStatus::Fail)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].detail.contains("misquote: 1 word differs")
            && failed[0].detail.contains("allegedly"),
        "{}",
        failed[0].detail
    );
    let ev = failed[0].evidence.expect("the closest span is shown");
    let record = d
        .story_records(story)
        .unwrap()
        .into_iter()
        .find(|r| r.record.id == ev.record_id)
        .unwrap()
        .record;
    let hay: Vec<char> = format!("{}\n\n{}", record.title, record.text)
        .chars()
        .collect();
    let span: String = hay[ev.start as usize..ev.end as usize].iter().collect();
    assert!(
        failed[0].detail.contains(&span),
        "the detail quotes the record's words: {span}"
    );

    // Refused without a reason, naming the failure; nothing is written.
    let err = d.sign_off(story, &req(rev, None)).unwrap_err();
    assert!(
        matches!(&err, CoreError::Unverified { failures, .. } if failures.len() == 1),
        "{err}"
    );
    assert!(err.to_string().contains("misquote"), "{err}");
    assert!(d.story(story).unwrap().signoffs.is_empty());
    assert_ne!(d.story(story).unwrap().story.status, StoryStatus::Approved);

    // With a reason: signed, and the override is in the audit log and the export.
    let s = d
        .sign_off(
            story,
            &req(rev, Some("quote confirmed with the author by phone")),
        )
        .unwrap();
    assert_eq!(s.revision, rev);
    assert_eq!(s.failures.len(), 1);
    let audit = d.audit(Some(story)).unwrap();
    let entry = audit.iter().rev().find(|a| a.action == "sign_off").unwrap();
    assert_eq!(
        entry.detail["override_reason"],
        "quote confirmed with the author by phone"
    );
    assert_eq!(entry.detail["failures"].as_array().unwrap().len(), 1);
    let (md, _) = d
        .export(story, ExportFormat::Markdown, None, "test")
        .unwrap();
    assert!(
        md.contains("over 1 failed verification check(s)")
            && md.contains("quote confirmed with the author by phone"),
        "{md}"
    );
}

#[test]
fn a_sign_off_is_of_the_revision_read_and_a_new_revision_returns_it_to_review() {
    let d = desk();
    let story = drafted(&d);
    let read = d.latest_draft(story).unwrap().revision;
    // A writer lands a revision after the editor read `read`.
    d.draft(story, "offline").unwrap();
    let err = d.sign_off(story, &req(read, None)).unwrap_err();
    assert!(matches!(err, CoreError::Stale(_)), "{err}");
    assert!(
        d.story(story).unwrap().signoffs.is_empty(),
        "a refused sign-off writes nothing"
    );

    let latest = d.latest_draft(story).unwrap().revision;
    let s = d.sign_off(story, &req(latest, None)).unwrap();
    assert_eq!((s.revision, s.override_reason.clone()), (latest, None));
    assert_eq!(d.story(story).unwrap().story.status, StoryStatus::Approved);
    assert_eq!(d.signed_revision(story).unwrap().1.revision, latest);

    // Any new revision of an approved story sends it back to review.
    d.draft(story, "offline").unwrap();
    assert_eq!(d.story(story).unwrap().story.status, StoryStatus::InReview);
    assert!(
        d.signed_revision(story).is_err(),
        "only an approved story has a signed revision to export"
    );
}

#[test]
fn an_edit_may_cite_only_included_records_of_its_story() {
    let d = desk();
    let stories = d.stories(DEMO_BEAT).unwrap();
    let story = drafted(&d);
    let other = stories.iter().find(|s| s.id != story).unwrap();
    let foreign = d
        .story_records(other.id)
        .unwrap()
        .into_iter()
        .find(|r| {
            !d.story_records(story)
                .unwrap()
                .iter()
                .any(|m| m.record.id == r.record.id)
        })
        .unwrap()
        .record
        .id;
    let latest = d.latest_draft(story).unwrap();
    let before = d.story(story).unwrap().history.len();

    let mut doc = latest.document.clone();
    doc.sections[0].paragraphs[0].citations = vec![foreign];
    let err = d
        .save_document(
            story,
            &DocumentEdit {
                document: doc,
                base_revision: latest.revision,
                editor: "Ana".into(),
            },
        )
        .unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "cites record {foreign}, which is not a source of story {story}"
        )),
        "{err}"
    );

    let own = latest.document.sections[0].paragraphs[0].citations[0];
    d.set_record_included(story, own, false, 1.0, "Ana")
        .unwrap();
    let err = d
        .save_document(
            story,
            &DocumentEdit {
                document: {
                    let mut x = latest.document.clone();
                    x.headline = "Changed".into();
                    x
                },
                base_revision: latest.revision,
                editor: "Ana".into(),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("excluded"), "{err}");
    assert_eq!(
        d.story(story).unwrap().history.len(),
        before,
        "a refused edit writes nothing"
    );
}

#[test]
fn sign_offs_and_exports_cannot_be_rewritten() {
    let d = desk();
    let story = drafted(&d);
    let rev = d.latest_draft(story).unwrap().revision;
    d.sign_off(story, &req(rev, None)).unwrap();
    d.export(story, ExportFormat::Markdown, None, "test")
        .unwrap();
    for sql in [
        "UPDATE signoffs SET draft_id = draft_id + 1",
        "DELETE FROM signoffs",
        "DELETE FROM exports",
        "DELETE FROM drafts",
    ] {
        let r: Result<(), beatdesk_store::StoreError> = d
            .store()
            .write(|tx| tx.execute(sql, []).map(|_| ()).map_err(Into::into));
        assert!(r.is_err(), "{sql} must be refused");
    }
    assert_eq!(d.story(story).unwrap().signoffs[0].revision, rev);
}
