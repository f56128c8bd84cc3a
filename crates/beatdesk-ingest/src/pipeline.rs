//! Judging and storing items: rejections (with reasons) and duplicate
//! collapse (same external id, crosspost, repost, same canonical URL, Google
//! News pointer, near-identical text), over an in-memory index of the beat
//! loaded once per run and kept in step with every write.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use beatdesk_store::records::{self, RecordRef, Upsert};
use beatdesk_store::Connection;
use beatdesk_types::{Platform, RecordStatus};
use chrono::{DateTime, Duration, Utc};

use crate::error::Result;
use crate::neardup::{signature, NearIndex, Signature, PERMS};
use crate::normalize::{canonical_url, host_of, normalize_title};
use crate::sources::Item;

/// The beat's rules for rejecting items.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub window_days: u32,
    pub allow_nsfw: bool,
    pub now: DateTime<Utc>,
}

/// What the pipeline decided for an item.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Kept,
    Rejected {
        reason: String,
    },
    Duplicate {
        of: i64,
        kind: &'static str,
        reason: String,
    },
}

/// What storing an item did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    New {
        id: i64,
        verdict: Verdict,
    },
    /// Seen before (same platform + external id): metrics refreshed.
    Updated {
        id: i64,
    },
    /// The same external id twice in one run (a duplicate guid, a post on two pages).
    Repeated,
}

#[derive(Clone)]
struct TitleEntry {
    id: i64,
    community: String,
    host: String,
    published: DateTime<Utc>,
    pointer: bool,
}

/// Near-duplicate groups: a Reddit post is never "the same text" as an article.
fn sim_group(p: Platform) -> Option<u8> {
    match p {
        Platform::Reddit => Some(0),
        Platform::Bluesky => Some(1),
        Platform::News | Platform::Web => Some(2),
        Platform::Manual => None,
    }
}

/// An item's near-duplicate fingerprint (MinHash over its text), which
/// depends on the item alone: the ingest job computes it on the parsing
/// thread so that judging only looks it up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fingerprint(Option<Signature>);

/// Computes `item`'s fingerprint (`None` inside when it has too few words or
/// its platform is never compared by text).
pub fn fingerprint(item: &Item) -> Fingerprint {
    Fingerprint(
        sim_group(item.platform).and_then(|_| signature(&sim_text(&item.title, &item.text))),
    )
}

pub struct Dedup {
    pub beat_id: i64,
    by_ext: HashMap<(Platform, String), i64>,
    kept_canonical: HashMap<String, i64>,
    sims: [NearIndex; 3],
    titles: HashMap<String, Vec<TitleEntry>>,
    reddit_links: HashMap<(String, String), i64>,
    seen: HashSet<(Platform, String)>,
}

fn is_pointer_url(url: &str) -> bool {
    url.contains("news.google.com/")
}

/// Long texts are compared on the body alone (wire copies get new headlines);
/// short ones with the title.
fn sim_text<'a>(item_title: &str, text: &'a str) -> Cow<'a, str> {
    if text.split_whitespace().nth(29).is_some() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{item_title} {text}"))
    }
}

impl Dedup {
    /// An empty index (a new beat).
    pub fn empty(beat_id: i64) -> Dedup {
        Dedup {
            beat_id,
            by_ext: HashMap::new(),
            kept_canonical: HashMap::new(),
            sims: Default::default(),
            titles: HashMap::new(),
            reddit_links: HashMap::new(),
            seen: HashSet::new(),
        }
    }

    /// Loads the beat's records into the index.
    pub fn load(conn: &Connection, beat_id: i64) -> Result<Dedup> {
        Ok(Dedup::from_records(
            beat_id,
            records::list_for_beat(conn, beat_id)?,
        ))
    }

    /// Loads the beat's records through the store's read lock.
    pub fn load_from(store: &beatdesk_store::Store, beat_id: i64) -> Result<Dedup> {
        Ok(Dedup::from_records(
            beat_id,
            store.read(|c| records::list_for_beat(c, beat_id))?,
        ))
    }

    fn from_records(beat_id: i64, recs: Vec<beatdesk_types::Record>) -> Dedup {
        let mut d = Dedup::empty(beat_id);
        for r in recs {
            d.by_ext.insert((r.platform, r.external_id.clone()), r.id);
            if r.status == RecordStatus::Kept {
                d.index_kept(
                    r.id,
                    r.platform,
                    &r.canonical_url,
                    &r.title,
                    &r.text,
                    r.community.as_deref(),
                    r.published_at,
                    None,
                    None,
                );
            }
        }
        d
    }

    /// The stored id of a platform's external id, if held.
    pub fn id_of(&self, platform: Platform, external_id: &str) -> Option<i64> {
        self.by_ext
            .get(&(platform, external_id.to_string()))
            .copied()
    }

