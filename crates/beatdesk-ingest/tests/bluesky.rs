mod common;

use beatdesk_ingest::{ingest_beat_with, BeatConfig, MemorySecrets, SecretStore};
use beatdesk_types::{Platform, RecordStatus};
use common::*;

const SEARCH: &str = "/pds/xrpc/app.bsky.feed.searchPosts";

fn routes() -> Vec<Route> {
    vec![
        route(
            "POST",
            "/entry/xrpc/com.atproto.server.createSession",
            vec![Resp::json(fixture("bluesky/session.json"))],
        ),
        route(
            "POST",
            "/pds/xrpc/com.atproto.server.refreshSession",
            vec![Resp::json(fixture("bluesky/refreshed.json"))],
        )
        .header_has("authorization", "Bearer refresh-jwt-1"),
        // Page 2 with the first token: expired.
        route(
            "GET",
            SEARCH,
            vec![Resp::new(
                400,
                "application/json; charset=utf-8",
                fixture("bluesky/expired.json"),
            )],
        )
        .query_has("cursor=25")
        .header_has("authorization", "Bearer access-jwt-1"),
        route(
            "GET",
            SEARCH,
            vec![Resp::json(fixture("bluesky/search_page2.json"))],
        )
        .query_has("cursor=25")
        .header_has("authorization", "Bearer access-jwt-2"),
        route(
            "GET",
            SEARCH,
            vec![Resp::json(fixture("bluesky/search_page1.json"))
                .header("ratelimit-limit", "3000")
                .header("ratelimit-remaining", "2999")
                .header("ratelimit-reset", "1794482100")
                .header("ratelimit-policy", "3000;w=300")],
        )
        .header_has("authorization", "Bearer access-jwt"),
        route(
            "GET",
            "/pds/xrpc/app.bsky.feed.getAuthorFeed",
            vec![Resp::json(fixture("bluesky/author_feed.json"))],
        )
        .header_has("authorization", "Bearer access-jwt-2"),
        route(
            "GET",
            "/articles/chip-export-rules",
            vec![Resp::new(
                200,
                "text/html; charset=UTF-8",
                fixture("pages/chip-export-rules.html"),
            )],
        ),
        route(
            "GET",
            "/articles/open-weights",
            vec![Resp::new(
                200,
                "text/html; charset=utf-8",
                fixture("pages/open-weights.html"),
            )],
        ),
    ]
}

fn config(base: &str, extra: &str) -> BeatConfig {
    BeatConfig::parse(&format!(
        "allow_private_links = true\n[[source]]\nkind = \"bluesky\"\nquery = \"export rules\"\nhandle = \"desk.example.org\"\nbase_url = \"{base}/entry\"\n{extra}"
    ))
    .unwrap()
}

#[tokio::test]
async fn session_pds_cursor_expired_token_labels_facets_and_reingest() {
    let replay = Replay::start(routes()).await;
    let (store, beat) = store_with_beat();
    let http = http();
    let secrets = MemorySecrets::with(&[(
        "bluesky-app-password:desk.example.org",
        "abcd-efgh-ijkl-mnop",
    )]);
    let cfg = config(&replay.base, "");
    let report = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http,
        &secrets,
        now(),
        &forced(),
        |_| {},
    )
    .await;
    let s = &report.sources[0];
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(
        (s.pages, s.fetched, s.new, s.rejected, s.duplicates),
        (2, 7, 4, 2, 1),
        "{s:#?}"
    );
    assert_eq!(s.rejected_reasons["labelled spam"], 1);
    assert_eq!(s.rejected_reasons["NSFW (the beat does not allow it)"], 1);
    assert_eq!(s.duplicate_reasons["near-identical text"], 1);

    // One session, created at the entryway with the app password; everything else on the PDS.
    assert_eq!(
        replay.count("POST", "/entry/xrpc/com.atproto.server.createSession"),
        1
    );
    assert_eq!(
        replay.count("POST", "/pds/xrpc/com.atproto.server.refreshSession"),
        1
    );
    assert_eq!(
        replay.count("GET", "/entry/xrpc/app.bsky.feed.searchPosts"),
        0
    );
    let login = replay
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("createSession"))
        .unwrap();
    assert!(login.body.contains("\"identifier\":\"desk.example.org\""));
    // The refreshed session is cached in the secret store.
    let cached = secrets
        .get(&beatdesk_ingest::secrets::keys::bluesky_session(
            &format!("{}/entry", replay.base),
            "desk.example.org",
        ))
        .unwrap()
        .unwrap();
    assert!(cached.contains("access-jwt-2") && cached.contains("/pds"));
    assert!(!format!("{report:?}").contains("abcd-efgh"));

    let recs = records(&store, beat);
    let p1 = recs
        .iter()
        .find(|r| r.external_id.ends_with("/3mxpvx3sowcap"))
        .unwrap();
    assert_eq!(
        p1.url,
        "https://bsky.app/profile/did:plc:reporterone00000000001/post/3mxpvx3sowcap"
    );
    assert!(
        p1.text.contains(&format!(
            "third‑country loophole: {}/articles/chip-export-rules #chips",
            replay.base
        )),
        "{}",
        p1.text
    );
    assert_eq!(
        (p1.metrics.likes, p1.metrics.reposts, p1.metrics.comments),
        (Some(187), Some(35), Some(14))
    );
    assert_eq!(p1.author, "chips.reporter.example");
    let future = recs
        .iter()
        .find(|r| r.external_id.ends_with("/3mxpw3bbbbb33"))
        .unwrap();
    assert_eq!(
        future.published_at.to_rfc3339(),
        "2026-11-12T09:30:00+00:00",
        "createdAt in the future: indexedAt wins"
    );
    assert_eq!(future.metrics.likes, None, "absent counts stay absent");
    let bot = recs
        .iter()
        .find(|r| r.external_id.ends_with("/3mxpw4ccccc44"))
        .unwrap();
    assert_eq!(
        (bot.status, bot.duplicate_of),
        (RecordStatus::Duplicate, Some(future.id))
    );
    let empty = recs
        .iter()
        .find(|r| r.external_id.ends_with("/3mxpw7fffff77"))
        .unwrap();
    assert_eq!(
        empty.status,
        RecordStatus::Kept,
        "empty text with an image embed is still a post"
    );
    // Two articles cited (both facets and the link card point at the first: fetched once).
    assert_eq!(
        recs.iter().filter(|r| r.platform == Platform::Web).count(),
        2
    );

    // Again, with the cached session: no new login, nothing new stored.
    let n = recs.len();
    let again = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http,
        &secrets,
        now(),
        &forced(),
        |_| {},
    )
    .await;
    assert!(
        again.sources[0].errors.is_empty(),
        "{:?}",
        again.sources[0].errors
    );
    assert_eq!(again.sources[0].new, 0);
    assert_eq!(records(&store, beat).len(), n);
    assert_eq!(
        replay.count("POST", "/entry/xrpc/com.atproto.server.createSession"),
        1
    );
}

