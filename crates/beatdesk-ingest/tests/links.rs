//! Links found in records, on the real web's bad days: dead hosts, a proxy
//! that refuses CONNECT, a page that never answers, private addresses behind
//! names and redirects. All servers are on 127.0.0.1; DNS is a table.

mod common;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use beatdesk_ingest::citations::{cite, CiteOptions};
use beatdesk_ingest::guard::StaticLookup;
use beatdesk_ingest::pipeline::{Dedup, Policy};
use beatdesk_ingest::{
    ingest_beat_with, BeatConfig, Http, HttpOptions, MemorySecrets, SourceProgress,
};
use beatdesk_store::records::{self, NewRecord};
use beatdesk_types::{Platform, RecordStatus};
use common::*;

/// A Reddit listing of link posts, one per URL.
fn listing(sub: &str, links: &[String]) -> String {
    let children: Vec<serde_json::Value> = links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            serde_json::json!({"kind": "t3", "data": {
                "id": format!("{sub}{i}"), "name": format!("t3_{sub}{i}"), "subreddit": sub,
                "title": format!("Post {i} in {sub} about a new model release"),
                "selftext": "", "url": link, "permalink": format!("/r/{sub}/comments/{sub}{i}/post/"),
                "author": "someone", "created_utc": 1794481200.0 + i as f64, "score": 10,
                "num_comments": 1, "over_18": false, "is_self": false
            }})
        })
        .collect();
    serde_json::json!({"kind": "Listing", "data": {"after": null, "children": children}})
        .to_string()
}

/// A port where nothing listens: connection refused.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A server that accepts and never answers (a page past any deadline).
async fn silent_server() -> (u16, tokio::task::JoinHandle<()>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let h = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    (port, h)
}

