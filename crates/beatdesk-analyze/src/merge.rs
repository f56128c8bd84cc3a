//! The periodic merge pass: stories whose centroids converged become one.
//! Average linkage on centroids (per-group cosines, time decay), with a
//! threshold that grows with the smaller story's size so big, generic
//! centroids do not chain; pinned stories never merge with each other.

use rustc_hash::FxHashSet;

use crate::candidates::Scratch;
use crate::cluster::{add_terms, Clusterer};
use crate::features::GROUPS;

/// Fewer dirty stories than this are examined on one thread.
const PARALLEL_FROM: usize = 64;

/// What examining one story found: the story it merges with, and what that
/// depended on besides the story itself.
pub(crate) struct MergePlan {
    pub choice: Option<u32>,
    /// Stories the candidate search scored.
    pub seen: Vec<u32>,
    /// Terms looked up in the index.
    pub terms: Vec<u32>,
}

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
    ///
    /// Each story's choice is first worked out on two threads from the
    /// state before any merge, then the stories are taken in order as
    /// before: a choice is used only while nothing it read has changed (no
    /// merge touched the story, a story its search scored, or the postings
    /// of a term it looked up), else it is worked out again.
    pub fn merge_pass(&mut self) {
        self.since_merge = 0;
        let dirty: Vec<u32> = (0..self.clusters.len() as u32)
            .filter(|&c| {
                let cl = &self.clusters[c as usize];
                cl.dirty && cl.alive && !cl.roundup && !cl.docs.is_empty()
            })
            .collect();
        let planned = self.plan_merges(&dirty);
        let mut merged: FxHashSet<u32> = FxHashSet::default();
        let mut posted: FxHashSet<u32> = FxHashSet::default();
        for (c, plan) in dirty.into_iter().zip(planned) {
            if !self.clusters[c as usize].alive {
                continue;
            }
            let choice = match plan {
                Some(p)
                    if !merged.contains(&c)
                        && p.seen.iter().all(|o| !merged.contains(o))
                        && p.terms.iter().all(|t| !posted.contains(t)) =>
                {
                    p.choice
                }
                _ => {
                    let mut scratch = Scratch::default();
                    self.merge_choice(c, &mut scratch).choice
                }
            };
            if let Some(o) = choice {
                // Terms either story holds may get a new posting.
                for x in [c, o] {
                    merged.insert(x);
                    for g in &self.clusters[x as usize].cent {
                        posted.extend(g.keys().copied());
                    }
                }
                self.merge(c, o);
            }
        }
        for cl in &mut self.clusters {
            cl.dirty = false;
        }
    }

    /// Each dirty story's merge choice from the present state, the list
    /// split between this thread and a second one.
    fn plan_merges(&self, dirty: &[u32]) -> Vec<Option<MergePlan>> {
        #[cfg(test)]
        if tests::UNPLANNED.get() {
            return dirty.iter().map(|_| None).collect();
        }
        let plan = |part: &[u32]| {
            let mut scratch = Scratch::default();
            part.iter()
                .map(|&c| Some(self.merge_choice(c, &mut scratch)))
                .collect::<Vec<_>>()
        };
        if dirty.len() < PARALLEL_FROM {
            return plan(dirty);
        }
        let (a, b) = dirty.split_at(dirty.len() / 2);
        std::thread::scope(|s| {
            let second = s.spawn(|| plan(b));
            let mut out = plan(a);
            out.extend(second.join().expect("merge planning thread"));
            out
        })
    }

    /// The story `c` merges with, if any, and what finding it read.
    fn merge_choice(&self, c: u32, scratch: &mut Scratch) -> MergePlan {
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
        let mut seen = Vec::new();
        let mut best = self
            .candidates_in(&terms, c, scratch, Some(&mut seen))
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
        best.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let choice = best
            .iter()
            .take(3)
            .find(|x| self.tells_same_event(c, x.1))
            .map(|x| x.1);
        MergePlan {
            choice,
            seen,
            terms: terms.into_iter().map(|t| t.0).collect(),
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

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use crate::{synth, Clusterer};

    thread_local! {
        /// Every story's choice worked out in turn, as before planning.
        pub(super) static UNPLANNED: Cell<bool> = const { Cell::new(false) };
    }

    fn groups(records: &[beatdesk_types::Record], unplanned: bool) -> Vec<Vec<i64>> {
        UNPLANNED.set(unplanned);
        let mut c = Clusterer::default();
        c.config.merge_every = 300;
        c.add(&records[..records.len() - 500]);
        c.add(&records[records.len() - 500..]);
        UNPLANNED.set(false);
        c.groups()
    }

    #[test]
    fn planned_merges_give_what_merging_in_turn_gives() {
        for seed in [3, 8] {
            let (records, _) = synth::records(4000, 300, 6, seed);
            let planned = groups(&records, false);
            let unplanned = groups(&records, true);
            assert!(planned.len() < 3500, "stories formed: {}", planned.len());
            assert!(
                planned == unplanned,
                "seed {seed}: {} stories planned, {} in turn",
                planned.len(),
                unplanned.len()
            );
        }
    }
}
