//! `targets` (export destinations by name) and `target_exports` (every
//! attempt to send a story to one, append-only). Secrets are not stored here.

use crate::db::{params, Connection, OptionalExtension};
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result, StoreError};

/// A target row.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub url: String,
    pub username: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub fn insert(
    conn: &Connection,
    name: &str,
    kind: &str,
    url: &str,
    username: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TargetRow> {
    let id = conn.query_row(
        "INSERT INTO targets (name, kind, url, username, created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![name, kind, url, username, to_sql_time(now)],
        |r| r.get(0),
    )?;
    get(conn, id)
}

const COLS: &str = "id, name, kind, url, username, created_at";

fn row(
    r: &crate::db::Row<'_>,
) -> crate::db::Result<(i64, String, String, String, Option<String>, String)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn build(raw: (i64, String, String, String, Option<String>, String)) -> Result<TargetRow> {
    let (id, name, kind, url, username, created) = raw;
    Ok(TargetRow {
        id,
        name,
        kind,
        url,
        username,
        created_at: from_sql_time(&created)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<TargetRow> {
    let raw = conn
        .query_row(
            &format!("SELECT {COLS} FROM targets WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?
        .ok_or_else(|| StoreError::not_found("target", id))?;
    build(raw)
}

/// The live target with this name.
pub fn find(conn: &Connection, name: &str) -> Result<Option<TargetRow>> {
    conn.query_row(
        &format!("SELECT {COLS} FROM targets WHERE name = ?1 AND removed_at IS NULL"),
        [name],
        row,
    )
    .optional()?
    .map(build)
    .transpose()
}

/// Live targets by name.
pub fn list(conn: &Connection) -> Result<Vec<TargetRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM targets WHERE removed_at IS NULL ORDER BY name"
    ))?;
    let raws = stmt
        .query_map([], row)?
        .collect::<crate::db::Result<Vec<_>>>()?;
    raws.into_iter().map(build).collect()
}

/// Marks a target removed; its export history stays.
pub fn remove(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE targets SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL",
        params![id, to_sql_time(now)],
    )?;
    Ok(())
}

/// One attempt to send a story to a target.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attempt {
    pub id: i64,
    pub target_id: i64,
    pub target: String,
    pub kind: String,
    pub story_id: i64,
    pub draft_id: i64,
    pub revision: i64,
    pub action: String,
    pub remote_id: Option<String>,
    pub url: Option<String>,
    pub remote_updated_at: Option<String>,
    pub status: Option<String>,
    pub event: Option<String>,
    pub content_hash: String,
    pub error_code: Option<String>,
    pub error: Option<String>,
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

pub fn record_attempt(conn: &Connection, a: &Attempt) -> Result<i64> {
    Ok(conn.query_row(
        "INSERT INTO target_exports (target_id, story_id, draft_id, action, remote_id, url,
             remote_updated_at, status, event, content_hash, error_code, error, actor, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id",
        params![
            a.target_id,
            a.story_id,
            a.draft_id,
            a.action,
            a.remote_id,
            a.url,
            a.remote_updated_at,
            a.status,
            a.event,
            a.content_hash,
            a.error_code,
            a.error,
            a.actor,
            to_sql_time(a.created_at)
        ],
        |r| r.get(0),
    )?)
}

const ATTEMPT_SQL: &str =
    "SELECT e.id, e.target_id, t.name, t.kind, e.story_id, e.draft_id, d.revision,
        e.action, e.remote_id, e.url, e.remote_updated_at, e.status, e.event, e.content_hash,
        e.error_code, e.error, e.actor, e.created_at
     FROM target_exports e JOIN targets t ON t.id = e.target_id JOIN drafts d ON d.id = e.draft_id";

fn attempt(r: &crate::db::Row<'_>) -> crate::db::Result<(Attempt, String)> {
    Ok((
        Attempt {
            id: r.get(0)?,
            target_id: r.get(1)?,
            target: r.get(2)?,
            kind: r.get(3)?,
            story_id: r.get(4)?,
            draft_id: r.get(5)?,
            revision: r.get(6)?,
            action: r.get(7)?,
            remote_id: r.get(8)?,
            url: r.get(9)?,
            remote_updated_at: r.get(10)?,
            status: r.get(11)?,
            event: r.get(12)?,
            content_hash: r.get(13)?,
            error_code: r.get(14)?,
            error: r.get(15)?,
            actor: r.get(16)?,
            created_at: DateTime::<Utc>::MIN_UTC,
        },
        r.get(17)?,
    ))
}

fn attempts(conn: &Connection, sql: &str, p: impl crate::db::Params) -> Result<Vec<Attempt>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let raws = stmt
        .query_map(p, attempt)?
        .collect::<crate::db::Result<Vec<_>>>()?;
    raws.into_iter()
        .map(|(mut a, created)| {
            a.created_at = from_sql_time(&created)?;
            Ok(a)
        })
        .collect()
}

/// A story's attempts to every target, newest first.
pub fn history(conn: &Connection, story_id: i64) -> Result<Vec<Attempt>> {
    attempts(
        conn,
        &format!("{ATTEMPT_SQL} WHERE e.story_id = ?1 ORDER BY e.id DESC"),
        [story_id],
    )
}

/// The last attempt that left a post on the target (create or update), if any.
pub fn last_success(conn: &Connection, story_id: i64, target_id: i64) -> Result<Option<Attempt>> {
    Ok(attempts(
        conn,
        &format!(
            "{ATTEMPT_SQL} WHERE e.story_id = ?1 AND e.target_id = ?2 AND e.action IN ('create','update')
             ORDER BY e.id DESC LIMIT 1"
        ),
        params![story_id, target_id],
    )?
    .pop())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn attempts_are_append_only_and_removed_targets_keep_history() {
        let store = Store::open_in_memory().unwrap();
        let now = chrono::Utc::now();
        store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO beats (name, created_at) VALUES ('b', '2026-01-01T00:00:00Z');
                     INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 's', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
                     INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document) VALUES (1, 1, 'writer', 'w', '2026-01-01T00:00:00Z', '{}');",
                )?;
                let t = insert(tx, "desk", "wordpress", "http://127.0.0.1:1/", Some("ed"), now)?;
                assert!(insert(tx, "desk", "ghost", "http://127.0.0.1:2/", None, now).is_err(), "names are unique among live targets");
                let a = Attempt { target_id: t.id, story_id: 1, draft_id: 1, action: "create".into(), remote_id: Some("7".into()), content_hash: "h".into(), actor: "ed".into(), created_at: now, ..Default::default() };
                let id = record_attempt(tx, &a)?;
                assert!(tx.execute("UPDATE target_exports SET remote_id = '8' WHERE id = ?1", [id]).is_err());
                assert!(tx.execute("DELETE FROM target_exports WHERE id = ?1", [id]).is_err());
                remove(tx, t.id, now)?;
                assert_eq!(find(tx, "desk")?, None);
                let again = insert(tx, "desk", "ghost", "http://127.0.0.1:2/", None, now)?;
                assert_ne!(again.id, t.id);
                assert_eq!(last_success(tx, 1, again.id)?, None, "a new target with an old name starts afresh");
                let h = history(tx, 1)?;
                assert_eq!((h.len(), h[0].target.as_str(), h[0].remote_id.as_deref(), h[0].revision), (1, "desk", Some("7"), 1));
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }
}
