//! Anchors: evidence that a lone post belongs with one record of a story,
//! beyond the story's vocabulary as a whole.
//!
//! A rumour hours before the report ("our K9 order is 'pending compliance
//! review'") or a reporter's follow-up call ("working on a follow-up about
//! the server provision, DMs open") shares too few words with a big
//! story's centroid to join it, and its coverage by the story's
//! vocabulary is near the bar. What places it is one record of the story
//! that tells the same event: a shared name (entity) or the same person
//! (the post's account is a byline of the story's article) **and** several
//! distinctive event words. A name alone is not enough (the same company in
//! a different event is the trap), nor are words alone.
//!
//! The same test keeps two lone records from merging on a name and one
//! word ("Kestrel K9 review, one year later" vs "K9 order pending
//! compliance review").

use crate::cluster::Clusterer;
use crate::doc::squash;
use crate::features::{BODY, ENT};

/// Event words (not names) a post must share with a record to be anchored.
const EVENT_WORDS: usize = 3;
/// Terms (names and words) two lone records must share to become one story.
const LONE_SHARED: usize = 3;
/// How many of a story's newest records are compared with a post.
const SCAN: usize = 64;
/// How far apart (days) a post and its anchor record may be.
const MAX_GAP_DAYS: f32 = 2.0;
/// Shorter account or byline keys are too likely to collide.
const MIN_NAME: usize = 6;

/// What two records share: names and distinctive event words.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Shared {
    pub names: usize,
    pub events: usize,
}

impl Shared {
    fn total(&self) -> usize {
        self.names + self.events
    }
}

impl Clusterer {
    /// Names and event words records `a` and `b` share; with `distinctive`,
    /// only words not common on the beat (see `Config::common_df`) count
    /// as event words.
    pub(crate) fn shared(&self, a: u32, b: u32, distinctive: bool) -> Shared {
        let max_df = if distinctive {
            self.config.common_df
        } else {
            f32::INFINITY
        };
        let (va, vb) = (&self.vecs[a as usize].g, &self.vecs[b as usize].g);
        let has = |v: &[(u32, f32)], t: u32| v.binary_search_by_key(&t, |x| x.0).is_ok();
        let mut s = Shared::default();
        for &(t, _) in &va[ENT] {
            if has(&vb[ENT], t) {
                s.names += 1;
            }
        }
        for &(t, _) in &va[BODY] {
            if !has(&va[ENT], t)
                && !has(&vb[ENT], t)
                && has(&vb[BODY], t)
                && self.feat.df_ratio(BODY, t) <= max_df
            {
                s.events += 1;
            }
        }
        s
    }

    fn share_a_name(&self, a: u32, b: u32) -> bool {
        let (va, vb) = (&self.vecs[a as usize].g[ENT], &self.vecs[b as usize].g[ENT]);
        va.iter()
            .any(|&(t, _)| vb.binary_search_by_key(&t, |x| x.0).is_ok())
    }

    /// Whether a post's account is one of an article's bylines
    /// (`danielosei.bsky.social` and "Ruth Calder, Daniel Osei").
    pub(crate) fn by_reporter_of(&self, post: u32, article: u32) -> bool {
        let (p, a) = (&self.meta[post as usize], &self.meta[article as usize]);
        if p.reporting || !a.reporting {
            return false;
        }
        let handle = p.author.trim_start_matches('@');
        let key = squash(handle.split('.').next().unwrap_or(handle));
        if key.len() < MIN_NAME {
            return false;
        }
        a.author
            .split([',', ';', '&'])
            .flat_map(|s| s.split(" and "))
            .any(|name| squash(name) == key)
    }

    /// Whether two stories may become one when one of them is a lone
    /// record: it must share [`LONE_SHARED`] terms (names or words) with
    /// one of the other's records. A name and one word ("K9 … review") is
    /// the same company in two events; a model's name, its version and
    /// format ("DeepSeek V4 Lite GGUF") are one.
    pub(crate) fn tells_same_event(&self, a: u32, b: u32) -> bool {
        let (ca, cb) = (&self.clusters[a as usize], &self.clusters[b as usize]);
        let (lone, other) = match (ca.docs.len(), cb.docs.len()) {
            (1, _) => (ca.docs[0], cb),
            (_, 1) => (cb.docs[0], ca),
            _ => return true,
        };
        other
            .docs
            .iter()
            .rev()
            .take(SCAN)
            .any(|&r| self.shared(lone, r, false).total() >= LONE_SHARED)
    }

    /// [`Self::tells_same_event`] for a record not yet in a story, about to
    /// join story `c`.
    pub(crate) fn tells_same_event_as(&self, d: u32, c: u32) -> bool {
        let docs = &self.clusters[c as usize].docs;
        docs.len() != 1 || self.shared(d, docs[0], false).total() >= LONE_SHARED
    }

    /// Whether one of story `c`'s records tells the same event as record
    /// `d`: a shared name or the same reporter, and [`EVENT_WORDS`] event words.
    pub(crate) fn anchored(&self, d: u32, c: u32) -> bool {
        let t = self.meta[d as usize].t;
        let docs = &self.clusters[c as usize].docs;
        docs.iter().rev().take(SCAN).any(|&r| {
            let gap = (self.meta[r as usize].t - t).abs() as f32 / 86_400.0;
            if r == d || gap > MAX_GAP_DAYS {
                return false;
            }
            // The anchor first (cheap), then the event words.
            let reporter = self.by_reporter_of(d, r);
            if !reporter && !self.share_a_name(d, r) {
                return false;
            }
            self.shared(d, r, true).events >= EVENT_WORDS
        })
    }
}
