//! Article extraction scored on the public article-extraction benchmark (181
//! real pages with hand-marked bodies), the way the benchmark scores it:
//! `\w+` tokens, 4-token shingles as multisets, per-page tp/fp/fn normalised
//! to sum to 1; precision averaged over pages that predicted something, recall
//! over pages with a true body (an empty prediction counts 0); F1 from the two.
//!
//!     cargo run --release -p beatdesk-ingest --example bench_extract [-- DIR]
//!
//! DIR defaults to `../shared/data/article-extraction-benchmark`. Candidates
//! scored side by side: `beatdesk` (what web citations and `source add --url`
//! use), `rs-trafilatura` alone, JSON-LD `articleBody` alone, and the
//! readability-only pipeline that shipped before (`readability`).
//! `SHOW=<sha>` prints one page's texts; `WORST=n` lists the n worst pages;
//! `DUMP=<dir>` writes every candidate's text per page.
//!
//!     cargo run --release -p beatdesk-ingest --example bench_extract -- --http [DIR]
//!
//! `--http` also scores the path a reporter's URL takes (`source add --url`):
//! every page is served from a loopback HTTP/1.1 server as fetched (gzip,
//! `Content-Encoding: gzip` when asked for), behind one redirect, with
//! `Content-Type: text/html` (the benchmark gives no charset, and many
//! servers send none), then fetched with the core's HTTP settings through
//! `web::fetch_article` (what `add_manual` calls for a URL) and scored the
//! same way as `beatdesk/http`, next to the direct `beatdesk` line.

use std::collections::HashMap;
use std::io::Read;
use std::time::Instant;

use beatdesk_ingest::extract::{candidates, extract, filter_promos};

fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let t = tokens(text);
    let mut out = HashMap::new();
    if t.is_empty() {
        return out;
    }
    let n = 4.min(t.len());
    for w in t.windows(n) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// (tp, fp, fn) normalised to sum to 1.
fn score(pred: &str, truth: &str) -> (f64, f64, f64) {
    let (p, t) = (shingles(pred), shingles(truth));
    let (mut tp, mut fp, mut fneg) = (0.0, 0.0, 0.0);
    for (k, &pc) in &p {
        let tc = t.get(k).copied().unwrap_or(0);
        tp += pc.min(tc) as f64;
        fp += pc.saturating_sub(tc) as f64;
    }
    for (k, &tc) in &t {
        fneg += tc.saturating_sub(p.get(k).copied().unwrap_or(0)) as f64;
    }
    let s = tp + fp + fneg;
    if s > 0.0 {
        (tp / s, fp / s, fneg / s)
    } else {
        (0.0, 0.0, 0.0)
    }
}

#[derive(Default)]
struct Tally {
    precision: Vec<f64>,
    recall: Vec<f64>,
    exact: usize,
    empty: usize,
    pages: Vec<(f64, String)>,
}

