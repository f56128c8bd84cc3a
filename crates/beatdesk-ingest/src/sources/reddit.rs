//! Reddit: subreddit listings (`/new`) or search within a subreddit, paged by
//! `after`. Public JSON with a descriptive User-Agent, or app-only OAuth
//! (client credentials) on oauth.reddit.com when a client id/secret is set.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use beatdesk_types::{post_key, LinkKind, Metrics, Platform};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{from_epoch, is_article_link, FetchState, Fetched, Item, Page, Source};
use crate::config::{DEFAULT_REDDIT_BASE, DEFAULT_REDDIT_OAUTH_BASE};
use crate::error::{IngestError, Result};
use crate::http::{Body, Expect, Http, Request};
use crate::normalize::{canonical_url, unescape};

// Strings borrow from the page where JSON needs no unescaping (most do not):
// 100k posts per run, each copied once into its `Item` and no more.
#[derive(Deserialize)]
struct Listing<'a> {
    #[serde(borrow)]
    data: ListingData<'a>,
}

#[derive(Deserialize)]
struct ListingData<'a> {
    after: Option<String>,
    #[serde(default, borrow)]
    children: Vec<Thing<'a>>,
}

#[derive(Deserialize)]
struct Thing<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    data: Post<'a>,
}

/// The t3 fields Beatdesk uses. Unknown fields are ignored (so `edited`,
/// `false` or a float, never breaks parsing); `author_fullname` is absent for
/// deleted authors and not needed.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Post<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    subreddit: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    selftext: Cow<'a, str>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url_overridden_by_dest: Option<Cow<'a, str>>,
    #[serde(borrow)]
    permalink: Cow<'a, str>,
    #[serde(borrow)]
    author: Cow<'a, str>,
    created_utc: f64,
    score: Option<i64>,
    num_comments: Option<i64>,
    over_18: bool,
    is_self: bool,
    #[serde(borrow)]
    removed_by_category: Option<Cow<'a, str>>,
    #[serde(borrow)]
    crosspost_parent: Option<Cow<'a, str>>,
    stickied: bool,
}

/// Why a post is unusable, from the non-moderator view of deleted/removed posts.
fn rejection(p: &Post) -> Option<String> {
    match p.removed_by_category.as_deref() {
        Some("deleted") => return Some("deleted by its author".into()),
        Some("moderator") => return Some("removed by moderators".into()),
        Some("automod_filtered") => return Some("removed by AutoModerator".into()),
        Some("author") => return Some("deleted by its author".into()),
        Some(other) if !other.is_empty() => return Some(format!("removed ({other})")),
        _ => {}
    }
    match p.selftext.trim() {
        "[removed]" => Some("removed by moderators".into()),
        "[deleted]" => Some("deleted by its author".into()),
        _ if p.author == "[deleted]" && p.selftext.is_empty() && p.is_self => {
            Some("deleted by its author".into())
        }
        _ => None,
    }
}

fn to_item(p: Post, fetched: DateTime<Utc>) -> Item {
    let external_id = match &p.name {
        Some(name) => name.to_string(),
        None => format!("t3_{}", p.id),
    };
    let published = from_epoch(p.created_utc).unwrap_or(fetched);
    let mut item = Item::new(Platform::Reddit, external_id, published);
    let permalink = if p.permalink.starts_with("http") {
        p.permalink.to_string()
    } else {
        format!("{DEFAULT_REDDIT_BASE}{}", p.permalink)
    };
    // Permalinks are clean paths: canonicalise by hand (hot path: 100k posts/run).
    item.canonical_url = match permalink.strip_prefix(DEFAULT_REDDIT_BASE) {
        Some(path) if !path.contains(['?', '#']) => {
            format!("https://reddit.com{}", path.trim_end_matches('/'))
        }
        _ => canonical_url(&permalink),
    };
    item.url = permalink;
    item.reject = rejection(&p);
    item.title = unescape(&p.title);
    let body = p.selftext.trim();
    item.text = if body == "[removed]" || body == "[deleted]" {
        String::new()
    } else {
        unescape(body)
    };
    item.author = p.author.into_owned();
    item.community = Some(format!("r/{}", p.subreddit));
    item.metrics = Metrics {
        score: p.score,
        comments: p.num_comments,
        likes: None,
        reposts: None,
    };
    item.nsfw = p.over_18;
    item.crosspost_of = p.crosspost_parent.map(Cow::into_owned);
    if let Some(parent) = &item.crosspost_of {
        item.relate(LinkKind::CrosspostOf, post_key(Platform::Reddit, parent));
    }
    if p.is_self {
        let links = crate::normalize::links_in_text(&item.text);
        for l in &links {
            item.relate(LinkKind::LinksTo, canonical_url(l));
        }
        item.links = links.into_iter().filter(|l| is_article_link(l)).collect();
    } else if let Some(link) = p.url_overridden_by_dest.or(p.url).map(|u| unescape(&u)) {
        item.relate(LinkKind::LinksTo, canonical_url(&link));
        if is_article_link(&link) {
            item.links.push(link);
        }
    }
    item
}

