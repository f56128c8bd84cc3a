//! Bluesky: authenticated `searchPosts` or `getAuthorFeed`, paged by cursor.
//! A session is created with the handle's app password, cached in the
//! secret store (createSession is limited to 30 per 5 minutes), refreshed on
//! `ExpiredToken`, and every call after login goes to the PDS named in the
//! session's DID document.

use beatdesk_types::{post_key, LinkKind, Metrics, Platform};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{is_article_link, parse_rfc3339, FetchState, Fetched, Item, Page, Source};
use crate::error::{IngestError, Result};
use crate::http::{Expect, Http, Request, Response};
use crate::normalize::{canonical_url, truncate};
use crate::secrets::{keys, SecretStore};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Session {
    #[serde(rename = "accessJwt")]
    pub access_jwt: String,
    #[serde(rename = "refreshJwt")]
    pub refresh_jwt: String,
    pub did: String,
    /// Where authenticated calls go: the DID document's `#atproto_pds` endpoint.
    pub pds: String,
}

#[derive(Deserialize)]
struct SessionAnswer {
    #[serde(rename = "accessJwt")]
    access_jwt: String,
    #[serde(rename = "refreshJwt")]
    refresh_jwt: String,
    did: String,
    #[serde(rename = "didDoc")]
    did_doc: Option<Value>,
}

fn pds_of(did_doc: Option<&Value>) -> Option<String> {
    let services = did_doc?.get("service")?.as_array()?;
    services
        .iter()
        .find(|s| {
            s.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.ends_with("#atproto_pds"))
        })
        .and_then(|s| s.get("serviceEndpoint")?.as_str())
        .map(|s| s.trim_end_matches('/').to_string())
}

fn xrpc_error(resp: &Response) -> Option<String> {
    serde_json::from_slice::<Value>(&resp.body)
        .ok()?
        .get("error")?
        .as_str()
        .map(String::from)
}

pub struct BlueskySource<'a> {
    pub query: Option<String>,
    pub actor: Option<String>,
    pub handle: String,
    pub base_url: String,
    pub limit: usize,
    pub now: DateTime<Utc>,
    secrets: &'a dyn SecretStore,
    password: Box<dyn Fn() -> Result<String> + Send + Sync + 'a>,
    session: Option<Session>,
}

