//! Records from JSON Lines: one object per line with `platform`, `external_id`,
//! `url`, `published_at` (RFC 3339) and optional `title`, `text`, `author`,
//! `metrics`, `community`, `links`, `reply_to`, `quote_of`. A bad line is
//! reported with its line number and field and skipped; the good lines are
//! stored in one transaction, with their relations in `record_links`.

use beatdesk_store::records::{self, NewRecord, Upsert};
use beatdesk_store::OptionalExtension;
use beatdesk_store::{links, Transaction};
use beatdesk_types::{post_key, LinkKind, Metrics, Platform, RecordStatus};
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
    /// Relations stored (`links`, `reply_to`, `quote_of`).
    pub links: usize,
    /// One line each: where, which field, what was wrong.
    pub errors: Vec<String>,
}

/// A parsed line: the record and the relations it states.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLine {
    pub record: NewRecord,
    /// `(kind, target_key)`: canonical URLs for `links`, post keys for replies and quotes.
    pub relations: Vec<(LinkKind, String)>,
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

/// An optional string field: absent, null and blank all mean "none".
fn optional_str(obj: &Map<String, Value>, name: &str, src: &str) -> Result<Option<String>> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(CoreError::bad_input(
            src,
            name,
            format!("must be a string, found {}", kind(other)),
        )),
    }
}

fn is_http(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The relations a line states, checked: `links` is an array of http(s)
/// URLs, `reply_to` and `quote_of` are ids of posts on the same platform.
fn relations(
    obj: &Map<String, Value>,
    platform: Platform,
    src: &str,
) -> Result<Vec<(LinkKind, String)>> {
    let mut out = Vec::new();
    match obj.get("links") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let name = format!("links[{i}]");
                match item {
                    Value::String(u) if is_http(u.trim()) => {
                        let key = canonical_url(u.trim());
                        if !out.contains(&(LinkKind::LinksTo, key.clone())) {
                            out.push((LinkKind::LinksTo, key));
                        }
                    }
                    Value::String(u) => {
                        return Err(CoreError::bad_input(
                            src,
                            name,
                            format!("{u:?} is not an http(s) URL"),
                        ))
                    }
                    other => {
                        return Err(CoreError::bad_input(
                            src,
                            name,
                            format!("must be a string, found {}", kind(other)),
                        ))
                    }
                }
            }
        }
        Some(other) => {
            return Err(CoreError::bad_input(
                src,
                "links",
                format!("must be an array of URLs, found {}", kind(other)),
            ))
        }
    }
    for (name, link_kind) in [
        ("reply_to", LinkKind::ReplyTo),
        ("quote_of", LinkKind::Quotes),
    ] {
        if let Some(id) = optional_str(obj, name, src)? {
            out.push((link_kind, post_key(platform, id.trim())));
        }
    }
    Ok(out)
}

/// A title for a record that has none: its text's first line, shortened.
fn title_from_text(text: &str) -> String {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first.chars().count() <= 120 {
        return first.to_string();
    }
    let mut s: String = first.chars().take(119).collect();
    s.push('…');
    s
}

/// Parses one line into a record and its relations.
pub fn parse_import_line(line: &str, src: &str) -> Result<ImportLine> {
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
    if !is_http(url) {
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
    let external_id = field(&obj, "external_id", src)?.to_string();
    // Posts and comments have no title: show the start of the text instead.
    let title = match optional_str(&obj, "title", src)? {
        Some(t) => t.trim().to_string(),
        None if text.trim().is_empty() => {
            return Err(CoreError::bad_input(
                src,
                "title",
                "is empty and so is `text`: the record has nothing to show",
            ))
        }
        None => title_from_text(&text),
    };
    let author = optional_str(&obj, "author", src)?.unwrap_or_default();
    let relations = relations(&obj, platform, src)?;
    let record = NewRecord {
        source_id: None,
        platform,
        external_id,
        url: url.to_string(),
        canonical_url: canonical_url(url),
        title,
        text,
        author: author.trim().to_string(),
        community: optional_str(&obj, "community", src)?,
        published_at,
        metrics,
        status: RecordStatus::Kept,
        reason: None,
        duplicate_of: None,
        note: optional_str(&obj, "note", src)?,
        added_by: optional_str(&obj, "added_by", src)?,
    };
    Ok(ImportLine { record, relations })
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
        match parse_import_line(line, &src) {
            Ok(ImportLine { record, relations }) => {
                let id = store_record(tx, beat_id, record, now, &mut report)?;
                for (kind, key) in relations {
                    report.links += links::insert(tx, beat_id, id, kind, &key, None, now)? as usize;
                }
            }
            Err(e) => report.errors.push(e.to_string()),
        }
    }
    if report.links > 0 {
        resolve_links(tx, beat_id)?;
    }
    Ok(report)
}

/// Points the beat's unresolved relations at the records they name, through
/// the indexes (a post key by platform and id, a URL by canonical URL): what
/// `links::resolve` does, at import sizes (100k records) without a scan per link.
fn resolve_links(tx: &Transaction, beat_id: i64) -> beatdesk_store::Result<usize> {
    let open: Vec<(i64, String)> = tx
        .prepare(
            "SELECT id, target_key FROM record_links WHERE beat_id = ?1 AND target_record_id IS NULL",
        )?
        .query_map([beat_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<beatdesk_store::db::Result<_>>()?;
    let mut by_post = tx.prepare_cached(
        "SELECT id FROM records WHERE beat_id = ?1 AND platform = ?2 AND external_id = ?3",
    )?;
    let mut by_url = tx.prepare_cached(
        "SELECT id FROM records WHERE beat_id = ?1 AND canonical_url = ?2
         ORDER BY (status = 'kept') DESC, id LIMIT 1",
    )?;
    let mut set =
        tx.prepare_cached("UPDATE record_links SET target_record_id = ?2 WHERE id = ?1")?;
    let mut resolved = 0;
    for (link_id, key) in open {
        let post = key
            .split_once(':')
            .filter(|(p, _)| Platform::parse(p).is_some());
        let found: Option<i64> = match post {
            Some((platform, id)) => by_post
                .query_row(beatdesk_store::params![beat_id, platform, id], |r| r.get(0))
                .optional()?,
            None => by_url
                .query_row(beatdesk_store::params![beat_id, key], |r| r.get(0))
                .optional()?,
        };
        if let Some(target) = found {
            set.execute(beatdesk_store::params![link_id, target])?;
            resolved += 1;
        }
    }
    Ok(resolved)
}
