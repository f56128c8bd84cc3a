use crate::db::{params, Connection};
use beatdesk_types::ExportRecord;
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result};

pub fn insert(
    conn: &Connection,
    story_id: i64,
    draft_id: i64,
    target: &str,
    location: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ExportRecord> {
    let id = conn.query_row(
        "INSERT INTO exports (story_id, draft_id, target, location, created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![story_id, draft_id, target, location, to_sql_time(now)],
        |r| r.get(0),
    )?;
    Ok(ExportRecord {
        id,
        story_id,
        draft_id,
        target: target.to_string(),
        location: location.map(str::to_string),
        created_at: now,
    })
}

/// A story's exports, newest first.
pub fn list(conn: &Connection, story_id: i64) -> Result<Vec<ExportRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, story_id, draft_id, target, location, created_at FROM exports WHERE story_id = ?1 ORDER BY id DESC",
    )?;
    let raws = stmt
        .query_map([story_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<(i64, i64, i64, String, Option<String>, String)>>>()?;
    raws.into_iter()
        .map(|(id, story_id, draft_id, target, location, created)| {
            Ok(ExportRecord {
                id,
                story_id,
                draft_id,
                target,
                location,
                created_at: from_sql_time(&created)?,
            })
        })
        .collect()
}
