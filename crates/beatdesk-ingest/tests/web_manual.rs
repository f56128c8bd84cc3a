mod common;

use std::time::Duration;

use beatdesk_ingest::extract::extract;
use beatdesk_ingest::http::{Expect, Request};
use beatdesk_ingest::{add_manual, citation_count_for_story, Http, HttpOptions, IngestError};
use beatdesk_types::{Platform, RecordStatus};
use common::*;

fn page(name: &str, base: &str) -> String {
    String::from_utf8(fixture(&format!("pages/{name}.html")))
        .unwrap()
        .replace("{{BASE}}", base)
}

#[test]
fn three_article_pages_lose_their_boilerplate() {
    let base = "https://news.example";
    let cases = [
        (
            "chip-export-rules",
            &[
                "close loopholes",
                "unworkable",
                "Comments on the proposal are due within 60 days",
                "public briefing",
            ][..],
            &[
                "LiquidCool",
                "Sign up",
                "newsletter",
                "Read more",
                "chipwatcher",
                "compliance nightmare",
                "Markets",
                "cookies",
                "All rights reserved",
                "Share on",
            ][..],
        ),
        (
            "open-weights",
            &[
                "twelve-person lab in Lisbon",
                "Apache 2.0",
                "shrinking faster",
                "smaller version for phones",
            ],
            &[
                "CloudGPU",
                "Subscribe",
                "free article limit",
                "Most read",
                "3 months for $1",
                "cookies",
                "Log in",
            ],
        ),
        (
            "packaging",
            &[
                "chip-on-wafer-on-substrate",
                "turned away orders",
                "about 60% next year",
            ],
            &[
                "gpu_guy",
                "Trending",
                "Our Standards",
                "All rights reserved",
                "Related:",
                "largest multimedia news provider",
            ],
        ),
    ];
    for (name, want, never) in cases {
        let ex = extract(&page(name, base), &format!("{base}/articles/{name}")).unwrap();
        for w in want {
            assert!(ex.text.contains(w), "{name}: missing {w:?} in\n{}", ex.text);
        }
        for n in never {
            assert!(
                !ex.text.contains(n),
                "{name}: boilerplate {n:?} kept in\n{}",
                ex.text
            );
        }
        assert!(ex.canonical.is_some(), "{name}");
    }
    let ex = extract(
        &page("packaging", base),
        &format!("{base}/articles/packaging"),
    )
    .unwrap();
    assert_eq!(ex.site_name.as_deref(), Some("Wire Service"));
    assert_eq!(
        ex.published.unwrap().to_rfc3339(),
        "2026-11-10T15:30:00+00:00"
    );
}

