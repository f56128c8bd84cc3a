//! From clusters to story candidates an editor can read: a title from the
//! most central record, top terms, why each record is in its story, stable
//! ids carried over from the previous pass, and the signal.

use beatdesk_types::{Platform, Record, RecordStatus};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::cluster::{Cluster, Clusterer};
use crate::doc::DocMeta;
use crate::features::GROUPS;
use crate::signal::{compute_all, StoryInput};
use crate::{Analysis, PriorStory, StoryCandidate};

const TOP_TERMS: usize = 6;
const WHY_TERMS: usize = 3;
/// Fewer stories than this are explained on one thread.
const PARALLEL_FROM: usize = 16;

/// Kept record id → number of records collapsed into it at ingest,
/// following `duplicate_of` chains.
pub fn duplicate_counts(records: &[Record]) -> FxHashMap<i64, usize> {
    let by_id: FxHashMap<i64, &Record> = records.iter().map(|r| (r.id, r)).collect();
    let mut out: FxHashMap<i64, usize> = FxHashMap::default();
    for r in records
        .iter()
        .filter(|r| r.status == RecordStatus::Duplicate)
    {
        let mut cur = r.duplicate_of;
        for _ in 0..16 {
            match cur.and_then(|id| by_id.get(&id)) {
                Some(k) if k.status == RecordStatus::Kept => {
                    *out.entry(k.id).or_default() += 1;
                    break;
                }
                Some(k) if k.status == RecordStatus::Duplicate => cur = k.duplicate_of,
                _ => break,
            }
        }
    }
    out
}

/// A story's centroid weights of one record's terms, per group (`None`
/// where the centroid lacks the term): looked up once, read by both the
/// headline score and the record's reasons.
pub(crate) type Looked = [Vec<Option<f32>>; GROUPS];

impl Clusterer {
    /// Fills `out` with story `c`'s centroid weights of record `d`'s terms.
    pub(crate) fn look_up(&self, d: u32, c: &Cluster, out: &mut Looked) {
        let v = &self.vecs[d as usize];
        for ((o, vg), cent) in out.iter_mut().zip(&v.g).zip(&c.cent) {
            o.clear();
            o.extend(vg.iter().map(|(t, _)| cent.get(t).copied()));
        }
    }

    /// Content similarity of a record to a story, without time: what
    /// `Cluster::cos` gives per group, from the looked-up weights.
    pub(crate) fn centrality(&self, d: u32, c: &Cluster, looked: &Looked) -> f32 {
        let v = &self.vecs[d as usize];
        (0..GROUPS)
            .map(|g| {
                let cos = if c.norm2[g] <= 0.0 || v.g[g].is_empty() {
                    0.0
                } else {
                    let dot: f32 = v.g[g]
                        .iter()
                        .zip(&looked[g])
                        .filter_map(|((_, w), x)| x.map(|x| x * w))
                        .sum();
                    dot / c.norm2[g].sqrt()
                };
                self.config.weights[g] * cos
            })
            .sum()
    }

    /// Centrality weighted by how usable the record's title is as a
    /// headline: the story's title comes from the most central record with
    /// a real headline (an article or post title over a repository name or
    /// the start of a short post).
    pub(crate) fn headline_score(&self, d: u32, c: &Cluster, looked: &Looked) -> f32 {
        let m = &self.meta[d as usize];
        let platform = match m.platform {
            Platform::News => 1.0,
            Platform::Reddit => 0.95,
            Platform::Manual => 0.8,
            Platform::Web => 0.8,
            Platform::Bluesky => 0.7,
        };
        let words = m.title.split_whitespace().count();
        let slug = words <= 2 && m.title.contains(['/', '-', '_']);
        let shape = if m.title.ends_with('…') || slug || words < 4 {
            0.75
        } else {
            1.0
        };
        self.centrality(d, c, looked) * platform * shape
    }

    /// The record whose title heads the story (the best headline score,
    /// the earliest-added record on a tie) and why each record is in it.
    /// Each record's centroid weights are looked up once for both.
    pub(crate) fn explain_docs(
        &self,
        docs: &[u32],
        c: &Cluster,
    ) -> (u32, HashMap<i64, Vec<String>>) {
        let mut looked: Looked = Default::default();
        let mut why = HashMap::with_capacity(docs.len());
        let mut best: Option<(f32, u32)> = None;
        for &d in docs {
            self.look_up(d, c, &mut looked);
            let s = self.headline_score(d, c, &looked);
            // As `max_by`: a later maximum wins, the order being score,
            // then the smaller index.
            let better = best.is_none_or(|(bs, bd)| s.total_cmp(&bs).then(bd.cmp(&d)).is_ge());
            if better {
                best = Some((s, d));
            }
            why.insert(self.meta[d as usize].id, self.why(d, c, &looked));
        }
        (best.expect("live stories have records").1, why)
    }

