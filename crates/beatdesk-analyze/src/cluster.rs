//! Online single-pass clustering in publication order (Miranda et al. 2018).
//!
//! Each record is compared only with stories that share one of its most
//! distinctive terms (an inverted index from term to story), scored by a
//! weighted sum of per-group cosines (title, body, entities) times a Gaussian
//! time decay, and joins the best story above a threshold or starts a new
//! one. A record that matches two unrelated stories about equally well is a
//! roundup: it stays alone and never bridges them. A periodic merge pass
//! joins stories whose centroids converged.

use std::sync::Mutex;

use beatdesk_types::{Record, RecordStatus};
use rustc_hash::FxHashMap;

use crate::candidates::Scratch;
pub use crate::config::Config;
use crate::doc::DocMeta;
use crate::features::{DocVec, Featurizer, RawDoc, BODY, ENT, GROUPS};

/// Posts with fewer words than this follow their structure whatever they say.
const SHORT_WORDS: u32 = 12;

/// Stories this small move to the story their records' structure points to.
const SMALL_STORY: usize = 3;

/// One story being built: its records and per-group centroids.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    /// Indices into the clusterer's records, in arrival order.
    pub docs: Vec<u32>,
    pub(crate) cent: [FxHashMap<u32, f32>; GROUPS],
    pub(crate) norm2: [f32; GROUPS],
    pub first: i64,
    pub last: i64,
    pub alive: bool,
    /// Mentions several unrelated stories; never joined or merged.
    pub roundup: bool,
    /// The prior story id an editor depends on.
    pub pinned: Option<i64>,
    pub(crate) dirty: bool,
    /// Per term (body or entity): how many of the story's records hold it.
    pub(crate) tdf: FxHashMap<u32, u32>,
}

impl Cluster {
    pub(crate) fn new(pinned: Option<i64>) -> Self {
        Cluster {
            first: i64::MAX,
            last: i64::MIN,
            alive: true,
            pinned,
            ..Default::default()
        }
    }

    /// Cosine of a record's group vector with this centroid.
    pub(crate) fn cos(&self, g: usize, v: &[(u32, f32)]) -> f32 {
        if self.norm2[g] <= 0.0 || v.is_empty() {
            return 0.0;
        }
        let dot: f32 = v
            .iter()
            .filter_map(|(t, w)| self.cent[g].get(t).map(|c| c * w))
            .sum();
        dot / self.norm2[g].sqrt()
    }

    /// Distance in days from `t` to the span of the story.
    pub(crate) fn gap_days(&self, t: i64) -> f32 {
        if self.first > self.last {
            return 0.0;
        }
        let d = if t < self.first {
            self.first - t
        } else {
            (t - self.last).max(0)
        };
        d as f32 / 86_400.0
    }
}

/// The incremental clusterer: keep one per beat and `add` new records.
pub struct Clusterer {
    pub config: Config,
    pub(crate) feat: Featurizer,
    pub(crate) vecs: Vec<DocVec>,
    pub(crate) meta: Vec<DocMeta>,
    pub(crate) doc_cluster: Vec<u32>,
    pub(crate) clusters: Vec<Cluster>,
    pub(crate) by_id: FxHashMap<i64, u32>,
    pub(crate) index: Vec<Vec<u32>>,
    forced: FxHashMap<i64, u32>,
    /// Record id → records it answers, quotes, comments on or links to.
    related: FxHashMap<i64, Vec<i64>>,
    /// Target id → records that point to it.
    related_rev: FxHashMap<i64, Vec<i64>>,
    pub(crate) since_merge: usize,
    /// Records an editor excluded from their story: they stay in it but
    /// count in no signal.
    pub(crate) excluded: rustc_hash::FxHashSet<i64>,
    /// Aggregators' pointers and articles by headline (see `pointers`).
    pub(crate) headlines: crate::pointers::Headlines,
    /// Candidate scores by story, and the stories touched (reused; a lock
    /// so that threads may share the clusterer, each with its own scratch).
    pub(crate) scratch: Mutex<Scratch>,
    /// Per story: live and not a roundup, so a record or story may join it.
    /// The candidate search reads this for every posting it scans; a flag
    /// per story stays in cache where the stories themselves do not.
    pub(crate) open: Vec<bool>,
}

impl Default for Clusterer {
    fn default() -> Self {
        Self::new(Config::default())
    }
}

impl Clusterer {
    pub fn new(config: Config) -> Self {
        Clusterer {
            config,
            feat: Featurizer::new(),
            vecs: Vec::new(),
            meta: Vec::new(),
            doc_cluster: Vec::new(),
            clusters: Vec::new(),
            by_id: FxHashMap::default(),
            index: Vec::new(),
            forced: FxHashMap::default(),
            related: FxHashMap::default(),
            related_rev: FxHashMap::default(),
            since_merge: 0,
            excluded: Default::default(),
            headlines: Default::default(),
            scratch: Mutex::new(Scratch::default()),
            open: Vec::new(),
        }
    }