    #[allow(clippy::too_many_arguments)]
    fn index_kept(
        &mut self,
        id: i64,
        platform: Platform,
        canonical: &str,
        title: &str,
        text: &str,
        community: Option<&str>,
        published: DateTime<Utc>,
        article_link: Option<&str>,
        fp: Option<Signature>,
    ) {
        if !canonical.is_empty() {
            self.kept_canonical
                .entry(canonical.to_string())
                .or_insert(id);
        }
        if let Some(g) = sim_group(platform) {
            if let Some(fp) = fp.or_else(|| signature(&sim_text(title, text))) {
                self.sims[g as usize].insert(fp, id);
            }
        }
        if matches!(platform, Platform::News | Platform::Web) && !title.is_empty() {
            self.titles
                .entry(normalize_title(title))
                .or_default()
                .push(TitleEntry {
                    id,
                    community: squash(community.unwrap_or("")),
                    host: host_of(canonical).unwrap_or_default().replace('.', ""),
                    published,
                    pointer: is_pointer_url(canonical),
                });
        }
        if let (Platform::Reddit, Some(link)) = (platform, article_link) {
            self.reddit_links
                .entry((canonical_url(link), normalize_title(title)))
                .or_insert(id);
        }
    }

    fn find_article_by_title(
        &self,
        title_key: &str,
        publisher: &str,
        at: DateTime<Utc>,
        want_pointer: bool,
    ) -> Option<i64> {
        let p = squash(publisher);
        self.titles.get(title_key)?.iter().find_map(|t| {
            let publisher_ok = p.is_empty()
                || t.community.is_empty()
                || t.community.contains(&p)
                || p.contains(&t.community)
                || t.host.contains(&p);
            let time_ok = (t.published - at).num_hours().abs() <= 72;
            (t.pointer == want_pointer && publisher_ok && time_ok).then_some(t.id)
        })
    }

    /// Decides what a new item (not held yet) is.
    pub fn judge(&self, item: &Item, policy: &Policy) -> Verdict {
        self.judge_with(item, policy, fingerprint(item).0)
    }

    fn judge_with(&self, item: &Item, policy: &Policy, fp: Option<Signature>) -> Verdict {
        if let Some(r) = &item.reject {
            return Verdict::Rejected { reason: r.clone() };
        }
        if matches!(
            item.platform,
            Platform::Reddit | Platform::Bluesky | Platform::News
        ) {
            if item.nsfw && !policy.allow_nsfw {
                return Verdict::Rejected {
                    reason: "NSFW (the beat does not allow it)".into(),
                };
            }
            if item.published_at < policy.now - Duration::days(policy.window_days as i64) {
                return Verdict::Rejected {
                    reason: format!("outside the {}-day window", policy.window_days),
                };
            }
        }
        if let Some(parent) = &item.crosspost_of {
            if let Some(&of) = self.by_ext.get(&(item.platform, parent.clone())) {
                return Verdict::Duplicate {
                    of,
                    kind: "crosspost",
                    reason: format!("crosspost of {parent} (record {of})"),
                };
            }
        }
        if item.platform == Platform::Manual {
            return Verdict::Kept;
        }
        if !item.canonical_url.is_empty() {
            if let Some(&of) = self.kept_canonical.get(&item.canonical_url) {
                return Verdict::Duplicate {
                    of,
                    kind: "same URL",
                    reason: format!("same canonical URL as record {of}"),
                };
            }
        }
        if let Some(p) = &item.pointer {
            if let Some(of) =
                self.find_article_by_title(&p.title, &p.publisher, item.published_at, false)
            {
                return Verdict::Duplicate {
                    of,
                    kind: "Google News pointer",
                    reason: format!("Google News pointer to record {of} ({})", p.publisher),
                };
            }
        }
        if item.platform == Platform::Reddit {
            if let Some(link) = item.links.first() {
                if let Some(&of) = self
                    .reddit_links
                    .get(&(canonical_url(link), normalize_title(&item.title)))
                {
                    return Verdict::Duplicate {
                        of,
                        kind: "repost",
                        reason: format!("repost of record {of} (same link and title)"),
                    };
                }
            }
        }
        if let Some(g) = sim_group(item.platform) {
            if let Some(fp) = fp {
                if let Some((of, d)) = self.sims[g as usize].find(&fp) {
                    return Verdict::Duplicate {
                        of,
                        kind: "near-identical text",
                        reason: format!(
                            "near-identical text to record {of} (MinHash similarity {:.2})",
                            d as f64 / PERMS as f64
                        ),
                    };
                }
            }
        }
        Verdict::Kept
    }