impl<'a> BlueskySource<'a> {
    // Each argument is a distinct part of the source's configuration or context.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        query: Option<String>,
        actor: Option<String>,
        handle: String,
        base_url: String,
        limit: usize,
        now: DateTime<Utc>,
        secrets: &'a dyn SecretStore,
        password: Box<dyn Fn() -> Result<String> + Send + Sync + 'a>,
    ) -> Self {
        BlueskySource {
            query,
            actor,
            handle,
            base_url,
            limit,
            now,
            secrets,
            password,
            session: None,
        }
    }

    fn save(&mut self, s: Session) -> Result<()> {
        self.secrets.set(
            &keys::bluesky_session(&self.handle),
            &serde_json::to_string(&s).expect("session serializes"),
        )?;
        self.session = Some(s);
        Ok(())
    }

    async fn create_session(&mut self, http: &Http) -> Result<()> {
        let password = (self.password)()?;
        let req = Request::post_json(
            format!("{}/xrpc/com.atproto.server.createSession", self.base_url),
            json!({"identifier": self.handle, "password": password}),
        );
        let resp = http.send(&req).await?;
        if !(200..300).contains(&resp.status) {
            let detail = match (resp.status, xrpc_error(&resp).as_deref()) {
                (_, Some("AuthFactorTokenRequired")) => {
                    "the account needs a 2FA code: use an app password instead".into()
                }
                (_, Some("AccountTakedown")) => "the account has been taken down".into(),
                (401, _) => format!(
                    "handle {} or its app password was refused (HTTP 401)",
                    self.handle
                ),
                _ => resp.error().to_string(),
            };
            return Err(IngestError::Auth {
                service: "Bluesky",
                detail,
            });
        }
        let a: SessionAnswer = resp.json()?;
        let pds = pds_of(a.did_doc.as_ref()).unwrap_or_else(|| self.base_url.clone());
        self.save(Session {
            access_jwt: a.access_jwt,
            refresh_jwt: a.refresh_jwt,
            did: a.did,
            pds,
        })
    }

    /// Refreshes with the refresh JWT; falls back to a new session when that fails too.
    async fn refresh(&mut self, http: &Http) -> Result<()> {
        let Some(old) = self.session.clone() else {
            return self.create_session(http).await;
        };
        let req = Request {
            body: crate::http::Body::None,
            ..Request::post_json(
                format!("{}/xrpc/com.atproto.server.refreshSession", old.pds),
                Value::Null,
            )
        }
        .header("authorization", format!("Bearer {}", old.refresh_jwt));
        let resp = http.send(&req).await?;
        if (200..300).contains(&resp.status) {
            let a: SessionAnswer = resp.json()?;
            let pds = pds_of(a.did_doc.as_ref()).unwrap_or(old.pds);
            return self.save(Session {
                access_jwt: a.access_jwt,
                refresh_jwt: a.refresh_jwt,
                did: a.did,
                pds,
            });
        }
        self.create_session(http).await
    }

    async fn ensure_session(&mut self, http: &Http) -> Result<()> {
        if self.session.is_some() {
            return Ok(());
        }
        if let Some(text) = self.secrets.get(&keys::bluesky_session(&self.handle))? {
            if let Ok(s) = serde_json::from_str::<Session>(&text) {
                self.session = Some(s);
                return Ok(());
            }
        }
        self.create_session(http).await
    }

    fn url(&self, pds: &str, cursor: Option<&str>) -> String {
        let per_page = self.limit.clamp(1, 100).to_string();
        let (method, mut pairs) = match (&self.query, &self.actor) {
            (Some(q), _) => (
                "app.bsky.feed.searchPosts",
                vec![("q", q.as_str()), ("sort", "latest")],
            ),
            (None, a) => (
                "app.bsky.feed.getAuthorFeed",
                vec![
                    ("actor", a.as_deref().unwrap_or("")),
                    ("filter", "posts_no_replies"),
                ],
            ),
        };
        pairs.push(("limit", &per_page));
        if let Some(c) = cursor {
            pairs.push(("cursor", c));
        }
        let mut u = url::Url::parse(&format!("{pds}/xrpc/{method}")).expect("validated base URL");
        u.query_pairs_mut().extend_pairs(pairs);
        u.to_string()
    }
}

impl Source for BlueskySource<'_> {
    fn limit(&self) -> usize {
        self.limit
    }

    async fn fetch_page(
        &mut self,
        http: &Http,
        cursor: Option<&str>,
        _state: &FetchState,
    ) -> Result<Fetched> {
        self.ensure_session(http).await?;
        let mut renewed = false;
        loop {
            let s = self.session.clone().expect("session ensured");
            let req = Request::get(self.url(&s.pds, cursor), Expect::Json)
                .header("authorization", format!("Bearer {}", s.access_jwt));
            let resp = http.send(&req).await?;
            if (200..300).contains(&resp.status) {
                if resp.looks_like_html() {
                    return Err(resp.error());
                }
                let now = self.now;
                let body = resp.body;
                return Ok(Fetched::deferred(move || {
                    let (items, next) = parse_page(&body, now)?;
                    Ok(Page {
                        items,
                        next,
                        ..Page::default()
                    })
                }));
            }
            let err = xrpc_error(&resp);
            let expired = matches!(
                err.as_deref(),
                Some("ExpiredToken" | "InvalidToken" | "AuthMissing" | "AuthenticationRequired")
            ) || resp.status == 401;
            if expired && !renewed {
                renewed = true;
                if err.as_deref() == Some("ExpiredToken") {
                    self.refresh(http).await?;
                } else {
                    self.create_session(http).await?;
                }
                continue;
            }
            if resp.status == 403 {
                return Err(IngestError::Blocked {
                    url: crate::http::display_url(&resp.url),
                    status: 403,
                    detail: "Bluesky refused the request: search is unavailable from here (this is not \"no results\")".into(),
                });
            }
            return Err(resp.error());
        }
    }
}

