//! Replays `../shared/data/stream-dev` (a labelled day in the services' real
//! wire formats) through Beatdesk twice — the real ingest path, with every
//! service answered by a replay server on 127.0.0.1, and `import` of its
//! `stream.jsonl` — and writes, per path, every record with the story it
//! landed in, for `scripts/stream_dev_score.py` to score with the set's own
//! scorer.
//!
//! ```sh
//! cargo run -p beatdesk-core --example stream_dev -- /work/shared/data/stream-dev /tmp/sd
//! python3 scripts/stream_dev_score.py /work/shared/data/stream-dev /tmp/sd
//! ```
//!
//! Every `.example` URL in the recorded bodies is rewritten to
//! `http://127.0.0.1:<port>/site/<host>/…` so that web citations are
//! fetched from the replay server too: nothing leaves this machine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use beatdesk_core::{Beatdesk, FixedClock};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const NOW: &str = "2026-11-05T12:00:00Z";

/// `https://www.x.example/a` → `{base}/site/www.x.example/a`.
fn rewrite(body: &str, base: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = rest.find("http") {
        let (before, at) = rest.split_at(i);
        out.push_str(before);
        let scheme = if at.starts_with("https://") {
            "https://"
        } else if at.starts_with("http://") {
            "http://"
        } else {
            out.push_str("http");
            rest = &at[4..];
            continue;
        };
        let after = &at[scheme.len()..];
        let host_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(after.len());
        if after[..host_len].ends_with(".example") {
            out.push_str(base);
            out.push_str("/site/");
        } else {
            out.push_str(scheme);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Bluesky bodies: only `uri` fields are rewritten, so facets' byte offsets
/// into the text stay right.
fn rewrite_uris(v: &mut Value, base: &str) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    Value::String(s) if k == "uri" => *s = rewrite(s, base),
                    _ => rewrite_uris(x, base),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_uris(x, base)),
        _ => {}
    }
}

struct Served {
    routes: HashMap<String, (String, Vec<u8>)>,
}

async fn serve(listener: TcpListener, served: Arc<Served>) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            break;
        };
        let served = served.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    let len = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    while buf.len() < end + 4 + len {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let line = head.lines().next().unwrap_or("");
                    let mut parts = line.split_whitespace();
                    let method = parts.next().unwrap_or("");
                    let target = parts.next().unwrap_or("");
                    let (path, query) = target.split_once('?').unwrap_or((target, ""));
                    let key = if path.contains("searchPosts") && query.contains("cursor=40") {
                        format!("{method} {path}?cursor=40")
                    } else {
                        format!("{method} {}", path.trim_end_matches('/'))
                    };
                    let (status, ctype, body) = match served.routes.get(&key) {
                        Some((ct, b)) => ("200 OK", ct.as_str(), b.clone()),
                        None => ("404 Not Found", "text/plain", b"not here".to_vec()),
                    };
                    let head = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(&body).await;
                    return;
                }
            }
        });
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn dump(bd: &Beatdesk, beat: &str, base: Option<&str>, out: &Path) {
    let stories = bd.stories(beat).expect("stories");
    let mut story_of: HashMap<i64, i64> = HashMap::new();
    let mut summary = Vec::new();
    for s in &stories {
        for r in bd.story_records(s.id).expect("records") {
            story_of.insert(r.record.id, s.id);
        }
        summary.push(json!({
            "id": s.id, "title": s.title, "records": s.record_count,
            "independent_origins": s.signal.independent_origins, "signal": s.signal.total,
            "why": s.signal.why,
        }));
    }
    let unrewrite = |u: &str| match base {
        Some(b) => u.replace(&format!("{b}/site/"), "https://").replace(
            &format!("{}/site/", b.replace("http://", "https://")),
            "https://",
        ),
        None => u.to_string(),
    };
    let records: Vec<Value> = bd
        .records(beat)
        .expect("records")
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id, "platform": r.platform.as_str(),
                "external_id": unrewrite(&r.external_id), "url": unrewrite(&r.url),
                "canonical_url": unrewrite(&r.canonical_url), "status": r.status.as_str(),
                "duplicate_of": r.duplicate_of, "reason": r.reason,
                "story": story_of.get(&r.id),
            })
        })
        .collect();
    let beat_id = bd.beat(beat).unwrap().id;
    let links = bd
        .store()
        .read(|c| beatdesk_store::links::for_beat(c, beat_id))
        .unwrap();
    std::fs::write(
        out,
        serde_json::to_vec_pretty(&json!({"records": records, "stories": summary, "links": links}))
            .unwrap(),
    )
    .unwrap();
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(NOW.parse().unwrap()))
}