    /// Would storing this item now give `Outcome::New` (neither seen in this
    /// run nor held)? Lets the ingest job decide whether to fetch the next
    /// page before this one is stored.
    pub fn is_new(&self, item: &Item) -> bool {
        let key = (item.platform, item.external_id.clone());
        !self.seen.contains(&key) && !self.by_ext.contains_key(&key)
    }

    /// Judges and stores one item inside the caller's transaction.
    pub fn apply(
        &mut self,
        conn: &Connection,
        item: &Item,
        source_id: Option<i64>,
        note: Option<String>,
        added_by: Option<String>,
        policy: &Policy,
    ) -> Result<Outcome> {
        self.apply_inner(conn, item, None, source_id, note, added_by, policy)
    }

    /// `apply` with the item's fingerprint computed beforehand (by
    /// `fingerprint`, on the thread that parsed the page).
    pub fn apply_fingerprinted(
        &mut self,
        conn: &Connection,
        item: &Item,
        fp: &Fingerprint,
        source_id: Option<i64>,
        policy: &Policy,
    ) -> Result<Outcome> {
        self.apply_inner(conn, item, Some(fp), source_id, None, None, policy)
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_inner(
        &mut self,
        conn: &Connection,
        item: &Item,
        pre: Option<&Fingerprint>,
        source_id: Option<i64>,
        note: Option<String>,
        added_by: Option<String>,
        policy: &Policy,
    ) -> Result<Outcome> {
        let key = (item.platform, item.external_id.clone());
        if !self.seen.insert(key.clone()) {
            return Ok(Outcome::Repeated);
        }
        let held = self.by_ext.contains_key(&key);
        let fp = match (held, pre) {
            (true, _) => None,
            (false, Some(pre)) => pre.0,
            (false, None) => fingerprint(item).0,
        };
        let verdict = if held {
            Verdict::Kept
        } else {
            self.judge_with(item, policy, fp)
        };
        let (status, reason, duplicate_of) = match &verdict {
            Verdict::Kept => (RecordStatus::Kept, None, None),
            Verdict::Rejected { reason } => (RecordStatus::Rejected, Some(reason.as_str()), None),
            Verdict::Duplicate { of, reason, .. } => {
                (RecordStatus::Duplicate, Some(reason.as_str()), Some(*of))
            }
        };
        let rec = RecordRef {
            source_id,
            platform: item.platform,
            external_id: &item.external_id,
            url: &item.url,
            canonical_url: &item.canonical_url,
            title: &item.title,
            text: &item.text,
            author: &item.author,
            community: item.community.as_deref(),
            published_at: item.published_at,
            metrics: &item.metrics,
            status,
            reason,
            duplicate_of,
            note: note.as_deref(),
            added_by: added_by.as_deref(),
        };
        let upsert = records::upsert_ref(conn, self.beat_id, &rec, policy.now)?;
        // The platform's own structure (replies, quotes, links), kept for
        // clustering; resolved to records when analysis runs.
        for (kind, target) in &item.relations {
            beatdesk_store::links::insert(
                conn,
                self.beat_id,
                upsert.id(),
                *kind,
                target,
                None,
                policy.now,
            )?;
        }
        match upsert {
            Upsert::Updated(id) => {
                self.by_ext.insert(key, id);
                Ok(Outcome::Updated { id })
            }
            Upsert::Inserted(id) => {
                self.by_ext.insert(key, id);
                if verdict == Verdict::Kept {
                    // A publisher's article arriving after its Google News pointer: collapse the pointer.
                    if item.pointer.is_none() && item.platform == Platform::News {
                        let community = item.community.clone().unwrap_or_default();
                        if let Some(ptr) = self.find_article_by_title(
                            &normalize_title(&item.title),
                            &community,
                            item.published_at,
                            true,
                        ) {
                            let reason =
                                format!("Google News pointer to record {id} ({community})");
                            records::set_status(
                                conn,
                                ptr,
                                RecordStatus::Duplicate,
                                Some(&reason),
                                Some(id),
                            )?;
                            self.kept_canonical.retain(|_, v| *v != ptr);
                            for list in self.titles.values_mut() {
                                list.retain(|t| t.id != ptr);
                            }
                        }
                    }
                    self.index_kept(
                        id,
                        item.platform,
                        &item.canonical_url,
                        &item.title,
                        &item.text,
                        item.community.as_deref(),
                        item.published_at,
                        item.links.first().map(String::as_str),
                        fp,
                    );
                }
                Ok(Outcome::New { id, verdict })
            }
        }
    }

    /// Forgets which ids were seen in this run (a new run starts).
    pub fn start_run(&mut self) {
        self.seen.clear();
    }
}

fn squash(s: &str) -> String {
    normalize_title(s).replace(' ', "")
}
