//! Runs Analyze + Signal over a beat's records and stores the result,
//! keeping story ids stable across runs.

use std::collections::{HashMap, HashSet};

use beatdesk_analyze::{duplicate_counts, Clusterer, Config, PriorStory};
use beatdesk_store::{decisions, records, stories, Transaction};
use beatdesk_types::{Platform, StoryStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Result;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AnalysisReport {
    pub stories: usize,
    pub new_stories: usize,
    pub retired: usize,
    /// Only the records new since the last pass were clustered.
    pub incremental: bool,
    /// Stories whose signal alone was rewritten (a re-rank, no clustering).
    pub resignalled: usize,
    /// Stored stories a new process rebuilt for this pass (those the new
    /// records can reach; the rest keep their stored grouping).
    pub rebuilt: usize,
}

/// Full passes run on this connection per beat (a temporary table, so per
/// store and never saved): each rewrites the beat's grouping, so an
/// incremental state built before it is stale.
pub(crate) fn generation(tx: &Transaction, beat_id: i64, bump: bool) -> Result<i64> {
    Ok(beatdesk_store::engine_state::generation(tx, beat_id, bump)?)
}

/// A full pass: every record of the beat clustered anew.
pub fn run(tx: &Transaction, beat_id: i64, now: DateTime<Utc>) -> Result<AnalysisReport> {
    Ok(run_with_state(tx, beat_id, now)?.0)
}

/// A full pass that also hands back the clusterer and what an incremental
/// pass needs to continue from it.
pub(crate) fn run_with_state(
    tx: &Transaction,
    beat_id: i64,
    now: DateTime<Utc>,
) -> Result<(AnalysisReport, crate::incremental::BeatState)> {
    generation(tx, beat_id, true)?;
    let all = records::list_for_beat(tx, beat_id)?;
    let last_record = all.iter().map(|r| r.id).max().unwrap_or(0);
    let kept = all
        .iter()
        .filter(|r| r.status == beatdesk_types::RecordStatus::Kept)
        .count() as i64;
    let manual: HashSet<i64> = all
        .iter()
        .filter(|r| r.platform == Platform::Manual)
        .map(|r| r.id)
        .collect();
    let existing = stories::list_all_for_beat(tx, beat_id)?;
    // An editor's decisions win over where a record was: a decided record
    // is in its decided story only, and that story is pinned.
    let decided: HashMap<i64, i64> = decisions::for_beat(tx, beat_id)?.into_iter().collect();
    let mut decided_to: HashMap<i64, Vec<i64>> = HashMap::new();
    for (r, s) in &decided {
        decided_to.entry(*s).or_default().push(*r);
    }
    let mut prior = Vec::with_capacity(existing.len());
    for s in &existing {
        let mut record_ids: Vec<i64> = stories::links(tx, s.id)?
            .into_iter()
            .map(|l| l.record_id)
            .filter(|r| decided.get(r).is_none_or(|d| *d == s.id))
            .collect();
        let by_editor = decided_to.get(&s.id);
        for r in by_editor.into_iter().flatten() {
            if !record_ids.contains(r) {
                record_ids.push(*r);
            }
        }
        prior.push(PriorStory {
            story_id: s.id,
            record_ids,
            pinned: s.status != StoryStatus::Candidate || (by_editor.is_some() && !s.retired),
        });
    }
    // A manual source a reporter attached to a story belongs to that story
    // only; it must not also become a story of its own.
    let attached: HashSet<i64> = prior
        .iter()
        .flat_map(|p| p.record_ids.iter().copied())
        .filter(|id| manual.contains(id))
        .collect();
    let input: Vec<_> = all
        .into_iter()
        .filter(|r| !attached.contains(&r.id))
        .collect();
    let (relations, index) = crate::relations::for_analysis(tx, beat_id, &input)?;
    let mut clusterer = Clusterer::new(Config::default());
    for p in prior.iter().filter(|p| p.pinned) {
        clusterer.pin(p.story_id, &p.record_ids);
    }
    for &(from, to) in &relations {
        clusterer.relate(from, to);
    }
    clusterer.add(&input);
    clusterer.set_excluded(stories::excluded_for_beat(tx, beat_id)?);
    let analysis = clusterer.analysis(&input, &prior, now);
    let mut signals = HashMap::new();
    let mut story_of = HashMap::new();
    let mut report = AnalysisReport::default();
    let mut alive = HashSet::new();
    for cand in &analysis.stories {
        let id = match cand.story_id {
            Some(id) => id,
            None => {
                report.new_stories += 1;
                stories::insert(tx, beat_id, &cand.title, now)?
            }
        };
        alive.insert(id);
        story_of.insert(cand.cluster, id);
        let mut links: Vec<(i64, Vec<String>)> = cand
            .record_ids
            .iter()
            .map(|r| (*r, cand.why.get(r).cloned().unwrap_or_default()))
            .collect();
        // Sources a reporter attached by hand stay with their story.
        for l in stories::links(tx, id)? {
            if manual.contains(&l.record_id) && !cand.record_ids.contains(&l.record_id) {
                links.push((l.record_id, l.why));
            }
        }
        stories::set_records(tx, id, &links, now)?;
        stories::set_analysis(tx, id, &cand.title, &cand.signal, &cand.top_terms, false)?;
        signals.insert(id, cand.signal.clone());
    }
    for s in existing.iter().filter(|s| !alive.contains(&s.id)) {
        // A story an editor worked on keeps its identity and records; others retire.
        let pinned = s.status != StoryStatus::Candidate;
        if !pinned && !s.retired {
            report.retired += 1;
            stories::set_analysis(tx, s.id, &s.title, &s.signal, &s.top_terms, true)?;
        }
    }
    report.stories = alive.len();
    let state = crate::incremental::BeatState {
        clusterer,
        last_record,
        stamp: crate::incremental::stamp(tx, beat_id)?,
        story_of,
        dups: duplicate_counts(&input).into_iter().collect(),
        manual,
        index,
        ranked_at: signals.keys().map(|id| (*id, now)).collect(),
        kept,
        signals,
        last: AnalysisReport::default(),
        held: Default::default(),
    };
    crate::restore::save(tx, beat_id, &state, now)?;
    Ok((report, state))
}
