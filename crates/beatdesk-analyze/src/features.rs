//! Feature groups and their weights.
//!
//! Every record becomes three sparse vectors, as in Miranda et al. 2018:
//! **title** (stemmed headline words), **body** (stemmed title + text words)
//! and **entities** (names, handles, subreddits, linked domains and URLs,
//! numbers with units). Weights are sublinear TF × smoothed IDF, each vector
//! L2-normalised, so a group's similarity is a plain dot product with a
//! normalised centroid.

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::text::{self, Sink};

pub const TITLE: usize = 0;
pub const BODY: usize = 1;
pub const ENT: usize = 2;
pub const GROUPS: usize = 3;

/// A sparse vector sorted by term id.
pub type SparseVec = Vec<(u32, f32)>;

/// Term counts of one record before weighting.
#[derive(Debug, Clone, Default)]
pub struct RawDoc {
    pub tf: [SparseVec; GROUPS],
}

/// The weighted, normalised feature vectors of one record.
#[derive(Debug, Clone, Default)]
pub struct DocVec {
    pub g: [SparseVec; GROUPS],
}

impl DocVec {
    pub fn is_empty(&self) -> bool {
        self.g.iter().all(|v| v.is_empty())
    }
}

/// Vocabulary, document frequencies and the stemming cache. Grows as
/// records arrive, so an incremental clusterer keeps one.
pub struct Featurizer {
    stemmer: Stemmer,
    /// Term → id, short terms keyed inline as in the word cache.
    short_ids: FxHashMap<ShortKey, u32>,
    long_ids: FxHashMap<String, u32>,
    display: Vec<String>,
    df: [Vec<u32>; GROUPS],
    n_docs: u32,
    /// Surface word (lowercased) → its stem and counts. Short words are
    /// keyed inline, so a lookup reads no heap string.
    short_words: FxHashMap<ShortKey, CachedWord>,
    long_words: FxHashMap<String, CachedWord>,
    /// Per term: how often its displayed surface word was seen.
    display_count: Vec<u32>,
    /// Per term: the cached word (`CachedWord::key`) its display was last
    /// set from, so a word already shown is not compared or copied again.
    shown: Vec<u32>,
    /// Words seen capitalised mid-sentence: names even in title-case headlines.
    gazetteer: FxHashSet<String>,
    /// Term ids of the record being counted, kept to reuse their memory.
    scratch: [Vec<u32>; 4],
}

/// A surface word in the word cache.
#[derive(Clone, Copy)]
struct CachedWord {
    /// Stem id, or `DROPPED`.
    id: u32,
    /// Times seen.
    seen: u32,
    /// Unique per cached word.
    key: u32,
}

/// A word of at most 23 bytes, zero-padded, its length in the last byte.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortKey([u64; 3]);

impl std::hash::Hash for ShortKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_u64(self.0[0]);
        h.write_u64(self.0[1]);
        h.write_u64(self.0[2]);
    }
}

impl ShortKey {
    fn new(w: &str) -> Option<ShortKey> {
        if w.len() > 23 {
            return None;
        }
        // Shifts rather than a copy, which would call memcpy for a few bytes.
        let mut k = [0u64; 3];
        for (i, &b) in w.as_bytes().iter().enumerate() {
            k[i / 8] |= (b as u64) << (8 * (i % 8));
        }
        k[2] |= (w.len() as u64) << 56;
        Some(ShortKey(k))
    }
}

impl Default for Featurizer {
    fn default() -> Self {
        Self::new()
    }
}

const DROPPED: u32 = u32::MAX;

struct Collect<'a> {
    f: &'a mut Featurizer,
    words: &'a mut Vec<u32>,
    ents: &'a mut Vec<u32>,
    learn: bool,
}