impl Tally {
    fn add(&mut self, sha: &str, pred: &str, truth: &str) {
        let (tp, fp, fneg) = score(pred, truth);
        let has_pred = !tokens(pred).is_empty();
        if has_pred {
            self.precision
                .push(if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 });
        } else {
            self.empty += 1;
        }
        let mut r = 0.0;
        if !tokens(truth).is_empty() {
            r = if has_pred && tp + fneg > 0.0 {
                tp / (tp + fneg)
            } else {
                0.0
            };
            self.recall.push(r);
        }
        let p = if has_pred && tp + fp > 0.0 {
            tp / (tp + fp)
        } else {
            0.0
        };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        self.pages.push((f, sha.to_string()));
        if tokens(pred) == tokens(truth) {
            self.exact += 1;
        }
    }

    fn line(&self, name: &str, secs: f64) -> String {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let (p, r) = (mean(&self.precision), mean(&self.recall));
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        format!(
            "{name:<16} F1 {f1:.3}  P {p:.3}  R {r:.3}  exact {:>3}  no text {:>2}  {:.1} ms/page",
            self.exact,
            self.empty,
            secs * 1000.0 / self.pages.len().max(1) as f64
        )
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let http_mode = args.iter().any(|a| a == "--http");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "../shared/data/article-extraction-benchmark".into());
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/ground-truth.json"))
            .unwrap_or_else(|e| panic!("{dir}/ground-truth.json: {e}")),
    )
    .expect("ground-truth.json is JSON");
    let truth = truth.as_object().expect("an object keyed by sha256");
    let mut pages = Vec::new();
    let mut served = HashMap::new();
    for (sha, v) in truth {
        let gz = std::fs::read(format!("{dir}/html/{sha}.html.gz"))
            .unwrap_or_else(|e| panic!("{sha}: {e}"));
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut bytes)
            .unwrap_or_else(|e| panic!("{sha}: {e}"));
        let html = String::from_utf8_lossy(&bytes).into_owned();
        if http_mode {
            served.insert(sha.clone(), (gz, bytes));
        }
        let url = v["url"]
            .as_str()
            .unwrap_or("https://example.com/")
            .to_string();
        let body = v["articleBody"].as_str().unwrap_or("").to_string();
        pages.push((sha.clone(), url, html, body));
    }
    println!("{} pages from {dir}", pages.len());
    let names = [
        "beatdesk",
        "rs-trafilatura",
        "traf+clean",
        "traf+ads",
        "traf+promos",
        "traf+ads+promos",
        "json-ld",
        "json-ld|traf",
        "json-ld>=0.8|traf",
        "readability",
    ];
    let mut tallies: Vec<Tally> = names.iter().map(|_| Tally::default()).collect();
    let mut secs = vec![0.0f64; names.len()];
    let show = std::env::var("SHOW").ok();
    for (sha, url, html, body) in &pages {
        let t = Instant::now();
        let ours = extract(html, url).map(|e| e.text).unwrap_or_default();
        secs[0] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let c = candidates(html, url);
        let cand_secs = t.elapsed().as_secs_f64();
        let ntok = |t: &str| tokens(t).len() as f64;
        let or = |a: &str, b: &str, ratio: f64| {
            if !a.trim().is_empty() && ntok(a) >= ratio * ntok(b) {
                a.to_string()
            } else {
                b.to_string()
            }
        };
        let texts = [
            ours.clone(),
            c.trafilatura.clone(),
            c.trafilatura_clean.clone(),
            c.trafilatura_light.clone(),
            filter_promos(&c.trafilatura),
            filter_promos(&c.trafilatura_light),
            c.json_ld.clone(),
            or(&c.json_ld, &c.trafilatura, 0.0),
            or(&c.json_ld, &c.trafilatura, 0.8),
            c.readability.clone(),
        ];
        if let Ok(dir) = std::env::var("DUMP") {
            for (i, text) in texts.iter().enumerate() {
                let _ = std::fs::create_dir_all(format!("{dir}/{}", names[i]));
                let _ = std::fs::write(format!("{dir}/{}/{sha}.txt", names[i]), text);
            }
        }
        for (i, text) in texts.iter().enumerate() {
            if i > 0 {
                secs[i] += cand_secs / 5.0;
            }
            if show.as_deref() == Some(sha.as_str()) {
                println!("==== {} ====\n{text}\n", names[i]);
            }
            tallies[i].add(sha, text, body);
        }
        if show.as_deref() == Some(sha.as_str()) {
            println!("==== truth ====\n{body}\n");
        }
    }
    for (i, name) in names.iter().enumerate() {
        println!("{}", tallies[i].line(name, secs[i]));
    }
    if http_mode {
        let (tally, secs, failures) = over_http(&pages, served);
        println!("{}", tally.line("beatdesk/http", secs));
        for (sha, why) in &failures {
            println!("  http {sha}: {why}");
        }
    }
    stream_dev_articles(&dir);
    if let Some(n) = std::env::var("WORST")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        let mut worst = tallies[0].pages.clone();
        worst.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (f, sha) in worst.iter().take(n) {
            println!("  F1 {f:.3}  {sha}");
        }
    }
}

