//! Measurements for the issue: prompt tokens of 20-record stories for an 8k
//! local model (must be <= 6,000) and the byte-stable prompt prefix.
//! `cargo test -p beatdesk-llm --test measure -- --nocapture` prints them.

mod support;

use std::collections::HashMap;

use beatdesk_llm::prompt::{document_call, system_prompt};
use beatdesk_llm::text::{estimate_tokens, words};
use beatdesk_llm::{
    preview, DraftOptions, EvidenceRecord, ModelConfig, ProviderKind, StoryEvidence,
};
use beatdesk_types::{Metrics, Platform, Record, RecordStatus};
use serde_json::Value;

fn local_8k() -> ModelConfig {
    let mut c = ModelConfig::new(
        "laptop",
        ProviderKind::Ollama,
        "http://127.0.0.1:11434",
        "llama3.1:8b",
    );
    c.context_tokens = Some(8192);
    c
}

fn report(name: &str, ev: &StoryEvidence) -> usize {
    let p = preview(&local_8k(), ev, &DraftOptions::default()).unwrap();
    let raw: usize = ev
        .records
        .iter()
        .filter(|r| r.included)
        .map(|r| estimate_tokens(&r.record.text) + estimate_tokens(&r.record.title))
        .sum();
    println!(
        "{name}: {} records in, {} sent, mode {}, source text ~{raw} tokens -> prompt ~{} tokens (budget for evidence {}; system prefix {} bytes / ~{} tokens)",
        ev.records.len(),
        p.records_sent,
        p.mode,
        p.estimated_prompt_tokens,
        p.evidence_budget,
        p.stable_prefix_bytes,
        p.stable_prefix_tokens
    );
    p.estimated_prompt_tokens
}

#[test]
fn twenty_record_fixture_fits_an_8k_local_model() {
    let ev = support::fixture();
    let tokens = report(
        "riverton fixture (20 unique + 1 wire copy + 1 excluded)",
        &ev,
    );
    assert!(tokens <= 6000, "{tokens}");
    let p = preview(&local_8k(), &ev, &DraftOptions::default()).unwrap();
    assert_eq!((p.mode.as_str(), p.records_sent), ("single", 20));
    // The editor's weights reach the prompt as importance.
    assert!(p.user.contains("<record id=\"R1\" importance=\"high\""));
    assert!(p.user.contains("importance=\"low\""));
}

#[test]
fn twenty_long_articles_are_packed_within_budget() {
    let mut ev = support::fixture();
    // Every record four times as long (~1,000-word articles).
    for r in &mut ev.records {
        let t = r.record.text.clone();
        r.record.text = (0..4)
            .map(|i| {
                t.replace(
                    "Riverton",
                    ["Riverton", "the city", "Riverton's", "local"][i],
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    let tokens = report("riverton fixture, 4x longer texts", &ev);
    assert!(tokens <= 6000, "{tokens}");
}

fn demo_records() -> Option<Vec<Record>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../beatdesk-core/demo/open-source-ai.jsonl"
    );
    let text = std::fs::read_to_string(path).ok()?;
    let mut out = Vec::new();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let v: Value = serde_json::from_str(line).ok()?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        out.push(Record {
            id: i as i64 + 1,
            beat_id: 1,
            platform: Platform::parse(&s("platform")).unwrap_or(Platform::Web),
            external_id: s("external_id"),
            url: s("url"),
            canonical_url: s("url"),
            title: s("title"),
            text: s("text"),
            author: s("author"),
            community: v["community"].as_str().map(str::to_string),
            published_at: s("published_at").parse().ok()?,
            fetched_at: s("published_at").parse().ok()?,
            metrics: serde_json::from_value(v["metrics"].clone()).unwrap_or(Metrics::default()),
            status: RecordStatus::Kept,
            reason: None,
            duplicate_of: None,
            note: None,
            added_by: None,
        });
    }
    Some(out)
}

fn top_terms(records: &[Record]) -> Vec<String> {
    const STOP: &[&str] = &[
        "the", "a", "and", "of", "to", "in", "is", "for", "on", "it", "that", "with", "i", "my",
        "this", "at", "be", "are", "was", "as", "you", "but", "we", "from", "by", "an", "or",
        "have", "not", "so", "its", "it's", "they", "our", "can", "has", "more", "their", "what",
        "will", "one", "if", "about", "just", "than", "all", "any", "out", "up", "new",
    ];
    let mut n: HashMap<String, usize> = HashMap::new();
    for r in records {
        for w in words(&format!("{} {}", r.title, r.text)) {
            if w.len() > 2 && !STOP.contains(&w.as_str()) {
                *n.entry(w).or_default() += 1;
            }
        }
    }
    let mut v: Vec<(String, usize)> = n.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().take(8).map(|(w, _)| w).collect()
}

#[test]
fn demo_beat_twenty_record_stories() {
    let Some(all) = demo_records() else {
        println!("demo beat records not found; skipped");
        return;
    };
    for (i, chunk) in all.chunks(20).enumerate() {
        let ev = StoryEvidence {
            beat_name: "Open Source AI".into(),
            story_title: chunk[0].title.clone(),
            top_terms: top_terms(chunk),
            records: chunk
                .iter()
                .map(|r| EvidenceRecord {
                    record: r.clone(),
                    weight: 1.0,
                    included: true,
                })
                .collect(),
        };
        let t = report(
            &format!("demo beat records {}-{}", i * 20 + 1, i * 20 + chunk.len()),
            &ev,
        );
        assert!(t <= 6000);
    }
    let ev = StoryEvidence {
        beat_name: "Open Source AI".into(),
        story_title: "All demo records".into(),
        top_terms: top_terms(&all),
        records: all
            .iter()
            .map(|r| EvidenceRecord {
                record: r.clone(),
                weight: 1.0,
                included: true,
            })
            .collect(),
    };
    report("demo beat, all records as one story", &ev);
}

/// Two different stories' prompts share this many leading bytes: the whole
/// system prompt (role, rules, style, reply shapes), then "Beat: ".
#[test]
fn byte_stable_prefix_across_stories() {
    let a = support::fixture();
    let mut b = support::fixture();
    b.beat_name = "Another beat".into();
    b.story_title = "A different story".into();
    b.records.truncate(9);
    let rendered = |ev: &StoryEvidence| {
        let p = beatdesk_llm::evidence::Prepared::new(ev);
        let packed = p.pack(&ev.top_terms, 4000, None);
        let spec = document_call(&p, beatdesk_llm::prompt::Story::of(ev), &packed);
        format!("{}\n{}", spec.system, spec.user)
    };
    let (x, y) = (rendered(&a), rendered(&b));
    let common = x.bytes().zip(y.bytes()).take_while(|(p, q)| p == q).count();
    let sys = system_prompt();
    println!(
        "byte-stable prefix: {common} bytes shared by two stories' prompts; system prompt {} bytes, ~{} tokens (estimate errs high)",
        sys.len(),
        estimate_tokens(&sys)
    );
    assert!(common > sys.len());
    assert_eq!(system_prompt(), sys, "the system prompt is a constant");
}