fn quick_cite() -> CiteOptions {
    CiteOptions {
        page_deadline: Duration::from_millis(400),
        run_budget: Duration::from_secs(5),
        ..CiteOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_hosts_and_a_silent_page_never_stall_the_beat_and_are_retried_a_few_runs() {
    let dead: Vec<u16> = (0..10).map(|_| closed_port()).collect();
    let (silent, _srv) = silent_server().await;
    let subs: Vec<String> = (0..8).map(|i| format!("beat{i}")).collect();
    let mut routes = Vec::new();
    for (i, sub) in subs.iter().enumerate() {
        let mut links: Vec<String> = (0..10)
            .map(|j| format!("http://127.0.0.1:{}/article/{i}-{j}", dead[(i + j) % 10]))
            .collect();
        links.push(format!("http://127.0.0.1:{silent}/slow/{i}"));
        routes.push(route(
            "GET",
            &format!("/r/{sub}/new.json"),
            vec![Resp::json(listing(sub, &links))],
        ));
    }
    let replay = Replay::start(routes).await;
    let mut toml = String::from("max_web_citations = 3\nallow_private_links = true\n");
    for sub in &subs {
        toml.push_str(&format!(
            "[[source]]\nkind = \"reddit\"\nsubreddit = \"{sub}\"\nbase_url = \"{}\"\n",
            replay.base
        ));
    }
    let cfg = BeatConfig::parse(&toml).unwrap();
    let (store, beat) = store_with_beat();
    let http = Http::new(HttpOptions::for_tests()).unwrap();
    let secrets = MemorySecrets::new();
    let opts = beatdesk_ingest::IngestOptions {
        cite: quick_cite(),
        ..forced()
    };
    let events = std::sync::Mutex::new(Vec::new());
    let report = ingest_beat_with(&store, beat, &cfg, &http, &secrets, now(), &opts, |p| {
        events.lock().unwrap().push(p)
    })
    .await;
    assert_eq!(report.sources.len(), 8);
    // Each source's progress ends with Finished, after its Citations phase.
    let events = events.into_inner().unwrap();
    for s in &report.sources {
        let mine: Vec<&SourceProgress> = events
            .iter()
            .filter(|e| match e {
                SourceProgress::Started { source_id, .. }
                | SourceProgress::Page { source_id, .. }
                | SourceProgress::Citations { source_id, .. }
                | SourceProgress::Finished { source_id, .. } => *source_id == s.source_id,
            })
            .collect();
        assert!(
            matches!(mine.last(), Some(SourceProgress::Finished { .. })),
            "{mine:?}"
        );
        assert!(
            mine.iter()
                .any(|e| matches!(e, SourceProgress::Citations { links: 11, .. })),
            "{mine:?}"
        );
    }
    for s in &report.sources {
        assert_eq!(s.new, 11, "{}: every post stored: {:?}", s.label, s.errors);
        assert_eq!(s.web.new, 0);
    }
    let web: Vec<String> = report
        .sources
        .iter()
        .flat_map(|s| s.web.errors.clone())
        .collect();
    // 8 × 10 dead links and 8 silent pages (3 links per post at most: each post has one).
    assert_eq!(web.len(), 88, "{web:#?}");
    assert!(
        web.iter()
            .any(|e| e.contains("will retry") && e.contains("Connection refused")),
        "{web:#?}"
    );
    assert!(
        web.iter()
            .any(|e| e.contains("/slow/") && e.contains("deadline")),
        "{web:#?}"
    );
    assert!(
        web.iter().any(|e| e.contains("failed earlier in this run")),
        "a refused host is not tried again in the run: {web:#?}"
    );
    let pending: i64 = store
        .read(|c| -> beatdesk_store::Result<i64> {
            Ok(c.query_row(
                "SELECT count(*) FROM pending_citations WHERE given_up = 0",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(pending, 88);

    // Later runs add nothing, retry the links, and give up after `max_attempts` runs.
    let before = records(&store, beat).len();
    for run in 2..=3 {
        let again =
            ingest_beat_with(&store, beat, &cfg, &http, &secrets, now(), &opts, |_| {}).await;
        assert_eq!(again.new_records(), 0, "run {run}");
        assert_eq!(records(&store, beat).len(), before, "run {run}");
    }
    let (left, given_up): (i64, i64) = store
        .read(|c| -> beatdesk_store::Result<(i64, i64)> {
            Ok(c.query_row(
                "SELECT SUM(CASE WHEN given_up = 0 THEN 1 ELSE 0 END), SUM(given_up) FROM pending_citations",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!((left, given_up), (0, 88), "three runs tried, then given up");
    let fourth = ingest_beat_with(&store, beat, &cfg, &http, &secrets, now(), &opts, |_| {}).await;
    let tried: usize = fourth.sources.iter().map(|s| s.web.errors.len()).sum();
    assert_eq!(tried, 0, "given-up links are not tried again");
}

fn citing_record(store: &beatdesk_store::Store, beat: i64) -> i64 {
    store
        .write(|tx| {
            let rec = NewRecord {
                source_id: None,
                platform: Platform::Bluesky,
                external_id: "at://did:plc:x/app.bsky.feed.post/1".into(),
                url: "https://bsky.app/profile/x/post/1".into(),
                canonical_url: "https://bsky.app/profile/x/post/1".into(),
                title: "a post".into(),
                text: "links".into(),
                author: "x".into(),
                community: None,
                published_at: now(),
                metrics: Default::default(),
                status: RecordStatus::Kept,
                reason: None,
                duplicate_of: None,
                note: None,
                added_by: None,
            };
            records::upsert(tx, beat, &rec, now())
        })
        .unwrap()
        .id()
}

fn policy() -> Policy {
    Policy {
        window_days: 3650,
        allow_nsfw: false,
        now: now(),
    }
}

#[tokio::test]
async fn a_proxy_refusing_connect_fails_each_host_once_and_is_not_retried() {
    // The proxy answers every CONNECT with 403 (no route), as a newsroom proxy does.
    let proxy = Replay::start(vec![]).await;
    let http = Http::new(HttpOptions {
        proxy: Some(proxy.base.clone()),
        ..HttpOptions::for_tests()
    })
    .unwrap();
    let (store, beat) = store_with_beat();
    let id = citing_record(&store, beat);
    let mut dedup = Dedup::load_from(&store, beat).unwrap();
    let links: Vec<(i64, String)> = [
        "https://github.example/org/model",
        "https://github.example/org/model/releases",
        "https://github.example/org/other",
        "https://huggingface.example/org/model",
    ]
    .iter()
    .map(|l| (id, l.to_string()))
    .collect();
    let opts = CiteOptions {
        per_host: 1,
        ..quick_cite()
    };
    let r = cite(
        &store,
        beat,
        &mut dedup,
        &http,
        &links,
        &policy(),
        &opts,
        |_, _| {},
    )
    .await;
    assert_eq!((r.fetched, r.new, r.pending), (0, 0, 4), "{r:?}");
    assert!(r.errors[0].contains("cannot reach"), "{:#?}", r.errors);
    let connects = proxy
        .requests()
        .iter()
        .filter(|l| l.method == "CONNECT")
        .count();
    assert_eq!(
        connects,
        2,
        "one CONNECT per host, no retries: {:?}",
        proxy.requests()
    );
    assert!(
        r.errors
            .iter()
            .filter(|e| e.contains("failed earlier in this run"))
            .count()
            == 2,
        "{:#?}",
        r.errors
    );
    assert!(http.waits().is_empty(), "no back-off: {:?}", http.waits());
}

#[tokio::test]
async fn links_to_private_addresses_are_refused_after_dns_and_after_redirects() {
    // A forward proxy on loopback: it serves a public-looking name whose page
    // redirects to 127.0.0.1, and a page whose name this machine cannot resolve.
    let page = b"<html><head><title>Lab ships model</title></head><body><article><p>The lab shipped the model on Tuesday, with weights under an open licence and a report on its training data.</p><p>Researchers said the results held up in their own tests of the released weights.</p></article></body></html>".to_vec();
    let proxy = Replay::start(vec![]).await;
    let secret = proxy.url("/secret");
    proxy.set_routes(vec![
        route(
            "GET",
            "http://public.example/story",
            vec![Resp::new(302, "text/html", "moved").header("location", &secret)],
        ),
        route(
            "GET",
            "http://unresolvable.example/news/lab-ships-model",
            vec![Resp::new(200, "text/html; charset=utf-8", page)],
        ),
        route(
            "GET",
            "/secret",
            vec![Resp::new(200, "text/html", "<p>internal</p>")],
        ),
    ]);
    let lookup = Arc::new(StaticLookup(vec![
        (
            "intranet.example".into(),
            vec!["10.0.0.1".parse::<IpAddr>().unwrap()],
        ),
        (
            "mixed.example".into(),
            vec![
                "93.184.216.34".parse().unwrap(),
                "192.168.1.5".parse().unwrap(),
            ],
        ),
    ]));
    let (store, beat) = store_with_beat();
    let id = citing_record(&store, beat);

    // Direct: names are resolved here and checked.
    let direct = Http::guarded(HttpOptions::for_tests(), lookup.clone()).unwrap();
    let mut dedup = Dedup::load_from(&store, beat).unwrap();
    let links: Vec<(i64, String)> = [
        "http://intranet.example/admin",
        "http://mixed.example/a",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:9/",
        &secret,
    ]
    .iter()
    .map(|l| (id, l.to_string()))
    .collect();
    let r = cite(
        &store,
        beat,
        &mut dedup,
        &direct,
        &links,
        &policy(),
        &quick_cite(),
        |_, _| {},
    )
    .await;
    assert_eq!((r.fetched, r.given_up), (0, 5), "{r:#?}");
    let says = |needle: &str| r.errors.iter().any(|e| e.contains(needle));
    assert!(
        says("intranet.example resolves to 10.0.0.1 (private)"),
        "{:#?}",
        r.errors
    );
    assert!(
        says("mixed.example resolves to 192.168.1.5 (private)"),
        "{:#?}",
        r.errors
    );
    assert!(
        says("169.254.169.254 is a cloud metadata address"),
        "{:#?}",
        r.errors
    );
    assert!(says("localhost is this machine"), "{:#?}", r.errors);
    assert!(says("allow_private_links"), "{:#?}", r.errors);

    // Through a proxy: names are the proxy's to resolve; redirects are still checked.
    let proxied = Http::guarded(
        HttpOptions {
            proxy: Some(proxy.base.clone()),
            ..HttpOptions::for_tests()
        },
        lookup,
    )
    .unwrap();
    let links = vec![
        (id, "http://public.example/story".to_string()),
        (
            id,
            "http://unresolvable.example/news/lab-ships-model".to_string(),
        ),
    ];
    let r = cite(
        &store,
        beat,
        &mut dedup,
        &proxied,
        &links,
        &policy(),
        &quick_cite(),
        |_, _| {},
    )
    .await;
    assert_eq!((r.fetched, r.new), (1, 1), "{r:#?}");
    assert!(
        r.errors
            .iter()
            .any(|e| e.contains("public.example") && e.contains("redirected to 127.0.0.1")),
        "{:#?}",
        r.errors
    );
    assert_eq!(
        proxy.count("GET", "/secret"),
        0,
        "the redirect target was never requested"
    );
    let web = records(&store, beat)
        .into_iter()
        .find(|r| r.platform == Platform::Web)
        .expect("the page behind the proxy was stored");
    assert!(web.text.contains("shipped the model"), "{}", web.text);
    assert_eq!(
        store
            .read(|c| beatdesk_ingest::cited_by(c, web.id))
            .unwrap(),
        vec![id]
    );
}

/// A missing page says nothing about its host's other pages: after two
/// 404s, the host's third link is still fetched (a dead host is skipped).
#[tokio::test]
async fn a_missing_page_does_not_mark_its_host_dead() {
    let replay = Replay::start(vec![]).await;
    let links: Vec<String> = ["/gone/1", "/gone/2", "/article"]
        .iter()
        .map(|p| replay.url(p))
        .collect();
    replay.set_routes(vec![
        route(
            "GET",
            "/r/pages/new.json",
            vec![Resp::json(listing("pages", &links))],
        ),
        route(
            "GET",
            "/gone/1",
            vec![Resp::new(404, "text/html", "not here")],
        ),
        route(
            "GET",
            "/gone/2",
            vec![Resp::new(404, "text/html", "not here")],
        ),
        route(
            "GET",
            "/article",
            vec![Resp::new(
                200,
                "text/html; charset=utf-8",
                fixture("pages/packaging.html"),
            )],
        ),
    ]);
    let cfg = BeatConfig::parse(&format!(
        "max_web_citations = 3\nallow_private_links = true\n[[source]]\nkind = \"reddit\"\nsubreddit = \"pages\"\nbase_url = \"{}\"\n",
        replay.base
    ))
    .unwrap();
    let (store, beat) = store_with_beat();
    let http = Http::new(HttpOptions::for_tests()).unwrap();
    let opts = beatdesk_ingest::IngestOptions {
        cite: CiteOptions {
            // One page at a time: the 404s are answered before the article is tried.
            per_host: 1,
            ..quick_cite()
        },
        ..forced()
    };
    let report = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http,
        &MemorySecrets::new(),
        now(),
        &opts,
        |_| {},
    )
    .await;
    let web: Vec<String> = report
        .sources
        .iter()
        .flat_map(|s| s.web.errors.clone())
        .collect();
    assert_eq!(web.len(), 2, "{web:#?}");
    assert!(web.iter().all(|e| e.contains("404")), "{web:#?}");
    assert_eq!(replay.count("GET", "/article"), 1, "{web:#?}");
    assert!(records(&store, beat)
        .iter()
        .any(|r| r.platform == Platform::Web));
}
