//! Assembles what the CLI and the window show from store rows.

use std::collections::HashMap;

use beatdesk_store::{
    audit, beats, drafts, labels, links as relations, records, signoffs, stories, Connection,
};
use beatdesk_types::{Record, StoryRecord, StorySummary, StoryView};

use crate::Result;

pub fn summary(conn: &Connection, row: stories::StoryRow) -> Result<StorySummary> {
    let links = stories::links(conn, row.id)?;
    let last_writer = drafts::latest_by_writer(conn, row.id)?;
    let new_since_draft = match &last_writer {
        Some(d) => links.iter().filter(|l| l.added_at > d.created_at).count() as i64,
        None => 0,
    };
    Ok(StorySummary {
        id: row.id,
        beat_id: row.beat_id,
        title: row.title,
        status: row.status,
        signal: row.signal,
        record_count: links.iter().filter(|l| l.included).count() as i64,
        top_terms: row.top_terms,
        updated_at: row.updated_at,
        last_signoff: signoffs::list(conn, row.id)?.into_iter().next(),
        new_since_draft,
    })
}

pub fn story_records(conn: &Connection, story_id: i64) -> Result<Vec<StoryRecord>> {
    let mut out = Vec::new();
    let labels = labels::for_story(conn, story_id)?;
    // Three queries, not two per source: a shared store is a round trip away.
    let mut by_id: HashMap<i64, Record> = records::for_story(conn, story_id)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let all_relations = relations::for_story(conn, story_id)?;
    for l in stories::links(conn, story_id)? {
        let record = match by_id.remove(&l.record_id) {
            Some(r) => r,
            None => records::get(conn, l.record_id)?,
        };
        out.push(StoryRecord {
            record,
            // The trigger labels every link; 0 only if a row predates it.
            label: labels.get(&l.record_id).copied().unwrap_or(0),
            included: l.included,
            weight: l.weight,
            why: l.why,
            relations: all_relations
                .iter()
                .filter(|r| r.record_id == l.record_id || r.target_record_id == Some(l.record_id))
                .cloned()
                .collect(),
            text_omitted: false,
            text_chars: 0,
        });
    }
    // Newest first reads like a wire: what just came in is on top.
    out.sort_by(|a, b| {
        b.record
            .published_at
            .cmp(&a.record.published_at)
            .then(a.record.id.cmp(&b.record.id))
    });
    Ok(out)
}

pub fn story_view(conn: &Connection, story_id: i64) -> Result<StoryView> {
    let row = stories::get(conn, story_id)?;
    let beat_name = beats::get(conn, row.beat_id)?.name;
    let records = story_records(conn, story_id)?;
    let draft = drafts::latest(conn, story_id)?;
    let by_id: HashMap<i64, &Record> = records.iter().map(|r| (r.record.id, &r.record)).collect();
    let last_failure = last_failure(conn, story_id, draft.as_ref().map(|d| d.created_at))?;
    let mut other_labels = Vec::new();
    if let Some(d) = &draft {
        let all = labels::for_story(conn, story_id)?;
        for id in d.document.cited_ids() {
            if !by_id.contains_key(&id) {
                if let Some(l) = all.get(&id) {
                    other_labels.push((id, *l));
                }
            }
        }
    }
    Ok(StoryView {
        last_failure,
        story: summary(conn, row)?,
        beat_name,
        draft,
        records,
        history: drafts::history(conn, story_id)?,
        signoffs: signoffs::list(conn, story_id)?,
        other_labels,
    })
}

/// A `draft_failed` entry newer than the latest revision, as one line.
fn last_failure(
    conn: &Connection,
    story_id: i64,
    since: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Option<String>> {
    let entry = audit::list(conn, Some(story_id))?
        .into_iter()
        .rev()
        .find(|e| e.action == "draft_failed" || e.action == "draft" || e.action == "regenerate");
    Ok(entry
        .filter(|e| e.action == "draft_failed" && since.is_none_or(|t| e.at >= t))
        .map(|e| {
            let msg = e
                .detail
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or("failed");
            format!("{} · {msg}", e.at.format("%d %b %H:%M UTC"))
        }))
}