    /// Keeps a drafted or signed-off story together under its id: its
    /// records, when they are added, go to it whatever their scores; other
    /// records may still join it. Call before adding those records.
    pub fn pin(&mut self, story_id: i64, record_ids: &[i64]) {
        let c = self.push_cluster(Cluster::new(Some(story_id)));
        for id in record_ids {
            self.forced.entry(*id).or_insert(c);
        }
    }

    /// The records editors excluded from their stories (replacing any set
    /// before): signals leave them out, clustering does not.
    pub fn set_excluded(&mut self, record_ids: impl IntoIterator<Item = i64>) {
        self.excluded = record_ids.into_iter().collect();
    }

    /// Tells the clusterer that a record answers, quotes, comments on or
    /// links to another: the platforms' own structure. Call before adding
    /// the record; the target may come before or after it.
    pub fn relate(&mut self, record_id: i64, target_id: i64) {
        if record_id == target_id {
            return;
        }
        let v = self.related.entry(record_id).or_default();
        if !v.contains(&target_id) {
            v.push(target_id);
            self.related_rev
                .entry(target_id)
                .or_default()
                .push(record_id);
        }
    }

    /// The story a record's structure points to: the best-scoring live,
    /// non-roundup story holding one of its targets, with that score.
    fn structural(&self, d: u32) -> Option<(f32, u32)> {
        let id = self.meta[d as usize].id;
        let own = self.doc_cluster[d as usize];
        let mut targets: Vec<u32> = self
            .related
            .get(&id)?
            .iter()
            .filter_map(|t| self.by_id.get(t))
            .map(|&td| self.doc_cluster[td as usize])
            .filter(|&c| {
                c != u32::MAX && c != own && {
                    let cl = &self.clusters[c as usize];
                    cl.alive && !cl.roundup && !cl.docs.is_empty()
                }
            })
            .collect();
        targets.sort_unstable();
        targets.dedup();
        // Pointing into several stories (a newsletter linking each story it
        // rounds up) places nothing: content and the roundup test decide.
        match targets[..] {
            [c] => Some((self.score_doc(d, &self.clusters[c as usize]), c)),
            _ => None,
        }
    }

    /// Whether a record of story `c` links to, answers or quotes record `d`
    /// (a share of an article, its aggregator's pointer): that story is
    /// about `d`, not a second story making `d` a roundup. Links *from* `d`
    /// do not count: a newsletter links to every story it rounds up.
    fn pointed_at_from(&self, d: u32, c: u32) -> bool {
        let id = self.meta[d as usize].id;
        self.related_rev.get(&id).is_some_and(|v| {
            v.iter().any(|r| {
                self.by_id
                    .get(r)
                    .is_some_and(|&x| self.doc_cluster[x as usize] == c)
            })
        })
    }

    /// Whether a record may follow its structure on this score: a short post
    /// ("big if true", "price?") carries no words to check, a longer one must
    /// share something with the story.
    fn follows(&self, d: u32, score: f32) -> bool {
        score >= self.config.link_threshold || self.meta[d as usize].words < SHORT_WORDS
    }

    /// Records whose structure points to a story they did not join (their
    /// target arrived after them, or they started a small story of their
    /// own): a small story moves to its target's story.
    fn link_pass(&mut self, docs: std::ops::Range<u32>) {
        let mut sources: Vec<u32> = docs.clone().collect();
        // Records that point at a record just added may have come first.
        for d in docs {
            let id = self.meta[d as usize].id;
            if let Some(from) = self.related_rev.get(&id) {
                sources.extend(from.iter().filter_map(|f| self.by_id.get(f)).copied());
            }
        }
        for d in sources {
            let c = self.doc_cluster[d as usize];
            let cl = &self.clusters[c as usize];
            if cl.roundup {
                continue;
            }
            if cl.docs.len() <= SMALL_STORY && cl.pinned.is_none() {
                if let Some((s, to)) = self.structural(d) {
                    if self.follows(d, s) {
                        self.merge(to, c);
                    }
                }
                continue;
            }
            // A record of a story answering or quoting a lone post (a
            // correction under a wrong claim) brings that post along.
            let id = self.meta[d as usize].id;
            let targets: Vec<u32> = self
                .related
                .get(&id)
                .into_iter()
                .flatten()
                .filter_map(|t| self.by_id.get(t).copied())
                .collect();
            for td in targets {
                let c = self.doc_cluster[d as usize];
                let tc = self.doc_cluster[td as usize];
                let tcl = &self.clusters[tc as usize];
                if tc == c || tcl.docs.len() > SMALL_STORY || tcl.pinned.is_some() || tcl.roundup {
                    continue;
                }
                let s = self.score_doc(td, &self.clusters[c as usize]);
                if self.follows(td, s) {
                    self.merge(c, tc);
                }
            }
        }
    }