#[derive(Deserialize)]
struct SearchPage {
    cursor: Option<String>,
    #[serde(default)]
    posts: Vec<Value>,
    #[serde(default)]
    feed: Vec<FeedViewPost>,
}

#[derive(Deserialize)]
struct FeedViewPost {
    post: Value,
}

/// Parses a searchPosts or getAuthorFeed answer. Reposts arrive as the
/// original post plus a `reason`: they share the original's URI, so dedup sees one.
pub fn parse_page(body: &[u8], fetched: DateTime<Utc>) -> Result<(Vec<Item>, Option<String>)> {
    let page: SearchPage =
        serde_json::from_slice(body).map_err(|e| IngestError::parse("Bluesky page", e))?;
    let posts = page.posts.iter().chain(page.feed.iter().map(|f| &f.post));
    let mut items = Vec::new();
    for p in posts {
        if let Some(item) = post_to_item(p, fetched) {
            items.push(item);
        }
    }
    Ok((items, page.cursor.filter(|c| !c.is_empty())))
}

/// Applies link facets: the display text (often shortened, `example.com/tech/2026/1...`)
/// is replaced by the full URI. Offsets are UTF-8 byte offsets into `text`.
pub fn expand_link_facets(text: &str, facets: Option<&Value>) -> (String, Vec<String>) {
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    for f in facets.and_then(Value::as_array).into_iter().flatten() {
        let (Some(start), Some(end)) = (
            f.pointer("/index/byteStart").and_then(Value::as_u64),
            f.pointer("/index/byteEnd").and_then(Value::as_u64),
        ) else {
            continue;
        };
        let (start, end) = (start as usize, end as usize);
        for feat in f
            .get("features")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if feat.get("$type").and_then(Value::as_str) == Some("app.bsky.richtext.facet#link") {
                if let Some(uri) = feat.get("uri").and_then(Value::as_str) {
                    if start < end
                        && end <= text.len()
                        && text.is_char_boundary(start)
                        && text.is_char_boundary(end)
                    {
                        spans.push((start, end, uri.to_string()));
                    }
                }
            }
        }
    }
    spans.sort_by_key(|s| s.0);
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0;
    let mut links = Vec::new();
    for (start, end, uri) in spans {
        if start < pos {
            continue; // overlapping facets: keep the first
        }
        out.push_str(&text[pos..start]);
        out.push_str(&uri);
        links.push(uri);
        pos = end;
    }
    out.push_str(&text[pos..]);
    (out, links)
}

/// `at://did:plc:x/app.bsky.feed.post/rkey` → `https://bsky.app/profile/did:plc:x/post/rkey` (stable across handle changes).
pub fn web_url(at_uri: &str) -> Option<String> {
    let rest = at_uri.strip_prefix("at://")?;
    let mut parts = rest.split('/');
    let (did, coll, rkey) = (parts.next()?, parts.next()?, parts.next()?);
    (coll == "app.bsky.feed.post" && !rkey.is_empty())
        .then(|| format!("https://bsky.app/profile/{did}/post/{rkey}"))
}

fn label_vals(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| l.get("val").and_then(Value::as_str).map(String::from))
        .collect()
}

fn is_post_uri(uri: &str) -> bool {
    uri.starts_with("at://") && uri.contains("/app.bsky.feed.post/")
}

/// Replies (`reply.parent`, `reply.root`) and quotes (an embedded record,
/// alone or with media), as the post's own record states them.
fn relate_thread(item: &mut Item, record: &Value) {
    let uri = |ptr: &str| {
        record
            .pointer(ptr)
            .and_then(Value::as_str)
            .filter(|u| is_post_uri(u))
            .map(|u| post_key(Platform::Bluesky, u))
    };
    let parent = uri("/reply/parent/uri");
    if let Some(p) = &parent {
        item.relate(LinkKind::ReplyTo, p.clone());
    }
    if let Some(root) = uri("/reply/root/uri").filter(|r| Some(r) != parent.as_ref()) {
        item.relate(LinkKind::ThreadRoot, root);
    }
    if let Some(q) = uri("/embed/record/uri").or_else(|| uri("/embed/record/record/uri")) {
        item.relate(LinkKind::Quotes, q);
    }
}

