//! Web citations: articles that kept records link to, fetched, extracted and
//! stored once each as a `web` record. Which records cite a web record is a
//! relation (`record_links`, kind `cited_by`: the web record → the citing
//! post), so the core can count citations per story for the methodology line
//! (`citation_count_for_story`) and `note` stays what a reporter wrote.

use std::collections::{BTreeMap, HashSet};

use beatdesk_store::links;
use beatdesk_store::{Connection, OptionalExtension};
use beatdesk_types::{post_key, LinkKind, Platform};
use chrono::{DateTime, Utc};

use crate::error::{IngestError, Result};
use crate::extract::{extract, Extracted};
use crate::http::{Expect, Http, Request};
use crate::normalize::{canonical_url, host_of};
use crate::sources::Item;

/// The ids of the records that cite a web record, ascending.
pub fn cited_by(conn: &Connection, web_id: i64) -> beatdesk_store::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT target_record_id FROM record_links
         WHERE record_id = ?1 AND kind = 'cited_by' AND target_record_id IS NOT NULL
         ORDER BY target_record_id",
    )?;
    let ids = stmt
        .query_map([web_id], |r| r.get(0))?
        .collect::<beatdesk_store::db::Result<Vec<i64>>>()?;
    Ok(ids)
}

/// Records that `citing` cite the web record `web_id` (idempotent).
pub fn add_citations(
    conn: &Connection,
    web_id: i64,
    citing: &[i64],
    now: DateTime<Utc>,
) -> beatdesk_store::Result<()> {
    let Some(beat_id) = conn
        .query_row("SELECT beat_id FROM records WHERE id = ?1", [web_id], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
    else {
        return Ok(());
    };
    let mut stmt =
        conn.prepare_cached("SELECT platform, external_id FROM records WHERE id = ?1")?;
    for &c in citing {
        let found = stmt
            .query_row([c], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        let Some((platform, external_id)) = found else {
            continue;
        };
        let key = match Platform::parse(&platform) {
            Some(p) => post_key(p, &external_id),
            None => format!("{platform}:{external_id}"),
        };
        links::insert(conn, beat_id, web_id, LinkKind::CitedBy, &key, Some(c), now)?;
    }
    Ok(())
}

/// For a beat: web record id → ids of the records citing it.
pub fn citations_for_beat(
    conn: &Connection,
    beat_id: i64,
) -> beatdesk_store::Result<BTreeMap<i64, Vec<i64>>> {
    let mut out: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT id FROM records WHERE beat_id = ?1 AND platform = 'web' AND status != 'rejected'",
    )?;
    for id in stmt.query_map([beat_id], |r| r.get::<_, i64>(0))? {
        out.insert(id?, Vec::new());
    }
    let mut stmt = conn.prepare(
        "SELECT record_id, target_record_id FROM record_links
         WHERE beat_id = ?1 AND kind = 'cited_by' AND target_record_id IS NOT NULL
         ORDER BY record_id, target_record_id",
    )?;
    let rows = stmt.query_map([beat_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (web, by) = row?;
        if let Some(v) = out.get_mut(&web) {
            v.push(by);
        }
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
        .collect::<beatdesk_store::db::Result<_>>()?;
    let cites = citations_for_beat(conn, beat_id)?;
    Ok(cites
        .iter()
        .filter(|(web, by)| members.contains(web) || by.iter().any(|c| members.contains(c)))
        .count())
}

/// A page's text in its declared encoding: the Content-Type charset, else a
/// `<meta charset>` in the first 2 KB, else UTF-8 (invalid bytes replaced).
pub fn decode_html(body: &[u8], content_type: &str) -> String {
    fn charset_in(s: &str) -> Option<String> {
        let i = s.find("charset=")?;
        let rest = s[i + 8..].trim_start_matches(['"', '\'', ' ']);
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        Some(rest[..end].to_string()).filter(|c| !c.is_empty())
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(2048)]).to_ascii_lowercase();
    let label = charset_in(&content_type.to_ascii_lowercase()).or_else(|| charset_in(&head));
    let encoding = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    encoding.decode(body).0.into_owned()
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
    let html = decode_html(&resp.body, &ctype);
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

#[cfg(test)]
mod tests {
    use super::decode_html;

    #[test]
    fn pages_are_decoded_in_their_declared_charset() {
        let latin1 = b"<html><head><meta charset=\"windows-1252\"></head><body><p>caf\xe9 \x93quoted\x94</p></body></html>";
        assert!(decode_html(latin1, "text/html").contains("café “quoted”"));
        assert!(decode_html(b"<p>caf\xe9</p>", "text/html; charset=ISO-8859-1").contains("café"));
        assert!(decode_html("<p>café</p>".as_bytes(), "text/html").contains("café"));
        assert!(
            decode_html(b"<p>caf\xe9</p>", "text/html; charset=no-such-thing")
                .contains("caf\u{fffd}")
        );
    }
}
