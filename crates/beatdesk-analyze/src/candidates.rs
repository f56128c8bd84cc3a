//! The candidate search: an inverted index from term to the stories holding
//! it, scanned for the heaviest, not-too-common terms of a record (or of a
//! story's first and newest records). The newest postings of each term are
//! scored, and the best-scoring stories are compared in full.
//!
//! Each story has an `open` flag (live, not a roundup) kept beside the
//! stories: the scan reads it for every posting, and a flag per story stays
//! in cache where the stories themselves do not.

use crate::cluster::{Cluster, Clusterer};
use crate::features::GROUPS;

/// Terms this rare are always looked up, whatever their share: in a small
/// beat every shared term is in a large share of records.
const COMMON_MIN_DF: u32 = 200;

/// Candidate scores by story and the stories given one, reused between
/// searches.
#[derive(Default)]
pub(crate) struct Scratch {
    acc: Vec<f32>,
    touched: Vec<u32>,
}

impl Clusterer {
    /// Terms to look up: the heaviest, not-too-common terms of a vector set.
    pub(crate) fn lookup_terms(
        &self,
        groups: [&[(u32, f32)]; GROUPS],
        norms: [f32; GROUPS],
    ) -> Vec<(u32, f32)> {
        let mut terms: Vec<(u32, f32)> = Vec::new();
        for g in 0..GROUPS {
            let n = norms[g].max(1e-9);
            for &(t, w) in groups[g] {
                if self.feat.df(g, t) <= COMMON_MIN_DF
                    || self.feat.df_ratio(g, t) <= self.config.common_df
                {
                    terms.push((t, w / n * self.config.weights[g]));
                }
            }
        }
        let k = self.config.candidate_terms;
        if terms.len() > k {
            terms.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
            terms.truncate(k);
        }
        terms
    }

    pub(crate) fn candidates(&self, terms: &[(u32, f32)], exclude: u32) -> Vec<u32> {
        let mut scratch = self.scratch.lock().unwrap_or_else(|e| e.into_inner());
        self.candidates_in(terms, exclude, &mut scratch, None)
    }

    /// [`Self::candidates`] with a caller's scratch; `seen` receives every
    /// story the search scored (what its result depends on).
    pub(crate) fn candidates_in(
        &self,
        terms: &[(u32, f32)],
        exclude: u32,
        scratch: &mut Scratch,
        seen: Option<&mut Vec<u32>>,
    ) -> Vec<u32> {
        let Scratch { acc, touched } = scratch;
        if acc.len() < self.clusters.len() {
            acc.resize(self.clusters.len(), 0.0);
        }
        for &(t, w) in terms {
            let Some(p) = self.index.get(t as usize) else {
                continue;
            };
            let start = p.len().saturating_sub(self.config.postings_scan);
            for &c in &p[start..] {
                debug_assert_eq!(self.open[c as usize], self.is_open(c));
                if c != exclude && self.open[c as usize] {
                    if acc[c as usize] == 0.0 {
                        touched.push(c);
                    }
                    acc[c as usize] += w;
                }
            }
        }
        let mut v: Vec<(u32, f32)> = touched.iter().map(|&c| (c, acc[c as usize])).collect();
        for &c in touched.iter() {
            acc[c as usize] = 0.0;
        }
        if let Some(seen) = seen {
            seen.clone_from(touched);
        }
        touched.clear();
        let k = self.config.max_candidates;
        if v.len() > k {
            v.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            v.truncate(k);
        }
        v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().map(|x| x.0).collect()
    }

    /// Adds a story, keeping its `open` flag. Every story comes in here.
    pub(crate) fn push_cluster(&mut self, cl: Cluster) -> u32 {
        self.open.push(cl.alive && !cl.roundup);
        self.clusters.push(cl);
        (self.clusters.len() - 1) as u32
    }

    /// Makes a story a roundup: nothing joins it from now on.
    pub(crate) fn set_roundup(&mut self, c: u32) {
        self.clusters[c as usize].roundup = true;
        self.open[c as usize] = false;
    }

    /// Marks a story merged away.
    pub(crate) fn set_gone(&mut self, c: u32) {
        self.clusters[c as usize].alive = false;
        self.open[c as usize] = false;
    }

    /// What the `open` flag of a story must say, computed afresh.
    pub(crate) fn is_open(&self, c: u32) -> bool {
        let cl = &self.clusters[c as usize];
        cl.alive && !cl.roundup
    }
}
