use crate::db::{params, Connection, OptionalExtension, Row};
use beatdesk_types::{Metrics, Platform, Record, RecordStatus};
use chrono::{DateTime, Utc};

use crate::{from_sql_time, to_sql_time, Result, StoreError};

/// A record about to be stored; the store assigns `id` and `beat_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    pub source_id: Option<i64>,
    pub platform: Platform,
    pub external_id: String,
    pub url: String,
    pub canonical_url: String,
    pub title: String,
    pub text: String,
    pub author: String,
    pub community: Option<String>,
    pub published_at: DateTime<Utc>,
    pub metrics: Metrics,
    pub status: RecordStatus,
    pub reason: Option<String>,
    pub duplicate_of: Option<i64>,
    pub note: Option<String>,
    pub added_by: Option<String>,
}

/// What `upsert` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted(i64),
    /// Same platform and external id seen before: metrics refreshed, nothing else.
    Updated(i64),
}

impl Upsert {
    pub fn id(self) -> i64 {
        match self {
            Upsert::Inserted(id) | Upsert::Updated(id) => id,
        }
    }
}

const COLUMNS: &str =
    "id, beat_id, platform, external_id, url, canonical_url, title, text, author, community,
    published_at, fetched_at, metrics, status, reason, duplicate_of, note, added_by";

struct RawRecord {
    record: Record,
    platform: String,
    published: String,
    fetched: String,
    metrics: String,
    status: String,
}

fn from_row(r: &Row) -> crate::db::Result<RawRecord> {
    Ok(RawRecord {
        record: Record {
            id: r.get(0)?,
            beat_id: r.get(1)?,
            platform: Platform::Manual,
            external_id: r.get(3)?,
            url: r.get(4)?,
            canonical_url: r.get(5)?,
            title: r.get(6)?,
            text: r.get(7)?,
            author: r.get(8)?,
            community: r.get(9)?,
            published_at: DateTime::<Utc>::MIN_UTC,
            fetched_at: DateTime::<Utc>::MIN_UTC,
            metrics: Metrics::default(),
            status: RecordStatus::Kept,
            reason: r.get(14)?,
            duplicate_of: r.get(15)?,
            note: r.get(16)?,
            added_by: r.get(17)?,
        },
        platform: r.get(2)?,
        published: r.get(10)?,
        fetched: r.get(11)?,
        metrics: r.get(12)?,
        status: r.get(13)?,
    })
}

fn finish(raw: RawRecord) -> Result<Record> {
    let mut rec = raw.record;
    rec.platform = Platform::parse(&raw.platform).ok_or_else(|| StoreError::Corrupt {
        what: "record platform",
        detail: raw.platform.clone(),
    })?;
    rec.status = RecordStatus::parse(&raw.status).ok_or_else(|| StoreError::Corrupt {
        what: "record status",
        detail: raw.status.clone(),
    })?;
    rec.published_at = from_sql_time(&raw.published)?;
    rec.fetched_at = from_sql_time(&raw.fetched)?;
    rec.metrics = serde_json::from_str(&raw.metrics).map_err(|e| StoreError::Corrupt {
        what: "record metrics",
        detail: e.to_string(),
    })?;
    Ok(rec)
}

fn query(conn: &Connection, sql_tail: &str, params: impl crate::db::Params) -> Result<Vec<Record>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM records {sql_tail}"))?;
    let raws = stmt
        .query_map(params, from_row)?
        .collect::<crate::db::Result<Vec<_>>>()?;
    raws.into_iter().map(finish).collect()
}

/// A record about to be stored, borrowing its fields (the ingest hot path
/// stores straight from parsed items without cloning them into a `NewRecord`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordRef<'a> {
    pub source_id: Option<i64>,
    pub platform: Platform,
    pub external_id: &'a str,
    pub url: &'a str,
    pub canonical_url: &'a str,
    pub title: &'a str,
    pub text: &'a str,
    pub author: &'a str,
    pub community: Option<&'a str>,
    pub published_at: DateTime<Utc>,
    pub metrics: &'a Metrics,
    pub status: RecordStatus,
    pub reason: Option<&'a str>,
    pub duplicate_of: Option<i64>,
    pub note: Option<&'a str>,
    pub added_by: Option<&'a str>,
}

