//! Incremental analysis: the clusterer of each beat stays alive between
//! passes (built once by a full pass), and after an ingest or import only
//! the new records are clustered; only the stories they changed are
//! rewritten, and stories merged away are retired.
//!
//! The state is trusted only while the stored result is the one it wrote:
//! a [`Stamp`] (full passes run and held records changing status, counted
//! by a temporary trigger; commits by other processes; the beat's stories
//! and decisions) is compared first, and anything
//! else having changed them (a full `analyze` here or in another process,
//! an editor's correction, a record collapsed into another, a reporter's
//! manual source) makes the next pass a full one.

use std::collections::{HashMap, HashSet};

use beatdesk_analyze::Clusterer;
use beatdesk_store::{records, stories, Transaction};
use beatdesk_types::{Platform, RecordStatus};
use chrono::{DateTime, Utc};

use crate::analysis::AnalysisReport;
use crate::relations::{self, Index};
use crate::Result;

/// What the stored analysis of a beat looked like after the last pass.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stamp {
    /// Full passes run on this store for the beat, and held records that
    /// changed status (either rewrites the grouping).
    generation: i64,
    /// SQLite's count of commits by other connections (another process, such
    /// as `beatdesk analyze` while the window is open); on PostgreSQL a hash
    /// of the note the last pass left.
    data_version: i64,
    pub(crate) stories: (i64, i64, i64),
    pub(crate) decisions: (i64, String),
}