async fn via_ingest(dir: &Path, out: &Path) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut routes: HashMap<String, (String, Vec<u8>)> = HashMap::new();
    let mut add = |key: String, ct: &str, body: String| {
        routes.insert(key, (ct.to_string(), body.into_bytes()));
    };
    add(
        "GET /r/LocalComputeLab/new.json".into(),
        "application/json",
        rewrite(&read(dir, "reddit_new.json"), &base),
    );
    add(
        "GET /comments/1ylq0yj.json".into(),
        "application/json",
        rewrite(&read(dir, "reddit_comments_1ylq0yj.json"), &base),
    );
    add(
        "POST /xrpc/com.atproto.server.createSession".into(),
        "application/json",
        json!({"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:deskdeskdeskdeskdeskdesk"})
            .to_string(),
    );
    for (file, key) in [
        (
            "bsky_search.json",
            "GET /xrpc/app.bsky.feed.searchPosts".to_string(),
        ),
        (
            "bsky_search_page2.json",
            "GET /xrpc/app.bsky.feed.searchPosts?cursor=40".to_string(),
        ),
    ] {
        let mut v: Value = serde_json::from_str(&read(dir, file)).unwrap();
        rewrite_uris(&mut v, &base);
        add(key, "application/json", v.to_string());
    }
    let feeds = [
        "harborsignal_rss.xml",
        "meridianpress_rss.xml",
        "riverbendpost_atom.xml",
        "tidewaterbiz_rss.xml",
        "gnews_rss.xml",
    ];
    for f in feeds {
        add(
            format!("GET /feeds/{f}"),
            "application/xml",
            rewrite(&read(dir, f), &base),
        );
    }
    let truth: Value = serde_json::from_str(&read(dir, "truth.json")).unwrap();
    for (url, a) in truth["articles"].as_object().unwrap() {
        let path = rewrite(url, &base).replacen(&base, "", 1);
        let html = rewrite(&read(dir, a["file"].as_str().unwrap()), &base);
        add(
            format!("GET {}", path.trim_end_matches('/')),
            "text/html; charset=utf-8",
            html,
        );
    }
    tokio::spawn(serve(listener, Arc::new(Served { routes })));

    let mut config = format!(
        "window_days = 7\nmax_web_citations = 3\n\n[[source]]\nkind = \"reddit\"\nsubreddit = \"LocalComputeLab\"\nbase_url = \"{base}\"\n\n[[source]]\nkind = \"bluesky\"\nquery = \"AI chips\"\nhandle = \"desk.bsky.social\"\nbase_url = \"{base}\"\n"
    );
    for f in feeds {
        config.push_str(&format!(
            "\n[[source]]\nkind = \"feed\"\nurl = \"{base}/feeds/{f}\"\n"
        ));
    }
    let bd = Beatdesk::in_memory(clock()).unwrap();
    bd.secrets()
        .set("bluesky-app-password:desk.bsky.social", "replay-password")
        .unwrap();
    let beat = bd.add_beat("stream-dev", Some(&config)).unwrap();
    let started = std::time::Instant::now();
    let summary = bd.ingest(beat.id, true, &|_| {}).await.unwrap();
    eprintln!(
        "ingest: {} new records, {:.2} s, errors: {:?}",
        summary.new_records,
        started.elapsed().as_secs_f64(),
        summary.errors
    );
    for s in &summary.sources {
        if !s.errors.is_empty() {
            eprintln!("  {}: {:?}", s.label, s.errors);
        }
    }
    dump(&bd, "stream-dev", Some(&base), out);
}

fn via_import(dir: &Path, out: &Path) {
    // Import refuses an empty title or author: fill them the way the
    // window shows them (the text's start).
    let mut lines = Vec::new();
    for line in read(dir, "stream.jsonl").lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        if v["title"].as_str().unwrap_or("").trim().is_empty() {
            let t: String = v["text"]
                .as_str()
                .unwrap_or("")
                .split_whitespace()
                .take(12)
                .collect::<Vec<_>>()
                .join(" ");
            v["title"] = json!(if t.is_empty() {
                "(untitled)".to_string()
            } else {
                t
            });
        }
        if v["author"].as_str().unwrap_or("").trim().is_empty() {
            v["author"] = json!("(unknown)");
        }
        lines.push(v.to_string());
    }
    let bd = Beatdesk::in_memory(clock()).unwrap();
    bd.add_beat("stream-dev", None).unwrap();
    let started = std::time::Instant::now();
    let report = bd
        .import_jsonl("stream-dev", "stream.jsonl", &lines.join("\n"))
        .unwrap();
    eprintln!(
        "import: {} new, {} duplicates, {:.2} s, errors: {:?}",
        report.new,
        report.duplicates,
        started.elapsed().as_secs_f64(),
        report.errors
    );
    dump(&bd, "stream-dev", None, out);
}

#[tokio::main]
async fn main() {
    std::env::set_var("NO_PROXY", "127.0.0.1,localhost");
    std::env::set_var("no_proxy", "127.0.0.1,localhost");
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("../shared/data/stream-dev"),
    );
    let out = PathBuf::from(
        args.get(2)
            .map(String::as_str)
            .unwrap_or("target/stream-dev"),
    );
    std::fs::create_dir_all(&out).unwrap();
    via_ingest(&dir, &out.join("ingest.json")).await;
    via_import(&dir, &out.join("import.json"));
}