impl NewRecord {
    pub fn as_ref(&self) -> RecordRef<'_> {
        RecordRef {
            source_id: self.source_id,
            platform: self.platform,
            external_id: &self.external_id,
            url: &self.url,
            canonical_url: &self.canonical_url,
            title: &self.title,
            text: &self.text,
            author: &self.author,
            community: self.community.as_deref(),
            published_at: self.published_at,
            metrics: &self.metrics,
            status: self.status,
            reason: self.reason.as_deref(),
            duplicate_of: self.duplicate_of,
            note: self.note.as_deref(),
            added_by: self.added_by.as_deref(),
        }
    }
}

/// Inserts a record, or refreshes the metrics of the one with the same
/// platform and external id. Re-seen items never double count.
pub fn upsert(
    conn: &Connection,
    beat_id: i64,
    rec: &NewRecord,
    now: DateTime<Utc>,
) -> Result<Upsert> {
    upsert_ref(conn, beat_id, &rec.as_ref(), now)
}

/// `upsert` over borrowed fields. One cached statement per row: the insert
/// itself detects the held (beat, platform, external id) through the unique
/// index, and only then is the held row's metrics refreshed.
pub fn upsert_ref(
    conn: &Connection,
    beat_id: i64,
    rec: &RecordRef,
    now: DateTime<Utc>,
) -> Result<Upsert> {
    let metrics = serde_json::to_string(rec.metrics).expect("metrics serialize");
    let fetched = to_sql_time(now);
    let inserted: Option<i64> = conn.insert_id(
            "INSERT INTO records (beat_id, source_id, platform, external_id, url, canonical_url, title, text, author,
                community, published_at, fetched_at, metrics, status, reason, duplicate_of, note, added_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
             ON CONFLICT (beat_id, platform, external_id) DO NOTHING",
        params![
            beat_id,
            rec.source_id,
            rec.platform.as_str(),
            rec.external_id,
            rec.url,
            rec.canonical_url,
            rec.title,
            rec.text,
            rec.author,
            rec.community,
            to_sql_time(rec.published_at),
            fetched,
            metrics,
            rec.status.as_str(),
            rec.reason,
            rec.duplicate_of,
            rec.note,
            rec.added_by,
        ])?;
    if let Some(id) = inserted {
        return Ok(Upsert::Inserted(id));
    }
    let id: i64 = conn
        .prepare_cached(
            "UPDATE records SET metrics = ?4, fetched_at = ?5
             WHERE beat_id = ?1 AND platform = ?2 AND external_id = ?3 RETURNING id",
        )?
        .query_row(
            params![
                beat_id,
                rec.platform.as_str(),
                rec.external_id,
                metrics,
                fetched
            ],
            |r| r.get(0),
        )?;
    Ok(Upsert::Updated(id))
}

