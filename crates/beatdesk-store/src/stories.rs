use crate::db::{params, Connection, OptionalExtension};
use beatdesk_types::{Signal, StoryStatus};
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result, StoreError};

/// A story row as stored; the core joins it with records and drafts.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRow {
    pub id: i64,
    pub beat_id: i64,
    pub title: String,
    pub status: StoryStatus,
    pub signal: Signal,
    pub top_terms: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub retired: bool,
}

/// A story↔record link.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub record_id: i64,
    pub included: bool,
    pub weight: f64,
    pub added_at: DateTime<Utc>,
    pub why: Vec<String>,
}

const COLUMNS: &str =
    "id, beat_id, title, status, signal_detail, top_terms, created_at, updated_at, retired";

fn query(conn: &Connection, tail: &str, p: impl crate::db::Params) -> Result<Vec<StoryRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM stories {tail}"))?;
    let raws = stmt
        .query_map(p, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, bool>(8)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<_>>>()?;
    raws.into_iter()
        .map(
            |(id, beat_id, title, status, signal, terms, created, updated, retired)| {
                Ok(StoryRow {
                    id,
                    beat_id,
                    title,
                    status: StoryStatus::parse(&status).ok_or(StoreError::Corrupt {
                        what: "story status",
                        detail: status.clone(),
                    })?,
                    signal: serde_json::from_str(&signal).unwrap_or_default(),
                    top_terms: serde_json::from_str(&terms).unwrap_or_default(),
                    created_at: from_sql_time(&created)?,
                    updated_at: from_sql_time(&updated)?,
                    retired,
                })
            },
        )
        .collect()
}

pub fn insert(conn: &Connection, beat_id: i64, title: &str, now: DateTime<Utc>) -> Result<i64> {
    Ok(conn.query_row(
        "INSERT INTO stories (beat_id, title, status, created_at, updated_at) VALUES (?1, ?2, 'candidate', ?3, ?3) RETURNING id",
        params![beat_id, title, to_sql_time(now)],
        |r| r.get(0),
    )?)
}

pub fn get(conn: &Connection, id: i64) -> Result<StoryRow> {
    query(conn, "WHERE id = ?1", [id])?
        .pop()
        .ok_or_else(|| StoreError::not_found("story", id))
}

/// Live stories of a beat, highest signal first.
pub fn list_for_beat(conn: &Connection, beat_id: i64) -> Result<Vec<StoryRow>> {
    query(
        conn,
        "WHERE beat_id = ?1 AND retired = 0 ORDER BY signal DESC, id",
        [beat_id],
    )
}

/// Every story of a beat, retired ones included (analysis matches against them).
pub fn list_all_for_beat(conn: &Connection, beat_id: i64) -> Result<Vec<StoryRow>> {
    query(conn, "WHERE beat_id = ?1 ORDER BY id", [beat_id])
}

pub fn set_status(
    conn: &Connection,
    id: i64,
    status: StoryStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let n = conn.execute(
        "UPDATE stories SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), to_sql_time(now)],
    )?;
    if n == 0 {
        return Err(StoreError::not_found("story", id));
    }
    Ok(())
}

/// Stores analysis results for a story.
pub fn set_analysis(
    conn: &Connection,
    id: i64,
    title: &str,
    signal: &Signal,
    top_terms: &[String],
    retired: bool,
) -> Result<()> {
    conn.execute(
        "UPDATE stories SET title = ?2, signal = ?3, signal_detail = ?4, top_terms = ?5, retired = ?6 WHERE id = ?1",
        params![
            id,
            title,
            signal.total,
            serde_json::to_string(signal).expect("signal serializes"),
            serde_json::to_string(top_terms).expect("terms serialize"),
            retired
        ],
    )?;
    Ok(())
}

/// Stores a story's signal alone (a re-rank: records and title unchanged).
pub fn set_signal(conn: &Connection, id: i64, signal: &Signal) -> Result<()> {
    conn.prepare_cached("UPDATE stories SET signal = ?2, signal_detail = ?3 WHERE id = ?1")?
        .execute(params![
            id,
            signal.total,
            serde_json::to_string(signal).expect("signal serializes")
        ])?;
    Ok(())
}

/// Every (story, record) link of the beat's live stories, by story.
pub fn records_of_beat(conn: &Connection, beat_id: i64) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sr.story_id, sr.record_id FROM story_records sr JOIN stories s ON s.id = sr.story_id
         WHERE s.beat_id = ?1 AND s.retired = 0 ORDER BY sr.story_id, sr.record_id",
    )?;
    let rows = stmt.query_map([beat_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<crate::db::Result<_>>()?)
}