    /// Number of records clustered so far.
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    /// The features and source data of records about to be held: counted
    /// into the vocabulary, the index grown to fit, headlines related. Text
    /// sketches and source data need no shared state, so they are computed
    /// on a second thread while this one builds the features.
    pub(crate) fn featurise(&mut self, recs: &[&Record]) -> (Vec<RawDoc>, Vec<DocMeta>) {
        let (raws, metas) = std::thread::scope(|s| {
            let metas = s.spawn(|| {
                recs.iter()
                    .map(|r| DocMeta::from_record(r))
                    .collect::<Vec<_>>()
            });
            let raws: Vec<_> = recs
                .iter()
                .map(|r| self.feat.raw(&r.title, &r.text))
                .collect();
            (raws, metas.join().expect("sketch thread"))
        });
        for raw in &raws {
            self.feat.count(raw);
        }
        if self.index.len() < self.feat.display_len() {
            self.index.resize_with(self.feat.display_len(), Vec::new);
        }
        self.relate_headlines(&metas);
        (raws, metas)
    }

    /// Adds kept records not seen before, in publication order, then runs a
    /// merge pass. Returns how many were added.
    pub fn add(&mut self, records: &[Record]) -> usize {
        let mut new: Vec<&Record> = records
            .iter()
            .filter(|r| r.status == RecordStatus::Kept && !self.by_id.contains_key(&r.id))
            .collect();
        new.sort_by_key(|r| (r.published_at, r.id));
        new.dedup_by_key(|r| r.id);
        let (raws, metas) = self.featurise(&new);
        let first = self.vecs.len() as u32;
        for ((r, raw), meta) in new.iter().zip(&raws).zip(metas) {
            let d = self.vecs.len() as u32;
            self.by_id.insert(r.id, d);
            self.vecs.push(self.feat.weigh(raw));
            self.meta.push(meta);
            self.doc_cluster.push(u32::MAX);
            self.assign(d);
            self.since_merge += 1;
            if self.since_merge >= self.config.merge_every {
                self.merge_pass();
            }
        }
        self.link_pass(first..self.vecs.len() as u32);
        self.merge_pass();
        self.attach_pass(first);
        new.len()
    }

    /// Index of a record by id.
    pub fn doc_of(&self, record_id: i64) -> Option<u32> {
        self.by_id.get(&record_id).copied()
    }

    /// The live stories as lists of record ids, in publication order.
    pub fn groups(&self) -> Vec<Vec<i64>> {
        self.live()
            .map(|c| c.docs.iter().map(|&d| self.meta[d as usize].id).collect())
            .collect()
    }

    pub(crate) fn live(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters
            .iter()
            .filter(|c| c.alive && !c.docs.is_empty())
    }

    fn score_doc(&self, d: u32, c: &Cluster) -> f32 {
        let v = &self.vecs[d as usize];
        let (mut s, mut wsum) = (0.0, 0.0);
        for g in 0..GROUPS {
            if !v.g[g].is_empty() {
                s += self.config.weights[g] * c.cos(g, &v.g[g]);
                wsum += self.config.weights[g];
            }
        }
        if wsum == 0.0 {
            return 0.0;
        }
        s / wsum * self.time_factor(c.gap_days(self.meta[d as usize].t))
    }

    pub(crate) fn time_factor(&self, gap_days: f32) -> f32 {
        let sigma = self.config.time_sigma_days;
        let f = self.config.time_floor;
        f + (1.0 - f) * (-(gap_days * gap_days) / (2.0 * sigma * sigma)).exp()
    }

    fn assign(&mut self, d: u32) {
        let id = self.meta[d as usize].id;
        if let Some(&c) = self.forced.get(&id) {
            self.join(d, c);
            return;
        }
        // The platform says where it belongs (a reply, a quote, a comment,
        // a link to a story's article): follow it unless the content is
        // plainly elsewhere.
        if let Some((s, c)) = self.structural(d) {
            if self.follows(d, s) {
                self.join(d, c);
                return;
            }
        }
        let v = &self.vecs[d as usize];
        let terms = self.lookup_terms([&v.g[0], &v.g[1], &v.g[2]], [1.0; GROUPS]);
        let t = self.meta[d as usize].t;
        let window = self.config.window_days;
        let mut scored: Vec<(f32, u32)> = self
            .candidates(&terms, u32::MAX)
            .into_iter()
            .filter(|&c| self.clusters[c as usize].gap_days(t) <= window)
            .map(|c| (self.score_doc(d, &self.clusters[c as usize]), c))
            .collect();
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let th = self.config.threshold;
        let roundup = match scored.as_slice() {
            [(s1, c1), (s2, c2), ..] if *s1 >= th && *s2 >= th * self.config.roundup_ratio => {
                self.cluster_sim(*c1, *c2) < self.config.merge_threshold
                    && self.shared_basis(d, *c1, *c2) < self.config.roundup_overlap
                    && !self.pointed_at_from(d, *c1)
                    && !self.pointed_at_from(d, *c2)
            }
            _ => false,
        };
        match scored.first() {
            _ if roundup => {
                let c = self.new_cluster();
                self.set_roundup(c);
                self.join(d, c);
            }
            Some((s1, c1)) if *s1 >= th && self.tells_same_event_as(d, *c1) => self.join(d, *c1),
            _ => {
                let c = self.new_cluster();
                self.join(d, c);
            }
        }
    }

