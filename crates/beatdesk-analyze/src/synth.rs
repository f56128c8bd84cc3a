//! Synthetic records for benchmarks: many events, each with its own topic
//! words plus words and names shared with other events, drowned in a
//! Zipf-distributed background vocabulary.
//! Deterministic for a seed.

use beatdesk_types::{Metrics, Platform, Record, RecordStatus};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.f64() * n as f64) as usize % n.max(1)
    }
    /// Roughly Zipf-distributed rank in [0, n).
    pub fn zipf(&mut self, n: usize) -> usize {
        ((n as f64).powf(self.f64()) as usize)
            .saturating_sub(1)
            .min(n - 1)
    }
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.f64().max(1e-12), self.f64());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr", "st",
    "pl", "gr",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou", "ea"];
const CODAS: &[&str] = &["", "n", "r", "l", "s", "x", "nd", "rt"];

fn word(rng: &mut Rng, syllables: usize) -> String {
    let mut w = String::new();
    for _ in 0..syllables {
        w.push_str(ONSETS[rng.below(ONSETS.len())]);
        w.push_str(VOWELS[rng.below(VOWELS.len())]);
    }
    w.push_str(CODAS[rng.below(CODAS.len())]);
    w
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

struct Event {
    topic: Vec<String>,
    names: Vec<String>,
    start: DateTime<Utc>,
}

/// `n` kept records about `events` events over `days` days, with the gold
/// event of each record.
pub fn records(n: usize, events: usize, days: i64, seed: u64) -> (Vec<Record>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let vocab: Vec<String> = (0..20_000).map(|i| word(&mut rng, 2 + i % 2)).collect();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    // Names and themes are shared between events, so many events about the
    // same entity (or the same kind of thing) coexist: the same-entity trap
    // at scale.
    let names: Vec<String> = (0..1500).map(|_| capitalise(&word(&mut rng, 3))).collect();
    let themes: Vec<Vec<String>> = (0..300)
        .map(|_| {
            (0..12)
                .map(|_| vocab[300 + rng.below(vocab.len() - 300)].clone())
                .collect()
        })
        .collect();
    let evs: Vec<Event> = (0..events)
        .map(|_| {
            let theme = &themes[rng.zipf(themes.len())];
            let mut topic: Vec<String> = (0..7)
                .map(|_| vocab[300 + rng.below(vocab.len() - 300)].clone())
                .collect();
            topic.extend((0..3).map(|_| theme[rng.below(theme.len())].clone()));
            Event {
                topic,
                names: vec![
                    names[rng.zipf(names.len())].clone(),
                    names[rng.below(names.len())].clone(),
                ],
                start: t0 + Duration::minutes(rng.below((days * 24 * 60) as usize) as i64),
            }
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    let mut gold = Vec::with_capacity(n);
    for i in 0..n {
        let e = rng.below(events);
        let ev = &evs[e];
        let pick = |rng: &mut Rng, topical: bool| -> String {
            if topical {
                ev.topic[rng.below(ev.topic.len())].clone()
            } else {
                vocab[rng.zipf(vocab.len())].clone()
            }
        };
        let mut title = vec![ev.names[0].clone()];
        for k in 0..5 {
            title.push(pick(&mut rng, k < 3));
        }
        let mut text: Vec<String> = Vec::with_capacity(48);
        for k in 0..40 {
            if k % 13 == 5 {
                text.push(ev.names[rng.below(2)].clone());
            }
            let topical = rng.f64() < 0.3;
            text.push(pick(&mut rng, topical));
            if k % 9 == 8 {
                text.last_mut().unwrap().push('.');
            }
        }
        let platform = [
            Platform::Reddit,
            Platform::Bluesky,
            Platform::News,
            Platform::Web,
        ][rng.below(4)];
        let minutes = (rng.normal().abs() * 24.0 * 60.0) as i64;
        let at = ev.start + Duration::minutes(minutes);
        out.push(Record {
            id: i as i64 + 1,
            beat_id: 1,
            platform,
            external_id: format!("s{i}"),
            url: format!("https://example{}.com/p/{i}", rng.below(50)),
            canonical_url: format!("https://example{}.com/p/{i}", rng.below(50)),
            title: title.join(" "),
            text: text.join(" "),
            author: format!("user{}", rng.zipf(5000)),
            community: Some(format!("c{}", rng.below(40))),
            published_at: at,
            fetched_at: at,
            metrics: Metrics {
                score: Some(rng.zipf(2000) as i64),
                comments: Some(rng.zipf(300) as i64),
                likes: None,
                reposts: None,
            },
            status: RecordStatus::Kept,
            reason: None,
            duplicate_of: None,
            note: None,
            added_by: None,
        });
        gold.push(e);
    }
    (out, gold)
}