#[tokio::test]
async fn author_feed_reposts_collapse_on_uri() {
    let replay = Replay::start(routes()).await;
    let (store, beat) = store_with_beat();
    let secrets = MemorySecrets::with(&[(
        "bluesky-app-password:desk.example.org",
        "abcd-efgh-ijkl-mnop",
    )]);
    // Search first (holds the reposted post), then the news org's feed.
    let cfg = config(&replay.base, &format!(
        "[[source]]\nkind = \"bluesky\"\nactor = \"news.example.org\"\nhandle = \"desk.example.org\"\nbase_url = \"{}/entry\"\n",
        replay.base
    ));
    let report = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http(),
        &secrets,
        now(),
        &forced(),
        |_| {},
    )
    .await;
    let feed = &report.sources[1];
    assert!(feed.errors.is_empty(), "{:?}", feed.errors);
    // Both posts of the author feed (the repost and the org's own post) were already seen by the search.
    assert_eq!((feed.fetched, feed.new), (2, 0), "{feed:#?}");
    assert_eq!(feed.duplicates, 2);
    let q = replay
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("getAuthorFeed"))
        .unwrap()
        .query;
    assert!(q.contains("actor=news.example.org"), "{q}");
}

#[tokio::test]
async fn missing_app_password_names_the_fix() {
    let replay = Replay::start(routes()).await;
    let (store, beat) = store_with_beat();
    let report = ingest_beat_with(
        &store,
        beat,
        &config(&replay.base, ""),
        &http(),
        &MemorySecrets::new(),
        now(),
        &forced(),
        |_| {},
    )
    .await;
    let e = report.sources[0].errors.join(";");
    assert!(
        e.contains("beatdesk account set bluesky") && e.contains("BEATDESK_BLUESKY_APP_PASSWORD"),
        "{e}"
    );
}

#[tokio::test]
async fn search_forbidden_is_not_no_results() {
    let replay = Replay::start(vec![
        route("POST", "/entry/xrpc/com.atproto.server.createSession", vec![Resp::json(fixture("bluesky/session.json"))]),
        route("GET", SEARCH, vec![Resp::new(403, "text/html", "<html><head><title>403 Forbidden</title></head><body><h1>Request forbidden by administrative rules.</h1></body></html>")]),
    ])
    .await;
    let (store, beat) = store_with_beat();
    let secrets = MemorySecrets::with(&[(
        "bluesky-app-password:desk.example.org",
        "abcd-efgh-ijkl-mnop",
    )]);
    let report = ingest_beat_with(
        &store,
        beat,
        &config(&replay.base, ""),
        &http(),
        &secrets,
        now(),
        &forced(),
        |_| {},
    )
    .await;
    let e = report.sources[0].errors.join(";");
    assert!(e.contains("blocked") && e.contains("403"), "{e}");
}

fn password() -> MemorySecrets {
    MemorySecrets::with(&[(
        "bluesky-app-password:desk.example.org",
        "abcd-efgh-ijkl-mnop",
    )])
}

