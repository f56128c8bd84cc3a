//! The relations analysis clusters with: what the platforms stated at ingest
//! (`record_links`: replies, quotes, comments, crossposts, link cards),
//! resolved to records here, plus what any record's own fields say — a link
//! in its text to a record held, a Reddit comment's permalink naming its
//! post, a post that cited a fetched web page. Relations to a duplicate
//! point at the record it duplicates.

use std::collections::HashMap;

use beatdesk_store::{links, records, Connection, Transaction};
use beatdesk_types::{post_key, Platform, Record, RecordStatus};

use crate::Result;

/// Lookups from a relation's target key to a record of the beat.
pub(crate) struct Index {
    by_key: HashMap<String, i64>,
    by_url: HashMap<String, i64>,
    dup_of: HashMap<i64, i64>,
    /// The beat whose stored records a lookup missing here asks for (an
    /// index rebuilt by a new process holds only what arrived since).
    store: Option<i64>,
}

impl Index {
    fn new(records: &[Record]) -> Index {
        let mut index = Index {
            by_key: HashMap::with_capacity(records.len()),
            by_url: HashMap::with_capacity(records.len()),
            dup_of: HashMap::new(),
            store: None,
        };
        index.add(records);
        index
    }

    /// An index that asks the store for the beat's records up to now and
    /// holds only copies' originals (`dup_of`) and what is added later.
    pub(crate) fn backed(beat_id: i64, dup_of: HashMap<i64, i64>) -> Index {
        Index {
            by_key: HashMap::new(),
            by_url: HashMap::new(),
            dup_of,
            store: Some(beat_id),
        }
    }

