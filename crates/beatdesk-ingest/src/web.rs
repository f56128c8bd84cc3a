//! Web citations: articles that kept records link to, fetched, extracted and
//! stored once each as a `web` record. Which records cite a web record is kept
//! in its `note` as JSON, `{"cited_by":[12,40]}`, so the core can count
//! citations per story for the methodology line (`citation_count_for_story`).

use std::collections::{BTreeMap, HashMap, HashSet};

use beatdesk_store::{records, Store};
use beatdesk_types::Platform;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde_json::json;

use crate::error::{IngestError, Result};
use crate::extract::{extract, Extracted};
use crate::http::{Expect, Http, Request};
use crate::normalize::{canonical_url, host_of};
use crate::pipeline::{Dedup, Outcome, Policy};
use crate::sources::Item;

/// The record ids a web record's note says cite it.
pub fn cited_by(note: Option<&str>) -> Vec<i64> {
    note.and_then(|n| serde_json::from_str::<serde_json::Value>(n).ok())
        .and_then(|v| v.get("cited_by").cloned())
        .and_then(|v| serde_json::from_value::<Vec<i64>>(v).ok())
        .unwrap_or_default()
}

fn note_with(ids: &[i64]) -> String {
    json!({ "cited_by": ids }).to_string()
}

/// Adds citing record ids to a web record's note (idempotent).
pub fn add_citations(conn: &Connection, web_id: i64, citing: &[i64]) -> beatdesk_store::Result<()> {
    let note = records::note(conn, web_id)?;
    let mut ids = cited_by(note.as_deref());
    for c in citing {
        if !ids.contains(c) {
            ids.push(*c);
        }
    }
    ids.sort_unstable();
    records::set_note(conn, web_id, Some(&note_with(&ids)))
}

/// For a beat: web record id → ids of the records citing it.
pub fn citations_for_beat(
    conn: &Connection,
    beat_id: i64,
) -> beatdesk_store::Result<BTreeMap<i64, Vec<i64>>> {
    let mut stmt = conn.prepare("SELECT id, note FROM records WHERE beat_id = ?1 AND platform = 'web' AND status != 'rejected'")?;
    let rows = stmt.query_map([beat_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (id, note) = row?;
        out.insert(id, cited_by(note.as_deref()));
    }
    Ok(out)
}

/// How many distinct web records are cited by (or directly part of) a story's included records.
pub fn citation_count_for_story(conn: &Connection, story_id: i64) -> beatdesk_store::Result<usize> {
    let beat_id: i64 = conn.query_row(
        "SELECT beat_id FROM stories WHERE id = ?1",
        [story_id],
        |r| r.get(0),
    )?;
    let mut stmt =
        conn.prepare("SELECT record_id FROM story_records WHERE story_id = ?1 AND included = 1")?;
    let members: HashSet<i64> = stmt
        .query_map([story_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let cites = citations_for_beat(conn, beat_id)?;
    Ok(cites
        .iter()
        .filter(|(web, by)| members.contains(web) || by.iter().any(|c| members.contains(c)))
        .count())
}

/// Fetches a page and extracts it into a `web` (or `manual`) item.
pub async fn fetch_article(
    http: &Http,
    url: &str,
    platform: Platform,
    now: DateTime<Utc>,
) -> Result<(Item, Extracted)> {
    let resp = http.send(&Request::get(url, Expect::Html)).await?;
    if !(200..300).contains(&resp.status) {
        return Err(resp.error());
    }
    let ctype = resp
        .header("content-type")
        .unwrap_or("text/html")
        .to_ascii_lowercase();
    if !ctype.contains("html") {
        return Err(IngestError::parse(
            format!("page {url}"),
            format!("not an HTML page ({ctype})"),
        ));
    }
    let html = resp.text();
    let ex = extract(&html, &resp.url)?;
    let canonical = canonical_url(ex.canonical.as_deref().unwrap_or(&resp.url));
    let mut item = Item::new(platform, canonical.clone(), ex.published.unwrap_or(now));
    item.url = resp.url.clone();
    item.canonical_url = canonical;
    item.title = ex.title.clone();
    item.text = ex.text.clone();
    item.author = ex.byline.clone().unwrap_or_default();
    item.community = ex.site_name.clone().or_else(|| host_of(&resp.url));
    Ok((item, ex))
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CitationReport {
    /// Pages fetched.
    pub fetched: usize,
    /// New web records stored.
    pub new: usize,
    /// Citations recorded on web records (new or existing).
    pub linked: usize,
    pub errors: Vec<String>,
}

/// Stores web citations for `(citing record id, article link)` pairs: each
/// distinct article is fetched once; a page already held just gains citers.
pub async fn cite(
    store: &Store,
    dedup: &mut Dedup,
    http: &Http,
    citing: &[(i64, String)],
    policy: &Policy,
) -> CitationReport {
    let mut report = CitationReport::default();
    let mut by_link: HashMap<String, Vec<i64>> = HashMap::new();
    let mut order = Vec::new();
    for (id, link) in citing {
        let key = canonical_url(link);
        let entry = by_link.entry(key.clone()).or_default();
        if entry.is_empty() {
            order.push((key, link.clone()));
        }
        if !entry.contains(id) {
            entry.push(*id);
        }
    }
    for (key, link) in order {
        let ids = by_link.remove(&key).unwrap_or_default();
        if let Some(web_id) = dedup.id_of(Platform::Web, &key) {
            match store.write(|tx| add_citations(tx, web_id, &ids)) {
                Ok(()) => report.linked += ids.len(),
                Err(e) => report.errors.push(format!("{link}: {e}")),
            }
            continue;
        }
        let (item, _) = match fetch_article(http, &link, Platform::Web, policy.now).await {
            Ok(x) => x,
            Err(e) => {
                report.errors.push(format!("web citation {link}: {e}"));
                continue;
            }
        };
        report.fetched += 1;
        let result = store.write(|tx| -> Result<bool> {
            // The page's rel=canonical may name a page already held.
            if let Some(web_id) = dedup.id_of(Platform::Web, &item.external_id) {
                add_citations(tx, web_id, &ids)?;
                return Ok(false);
            }
            match dedup.apply(tx, &item, None, Some(note_with(&ids)), None, policy)? {
                Outcome::New { .. } => Ok(true),
                Outcome::Updated { id } => {
                    add_citations(tx, id, &ids)?;
                    Ok(false)
                }
                Outcome::Repeated => Ok(false),
            }
        });
        match result {
            Ok(new) => {
                report.linked += ids.len();
                report.new += new as usize;
            }
            Err(e) => report.errors.push(format!("web citation {link}: {e}")),
        }
    }
    report
}
