//! Wall time of one beat's ingest when its posts link to dead hosts: 8 Reddit
//! sources on a loopback server, 10 posts each, every post linking to one of
//! 10 hosts where nothing listens (connection refused), plus one page per
//! source that never answers. Then a second forced run, which must add nothing.
//!
//!     cargo run --release -p beatdesk-ingest --example bench_dead_links
//!
//! Runs with the production defaults (`HttpOptions::default()`: 4 attempts,
//! 1 s back-off base; `CiteOptions::default()`, except the silent page's
//! deadline, printed below), proxies from the environment turned off.
//! `SILENT=0` leaves the never-answering pages out (dead hosts only).

use std::time::{Duration, Instant};

use beatdesk_ingest::{
    ingest_beat_with, BeatConfig, Http, HttpOptions, IngestOptions, MemorySecrets,
};
use beatdesk_store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn listing(sub: &str, links: &[String], created: f64) -> String {
    let children: Vec<serde_json::Value> = links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            serde_json::json!({"kind": "t3", "data": {
                "id": format!("{sub}{i}"), "name": format!("t3_{sub}{i}"), "subreddit": sub,
                "title": format!("Post {i} in {sub} about a model release"),
                "selftext": "", "url": link, "permalink": format!("/r/{sub}/comments/{sub}{i}/post/"),
                "author": "someone", "created_utc": created - i as f64, "score": 10,
                "num_comments": 1, "over_18": false, "is_self": false
            }})
        })
        .collect();
    serde_json::json!({"kind": "Listing", "data": {"after": null, "children": children}})
        .to_string()
}

/// Serves `/r/<sub>/new.json` from the prepared listings.
async fn api_server(listings: Vec<(String, String)>) -> String {
    let api = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", api.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut s, _)) = api.accept().await {
            let listings = listings.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head
                    .split(' ')
                    .nth(1)
                    .unwrap_or("")
                    .split('?')
                    .next()
                    .unwrap_or("")
                    .to_string();
                let body = listings
                    .iter()
                    .find(|(sub, _)| path == format!("/r/{sub}/new.json"))
                    .map(|(_, b)| b.clone())
                    .unwrap_or_default();
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
    base
}

/// A port that accepts and never answers.
async fn silent_server() -> u16 {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    port
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dead: Vec<u16> = (0..10)
        .map(|_| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        })
        .collect();
    let subs: Vec<String> = (0..8).map(|i| format!("beat{i}")).collect();
    let silent = silent_server().await;
    let with_silent = std::env::var("SILENT").map_or(true, |v| v != "0");
    let listings: Vec<(String, String)> = subs
        .iter()
        .enumerate()
        .map(|(i, sub)| {
            let mut links: Vec<String> = (0..10)
                .map(|j| format!("http://127.0.0.1:{}/article/{i}-{j}", dead[(i + j) % 10]))
                .collect();
            if with_silent {
                links.push(format!("http://127.0.0.1:{silent}/slow/{i}"));
            }
            (
                sub.clone(),
                listing(sub, &links, chrono::Utc::now().timestamp() as f64 - 3600.0),
            )
        })
        .collect();
    let base = api_server(listings).await;
    let mut toml = String::from("max_web_citations = 3\nallow_private_links = true\n");
    for sub in &subs {
        toml.push_str(&format!(
            "[[source]]\nkind = \"reddit\"\nsubreddit = \"{sub}\"\nbase_url = \"{base}\"\n"
        ));
    }
    let cfg = BeatConfig::parse(&toml).unwrap();
    let store = Store::open_in_memory().unwrap();
    let beat = store
        .write(|tx| beatdesk_store::beats::insert(tx, "dead links", "", chrono::Utc::now()))
        .unwrap();
    let http = Http::new(HttpOptions {
        env_proxy: false,
        ..HttpOptions::default()
    })
    .unwrap();
    let secrets = MemorySecrets::new();
    let mut opts = IngestOptions {
        force: true,
        ..IngestOptions::default()
    };
    opts.cite.page_deadline = Duration::from_secs(2);
    let now = chrono::Utc::now();
    for run in 1..=2 {
        let t = Instant::now();
        let r = ingest_beat_with(&store, beat, &cfg, &http, &secrets, now, &opts, |_| {}).await;
        let secs = t.elapsed().as_secs_f64();
        let new: usize = r.sources.iter().map(|s| s.new).sum();
        let not_fetched: usize = r.sources.iter().map(|s| s.web.errors.len()).sum::<usize>()
            + r.web_retried.errors.len();
        println!(
            "run {run}: {secs:.2} s wall, {} sources, {new} new records, {} new web records, {not_fetched} links not fetched (page deadline {:.0} s)",
            r.sources.len(),
            r.new_records() - new,
            opts.cite.page_deadline.as_secs_f64()
        );
    }
}
