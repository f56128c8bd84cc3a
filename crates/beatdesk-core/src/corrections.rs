//! An editor's corrections to the grouping: move a record to another story,
//! merge two stories, split records out into a new story. Each is one
//! transaction with its audit entry. The decision is stored per record
//! (`story_decisions`) and analysis keeps it: a story holding an editor's
//! decision is pinned under its id, its decided records go to it whatever
//! their scores, and no later ingest, import or full `analyze` undoes it.

use std::collections::HashSet;

use beatdesk_store::{audit, decisions, records, stories, Transaction};
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::{analysis, Beatdesk, CoreError, Result};

fn actor_of(actor: &str) -> Result<&str> {
    let a = actor.trim();
    if a.is_empty() {
        return Err(CoreError::bad_input("correction", "actor", "is empty"));
    }
    Ok(a)
}

/// The story, which must be live (not retired) in `beat_id` when given.
fn live_story(tx: &Transaction, story_id: i64, beat_id: Option<i64>) -> Result<stories::StoryRow> {
    let s = stories::get(tx, story_id)?;
    if s.retired {
        return Err(CoreError::Invalid(format!(
            "story {story_id} is retired: it takes no records"
        )));
    }
    if beat_id.is_some_and(|b| b != s.beat_id) {
        return Err(CoreError::Invalid(format!(
            "story {story_id} belongs to another beat"
        )));
    }
    Ok(s)
}

fn record_ids(tx: &Transaction, story_id: i64) -> Result<Vec<i64>> {
    Ok(stories::links(tx, story_id)?
        .into_iter()
        .map(|l| l.record_id)
        .collect())
}

/// Decides every listed record into `story_id`, then re-runs analysis so
/// titles, signals and the other stories follow.
fn decide(
    tx: &Transaction,
    beat_id: i64,
    story_id: i64,
    ids: &[i64],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    for id in ids {
        decisions::set(tx, beat_id, *id, story_id, actor, now)?;
    }
    Ok(())
}

impl Beatdesk {
    /// Moves a record into another story of its beat.
    pub fn move_record(&self, record_id: i64, to_story_id: i64, actor: &str) -> Result<()> {
        let actor = actor_of(actor)?;
        let now = self.now();
        self.store.write(|tx| {
            let rec = records::get(tx, record_id)?;
            live_story(tx, to_story_id, Some(rec.beat_id))?;
            let from = stories::story_of_record(tx, record_id)?;
            decide(tx, rec.beat_id, to_story_id, &[record_id], actor, now)?;
            audit::append(
                tx,
                now,
                actor,
                "move_record",
                Some(to_story_id),
                &json!({ "record_id": record_id, "from_story_id": from, "to_story_id": to_story_id }),
            )?;
            analysis::run(tx, rec.beat_id, now)?;
            Ok(())
        })
    }

    /// Merges `from_story_id` into `into_story_id`: every record of the
    /// first joins the second, and the first is retired.
    pub fn merge_stories(&self, into_story_id: i64, from_story_id: i64, actor: &str) -> Result<()> {
        let actor = actor_of(actor)?;
        if into_story_id == from_story_id {
            return Err(CoreError::Invalid(
                "a story cannot be merged into itself".into(),
            ));
        }
        let now = self.now();
        self.store.write(|tx| {
            let into = live_story(tx, into_story_id, None)?;
            let from = live_story(tx, from_story_id, Some(into.beat_id))?;
            let moved = record_ids(tx, from.id)?;
            // The surviving story's own records stay with it too.
            let kept = record_ids(tx, into.id)?;
            decide(tx, into.beat_id, into.id, &kept, actor, now)?;
            decide(tx, into.beat_id, into.id, &moved, actor, now)?;
            stories::set_records(tx, from.id, &[], now)?;
            stories::set_analysis(
                tx,
                from.id,
                &from.title,
                &from.signal,
                &from.top_terms,
                true,
            )?;
            audit::append(
                tx,
                now,
                actor,
                "merge_stories",
                Some(into.id),
                &json!({ "into_story_id": into.id, "from_story_id": from.id, "record_ids": moved }),
            )?;
            analysis::run(tx, into.beat_id, now)?;
            Ok(())
        })
    }

    /// Splits records out of a story into a new story; returns its id.
    pub fn split_records(&self, story_id: i64, record_ids_out: &[i64], actor: &str) -> Result<i64> {
        let actor = actor_of(actor)?;
        let now = self.now();
        self.store.write(|tx| {
            let story = live_story(tx, story_id, None)?;
            let held: HashSet<i64> = record_ids(tx, story_id)?.into_iter().collect();
            let out: Vec<i64> = {
                let mut v = record_ids_out.to_vec();
                v.sort_unstable();
                v.dedup();
                v
            };
            if out.is_empty() {
                return Err(CoreError::bad_input("split", "record_ids", "is empty"));
            }
            if let Some(bad) = out.iter().find(|id| !held.contains(id)) {
                return Err(CoreError::bad_input(
                    "split",
                    "record_ids",
                    format!("record {bad} is not in story {story_id}"),
                ));
            }
            if out.len() == held.len() {
                return Err(CoreError::bad_input(
                    "split",
                    "record_ids",
                    "would take every record: leave at least one",
                ));
            }
            let title = records::get(tx, out[0])?.title;
            let title = if title.trim().is_empty() {
                story.title.clone()
            } else {
                title
            };
            let new_id = stories::insert(tx, story.beat_id, &title, now)?;
            // Both sides are the editor's: the rest stays, the split goes.
            let rest: Vec<i64> = held
                .iter()
                .copied()
                .filter(|id| !out.contains(id))
                .collect();
            decide(tx, story.beat_id, story_id, &rest, actor, now)?;
            decide(tx, story.beat_id, new_id, &out, actor, now)?;
            audit::append(
                tx,
                now,
                actor,
                "split_records",
                Some(story_id),
                &json!({ "story_id": story_id, "new_story_id": new_id, "record_ids": out }),
            )?;
            analysis::run(tx, story.beat_id, now)?;
            Ok(new_id)
        })
    }
}
