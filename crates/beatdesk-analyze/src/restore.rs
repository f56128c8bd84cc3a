//! Rebuilding a clusterer from a grouping stored by an earlier pass, so a
//! new process (`beatdesk import` after `beatdesk ingest`) clusters only
//! the records that arrived since instead of every record again.
//!
//! Features are computed as `add` computes them, but each record goes
//! straight to its stored story: no candidate search, scoring, merge, link
//! or attach pass. What the stored grouping says is taken as it is.

use beatdesk_types::{Record, RecordStatus};
use rustc_hash::FxHashMap;

use crate::cluster::{Cluster, Clusterer};

/// One stored story to rebuild.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredStory {
    pub story_id: i64,
    pub record_ids: Vec<i64>,
    /// An editor depends on its identity (drafted, signed off, decided).
    pub pinned: bool,
    /// A roundup: never joined or merged.
    pub roundup: bool,
}

impl Clusterer {
    /// Rebuilds the state of a pass that produced `stories` from the kept
    /// `records` among them (records in no story are left for `add`).
    /// Returns each stored story's index in the clusterer, `None` for a
    /// story none of whose records are kept.
    ///
    /// May be called again on a clusterer already holding restored or
    /// added records: a caller restores only the stories new records can
    /// reach (those near them in time) and the rest on demand (a reply's
    /// old target). Records already held are skipped.
    pub fn restore(&mut self, records: &[Record], stories: &[StoredStory]) -> Vec<Option<u32>> {
        let first_cluster = self.clusters.len();
        let was_empty = self.is_empty();
        let mut story_of: FxHashMap<i64, usize> = FxHashMap::default();
        for (i, s) in stories.iter().enumerate() {
            for id in &s.record_ids {
                story_of.entry(*id).or_insert(i);
            }
        }
        let mut held: Vec<&Record> = records
            .iter()
            .filter(|r| {
                r.status == RecordStatus::Kept
                    && story_of.contains_key(&r.id)
                    && !self.by_id.contains_key(&r.id)
            })
            .collect();
        held.sort_by_key(|r| (r.published_at, r.id));
        held.dedup_by_key(|r| r.id);
        let (raws, metas) = self.featurise(&held);
        // Stories in the order their first record arrived, as `add` made them.
        let mut cluster_of: Vec<Option<u32>> = vec![None; stories.len()];
        for ((r, raw), meta) in held.iter().zip(&raws).zip(metas) {
            let d = self.vecs.len() as u32;
            self.by_id_insert(r.id, d);
            self.vecs.push(self.feat.weigh(raw));
            self.meta.push(meta);
            self.doc_cluster.push(u32::MAX);
            let s = story_of[&r.id];
            let c = *cluster_of[s].get_or_insert_with(|| {
                let st = &stories[s];
                let mut cl = Cluster::new(st.pinned.then_some(st.story_id));
                cl.roundup = st.roundup;
                self.push_cluster(cl)
            });
            self.join(d, c);
        }
        // Nothing is waiting for a merge pass: the stored grouping is the result.
        for cl in &mut self.clusters[first_cluster..] {
            cl.dirty = false;
        }
        if was_empty {
            self.since_merge = 0;
        }
        cluster_of
    }
}
