//! `record_links`: relations between records (reply, quote, link card,
//! comment, crosspost, citation…), stored as the platforms state them.

use crate::db::{params, Connection};
use beatdesk_types::{LinkKind, RecordLink};
use chrono::{DateTime, Utc};

use crate::{to_sql_time, Result, StoreError};

/// Stores one relation; a relation already stored is left as it is.
/// Returns whether a row was added.
pub fn insert(
    conn: &Connection,
    beat_id: i64,
    record_id: i64,
    kind: LinkKind,
    target_key: &str,
    target_record_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO record_links (beat_id, record_id, kind, target_key, target_record_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        params![beat_id, record_id, kind.as_str(), target_key, target_record_id, to_sql_time(now)],
    )?;
    Ok(n > 0)
}

/// Points unresolved relations at the records they name: a post key
/// (`platform:external_id`) or a canonical URL of a kept record of the beat.
/// Returns how many relations were resolved.
pub fn resolve(conn: &Connection, beat_id: i64) -> Result<usize> {
    let n = conn.execute(
        "UPDATE record_links SET target_record_id = (
             SELECT r.id FROM records r
             WHERE r.beat_id = record_links.beat_id
               AND (r.platform || ':' || r.external_id = record_links.target_key
                    OR r.canonical_url = record_links.target_key)
             ORDER BY (r.status = 'kept') DESC, r.id
             LIMIT 1)
         WHERE beat_id = ?1 AND target_record_id IS NULL
           AND EXISTS (SELECT 1 FROM records r
             WHERE r.beat_id = record_links.beat_id
               AND (r.platform || ':' || r.external_id = record_links.target_key
                    OR r.canonical_url = record_links.target_key))",
        [beat_id],
    )?;
    Ok(n)
}

/// Points unresolved relations at records with a lookup the caller holds
/// (key → record id): one indexed update per resolved relation, instead of a
/// scan of the beat's records per relation. Returns how many were resolved.
pub fn resolve_with(
    conn: &Connection,
    beat_id: i64,
    lookup: impl Fn(&str) -> Option<i64>,
) -> Result<usize> {
    let pending: Vec<(i64, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT id, target_key FROM record_links WHERE beat_id = ?1 AND target_record_id IS NULL",
        )?;
        let rows = stmt.query_map([beat_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<crate::db::Result<_>>()?
    };
    let mut set =
        conn.prepare_cached("UPDATE record_links SET target_record_id = ?2 WHERE id = ?1")?;
    let mut n = 0;
    for (id, key) in pending {
        if let Some(target) = lookup(&key) {
            set.execute(params![id, target])?;
            n += 1;
        }
    }
    Ok(n)
}

/// A stored relation row: (row id, record id, target key, target record id).
pub type LinkRow = (i64, i64, String, Option<i64>);

/// Relations stored for records after `after_id`.
pub fn after(conn: &Connection, beat_id: i64, after_id: i64) -> Result<Vec<LinkRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, record_id, target_key, target_record_id FROM record_links
         WHERE beat_id = ?1 AND record_id > ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![beat_id, after_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<crate::db::Result<_>>()?)
}

/// Unresolved relations naming `target_key`, as (row id, record id).
pub fn unresolved_to(conn: &Connection, beat_id: i64, target_key: &str) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, record_id FROM record_links
         WHERE beat_id = ?1 AND target_key = ?2 AND target_record_id IS NULL",
    )?;
    let rows = stmt.query_map(params![beat_id, target_key], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<crate::db::Result<_>>()?)
}

/// Points one relation at the record it names.
pub fn set_target(conn: &Connection, id: i64, target_record_id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE record_links SET target_record_id = ?2 WHERE id = ?1")?
        .execute(params![id, target_record_id])?;
    Ok(())
}

