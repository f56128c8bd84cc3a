//! News feeds: RSS 2.0, Atom and Google News search RSS, through feed-rs,
//! with conditional GET. HTML reduced to text, entities decoded, relative
//! links resolved (xml:base, then the feed URL), unparseable dates tolerated,
//! stable ids for items without guid or link, Google News items as pointers.

use beatdesk_types::Platform;
use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, Text};

use super::{FetchState, Fetched, Item, Page, Pointer, Source};
use crate::error::{IngestError, Result};
use crate::http::{Expect, Http, Request};
use crate::normalize::{
    canonical_url, html_to_text, is_wordpress_guid, normalize_title, resolve, stable_hash,
};

pub struct FeedSource {
    pub url: String,
    pub now: DateTime<Utc>,
}

impl Source for FeedSource {
    fn limit(&self) -> usize {
        usize::MAX
    }

    async fn fetch_page(
        &mut self,
        http: &Http,
        _cursor: Option<&str>,
        state: &FetchState,
    ) -> Result<Fetched> {
        let req = Request::get(&self.url, Expect::Xml)
            .conditional(state.etag.as_deref(), state.last_modified.as_deref());
        let resp = http.send(&req).await?;
        let etag = resp.header("etag").map(String::from);
        let last_modified = resp.header("last-modified").map(String::from);
        if resp.not_modified() {
            return Ok(Fetched::parsed(Page {
                not_modified: true,
                etag: etag.or(state.etag.clone()),
                last_modified: last_modified.or(state.last_modified.clone()),
                ..Page::default()
            }));
        }
        if !(200..300).contains(&resp.status) {
            return Err(resp.error());
        }
        let now = self.now;
        let (body, url) = (resp.body, resp.url);
        Ok(Fetched::deferred(move || {
            let items = parse_feed(&body, &url, now)?;
            Ok(Page {
                items,
                next: None,
                etag,
                last_modified,
                not_modified: false,
            })
        }))
    }
}

/// Sniffs the body: a feed starts with an XML root (`<?xml`, `<rss`, `<feed`, `<rdf:RDF`);
/// an HTML page (a Cloudflare challenge, a moved site) is a clear error.
fn sniff(body: &[u8], url: &str) -> Result<()> {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Err(IngestError::parse(
            format!("feed {url}"),
            "the server sent an HTML page, not RSS or Atom",
        ));
    }
    if !head.starts_with('<') {
        return Err(IngestError::parse(
            format!("feed {url}"),
            "the body is not XML",
        ));
    }
    Ok(())
}

fn text_of(t: &Option<Text>) -> String {
    // Atom `type="html"` titles arrive entity-encoded; plain ones may carry
    // WordPress entities too. `html_to_text` handles both.
    t.as_ref()
        .map(|t| html_to_text(&t.content))
        .unwrap_or_default()
}

/// Drops WordPress's "The post … appeared first on …" trailer.
fn strip_wordpress_trailer(text: &str) -> String {
    match text.rfind("The post ") {
        Some(pos) if text[pos..].contains(" appeared first on ") => {
            text[..pos].trim_end().to_string()
        }
        _ => text.to_string(),
    }
}

fn author_of(e: &Entry) -> String {
    // `<author>desk@x (Wire Name)</author>`: the real name is in the parentheses,
    // wherever feed-rs put it (name or email).
    let paren = |s: &str| {
        let (open, close) = (s.find('(')?, s.rfind(')')?);
        (open < close)
            .then(|| s[open + 1..close].trim().to_string())
            .filter(|n| !n.is_empty())
    };
    for p in &e.authors {
        for field in [p.name.as_deref(), p.email.as_deref()]
            .into_iter()
            .flatten()
        {
            if let Some(n) = paren(field) {
                return n;
            }
        }
        if let Some(name) = p
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty() && *n != "author" && !n.contains('@'))
        {
            return html_to_text(name);
        }
    }
    String::new()
}

fn is_google_news(feed: &Feed, url: &str) -> bool {
    url.contains("news.google.com")
        || feed
            .generator
            .as_ref()
            .is_some_and(|g| g.content.starts_with("NFE/"))
        || feed
            .links
            .iter()
            .any(|l| l.href.contains("news.google.com"))
}

/// Google News titles are `Headline - Publisher`: split on the last ` - `
/// (headlines contain " - " themselves).
pub fn split_google_title(title: &str) -> (String, Option<String>) {
    match title.rfind(" - ") {
        Some(pos) if pos > 0 => (
            title[..pos].trim().to_string(),
            Some(title[pos + 3..].trim().to_string()),
        ),
        _ => (title.to_string(), None),
    }
}

/// Parses a feed body fetched from `feed_url` into items.
pub fn parse_feed(body: &[u8], feed_url: &str, fetched: DateTime<Utc>) -> Result<Vec<Item>> {
    sniff(body, feed_url)?;
    // The id generator returns "" so that items without a guid get our own
    // stable id below, never feed-rs's random UUID.
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(feed_url))
        .id_generator(|_, _, _| String::new())
        .build();
    // feed-rs 3.0 panics on some inputs (slicing an author field such as
    // `a@b.c🦀` off a char boundary, found by tests/parser_mutations.rs): a
    // feed it cannot take is a parse error for that feed, never a crash.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(body)))
        .map_err(|_| {
            IngestError::parse(
                format!("feed {feed_url}"),
                "the feed parser failed on this feed (feed-rs panicked)",
            )
        })?;
    let feed = parsed.map_err(|e| IngestError::parse(format!("feed {feed_url}"), e))?;
    let google = is_google_news(&feed, feed_url);
    let publisher = feed
        .title
        .as_ref()
        .map(|t| html_to_text(&t.content))
        .filter(|t| !t.is_empty());
    let mut items = Vec::with_capacity(feed.entries.len());
    for e in &feed.entries {
        let link = e
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .map(|l| resolve(Some(feed_url), &l.href));
        let title = text_of(&e.title);
        let body_html = e
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| e.summary.as_ref().map(|s| s.content.clone()));
        let text =
            strip_wordpress_trailer(&body_html.as_deref().map(html_to_text).unwrap_or_default());
        let guid = e.id.trim();
        let external_id = if !guid.is_empty() {
            if is_wordpress_guid(guid) {
                canonical_url(guid)
            } else {
                guid.to_string()
            }
        } else if let Some(l) = &link {
            canonical_url(l)
        } else {
            // No guid and no link (sponsored items): hash the content.
            format!("hash:{}", stable_hash(&[feed_url, &title, &text]))
        };
        let published = e.published.or(e.updated).unwrap_or(fetched);
        let mut item = Item::new(Platform::News, external_id, published);
        item.url = link.clone().unwrap_or_default();
        item.canonical_url = link.as_deref().map(canonical_url).unwrap_or_default();
        item.author = author_of(e);
        item.community = publisher.clone();
        if google {
            let (headline, from) = split_google_title(&title);
            let from = from.or_else(|| e.source.clone()).unwrap_or_default();
            item.community = Some(from.clone()).filter(|f| !f.is_empty());
            item.title = headline.clone();
            item.pointer = Some(Pointer {
                publisher: from,
                title: normalize_title(&headline),
            });
            // The description only repeats the headline and the publisher.
            item.text = String::new();
        } else {
            item.title = title;
            item.text = text;
        }
        items.push(item);
    }
    Ok(items)
}
