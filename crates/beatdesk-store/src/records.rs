use beatdesk_types::{Metrics, Platform, Record, RecordStatus};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

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

const COLUMNS: &str = "id, beat_id, platform, external_id, url, canonical_url, title, text, author, community,
    published_at, fetched_at, metrics, status, reason, duplicate_of, note, added_by";

struct RawRecord {
    record: Record,
    platform: String,
    published: String,
    fetched: String,
    metrics: String,
    status: String,
}

fn from_row(r: &Row) -> rusqlite::Result<RawRecord> {
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
    rec.platform = Platform::parse(&raw.platform)
        .ok_or_else(|| StoreError::Corrupt { what: "record platform", detail: raw.platform.clone() })?;
    rec.status = RecordStatus::parse(&raw.status)
        .ok_or_else(|| StoreError::Corrupt { what: "record status", detail: raw.status.clone() })?;
    rec.published_at = from_sql_time(&raw.published)?;
    rec.fetched_at = from_sql_time(&raw.fetched)?;
    rec.metrics = serde_json::from_str(&raw.metrics)
        .map_err(|e| StoreError::Corrupt { what: "record metrics", detail: e.to_string() })?;
    Ok(rec)
}

fn query(conn: &Connection, sql_tail: &str, params: impl rusqlite::Params) -> Result<Vec<Record>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM records {sql_tail}"))?;
    let raws = stmt.query_map(params, from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    raws.into_iter().map(finish).collect()
}

/// Inserts a record, or refreshes the metrics of the one with the same
/// platform and external id. Re-seen items never double count.
pub fn upsert(conn: &Connection, beat_id: i64, rec: &NewRecord, now: DateTime<Utc>) -> Result<Upsert> {
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM records WHERE beat_id = ?1 AND platform = ?2 AND external_id = ?3",
            params![beat_id, rec.platform.as_str(), rec.external_id],
            |r| r.get(0),
        )
        .optional()?;
    let metrics = serde_json::to_string(&rec.metrics).expect("metrics serialize");
    if let Some(id) = existing {
        conn.execute(
            "UPDATE records SET metrics = ?2, fetched_at = ?3 WHERE id = ?1",
            params![id, metrics, to_sql_time(now)],
        )?;
        return Ok(Upsert::Updated(id));
    }
    conn.prepare_cached(
        "INSERT INTO records (beat_id, source_id, platform, external_id, url, canonical_url, title, text, author,
            community, published_at, fetched_at, metrics, status, reason, duplicate_of, note, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
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
        to_sql_time(now),
        metrics,
        rec.status.as_str(),
        rec.reason,
        rec.duplicate_of,
        rec.note,
        rec.added_by,
    ])?;
    Ok(Upsert::Inserted(conn.last_insert_rowid()))
}

pub fn get(conn: &Connection, id: i64) -> Result<Record> {
    query(conn, "WHERE id = ?1", [id])?.pop().ok_or_else(|| StoreError::not_found("record", id))
}

/// All records of a beat in publication order.
pub fn list_for_beat(conn: &Connection, beat_id: i64) -> Result<Vec<Record>> {
    query(conn, "WHERE beat_id = ?1 ORDER BY published_at, id", [beat_id])
}

/// The kept record holding this canonical URL, if any.
pub fn find_kept_by_canonical(conn: &Connection, beat_id: i64, canonical_url: &str) -> Result<Option<Record>> {
    Ok(query(
        conn,
        "WHERE beat_id = ?1 AND canonical_url = ?2 AND status = 'kept' ORDER BY id LIMIT 1",
        params![beat_id, canonical_url],
    )?
    .pop())
}

pub fn set_status(conn: &Connection, id: i64, status: RecordStatus, reason: Option<&str>, duplicate_of: Option<i64>) -> Result<()> {
    let n = conn.execute(
        "UPDATE records SET status = ?2, reason = ?3, duplicate_of = ?4 WHERE id = ?1",
        params![id, status.as_str(), reason, duplicate_of],
    )?;
    if n == 0 {
        return Err(StoreError::not_found("record", id));
    }
    Ok(())
}
