//! The periodic merge pass: stories whose centroids converged become one.
//! Average linkage on centroids (per-group cosines, time decay), with a
//! threshold that grows with the smaller story's size so big, generic
//! centroids do not chain; pinned stories never merge with each other.

use crate::cluster::{add_terms, Clusterer};
use crate::features::GROUPS;

impl Clusterer {
    /// Similarity of two stories: per-group centroid cosines and time decay.
    pub(crate) fn cluster_sim(&self, a: u32, b: u32) -> f32 {
        let (a, b) = (&self.clusters[a as usize], &self.clusters[b as usize]);
        let (mut s, mut wsum) = (0.0, 0.0);
        for g in 0..GROUPS {
            if a.norm2[g] <= 0.0 || b.norm2[g] <= 0.0 {
                continue;
            }
            let (small, big) = if a.cent[g].len() <= b.cent[g].len() {
                (a, b)
            } else {
                (b, a)
            };
            let dot: f32 = small.cent[g]
                .iter()
                .filter_map(|(t, w)| big.cent[g].get(t).map(|x| x * w))
                .sum();
            s += self.config.weights[g] * dot / (a.norm2[g].sqrt() * b.norm2[g].sqrt());
            wsum += self.config.weights[g];
        }
        if wsum == 0.0 {
            return 0.0;
        }
        let gap = if a.last < b.first {
            b.first - a.last
        } else if b.last < a.first {
            a.first - b.last
        } else {
            0
        };
        s / wsum * self.time_factor(gap as f32 / 86_400.0)
    }

    /// Merges stories whose centroids converged. Only stories that changed
    /// since the last pass are examined.
    pub fn merge_pass(&mut self) {
        self.since_merge = 0;
        let dirty: Vec<u32> = (0..self.clusters.len() as u32)
            .filter(|&c| {
                let cl = &self.clusters[c as usize];
                cl.dirty && cl.alive && !cl.roundup && !cl.docs.is_empty()
            })
            .collect();
        for c in dirty {
            if !self.clusters[c as usize].alive {
                continue;
            }
            // Look up with the story's first and newest records: cheaper than
            // ranking a whole centroid, and they span what it is about.
            let terms = {
                let cl = &self.clusters[c as usize];
                let mut terms = Vec::new();
                for d in [cl.docs[0], cl.docs[cl.docs.len() - 1]] {
                    let v = &self.vecs[d as usize].g;
                    terms.extend(self.lookup_terms([&v[0], &v[1], &v[2]], [1.0; GROUPS]));
                    if cl.docs.len() == 1 {
                        break;
                    }
                }
                terms
            };
            let window = self.config.window_days * 86_400.0;
            let best = self
                .candidates(&terms, c)
                .into_iter()
                .filter(|&o| {
                    let (a, b) = (&self.clusters[c as usize], &self.clusters[o as usize]);
                    (a.pinned.is_none() || b.pinned.is_none())
                        && !b.docs.is_empty()
                        && ((a.first - b.last) as f32) <= window
                        && ((b.first - a.last) as f32) <= window
                })
                .map(|o| {
                    let small = self.clusters[c as usize]
                        .docs
                        .len()
                        .min(self.clusters[o as usize].docs.len());
                    let need = self.config.merge_threshold
                        * (1.0 + self.config.merge_size_penalty * (small.max(1) as f32).ln());
                    (self.cluster_sim(c, o) - need, o)
                })
                .filter(|x| x.0 >= 0.0)
                .collect::<Vec<_>>();
            // The closest story that tells the same event (checked last: it
            // reads records, and few candidates pass the threshold).
            let mut best = best;
            best.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            if let Some(&(_, o)) = best.iter().take(3).find(|x| self.tells_same_event(c, x.1)) {
                self.merge(c, o);
            }
        }
        for cl in &mut self.clusters {
            cl.dirty = false;
        }
    }

    pub(crate) fn merge(&mut self, a: u32, b: u32) {
        let (ca, cb) = (&self.clusters[a as usize], &self.clusters[b as usize]);
        let a_wins = ca.pinned.is_some() || (cb.pinned.is_none() && ca.docs.len() >= cb.docs.len());
        let (keep, gone) = if a_wins { (a, b) } else { (b, a) };
        let g = std::mem::take(&mut self.clusters[gone as usize]);
        let groups: [Vec<(u32, f32)>; GROUPS] = g.cent.map(|m| m.into_iter().collect());
        add_terms(
            &mut self.clusters[keep as usize],
            keep,
            [&groups[0], &groups[1], &groups[2]],
            &mut self.index,
        );
        for &d in &g.docs {
            self.doc_cluster[d as usize] = keep;
        }
        let tdf = &mut self.clusters[keep as usize].tdf;
        for (t, n) in g.tdf {
            *tdf.entry(t).or_default() += n;
        }
        let k = &mut self.clusters[keep as usize];
        k.docs.extend(g.docs);
        k.first = k.first.min(g.first);
        k.last = k.last.max(g.last);
        self.set_gone(gone);
    }
}
