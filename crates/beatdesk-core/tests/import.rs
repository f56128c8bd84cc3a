//! Import takes what ingest takes: posts without titles, feed items without
//! authors, and the relations a line states (`links`, `reply_to`, `quote_of`).

use std::sync::Arc;

use beatdesk_core::{Beatdesk, FixedClock};
use beatdesk_store::links;
use beatdesk_types::{LinkKind, RecordStatus};
use chrono::{TimeZone, Utc};

fn desk() -> Beatdesk {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    Beatdesk::in_memory(Arc::new(FixedClock(now))).unwrap()
}

const LINES: &str = r#"{"platform":"bluesky","external_id":"at://did:plc:a/app.bsky.feed.post/1","url":"https://bsky.app/profile/a.example/post/1","title":"","text":"Open weights for the new model are out today.\nDetails in the thread.","author":"a.example","published_at":"2026-11-28T10:00:00Z","links":["https://www.news.example.com/2026/11/weights/?utm_source=bsky","https://github.com/example/model"]}
{"platform":"bluesky","external_id":"at://did:plc:b/app.bsky.feed.post/2","url":"https://bsky.app/profile/b.example/post/2","text":"Is the licence really open?","author":"b.example","published_at":"2026-11-28T10:05:00Z","reply_to":"at://did:plc:a/app.bsky.feed.post/1"}
{"platform":"bluesky","external_id":"at://did:plc:c/app.bsky.feed.post/3","url":"https://bsky.app/profile/c.example/post/3","text":"Worth reading.","author":"c.example","published_at":"2026-11-28T10:07:00Z","quote_of":"at://did:plc:a/app.bsky.feed.post/1","reply_to":"at://did:plc:gone/app.bsky.feed.post/9"}
{"platform":"news","external_id":"https://news.example.com/2026/11/weights","url":"https://m.news.example.com/2026/11/weights","title":"Lab releases open weights","text":"The lab released the weights.","author":"","published_at":"2026-11-28T09:00:00Z"}
"#;

#[test]
fn empty_titles_and_authors_are_kept_and_relations_are_stored_and_resolved() {
    let d = desk();
    d.add_beat("AI", None).unwrap();
    let r = d.import_jsonl("AI", "beat.jsonl", LINES).unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!((r.read, r.new, r.links), (4, 4, 5), "{r:?}");

    let records = d.records("AI").unwrap();
    let post = records
        .iter()
        .find(|x| x.external_id.ends_with("/1"))
        .unwrap();
    assert_eq!(
        post.title, "Open weights for the new model are out today.",
        "an empty title is shown from the text's first line"
    );
    let reply = records
        .iter()
        .find(|x| x.external_id.ends_with("/2"))
        .unwrap();
    assert_eq!(reply.title, "Is the licence really open?");
    let news = records
        .iter()
        .find(|x| x.platform.as_str() == "news")
        .unwrap();
    assert_eq!(news.author, "");
    assert_eq!(news.status, RecordStatus::Kept);

    let beat = d.beat("AI").unwrap();
    let all = d.store().read(|c| links::for_beat(c, beat.id)).unwrap();
    let find = |from: i64, kind: LinkKind| {
        all.iter()
            .filter(|l| l.record_id == from && l.kind == kind)
            .collect::<Vec<_>>()
    };
    // The link's canonical URL is the news record's (m. and utm_ removed on both sides).
    let to_pages = find(post.id, LinkKind::LinksTo);
    assert_eq!(to_pages.len(), 2);
    assert_eq!(
        to_pages[0].target_key,
        "https://news.example.com/2026/11/weights"
    );
    assert_eq!(to_pages[0].target_record_id, Some(news.id));
    assert_eq!(to_pages[1].target_record_id, None, "GitHub is not a record");
    let replies = find(reply.id, LinkKind::ReplyTo);
    assert_eq!(
        replies[0].target_key,
        "bluesky:at://did:plc:a/app.bsky.feed.post/1"
    );
    assert_eq!(replies[0].target_record_id, Some(post.id));
    let quoter = records
        .iter()
        .find(|x| x.external_id.ends_with("/3"))
        .unwrap();
    assert_eq!(
        find(quoter.id, LinkKind::Quotes)[0].target_record_id,
        Some(post.id)
    );
    assert_eq!(
        find(quoter.id, LinkKind::ReplyTo)[0].target_record_id,
        None,
        "a reply to a post not held stays unresolved"
    );

    // Importing the same lines again adds neither records nor relations.
    let again = d.import_jsonl("AI", "beat.jsonl", LINES).unwrap();
    assert_eq!(
        (again.new, again.updated, again.links),
        (0, 4, 0),
        "{again:?}"
    );
}

#[test]
fn bad_relations_name_the_line_and_field_and_the_rest_is_imported() {
    let d = desk();
    d.add_beat("AI", None).unwrap();
    let text = r#"{"platform":"reddit","external_id":"a","url":"https://www.reddit.com/r/x/comments/a/","text":"fine","published_at":"2026-11-28T10:00:00Z","links":["javascript:alert(1)"]}
{"platform":"reddit","external_id":"b","url":"https://www.reddit.com/r/x/comments/b/","text":"fine","published_at":"2026-11-28T10:00:00Z","links":"https://example.com"}
{"platform":"reddit","external_id":"c","url":"https://www.reddit.com/r/x/comments/c/","text":"fine","published_at":"2026-11-28T10:00:00Z","reply_to":7}
{"platform":"reddit","external_id":"d","url":"https://www.reddit.com/r/x/comments/d/","title":"","text":"","published_at":"2026-11-28T10:00:00Z"}
{"platform":"reddit","external_id":"e","url":"https://www.reddit.com/r/x/comments/e/","text":"kept","published_at":"2026-11-28T10:00:00Z","reply_to":"a"}
"#;
    let r = d.import_jsonl("AI", "x.jsonl", text).unwrap();
    assert_eq!((r.read, r.new, r.links), (5, 1, 1), "{r:?}");
    let want = [
        "x.jsonl line 1: links[0]: \"javascript:alert(1)\" is not an http(s) URL",
        "x.jsonl line 2: links: must be an array of URLs, found a string",
        "x.jsonl line 3: reply_to: must be a string, found a number",
        "x.jsonl line 4: title: is empty and so is `text`",
    ];
    for (got, want) in r.errors.iter().zip(want) {
        assert!(got.starts_with(want), "{got}");
    }
    assert_eq!(r.errors.len(), 4);
}