fn cached_session(service: &str, pds: &str, token: &str) -> String {
    serde_json::json!({
        "accessJwt": token, "refreshJwt": "old-refresh", "did": "did:plc:desk",
        "pds": pds, "service": service
    })
    .to_string()
}

#[tokio::test]
async fn a_cached_session_whose_pds_stopped_answering_signs_in_once_and_carries_on() {
    let replay = Replay::start(routes()).await;
    let (store, beat) = store_with_beat();
    let secrets = password();
    let service = format!("{}/entry", replay.base);
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    secrets
        .set(
            &beatdesk_ingest::secrets::keys::bluesky_session(&service, "desk.example.org"),
            &cached_session(&service, &format!("http://127.0.0.1:{dead}"), "old-access"),
        )
        .unwrap();
    let cfg = config(&replay.base, "");
    let report = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http(),
        &secrets,
        now(),
        &forced(),
        |_| {},
    )
    .await;
    let s = &report.sources[0];
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.new, 4, "{s:#?}");
    assert_eq!(
        replay.count("POST", "/entry/xrpc/com.atproto.server.createSession"),
        1
    );
}

#[tokio::test]
async fn a_changed_base_url_never_reuses_another_services_session() {
    let replay = Replay::start(routes()).await;
    let (store, beat) = store_with_beat();
    let secrets = password();
    // A session from another service, under the old handle-only key and the new one.
    let other = "https://pds.elsewhere.example";
    let old = cached_session(other, &format!("{}/pds", replay.base), "other-access");
    secrets
        .set("bluesky-session:desk.example.org", &old)
        .unwrap();
    secrets
        .set(
            &beatdesk_ingest::secrets::keys::bluesky_session(other, "desk.example.org"),
            &old,
        )
        .unwrap();
    let cfg = config(&replay.base, "");
    let report = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http(),
        &secrets,
        now(),
        &forced(),
        |_| {},
    )
    .await;
    assert!(
        report.sources[0].errors.is_empty(),
        "{:?}",
        report.sources[0].errors
    );
    assert_eq!(
        replay.count("POST", "/entry/xrpc/com.atproto.server.createSession"),
        1
    );
    assert!(
        !replay
            .requests()
            .iter()
            .any(|r| r.headers.iter().any(|(_, v)| v.contains("other-access"))),
        "the other service's token was never sent"
    );
}

#[tokio::test]
async fn an_invalid_pds_address_is_not_used_and_does_not_panic() {
    let session = r##"{"accessJwt":"access-jwt-1","refreshJwt":"refresh-jwt-1","did":"did:plc:desk","didDoc":{"service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"http://pds.example.net:notaport"}]}}"##;
    let replay = Replay::start(vec![
        route(
            "POST",
            "/entry/xrpc/com.atproto.server.createSession",
            vec![Resp::json(session)],
        ),
        route(
            "GET",
            "/entry/xrpc/app.bsky.feed.searchPosts",
            vec![Resp::json(fixture("bluesky/search_page1.json"))],
        ),
    ])
    .await;
    let (store, beat) = store_with_beat();
    let cfg = config(&replay.base, "");
    let report = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http(),
        &password(),
        now(),
        &forced(),
        |_| {},
    )
    .await;
    let s = &report.sources[0];
    assert!(
        s.fetched > 0,
        "calls went to the configured service: {s:#?}"
    );
    assert_eq!(
        replay.count("GET", "/entry/xrpc/app.bsky.feed.searchPosts"),
        s.pages
    );
}

#[tokio::test]
async fn credentials_never_travel_over_plain_http_except_to_this_machine() {
    // A non-loopback http base_url: refused before anything is sent.
    let (store, beat) = store_with_beat();
    let cfg = BeatConfig::parse(
        "[[source]]\nkind = \"bluesky\"\nquery = \"x\"\nhandle = \"desk.example.org\"\nbase_url = \"http://bsky.example.net\"\n",
    )
    .unwrap();
    let report = ingest_beat_with(
        &store,
        beat,
        &cfg,
        &http(),
        &password(),
        now(),
        &forced(),
        |_| {},
    )
    .await;
    let err = report.sources[0].errors.join("\n");
    assert!(
        err.contains("refused to send credentials to http://bsky.example.net/xrpc/com.atproto.server.createSession"),
        "{err}"
    );
    assert!(!err.contains("abcd-efgh"), "{err}");
    // The same request to this machine goes out (tests, a local PDS).
    let http = http();
    let req = beatdesk_ingest::http::Request::post_json(
        "http://127.0.0.1:9/xrpc/com.atproto.server.createSession",
        serde_json::json!({"identifier": "a", "password": "p"}),
    );
    let e = http.send(&req).await.unwrap_err();
    assert!(
        matches!(e, beatdesk_ingest::IngestError::Unreachable { .. }),
        "{e}"
    );
    let req = beatdesk_ingest::http::Request::get(
        "http://reddit.example.com/r/x/new.json",
        beatdesk_ingest::http::Expect::Json,
    )
    .header("authorization", "bearer t");
    assert!(matches!(
        http.send(&req).await.unwrap_err(),
        beatdesk_ingest::IngestError::Insecure { .. }
    ));
}
