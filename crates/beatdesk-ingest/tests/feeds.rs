mod common;

use beatdesk_ingest::{ingest_beat_with, BeatConfig, MemorySecrets};
use beatdesk_types::RecordStatus;
use common::*;

fn routes() -> Vec<Route> {
    vec![
        route("GET", "/feeds/ledger.xml", vec![Resp::new(304, "application/rss+xml", "")]).header_has("if-none-match", "\"v1-48241\""),
        route(
            "GET",
            "/feeds/ledger.xml",
            vec![Resp::new(200, "application/rss+xml; charset=UTF-8", fixture("feeds/ledger.xml"))
                .header("ETag", "\"v1-48241\"")
                .header("Last-Modified", "Thu, 12 Nov 2026 11:02:13 GMT")],
        ),
        route("GET", "/feeds/atom.xml", vec![Resp::new(200, "application/atom+xml", fixture("feeds/atom.xml"))]),
        route("GET", "/rss/search", vec![Resp::new(200, "application/xml; charset=utf-8", fixture("feeds/gnews.xml"))]),
        route("GET", "/feeds/moved.xml", vec![Resp::new(200, "text/html", "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>")]),
    ]
}

#[tokio::test]
async fn rss_atom_google_news_with_quirks_dedup_and_conditional_get() {
    let replay = Replay::start(routes()).await;
    let (store, beat) = store_with_beat();
    let http = http();
    let b = &replay.base;
    let cfg = BeatConfig::parse(&format!(
        "max_web_citations = 0\n\
         [[source]]\nkind = \"feed\"\nurl = \"{b}/feeds/ledger.xml\"\n\
         [[source]]\nkind = \"feed\"\nurl = \"{b}/feeds/atom.xml\"\n\
         [[source]]\nkind = \"feed\"\nurl = \"{b}/rss/search?q=%22AI+chips%22+export+rules&hl=en-US&gl=US&ceid=US:en\"\n\
         [[source]]\nkind = \"feed\"\nurl = \"{b}/feeds/moved.xml\"\n"
    ))
    .unwrap();
    let report = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http,
        &MemorySecrets::new(),
        now(),
        &forced(),
        |_| {},
    )
    .await;
    let [ledger, atom, gnews, moved] = &report.sources[..] else {
        panic!()
    };
    assert!(
        ledger.errors.is_empty() && atom.errors.is_empty() && gnews.errors.is_empty(),
        "{report:#?}"
    );
    assert_eq!(
        (ledger.fetched, ledger.new, ledger.duplicates),
        (6, 5, 1),
        "{ledger:#?}"
    );
    assert_eq!(
        ledger.duplicate_reasons["repeated in the same fetch"], 1,
        "duplicate guid"
    );
    assert_eq!(
        (atom.fetched, atom.new, atom.duplicates),
        (3, 1, 2),
        "{atom:#?}"
    );
    assert_eq!(atom.duplicate_reasons["same URL"], 1);
    assert_eq!(atom.duplicate_reasons["near-identical text"], 1);
    assert_eq!(
        (gnews.fetched, gnews.new, gnews.duplicates),
        (2, 1, 1),
        "{gnews:#?}"
    );
    assert_eq!(gnews.duplicate_reasons["Google News pointer"], 1);
    assert!(
        moved.errors[0].contains("HTML page, not RSS or Atom"),
        "{:?}",
        moved.errors
    );

    let recs = records(&store, beat);
    let find = |f: &dyn Fn(&beatdesk_types::Record) -> bool| {
        recs.iter().find(|r| f(r)).cloned().expect("record")
    };
    let chips = find(&|r| {
        r.title == "Commerce proposes new export rules for AI chips" && r.url.contains("/tech/")
    });
    let host = b.trim_start_matches("http://");
    assert_eq!(
        chips.external_id,
        format!("https://{host}?p=48213"),
        "WordPress ?p= guid canonicalised"
    );
    assert_eq!(
        chips.canonical_url,
        format!("https://{host}/tech/2026/11/11/chip-export-rules")
    );
    assert_eq!(chips.author, "Maria Okafor");
    assert_eq!(chips.community.as_deref(), Some("The Ledger – Technology"));
    assert!(
        chips.text.contains("called the proposal “unworkable”")
            && chips.text.contains("Q&A with the under"),
        "{}",
        chips.text
    );
    assert!(!chips.text.contains("appeared first on") && !chips.text.contains("<p>"));
    let undated = find(&|r| r.title.starts_with("Analysis: Why packaging"));
    assert_eq!(
        undated.published_at,
        now(),
        "unparseable date falls back to fetch time, item kept"
    );
    assert_eq!(undated.text, "Advanced packaging capacity & substrate supply, not EUV tools, now gate accelerator output, according to three suppliers.");
    let relative = find(&|r| r.title == "Chipmaker shares slide after rule leak");
    assert_eq!(
        relative.url,
        format!("{b}/markets/2026/11/12/chipmaker-shares-slide")
    );
    assert_eq!(
        relative.published_at.to_rfc3339(),
        "2026-11-12T11:00:00+00:00",
        "EST is -0500"
    );
    let sponsored = find(&|r| r.title.starts_with("Sponsored"));
    assert!(sponsored.external_id.starts_with("hash:") && sponsored.url.is_empty());
    let wire = find(&|r| r.url.ends_with("/wire/ap-lawmakers-chip-rule"));
    assert_eq!(wire.author, "Associated Press");
    let deepseek = find(&|r| r.title.starts_with("DeepSeek"));
    assert_eq!(deepseek.title, "DeepSeek’s new chip order & what it means");
    assert_eq!(
        deepseek.url,
        format!("{b}/blog/2026/11/deepseek-chip-order"),
        "xml:base on the feed"
    );
    assert_eq!(
        deepseek.published_at.to_rfc3339(),
        "2026-11-12T07:00:00+00:00"
    );
    let wire2 = find(&|r| r.url.ends_with("/wire/ap-lawmakers-chip-rule-2"));
    assert_eq!(
        (wire2.status, wire2.duplicate_of),
        (RecordStatus::Duplicate, Some(wire.id)),
        "xml:base on the entry; wire copy collapsed"
    );
    let amp = find(&|r| r.external_id.ends_with("ledger-pointer"));
    assert_eq!(
        (amp.status, amp.duplicate_of),
        (RecordStatus::Duplicate, Some(chips.id))
    );
    let pointer = find(&|r| r.url.contains("CBMiswFB"));
    assert_eq!(
        (pointer.status, pointer.duplicate_of),
        (RecordStatus::Duplicate, Some(chips.id))
    );
    let report_item = find(&|r| r.url.contains("CBMiqAFB"));
    assert_eq!(
        report_item.title,
        "Chip rule could cost suppliers billions - report"
    );
    assert_eq!(report_item.community.as_deref(), Some("Finance Daily"));
    assert_eq!(report_item.status, RecordStatus::Kept);

    // Second run: 304 for the ledger (validators sent), same bodies elsewhere: nothing new.
    let n = recs.len();
    let again = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http,
        &MemorySecrets::new(),
        now(),
        &forced(),
        |_| {},
    )
    .await;
    assert!(again.sources[0].not_modified, "{:#?}", again.sources[0]);
    assert_eq!(again.sources.iter().map(|s| s.new).sum::<usize>(), 0);
    assert_eq!(records(&store, beat).len(), n);
    let cond = replay
        .requests()
        .into_iter()
        .filter(|r| r.path == "/feeds/ledger.xml")
        .nth(1)
        .unwrap();
    assert!(cond
        .headers
        .iter()
        .any(|(k, v)| k == "if-modified-since" && v == "Thu, 12 Nov 2026 11:02:13 GMT"));
}

#[tokio::test]
async fn publisher_article_after_its_google_news_pointer_collapses_the_pointer() {
    let replay = Replay::start(routes()).await;
    let (store, beat) = store_with_beat();
    let b = &replay.base;
    let cfg = BeatConfig::parse(&format!(
        "[[source]]\nkind = \"feed\"\nurl = \"{b}/rss/search?q=chips\"\n[[source]]\nkind = \"feed\"\nurl = \"{b}/feeds/ledger.xml\"\n"
    ))
    .unwrap();
    ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http(),
        &MemorySecrets::new(),
        now(),
        &forced(),
        |_| {},
    )
    .await;
    let recs = records(&store, beat);
    let pointer = recs.iter().find(|r| r.url.contains("CBMiswFB")).unwrap();
    let chips = recs
        .iter()
        .find(|r| r.url.contains("/tech/2026/11/11/chip-export-rules"))
        .unwrap();
    assert_eq!(
        (pointer.status, pointer.duplicate_of),
        (RecordStatus::Duplicate, Some(chips.id))
    );
    assert_eq!(chips.status, RecordStatus::Kept);
}
