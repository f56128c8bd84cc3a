//! Two desks editing and a cron-style ingest, together, on one shared store.
//!
//!     bash tests/pg/start.sh bash tests/pg/env.sh \
//!       cargo run --release -p beatdesk-core --example soak -- --store "$BEATDESK_TEST_PG" --seconds 300
//!
//! A loopback RSS server publishes a few new items every few seconds (and
//! keeps the last ones in the feed, as real feeds do). A cron thread ingests
//! the beat every 2 s and re-analyses it; two desk threads, each with its own
//! Beatdesk and store session, keep editing the drafted stories, each edit
//! on the revision it read; a stale edit is retried from the new revision.
//! At the end: errors, edits saved, conflicts retried, edits lost (a saved
//! revision whose text is not what that desk wrote) and duplicate records
//! (two rows for one post, or two kept records for one URL) — the last two
//! must be 0.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use beatdesk_core::{Beatdesk, StoreAddress};
use beatdesk_ingest::{
    ingest_beat_with, BeatConfig, Http, HttpOptions, IngestOptions, MemorySecrets,
};
use beatdesk_types::DocumentEdit;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOPICS: &[&str] = &[
    "export rules for AI accelerators tighten at the border",
    "open model weights released under a permissive licence",
    "datacentre power deal signed for new GPU cluster",
    "chip startup raises funding for inference silicon",
];

/// RSS with the newest 12 items of feed `k`: two new items every 3 s.
fn feed(k: usize, started: Instant) -> String {
    let now = started.elapsed().as_secs() as usize / 3;
    let mut items = String::new();
    for t in (0..=now).rev().take(6) {
        for j in 0..2 {
            let n = t * 2 + j;
            let topic = TOPICS[(n + k) % TOPICS.len()];
            let published = chrono::Utc::now() - chrono::Duration::seconds(((now - t) * 3) as i64);
            items.push_str(&format!(
                "<item><title>Feed {k} item {n}: {topic}</title><link>http://news.invalid/{k}/{n}</link>\
                 <guid isPermaLink=\"false\">feed{k}-{n}</guid><pubDate>{}</pubDate>\
                 <description>Report {n} from feed {k}: {topic}. Officials said the change takes effect this week.</description></item>",
                published.to_rfc2822()
            ));
        }
    }
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {k}</title><link>http://news.invalid/</link><description>soak</description>{items}</channel></rss>")
}

