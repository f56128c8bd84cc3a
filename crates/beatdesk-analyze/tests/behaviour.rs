//! Stable ids, pinned stories, duplicates, the same-entity trap and origins,
//! on small hand-made beats.

use beatdesk_analyze::eval::Fixture;
use beatdesk_analyze::{analyze, Analysis, PriorStory};
use beatdesk_types::{Metrics, Platform, Record, RecordStatus};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 3, 8, 0, 0).unwrap()
}

fn rec(id: i64, hours: i64, platform: Platform, author: &str, title: &str, text: &str) -> Record {
    let at = t0() + Duration::hours(hours);
    Record {
        id,
        beat_id: 1,
        platform,
        external_id: id.to_string(),
        url: format!("https://{author}.example.com/{id}"),
        canonical_url: format!("https://{author}.example.com/{id}"),
        title: title.into(),
        text: text.into(),
        author: author.into(),
        community: None,
        published_at: at,
        fetched_at: at,
        metrics: Metrics {
            score: Some(10 * id),
            comments: Some(id),
            ..Default::default()
        },
        status: RecordStatus::Kept,
        reason: None,
        duplicate_of: None,
        note: None,
        added_by: None,
    }
}

/// Three DeepSeek events on the same days: money, an outage, quantisations.
fn deepseek_beat() -> Vec<Record> {
    use Platform::*;
    vec![
        rec(1, 0, News, "wire", "DeepSeek raises $7.4 billion from Tencent and CATL", "Chinese AI lab DeepSeek raised $7.4 billion in its first outside funding round, led by Tencent with battery maker CATL, valuing it at up to $59 billion."),
        rec(2, 1, Reddit, "u1", "DeepSeek reportedly raised $7.4B from Tencent and CATL", "Tencent and CATL on the cap table now. Valuation around $55B. Will the next weights still be MIT?"),
        rec(3, 2, Bluesky, "b1", "", "DeepSeek taking $7.4B from Tencent and CATL: open weights are the brand, industrial capital is the business."),
        rec(4, 3, News, "desk", "Why Tencent and CATL invested in DeepSeek", "The $7.4 billion funding round gives Tencent leverage over DeepSeek's roadmap and CATL a foothold in AI, analysts said."),
        rec(5, 4, Reddit, "u2", "DeepSeek API down? 503 on every request", "Getting 503 Service Unavailable from the DeepSeek API for 40 minutes. Status page is green. Agent pipeline stalled."),
        rec(6, 5, Bluesky, "b2", "", "DeepSeek API throwing 503 errors for an hour and the status page still says operational. keep a fallback provider."),
        rec(7, 6, News, "desk2", "DeepSeek API outage stalls developers", "DeepSeek's API returned 503 errors for hours after a configuration change in its inference gateway; developers switched to fallback providers."),
        rec(8, 7, Reddit, "u3", "After the DeepSeek API outage my cache hit rate collapsed", "API is back after the outage but the cache hit rate went from 92% to 35%. Same prompts. Bill tripled."),
        rec(9, 3, Reddit, "q1", "DeepSeek-V4-Lite GGUF quants up: Q2_K to Q8_0", "Uploaded GGUF quantisations of DeepSeek-V4-Lite. Q4_K_M fits in 24GB VRAM. imatrix calibrated. Needs a recent llama.cpp build."),
        rec(10, 5, Bluesky, "b3", "", "DeepSeek V4 Lite already in GGUF, the Q4_K_M quant runs on a single 3090 with llama.cpp"),
        rec(11, 8, Reddit, "q2", "Perplexity of the DeepSeek V4 Lite GGUF quants", "Measured perplexity and KLD for every DeepSeek V4 Lite GGUF quant against bf16. Q4_K_M within 1.5%, Q3_K_M falls apart on code."),
        rec(12, 9, News, "lm", "How to run DeepSeek V4 Lite on one GPU", "Community GGUF quantisations let DeepSeek V4 Lite run on a single 24GB GPU in llama.cpp; the Q4_K_M quant is close to full precision."),
    ]
}

fn story_of(a: &Analysis, id: i64) -> usize {
    a.stories
        .iter()
        .position(|s| s.record_ids.contains(&id))
        .expect("record in a story")
}

#[test]
fn same_entity_different_event_stays_apart() {
    let a = analyze(&deepseek_beat(), &[], t0() + Duration::hours(12));
    let (money, outage, quants) = (story_of(&a, 1), story_of(&a, 5), story_of(&a, 9));
    assert!(
        money != outage && money != quants && outage != quants,
        "{:#?}",
        a.stories.iter().map(|s| &s.record_ids).collect::<Vec<_>>()
    );
    for id in 2..=4 {
        assert_eq!(story_of(&a, id), money, "funding record {id}");
    }
    for id in 6..=8 {
        assert_eq!(story_of(&a, id), outage, "outage record {id}");
    }
    for id in 10..=12 {
        assert_eq!(story_of(&a, id), quants, "quant record {id}");
    }
}