/// The stream-dev set's article pages (a different, independent set): every
/// required sentence kept, every forbidden line (promos, tickers, related
/// links, credits) dropped.
fn stream_dev_articles(bench_dir: &str) {
    let dir = format!("{bench_dir}/../stream-dev");
    let Ok(truth) = std::fs::read_to_string(format!("{dir}/truth.json")) else {
        println!("stream-dev: {dir}/truth.json not found, skipped");
        return;
    };
    let truth: serde_json::Value = serde_json::from_str(&truth).expect("truth.json is JSON");
    let Some(articles) = truth["articles"].as_object() else {
        return;
    };
    let (mut kept, mut required, mut leaked, mut forbidden) = (0, 0, 0, 0);
    for (url, a) in articles {
        let file = a["file"].as_str().unwrap_or_default();
        let html = std::fs::read_to_string(format!("{dir}/{file}")).unwrap_or_default();
        let text = extract(&html, url).map(|e| e.text).unwrap_or_default();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for s in a["required_sentences"].as_array().into_iter().flatten() {
            required += 1;
            let s = s.as_str().unwrap_or_default();
            if flat.contains(s) {
                kept += 1;
            } else {
                println!("  stream-dev {file}: missing {s:?}");
            }
        }
        for s in a["forbidden"].as_array().into_iter().flatten() {
            forbidden += 1;
            let s = s.as_str().unwrap_or_default();
            if flat.contains(s) {
                leaked += 1;
                println!("  stream-dev {file}: kept boilerplate {s:?}");
            }
        }
    }
    println!(
        "stream-dev articles: {} pages, required sentences kept {kept}/{required}, forbidden lines kept {leaked}/{forbidden}",
        articles.len()
    );
}

/// Serves every page on 127.0.0.1 and fetches each the way a reporter's URL
/// is fetched; returns the tally, the fetch+extract seconds and the failures.
fn over_http(
    pages: &[(String, String, String, String)],
    served: HashMap<String, (Vec<u8>, Vec<u8>)>,
) -> (Tally, f64, Vec<(String, String)>) {
    use beatdesk_ingest::web::fetch_article;
    use beatdesk_ingest::{Http, HttpOptions};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let served = Arc::new(served);
        let pages_served = served.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    continue;
                };
                let served = pages_served.clone();
                tokio::spawn(async move {
                    // One request per connection (Connection: close).
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
                    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let gzip_ok = head
                        .lines()
                        .any(|l| l.starts_with("accept-encoding:") && l.contains("gzip"));
                    let mut out = Vec::new();
                    if let Some(sha) = path.strip_prefix("/go/") {
                        // A short link: one redirect to the article, as most shared links take.
                        out.extend_from_slice(
                            format!(
                                "HTTP/1.1 301 Moved Permanently\r\nLocation: /articles/{sha}.html\r\n\
                                 Content-Length: 0\r\nConnection: close\r\n\r\n"
                            )
                            .as_bytes(),
                        );
                    } else if let Some((gz, plain)) = path
                        .strip_prefix("/articles/")
                        .and_then(|p| p.strip_suffix(".html"))
                        .and_then(|sha| served.get(sha))
                    {
                        let (body, enc) = if gzip_ok {
                            (gz, "Content-Encoding: gzip\r\n")
                        } else {
                            (plain, "")
                        };
                        out.extend_from_slice(
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{enc}\
                                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                                body.len()
                            )
                            .as_bytes(),
                        );
                        out.extend_from_slice(body);
                    } else {
                        out.extend_from_slice(
                            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                    }
                    let _ = sock.write_all(&out).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        // The core's client: `Beatdesk::http` builds exactly this.
        let http = Http::new(HttpOptions::default()).expect("an HTTP client");
        let mut tally = Tally::default();
        let mut failures = Vec::new();
        let t = Instant::now();
        for (sha, _url, _html, body) in pages {
            let url = format!("{base}/go/{sha}");
            let text = match fetch_article(
                &http,
                &url,
                beatdesk_types::Platform::Manual,
                chrono::Utc::now(),
            )
            .await
            {
                Ok((item, _)) => item.text,
                Err(e) => {
                    failures.push((sha.clone(), e.to_string()));
                    String::new()
                }
            };
            if text.trim().is_empty() && failures.last().map(|f| &f.0) != Some(sha) {
                failures.push((sha.clone(), "fetched, no text".into()));
            }
            tally.add(sha, &text, body);
        }
        (tally, t.elapsed().as_secs_f64(), failures)
    })
}