/// A comment (`t1`) as `/comments/<id>.json` sends it; replies nest.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Comment {
    id: String,
    name: Option<String>,
    link_id: Option<String>,
    parent_id: Option<String>,
    author: String,
    body: String,
    permalink: String,
    subreddit: String,
    created_utc: f64,
    score: Option<i64>,
    replies: serde_json::Value,
}

fn comment_item(c: &Comment, fetched: DateTime<Utc>) -> Item {
    let external_id = c.name.clone().unwrap_or_else(|| format!("t1_{}", c.id));
    let mut item = Item::new(
        Platform::Reddit,
        external_id,
        from_epoch(c.created_utc).unwrap_or(fetched),
    );
    item.url = if c.permalink.starts_with("http") {
        c.permalink.clone()
    } else {
        format!("{DEFAULT_REDDIT_BASE}{}", c.permalink)
    };
    item.canonical_url = canonical_url(&item.url);
    let body = unescape(c.body.trim());
    item.reject = match body.as_str() {
        "[deleted]" => Some("deleted by its author".into()),
        "[removed]" => Some("removed by moderators".into()),
        _ => None,
    };
    if item.reject.is_none() {
        item.text = body;
    }
    item.title = crate::normalize::truncate(
        item.text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim(),
        120,
    );
    item.author = c.author.clone();
    item.community = (!c.subreddit.is_empty()).then(|| format!("r/{}", c.subreddit));
    item.metrics = Metrics {
        score: c.score,
        comments: None,
        likes: None,
        reposts: None,
    };
    if let Some(post) = &c.link_id {
        item.relate(LinkKind::CommentOn, post_key(Platform::Reddit, post));
    }
    if let Some(parent) = c.parent_id.as_deref().filter(|p| p.starts_with("t1_")) {
        item.relate(LinkKind::ReplyTo, post_key(Platform::Reddit, parent));
    }
    let links = crate::normalize::links_in_text(&item.text);
    for l in &links {
        item.relate(LinkKind::LinksTo, canonical_url(l));
    }
    item.links = links.into_iter().filter(|l| is_article_link(l)).collect();
    item
}

fn walk_comments(listing: &serde_json::Value, fetched: DateTime<Utc>, out: &mut Vec<Item>) {
    let children = listing
        .pointer("/data/children")
        .and_then(serde_json::Value::as_array);
    for thing in children.into_iter().flatten() {
        // `more` stubs name comments not loaded: they are not items.
        if thing.get("kind").and_then(serde_json::Value::as_str) != Some("t1") {
            continue;
        }
        let Some(data) = thing.get("data") else {
            continue;
        };
        let Ok(c) = serde_json::from_value::<Comment>(data.clone()) else {
            continue;
        };
        out.push(comment_item(&c, fetched));
        if c.replies.is_object() {
            walk_comments(&c.replies, fetched, out);
        }
    }
}

