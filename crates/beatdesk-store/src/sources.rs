//! A beat's sources and their fetch state (ETag, Last-Modified, cursor,
//! back-off). Ingest reads and writes these; the foundation only lists them.

use crate::db::{params, Connection, OptionalExtension};
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    pub id: i64,
    pub beat_id: i64,
    pub kind: String,
    /// The source's parameters as JSON (subreddit, query, url, base_url…).
    pub params: serde_json::Value,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub cursor: Option<String>,
    pub next_check_at: Option<DateTime<Utc>>,
    pub error_count: i64,
    pub last_error: Option<String>,
    pub last_fetch_at: Option<DateTime<Utc>>,
}

pub fn insert(
    conn: &Connection,
    beat_id: i64,
    kind: &str,
    params_json: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(conn.query_row(
        "INSERT INTO sources (beat_id, kind, params, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        params![beat_id, kind, params_json.to_string(), to_sql_time(now)],
        |r| r.get(0),
    )?)
}

/// Replaces a beat's sources (from an edited configuration), keeping the
/// fetch state of sources whose kind and parameters did not change.
pub fn replace_for_beat(
    conn: &Connection,
    beat_id: i64,
    wanted: &[(String, serde_json::Value)],
    now: DateTime<Utc>,
) -> Result<()> {
    let existing = list_for_beat(conn, beat_id)?;
    for row in &existing {
        if !wanted
            .iter()
            .any(|(k, p)| *k == row.kind && *p == row.params)
        {
            conn.execute("DELETE FROM sources WHERE id = ?1", [row.id])?;
        }
    }
    for (kind, p) in wanted {
        if !existing
            .iter()
            .any(|row| row.kind == *kind && row.params == *p)
        {
            insert(conn, beat_id, kind, p, now)?;
        }
    }
    Ok(())
}

pub fn list_for_beat(conn: &Connection, beat_id: i64) -> Result<Vec<SourceRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, beat_id, kind, params, etag, last_modified, cursor, next_check_at, error_count, last_error, last_fetch_at
         FROM sources WHERE beat_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([beat_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(
            |(
                id,
                beat_id,
                kind,
                p,
                etag,
                last_modified,
                cursor,
                next,
                error_count,
                last_error,
                fetched,
            )| {
                Ok(SourceRow {
                    id,
                    beat_id,
                    kind,
                    params: serde_json::from_str(&p).unwrap_or(serde_json::Value::Null),
                    etag,
                    last_modified,
                    cursor,
                    next_check_at: next.as_deref().map(from_sql_time).transpose()?,
                    error_count,
                    last_error,
                    last_fetch_at: fetched.as_deref().map(from_sql_time).transpose()?,
                })
            },
        )
        .collect()
}

/// Records a successful fetch: new validators, next check, errors reset.
pub fn record_success(
    conn: &Connection,
    id: i64,
    etag: Option<&str>,
    last_modified: Option<&str>,
    cursor: Option<&str>,
    next_check_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE sources SET etag = ?2, last_modified = ?3, cursor = ?4, next_check_at = ?5,
         error_count = 0, last_error = NULL, last_fetch_at = ?6 WHERE id = ?1",
        params![
            id,
            etag,
            last_modified,
            cursor,
            to_sql_time(next_check_at),
            to_sql_time(now)
        ],
    )?;
    Ok(())
}

/// Records a failed fetch; the last successful validators are kept.
pub fn record_failure(
    conn: &Connection,
    id: i64,
    error: &str,
    next_check_at: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE sources SET error_count = error_count + 1, last_error = ?2, next_check_at = ?3 WHERE id = ?1",
        params![id, error, to_sql_time(next_check_at)],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<SourceRow>> {
    let beat: Option<i64> = conn
        .query_row("SELECT beat_id FROM sources WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    match beat {
        None => Ok(None),
        Some(b) => Ok(list_for_beat(conn, b)?.into_iter().find(|s| s.id == id)),
    }
}
