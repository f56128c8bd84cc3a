//! Analyze and Signal.
//!
//! `analyze` takes every record of a beat (any status; only kept ones count)
//! and the stories found last time, and returns story candidates with stable
//! ids where a prior story continues, each with its signal.
//!
//! This first version groups records by shared title terms (greedy Jaccard);
//! it is the seam that the real online clusterer replaces.

use std::collections::{BTreeMap, HashMap, HashSet};

use beatdesk_types::{Record, RecordStatus, Signal, SignalPoint};
use chrono::{DateTime, Duration, Utc};

/// A story as stored before this pass, so ids stay stable across runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorStory {
    pub story_id: i64,
    pub record_ids: Vec<i64>,
    /// Drafted or signed off: an editor depends on its identity.
    pub pinned: bool,
}

/// One story found by this pass.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryCandidate {
    /// The prior story this continues, if any.
    pub story_id: Option<i64>,
    /// Kept records in the story, in publication order.
    pub record_ids: Vec<i64>,
    pub title: String,
    pub central_record_id: i64,
    pub top_terms: Vec<String>,
    /// Per record: the terms it shares most strongly with the story.
    pub why: HashMap<i64, Vec<String>>,
    pub signal: Signal,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    pub stories: Vec<StoryCandidate>,
}

const STOP: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "is", "are", "was", "its", "it", "at",
    "by", "from", "as", "that", "this", "be", "has", "have", "new", "after", "over", "into", "about", "what", "how",
    "why", "will", "not", "but", "just", "now", "you", "i", "we", "they", "their", "our", "your", "says", "say",
];

fn terms(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2)
        .map(|w| w.to_lowercase())
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let inter = a.intersection(b).count() as f64;
    let union = a.union(b).count() as f64;
    if union == 0.0 { 0.0 } else { inter / union }
}

pub fn analyze(records: &[Record], prior: &[PriorStory], now: DateTime<Utc>) -> Analysis {
    let mut kept: Vec<&Record> = records.iter().filter(|r| r.status == RecordStatus::Kept).collect();
    kept.sort_by_key(|r| (r.published_at, r.id));
    let feats: HashMap<i64, HashSet<String>> =
        kept.iter().map(|r| (r.id, terms(&format!("{} {}", r.title, r.title)))).collect();

    let mut groups: Vec<(HashSet<String>, Vec<i64>)> = Vec::new();
    for r in &kept {
        let f = &feats[&r.id];
        let best = groups
            .iter()
            .enumerate()
            .map(|(i, (g, _))| (i, jaccard(f, g)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, s)) if s >= 0.2 => {
                groups[i].0.extend(f.iter().cloned());
                groups[i].1.push(r.id);
            }
            _ => groups.push((f.clone(), vec![r.id])),
        }
    }

    let by_id: HashMap<i64, &Record> = kept.iter().map(|r| (r.id, *r)).collect();
    let mut used_prior = HashSet::new();
    let stories = groups
        .into_iter()
        .map(|(_, ids)| {
            let story_id = match_prior(&ids, prior, &used_prior);
            if let Some(id) = story_id {
                used_prior.insert(id);
            }
            let recs: Vec<&Record> = ids.iter().map(|id| by_id[id]).collect();
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for id in &ids {
                for t in &feats[id] {
                    *counts.entry(t.clone()).or_default() += 1;
                }
            }
            let mut top: Vec<(String, usize)> = counts.into_iter().collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let top_terms: Vec<String> = top.iter().take(6).map(|(t, _)| t.clone()).collect();
            let central = *recs
                .iter()
                .max_by_key(|r| top_terms.iter().filter(|t| feats[&r.id].contains(*t)).count())
                .expect("non-empty group");
            let why = ids
                .iter()
                .map(|id| (*id, top_terms.iter().filter(|t| feats[id].contains(*t)).take(3).cloned().collect()))
                .collect();
            StoryCandidate {
                story_id,
                record_ids: ids.clone(),
                title: central.title.clone(),
                central_record_id: central.id,
                top_terms,
                why,
                signal: signal(&recs, now),
            }
        })
        .collect();
    Analysis { stories }
}

fn match_prior(ids: &[i64], prior: &[PriorStory], used: &HashSet<i64>) -> Option<i64> {
    prior
        .iter()
        .filter(|p| !used.contains(&p.story_id))
        .map(|p| (p.story_id, p.record_ids.iter().filter(|r| ids.contains(r)).count()))
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(id, n)| (*n, -id))
        .map(|(id, _)| id)
}

fn signal(recs: &[&Record], now: DateTime<Utc>) -> Signal {
    let n = recs.len() as f64;
    let newest = recs.iter().map(|r| r.published_at).max().unwrap_or(now);
    let hours = (now - newest).num_minutes().max(0) as f64 / 60.0;
    let recency = (-hours / 24.0).exp();
    let platforms: HashSet<_> = recs.iter().map(|r| r.platform).collect();
    let eng: f64 = recs
        .iter()
        .map(|r| {
            let m = &r.metrics;
            (m.score.unwrap_or(0) + m.comments.unwrap_or(0) + m.likes.unwrap_or(0) + m.reposts.unwrap_or(0)) as f64
        })
        .map(|x| x.max(0.0).ln_1p())
        .sum::<f64>()
        / n.max(1.0);
    let volume = n.ln_1p();
    let diversity = platforms.len() as f64 * 0.5;
    let engagement = eng / 5.0;
    let total = (volume + engagement + diversity) * (0.5 + 0.5 * recency);
    let mut series = Vec::new();
    for d in (0..7).rev() {
        let end = now - Duration::days(d);
        let start = end - Duration::days(1);
        let c = recs.iter().filter(|r| r.published_at > start && r.published_at <= end).count() as i64;
        series.push(SignalPoint { at: end, records: c });
    }
    Signal {
        total,
        volume,
        velocity: 0.0,
        engagement,
        diversity,
        origins: 0.0,
        recency,
        independent_origins: recs.len() as i64,
        series,
        why: vec![format!("{} records across {} platforms", recs.len(), platforms.len())],
    }
}