    /// How much two stories' matches with a record rest on the same terms
    /// (0: disjoint, as in a roundup; 1: identical, as in a split story).
    fn shared_basis(&self, d: u32, a: u32, b: u32) -> f32 {
        let v = &self.vecs[d as usize];
        let (ca, cb) = (&self.clusters[a as usize], &self.clusters[b as usize]);
        let mut contrib: FxHashMap<u32, (f32, f32)> = FxHashMap::default();
        for g in 0..GROUPS {
            let w = self.config.weights[g];
            let (na, nb) = (ca.norm2[g].sqrt().max(1e-9), cb.norm2[g].sqrt().max(1e-9));
            for &(t, x) in &v.g[g] {
                let ea = ca.cent[g].get(&t).map_or(0.0, |c| w * x * c / na);
                let eb = cb.cent[g].get(&t).map_or(0.0, |c| w * x * c / nb);
                if ea > 0.0 || eb > 0.0 {
                    let e = contrib.entry(t).or_default();
                    e.0 += ea;
                    e.1 += eb;
                }
            }
        }
        let (sa, sb) = contrib
            .values()
            .fold((0.0, 0.0), |acc, e| (acc.0 + e.0, acc.1 + e.1));
        if sa <= 0.0 || sb <= 0.0 {
            return 0.0;
        }
        contrib.values().map(|e| (e.0 / sa).min(e.1 / sb)).sum()
    }

    fn new_cluster(&mut self) -> u32 {
        self.push_cluster(Cluster::new(None))
    }

    /// Whether a record is held (added or restored).
    pub fn knows(&self, record_id: i64) -> bool {
        self.by_id.contains_key(&record_id)
    }

    pub(crate) fn by_id_insert(&mut self, record_id: i64, d: u32) {
        self.by_id.insert(record_id, d);
    }

    pub(crate) fn join(&mut self, d: u32, c: u32) {
        let Clusterer {
            vecs,
            meta,
            clusters,
            index,
            doc_cluster,
            ..
        } = self;
        let v = &vecs[d as usize].g;
        let cl = &mut clusters[c as usize];
        add_terms(cl, c, [&v[0], &v[1], &v[2]], index);
        for &(t, _) in &v[BODY] {
            *cl.tdf.entry(t).or_default() += 1;
        }
        for &(t, _) in &v[ENT] {
            if v[BODY].binary_search_by_key(&t, |x| x.0).is_err() {
                *cl.tdf.entry(t).or_default() += 1;
            }
        }
        let t = meta[d as usize].t;
        cl.docs.push(d);
        cl.first = cl.first.min(t);
        cl.last = cl.last.max(t);
        doc_cluster[d as usize] = c;
    }
}

/// Adds a record's (or a merged story's) vectors to a story's centroids and
/// posts the terms the story did not have yet.
pub(crate) fn add_terms(
    cl: &mut Cluster,
    c: u32,
    groups: [&[(u32, f32)]; GROUPS],
    index: &mut Vec<Vec<u32>>,
) {
    for (g, v) in groups.iter().enumerate() {
        cl.cent[g].reserve(v.len());
        for &(t, w) in *v {
            // Most terms are already in this group: one lookup for them.
            if let Some(e) = cl.cent[g].get_mut(&t) {
                cl.norm2[g] += 2.0 * *e * w + w * w;
                *e += w;
                continue;
            }
            let known = (0..GROUPS).any(|h| h != g && cl.cent[h].contains_key(&t));
            // As `2·0·w + w²` and `0 + w`: the same values as an entry at 0.
            cl.norm2[g] += 2.0 * 0.0 * w + w * w;
            cl.cent[g].insert(t, 0.0 + w);
            if !known {
                if index.len() <= t as usize {
                    index.resize_with(t as usize + 1, Vec::new);
                }
                index[t as usize].push(c);
            }
        }
    }
    cl.dirty = true;
}
