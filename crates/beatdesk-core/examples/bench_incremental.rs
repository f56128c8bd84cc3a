//! Incremental analysis through the facade, as the product runs it: a beat
//! of N synthetic records (default 100 000) imported into a SQLite file
//! (the first pass is full), then 1 000 more imported (only they are
//! clustered), then a full `analyze` for comparison; then, as a new
//! process would (a new `Beatdesk` on the same file: the state rebuilt from
//! the stored stories), 1 000 more. With `BEATDESK_BIN` set to the release
//! `beatdesk` binary, the last 1 000 also go through `beatdesk import` in
//! a child process, timed end to end. Prints wall and CPU time per step.
//!
//! ```sh
//! cargo build --release -p beatdesk-cli
//! BEATDESK_BIN=target/release/beatdesk cargo run --release -p beatdesk-core --example bench_incremental [-- N]
//! ```

use std::sync::Arc;
use std::time::Instant;

use beatdesk_core::{Beatdesk, FixedClock};
use serde_json::json;

/// CPU time of this process (user + system) in ms, from /proc/self/stat.
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            Some((rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?) * 10.0)
        })
        .unwrap_or(f64::NAN)
}

/// A record's title, or its text's start (import refuses empty titles).
fn title_of(r: &beatdesk_types::Record) -> String {
    if r.title.trim().is_empty() {
        r.text.chars().take(60).collect()
    } else {
        r.title.clone()
    }
}

