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

/// What a new process needs of a beat's live stories to continue the last
/// analysis: id, status and the times its records (manual sources aside)
/// cover, `None` for a story of manual sources only.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryOutline {
    pub id: i64,
    pub status: StoryStatus,
    pub span: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// [`StoryOutline`]s of a beat's live stories, from the stored spans (no
/// scan of the beat's records).
pub fn outlines_of_beat(conn: &Connection, beat_id: i64) -> Result<Vec<StoryOutline>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, status, first_at, last_at FROM stories WHERE beat_id = ?1 AND retired = 0 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([beat_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, status, a, b)| {
            Ok(StoryOutline {
                id,
                status: StoryStatus::parse(&status).ok_or(StoreError::Corrupt {
                    what: "story status",
                    detail: status.clone(),
                })?,
                span: match (a, b) {
                    (Some(a), Some(b)) => Some((from_sql_time(&a)?, from_sql_time(&b)?)),
                    _ => None,
                },
            })
        })
        .collect()
}

/// The members of some stories, as `(story, record)` in story order.
pub fn records_of_stories(conn: &Connection, story_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    crate::db::in_chunks(story_ids, |marks, chunk| {
        let mut stmt = conn.prepare(&format!(
            "SELECT story_id, record_id FROM story_records WHERE story_id IN ({marks}) ORDER BY story_id, record_id"
        ))?;
        let rows = stmt.query_map(crate::db::params_from_iter(chunk.iter().copied()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<crate::db::Result<Vec<(i64, i64)>>>()?)
    })
}

/// The stored signals of some stories.
pub fn signals_of(conn: &Connection, story_ids: &[i64]) -> Result<Vec<(i64, Signal)>> {
    crate::db::in_chunks(story_ids, |marks, chunk| {
        let mut stmt = conn.prepare(&format!(
            "SELECT id, signal_detail FROM stories WHERE id IN ({marks})"
        ))?;
        let rows = stmt
            .query_map(crate::db::params_from_iter(chunk.iter().copied()), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<crate::db::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|(id, s)| (id, serde_json::from_str(&s).unwrap_or_default()))
            .collect())
    })
}

/// The live story holding a record, if any (manual sources aside, a record
/// is in one live story).
pub fn live_story_of_record(conn: &Connection, record_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT sr.story_id FROM story_records sr JOIN stories s ON s.id = sr.story_id
             WHERE sr.record_id = ?1 AND s.retired = 0 ORDER BY sr.story_id LIMIT 1",
        )?
        .query_row([record_id], |r| r.get(0))
        .optional()?)
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
    let mut members_changed = current.len() != keep.len();
    let mut stmt = conn.prepare_cached(
        "INSERT INTO story_records (story_id, record_id, included, weight, added_at, why) VALUES (?1, ?2, 1, 1.0, ?3, ?4)
         ON CONFLICT (story_id, record_id) DO UPDATE SET why = excluded.why",
    )?;
    for (record_id, why) in records {
        if had.get(record_id).is_some_and(|w| *w == why) {
            continue;
        }
        members_changed |= !had.contains_key(record_id);
        stmt.execute(params![
            story_id,
            record_id,
            to_sql_time(now),
            serde_json::to_string(why).expect("why serializes")
        ])?;
    }
    refresh_span(conn, story_id, members_changed)?;
    Ok(())
}

/// A story's span from its records, manual sources aside (one pass over
/// its members for both ends).
const SPAN: &str = "(SELECT MIN(r.published_at), MAX(r.published_at)
     FROM story_records sr JOIN records r ON r.id = sr.record_id
     WHERE sr.story_id = stories.id AND r.platform <> 'manual')";

/// Recomputes a story's time span when its members changed (or it has
/// none stored yet: a story written before spans were kept).
fn refresh_span(conn: &Connection, story_id: i64, changed: bool) -> Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE stories SET (first_at, last_at) = {SPAN}
         WHERE id = ?1 AND (?2 OR first_at IS NULL)"
    ))?
    .execute(params![story_id, changed])?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use chrono::TimeZone;

    #[test]
    fn a_story_span_follows_its_members_and_leaves_manual_sources_out() {
        let store = Store::open_in_memory().unwrap();
        let day = |d: u32| Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap();
        let span = |store: &Store, id: i64| {
            store
                .read(|c| outlines_of_beat(c, 1))
                .unwrap()
                .into_iter()
                .find(|o| o.id == id)
                .unwrap()
                .span
        };
        let story = store
            .write(|tx| {
                tx.execute_batch("INSERT INTO beats (name, created_at) VALUES ('b', '2026-01-01T00:00:00Z');")?;
                for (i, (platform, d)) in [("news", 5), ("reddit", 2), ("news", 9), ("manual", 1)]
                    .into_iter()
                    .enumerate()
                {
                    tx.execute(
                        "INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at)
                         VALUES (1, ?1, ?2, 'https://e.example/', 'https://e.example/', 't', '', 'a', ?3, ?3)",
                        params![platform, format!("r{i}"), to_sql_time(day(d))],
                    )?;
                }
                let id = insert(tx, 1, "s", day(10))?;
                set_records(tx, id, &[(1, vec![]), (2, vec![])], day(10))?;
                Ok::<_, StoreError>(id)
            })
            .unwrap();
        assert_eq!(span(&store, story), Some((day(2), day(5))));
        // A later record widens it; a manual source (published earlier) does not.
        store
            .write(|tx| {
                set_records(tx, story, &[(1, vec![]), (2, vec![]), (3, vec![])], day(10))?;
                add_link(tx, story, 4, day(10))
            })
            .unwrap();
        assert_eq!(span(&store, story), Some((day(2), day(9))));
        // Only a new reason for a record: the span is not recomputed, and stays right.
        store
            .write(|tx| {
                set_records(
                    tx,
                    story,
                    &[(1, vec!["x".into()]), (2, vec![]), (3, vec![])],
                    day(10),
                )
            })
            .unwrap();
        assert_eq!(span(&store, story), Some((day(2), day(9))));
        // The earliest record leaves.
        store
            .write(|tx| set_records(tx, story, &[(1, vec![]), (3, vec![])], day(10)))
            .unwrap();
        assert_eq!(span(&store, story), Some((day(5), day(9))));
        let members = store.read(|c| records_of_stories(c, &[story])).unwrap();
        // `set_records` writes the whole membership: the core re-adds manual sources.
        assert_eq!(members, vec![(story, 1), (story, 3)]);
    }
}