#[tokio::test]
async fn manual_url_and_text_with_story_and_citation_count() {
    let replay = Replay::start(vec![
        route(
            "GET",
            "/articles/packaging",
            vec![Resp::new(
                200,
                "text/html; charset=utf-8",
                fixture("pages/packaging.html"),
            )],
        ),
        route(
            "GET",
            "/files/report.pdf",
            vec![Resp::new(200, "application/pdf", "%PDF-1.7")],
        ),
    ])
    .await;
    let (store, beat) = store_with_beat();
    let story = store
        .write(|tx| beatdesk_store::stories::insert(tx, beat, "Packaging bottleneck", now()))
        .unwrap();
    let http = http();
    let url = replay.url("/articles/packaging?utm_source=newsletter");
    let added = add_manual(
        &store,
        beat,
        Some(story),
        &url,
        Some("Source for the capacity figure"),
        "Maria Okafor",
        &http,
        now(),
    )
    .await
    .unwrap();
    assert!(added.created);
    let rec = store
        .read(|c| beatdesk_store::records::get(c, added.record_id))
        .unwrap();
    assert_eq!(rec.platform, Platform::Manual);
    assert_eq!(rec.added_by.as_deref(), Some("Maria Okafor"));
    assert_eq!(rec.note.as_deref(), Some("Source for the capacity figure"));
    assert_eq!(rec.status, RecordStatus::Kept);
    // The record and its audit entry are written in one transaction, by add_manual itself.
    let log = store
        .read(|c| beatdesk_store::audit::list(c, Some(story)))
        .unwrap();
    // On PostgreSQL the actor is the database login, not the typed name.
    let login = store.login().unwrap();
    assert!(
        log.iter().any(|a| a.action == "add_source"
            && a.actor == login.as_deref().unwrap_or("Maria Okafor")
            && a.detail["record_id"] == added.record_id),
        "{log:?}"
    );
    assert!(
        rec.canonical_url
            .ends_with("/wire/2026/11/packaging-bottleneck"),
        "rel=canonical, tracking dropped: {}",
        rec.canonical_url
    );
    assert!(rec.text.contains("turned away orders") && !rec.text.contains("gpu_guy"));
    assert_eq!(rec.published_at.to_rfc3339(), "2026-11-10T15:30:00+00:00");
    // Same URL again: the record is reused, not doubled.
    let again = add_manual(&store, beat, None, &url, None, "Tom Reyes", &http, now())
        .await
        .unwrap();
    assert_eq!((again.record_id, again.created), (added.record_id, false));

    let text = add_manual(
        &store,
        beat,
        Some(story),
        "Call notes: supplier says CoWoS lines booked to Q3.\nSecond line.",
        None,
        "Tom Reyes",
        &http,
        now(),
    )
    .await
    .unwrap();
    let t = store
        .read(|c| beatdesk_store::records::get(c, text.record_id))
        .unwrap();
    assert_eq!(
        (t.platform, t.title.as_str(), t.url.as_str()),
        (
            Platform::Manual,
            "Call notes: supplier says CoWoS lines booked to Q3.",
            ""
        )
    );
    let links = store
        .read(|c| beatdesk_store::stories::links(c, story))
        .unwrap();
    assert_eq!(links.len(), 2);

    // Errors are clear, and a missing name is refused.
    let e = add_manual(
        &store,
        beat,
        None,
        &replay.url("/files/report.pdf"),
        None,
        "Tom",
        &http,
        now(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("not an HTML page"), "{e}");
    assert!(
        add_manual(&store, beat, None, "text", None, " ", &http, now())
            .await
            .is_err()
    );

    // Citation counting: a web record citing-by a story member counts once.
    let web_id = store
        .write(|tx| {
            let rec = beatdesk_store::records::NewRecord {
                source_id: None,
                platform: Platform::Web,
                external_id: "https://x.example/a".into(),
                url: "https://x.example/a".into(),
                canonical_url: "https://x.example/a".into(),
                title: "A".into(),
                text: "A".into(),
                author: String::new(),
                community: None,
                published_at: now(),
                metrics: Default::default(),
                status: RecordStatus::Kept,
                reason: None,
                duplicate_of: None,
                note: None,
                added_by: None,
            };
            beatdesk_store::records::upsert(tx, beat, &rec, now())
        })
        .unwrap()
        .id();
    store
        .write(|tx| beatdesk_ingest::web::add_citations(tx, web_id, &[text.record_id], now()))
        .unwrap();
    assert_eq!(
        store.read(|c| citation_count_for_story(c, story)).unwrap(),
        1
    );
}

#[tokio::test]
async fn server_errors_back_off_then_succeed_and_limits_hold() {
    let big = "x".repeat(4096);
    let reset = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 30)
        .to_string();
    let replay = Replay::start(vec![
        route(
            "GET",
            "/flaky",
            vec![
                Resp::new(503, "text/plain", "down"),
                Resp::new(502, "text/plain", "bad gateway")
                    .header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
                Resp::json("{\"ok\":true}"),
            ],
        ),
        route(
            "GET",
            "/always-down",
            vec![Resp::new(500, "text/plain", "boom")],
        ),
        route("GET", "/big", vec![Resp::json(big)]),
        route(
            "GET",
            "/html",
            vec![Resp::new(
                200,
                "text/html",
                "<!DOCTYPE html><html><head><title>Sign in</title></head><body></body></html>",
            )],
        ),
        route(
            "GET",
            "/limited",
            vec![Resp::json("[]")
                .header("ratelimit-remaining", "0")
                .header("ratelimit-reset", &reset)],
        ),
    ])
    .await;
    let http = Http::new(HttpOptions {
        max_body_bytes: 1024,
        ..HttpOptions::for_tests()
    })
    .unwrap();
    let ok = http
        .send(&Request::get(replay.url("/flaky"), Expect::Json))
        .await
        .unwrap();
    assert_eq!(ok.status, 200);
    assert_eq!(http.waits().len(), 2, "two back-offs: {:?}", http.waits());
    let e = http
        .send(&Request::get(replay.url("/always-down"), Expect::Json))
        .await
        .unwrap_err();
    assert!(
        matches!(e, IngestError::Status { status: 500, .. }) && e.is_transient(),
        "{e}"
    );
    assert!(http.waits().iter().all(|w| *w <= Duration::from_secs(60)));
    let e = http
        .send(&Request::get(replay.url("/big"), Expect::Json))
        .await
        .unwrap_err();
    assert!(
        matches!(e, IngestError::TooLarge { limit: 1024, .. }),
        "{e}"
    );
    let r = http
        .send(&Request::get(replay.url("/html"), Expect::Json))
        .await
        .unwrap();
    let e = r.json::<serde_json::Value>().unwrap_err().to_string();
    assert!(
        e.contains("HTML page where JSON was expected") && e.contains("Sign in"),
        "{e}"
    );
    // A used-up Bluesky-style window makes the next request to the host wait.
    let n = http.waits().len();
    http.send(&Request::get(replay.url("/limited"), Expect::Json))
        .await
        .unwrap();
    http.send(&Request::get(replay.url("/limited"), Expect::Json))
        .await
        .unwrap();
    assert_eq!(http.waits().len(), n + 1);
    assert!(
        http.waits()[n] > Duration::from_secs(20),
        "waits until the epoch in ratelimit-reset: {:?}",
        http.waits()
    );
    // Connection refused on a closed port: unreachable at once, no retries
    // (another attempt in the same run cannot help).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let e = http
        .send(&Request::get(
            format!("http://127.0.0.1:{port}/x"),
            Expect::Json,
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, IngestError::Unreachable { .. }), "{e}");
    assert!(e.is_permanent(), "{e}");
    // One wait: the host's rate-limit gate closed by `/limited` above; no back-off after it.
    assert_eq!(
        http.waits().len(),
        n + 2,
        "no back-off for a refused connection"
    );
}