fn lines(records: &[beatdesk_types::Record]) -> String {
    records
        .iter()
        .map(|r| {
            let title = title_of(r);
            json!({
                "platform": r.platform.as_str(), "external_id": r.external_id, "url": r.url,
                "title": title, "text": r.text, "author": if r.author.is_empty() { "anon" } else { &r.author },
                "published_at": r.published_at.to_rfc3339(), "community": r.community,
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn step<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (t, c) = (Instant::now(), cpu_ms());
    let out = f();
    println!(
        "{what}: {:.0} ms wall, {:.0} ms CPU",
        t.elapsed().as_secs_f64() * 1000.0,
        cpu_ms() - c
    );
    out
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let (mut records, _) = beatdesk_analyze::synth::records(n + 3000, n / 20, 60, 7);
    records.sort_by_key(|r| r.published_at);
    let mut extra = records.split_off(n);
    let mut later = extra.split_off(1000);
    let cli_batch = later.split_off(1000);
    let now = extra.iter().map(|r| r.published_at).max().unwrap() + chrono::Duration::hours(1);
    let dir = tempfile::tempdir().unwrap();
    let bd = Beatdesk::open(dir.path())
        .unwrap()
        .with_clock(Arc::new(FixedClock(now)));
    let beat = bd.add_beat("Bench", None).unwrap();
    let (first, more) = (lines(&records), lines(&extra));
    step(
        &format!("import {n} records + first (full) analysis"),
        || bd.import_jsonl("Bench", "first.jsonl", &first).unwrap(),
    );
    // What storing the 1 000 costs without a big beat behind them.
    bd.add_beat("Small", None).unwrap();
    step(
        "import the same 1000 into an empty beat (storing + a 1k full pass)",
        || bd.import_jsonl("Small", "more.jsonl", &more).unwrap(),
    );
    let r = step("import 1000 more + incremental analysis", || {
        bd.import_jsonl("Bench", "more.jsonl", &more).unwrap();
        bd.last_analysis(beat.id).unwrap()
    });
    println!("  that pass: {r:?}   [target <= 200 ms for the analysis]");
    step("refresh with nothing new (stamp check)", || {
        bd.refresh_analysis(beat.id).unwrap()
    });
    step("full analyze (beatdesk analyze)", || {
        bd.analyze("Bench").unwrap()
    });
    drop(bd);

    // A new process: the state is rebuilt from the stored stories.
    later.sort_by_key(|r| r.published_at);
    let next = step("open the store in a new Beatdesk", || {
        Beatdesk::open(dir.path())
            .unwrap()
            .with_clock(Arc::new(FixedClock(now)))
    });
    let r = step(
        "new process: import 1000 more (state rebuilt from the store + incremental)",
        || {
            next.import_jsonl("Bench", "later.jsonl", &lines(&later))
                .unwrap();
            next.last_analysis(beat.id).unwrap()
        },
    );
    println!("  that pass: {r:?}");
    drop(next);
    if let Some(bin) = std::env::var_os("BEATDESK_BIN") {
        let file = dir.path().join("cli.jsonl");
        std::fs::write(&file, lines(&cli_batch)).unwrap();
        // A copy of the store before this step, to time or profile it again.
        if let Some(keep) = std::env::var_os("BENCH_KEEP") {
            std::fs::create_dir_all(&keep).unwrap();
            for e in std::fs::read_dir(dir.path()).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_file() {
                    std::fs::copy(e.path(), std::path::Path::new(&keep).join(e.file_name()))
                        .unwrap();
                }
            }
        }
        // Three runs, each on a fresh copy of the store as it was before.
        let before = tempfile::tempdir().unwrap();
        let db = dir.path().join("beatdesk.sqlite");
        std::fs::copy(&db, before.path().join("beatdesk.sqlite")).unwrap();
        for run in 1..=3 {
            std::fs::copy(before.path().join("beatdesk.sqlite"), &db).unwrap();
            let t = Instant::now();
            let out = std::process::Command::new(&bin)
                .arg("--home")
                .arg(dir.path())
                .args(["import", "--beat", "Bench"])
                .arg(&file)
                .env("BEATDESK_NOW", now.to_rfc3339())
                .env("BEATDESK_TIMINGS", "1")
                .output()
                .unwrap();
            let wall = t.elapsed().as_secs_f64() * 1000.0;
            let (rebuild, increment) = phases(&String::from_utf8_lossy(&out.stderr));
            println!(
                "beatdesk import of 1000 more, new process #{run}: {wall:.0} ms wall; rebuilding the state at start {rebuild:.0} ms, the increment (store, cluster, write, commit) {increment:.0} ms; exit {}",
                out.status
            );
            if run == 1 {
                print!("  {}", String::from_utf8_lossy(&out.stdout));
            }
            if !out.status.success() {
                print!("  {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        // The same 1 000 as an RSS feed on loopback, through `beatdesk ingest`.
        std::fs::copy(before.path().join("beatdesk.sqlite"), &db).unwrap();
        let feed = serve_feed(&cli_batch);
        let config = dir.path().join("bench.toml");
        std::fs::write(
            &config,
            format!("window_days = 7\n\n[[source]]\nkind = \"feed\"\nurl = \"{feed}\"\n"),
        )
        .unwrap();
        let run = |args: &[&str]| {
            std::process::Command::new(&bin)
                .arg("--home")
                .arg(dir.path())
                .args(args)
                .env("BEATDESK_NOW", now.to_rfc3339())
                .env("BEATDESK_TIMINGS", "1")
                .env("NO_PROXY", "127.0.0.1")
                .output()
                .unwrap()
        };
        let set = run(&["beat", "config", "Bench", config.to_str().unwrap()]);
        assert!(
            set.status.success(),
            "{}",
            String::from_utf8_lossy(&set.stderr)
        );
        let t = Instant::now();
        let out = run(&["ingest", "--beat", "Bench", "--force"]);
        let wall = t.elapsed().as_secs_f64() * 1000.0;
        let (rebuild, analysis) = phases(&String::from_utf8_lossy(&out.stderr));
        println!(
            "beatdesk ingest of the same 1000 from a loopback RSS feed, new process: {wall:.0} ms wall (fetch, parse, store, analysis); rebuilding the state {rebuild:.0} ms, the analysis pass and commit {analysis:.0} ms; exit {}",
            out.status
        );
        print!("  {}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            print!("  {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// Sums the phases `BEATDESK_TIMINGS` printed: rebuilding the state
/// (`restore: …`) and everything else of the import.
fn phases(stderr: &str) -> (f64, f64) {
    let (mut rebuild, mut rest) = (0.0, 0.0);
    for line in stderr.lines() {
        let Some(line) = line.strip_prefix("timing ") else {
            continue;
        };
        let Some((what, ms)) = line.rsplit_once(": ") else {
            continue;
        };
        let ms: f64 = ms.trim_end_matches(" ms").parse().unwrap_or(0.0);
        if what.starts_with("restore:") {
            rebuild += ms;
        } else {
            rest += ms;
        }
    }
    (rebuild, rest)
}

/// Serves `records` as one RSS 2.0 feed on 127.0.0.1 (every request gets it);
/// returns its URL. Item links stay on loopback, which ingest never fetches
/// as web citations.
fn serve_feed(records: &[beatdesk_types::Record]) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let items: String = records
        .iter()
        .map(|r| {
            let title = title_of(r);
            format!(
                "<item><title>{}</title><link>http://127.0.0.1:{port}/a/{}</link><guid>http://127.0.0.1:{port}/a/{}</guid><description>{}</description><pubDate>{}</pubDate></item>",
                esc(&title),
                r.external_id,
                r.external_id,
                esc(&r.text),
                r.published_at.to_rfc2822()
            )
        })
        .collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Bench wire</title><link>http://127.0.0.1:{port}/</link><description>bench</description>{items}</channel></rss>"
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    format!("http://127.0.0.1:{port}/feed.xml")
}
