//! Source kinds behind one trait. Each fetches pages over `Http` and turns the
//! wire format into normalised `Item`s; judging (rejects, dedup) and storing
//! happen in `pipeline`.

pub mod bluesky;
pub mod feed;
pub mod reddit;

use beatdesk_types::{LinkKind, Metrics, Platform};
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::http::Http;

/// A normalised item, ready to be judged and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
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
    /// Why the source says this item is unusable (deleted, removed, spam label).
    pub reject: Option<String>,
    pub nsfw: bool,
    /// External id of the original when this is a crosspost.
    pub crosspost_of: Option<String>,
    /// Outbound article links worth fetching as web citations.
    pub links: Vec<String>,
    /// Google News items point at an article held elsewhere.
    pub pointer: Option<Pointer>,
    /// What the platform says this item answers, quotes or links to: a
    /// post key (`post_key`) or a canonical URL. Stored in `record_links`.
    pub relations: Vec<(LinkKind, String)>,
}

impl Item {
    pub fn new(platform: Platform, external_id: String, published_at: DateTime<Utc>) -> Item {
        Item {
            platform,
            external_id,
            url: String::new(),
            canonical_url: String::new(),
            title: String::new(),
            text: String::new(),
            author: String::new(),
            community: None,
            published_at,
            metrics: Metrics::default(),
            reject: None,
            nsfw: false,
            crosspost_of: None,
            links: Vec::new(),
            pointer: None,
            relations: Vec::new(),
        }
    }

    /// Adds a relation once.
    pub fn relate(&mut self, kind: LinkKind, target: String) {
        if !target.is_empty()
            && !self
                .relations
                .iter()
                .any(|(k, t)| *k == kind && *t == target)
        {
            self.relations.push((kind, target));
        }
    }
}

/// A Google News pointer: the publisher and headline it names.
#[derive(Debug, Clone, PartialEq)]
pub struct Pointer {
    pub publisher: String,
    pub title: String,
}

/// One fetched page.
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Cursor for the next page (Reddit `after`, Bluesky `cursor`).
    pub next: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// 304: nothing changed since the stored validators.
    pub not_modified: bool,
}

/// Stored fetch state handed to a source.
#[derive(Debug, Clone, Default)]
pub struct FetchState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A fetched page, possibly not parsed yet. The ingest job parses (and
/// normalises) it on a second thread while the previous page is judged and
/// stored, so parsing must own what it needs (`Send + 'static`).
pub struct Fetched {
    parse: Box<dyn FnOnce() -> Result<Page> + Send + 'static>,
}

impl Fetched {
    /// A page that is already parsed (a 304, an error page turned into a `Page`).
    pub fn parsed(page: Page) -> Fetched {
        Fetched {
            parse: Box::new(move || Ok(page)),
        }
    }

    /// A body still to parse: `parse` runs wherever the job chooses.
    pub fn deferred(parse: impl FnOnce() -> Result<Page> + Send + 'static) -> Fetched {
        Fetched {
            parse: Box::new(parse),
        }
    }

    /// Parses (and normalises) the page here and now.
    pub fn parse(self) -> Result<Page> {
        (self.parse)()
    }
}

impl std::fmt::Debug for Fetched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fetched")
    }
}

/// What every source kind implements.
pub trait Source {
    /// Items to fetch per run at most (paging stops there).
    fn limit(&self) -> usize;
    /// Fetches one page; `cursor` is `None` for the first. Parsing the body is
    /// left to the returned `Fetched` so that it can run off this thread.
    fn fetch_page(
        &mut self,
        http: &Http,
        cursor: Option<&str>,
        state: &FetchState,
    ) -> impl std::future::Future<Output = Result<Fetched>>;
}

/// Seconds since the epoch (possibly fractional) to UTC; out-of-range gives `None`.
pub(crate) fn from_epoch(secs: f64) -> Option<DateTime<Utc>> {
    if !secs.is_finite() {
        return None;
    }
    DateTime::from_timestamp(secs.trunc() as i64, ((secs.fract().abs()) * 1e9) as u32)
}

/// Parses RFC 3339 (Bluesky's `createdAt` may lack millis or use `+00:00`).
pub(crate) fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Hosts whose links are not articles (the platforms themselves, media, aggregators).
pub(crate) fn is_article_link(url: &str) -> bool {
    let Some(host) = crate::normalize::host_of(url) else {
        return false;
    };
    const NOT_ARTICLES: &[&str] = &[
        "reddit.com",
        "old.reddit.com",
        "redd.it",
        "i.redd.it",
        "v.redd.it",
        "preview.redd.it",
        "bsky.app",
        "bsky.social",
        "news.google.com",
        "imgur.com",
        "i.imgur.com",
        "youtube.com",
        "youtu.be",
        "twitter.com",
        "x.com",
        "instagram.com",
        "tiktok.com",
        "giphy.com",
    ];
    if NOT_ARTICLES.contains(&host.as_str())
        || host.ends_with(".reddit.com")
        || host.ends_with(".redd.it")
    {
        return false;
    }
    let path = url.split('?').next().unwrap_or("").to_ascii_lowercase();
    ![
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".mp4", ".pdf", ".mp3",
    ]
    .iter()
    .any(|e| path.ends_with(e))
}