    /// `lookup`, then the stored records for a store-backed index.
    fn lookup_in(&self, conn: &Connection, key: &str) -> Result<Option<i64>> {
        if let Some(id) = self.lookup(key) {
            return Ok(Some(id));
        }
        let Some(beat_id) = self.store else {
            return Ok(None);
        };
        if !key.contains("://") {
            if let Some((platform, ext)) = key.split_once(':') {
                if Platform::parse(platform).is_some() {
                    return Ok(records::find_by_post(conn, beat_id, platform, ext)?);
                }
            }
        }
        for c in canonical_forms(key) {
            if let Some(id) = records::find_by_canonical(conn, beat_id, &c)? {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Adds records (kept ones first, so a URL names the kept record over
    /// its copies; a key already held keeps its record).
    pub(crate) fn add(&mut self, records: &[Record]) {
        let mut order: Vec<&Record> = records
            .iter()
            .filter(|r| r.status != RecordStatus::Rejected)
            .collect();
        order.sort_by_key(|r| (r.status != RecordStatus::Kept, r.id));
        for r in order {
            self.by_key
                .entry(post_key(r.platform, &r.external_id))
                .or_insert(r.id);
            for u in [&r.canonical_url, &r.url] {
                for c in canonical_forms(u) {
                    self.by_url.entry(c).or_insert(r.id);
                }
            }
            if let (RecordStatus::Duplicate, Some(of)) = (r.status, r.duplicate_of) {
                self.dup_of.insert(r.id, of);
            }
        }
    }

    /// Every key a relation can name a record by.
    fn keys_of(r: &Record) -> Vec<String> {
        let mut keys = vec![post_key(r.platform, &r.external_id)];
        for u in [&r.canonical_url, &r.url] {
            keys.extend(canonical_forms(u));
        }
        keys.sort();
        keys.dedup();
        keys
    }

    fn lookup(&self, key: &str) -> Option<i64> {
        self.by_key.get(key).copied().or_else(|| {
            canonical_forms(key)
                .into_iter()
                .find_map(|c| self.by_url.get(&c).copied())
        })
    }

    /// The kept record a record stands for (itself, or what it duplicates).
    pub(crate) fn kept(&self, mut id: i64) -> i64 {
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

/// Relations a record's own fields state: a Reddit comment's post, links
/// in its text to records held.
fn derived(conn: &Connection, r: &Record, index: &Index, out: &mut Vec<(i64, i64)>) -> Result<()> {
    if let Some(k) = reddit_post_of_comment(r) {
        if let Some(post) = index.lookup_in(conn, &k)? {
            out.push((r.id, post));
        }
    }
    for link in beatdesk_ingest::normalize::links_in_text(&r.text) {
        if let Some(t) = index.lookup_in(conn, &link)? {
            out.push((r.id, t));
        }
    }
    Ok(())
}

/// Kept-record pairs, each once.
fn finish(out: Vec<(i64, i64)>, index: &Index) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = out
        .into_iter()
        .map(|(a, b)| (index.kept(a), index.kept(b)))
        .filter(|(a, b)| a != b)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Resolves the beat's stored relations and returns every relation between
/// two kept records as (from, to), with the lookup index for later passes.
pub(crate) fn for_analysis(
    tx: &Transaction,
    beat_id: i64,
    records: &[Record],
) -> Result<(Vec<(i64, i64)>, Index)> {
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
        derived(tx, r, &index, &mut out)?;
    }
    for (web, citing) in beatdesk_ingest::citations_for_beat(tx, beat_id)? {
        out.extend(citing.into_iter().map(|c| (c, web)));
    }
    Ok((finish(out, &index), index))
}

/// The stored relations between a beat's records up to a pass (resolved
/// at that pass; a new process rebuilding its state), with a store-backed
/// index. Links in old records' text are not re-derived: they only guide
/// where old records go, and those are placed already.
pub(crate) fn for_restore(
    tx: &Transaction,
    beat_id: i64,
    last_record: i64,
    dup_of: HashMap<i64, i64>,
) -> Result<(Vec<(i64, i64)>, Index)> {
    let index = Index::backed(beat_id, dup_of);
    let mut out: Vec<(i64, i64)> = links::for_beat(tx, beat_id)?
        .into_iter()
        .filter(|l| l.record_id <= last_record)
        .filter_map(|l| Some((l.record_id, l.target_record_id?)))
        .filter(|(_, t)| *t <= last_record)
        .collect();
    for (web, citing) in beatdesk_ingest::citations_for_beat(tx, beat_id)? {
        out.extend(
            citing
                .into_iter()
                .filter(|c| *c <= last_record && web <= last_record)
                .map(|c| (c, web)),
        );
    }
    Ok((finish(out, &index), index))
}

/// The relations that records stored after `after_id` bring: their own
/// (resolved now), older relations that named them and were unresolved
/// until they arrived, and what their fields state. `index` learns them.
pub(crate) fn for_new(
    tx: &Transaction,
    beat_id: i64,
    after_id: i64,
    new: &[Record],
    index: &mut Index,
) -> Result<Vec<(i64, i64)>> {
    index.add(new);
    let mut out = Vec::new();
    for (id, record_id, key, target) in links::after(tx, beat_id, after_id)? {
        let t = match target {
            Some(t) => Some(t),
            None => index.lookup_in(tx, &key)?,
        };
        if let Some(t) = t {
            if target.is_none() {
                links::set_target(tx, id, t)?;
            }
            out.push((record_id, t));
        }
    }
    for r in new.iter().filter(|r| r.status != RecordStatus::Rejected) {
        for key in Index::keys_of(r) {
            for (id, from) in links::unresolved_to(tx, beat_id, &key)? {
                links::set_target(tx, id, r.id)?;
                out.push((from, r.id));
            }
        }
        derived(tx, r, index, &mut out)?;
        if r.platform == Platform::Web {
            // Which posts cited this page is stored as `cited_by` relations.
            let by = beatdesk_ingest::cited_by(tx, r.id)?;
            out.extend(by.into_iter().map(|c| (c, r.id)));
        }
    }
    Ok(finish(out, index))
}
