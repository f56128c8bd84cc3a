//! Unsaved edits, one per story: written while an editor types, removed on
//! save or discard. Not history: rows are replaced freely.

use crate::db::{params, Connection, OptionalExtension};
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result};

pub fn put(
    conn: &Connection,
    story_id: i64,
    base_revision: i64,
    document: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO edit_buffers (story_id, base_revision, document, saved_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (story_id) DO UPDATE SET base_revision = excluded.base_revision,
             document = excluded.document, saved_at = excluded.saved_at",
        params![story_id, base_revision, document, to_sql_time(now)],
    )?;
    Ok(())
}

/// `(base_revision, document JSON, saved_at)` of the story's buffer.
pub fn get(conn: &Connection, story_id: i64) -> Result<Option<(i64, String, DateTime<Utc>)>> {
    let row = conn
        .query_row(
            "SELECT base_revision, document, saved_at FROM edit_buffers WHERE story_id = ?1",
            [story_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?;
    row.map(|(b, d, t)| Ok((b, d, from_sql_time(&t)?)))
        .transpose()
}

pub fn clear(conn: &Connection, story_id: i64) -> Result<()> {
    conn.execute("DELETE FROM edit_buffers WHERE story_id = ?1", [story_id])?;
    Ok(())
}