impl Collect<'_> {
    /// The stem id of a word not seen before (`DROPPED` if it is dropped).
    fn stem_id(&mut self, w: &str) -> u32 {
        let f = &mut *self.f;
        let before = f.display.len();
        let id = if w.chars().all(|c| c.is_alphabetic()) {
            let stem = f.stemmer.stem(w);
            if stem.chars().count() < 2 || text::is_stop(&stem) {
                return DROPPED;
            }
            f.intern(&stem, w)
        } else {
            f.intern(w, w)
        };
        if f.display.len() > before {
            // The new term shows this word.
            f.shown[id as usize] = f.short_words.len() as u32 + f.long_words.len() as u32;
        }
        id
    }
}

impl Sink for Collect<'_> {
    fn word(&mut self, w: &str) {
        let short = ShortKey::new(w);
        let hit = match &short {
            Some(k) => self.f.short_words.get_mut(k),
            None => self.f.long_words.get_mut(w),
        };
        let e = match hit {
            Some(e) => {
                e.seen += 1;
                *e
            }
            None => {
                let id = self.stem_id(w);
                let f = &mut *self.f;
                let e = CachedWord {
                    id,
                    seen: 1,
                    key: f.short_words.len() as u32 + f.long_words.len() as u32,
                };
                match short {
                    Some(k) => f.short_words.insert(k, e),
                    None => f.long_words.insert(w.to_string(), e),
                };
                e
            }
        };
        if e.id != DROPPED {
            let f = &mut *self.f;
            let t = e.id as usize;
            // Show a stem as its most frequent surface word.
            if e.seen > f.display_count[t] {
                f.display_count[t] = e.seen;
                if f.shown[t] != e.key {
                    f.shown[t] = e.key;
                    if f.display[t] != w {
                        f.display[t] = w.to_string();
                    }
                }
            }
            self.words.push(e.id);
        }
    }
    fn entity(&mut self, e: &str) {
        let id = self.f.intern(e, e);
        self.ents.push(id);
    }
    fn known_entity(&self, w: &str) -> bool {
        self.f.gazetteer.contains(w)
    }
    fn saw_capital(&mut self, w: &str) {
        if self.learn && !self.f.gazetteer.contains(w) {
            self.f.gazetteer.insert(w.to_string());
        }
    }
}

/// Counts of the term ids in `ids` (sorted in place), by term id. Counts
/// are small whole numbers, so they are the same as summed one by one.
fn counted(ids: &mut [u32]) -> SparseVec {
    ids.sort_unstable();
    let mut v: SparseVec = Vec::new();
    for &t in ids.iter() {
        match v.last_mut() {
            Some(last) if last.0 == t => last.1 += 1.0,
            _ => v.push((t, 1.0)),
        }
    }
    v
}

impl Featurizer {
    pub fn new() -> Self {
        Featurizer {
            stemmer: Stemmer::create(Algorithm::English),
            short_ids: FxHashMap::default(),
            long_ids: FxHashMap::default(),
            display: Vec::new(),
            df: Default::default(),
            n_docs: 0,
            short_words: FxHashMap::default(),
            long_words: FxHashMap::default(),
            display_count: Vec::new(),
            shown: Vec::new(),
            gazetteer: FxHashSet::default(),
            scratch: Default::default(),
        }
    }

    fn intern(&mut self, key: &str, display: &str) -> u32 {
        let short = ShortKey::new(key);
        let found = match &short {
            Some(k) => self.short_ids.get(k),
            None => self.long_ids.get(key),
        };
        if let Some(&id) = found {
            return id;
        }
        let id = self.display.len() as u32;
        match short {
            Some(k) => self.short_ids.insert(k, id),
            None => self.long_ids.insert(key.to_string(), id),
        };
        self.display.push(display.to_string());
        self.display_count.push(0);
        self.shown.push(DROPPED);
        for df in &mut self.df {
            df.push(0);
        }
        id
    }

    /// A readable form of a term (the first surface word that produced it).
    pub fn display(&self, term: u32) -> &str {
        &self.display[term as usize]
    }

    /// Number of distinct terms.
    pub fn display_len(&self) -> usize {
        self.display.len()
    }

    pub fn n_docs(&self) -> u32 {
        self.n_docs
    }

