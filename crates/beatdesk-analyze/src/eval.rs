//! Clustering evaluation: pairwise precision/recall/F1 (Miranda's
//! `eval_lib.py`) and B-cubed, plus the loader of the labelled fixture.
//!
//! Fixture format (JSON Lines): one record per line with the fields of
//! [`Record`] that matter (`id`, `platform`, `title`, `text`, `author`,
//! `community`, `url`, `published_at`, `metrics`, optional `status` and
//! `duplicate_of`) and `label`: the gold story, or `noise:…` / `roundup:…`
//! for records that belong to no story (each its own singleton).

use std::collections::HashMap;

use beatdesk_types::{Metrics, Platform, Record, RecordStatus};
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn pairs(n: usize) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// Pairwise scores of predicted clusters against gold labels, over the items
/// present in both (`pred[i]` and `gold[i]` label the same item).
pub fn pairwise<P: Eq + std::hash::Hash, G: Eq + std::hash::Hash>(
    pred: &[P],
    gold: &[G],
) -> Scores {
    assert_eq!(pred.len(), gold.len());
    let mut joint: HashMap<(&P, &G), usize> = HashMap::new();
    let mut ps: HashMap<&P, usize> = HashMap::new();
    let mut gs: HashMap<&G, usize> = HashMap::new();
    for (p, g) in pred.iter().zip(gold) {
        *joint.entry((p, g)).or_default() += 1;
        *ps.entry(p).or_default() += 1;
        *gs.entry(g).or_default() += 1;
    }
    let tp: f64 = joint.values().map(|&n| pairs(n)).sum();
    let pp: f64 = ps.values().map(|&n| pairs(n)).sum();
    let gp: f64 = gs.values().map(|&n| pairs(n)).sum();
    let precision = if pp == 0.0 { 1.0 } else { tp / pp };
    let recall = if gp == 0.0 { 1.0 } else { tp / gp };
    Scores {
        precision,
        recall,
        f1: f1(precision, recall),
    }
}

/// B-cubed scores: per item, the share of its predicted cluster that shares
/// its gold label (precision) and of its gold cluster it was put with (recall).
pub fn bcubed<P: Eq + std::hash::Hash, G: Eq + std::hash::Hash>(pred: &[P], gold: &[G]) -> Scores {
    assert_eq!(pred.len(), gold.len());
    let mut joint: HashMap<(&P, &G), usize> = HashMap::new();
    let mut ps: HashMap<&P, usize> = HashMap::new();
    let mut gs: HashMap<&G, usize> = HashMap::new();
    for (p, g) in pred.iter().zip(gold) {
        *joint.entry((p, g)).or_default() += 1;
        *ps.entry(p).or_default() += 1;
        *gs.entry(g).or_default() += 1;
    }
    let n = pred.len().max(1) as f64;
    let (mut prec, mut rec) = (0.0, 0.0);
    for (p, g) in pred.iter().zip(gold) {
        let j = joint[&(p, g)] as f64;
        prec += j / ps[p] as f64;
        rec += j / gs[g] as f64;
    }
    let (precision, recall) = (prec / n, rec / n);
    Scores {
        precision,
        recall,
        f1: f1(precision, recall),
    }
}

#[derive(Deserialize)]
struct FixtureLine {
    id: i64,
    platform: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    community: Option<String>,
    #[serde(default)]
    url: String,
    published_at: DateTime<Utc>,
    #[serde(default)]
    metrics: Metrics,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    duplicate_of: Option<i64>,
    label: String,
}

/// A labelled fixture: records and the gold label of each (by record id).
pub struct Fixture {
    pub records: Vec<Record>,
    pub labels: HashMap<i64, String>,
}

impl Fixture {
    pub fn parse(jsonl: &str) -> Result<Fixture, String> {
        let mut records = Vec::new();
        let mut labels = HashMap::new();
        for (n, line) in jsonl.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let l: FixtureLine =
                serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
            let platform = Platform::parse(&l.platform).ok_or(format!(
                "line {}: platform {}",
                n + 1,
                l.platform
            ))?;
            let status = match l.status.as_deref() {
                None => RecordStatus::Kept,
                Some(s) => RecordStatus::parse(s).ok_or(format!("line {}: status {s}", n + 1))?,
            };
            if labels.insert(l.id, l.label).is_some() {
                return Err(format!("line {}: duplicate id {}", n + 1, l.id));
            }
            records.push(Record {
                id: l.id,
                beat_id: 1,
                platform,
                external_id: l.id.to_string(),
                canonical_url: l.url.clone(),
                url: l.url,
                title: l.title,
                text: l.text,
                author: l.author,
                community: l.community,
                published_at: l.published_at,
                fetched_at: l.published_at,
                metrics: l.metrics,
                status,
                reason: None,
                duplicate_of: l.duplicate_of,
                note: None,
                added_by: None,
            });
        }
        Ok(Fixture { records, labels })
    }

    /// Gold label of a record; `noise:` and `roundup:` labels are singletons
    /// already because each is unique in the fixture.
    pub fn label(&self, id: i64) -> &str {
        &self.labels[&id]
    }

    /// Scores predicted groups (record ids) against the gold labels of the
    /// kept records: (pairwise, B-cubed).
    pub fn score(&self, groups: &[Vec<i64>]) -> (Scores, Scores) {
        let mut pred = Vec::new();
        let mut gold = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            for id in g {
                pred.push(i);
                gold.push(self.label(*id).to_string());
            }
        }
        (pairwise(&pred, &gold), bcubed(&pred, &gold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_on_a_known_case() {
        // Gold: {a a a} {b b}; predicted: {a a} {a b b}.
        let gold = ["a", "a", "a", "b", "b"];
        let pred = [0, 0, 1, 1, 1];
        let p = pairwise(&pred, &gold);
        // Predicted pairs: 1 + 3 = 4, true among them: 1 + 1 = 2; gold pairs 3 + 1 = 4.
        assert!((p.precision - 0.5).abs() < 1e-9 && (p.recall - 0.5).abs() < 1e-9);
        let b = bcubed(&pred, &gold);
        // Precision: (1 + 1 + 1/3 + 2/3 + 2/3) / 5; recall: (2/3 + 2/3 + 1/3 + 1 + 1) / 5.
        assert!((b.precision - (11.0 / 3.0) / 5.0).abs() < 1e-9);
        assert!((b.recall - (11.0 / 3.0) / 5.0).abs() < 1e-9);
        let perfect = pairwise(&[0, 0, 1], &["x", "x", "y"]);
        assert_eq!(perfect.f1, 1.0);
    }
}