/// Parses `/comments/<id>.json` (`[Listing{t3}, Listing{t1…}]`) into the
/// comments as items, each related to its post and the comment it answers.
pub fn parse_comments(body: &[u8], fetched: DateTime<Utc>) -> Result<Vec<Item>> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| IngestError::parse("Reddit comments", e))?;
    let Some(listing) = v.as_array().and_then(|a| a.get(1)) else {
        return Err(IngestError::parse(
            "Reddit comments",
            "expected a two-element array [post, comments]",
        ));
    };
    let mut out = Vec::new();
    walk_comments(listing, fetched, &mut out);
    Ok(out)
}

/// Posts whose comments are fetched too: a stickied post a moderator (not
/// a bot's daily thread) opened is the subreddit's megathread for a story.
fn megathreads(body: &[u8]) -> Vec<String> {
    let Ok(listing) = serde_json::from_slice::<Listing>(body) else {
        return Vec::new();
    };
    listing
        .data
        .children
        .iter()
        .filter(|t| t.kind == "t3" && t.data.stickied && t.data.author != "AutoModerator")
        .map(|t| t.data.id.to_string())
        .take(MAX_MEGATHREADS)
        .collect()
}

/// Megathreads per listing page whose comments are fetched.
const MAX_MEGATHREADS: usize = 2;

/// Parses one listing page (`/new.json`, `/search.json`) into items and the `after` cursor.
pub fn parse_listing(body: &[u8], fetched: DateTime<Utc>) -> Result<(Vec<Item>, Option<String>)> {
    // Validating the page's UTF-8 once up front is cheaper than serde_json
    // validating each of its ~10k keys and strings one by one.
    let listing: Listing = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
    .map_err(|e| IngestError::parse("Reddit listing", e))?;
    let items = listing
        .data
        .children
        .into_iter()
        .filter(|t| t.kind == "t3")
        .map(|t| to_item(t.data, fetched))
        .collect();
    Ok((items, listing.data.after.filter(|a| !a.is_empty())))
}

pub struct RedditSource {
    pub subreddit: String,
    pub query: Option<String>,
    pub base_url: String,
    pub oauth_base_url: Option<String>,
    pub limit: usize,
    pub credentials: Option<(String, String)>,
    pub now: DateTime<Utc>,
    bearer: Option<String>,
}

impl RedditSource {
    pub fn new(
        subreddit: String,
        query: Option<String>,
        base_url: String,
        oauth_base_url: Option<String>,
        limit: usize,
        credentials: Option<(String, String)>,
        now: DateTime<Utc>,
    ) -> Self {
        RedditSource {
            subreddit,
            query,
            base_url,
            oauth_base_url,
            limit,
            credentials,
            now,
            bearer: None,
        }
    }

    fn api_base(&self) -> String {
        match (&self.bearer, &self.oauth_base_url) {
            (None, _) => self.base_url.clone(),
            (Some(_), Some(o)) => o.clone(),
            (Some(_), None) if self.base_url == DEFAULT_REDDIT_BASE => {
                DEFAULT_REDDIT_OAUTH_BASE.into()
            }
            (Some(_), None) => self.base_url.clone(),
        }
    }

