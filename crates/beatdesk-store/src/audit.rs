//! The append-only log of editorial actions (triggers refuse UPDATE and DELETE).

use crate::db::{params, Connection};
use beatdesk_types::AuditEntry;
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result};

pub fn append(
    conn: &Connection,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    story_id: Option<i64>,
    detail: &serde_json::Value,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, story_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        to_sql_time(at),
        actor,
        action,
        story_id,
        detail.to_string()
    ])?;
    Ok(())
}

/// Entries for one story (or all when `None`), oldest first.
pub fn list(conn: &Connection, story_id: Option<i64>) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, story_id, detail FROM audit_log WHERE (?1 IS NULL OR story_id = ?1) ORDER BY id",
    )?;
    let raws = stmt
        .query_map([story_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<(i64, String, String, String, Option<i64>, String)>>>()?;
    raws.into_iter()
        .map(|(id, at, actor, action, story_id, detail)| {
            Ok(AuditEntry {
                id,
                at: from_sql_time(&at)?,
                actor,
                action,
                story_id,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}
