//! Verifying a 1,500-word story with 20 records (target ≤ 20 ms), including
//! building the verifier (tokenising and parsing the records).
//!
//! cargo run --release -p beatdesk-verify --example bench

use std::time::Instant;

use beatdesk_types::{FaqItem, Paragraph, Section, StoryDocument};
use beatdesk_verify::{sentences, SourceDoc, Verifier};

/// Time this thread spent on a CPU (ns), from the kernel: on a shared
/// machine the wall clock also counts other processes' turns.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let data = include_str!("../../beatdesk-analyze/tests/data/open_source_ai.jsonl");
    let recs: Vec<serde_json::Value> = data
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 20 article-sized records: each joins the texts of eight labelled records.
    let docs: Vec<SourceDoc> = (0..20)
        .map(|i| (i, &recs[i]))
        .map(|(i, r)| SourceDoc {
            id: r["id"].as_i64().unwrap(),
            included: true,
            title: r["title"].as_str().unwrap_or("").into(),
            text: (0..8)
                .filter_map(|k| recs.get(i + 20 * k))
                .map(|x| x["text"].as_str().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n\n"),
            author: r["author"].as_str().unwrap_or("").into(),
            platform: r["platform"].as_str().unwrap_or("").into(),
            facts: vec![r["author"].as_str().unwrap_or("").into()],
            published: None,
        })
        .collect();
    let record_words: usize = docs.iter().map(|d| d.text.split_whitespace().count()).sum();
    // A story of quoted and unquoted sentences from those records, to 1,500 words.
    let mut paragraphs = Vec::new();
    let mut words = 0;
    'outer: for round in 0..100 {
        for (k, d) in docs.iter().enumerate() {
            let ss = sentences::split(&d.text);
            let Some(s) = ss.get(round) else { continue };
            let text = if k % 2 == 0 {
                format!("{} wrote: \u{201c}{}\u{201d}", d.author, s)
            } else {
                s.clone()
            };
            words += text.split_whitespace().count();
            paragraphs.push(Paragraph {
                text,
                citations: vec![d.id],
            });
            if words >= 1500 {
                break 'outer;
            }
        }
    }
    let n_par = paragraphs.len();
    let doc = StoryDocument {
        headline: docs[0].title.clone(),
        dek: sentences::split(&docs[1].text)[0].clone(),
        sections: paragraphs
            .chunks(6)
            .map(|c| Section {
                heading: "Section".into(),
                paragraphs: c.to_vec(),
            })
            .collect(),
        story_so_far: Vec::new(),
        faq: vec![FaqItem {
            q: "What happened?".into(),
            a: sentences::split(&docs[2].text)[0].clone(),
            citations: vec![docs[2].id],
        }],
        methodology: String::new(),
    };
    let mut times = Vec::new();
    let mut builds = Vec::new();
    let mut cpu = Vec::new();
    let mut last = None;
    for _ in 0..30 {
        let t = Instant::now();
        let c0 = cpu_ns();
        let v = Verifier::new(docs.clone());
        builds.push(t.elapsed().as_secs_f64() * 1000.0);
        let r = v.check_document(1, 1, &doc);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if let (Some(a), Some(b)) = (c0, cpu_ns()) {
            cpu.push((b - a) as f64 / 1e6);
        }
        last = Some(r);
    }
    builds.sort_by(f64::total_cmp);
    println!("building the verifier alone: median {:.2} ms", builds[15]);
    times.sort_by(f64::total_cmp);
    let r = last.unwrap();
    cpu.sort_by(f64::total_cmp);
    if cpu.len() == 30 {
        println!("CPU time per verification (this thread, /proc/thread-self/schedstat): median {:.2} ms, max {:.2} ms", cpu[15], cpu[29]);
    }
    println!(
        "story: {words} words in {n_par} paragraphs, {} claims; 20 records, {record_words} words",
        r.summary.claims
    );
    println!("verify (build verifier + check document): median {:.2} ms, p90 {:.2} ms, max {:.2} ms over 30 runs (target ≤ 20 ms)", times[15], times[27], times[29]);
    println!(
        "findings: {} pass, {} warn, {} fail; quotes {}/{}; numbers {}/{}",
        r.summary.pass,
        r.summary.warn,
        r.summary.fail,
        r.summary.quotes_ok,
        r.summary.quotes_checked,
        r.summary.numbers_ok,
        r.summary.numbers_checked
    );
}