fn row(r: &crate::db::Row<'_>) -> crate::db::Result<(i64, String, String, Option<i64>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn collect(rows: Vec<(i64, String, String, Option<i64>)>) -> Result<Vec<RecordLink>> {
    rows.into_iter()
        .map(|(record_id, kind, target_key, target_record_id)| {
            let kind = LinkKind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
                what: "record_links.kind",
                detail: format!("unknown kind {kind:?}"),
            })?;
            Ok(RecordLink {
                record_id,
                kind,
                target_key,
                target_record_id,
            })
        })
        .collect()
}

/// Every relation of a beat, in insertion order.
pub fn for_beat(conn: &Connection, beat_id: i64) -> Result<Vec<RecordLink>> {
    let mut stmt = conn.prepare_cached(
        "SELECT record_id, kind, target_key, target_record_id FROM record_links WHERE beat_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([beat_id], row)?
        .collect::<crate::db::Result<Vec<_>>>()?;
    collect(rows)
}

/// Relations from a record and relations to it.
pub fn for_record(conn: &Connection, record_id: i64) -> Result<Vec<RecordLink>> {
    let mut stmt = conn.prepare_cached(
        "SELECT record_id, kind, target_key, target_record_id FROM record_links
         WHERE record_id = ?1 OR target_record_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([record_id], row)?
        .collect::<crate::db::Result<Vec<_>>>()?;
    collect(rows)
}

/// Relations from or to any record of a story, in insertion order, in one
/// query; `for_record` of each is the subset naming it.
pub fn for_story(conn: &Connection, story_id: i64) -> Result<Vec<RecordLink>> {
    let mut stmt = conn.prepare_cached(
        "SELECT record_id, kind, target_key, target_record_id FROM record_links
         WHERE record_id IN (SELECT record_id FROM story_records WHERE story_id = ?1)
            OR target_record_id IN (SELECT record_id FROM story_records WHERE story_id = ?1)
         ORDER BY id",
    )?;
    let rows = stmt
        .query_map([story_id], row)?
        .collect::<crate::db::Result<Vec<_>>>()?;
    collect(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn relations_resolve_to_records_by_post_key_or_url_and_are_not_duplicated() {
        let store = Store::open_in_memory().unwrap();
        let now = Utc::now();
        store
            .write(|c| -> Result<()> {
                c.execute_batch(
                    "INSERT INTO beats (name, created_at) VALUES ('b', '2026-01-01T00:00:00Z');
                     INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at)
                       VALUES (1, 'bluesky', 'at://a/1', 'https://bsky.app/a/1', 'https://bsky.app/a/1', '', 'root', 'a', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                              (1, 'bluesky', 'at://b/2', 'https://bsky.app/b/2', 'https://bsky.app/b/2', '', 'reply', 'b', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                              (1, 'web', 'https://news.example/x', 'https://news.example/x', 'https://news.example/x', 'X', 'article', '', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');",
                )?;
                assert!(insert(c, 1, 2, LinkKind::ReplyTo, "bluesky:at://a/1", None, now)?);
                assert!(!insert(c, 1, 2, LinkKind::ReplyTo, "bluesky:at://a/1", None, now)?);
                insert(c, 1, 2, LinkKind::LinksTo, "https://news.example/x", None, now)?;
                insert(c, 1, 2, LinkKind::Quotes, "bluesky:at://gone/9", None, now)?;
                Ok(())
            })
            .unwrap();
        let resolved = store.write(|c| resolve(c, 1)).unwrap();
        assert_eq!(resolved, 2);
        let links = store.read(|c| for_beat(c, 1)).unwrap();
        assert_eq!(links.len(), 3);
        assert_eq!(links[0].target_record_id, Some(1));
        assert_eq!(links[1].target_record_id, Some(3));
        assert_eq!(
            links[2].target_record_id, None,
            "an unknown post stays unresolved"
        );
        let to_root = store.read(|c| for_record(c, 1)).unwrap();
        assert_eq!(to_root.len(), 1);
        assert_eq!(to_root[0].kind, LinkKind::ReplyTo);
    }
}
