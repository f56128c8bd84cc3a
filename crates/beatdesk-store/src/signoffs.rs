use beatdesk_types::SignOff;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use crate::{from_sql_time, to_sql_time, Result, StoreError};

pub fn insert(
    conn: &Connection,
    story_id: i64,
    draft_id: i64,
    editor: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SignOff> {
    conn.execute(
        "INSERT INTO signoffs (story_id, draft_id, editor, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![story_id, draft_id, editor, note, to_sql_time(now)],
    )?;
    let id = conn.last_insert_rowid();
    list(conn, story_id)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| StoreError::not_found("sign-off", id))
}

/// A story's sign-offs, newest first.
pub fn list(conn: &Connection, story_id: i64) -> Result<Vec<SignOff>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.story_id, s.draft_id, d.revision, s.editor, s.note, s.created_at
         FROM signoffs s JOIN drafts d ON d.id = s.draft_id WHERE s.story_id = ?1 ORDER BY s.id DESC",
    )?;
    let raws = stmt
        .query_map([story_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raws.into_iter()
        .map(
            |(id, story_id, draft_id, revision, editor, note, created)| {
                Ok(SignOff {
                    id,
                    story_id,
                    draft_id,
                    revision,
                    editor,
                    note,
                    created_at: from_sql_time(&created)?,
                })
            },
        )
        .collect()
}