    fn top_terms(&self, c: &Cluster) -> Vec<String> {
        let mut w: FxHashMap<u32, f32> = FxHashMap::default();
        w.reserve(c.cent[1].len() + c.cent[2].len());
        for g in 0..GROUPS {
            if c.norm2[g] > 0.0 {
                let n = c.norm2[g].sqrt();
                for (t, x) in &c.cent[g] {
                    *w.entry(*t).or_default() += self.config.weights[g] * x / n;
                }
            }
        }
        // Prefer a two-word name (`hugging face`) over its halves.
        let cands = self.best_names(w.into_iter().collect(), TOP_TERMS * 3);
        let pairs: Vec<&String> = cands.iter().filter(|c| c.contains(' ')).collect();
        let mut out: Vec<String> = Vec::new();
        for c in &cands {
            let whole = pairs.iter().find(|p| p.split(' ').any(|h| h == c));
            let pick = match whole {
                Some(p) => (*p).clone(),
                None => c.clone(),
            };
            if !out.contains(&pick) {
                out.push(pick);
            }
            if out.len() == TOP_TERMS {
                break;
            }
        }
        out
    }

    /// The display names of the `n` heaviest terms (one per name), heaviest
    /// first, ties by term id.
    pub(crate) fn best_names(&self, mut v: Vec<(u32, f32)>, n: usize) -> Vec<String> {
        let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        // Only positive weights are named.
        v.retain(|x| x.1 > 0.0);
        // A big story's centroid holds thousands of terms and a few are
        // named: sort the best ones, and more only if names repeat.
        let mut k = (4 * n).max(16);
        let mut sorted = 0;
        let mut out: Vec<String> = Vec::new();
        while out.len() < n && sorted < v.len() {
            let end = k.min(v.len());
            let rest = &mut v[sorted..];
            if end < sorted + rest.len() {
                rest.select_nth_unstable_by(end - sorted - 1, order);
            }
            v[sorted..end].sort_unstable_by(order);
            for &(t, _) in &v[sorted..end] {
                if out.len() >= n {
                    break;
                }
                let name = self.feat.display(t);
                // A few names: a scan beats hashing each.
                if !out.iter().any(|o| o == name) {
                    out.push(name.to_string());
                }
            }
            sorted = end;
            k *= 2;
        }
        out
    }

    /// The terms a record shares most strongly with the rest of its story.
    fn why(&self, d: u32, c: &Cluster, looked: &Looked) -> Vec<String> {
        let v = &self.vecs[d as usize];
        let alone = c.docs.len() == 1;
        // Per term, the groups' shares added in group order (the vectors are
        // sorted by term, so a stable sort by term keeps that order).
        let mut parts: Vec<(u32, f32)> = Vec::with_capacity(v.g.iter().map(Vec::len).sum());
        for ((vg, lg), wg) in v.g.iter().zip(looked).zip(self.config.weights) {
            for (&(t, x), y) in vg.iter().zip(lg) {
                let rest = if alone { 1.0 } else { y.unwrap_or(0.0) - x };
                parts.push((t, wg * x * rest));
            }
        }
        parts.sort_by_key(|p| p.0);
        let mut w: Vec<(u32, f32)> = Vec::with_capacity(parts.len());
        for (t, x) in parts {
            match w.last_mut() {
                Some(last) if last.0 == t => last.1 += x,
                _ => w.push((t, 0.0 + x)),
            }
        }
        self.best_names(w, WHY_TERMS)
    }