async fn serve(listener: tokio::net::TcpListener, started: Instant) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let Ok(n) = sock.read(&mut buf).await else {
                return;
            };
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = head.split(' ').nth(1).unwrap_or("/");
            let k: usize = path
                .trim_start_matches("/feed/")
                .trim_end_matches(".xml")
                .parse()
                .unwrap_or(0);
            let body = feed(k, started);
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
        });
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let address =
        StoreAddress::parse(&flag("--store").expect("--store ADDRESS (a PostgreSQL store)"));
    let seconds: u64 = flag("--seconds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(serve(listener, started));

    let dir = tempfile::tempdir().unwrap();
    let open =
        |n: usize| Beatdesk::open_at(&dir.path().join(format!("desk{n}")), &address).unwrap();
    let setup = open(0);
    let name = format!("Soak {}", chrono::Utc::now().format("%H%M%S"));
    let config = format!(
        "max_web_citations = 0\nrefresh_minutes = 1\n{}",
        (0..3)
            .map(|k| format!("[[source]]\nkind = \"feed\"\nurl = \"{base}/feed/{k}.xml\"\n"))
            .collect::<String>()
    );
    let beat = setup.add_beat(&name, Some(&config)).unwrap();
    let cfg = BeatConfig::parse(&config).unwrap();
    let http = Http::new(HttpOptions::for_tests()).unwrap();
    let opts = IngestOptions {
        force: true,
        ..IngestOptions::default()
    };
    rt.block_on(ingest_beat_with(
        setup.store(),
        beat.id,
        &cfg,
        &http,
        &MemorySecrets::new(),
        chrono::Utc::now(),
        &opts,
        |_| {},
    ));
    setup.refresh_analysis(beat.id).unwrap();
    let stories: Vec<i64> = setup
        .stories_of(beat.id)
        .unwrap()
        .iter()
        .take(4)
        .map(|s| s.id)
        .collect();
    for &s in &stories {
        setup.draft(s, "offline").unwrap();
    }
    println!(
        "{:?} store, beat {:?}, {} stories drafted; running {seconds} s",
        setup.store().engine(),
        name,
        stories.len()
    );

    let deadline = started + Duration::from_secs(seconds);
    let stop = Arc::new(AtomicBool::new(false));
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let (ingests, saved, conflicts) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    // (desk, story, revision, marker) of every edit a desk was told was saved.
    let written: Arc<Mutex<Vec<(usize, i64, i64, String)>>> = Arc::default();

    std::thread::scope(|scope| {
        // The cron ingest: its own Beatdesk, like a systemd timer's process.
        let cron = open(9);
        let (stop_c, errors_c, ingests_c) = (stop.clone(), errors.clone(), ingests.clone());
        let (rt_ref, cfg_ref, http_ref) = (&rt, &cfg, &http);
        scope.spawn(move || {
            while Instant::now() < deadline {
                let report = rt_ref.block_on(ingest_beat_with(
                    cron.store(),
                    beat.id,
                    cfg_ref,
                    http_ref,
                    &MemorySecrets::new(),
                    chrono::Utc::now(),
                    &IngestOptions {
                        force: true,
                        ..IngestOptions::default()
                    },
                    |_| {},
                ));
                let mut errs: Vec<String> = report.errors.clone();
                errs.extend(report.sources.iter().flat_map(|s| s.errors.clone()));
                if let Err(e) = cron.refresh_analysis(beat.id) {
                    errs.push(format!("analysis: {e}"));
                }
                errors_c
                    .lock()
                    .unwrap()
                    .extend(errs.into_iter().map(|e| format!("cron: {e}")));
                ingests_c.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_secs(2));
            }
            stop_c.store(true, Ordering::SeqCst);
        });
        for n in 1..=2 {
            let desk = open(n);
            let (stories, errors, saved, conflicts, written) = (
                stories.clone(),
                errors.clone(),
                saved.clone(),
                conflicts.clone(),
                written.clone(),
            );
            scope.spawn(move || {
                let mut k = 0usize;
                while Instant::now() < deadline {
                    let story = stories[(k + n) % stories.len()];
                    k += 1;
                    let marker = format!("desk {n} edit {k}");
                    // Read, edit, save; a stale base is retried from the new revision.
                    for attempt in 0..20 {
                        let view = match desk.story(story) {
                            Ok(v) => v,
                            Err(e) => {
                                errors.lock().unwrap().push(format!("desk {n}: open: {e}"));
                                break;
                            }
                        };
                        let Some(draft) = view.draft else { break };
                        let mut document = draft.document.clone();
                        document.dek = marker.clone();
                        let edit = DocumentEdit {
                            document,
                            base_revision: draft.revision,
                            editor: format!("Desk {n}"),
                        };
                        match desk.save_document(story, &edit) {
                            Ok(v) => {
                                let rev = v.draft.map(|d| d.revision).unwrap_or(0);
                                written
                                    .lock()
                                    .unwrap()
                                    .push((n, story, rev, marker.clone()));
                                saved.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                            Err(e)
                                if e.code() == "stale_revision"
                                    || e.to_string().contains("reload before saving") =>
                            {
                                conflicts.fetch_add(1, Ordering::Relaxed);
                                if attempt == 19 {
                                    errors
                                        .lock()
                                        .unwrap()
                                        .push(format!("desk {n}: gave up after 20 stale tries"));
                                }
                            }
                            Err(e) => {
                                errors.lock().unwrap().push(format!("desk {n}: save: {e}"));
                                break;
                            }
                        }
                    }
                    std::thread::sleep(Duration::from_millis(20 + (k as u64 * 37) % 80));
                }
            });
        }
    });

    // Every saved edit is a revision of its story, as that desk wrote it. (The
    // view a save returns is read after its commit, so it may already show
    // the other desk's next revision: look the marker up, not the number.)
    let check = open(0);
    let written = written.lock().unwrap();
    let mut deks: std::collections::HashMap<i64, std::collections::HashSet<String>> =
        Default::default();
    for &s in &stories {
        let docs: Vec<String> = check
            .store()
            .read(|c| -> beatdesk_store::Result<Vec<String>> {
                c.prepare("SELECT document FROM drafts WHERE story_id = ?1")?
                    .query_map([s], |r| r.get(0))?
                    .collect::<Result<_, _>>()
                    .map_err(Into::into)
            })
            .unwrap();
        let set = deks.entry(s).or_default();
        for d in docs {
            let v: serde_json::Value = serde_json::from_str(&d).unwrap();
            set.insert(v["dek"].as_str().unwrap_or("").to_string());
        }
    }
    let mut lost = 0;
    for (n, story, rev, marker) in written.iter() {
        if !deks.get(story).is_some_and(|set| set.contains(marker)) {
            lost += 1;
            eprintln!(
                "lost: desk {n} story {story} (view said rev {rev}): {marker:?} is in no revision"
            );
        }
    }
    let (dup_posts, dup_urls, records): (i64, i64, i64) = check
        .store()
        .read(|c| -> beatdesk_store::Result<_> {
            Ok((
                c.query_row("SELECT COUNT(*) FROM (SELECT 1 FROM records WHERE beat_id = ?1 GROUP BY platform, external_id HAVING COUNT(*) > 1) d", [beat.id], |r| r.get(0))?,
                c.query_row("SELECT COUNT(*) FROM (SELECT 1 FROM records WHERE beat_id = ?1 AND status = 'kept' GROUP BY canonical_url HAVING COUNT(*) > 1) d", [beat.id], |r| r.get(0))?,
                c.query_row("SELECT COUNT(*) FROM records WHERE beat_id = ?1", [beat.id], |r| r.get(0))?,
            ))
        })
        .unwrap();
    let errors = errors.lock().unwrap();
    for e in errors.iter().take(10) {
        eprintln!("error: {e}");
    }
    println!(
        "soak {:.0} s: {} ingest runs, {records} records; {} edits saved, {} stale conflicts retried; errors {}, lost edits {lost}, duplicate records {} (posts {dup_posts}, kept URLs {dup_urls})",
        started.elapsed().as_secs_f64(),
        ingests.load(Ordering::Relaxed),
        saved.load(Ordering::Relaxed),
        conflicts.load(Ordering::Relaxed),
        errors.len(),
        dup_posts + dup_urls,
    );
}
