//! Records from JSON Lines: one object per line with `platform`, `external_id`,
//! `url`, `title`, `text`, `author`, `published_at` (RFC 3339) and optional
//! `metrics`, `community`. A bad line is reported with its line number and
//! field and skipped; the good lines are stored in one transaction.

use beatdesk_store::records::{self, NewRecord, Upsert};
use beatdesk_store::Transaction;
use beatdesk_types::{Metrics, Platform, RecordStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::canonical::canonical_url;
use crate::{CoreError, Result};

/// What an import did, per outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub read: usize,
    pub new: usize,
    /// Seen before (same platform and id): metrics refreshed.
    pub updated: usize,
    /// Same canonical URL as a record already held.
    pub duplicates: usize,
    /// One line each: where, which field, what was wrong.
    pub errors: Vec<String>,
}

fn field<'a>(obj: &'a Map<String, Value>, name: &str, src: &str) -> Result<&'a str> {
    match obj.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(Value::String(_)) => Err(CoreError::bad_input(src, name, "is empty")),
        Some(other) => Err(CoreError::bad_input(
            src,
            name,
            format!("must be a string, found {}", kind(other)),
        )),
        None => Err(CoreError::bad_input(src, name, "is missing")),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses one line into a record ready to store.
pub fn parse_line(line: &str, src: &str) -> Result<NewRecord> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| CoreError::bad_input(src, "json", e.to_string()))?;
    let Value::Object(obj) = value else {
        return Err(CoreError::bad_input(
            src,
            "json",
            format!("expected an object, found {}", kind(&value)),
        ));
    };
    let platform_s = field(&obj, "platform", src)?;
    let platform = Platform::parse(platform_s).ok_or_else(|| {
        CoreError::bad_input(
            src,
            "platform",
            format!("{platform_s:?} is not one of reddit, bluesky, news, web, manual"),
        )
    })?;
    let url = field(&obj, "url", src)?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(CoreError::bad_input(
            src,
            "url",
            format!("{url:?} is not an http(s) URL"),
        ));
    }
    let published_s = field(&obj, "published_at", src)?;
    let published_at: DateTime<Utc> = DateTime::parse_from_rfc3339(published_s)
        .map_err(|e| {
            CoreError::bad_input(
                src,
                "published_at",
                format!("{published_s:?} is not RFC 3339 ({e})"),
            )
        })?
        .with_timezone(&Utc);
    let metrics: Metrics = match obj.get("metrics") {
        None | Some(Value::Null) => Metrics::default(),
        Some(m @ Value::Object(_)) => serde_json::from_value(m.clone()).map_err(|e| {
            CoreError::bad_input(
                src,
                "metrics",
                format!("counts must be whole numbers ({e})"),
            )
        })?,
        Some(other) => {
            return Err(CoreError::bad_input(
                src,
                "metrics",
                format!("must be an object, found {}", kind(other)),
            ))
        }
    };
    let text = match obj.get("text") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(other) => {
            return Err(CoreError::bad_input(
                src,
                "text",
                format!("must be a string, found {}", kind(other)),
            ))
        }
    };
    let optional = |name: &str| {
        obj.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|s| !s.is_empty())
    };
    Ok(NewRecord {
        source_id: None,
        platform,
        external_id: field(&obj, "external_id", src)?.to_string(),
        url: url.to_string(),
        canonical_url: canonical_url(url),
        title: field(&obj, "title", src)?.trim().to_string(),
        text,
        author: field(&obj, "author", src)?.to_string(),
        community: optional("community"),
        published_at,
        metrics,
        status: RecordStatus::Kept,
        reason: None,
        duplicate_of: None,
        note: optional("note"),
        added_by: optional("added_by"),
    })
}

/// Stores one record, collapsing it onto a kept record with the same canonical URL.
pub fn store_record(
    tx: &Transaction,
    beat_id: i64,
    mut rec: NewRecord,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<i64> {
    if rec.status == RecordStatus::Kept {
        if let Some(held) = records::find_kept_by_canonical(tx, beat_id, &rec.canonical_url)? {
            if !(held.platform == rec.platform && held.external_id == rec.external_id) {
                rec.status = RecordStatus::Duplicate;
                rec.reason = Some(format!(
                    "same canonical URL as record {} ({})",
                    held.id, held.canonical_url
                ));
                rec.duplicate_of = Some(held.id);
            }
        }
    }
    let dup = rec.status == RecordStatus::Duplicate;
    let outcome = records::upsert(tx, beat_id, &rec, now)?;
    match outcome {
        Upsert::Inserted(_) if dup => report.duplicates += 1,
        Upsert::Inserted(_) => report.new += 1,
        Upsert::Updated(_) => report.updated += 1,
    }
    Ok(outcome.id())
}

/// Imports JSON Lines text. `name` labels errors (usually the file name).
pub fn import_jsonl(
    tx: &Transaction,
    beat_id: i64,
    name: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        report.read += 1;
        let src = format!("{name} line {}", i + 1);
        match parse_line(line, &src) {
            Ok(rec) => {
                store_record(tx, beat_id, rec, now, &mut report)?;
            }
            Err(e) => report.errors.push(e.to_string()),
        }
    }
    Ok(report)
}
