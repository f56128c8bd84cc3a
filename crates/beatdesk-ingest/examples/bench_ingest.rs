//! Ingest throughput: 100k Reddit posts in recorded listing format (1,000 pages
//! of 100, built from the fixture's post shape) through parse → normalise →
//! dedup → store, next to a plain serde_json parse + one-transaction rusqlite
//! insert of the same data.
//!
//!     cargo run --release -p beatdesk-ingest --example bench_ingest [-- RECORDS]
//!
//! The headline figure is the production path: `SourceRun::pages`, the loop
//! `ingest_beat` runs for every source (one transaction per page; page N+1
//! parsed, normalised and fingerprinted on a second thread while page N is
//! judged and stored), fed by a source that hands over the recorded bodies as
//! `RedditSource` hands over fetched ones (owned, parsed by `listing_page`).
//! Only the network is left out, as it is from the reference. A second line
//! runs the same stages in a plain single-threaded loop, for comparison.
//!
//! Diagnostics: `PROBE=1` times each stage on its own first (`PROBE=parse` /
//! `PROBE=store` time only that stage), `ONLY_BEATDESK=1` runs just the
//! production path (for a profiler), `PROBE_SQL="PRAGMA ..."` runs SQL on the
//! Beatdesk store before timing.

use std::time::Instant;

use beatdesk_ingest::pipeline::{Dedup, Outcome, Policy, Verdict};
use beatdesk_ingest::sources::reddit::{listing_page, parse_listing};
use beatdesk_ingest::sources::{FetchState, Fetched, Page, Source};
use beatdesk_ingest::{Http, HttpOptions, SourceReport, SourceRun};
use beatdesk_store::Store;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

