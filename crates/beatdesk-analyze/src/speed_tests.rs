//! The shortcuts taken for speed give what computing afresh gives: the
//! candidate search's per-story flags, and the explanations built from one
//! lookup per record and a partial sort.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::cluster::{Cluster, Clusterer};
use crate::features::GROUPS;
use crate::synth;

/// A clusterer over synthetic records, added in two batches (so merges,
/// roundups and a second `add` all happen).
fn clustered() -> Clusterer {
    let (records, _) = synth::records(3000, 150, 10, 5);
    let mut c = Clusterer::default();
    c.add(&records[..2500]);
    c.add(&records[2500..]);
    c
}

/// `best_names` as it was: a full sort, names deduplicated with a set.
fn best_names_afresh(c: &Clusterer, mut v: Vec<(u32, f32)>, n: usize) -> Vec<String> {
    v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut seen = FxHashSet::default();
    let mut out = Vec::new();
    for (t, x) in v {
        if x <= 0.0 || out.len() >= n {
            break;
        }
        let name = c.feat.display(t);
        if seen.insert(name) {
            out.push(name.to_string());
        }
    }
    out
}

/// A record's reasons as they were: summed in a hash map.
fn why_afresh(c: &Clusterer, d: u32, cl: &Cluster) -> Vec<String> {
    let v = &c.vecs[d as usize];
    let mut w: FxHashMap<u32, f32> = FxHashMap::default();
    let alone = cl.docs.len() == 1;
    for g in 0..GROUPS {
        for &(t, x) in &v.g[g] {
            let rest = if alone {
                1.0
            } else {
                cl.cent[g].get(&t).copied().unwrap_or(0.0) - x
            };
            *w.entry(t).or_default() += c.config.weights[g] * x * rest;
        }
    }
    best_names_afresh(c, w.into_iter().collect(), 3)
}

#[test]
fn open_flags_match_the_stories() {
    let c = clustered();
    assert!(c.clusters.iter().any(|cl| !cl.alive), "some stories merged");
    for i in 0..c.clusters.len() as u32 {
        assert_eq!(c.open[i as usize], c.is_open(i), "story {i}");
    }
    // A clusterer rebuilt from stored stories, roundups among them.
    let (records, _) = synth::records(3000, 150, 10, 5);
    let stories: Vec<crate::StoredStory> = c
        .live()
        .enumerate()
        .map(|(i, cl)| crate::StoredStory {
            story_id: i as i64,
            record_ids: cl.docs.iter().map(|&d| c.meta[d as usize].id).collect(),
            pinned: false,
            roundup: i % 7 == 0,
        })
        .collect();
    let mut r = Clusterer::default();
    r.restore(&records, &stories);
    for i in 0..r.clusters.len() as u32 {
        assert_eq!(r.open[i as usize], r.is_open(i), "restored story {i}");
    }
}

#[test]
fn explanations_match_a_fresh_computation() {
    let c = clustered();
    let mut checked = 0;
    for cl in c.live() {
        let (central, why) = c.explain_docs(&cl.docs, cl);
        // The central record: the best headline score, the first on a tie.
        let mut looked = Default::default();
        let mut score: FxHashMap<u32, f32> = FxHashMap::default();
        for &d in &cl.docs {
            c.look_up(d, cl, &mut looked);
            score.insert(d, c.headline_score(d, cl, &looked));
        }
        let central_afresh = *cl
            .docs
            .iter()
            .max_by(|&&a, &&b| score[&a].total_cmp(&score[&b]).then(b.cmp(&a)))
            .unwrap();
        assert_eq!(central, central_afresh);
        for &d in &cl.docs {
            // Centrality from looked-up weights is `Cluster::cos`, bit for bit.
            c.look_up(d, cl, &mut looked);
            let afresh: f32 = (0..GROUPS)
                .map(|g| c.config.weights[g] * cl.cos(g, &c.vecs[d as usize].g[g]))
                .sum();
            assert_eq!(c.centrality(d, cl, &looked).to_bits(), afresh.to_bits());
            assert_eq!(why[&c.meta[d as usize].id], why_afresh(&c, d, cl));
            checked += 1;
        }
    }
    assert!(checked > 2000, "{checked}");
}

#[test]
fn best_names_match_a_full_sort() {
    let c = clustered();
    let n_terms = c.feat.display_len() as u32;
    let mut rng = synth::Rng::new(9);
    for round in 0..200 {
        // Many terms, repeated names (stems shown alike), ties and zeros.
        let len = [5, 40, 400, 4000][round % 4];
        let v: Vec<(u32, f32)> = (0..len)
            .map(|_| {
                let t = rng.below(n_terms as usize) as u32;
                let x = (rng.below(50) as f32 - 10.0) / 7.0;
                (t, x)
            })
            .collect::<FxHashMap<u32, f32>>()
            .into_iter()
            .collect();
        for n in [3, 18] {
            assert_eq!(
                c.best_names(v.clone(), n),
                best_names_afresh(&c, v.clone(), n),
                "round {round}, {n} names"
            );
        }
    }
}