/// Cheap aggregates that change whenever something other than this
/// beat's incremental passes changes its grouping.
pub(crate) fn stamp(tx: &Transaction, beat_id: i64) -> Result<Stamp> {
    let stories = tx
        .query_row(
            "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(retired), 0) FROM stories WHERE beat_id = ?1",
            [beat_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(beatdesk_store::StoreError::from)?;
    let decisions = tx
        .query_row(
            "SELECT COUNT(*), COALESCE(MAX(created_at), '') FROM story_decisions WHERE beat_id = ?1",
            [beat_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(beatdesk_store::StoreError::from)?;
    let data_version = match tx.engine() {
        beatdesk_store::Engine::Sqlite => beatdesk_store::engine_state::data_version(tx)?,
        // PostgreSQL counts no other sessions' commits; every pass, from any
        // desk, rewrites the beat's note, so the note stands in for them.
        beatdesk_store::Engine::Postgres => crate::restore::note_version(tx, beat_id)?,
    };
    Ok(Stamp {
        generation: crate::analysis::generation(tx, beat_id, false)?,
        data_version,
        stories,
        decisions,
    })
}

/// A beat's live clusterer and how its stories map to stored ones.
pub(crate) struct BeatState {
    pub clusterer: Clusterer,
    /// The highest record id the clusterer has seen (ids only grow).
    pub last_record: i64,
    pub stamp: Stamp,
    /// Clusterer story → stored story id.
    pub story_of: HashMap<u32, i64>,
    /// Kept record → records collapsed into it.
    pub dups: HashMap<i64, usize>,
    /// Reporters' manual sources, which stay with the story they were added to.
    pub manual: HashSet<i64>,
    pub index: Index,
    /// The signal last stored per story (a re-rank writes only changes).
    pub signals: HashMap<i64, beatdesk_types::Signal>,
    /// When each story's signal was last computed.
    pub ranked_at: HashMap<i64, DateTime<Utc>>,
    /// Kept records up to `last_record` (for the note a pass leaves).
    pub kept: i64,
    /// The report of the last pass.
    pub last: AnalysisReport,
    /// Stored stories a new process has not rebuilt (out of reach so far).
    pub held: crate::restore::Held,
}

/// Clusters the records stored since the last pass and rewrites the
/// stories they changed. `None`: the state no longer matches the store, and
/// a full pass is needed.
pub(crate) fn run(
    tx: &Transaction,
    beat_id: i64,
    now: DateTime<Utc>,
    st: &mut BeatState,
) -> Result<Option<AnalysisReport>> {
    if stamp(tx, beat_id)? != st.stamp {
        return Ok(None);
    }
    let new = records::list_for_beat_after(tx, beat_id, st.last_record)?;
    if new.is_empty() {
        let resignalled = crate::restore::resignal(tx, beat_id, now, st, &[])?;
        st.stamp = stamp(tx, beat_id)?;
        return Ok(Some(AnalysisReport {
            stories: st.story_of.len() + st.held.waiting,
            incremental: true,
            resignalled,
            rebuilt: std::mem::take(&mut st.held.rebuilt),
            ..AnalysisReport::default()
        }));
    }
    if new.iter().any(|r| r.platform == Platform::Manual) {
        return Ok(None);
    }
    crate::timings::lap("pass: stamp and new records");
    let relations = relations::for_new(tx, beat_id, st.last_record, &new, &mut st.index)?;
    crate::timings::lap("pass: relations");
    for r in new.iter().filter(|r| r.status == RecordStatus::Duplicate) {
        let kept = st.index.kept(r.id);
        if kept != r.id {
            *st.dups.entry(kept).or_default() += 1;
        }
    }
    for &(from, to) in &relations {
        st.clusterer.relate(from, to);
    }
    crate::restore::reach(tx, st, &new, &relations)?;
    crate::timings::lap("pass: reach");
    let first = st.clusterer.len();
    st.clusterer.add(&new);
    crate::timings::lap("pass: cluster");
    st.last_record = new.iter().map(|r| r.id).max().unwrap_or(st.last_record);
    st.kept += new
        .iter()
        .filter(|r| r.status == RecordStatus::Kept)
        .count() as i64;

    let mut report = AnalysisReport {
        incremental: true,
        rebuilt: std::mem::take(&mut st.held.rebuilt),
        ..AnalysisReport::default()
    };
    // Stories merged into others by this pass are retired.
    let gone: Vec<u32> = st
        .story_of
        .keys()
        .copied()
        .filter(|&c| !st.clusterer.is_live(c))
        .collect();
    for c in gone {
        let id = st.story_of.remove(&c).expect("listed");
        let s = stories::get(tx, id)?;
        if !s.retired {
            stories::set_records(tx, id, &[], now)?;
            stories::set_analysis(tx, id, &s.title, &s.signal, &s.top_terms, true)?;
            report.retired += 1;
        }
    }
    crate::timings::lap("pass: retire");
    let touched = st.clusterer.touched(first);
    st.clusterer
        .set_excluded(stories::excluded_for_beat(tx, beat_id)?);
    for cand in st.clusterer.analysis_of(&touched, &st.dups, now) {
        let id = match st.story_of.get(&cand.cluster).copied().or(cand.story_id) {
            Some(id) => id,
            None => {
                report.new_stories += 1;
                stories::insert(tx, beat_id, &cand.title, now)?
            }
        };
        st.story_of.insert(cand.cluster, id);
        let mut links: Vec<(i64, Vec<String>)> = cand
            .record_ids
            .iter()
            .map(|r| (*r, cand.why.get(r).cloned().unwrap_or_default()))
            .collect();
        let current = stories::links(tx, id)?;
        for l in &current {
            if st.manual.contains(&l.record_id) && !cand.record_ids.contains(&l.record_id) {
                links.push((l.record_id, l.why.clone()));
            }
        }
        stories::set_records_from(tx, id, &current, &links, now)?;
        stories::set_analysis(tx, id, &cand.title, &cand.signal, &cand.top_terms, false)?;
        st.signals.insert(id, cand.signal);
        st.ranked_at.insert(id, now);
    }
    crate::timings::lap("pass: analyse and write touched stories");
    report.stories = st.story_of.len() + st.held.waiting;
    // Stories this pass did not touch still age: their recency moves.
    report.resignalled = crate::restore::resignal(tx, beat_id, now, st, &[])?;
    crate::timings::lap("pass: resignal");
    crate::restore::save(tx, beat_id, st, now)?;
    st.stamp = stamp(tx, beat_id)?;
    crate::timings::lap("pass: save note");
    Ok(Some(report))
}