    /// The stories found so far, with titles, terms, reasons, stable ids and
    /// signals. `records` is every record of the beat (for duplicate counts);
    /// `prior` the stories of the previous pass. Ranked by signal.
    pub fn analysis(
        &self,
        records: &[Record],
        prior: &[PriorStory],
        now: DateTime<Utc>,
    ) -> Analysis {
        let dups = duplicate_counts(records);
        let mut live_ids: Vec<u32> = (0..self.clusters.len() as u32)
            .filter(|&c| self.is_live(c))
            .collect();
        let mut live: Vec<&Cluster> = live_ids
            .iter()
            .map(|&c| &self.clusters[c as usize])
            .collect();
        let mut ordered: Vec<Vec<u32>> = live
            .iter()
            .map(|c| {
                let mut d = c.docs.clone();
                d.sort_by_key(|&i| (self.meta[i as usize].t, self.meta[i as usize].id));
                d
            })
            .collect();
        // Deterministic order before ids are matched: by first record.
        let mut order: Vec<usize> = (0..live.len()).collect();
        order.sort_by_key(|&i| {
            (
                self.meta[ordered[i][0] as usize].t,
                self.meta[ordered[i][0] as usize].id,
            )
        });
        live = order.iter().map(|&i| live[i]).collect();
        live_ids = order.iter().map(|&i| live_ids[i]).collect();
        ordered = order
            .iter()
            .map(|&i| std::mem::take(&mut ordered[i]))
            .collect();

        let ids: Vec<Vec<i64>> = ordered
            .iter()
            .map(|d| d.iter().map(|&i| self.meta[i as usize].id).collect())
            .collect();
        let story_ids = match_prior(
            &ids,
            &live.iter().map(|c| c.pinned).collect::<Vec<_>>(),
            prior,
        );

        let inputs: Vec<StoryInput<'_>> = ordered
            .iter()
            .zip(&live)
            .map(|(docs, c)| self.signal_input(docs, |id| dups.get(&id).copied(), c.roundup))
            .collect();
        let signals = compute_all(&inputs, now);

        let prior_sets: FxHashMap<i64, FxHashSet<i64>> = prior
            .iter()
            .map(|p| (p.story_id, p.record_ids.iter().copied().collect()))
            .collect();
        let mut stories: Vec<StoryCandidate> = Vec::with_capacity(live.len());
        for ((((c, ci), docs), (rids, sid)), signal) in live
            .iter()
            .zip(&live_ids)
            .zip(&ordered)
            .zip(ids.into_iter().zip(story_ids))
            .zip(signals)
        {
            let (central, why) = self.explain_docs(docs, c);
            let new_record_ids = match sid.and_then(|s| prior_sets.get(&s)) {
                Some(set) => rids.iter().copied().filter(|r| !set.contains(r)).collect(),
                None => rids.clone(),
            };
            stories.push(StoryCandidate {
                story_id: sid,
                record_ids: rids,
                title: self.meta[central as usize].title.clone(),
                central_record_id: self.meta[central as usize].id,
                top_terms: self.top_terms(c),
                why,
                signal,
                new_record_ids,
                roundup: c.roundup,
                cluster: *ci,
            });
        }
        stories.sort_by(|a, b| {
            b.signal
                .total
                .total_cmp(&a.signal.total)
                .then(a.record_ids[0].cmp(&b.record_ids[0]))
        });
        Analysis { stories }
    }
}

impl Clusterer {
    /// Whether a story of the clusterer is still live (not merged away).
    pub fn is_live(&self, c: u32) -> bool {
        self.clusters
            .get(c as usize)
            .is_some_and(|cl| cl.alive && !cl.docs.is_empty())
    }

    /// Whether a story of the clusterer is a roundup (kept apart).
    pub fn is_roundup(&self, c: u32) -> bool {
        self.clusters.get(c as usize).is_some_and(|cl| cl.roundup)
    }