fn post_to_item(p: &Value, fetched: DateTime<Utc>) -> Option<Item> {
    let uri = p.get("uri")?.as_str()?;
    let record = p.get("record")?;
    let author = p.get("author");
    let handle = author
        .and_then(|a| a.get("handle"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let indexed = p
        .get("indexedAt")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339);
    let created = record
        .get("createdAt")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339);
    // createdAt is client-declared (can be in the future): never later than indexedAt.
    let published = match (created, indexed) {
        (Some(c), Some(i)) => c.min(i),
        (c, i) => c.or(i).unwrap_or(fetched),
    };
    let mut item = Item::new(Platform::Bluesky, uri.to_string(), published);
    item.url = web_url(uri).unwrap_or_else(|| uri.to_string());
    item.canonical_url = canonical_url(&item.url);
    let raw_text = record.get("text").and_then(Value::as_str).unwrap_or("");
    let (mut text, links) = expand_link_facets(raw_text, record.get("facets"));
    for l in links {
        item.relate(LinkKind::LinksTo, canonical_url(&l));
        if is_article_link(&l) && !item.links.contains(&l) {
            item.links.push(l);
        }
    }
    relate_thread(&mut item, record);
    // External link cards: the article URL and its headline.
    let embed = p.get("embed");
    let external = embed
        .and_then(|e| e.get("external"))
        .or_else(|| embed.and_then(|e| e.pointer("/media/external")));
    if let Some(ext) = external {
        if let Some(u) = ext.get("uri").and_then(Value::as_str) {
            item.relate(LinkKind::LinksTo, canonical_url(u));
            if is_article_link(u) && !item.links.iter().any(|l| l == u) {
                item.links.push(u.to_string());
            }
        }
        let title = ext
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        if !title.is_empty() && !text.contains(title) {
            text = if text.is_empty() {
                title.to_string()
            } else {
                format!("{text}\n\n{title}")
            };
        }
    }
    let first_line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    item.title = truncate(first_line, 120);
    item.text = text;
    item.author = handle.to_string();
    let count = |k: &str| p.get(k).and_then(Value::as_i64);
    item.metrics = Metrics {
        score: None,
        comments: count("replyCount"),
        likes: count("likeCount"),
        reposts: match (count("repostCount"), count("quoteCount")) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        },
    };
    let mut labels = label_vals(p.get("labels"));
    labels.extend(label_vals(author.and_then(|a| a.get("labels"))));
    labels.extend(label_vals(record.pointer("/labels/values")));
    if labels.iter().any(|l| l == "spam") {
        item.reject = Some("labelled spam".into());
    } else if labels.iter().any(|l| l == "!hide" || l == "!takedown") {
        item.reject = Some("hidden by moderation label".into());
    }
    item.nsfw = labels
        .iter()
        .any(|l| matches!(l.as_str(), "porn" | "sexual" | "nudity" | "graphic-media"));
    Some(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facets_use_utf8_byte_offsets() {
        // "Café 🚀 " is 11 bytes: é is 2, the rocket 4.
        let text = "Café 🚀 example.com/tech/2026/1... more";
        let start = "Café 🚀 ".len();
        let end = start + "example.com/tech/2026/1...".len();
        let facets = json!([{"index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/tech/2026/11/chips"}]}]);
        let (out, links) = expand_link_facets(text, Some(&facets));
        assert_eq!(out, "Café 🚀 https://example.com/tech/2026/11/chips more");
        assert_eq!(links, vec!["https://example.com/tech/2026/11/chips"]);
        // Offsets inside a multi-byte char are ignored, not a panic.
        let bad = json!([{"index": {"byteStart": 4, "byteEnd": 6}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "x"}]}]);
        assert_eq!(expand_link_facets(text, Some(&bad)).0, text);
    }

    #[test]
    fn web_url_from_at_uri() {
        assert_eq!(
            web_url("at://did:plc:abc/app.bsky.feed.post/3mxpvx3sowcap").unwrap(),
            "https://bsky.app/profile/did:plc:abc/post/3mxpvx3sowcap"
        );
    }
}
