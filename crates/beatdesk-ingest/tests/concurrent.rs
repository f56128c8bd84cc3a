//! Two desks refreshing one beat at once on a shared PostgreSQL store: each
//! source is fetched by one of them only (an advisory lock per source, and a
//! source fetched while the other waited is not fetched again), and no
//! record is stored twice. Runs on PostgreSQL only (`BEATDESK_TEST_PG`).

mod common;

use std::collections::HashSet;

use beatdesk_ingest::{ingest_beat_with, BeatConfig, IngestOptions, MemorySecrets};
use common::*;

fn feeds() -> Vec<Route> {
    vec![
        route(
            "GET",
            "/feeds/ledger.xml",
            vec![Resp::new(
                200,
                "application/rss+xml; charset=UTF-8",
                fixture("feeds/ledger.xml"),
            )],
        ),
        route(
            "GET",
            "/feeds/atom.xml",
            vec![Resp::new(
                200,
                "application/atom+xml",
                fixture("feeds/atom.xml"),
            )],
        ),
    ]
}

#[tokio::test]
async fn two_desks_ingesting_one_beat_fetch_each_source_once_and_store_each_record_once() {
    let (store, beat) = store_with_beat();
    let Some(other) = store.open_again().unwrap() else {
        eprintln!(
            "skipped: needs a shared PostgreSQL store (set BEATDESK_TEST_PG, see tests/pg/env.sh)"
        );
        return;
    };
    let replay = Replay::start(feeds()).await;
    let b = &replay.base;
    let cfg = BeatConfig::parse(&format!(
        "max_web_citations = 0\n\
         [[source]]\nkind = \"feed\"\nurl = \"{b}/feeds/ledger.xml\"\n\
         [[source]]\nkind = \"feed\"\nurl = \"{b}/feeds/atom.xml\"\n"
    ))
    .unwrap();
    // Not forced: as from cron and a desk's Refresh, both due.
    let opts = IngestOptions {
        force: false,
        env: no_env,
        ..Default::default()
    };
    let (http_a, http_b) = (http(), http());
    let (secrets_a, secrets_b) = (MemorySecrets::new(), MemorySecrets::new());
    let (a, b) = tokio::join!(
        ingest_beat_with(
            &store,
            beat,
            &cfg,
            &http_a,
            &secrets_a,
            now(),
            &opts,
            |_| {}
        ),
        ingest_beat_with(
            &other,
            beat,
            &cfg,
            &http_b,
            &secrets_b,
            now(),
            &opts,
            |_| {}
        ),
    );
    assert!(a.errors.is_empty() && b.errors.is_empty(), "{a:#?}\n{b:#?}");
    for path in ["/feeds/ledger.xml", "/feeds/atom.xml"] {
        assert_eq!(
            replay.count("GET", path),
            1,
            "{path} fetched once: {:#?}",
            replay.requests()
        );
    }
    let fetched: Vec<(usize, bool)> = a
        .sources
        .iter()
        .chain(&b.sources)
        .map(|s| (s.new, s.skipped))
        .collect();
    assert_eq!(
        fetched.iter().filter(|(_, skipped)| *skipped).count(),
        2,
        "each source skipped by one desk: {fetched:?}"
    );
    let stored = records(&store, beat);
    let keys: HashSet<(String, String)> = stored
        .iter()
        .map(|r| (r.platform.as_str().to_string(), r.external_id.clone()))
        .collect();
    assert_eq!(keys.len(), stored.len(), "no record stored twice");
    let new: usize = fetched.iter().map(|(n, _)| n).sum();
    assert_eq!(new, stored.len(), "the two reports count each record once");
    assert!(!stored.is_empty());
    drop(other);
}
