mod common;

use std::time::Duration;

use beatdesk_ingest::{ingest_beat_with, BeatConfig, MemorySecrets};
use beatdesk_types::{Platform, RecordStatus};
use common::*;

fn reddit_routes() -> Vec<Route> {
    vec![
        route(
            "GET",
            "/r/LocalLLaMA/new.json",
            vec![Resp::json(fixture("reddit/new_page2.json"))],
        )
        .query_has("after=t3_1x2old1"),
        route(
            "GET",
            "/r/LocalLLaMA/new.json",
            vec![
                Resp::new(
                    429,
                    "application/json; charset=UTF-8",
                    r#"{"message": "Too Many Requests", "error": 429}"#,
                )
                .header("Retry-After", "2")
                .header("x-ratelimit-used", "100")
                .header("x-ratelimit-remaining", "0.0")
                .header("x-ratelimit-reset", "2"),
                Resp::json(fixture("reddit/new_page1.json"))
                    .header("x-ratelimit-used", "2")
                    .header("x-ratelimit-remaining", "98.0")
                    .header("x-ratelimit-reset", "418"),
            ],
        ),
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

fn config(base: &str) -> BeatConfig {
    BeatConfig::parse(&format!(
        "window_days = 7\nmax_web_citations = 3\nallow_private_links = true\n[[source]]\nkind = \"reddit\"\nsubreddit = \"LocalLLaMA\"\nbase_url = \"{base}\"\nlimit = 50\n"
    ))
    .unwrap()
}

#[tokio::test]
async fn reddit_listing_paging_rejections_crossposts_retry_and_reingest() {
    let replay = Replay::start(reddit_routes()).await;
    let (store, beat) = store_with_beat();
    let http = http();
    let secrets = MemorySecrets::new();
    let cfg = config(&replay.base);
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
    assert_eq!((s.pages, s.fetched), (2, 9), "{s:#?}");
    assert_eq!((s.new, s.rejected, s.duplicates), (4, 4, 1), "{s:#?}");
    assert_eq!(s.rejected_reasons["deleted by its author"], 1);
    assert_eq!(s.rejected_reasons["removed by moderators"], 1);
    assert_eq!(s.rejected_reasons["NSFW (the beat does not allow it)"], 1);
    assert_eq!(s.rejected_reasons["outside the 7-day window"], 1);
    assert_eq!(s.duplicate_reasons["crosspost"], 1);
    // The 429 was honoured: the server's Retry-After (2 s) was the wait asked for (capped in tests).
    assert!(
        http.waits().contains(&Duration::from_secs(2)),
        "{:?}",
        http.waits()
    );
    // Descriptive User-Agent and raw_json on every listing call.
    let reqs = replay.requests();
    let listing = reqs.iter().find(|r| r.path.ends_with("new.json")).unwrap();
    assert!(listing
        .headers
        .iter()
        .any(|(k, v)| k == "user-agent" && v == "desktop:beatdesk:0.1 (by /u/beatdesk)"));
    assert!(listing.query.contains("raw_json=1") && listing.query.contains("limit=50"));

    let recs = records(&store, beat);
    let by_ext = |id: &str| {
        recs.iter()
            .find(|r| r.external_id == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    let post = by_ext("t3_1y7ovx2");
    assert_eq!(post.title, "Commerce proposes new export rules for AI chips & accelerators, closing third-country loophole");
    assert_eq!(post.status, RecordStatus::Kept);
    assert_eq!(post.community.as_deref(), Some("r/LocalLLaMA"));
    assert_eq!(post.published_at.timestamp(), 1794481200);
    assert_eq!(post.metrics.score, Some(1290));
    let bench = by_ext("t3_1y7p0aa");
    assert!(
        bench.title.contains("< 2%") && bench.text.contains("fp16 & the 3-bit"),
        "{}",
        bench.text
    );
    let deleted = by_ext("t3_1y7p1bb");
    assert_eq!(
        (deleted.status, deleted.reason.as_deref()),
        (RecordStatus::Rejected, Some("deleted by its author"))
    );
    assert_eq!(
        deleted.title, "Leaked roadmap for next-gen accelerators (mirror inside)",
        "the title is kept"
    );
    let xpost = by_ext("t3_1y7p4ee");
    assert_eq!(
        (xpost.status, xpost.duplicate_of),
        (RecordStatus::Duplicate, Some(post.id))
    );
    assert!(xpost
        .reason
        .as_deref()
        .unwrap()
        .contains("crosspost of t3_1y7ovx2"));

    // Web citations: the link post and the self post's link, fetched once each.
    assert_eq!((s.web.fetched, s.web.new), (2, 2), "{:?}", s.web);
    let web: Vec<_> = recs
        .iter()
        .filter(|r| r.platform == Platform::Web)
        .collect();
    assert_eq!(web.len(), 2);
    let chip = web
        .iter()
        .find(|r| {
            r.canonical_url
                .ends_with("/tech/2026/11/11/chip-export-rules")
        })
        .expect("rel=canonical used");
    assert_eq!(
        store
            .read(|c| beatdesk_ingest::cited_by(c, chip.id))
            .unwrap(),
        vec![post.id]
    );
    assert_eq!(chip.community.as_deref(), Some("The Ledger"));
    assert!(
        chip.text.contains("close loopholes")
            && !chip.text.contains("LiquidCool")
            && !chip.text.contains("Sign up"),
        "{}",
        chip.text
    );

    // Re-ingesting the same responses adds nothing and updates metrics instead.
    let before = records(&store, beat).len();
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
    let s2 = &again.sources[0];
    assert_eq!(records(&store, beat).len(), before);
    assert_eq!(
        (s2.new, s2.rejected, s2.duplicates, s2.web.new),
        (0, 0, 0, 0),
        "{s2:#?}"
    );
    assert_eq!(s2.updated, 7, "page 1 all known: paging stops there");
    // Not due yet without force.
    let lazy =
        beatdesk_ingest::ingest_beat(&store, beat, &cfg, &http, &secrets, now(), |_| {}).await;
    assert!(lazy.sources[0].skipped);
}

#[tokio::test]
async fn html_block_page_is_a_clear_error_and_other_sources_continue() {
    let replay = Replay::start(vec![
        route(
            "GET",
            "/r/LocalLLaMA/new.json",
            vec![Resp::new(
                403,
                "text/html; charset=utf-8",
                fixture("reddit/block.html"),
            )],
        ),
        route(
            "GET",
            "/r/hardware/new.json",
            vec![Resp::new(
                200,
                "text/html; charset=utf-8",
                fixture("reddit/block.html"),
            )],
        ),
        route(
            "GET",
            "/feeds/ledger.xml",
            vec![Resp::new(
                200,
                "application/rss+xml; charset=UTF-8",
                fixture("feeds/ledger.xml"),
            )],
        ),
    ])
    .await;
    let (store, beat) = store_with_beat();
    let cfg = BeatConfig::parse(&format!(
        "max_web_citations = 0\n[[source]]\nkind = \"reddit\"\nsubreddit = \"LocalLLaMA\"\nbase_url = \"{b}\"\n\
         [[source]]\nkind = \"reddit\"\nsubreddit = \"hardware\"\nbase_url = \"{b}\"\n\
         [[source]]\nkind = \"feed\"\nurl = \"{b}/feeds/ledger.xml\"\n",
        b = replay.base
    ))
    .unwrap();
    let report = ingest_beat_with(
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
    for s in &report.sources[..2] {
        let e = s.errors.join("; ");
        assert!(
            e.contains("whoa there, pardner!") && e.contains("blocked"),
            "{e}"
        );
        assert_eq!(s.fetched, 0);
    }
    assert!(
        report.sources[2].errors.is_empty() && report.sources[2].new > 0,
        "{:#?}",
        report.sources[2]
    );
    let rows = store
        .read(|c| beatdesk_store::sources::list_for_beat(c, beat))
        .unwrap();
    assert_eq!(rows[0].error_count, 1);
    assert!(rows[0].last_error.as_deref().unwrap().contains("pardner"));
    assert!(rows[0].next_check_at.unwrap() > now());
}

#[tokio::test]
async fn app_only_oauth_uses_the_token_on_the_oauth_host() {
    let replay = Replay::start(vec![
        route(
            "POST",
            "/api/v1/access_token",
            vec![Resp::json(fixture("reddit/token.json"))],
        )
        .header_has("authorization", "Basic aWQtMTIzOnNlY3JldC00NTY="),
        route(
            "GET",
            "/oauth/r/LocalLLaMA/search",
            vec![Resp::json(fixture("reddit/new_page2.json"))],
        )
        .header_has("authorization", "bearer eyJ"),
    ])
    .await;
    let (store, beat) = store_with_beat();
    let cfg = BeatConfig::parse(&format!(
        "max_web_citations = 0\n[[source]]\nkind = \"reddit\"\nsubreddit = \"LocalLLaMA\"\nquery = \"open weights\"\nbase_url = \"{b}\"\noauth_base_url = \"{b}/oauth\"\n",
        b = replay.base
    ))
    .unwrap();
    let secrets = MemorySecrets::with(&[
        ("reddit-client-id", "id-123"),
        ("reddit-client-secret", "secret-456"),
    ]);
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
    assert_eq!(s.new, 2);
    let search = replay
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/search"))
        .unwrap();
    assert!(
        search.query.contains("q=open+weights") && search.query.contains("restrict_sr=1"),
        "{}",
        search.query
    );
    let token = replay
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/v1/access_token")
        .unwrap();
    assert_eq!(token.body, "grant_type=client_credentials");
    // No secret in any stored error or report.
    assert!(!format!("{report:?}").contains("secret-456"));
}