    /// Live stories holding a record added at or after position `since`
    /// (what the last `add` changed).
    pub fn touched(&self, since: usize) -> Vec<u32> {
        let mut out: Vec<u32> = (since..self.meta.len())
            .map(|d| self.doc_cluster[d])
            .filter(|&c| self.is_live(c))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Candidates for some live stories (an incremental pass), each with its
    /// signal against the whole beat; `dups` counts records collapsed into
    /// each kept record. `story_id` is set for pinned stories only.
    pub fn analysis_of(
        &self,
        clusters: &[u32],
        dups: &std::collections::HashMap<i64, usize>,
        now: DateTime<Utc>,
    ) -> Vec<StoryCandidate> {
        let ordered = |c: &Cluster| {
            let mut docs = c.docs.clone();
            docs.sort_by_key(|&i| (self.meta[i as usize].t, self.meta[i as usize].id));
            docs
        };
        let all: Vec<StoryInput<'_>> = self
            .live()
            .map(|c| self.signal_input(&c.docs, |id| dups.get(&id).copied(), c.roundup))
            .collect();
        let ctx = crate::signal::BeatContext::new(&all, now);
        let live: Vec<u32> = clusters
            .iter()
            .copied()
            .filter(|&c| self.is_live(c))
            .collect();
        let explain = |part: &[u32]| {
            part.iter()
                .map(|&ci| {
                    let c = &self.clusters[ci as usize];
                    let docs = ordered(c);
                    let signal = crate::signal::story_signal(
                        &ctx,
                        &self.signal_input(&docs, |id| dups.get(&id).copied(), c.roundup),
                    );
                    let (central, why) = self.explain_docs(&docs, c);
                    let record_ids: Vec<i64> =
                        docs.iter().map(|&d| self.meta[d as usize].id).collect();
                    StoryCandidate {
                        story_id: c.pinned,
                        new_record_ids: Vec::new(),
                        title: self.meta[central as usize].title.clone(),
                        central_record_id: self.meta[central as usize].id,
                        top_terms: self.top_terms(c),
                        why,
                        signal,
                        record_ids,
                        roundup: c.roundup,
                        cluster: ci,
                    }
                })
                .collect::<Vec<_>>()
        };
        // Stories are explained independently: half on a second thread.
        if live.len() < PARALLEL_FROM {
            return explain(&live);
        }
        let (a, b) = live.split_at(live.len() / 2);
        std::thread::scope(|s| {
            let second = s.spawn(|| explain(b));
            let mut out = explain(a);
            out.extend(second.join().expect("explaining thread"));
            out
        })
    }

    /// Signals of the live stories only (no titles or reasons): what a
    /// re-rank needs. Stories in the same order as [`Clusterer::groups`].
    pub fn signals(&self, now: DateTime<Utc>) -> Vec<beatdesk_types::Signal> {
        let inputs: Vec<StoryInput<'_>> = self
            .live()
            .map(|c| self.signal_input(&c.docs, |_| None, c.roundup))
            .collect();
        compute_all(&inputs, now)
    }

    /// The signals of some live stories, against the whole beat (`dups`
    /// copies collapsed into records): a re-rank — recency moves with the
    /// clock, an editor's exclusion changes what counts — with no
    /// re-clustering. Stories not live are skipped.
    pub fn signals_of(
        &self,
        stories: &[u32],
        dups: &std::collections::HashMap<i64, usize>,
        now: DateTime<Utc>,
    ) -> Vec<(u32, beatdesk_types::Signal)> {
        let input = |c: &Cluster| {
            let mut docs = c.docs.clone();
            docs.sort_by_key(|&i| (self.meta[i as usize].t, self.meta[i as usize].id));
            self.signal_input(&docs, |id| dups.get(&id).copied(), c.roundup)
        };
        let all: Vec<StoryInput<'_>> = self
            .live()
            .map(|c| self.signal_input(&c.docs, |id| dups.get(&id).copied(), c.roundup))
            .collect();
        let ctx = crate::signal::BeatContext::new(&all, now);
        stories
            .iter()
            .filter(|&&c| self.is_live(c))
            .map(|&c| {
                let signal = crate::signal::story_signal(&ctx, &input(&self.clusters[c as usize]));
                (c, signal)
            })
            .collect()
    }

    /// What a story's signal counts: its records but those an editor
    /// excluded, and the copies collapsed into them.
    fn signal_input<'a>(
        &'a self,
        docs: &[u32],
        dups: impl Fn(i64) -> Option<usize>,
        roundup: bool,
    ) -> StoryInput<'a> {
        let docs: Vec<&DocMeta> = docs
            .iter()
            .map(|&d| &self.meta[d as usize])
            .filter(|m| !self.excluded.contains(&m.id))
            .collect();
        StoryInput {
            duplicates: docs.iter().map(|m| dups(m.id).unwrap_or(0)).sum(),
            docs,
            roundup,
        }
    }
}

/// Carries prior story ids over: pinned stories keep theirs; every other
/// prior story goes to the candidate holding most of its records (largest
/// overlaps first, each id used once).
pub fn match_prior(
    groups: &[Vec<i64>],
    pinned: &[Option<i64>],
    prior: &[PriorStory],
) -> Vec<Option<i64>> {
    let mut out: Vec<Option<i64>> = pinned.to_vec();
    let mut used: FxHashSet<i64> = pinned.iter().flatten().copied().collect();
    let mut owner: FxHashMap<i64, i64> = FxHashMap::default();
    for p in prior.iter().filter(|p| !used.contains(&p.story_id)) {
        for r in &p.record_ids {
            owner.entry(*r).or_insert(p.story_id);
        }
    }
    let mut pairs: Vec<(usize, i64, usize)> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let mut overlap: FxHashMap<i64, usize> = FxHashMap::default();
        for r in g {
            if let Some(s) = owner.get(r) {
                *overlap.entry(*s).or_default() += 1;
            }
        }
        pairs.extend(overlap.into_iter().map(|(s, n)| (n, s, i)));
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, s, i) in pairs {
        if out[i].is_none() && used.insert(s) {
            out[i] = Some(s);
        }
    }
    out
}