/// A record's note (web citations keep their citing ids here).
pub fn note(conn: &Connection, id: i64) -> Result<Option<String>> {
    conn.prepare_cached("SELECT note FROM records WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::not_found("record", id))
}

pub fn set_note(conn: &Connection, id: i64, note: Option<&str>) -> Result<()> {
    let n = conn
        .prepare_cached("UPDATE records SET note = ?2 WHERE id = ?1")?
        .execute(params![id, note])?;
    if n == 0 {
        return Err(StoreError::not_found("record", id));
    }
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> Result<Record> {
    query(conn, "WHERE id = ?1", [id])?
        .pop()
        .ok_or_else(|| StoreError::not_found("record", id))
}

/// All records of a beat in publication order.
/// The records linked to a story, in one query (a story view must not
/// cost a round trip per source on a shared server).
pub fn for_story(conn: &Connection, story_id: i64) -> Result<Vec<Record>> {
    query(
        conn,
        "WHERE id IN (SELECT record_id FROM story_records WHERE story_id = ?1)",
        [story_id],
    )
}

pub fn list_for_beat(conn: &Connection, beat_id: i64) -> Result<Vec<Record>> {
    query(
        conn,
        "WHERE beat_id = ?1 ORDER BY published_at, id",
        [beat_id],
    )
}

/// Records of a beat stored after `after_id` (ids only grow): what an
/// incremental analysis has not seen yet.
pub fn list_for_beat_after(conn: &Connection, beat_id: i64, after_id: i64) -> Result<Vec<Record>> {
    query(
        conn,
        "WHERE beat_id = ?1 AND id > ?2 ORDER BY published_at, id",
        params![beat_id, after_id],
    )
}

/// The first and last publication times of a beat's records stored after
/// `after_id` (any status), `None` with none.
pub fn published_span_after(
    conn: &Connection,
    beat_id: i64,
    after_id: i64,
) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    let (a, b): (Option<String>, Option<String>) = conn
        .prepare_cached(
            "SELECT MIN(published_at), MAX(published_at) FROM records WHERE beat_id = ?1 AND id > ?2",
        )?
        .query_row(params![beat_id, after_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(match (a, b) {
        (Some(a), Some(b)) => Some((from_sql_time(&a)?, from_sql_time(&b)?)),
        _ => None,
    })
}

/// Kept records of a beat with ids up to `last_id`: changes when a record
/// an analysis saw is collapsed, rejected or restored.
pub fn count_kept_upto(conn: &Connection, beat_id: i64, last_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM records WHERE beat_id = ?1 AND id <= ?2 AND status = 'kept'",
        )?
        .query_row(params![beat_id, last_id], |r| r.get(0))?)
}

/// The kept record holding this canonical URL, if any.
pub fn find_kept_by_canonical(
    conn: &Connection,
    beat_id: i64,
    canonical_url: &str,
) -> Result<Option<Record>> {
    Ok(query(
        conn,
        "WHERE beat_id = ?1 AND canonical_url = ?2 AND status = 'kept' ORDER BY id LIMIT 1",
        params![beat_id, canonical_url],
    )?
    .pop())
}

pub fn set_status(
    conn: &Connection,
    id: i64,
    status: RecordStatus,
    reason: Option<&str>,
    duplicate_of: Option<i64>,
) -> Result<()> {
    let n = conn.execute(
        "UPDATE records SET status = ?2, reason = ?3, duplicate_of = ?4 WHERE id = ?1",
        params![id, status.as_str(), reason, duplicate_of],
    )?;
    if n == 0 {
        return Err(StoreError::not_found("record", id));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn upsert_inserts_once_then_refreshes_metrics_and_notes_round_trip() {
        let store = Store::open_in_memory().unwrap();
        let now: DateTime<Utc> = "2026-11-12T12:00:00Z".parse().unwrap();
        let later = now + chrono::Duration::hours(1);
        store
            .write(|tx| -> Result<()> {
                let beat = crate::beats::insert(tx, "b", "", now)?;
                let mut rec = NewRecord {
                    source_id: None,
                    platform: Platform::Reddit,
                    external_id: "t3_x".into(),
                    url: "https://www.reddit.com/r/a/comments/x/".into(),
                    canonical_url: "https://reddit.com/r/a/comments/x".into(),
                    title: "T".into(),
                    text: "body".into(),
                    author: "a".into(),
                    community: Some("r/a".into()),
                    published_at: now,
                    metrics: Metrics {
                        score: Some(1),
                        ..Metrics::default()
                    },
                    status: RecordStatus::Kept,
                    reason: None,
                    duplicate_of: None,
                    note: None,
                    added_by: None,
                };
                let Upsert::Inserted(id) = upsert(tx, beat, &rec, now)? else {
                    panic!("not inserted")
                };
                rec.metrics.score = Some(9);
                rec.title = "changed".into();
                assert_eq!(upsert(tx, beat, &rec, later)?, Upsert::Updated(id));
                let got = get(tx, id)?;
                assert_eq!(
                    (got.metrics.score, got.title.as_str(), got.fetched_at),
                    (Some(9), "T", later)
                );
                assert_eq!(list_for_beat(tx, beat)?.len(), 1);
                assert_eq!(note(tx, id)?, None);
                set_note(tx, id, Some("n"))?;
                assert_eq!(note(tx, id)?.as_deref(), Some("n"));
                assert!(matches!(
                    set_note(tx, id + 1, None),
                    Err(StoreError::NotFound { .. })
                ));
                Ok(())
            })
            .unwrap();
    }
}

/// What rebuilding an analysis needs of every record, without its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    pub id: i64,
    pub platform: Platform,
    pub published_at: DateTime<Utc>,
    pub status: RecordStatus,
    pub duplicate_of: Option<i64>,
}

/// The outline of a beat's records with ids up to `last_id`.
pub fn outline_for_beat(conn: &Connection, beat_id: i64, last_id: i64) -> Result<Vec<Outline>> {
    outlines(
        conn,
        "SELECT id, platform, published_at, status, duplicate_of FROM records WHERE beat_id = ?1 AND id <= ?2",
        beat_id,
        last_id,
    )
}

/// A beat's records up to `last_id`: how many there are, and the outlines
/// of those that are not plain kept records (duplicates, rejected, manual
/// sources) — few, so a new process need not read every record.
pub fn unusual_for_beat(
    conn: &Connection,
    beat_id: i64,
    last_id: i64,
) -> Result<(i64, Vec<Outline>)> {
    let total = conn
        .prepare_cached("SELECT COUNT(*) FROM records WHERE beat_id = ?1 AND id <= ?2")?
        .query_row(params![beat_id, last_id], |r| r.get(0))?;
    let odd = outlines(
        conn,
        "SELECT id, platform, published_at, status, duplicate_of FROM records
         WHERE beat_id = ?1 AND id <= ?2 AND (status <> 'kept' OR platform = 'manual')",
        beat_id,
        last_id,
    )?;
    Ok((total, odd))
}

fn outlines(conn: &Connection, sql: &str, beat_id: i64, last_id: i64) -> Result<Vec<Outline>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params![beat_id, last_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })?
        .collect::<crate::db::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, platform, published, status, duplicate_of)| {
            Ok(Outline {
                id,
                platform: Platform::parse(&platform).ok_or_else(|| StoreError::Corrupt {
                    what: "record platform",
                    detail: platform.clone(),
                })?,
                published_at: from_sql_time(&published)?,
                status: RecordStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
                    what: "record status",
                    detail: status.clone(),
                })?,
                duplicate_of,
            })
        })
        .collect()
}

