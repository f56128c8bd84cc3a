//! Revisions of a story document. Rows are immutable (a trigger enforces
//! it): an edit is a new revision.

use crate::db::{params, Connection};
use beatdesk_types::{Draft, DraftAuthor, DraftSummary, StoryDocument};
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result, StoreError};

type RawDraft = (i64, i64, i64, String, String, String, String, String);

fn finish(
    (id, story_id, revision, kind, author, created, document, meta): RawDraft,
) -> Result<Draft> {
    let author = match kind.as_str() {
        "writer" => DraftAuthor::Writer(author),
        "editor" => DraftAuthor::Editor(author),
        other => {
            return Err(StoreError::Corrupt {
                what: "draft author kind",
                detail: other.to_string(),
            })
        }
    };
    Ok(Draft {
        id,
        story_id,
        revision,
        author,
        created_at: from_sql_time(&created)?,
        document: serde_json::from_str(&document).map_err(|e| StoreError::Corrupt {
            what: "story document",
            detail: format!("draft {id}: {e}"),
        })?,
        meta: serde_json::from_str(&meta).unwrap_or(serde_json::Value::Null),
    })
}

fn query(conn: &Connection, tail: &str, p: impl crate::db::Params) -> Result<Vec<Draft>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, story_id, revision, author_kind, author, created_at, document, meta FROM drafts {tail}"
    ))?;
    let raws = stmt
        .query_map(p, |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<RawDraft>>>()?;
    raws.into_iter().map(finish).collect()
}

/// Appends a revision and returns it.
pub fn insert(
    conn: &Connection,
    story_id: i64,
    author: &DraftAuthor,
    document: &StoryDocument,
    meta: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Draft> {
    let revision: i64 = conn.query_row(
        "SELECT COALESCE(MAX(revision), 0) + 1 FROM drafts WHERE story_id = ?1",
        [story_id],
        |r| r.get(0),
    )?;
    let id: i64 = conn.query_row(
        "INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document, meta)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        params![
            story_id,
            revision,
            author.kind(),
            author.name(),
            to_sql_time(now),
            serde_json::to_string(document).expect("document serializes"),
            meta.to_string()
        ],
        |r| r.get(0),
    )?;
    get(conn, id)
}

pub fn get(conn: &Connection, id: i64) -> Result<Draft> {
    query(conn, "WHERE id = ?1", [id])?
        .pop()
        .ok_or_else(|| StoreError::not_found("draft", id))
}

pub fn latest(conn: &Connection, story_id: i64) -> Result<Option<Draft>> {
    Ok(query(
        conn,
        "WHERE story_id = ?1 ORDER BY revision DESC LIMIT 1",
        [story_id],
    )?
    .pop())
}

/// One revision of a story by its number.
pub fn by_revision(conn: &Connection, story_id: i64, revision: i64) -> Result<Option<Draft>> {
    Ok(query(
        conn,
        "WHERE story_id = ?1 AND revision = ?2",
        [story_id, revision],
    )?
    .pop())
}

/// The latest revision written by a writer (not an editor).
pub fn latest_by_writer(conn: &Connection, story_id: i64) -> Result<Option<Draft>> {
    Ok(query(
        conn,
        "WHERE story_id = ?1 AND author_kind = 'writer' ORDER BY revision DESC LIMIT 1",
        [story_id],
    )?
    .pop())
}

/// Every revision, newest first, without documents' bodies.
pub fn history(conn: &Connection, story_id: i64) -> Result<Vec<DraftSummary>> {
    Ok(query(
        conn,
        "WHERE story_id = ?1 ORDER BY revision DESC",
        [story_id],
    )?
    .into_iter()
    .map(|d| DraftSummary {
        id: d.id,
        revision: d.revision,
        author: d.author,
        created_at: d.created_at,
        headline: d.document.headline,
        meta: d.meta,
    })
    .collect())
}