/// The times each live story's records (manual sources aside) cover, as
/// `(story, first, last)`; timestamps are stored in one fixed format, so
/// their text order is their time order.
pub fn spans_of_beat(
    conn: &Connection,
    beat_id: i64,
) -> Result<Vec<(i64, DateTime<Utc>, DateTime<Utc>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sr.story_id, MIN(r.published_at), MAX(r.published_at)
         FROM story_records sr JOIN stories s ON s.id = sr.story_id JOIN records r ON r.id = sr.record_id
         WHERE s.beat_id = ?1 AND s.retired = 0 AND r.platform <> 'manual' GROUP BY sr.story_id",
    )?;
    let rows = stmt
        .query_map([beat_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, a, b)| Ok((id, from_sql_time(&a)?, from_sql_time(&b)?)))
        .collect()
}

/// Records an editor excluded from the beat's live stories.
pub fn excluded_for_beat(conn: &Connection, beat_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sr.record_id FROM story_records sr JOIN stories s ON s.id = sr.story_id
         WHERE s.beat_id = ?1 AND s.retired = 0 AND sr.included = 0 ORDER BY sr.record_id",
    )?;
    let rows = stmt.query_map([beat_id], |r| r.get(0))?;
    Ok(rows.collect::<crate::db::Result<_>>()?)
}

pub fn links(conn: &Connection, story_id: i64) -> Result<Vec<Link>> {
    let mut stmt = conn.prepare_cached(
        "SELECT record_id, included, weight, added_at, why FROM story_records WHERE story_id = ?1 ORDER BY record_id",
    )?;
    let raws = stmt
        .query_map([story_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<_>>>()?;
    raws.into_iter()
        .map(|(record_id, included, weight, added, why)| {
            Ok(Link {
                record_id,
                included,
                weight,
                added_at: from_sql_time(&added)?,
                why: serde_json::from_str(&why).unwrap_or_default(),
            })
        })
        .collect()
}

/// Makes the story's record set exactly `records`, keeping the editor's
/// included flags and weights on links that stay.
pub fn set_records(
    conn: &Connection,
    story_id: i64,
    records: &[(i64, Vec<String>)],
    now: DateTime<Utc>,
) -> Result<()> {
    let current = links(conn, story_id)?;
    set_records_from(conn, story_id, &current, records, now)
}

/// As [`set_records`], with the story's links already read: only links
/// that are new, gone or whose reasons changed are written (an increment
/// touches many stories but changes few of their rows).
pub fn set_records_from(
    conn: &Connection,
    story_id: i64,
    current: &[Link],
    records: &[(i64, Vec<String>)],
    now: DateTime<Utc>,
) -> Result<()> {
    let keep: std::collections::HashSet<i64> = records.iter().map(|(id, _)| *id).collect();
    let had: std::collections::HashMap<i64, &Vec<String>> =
        current.iter().map(|l| (l.record_id, &l.why)).collect();
    for link in current {
        if !keep.contains(&link.record_id) {
            conn.prepare_cached(
                "DELETE FROM story_records WHERE story_id = ?1 AND record_id = ?2",
            )?
            .execute(params![story_id, link.record_id])?;
        }
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO story_records (story_id, record_id, included, weight, added_at, why) VALUES (?1, ?2, 1, 1.0, ?3, ?4)
         ON CONFLICT (story_id, record_id) DO UPDATE SET why = excluded.why",
    )?;
    for (record_id, why) in records {
        if had.get(record_id).is_some_and(|w| *w == why) {
            continue;
        }
        stmt.execute(params![
            story_id,
            record_id,
            to_sql_time(now),
            serde_json::to_string(why).expect("why serializes")
        ])?;
    }
    Ok(())
}

/// The editor's include/exclude toggle and weight.
pub fn set_link(
    conn: &Connection,
    story_id: i64,
    record_id: i64,
    included: bool,
    weight: f64,
) -> Result<()> {
    let n = conn.execute(
        "UPDATE story_records SET included = ?3, weight = ?4 WHERE story_id = ?1 AND record_id = ?2",
        params![story_id, record_id, included, weight],
    )?;
    if n == 0 {
        return Err(StoreError::not_found(
            "story record",
            format!("{record_id} in story {story_id}"),
        ));
    }
    Ok(())
}

/// Adds one record to a story by hand (a reporter's manual source).
pub fn add_link(
    conn: &Connection,
    story_id: i64,
    record_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO story_records (story_id, record_id, included, weight, added_at) VALUES (?1, ?2, 1, 1.0, ?3)
         ON CONFLICT DO NOTHING",
        params![story_id, record_id, to_sql_time(now)],
    )?;
    Ok(())
}

pub fn story_of_record(conn: &Connection, record_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT story_id FROM story_records WHERE record_id = ?1 ORDER BY story_id LIMIT 1",
            [record_id],
            |r| r.get(0),
        )
        .optional()?)
}
