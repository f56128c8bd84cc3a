//! Short social posts left alone after clustering: "So roughly 4.6bn in K9
//! orders in limbo", "🇺🇸➡️🚫🖥️ ×38 countries. K9 in the blast radius.
//! #AIchips". Their cosine with a big story's centroid is small (a few
//! words against hundreds), so they fail the join threshold and stand
//! alone with no signal. Here a lone post joins a story when most of its
//! distinctive weight (IDF) is on the story's own vocabulary — terms held
//! by a good share of the story's records — and no other story explains it
//! nearly as well (a post naming only "Kestrel K9" matches the export story
//! and the launch story alike, and stays out). Before that, a post holding
//! an amount or hashtag that one story alone repeats joins that story.

use beatdesk_types::Platform;

use crate::cluster::Clusterer;
use crate::features::{BODY, ENT, GROUPS};

/// Posts longer than this are matched by content alone.
const MAX_WORDS: u32 = 60;
/// Posts with fewer distinct terms say too little to place ("source?").
const MIN_TERMS: usize = 4;
/// Stories of at most this many short posts move to the story their
/// markers name.
const MAX_MARKED: usize = 3;
/// Records of a story that must hold a marker for it to name the story.
const MARKER_HOLDERS: u32 = 1;
/// Stories smaller than this have no vocabulary to speak of yet.
const MIN_STORY: usize = 3;
/// A term counts fully when this share of the story's records hold it
/// (and at least two).
const TERM_SHARE: f32 = 0.08;
/// Stories tried for an anchor, best coverage first.
const ANCHOR_CANDIDATES: usize = 3;
/// How far in time (days) from the story's span a post may be.
const MAX_GAP_DAYS: f32 = 2.0;

impl Clusterer {
    /// How much of a post's IDF weight lies on a story's vocabulary (0–1).
    fn coverage(&self, d: u32, c: u32) -> f32 {
        let v = &self.vecs[d as usize].g;
        let cl = &self.clusters[c as usize];
        let need = ((cl.docs.len() as f32 * TERM_SHARE).ceil()).max(2.0);
        let (mut hit, mut total) = (0.0f32, 0.0f32);
        for g in [BODY, ENT] {
            for &(t, _) in &v[g] {
                if g == ENT && v[BODY].binary_search_by_key(&t, |x| x.0).is_ok() {
                    continue;
                }
                let idf = self.feat.idf(g, t);
                total += idf;
                let n = cl.tdf.get(&t).copied().unwrap_or(0) as f32;
                hit += idf * (n / need).min(1.0);
            }
        }
        if total <= 0.0 {
            0.0
        } else {
            hit / total
        }
    }

    /// The one story that holds a marker of a small story's posts — an
    /// amount (`$4.6b`) or a hashtag (`#exportcontrols`) — in at least two
    /// of its records, when no other candidate story holds one so.
    fn marked_story(&self, own: u32) -> Option<u32> {
        let cl = &self.clusters[own as usize];
        let mut markers: Vec<u32> = cl
            .docs
            .iter()
            .flat_map(|&d| self.vecs[d as usize].g[ENT].iter().map(|x| x.0))
            .filter(|&t| self.feat.display(t).starts_with(['$', '#']))
            .collect();
        markers.sort_unstable();
        markers.dedup();
        if markers.is_empty() {
            return None;
        }
        // The markers are the lookup: stories that hold one are candidates.
        let terms: Vec<(u32, f32)> = markers.iter().map(|&t| (t, 1.0)).collect();
        let mut found = None;
        for o in self.candidates(&terms, own) {
            let ocl = &self.clusters[o as usize];
            // Other small stories of chatter are movable themselves, not rivals.
            if ocl.docs.len() < 2
                || ocl.docs.len() <= cl.docs.len()
                || self.is_chatter(o)
                || ocl.gap_days(cl.first) > MAX_GAP_DAYS
            {
                continue;
            }
            if markers
                .iter()
                .any(|t| ocl.tdf.get(t).copied().unwrap_or(0) >= MARKER_HOLDERS)
            {
                if found.is_some() {
                    return None;
                }
                found = Some(o);
            }
        }
        found
    }

    /// A small story of short posts or aggregators' pointers only (no
    /// article of its own): what this pass may move.
    fn is_chatter(&self, c: u32) -> bool {
        let cl = &self.clusters[c as usize];
        cl.docs.len() <= MAX_MARKED
            && cl.pinned.is_none()
            && !cl.roundup
            && cl.docs.iter().all(|&d| {
                let m = &self.meta[d as usize];
                !m.reporting && m.platform != Platform::Manual && m.words <= MAX_WORDS
            })
    }

    /// Joins small stories of short posts (holding a record added from
    /// `first` on) to the one story whose markers or vocabulary explain
    /// them. A move can make another one clear, so the pass runs twice.
    pub(crate) fn attach_pass(&mut self, first: u32) {
        // The records just added; older ones wait for the next full pass
        // (scanning every record on each small add would cost the increment).
        let docs: Vec<u32> = (first..self.meta.len() as u32).collect();
        for _ in 0..2 {
            if !self.attach_round(&docs) {
                break;
            }
        }
        for cl in &mut self.clusters {
            cl.dirty = false;
        }
    }

    fn attach_round(&mut self, docs: &[u32]) -> bool {
        let mut moved = false;
        for &d in docs {
            let c = self.doc_cluster[d as usize];
            if !self.is_chatter(c) {
                continue;
            }
            let v = &self.vecs[d as usize].g;
            let terms = self.lookup_terms([&v[0], &v[1], &v[2]], [1.0; GROUPS]);
            if let Some(to) = self.marked_story(c) {
                self.merge(to, c);
                moved = true;
                continue;
            }
            let t = self.meta[d as usize].t;
            if v[BODY].len() + v[ENT].len() < MIN_TERMS {
                continue;
            }
            let lone = self.clusters[c as usize].docs.len() == 1;
            let mut scored: Vec<(f32, u32)> = self
                .candidates(&terms, c)
                .into_iter()
                .filter(|&o| {
                    let ocl = &self.clusters[o as usize];
                    ocl.docs.len() >= MIN_STORY && ocl.gap_days(t) <= MAX_GAP_DAYS
                })
                .map(|o| (self.coverage(d, o), o))
                .collect();
            scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let (best, to) = match scored.first() {
                Some(x) => *x,
                None => continue,
            };
            let second = scored.get(1).map_or(0.0, |x| x.0);
            if lone
                && best >= self.config.attach_coverage
                && second <= self.config.attach_margin * best
            {
                self.merge(to, c);
                moved = true;
                continue;
            }
            // Less vocabulary will do when one of the story's records tells
            // the same event (see `anchor`), and no other story's does; a
            // small story of such posts (two rumours) moves together.
            // Among the few stories that explain it best (reading records
            // is dear on a 100k beat, and a far fourth is no contender).
            let mut anchored = scored
                .iter()
                .take(ANCHOR_CANDIDATES)
                .filter(|x| x.0 >= self.config.anchor_coverage)
                .filter(|x| self.anchored(d, x.1));
            if let (Some(&(_, to)), None) = (anchored.next(), anchored.next()) {
                self.merge(to, c);
                moved = true;
            }
        }
        moved
    }
}