    /// Counts the terms of one record. Does not touch document frequencies.
    pub fn raw(&mut self, title: &str, body: &str) -> RawDoc {
        let [mut body_words, mut ents, mut title_words, mut title_ents] =
            std::mem::take(&mut self.scratch);
        for v in [
            &mut body_words,
            &mut ents,
            &mut title_words,
            &mut title_ents,
        ] {
            v.clear();
        }
        text::scan(
            body,
            false,
            &mut Collect {
                f: self,
                words: &mut body_words,
                ents: &mut ents,
                learn: true,
            },
        );
        let title_src: String;
        let title = if title.trim().is_empty() {
            title_src = body
                .split_whitespace()
                .take(25)
                .collect::<Vec<_>>()
                .join(" ");
            title_src.as_str()
        } else {
            title
        };
        let tc = text::is_title_case(title);
        text::scan(
            title,
            tc,
            &mut Collect {
                f: self,
                words: &mut title_words,
                ents: &mut title_ents,
                learn: false,
            },
        );
        body_words.extend_from_slice(&title_words);
        ents.extend_from_slice(&title_ents);
        let raw = RawDoc {
            tf: [
                counted(&mut title_words),
                counted(&mut body_words),
                counted(&mut ents),
            ],
        };
        self.scratch = [body_words, ents, title_words, title_ents];
        raw
    }

    /// Adds a record's terms to the document frequencies.
    pub fn count(&mut self, raw: &RawDoc) {
        self.n_docs += 1;
        for g in 0..GROUPS {
            for &(t, _) in &raw.tf[g] {
                self.df[g][t as usize] += 1;
            }
        }
    }

    /// Smoothed inverse document frequency of a term in a group.
    pub fn idf(&self, group: usize, term: u32) -> f32 {
        let n = self.n_docs as f32;
        let df = self.df[group][term as usize] as f32;
        ((n + 1.0) / (df + 1.0)).ln() + 1.0
    }

    /// Fraction of records that contain the term in a group.
    pub fn df_ratio(&self, group: usize, term: u32) -> f32 {
        self.df[group][term as usize] as f32 / (self.n_docs.max(1) as f32)
    }

    /// Records that contain the term in a group.
    pub fn df(&self, group: usize, term: u32) -> u32 {
        self.df[group][term as usize]
    }

    /// Sublinear TF × IDF, L2-normalised per group.
    pub fn weigh(&self, raw: &RawDoc) -> DocVec {
        let mut out = DocVec::default();
        for g in 0..GROUPS {
            let mut v: SparseVec = raw.tf[g]
                .iter()
                .map(|&(t, tf)| (t, (1.0 + tf.ln()) * self.idf(g, t)))
                .collect();
            let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
            if norm > 0.0 {
                for x in &mut v {
                    x.1 /= norm;
                }
            }
            out.g[g] = v;
        }
        out
    }
}

#[cfg(test)]
mod golden;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_share_ids_and_weights_are_normalised() {
        let mut f = Featurizer::new();
        let a = f.raw(
            "DeepSeek raises $7.4B",
            "DeepSeek is raising money from Tencent.",
        );
        let b = f.raw("", "Quantisations of DeepSeek V4 are up");
        f.count(&a);
        f.count(&b);
        let va = f.weigh(&a);
        let n: f32 = va.g[BODY].iter().map(|x| x.1 * x.1).sum();
        assert!((n - 1.0).abs() < 1e-4);
        let names: Vec<&str> = a.tf[BODY].iter().map(|x| f.display(x.0)).collect();
        assert!(
            names.contains(&"raises") || names.contains(&"raising"),
            "{names:?}"
        );
        assert_eq!(
            a.tf[BODY]
                .iter()
                .filter(|x| f.display(x.0).starts_with("rais"))
                .count(),
            1,
            "one stem"
        );
        let ents: Vec<&str> = b.tf[ENT].iter().map(|x| f.display(x.0)).collect();
        assert!(ents.contains(&"deepseekv4"), "{ents:?}");
        assert!(!b.tf[TITLE].is_empty(), "title falls back to the text");
    }
}
