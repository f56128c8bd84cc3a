use crate::db::{params, Connection, OptionalExtension, Row};
use beatdesk_types::Beat;
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result, StoreError};

const SELECT: &str = "SELECT b.id, b.name, b.config, b.created_at,
    (SELECT COUNT(*) FROM stories s WHERE s.beat_id = b.id AND s.retired = 0),
    (SELECT COUNT(*) FROM records r WHERE r.beat_id = b.id)
    FROM beats b";

fn from_row(r: &Row) -> crate::db::Result<(Beat, String)> {
    let created: String = r.get(3)?;
    Ok((
        Beat {
            id: r.get(0)?,
            name: r.get(1)?,
            config: r.get(2)?,
            created_at: DateTime::<Utc>::MIN_UTC,
            story_count: r.get(4)?,
            record_count: r.get(5)?,
        },
        created,
    ))
}

fn finish((mut beat, created): (Beat, String)) -> Result<Beat> {
    beat.created_at = from_sql_time(&created)?;
    Ok(beat)
}

pub fn insert(conn: &Connection, name: &str, config: &str, now: DateTime<Utc>) -> Result<i64> {
    Ok(conn.query_row(
        "INSERT INTO beats (name, config, created_at) VALUES (?1, ?2, ?3) RETURNING id",
        params![name, config, to_sql_time(now)],
        |r| r.get(0),
    )?)
}

pub fn set_config(conn: &Connection, id: i64, config: &str) -> Result<()> {
    let n = conn.execute(
        "UPDATE beats SET config = ?2 WHERE id = ?1",
        params![id, config],
    )?;
    if n == 0 {
        return Err(StoreError::not_found("beat", id));
    }
    Ok(())
}

pub fn list(conn: &Connection) -> Result<Vec<Beat>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE b.removed_at IS NULL ORDER BY b.name"
    ))?;
    let rows = stmt
        .query_map([], from_row)?
        .collect::<crate::db::Result<Vec<_>>>()?;
    rows.into_iter().map(finish).collect()
}

pub fn get(conn: &Connection, id: i64) -> Result<Beat> {
    let row = conn
        .query_row(&format!("{SELECT} WHERE b.id = ?1"), [id], from_row)
        .optional()?;
    finish(row.ok_or_else(|| StoreError::not_found("beat", id))?)
}

pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<Beat>> {
    let row = conn
        .query_row(&format!("{SELECT} WHERE b.name = ?1"), [name], from_row)
        .optional()?;
    row.map(finish).transpose()
}

pub fn rename(conn: &Connection, id: i64, name: &str) -> Result<()> {
    let n = conn.execute(
        "UPDATE beats SET name = ?2 WHERE id = ?1",
        params![id, name],
    )?;
    if n == 0 {
        return Err(StoreError::not_found("beat", id));
    }
    Ok(())
}

/// Removes a beat from use: hidden from the list under a name that frees the
/// old one, its sources and records deleted, its stories retired. Revisions,
/// sign-offs, exports and the audit log stay: they are history.
pub fn archive(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<()> {
    let n = conn.execute(
        "UPDATE beats SET removed_at = ?2, name = name || ' (removed ' || ?2 || ')' WHERE id = ?1 AND removed_at IS NULL",
        params![id, to_sql_time(now)],
    )?;
    if n == 0 {
        return Err(StoreError::not_found("beat", id));
    }
    conn.execute(
        "DELETE FROM edit_buffers WHERE story_id IN (SELECT id FROM stories WHERE beat_id = ?1)",
        [id],
    )?;
    conn.execute("UPDATE stories SET retired = 1 WHERE beat_id = ?1", [id])?;
    conn.execute("DELETE FROM records WHERE beat_id = ?1", [id])?;
    conn.execute("DELETE FROM sources WHERE beat_id = ?1", [id])?;
    Ok(())
}
