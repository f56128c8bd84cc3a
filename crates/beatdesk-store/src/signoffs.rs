use crate::db::{params, Connection};
use beatdesk_types::SignOff;
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result, StoreError};

/// What an editor signs: the revision they read, and any override of hard failures.
pub struct NewSignOff<'a> {
    pub story_id: i64,
    /// The revision signed (not "the latest"): CMS export takes exactly this one.
    pub draft_id: i64,
    pub editor: &'a str,
    pub note: Option<&'a str>,
    pub override_reason: Option<&'a str>,
    pub failures: &'a [String],
}

pub fn insert(conn: &Connection, s: &NewSignOff, now: DateTime<Utc>) -> Result<SignOff> {
    let failures = serde_json::to_string(s.failures).expect("strings serialize");
    let id: i64 = conn.query_row(
        "INSERT INTO signoffs (story_id, draft_id, editor, note, created_at, override_reason, failures)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        params![s.story_id, s.draft_id, s.editor, s.note, to_sql_time(now), s.override_reason, failures],
        |r| r.get(0),
    )?;
    let story_id = s.story_id;
    list(conn, story_id)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| StoreError::not_found("sign-off", id))
}

/// A story's sign-offs, newest first.
pub fn list(conn: &Connection, story_id: i64) -> Result<Vec<SignOff>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.story_id, s.draft_id, d.revision, s.editor, s.note, s.created_at, s.override_reason, s.failures
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
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<_>>>()?;
    raws.into_iter()
        .map(
            |(
                id,
                story_id,
                draft_id,
                revision,
                editor,
                note,
                created,
                override_reason,
                failures,
            )| {
                Ok(SignOff {
                    id,
                    story_id,
                    draft_id,
                    revision,
                    editor,
                    note,
                    created_at: from_sql_time(&created)?,
                    override_reason,
                    failures: serde_json::from_str(&failures).map_err(|e| StoreError::Corrupt {
                        what: "sign-off failures",
                        detail: format!("sign-off {id}: {e}"),
                    })?,
                })
            },
        )
        .collect()
}