fn prior_of(a: &Analysis, ids: &mut i64, pinned: &[i64]) -> Vec<PriorStory> {
    a.stories
        .iter()
        .map(|s| {
            let story_id = s.story_id.unwrap_or_else(|| {
                *ids += 1;
                *ids
            });
            PriorStory {
                story_id,
                record_ids: s.record_ids.clone(),
                pinned: pinned.contains(&story_id),
            }
        })
        .collect()
}

fn fixture() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/open_source_ai.jsonl"
    );
    Fixture::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Re-running with the same records gives the same stories under the same
/// ids; adding later records keeps every earlier story's id on the story
/// that continues it, and marks only the new records as new.
#[test]
fn ids_are_stable_across_runs_and_new_records() {
    let fx = fixture();
    let mut recs = fx.records.clone();
    recs.sort_by_key(|r| (r.published_at, r.id));
    let cut = recs.len() * 2 / 3;
    let first_now = recs[cut - 1].published_at;
    let a1 = analyze(&recs[..cut], &[], first_now);
    assert!(a1.stories.iter().all(|s| s.story_id.is_none()));
    let mut next_id = 100;
    let prior = prior_of(&a1, &mut next_id, &[]);

    let again = analyze(&recs[..cut], &prior, first_now);
    for s in &again.stories {
        let p = prior
            .iter()
            .find(|p| Some(p.story_id) == s.story_id)
            .expect("every story keeps an id");
        assert_eq!(p.record_ids, s.record_ids);
        assert!(s.new_record_ids.is_empty());
    }

    let a2 = analyze(
        &recs,
        &prior,
        Utc.with_ymd_and_hms(2026, 3, 12, 18, 0, 0).unwrap(),
    );
    let old_ids: std::collections::HashSet<i64> = recs[..cut].iter().map(|r| r.id).collect();
    for p in prior.iter().filter(|p| p.record_ids.len() >= 2) {
        let Some(s) = a2.stories.iter().find(|s| s.story_id == Some(p.story_id)) else {
            // Only allowed when it merged whole into a story that carries
            // the id of a prior story at least as large.
            let host = a2
                .stories
                .iter()
                .find(|s| s.record_ids.contains(&p.record_ids[0]))
                .unwrap();
            let other = prior
                .iter()
                .find(|q| Some(q.story_id) == host.story_id)
                .unwrap_or_else(|| panic!("story {} lost its id to a new story", p.story_id));
            println!("story {} merged into {}", p.story_id, other.story_id);
            assert!(
                other.record_ids.len() >= p.record_ids.len(),
                "larger story {} merged into {}",
                p.story_id,
                other.story_id
            );
            assert!(
                p.record_ids.iter().all(|r| host.record_ids.contains(r)),
                "story {} split and lost its id",
                p.story_id
            );
            continue;
        };
        let kept = p
            .record_ids
            .iter()
            .filter(|r| s.record_ids.contains(r))
            .count();
        assert!(
            kept * 2 > p.record_ids.len(),
            "story {} continues with {kept} of {}",
            p.story_id,
            p.record_ids.len()
        );
        for r in &s.new_record_ids {
            assert!(!p.record_ids.contains(r));
        }
    }
    // New stories have no id and only new records are marked new.
    for s in &a2.stories {
        if s.story_id.is_none() {
            assert_eq!(s.new_record_ids, s.record_ids);
        }
        for r in &s.new_record_ids {
            assert!(
                !old_ids.contains(r)
                    || s.story_id.is_none()
                    || !prior
                        .iter()
                        .any(|p| Some(p.story_id) == s.story_id && p.record_ids.contains(r))
            );
        }
    }
}

/// A pinned (drafted or signed-off) story keeps its id and its records even
/// when the clusterer alone would not put them together.
#[test]
fn pinned_story_keeps_identity() {
    let recs = deepseek_beat();
    let now = t0() + Duration::hours(12);
    // An editor drafted a story from a funding record and an outage record.
    let prior = vec![
        PriorStory {
            story_id: 7,
            record_ids: vec![1, 5],
            pinned: true,
        },
        PriorStory {
            story_id: 8,
            record_ids: vec![9, 10, 11],
            pinned: false,
        },
    ];
    let a = analyze(&recs, &prior, now);
    let pinned = a
        .stories
        .iter()
        .find(|s| s.story_id == Some(7))
        .expect("pinned story present");
    assert!(pinned.record_ids.contains(&1) && pinned.record_ids.contains(&5));
    let quants = a
        .stories
        .iter()
        .find(|s| s.record_ids.contains(&9))
        .unwrap();
    assert_eq!(quants.story_id, Some(8));
    assert_eq!(quants.new_record_ids, vec![12]);
    assert_eq!(
        a.stories.iter().filter(|s| s.story_id == Some(7)).count(),
        1
    );
}

