//! The relations analysis clusters with: what the platforms stated at ingest
//! (`record_links`: replies, quotes, comments, crossposts, link cards),
//! resolved to records here, plus what any record's own fields say — a link
//! in its text to a record held, a Reddit comment's permalink naming its
//! post, a post that cited a fetched web page. Relations to a duplicate
//! point at the record it duplicates.

use std::collections::HashMap;

use beatdesk_store::{links, Transaction};
use beatdesk_types::{post_key, Platform, Record, RecordStatus};

use crate::Result;

/// Lookups from a relation's target key to a record of the beat.
struct Index {
    by_key: HashMap<String, i64>,
    by_url: HashMap<String, i64>,
    dup_of: HashMap<i64, i64>,
}

impl Index {
    fn new(records: &[Record]) -> Index {
        let mut by_key = HashMap::with_capacity(records.len());
        let mut by_url = HashMap::with_capacity(records.len());
        let mut dup_of = HashMap::new();
        // Kept records first, so a URL names the kept record over its copies.
        let mut order: Vec<&Record> = records
            .iter()
            .filter(|r| r.status != RecordStatus::Rejected)
            .collect();
        order.sort_by_key(|r| (r.status != RecordStatus::Kept, r.id));
        for r in order {
            by_key
                .entry(post_key(r.platform, &r.external_id))
                .or_insert(r.id);
            for u in [&r.canonical_url, &r.url] {
                for c in canonical_forms(u) {
                    by_url.entry(c).or_insert(r.id);
                }
            }
            if let (RecordStatus::Duplicate, Some(of)) = (r.status, r.duplicate_of) {
                dup_of.insert(r.id, of);
            }
        }
        Index {
            by_key,
            by_url,
            dup_of,
        }
    }

    fn lookup(&self, key: &str) -> Option<i64> {
        self.by_key.get(key).copied().or_else(|| {
            canonical_forms(key)
                .into_iter()
                .find_map(|c| self.by_url.get(&c).copied())
        })
    }

    /// The kept record a record stands for (itself, or what it duplicates).
    fn kept(&self, mut id: i64) -> i64 {
        for _ in 0..16 {
            match self.dup_of.get(&id) {
                Some(&of) => id = of,
                None => break,
            }
        }
        id
    }
}

/// Import and ingest canonicalise URLs slightly differently: try both.
fn canonical_forms(url: &str) -> Vec<String> {
    if url.is_empty() || !url.contains("://") {
        return Vec::new();
    }
    let a = crate::canonical::canonical_url(url);
    let b = beatdesk_ingest::normalize::canonical_url(url);
    if a == b {
        vec![a]
    } else {
        vec![a, b]
    }
}

/// The Reddit post a comment's permalink names (`/comments/<post>/…/<comment>`).
fn reddit_post_of_comment(r: &Record) -> Option<String> {
    if r.platform != Platform::Reddit || !r.external_id.starts_with("t1_") {
        return None;
    }
    let rest = r.url.split("/comments/").nth(1)?;
    let post = rest.split('/').next()?;
    (!post.is_empty()).then(|| post_key(Platform::Reddit, &format!("t3_{post}")))
}

/// Resolves the beat's stored relations and returns every relation between
/// two kept records as (from, to).
pub fn for_analysis(tx: &Transaction, beat_id: i64, records: &[Record]) -> Result<Vec<(i64, i64)>> {
    let index = Index::new(records);
    links::resolve_with(tx, beat_id, |k| index.lookup(k))?;
    let mut out: Vec<(i64, i64)> = links::for_beat(tx, beat_id)?
        .into_iter()
        .filter_map(|l| Some((l.record_id, l.target_record_id?)))
        .collect();
    for r in records
        .iter()
        .filter(|r| r.status != RecordStatus::Rejected)
    {
        if let Some(post) = reddit_post_of_comment(r).and_then(|k| index.lookup(&k)) {
            out.push((r.id, post));
        }
        for link in beatdesk_ingest::normalize::links_in_text(&r.text) {
            if let Some(t) = index.lookup(&link) {
                out.push((r.id, t));
            }
        }
    }
    for (web, citing) in beatdesk_ingest::citations_for_beat(tx, beat_id)? {
        out.extend(citing.into_iter().map(|c| (c, web)));
    }
    let mut out: Vec<(i64, i64)> = out
        .into_iter()
        .map(|(a, b)| (index.kept(a), index.kept(b)))
        .filter(|(a, b)| a != b)
        .collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}