    /// App-only OAuth: `POST /api/v1/access_token` with HTTP Basic client id:secret.
    /// Tokens are cached on the `Http` until shortly before `expires_in`.
    async fn sign_in(&mut self, http: &Http) -> Result<()> {
        let Some((id, secret)) = self.credentials.clone() else {
            return Ok(());
        };
        let key = format!("reddit:{}:{id}", self.base_url);
        if let Some((tok, until)) = http
            .tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned()
        {
            if until > Instant::now() {
                self.bearer = Some(tok);
                return Ok(());
            }
        }
        let req = Request {
            method: reqwest::Method::POST,
            url: format!("{}/api/v1/access_token", self.base_url),
            headers: vec![(
                "authorization",
                format!("Basic {}", base64(&format!("{id}:{secret}"))),
            )],
            body: Body::Form(vec![("grant_type".into(), "client_credentials".into())]),
            expect: Expect::Json,
        };
        let resp = http.send(&req).await?;
        if !(200..300).contains(&resp.status) {
            let detail = if resp.status == 401 {
                "the client id or secret was refused (HTTP 401)".to_string()
            } else {
                resp.error().to_string()
            };
            return Err(IngestError::Auth {
                service: "Reddit",
                detail,
            });
        }
        #[derive(Deserialize)]
        struct Token {
            access_token: Option<String>,
            expires_in: Option<u64>,
            error: Option<String>,
        }
        let t: Token = resp.json()?;
        let tok = t.access_token.ok_or_else(|| IngestError::Auth {
            service: "Reddit",
            detail: format!(
                "no access token in the answer ({})",
                t.error.unwrap_or_else(|| "no error given".into())
            ),
        })?;
        let ttl = Duration::from_secs(t.expires_in.unwrap_or(3600).saturating_sub(60).max(30));
        http.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, (tok.clone(), Instant::now() + ttl));
        self.bearer = Some(tok);
        Ok(())
    }

    fn page_url(&self, cursor: Option<&str>) -> String {
        let json = if self.bearer.is_some() { "" } else { ".json" };
        let per_page = self.limit.clamp(1, 100);
        let endpoint = if self.query.is_some() {
            "search"
        } else {
            "new"
        };
        let mut u = url::Url::parse(&format!(
            "{}/r/{}/{endpoint}{json}",
            self.api_base(),
            self.subreddit
        ))
        .expect("base_url was validated");
        {
            let mut q = u.query_pairs_mut();
            if let Some(query) = &self.query {
                q.append_pair("q", query)
                    .append_pair("restrict_sr", "1")
                    .append_pair("sort", "new");
            }
            q.append_pair("limit", &per_page.to_string())
                .append_pair("raw_json", "1");
            if let Some(c) = cursor {
                q.append_pair("after", c);
            }
        }
        u.to_string()
    }
}

impl Source for RedditSource {
    fn limit(&self) -> usize {
        self.limit
    }

    async fn fetch_page(
        &mut self,
        http: &Http,
        cursor: Option<&str>,
        _state: &FetchState,
    ) -> Result<Fetched> {
        if self.credentials.is_some() && self.bearer.is_none() {
            self.sign_in(http).await?;
        }
        let mut req = Request::get(self.page_url(cursor), Expect::Json);
        if let Some(b) = &self.bearer {
            req = req.header("authorization", format!("bearer {b}"));
        }
        let resp = http.send(&req).await?;
        if !(200..300).contains(&resp.status) {
            return Err(resp.error());
        }
        // An HTML block page served with 200 is still an error, not an empty listing.
        if resp.looks_like_html() {
            return Err(resp.error());
        }
        // A megathread's comments are where a story is discussed: fetch them
        // with the page. A thread that fails is skipped, not the listing.
        let mut threads = Vec::new();
        for id in megathreads(&resp.body) {
            let mut req = Request::get(
                format!(
                    "{}/comments/{id}{}?limit=100&raw_json=1",
                    self.api_base(),
                    if self.bearer.is_some() { "" } else { ".json" }
                ),
                Expect::Json,
            );
            if let Some(b) = &self.bearer {
                req = req.header("authorization", format!("bearer {b}"));
            }
            match http.send(&req).await {
                Ok(r) if (200..300).contains(&r.status) && !r.looks_like_html() => {
                    threads.push(r.body)
                }
                _ => {}
            }
        }
        let (body, now) = (resp.body, self.now);
        Ok(Fetched::deferred(move || {
            let (mut items, next) = parse_listing(&body, now)?;
            for t in &threads {
                items.extend(parse_comments(t, now)?);
            }
            Ok(Page {
                items,
                next,
                ..Page::default()
            })
        }))
    }
}

/// A fetched listing body as a page to parse (off the storing thread, in the ingest job).
pub fn listing_page(body: Vec<u8>, fetched: DateTime<Utc>) -> Fetched {
    Fetched::deferred(move || {
        let (items, next) = parse_listing(&body, fetched)?;
        Ok(Page {
            items,
            next,
            ..Page::default()
        })
    })
}

/// Standard base64 (for HTTP Basic), without pulling a crate in.
fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64("id:secret"), "aWQ6c2VjcmV0");
        assert_eq!(base64("f"), "Zg==");
        assert_eq!(base64("fo"), "Zm8=");
    }
}