/// Records collapsed at ingest count once: the story, its volume and its
/// origins are the same with or without them, and the reason says so.
#[test]
fn duplicates_count_once() {
    let recs = deepseek_beat();
    let now = t0() + Duration::hours(12);
    let base = analyze(&recs, &[], now);
    let mut with_dups = recs.clone();
    for (i, of) in [(101, 2), (102, 2), (103, 6)] {
        let mut d = recs.iter().find(|r| r.id == of).unwrap().clone();
        d.id = i;
        d.status = RecordStatus::Duplicate;
        d.duplicate_of = Some(of);
        with_dups.push(d);
    }
    let a = analyze(&with_dups, &[], now);
    assert_eq!(a.stories.len(), base.stories.len());
    for (x, y) in a.stories.iter().zip(&base.stories) {
        assert_eq!(x.record_ids, y.record_ids);
        assert_eq!(x.signal.volume, y.signal.volume);
        assert_eq!(x.signal.independent_origins, y.signal.independent_origins);
        assert!(!x.record_ids.iter().any(|r| *r > 100));
    }
    let money = &a.stories[story_of(&a, 2)];
    assert!(
        money
            .signal
            .why
            .iter()
            .any(|w| w.contains("2 duplicates collapsed")),
        "{:?}",
        money.signal.why
    );
}

/// Wire copies and posts sharing one article are one origin, and a story
/// that rests on one report says so first.
#[test]
fn single_origin_is_visible() {
    use Platform::*;
    let body = "Chinese AI lab Zhipu has agreed to buy a robotics startup for $300 million, according to a person familiar with the matter, in a deal that would give it a hardware team for embodied AI research.";
    let mut a = rec(
        1,
        0,
        News,
        "wire",
        "Zhipu to buy robotics startup for $300 million - source",
        body,
    );
    a.canonical_url = "https://wire.example.com/zhipu-robotics".into();
    let b = rec(
        2,
        1,
        News,
        "paper",
        "Zhipu to buy robotics startup for $300 million",
        &format!("{body} (Reporting by wire staff)"),
    );
    let c = rec(3, 2, Bluesky, "b1", "", "Zhipu buying a robotics startup for $300 million, wild https://wire.example.com/zhipu-robotics");
    let d = rec(4, 3, Reddit, "u1", "Zhipu acquires robotics startup for $300M (wire report)", "https://wire.example.com/zhipu-robotics Zhipu is getting into embodied AI with a $300 million robotics deal.");
    let an = analyze(&[a, b, c, d], &[], t0() + Duration::hours(4));
    assert_eq!(
        an.stories.len(),
        1,
        "{:#?}",
        an.stories.iter().map(|s| &s.record_ids).collect::<Vec<_>>()
    );
    let s = &an.stories[0].signal;
    assert_eq!(s.independent_origins, 1);
    assert_eq!(s.origins, 0.0);
    assert!(
        s.why[0].starts_with("single origin: all 4 records"),
        "{:?}",
        s.why
    );
}

/// Signal components respond to what they measure.
#[test]
fn signal_components_move_the_right_way() {
    let recs = deepseek_beat();
    let a = analyze(&recs, &[], t0() + Duration::hours(10));
    let later = analyze(&recs, &[], t0() + Duration::hours(72));
    let (m, m2) = (
        &a.stories[story_of(&a, 1)].signal,
        &later.stories[story_of(&later, 1)].signal,
    );
    assert!(m.recency > m2.recency && m.total > m2.total);
    assert!((m.volume - (4f64).ln()).abs() < 1e-9);
    assert!(m.diversity > 0.5, "three platforms: {}", m.diversity);
    assert!(m.engagement > 0.0 && m.engagement <= 1.0);
    // Two outlets report the round (the wire, the analysis desk); the
    // Reddit and Bluesky posts only relay it.
    assert_eq!(m.independent_origins, 2, "{:?}", m.why);
    for s in &a.stories {
        let w = s.signal.why.join(" | ");
        for part in [
            "volume:",
            "velocity:",
            "engagement:",
            "diversity:",
            "origins:",
            "recency:",
        ] {
            assert!(w.contains(part), "{part} missing: {w}");
        }
    }
}