/// Records by id (any order; ids not found are left out).
pub fn get_many(conn: &Connection, ids: &[i64]) -> Result<Vec<Record>> {
    crate::db::in_chunks(ids, |marks, chunk| {
        query(
            conn,
            &format!("WHERE id IN ({marks})"),
            crate::db::params_from_iter(chunk.iter().copied()),
        )
    })
}

/// The record of a beat a relation names by post (platform and id), if
/// held and not rejected.
pub fn find_by_post(
    conn: &Connection,
    beat_id: i64,
    platform: &str,
    external_id: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM records WHERE beat_id = ?1 AND platform = ?2 AND external_id = ?3 AND status <> 'rejected'",
        )?
        .query_row(params![beat_id, platform, external_id], |r| r.get(0))
        .optional()?)
}

/// The record of a beat a relation names by canonical URL, a kept one
/// over its copies, if any is held and not rejected.
pub fn find_by_canonical(
    conn: &Connection,
    beat_id: i64,
    canonical_url: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM records WHERE beat_id = ?1 AND canonical_url = ?2 AND status <> 'rejected'
             ORDER BY CASE WHEN status = 'kept' THEN 0 ELSE 1 END, id LIMIT 1",
        )?
        .query_row(params![beat_id, canonical_url], |r| r.get(0))
        .optional()?)
}
