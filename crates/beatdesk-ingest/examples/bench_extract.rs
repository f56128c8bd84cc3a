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
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/article-extraction-benchmark".into());
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/ground-truth.json"))
            .unwrap_or_else(|e| panic!("{dir}/ground-truth.json: {e}")),
    )
    .expect("ground-truth.json is JSON");
    let truth = truth.as_object().expect("an object keyed by sha256");
    let mut pages = Vec::new();
    for (sha, v) in truth {
        let gz = std::fs::read(format!("{dir}/html/{sha}.html.gz"))
            .unwrap_or_else(|e| panic!("{sha}: {e}"));
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut bytes)
            .unwrap_or_else(|e| panic!("{sha}: {e}"));
        let html = String::from_utf8_lossy(&bytes).into_owned();
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