const WORDS: &[&str] = &[
    "model",
    "weights",
    "quant",
    "chip",
    "export",
    "rule",
    "gpu",
    "inference",
    "latency",
    "benchmark",
    "context",
    "token",
    "training",
    "dataset",
    "license",
    "open",
    "release",
    "lab",
    "cluster",
    "memory",
    "bandwidth",
    "kernel",
    "compiler",
    "driver",
    "supplier",
    "packaging",
    "fab",
    "wafer",
    "yield",
    "price",
    "cloud",
    "startup",
    "funding",
    "round",
    "paper",
    "eval",
    "coding",
    "reasoning",
    "agent",
    "tool",
    "vision",
    "audio",
    "speech",
    "robot",
    "policy",
    "senate",
    "commerce",
    "tariff",
    "datacenter",
    "power",
    "cooling",
    "rack",
    "server",
    "laptop",
    "phone",
    "edge",
    "sparse",
    "dense",
    "mixture",
    "expert",
    "router",
    "cache",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[(self.next() % WORDS.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn make_pages(total: usize, now: DateTime<Utc>) -> Vec<Vec<u8>> {
    let fixture: Value =
        serde_json::from_str(include_str!("../tests/fixtures/reddit/new_page1.json")).unwrap();
    let template = fixture["data"]["children"][1].clone(); // a self post with every field Reddit sends
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut pages = Vec::new();
    let mut n = 0;
    while n < total {
        let mut children = Vec::with_capacity(100);
        for _ in 0..100.min(total - n) {
            let mut t = template.clone();
            let id = format!("b{n:07x}");
            let d = t["data"].as_object_mut().unwrap();
            let title = format!("{} &amp; {}", rng.words(6), rng.words(4));
            let body = format!("{} &lt;3 {}", rng.words(40), rng.words(20));
            d.insert("id".into(), id.clone().into());
            d.insert("name".into(), format!("t3_{id}").into());
            d.insert("title".into(), title.into());
            d.insert("selftext".into(), body.into());
            d.insert(
                "permalink".into(),
                format!("/r/LocalLLaMA/comments/{id}/post_{n}/").into(),
            );
            d.insert(
                "created_utc".into(),
                ((now.timestamp() - (n as i64 % 500_000)) as f64).into(),
            );
            d.insert("score".into(), (rng.next() % 5000).into());
            children.push(t);
            n += 1;
        }
        let page = serde_json::json!({"kind": "Listing", "data": {"after": format!("t3_b{n:07x}"), "dist": children.len(), "modhash": "", "geo_filter": "", "children": children, "before": null}});
        pages.push(serde_json::to_vec(&page).unwrap());
    }
    pages
}

#[derive(Deserialize)]
struct RefListing {
    data: RefData,
}
#[derive(Deserialize)]
struct RefData {
    children: Vec<RefThing>,
}
#[derive(Deserialize)]
struct RefThing {
    data: RefPost,
}
#[derive(Deserialize)]
struct RefPost {
    name: String,
    title: String,
    selftext: String,
    author: String,
    subreddit: String,
    permalink: String,
    created_utc: f64,
    score: i64,
    num_comments: i64,
}

fn reference(pages: &[Vec<u8>], dir: &std::path::Path) -> (usize, f64) {
    let mut conn = rusqlite::Connection::open(dir.join("reference.sqlite")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch(
        "CREATE TABLE records (id INTEGER PRIMARY KEY, platform TEXT, external_id TEXT, url TEXT, title TEXT, text TEXT,
         author TEXT, community TEXT, published_at REAL, metrics TEXT, UNIQUE (platform, external_id))",
    )
    .unwrap();
    let start = Instant::now();
    let tx = conn.transaction().unwrap();
    let mut n = 0;
    {
        let mut stmt = tx
            .prepare("INSERT INTO records (platform, external_id, url, title, text, author, community, published_at, metrics) VALUES ('reddit', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .unwrap();
        for page in pages {
            let l: RefListing = serde_json::from_slice(page).unwrap();
            for t in l.data.children {
                let p = t.data;
                let metrics = format!("{{\"score\":{},\"comments\":{}}}", p.score, p.num_comments);
                stmt.execute(rusqlite::params![
                    p.name,
                    p.permalink,
                    p.title,
                    p.selftext,
                    p.author,
                    p.subreddit,
                    p.created_utc,
                    metrics
                ])
                .unwrap();
                n += 1;
            }
        }
    }
    tx.commit().unwrap();
    (n, start.elapsed().as_secs_f64())
}

/// Recorded listing pages, served in order like `RedditSource` pages: the
/// body handed over owned, to the production parse (`listing_page`).
struct Recorded {
    pages: std::vec::IntoIter<Vec<u8>>,
    limit: usize,
    now: DateTime<Utc>,
}

impl Source for Recorded {
    fn limit(&self) -> usize {
        self.limit
    }

    async fn fetch_page(
        &mut self,
        _http: &Http,
        _cursor: Option<&str>,
        _state: &FetchState,
    ) -> beatdesk_ingest::Result<Fetched> {
        Ok(match self.pages.next() {
            Some(body) => listing_page(body, self.now),
            None => Fetched::parsed(Page::default()),
        })
    }
}

/// The production path: `SourceRun::pages`, as `ingest_beat` runs it for a Reddit source.
fn production(
    pages: Vec<Vec<u8>>,
    total: usize,
    dir: &std::path::Path,
    now: DateTime<Utc>,
) -> (SourceReport, f64) {
    let store = Store::open(&dir.join("production.sqlite")).unwrap();
    let (beat, source_id) = store
        .write(|tx| -> beatdesk_store::Result<_> {
            let beat = beatdesk_store::beats::insert(tx, "bench", "", now)?;
            let params = serde_json::json!({"subreddit": "LocalLLaMA"});
            let source = beatdesk_store::sources::insert(tx, beat, "reddit", &params, now)?;
            Ok((beat, source))
        })
        .unwrap();
    if let Ok(sql) = std::env::var("PROBE_SQL") {
        store.read(|c| c.execute_batch(&sql)).unwrap();
    }
    let policy = Policy {
        window_days: 30,
        allow_nsfw: false,
        now,
    };
    // The CLI's runtime: one thread (the parser thread is the job's own).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = Http::new(HttpOptions::for_tests()).unwrap();
    let mut src = Recorded {
        pages: pages.into_iter(),
        limit: total,
        now,
    };
    let mut sr = SourceReport {
        source_id,
        kind: "reddit".into(),
        label: "r/LocalLLaMA".into(),
        ..SourceReport::default()
    };
    let progress = |_| {};
    let start = Instant::now();
    let mut dedup = Dedup::load_from(&store, beat).unwrap();
    let mut run = SourceRun {
        store: &store,
        dedup: &mut dedup,
        http: &http,
        policy,
        source_id,
        progress: &progress,
        citing: Vec::new(),
        max_cites: 3,
    };
    rt.block_on(run.pages(&mut src, &FetchState::default(), &mut sr))
        .unwrap();
    (sr, start.elapsed().as_secs_f64())
}

/// The same stages in a plain loop on one thread (no overlap), for comparison.
fn single_threaded(
    pages: &[Vec<u8>],
    dir: &std::path::Path,
    now: DateTime<Utc>,
) -> (usize, usize, usize, f64) {
    let store = Store::open(&dir.join("beatdesk.sqlite")).unwrap();
    let beat = store
        .write(|tx| beatdesk_store::beats::insert(tx, "bench", "", now))
        .unwrap();
    if let Ok(sql) = std::env::var("PROBE_SQL") {
        store.read(|c| c.execute_batch(&sql)).unwrap();
    }
    let policy = Policy {
        window_days: 30,
        allow_nsfw: false,
        now,
    };
    let start = Instant::now();
    let mut dedup = Dedup::load_from(&store, beat).unwrap();
    let (mut kept, mut dups, mut other) = (0, 0, 0);
    for page in pages {
        let (items, _) = parse_listing(page, now).unwrap();
        let outcomes = store
            .write(|tx| -> beatdesk_ingest::Result<Vec<Outcome>> {
                items
                    .iter()
                    .map(|it| dedup.apply(tx, it, None, None, None, &policy))
                    .collect()
            })
            .unwrap();
        for o in outcomes {
            match o {
                Outcome::New {
                    verdict: Verdict::Kept,
                    ..
                } => kept += 1,
                Outcome::New {
                    verdict: Verdict::Duplicate { .. },
                    ..
                } => dups += 1,
                _ => other += 1,
            }
        }
    }
    (kept, dups, other, start.elapsed().as_secs_f64())
}

fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let now: DateTime<Utc> = "2026-11-12T12:00:00Z".parse().unwrap();
    let pages = make_pages(total, now);
    let bytes: usize = pages.iter().map(Vec::len).sum();
    println!(
        "{} records in {} recorded pages ({:.1} MB of listing JSON)",
        total,
        pages.len(),
        bytes as f64 / 1e6
    );
    let dir = tempfile::tempdir().unwrap();
    match std::env::var("PROBE").as_deref() {
        Ok("store") => return probe_store(&pages, now),
        Ok("parse") => {
            for _ in 0..3 {
                let t = Instant::now();
                let mut n = 0;
                for p in &pages {
                    n += parse_listing(p, now).unwrap().0.len();
                }
                println!("probe parse: {:.2} s ({n})", t.elapsed().as_secs_f64());
            }
            return;
        }
        Ok(_) => {
            probe(&pages, now);
            probe_store(&pages, now);
            probe_cached(&pages, now);
        }
        Err(_) => {}
    }
    if std::env::var("ONLY_BEATDESK").is_ok() {
        let (sr, t) = production(pages, total, dir.path(), now);
        println!("beatdesk only: {} new in {t:.2} s", sr.new);
        return;
    }
    let (n_ref, t_ref) = reference(&pages, dir.path());
    let (kept, dups, other, t_1) = single_threaded(&pages, dir.path(), now);
    // The production path takes the bodies owned, as fetched ones are: the bench's copy goes in.
    let (sr, t_bd) = production(pages, total, dir.path(), now);
    assert_eq!(sr.fetched, total, "{sr:?}");
    assert!(sr.errors.is_empty(), "{:?}", sr.errors);
    let (r_ref, r_bd, r_1) = (
        n_ref as f64 / t_ref,
        total as f64 / t_bd,
        total as f64 / t_1,
    );
    println!("reference  serde_json + 1-transaction rusqlite insert: {n_ref} records in {t_ref:.2} s = {r_ref:.0} records/s");
    println!(
        "beatdesk   production ingest path (SourceRun::pages, 1 tx/page, next page parsed on the 2nd core): {total} records in {t_bd:.2} s = {r_bd:.0} records/s  (pages {}, new {}, duplicates {}, rejected {}, updated {})",
        sr.pages, sr.new, sr.duplicates, sr.rejected, sr.updated
    );
    println!(
        "ratio beatdesk/reference = {:.2}x (target >= 0.5x)",
        r_bd / r_ref
    );
    println!("for comparison: same stages in one single-threaded loop: {total} records in {t_1:.2} s = {r_1:.0} records/s (kept {kept}, duplicates {dups}, other {other}) = {:.2}x", r_1 / r_ref);
}

#[allow(dead_code)]
pub fn probe(pages: &[Vec<u8>], now: DateTime<Utc>) {
    let t = Instant::now();
    let mut n = 0;
    for p in pages {
        let l: RefListing = serde_json::from_slice(p).unwrap();
        n += l.data.children.len();
    }
    println!(
        "probe reference parse: {:.2} s ({n})",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut items = Vec::new();
    for p in pages {
        items.extend(parse_listing(p, now).unwrap().0);
    }
    println!("probe parse: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let mut x = 0u64;
    for it in &items {
        x ^= beatdesk_ingest::neardup::signature(&it.text)
            .map(|s| s[0] as u64)
            .unwrap_or(0);
    }
    println!("probe minhash: {:.2} s ({x})", t.elapsed().as_secs_f64());
    let d = Dedup::empty(1);
    let policy = Policy {
        window_days: 30,
        allow_nsfw: false,
        now,
    };
    let t = Instant::now();
    for it in &items {
        let _ = d.judge(it, &policy);
    }
    println!("probe judge: {:.2} s", t.elapsed().as_secs_f64());
}

#[allow(dead_code)]
pub fn probe_store(pages: &[Vec<u8>], now: DateTime<Utc>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("p.sqlite")).unwrap();
    let beat = store
        .write(|tx| beatdesk_store::beats::insert(tx, "bench", "", now))
        .unwrap();
    if let Ok(sql) = std::env::var("PROBE_SQL") {
        store.read(|c| c.execute_batch(&sql)).unwrap();
    }
    let mut recs = Vec::new();
    for p in pages {
        for it in parse_listing(p, now).unwrap().0 {
            recs.push(beatdesk_store::records::NewRecord {
                source_id: None,
                platform: it.platform,
                external_id: it.external_id,
                url: it.url,
                canonical_url: it.canonical_url,
                title: it.title,
                text: it.text,
                author: it.author,
                community: it.community,
                published_at: it.published_at,
                metrics: it.metrics,
                status: beatdesk_types::RecordStatus::Kept,
                reason: None,
                duplicate_of: None,
                note: None,
                added_by: None,
            });
        }
    }
    let t = Instant::now();
    let chunk_n: usize = std::env::var("PROBE_CHUNK")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    for chunk in recs.chunks(chunk_n) {
        store
            .write(|tx| -> beatdesk_store::Result<()> {
                for r in chunk {
                    beatdesk_store::records::upsert(tx, beat, r, now)?;
                }
                Ok(())
            })
            .unwrap();
    }
    println!(
        "probe store.upsert (1 tx/100): {:.2} s",
        t.elapsed().as_secs_f64()
    );
}

#[allow(dead_code)]
pub fn probe_cached(pages: &[Vec<u8>], now: DateTime<Utc>) {
    use beatdesk_store::{params, OptionalExtension};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("p.sqlite")).unwrap();
    let beat = store
        .write(|tx| beatdesk_store::beats::insert(tx, "bench", "", now))
        .unwrap();
    let mut items = Vec::new();
    for p in pages {
        items.extend(parse_listing(p, now).unwrap().0);
    }
    let t = Instant::now();
    for chunk in items.chunks(100) {
        store.write(|tx| -> beatdesk_store::Result<()> {
            for r in chunk {
                let e: Option<i64> = tx.prepare_cached("SELECT id FROM records WHERE beat_id = ?1 AND platform = ?2 AND external_id = ?3")?
                    .query_row(params![beat, r.platform.as_str(), r.external_id], |x| x.get(0)).optional()?;
                assert!(e.is_none());
                let metrics = serde_json::to_string(&r.metrics).unwrap();
                tx.prepare_cached("INSERT INTO records (beat_id, source_id, platform, external_id, url, canonical_url, title, text, author,
            community, published_at, fetched_at, metrics, status, reason, duplicate_of, note, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)")?.execute(params![
                    beat, None::<i64>, r.platform.as_str(), r.external_id, r.url, r.canonical_url, r.title, r.text, r.author, r.community,
                    beatdesk_store::to_sql_time(r.published_at), beatdesk_store::to_sql_time(now), metrics, "kept", None::<String>, None::<i64>, None::<String>, None::<String>])?;
            }
            Ok(())
        }).unwrap();
    }
    println!(
        "probe cached select+insert (1 tx/100): {:.2} s",
        t.elapsed().as_secs_f64()
    );
}
