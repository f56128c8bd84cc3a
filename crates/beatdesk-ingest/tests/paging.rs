//! The ingest job's page loop (`SourceRun::pages`), which parses page N+1 on
//! a second thread while page N is stored: pages land whole, a failing page
//! keeps the pages before it, caught-up runs stop early, a panicking parser
//! is an error and not a crash.

use beatdesk_ingest::pipeline::{Dedup, Policy};
use beatdesk_ingest::sources::reddit::listing_page;
use beatdesk_ingest::sources::{FetchState, Fetched, Source};
use beatdesk_ingest::{Http, HttpOptions, IngestError, SourceReport, SourceRun};
use beatdesk_store::{records, Store};
use chrono::{DateTime, Utc};

fn now() -> DateTime<Utc> {
    "2026-11-12T12:00:00Z".parse().unwrap()
}

/// A listing page of `n` self posts with ids `prefix0..`, `after` set.
fn listing(prefix: &str, n: usize) -> Vec<u8> {
    let children: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({"kind": "t3", "data": {
                "id": format!("{prefix}{i}"), "name": format!("t3_{prefix}{i}"),
                "subreddit": "LocalLLaMA", "title": format!("post {prefix} {i}"),
                "selftext": format!("body number {i} of page {prefix} with some words in it"),
                "permalink": format!("/r/LocalLLaMA/comments/{prefix}{i}/x/"),
                "author": "someone", "created_utc": (now().timestamp() - 60) as f64,
                "score": 1, "num_comments": 0, "is_self": true}})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"kind": "Listing", "data": {"after": format!("t3_{prefix}end"), "children": children}})).unwrap()
}

enum Next {
    Body(Vec<u8>),
    FetchError,
    Panic,
}

struct Scripted {
    pages: std::vec::IntoIter<Next>,
    fetches: usize,
}

impl Scripted {
    fn new(pages: Vec<Next>) -> Scripted {
        Scripted {
            pages: pages.into_iter(),
            fetches: 0,
        }
    }
}

impl Source for Scripted {
    fn limit(&self) -> usize {
        1000
    }
    async fn fetch_page(
        &mut self,
        _http: &Http,
        _cursor: Option<&str>,
        _state: &FetchState,
    ) -> beatdesk_ingest::Result<Fetched> {
        self.fetches += 1;
        match self.pages.next() {
            Some(Next::Body(b)) => Ok(listing_page(b, now())),
            Some(Next::Panic) => Ok(Fetched::deferred(|| panic!("parser bug"))),
            Some(Next::FetchError) | None => Err(IngestError::Network {
                url: "http://127.0.0.1/next".into(),
                detail: "no such page".into(),
            }),
        }
    }
}

struct Setup {
    store: Store,
    beat: i64,
    source: i64,
    http: Http,
}

fn setup() -> Setup {
    let store = Store::open_in_memory().unwrap();
    let (beat, source) = store
        .write(|tx| -> beatdesk_store::Result<_> {
            let beat = beatdesk_store::beats::insert(tx, "b", "", now())?;
            let src = beatdesk_store::sources::insert(
                tx,
                beat,
                "reddit",
                &serde_json::json!({"subreddit": "LocalLLaMA"}),
                now(),
            )?;
            Ok((beat, src))
        })
        .unwrap();
    Setup {
        store,
        beat,
        source,
        http: Http::new(HttpOptions::for_tests()).unwrap(),
    }
}

fn run(s: &Setup, dedup: &mut Dedup, src: &mut Scripted) -> (Result<(), String>, SourceReport) {
    let progress = |_| {};
    let mut run = SourceRun {
        store: &s.store,
        dedup,
        http: &s.http,
        policy: Policy {
            window_days: 30,
            allow_nsfw: false,
            now: now(),
        },
        source_id: s.source,
        progress: &progress,
        citing: Vec::new(),
        max_cites: 3,
    };
    let mut sr = SourceReport::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = rt.block_on(run.pages(src, &FetchState::default(), &mut sr));
    (out.map(|_| ()), sr)
}

fn stored(s: &Setup) -> usize {
    s.store
        .read(|c| records::list_for_beat(c, s.beat))
        .unwrap()
        .len()
}

#[test]
fn a_failing_page_keeps_the_pages_before_it() {
    let s = setup();
    let mut dedup = Dedup::load_from(&s.store, s.beat).unwrap();
    let mut src = Scripted::new(vec![
        Next::Body(listing("a", 50)),
        Next::Body(listing("b", 50)),
        Next::Body(b"{\"kind\": \"Listing\", \"data\": {\"children\": [".to_vec()),
    ]);
    let (out, sr) = run(&s, &mut dedup, &mut src);
    assert!(out.is_err());
    assert_eq!(sr.errors.len(), 1, "{:?}", sr.errors);
    assert_eq!((sr.pages, sr.new), (2, 100));
    assert_eq!(stored(&s), 100);

    // A fetch failing after a page: that page is stored all the same.
    let mut src = Scripted::new(vec![Next::Body(listing("c", 10)), Next::FetchError]);
    dedup.start_run();
    let (out, sr) = run(&s, &mut dedup, &mut src);
    assert!(out.is_err());
    assert_eq!((sr.pages, sr.new, sr.errors.len()), (1, 10, 1));
    assert_eq!(stored(&s), 110);
}

#[test]
fn a_panicking_parser_is_an_error_and_the_run_goes_on() {
    let s = setup();
    let mut dedup = Dedup::load_from(&s.store, s.beat).unwrap();
    let mut src = Scripted::new(vec![Next::Body(listing("a", 20)), Next::Panic]);
    let (out, sr) = run(&s, &mut dedup, &mut src);
    assert!(out.unwrap_err().contains("parser stopped"));
    assert_eq!((sr.pages, sr.new), (1, 20));
    // The same dedup index serves the next source.
    let mut src = Scripted::new(vec![
        Next::Body(listing("b", 5)),
        Next::Body(listing("c", 0)),
    ]);
    let (out, sr) = run(&s, &mut dedup, &mut src);
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(sr.new, 5);
    assert_eq!(stored(&s), 25);
}

#[test]
fn a_caught_up_run_stops_after_the_first_page_and_adds_nothing() {
    let s = setup();
    let pages = || {
        vec![
            Next::Body(listing("a", 100)),
            Next::Body(listing("b", 100)),
            Next::Body(listing("c", 100)),
        ]
    };
    let mut dedup = Dedup::load_from(&s.store, s.beat).unwrap();
    let mut src = Scripted::new(pages());
    let (out, sr) = run(&s, &mut dedup, &mut src);
    // The third page ends the script: the fourth fetch fails after three pages stored.
    assert!(out.is_err());
    assert_eq!((sr.pages, sr.new), (3, 300));
    assert_eq!(stored(&s), 300);

    let mut dedup = Dedup::load_from(&s.store, s.beat).unwrap();
    let mut src = Scripted::new(pages());
    let (out, sr) = run(&s, &mut dedup, &mut src);
    assert!(out.is_ok(), "{out:?}");
    assert_eq!((sr.pages, sr.new, sr.updated), (1, 0, 100));
    assert_eq!(
        src.fetches, 1,
        "nothing new on page 1: page 2 is not fetched"
    );
    assert_eq!(stored(&s), 300);
}
