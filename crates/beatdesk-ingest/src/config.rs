//! A beat's configuration in TOML: beat-level settings and `[[source]]` entries.
//!
//! ```toml
//! window_days = 7          # ignore items older than this
//! allow_nsfw = false
//! refresh_minutes = 30
//! max_web_citations = 5    # per citing record / story
//! allow_private_links = false  # fetch links in records that point at private addresses
//!
//! [[source]]
//! kind = "reddit"
//! subreddit = "LocalLLaMA"
//! query = "quantization"   # optional: search within the subreddit
//!
//! [[source]]
//! kind = "bluesky"
//! query = "open weights"   # or: actor = "news.example.org"
//! handle = "desk.example.org"
//!
//! [[source]]
//! kind = "feed"
//! url = "https://example.org/feed.xml"
//! ```

use serde_json::{json, Map, Value};

use crate::error::{IngestError, Result};

pub const DEFAULT_REDDIT_BASE: &str = "https://www.reddit.com";
pub const DEFAULT_REDDIT_OAUTH_BASE: &str = "https://oauth.reddit.com";
pub const DEFAULT_BLUESKY_BASE: &str = "https://bsky.social";
/// Items fetched per networked source per run unless `limit` says otherwise.
pub const DEFAULT_SOURCE_LIMIT: usize = 100;

/// One configured source.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceConfig {
    Reddit {
        subreddit: String,
        query: Option<String>,
        base_url: String,
        /// Where API calls go once signed in with OAuth (default oauth.reddit.com,
        /// or `base_url` when that was changed, so mirrors and tests work).
        oauth_base_url: Option<String>,
        limit: usize,
    },
    Bluesky {
        query: Option<String>,
        actor: Option<String>,
        handle: String,
        base_url: String,
        limit: usize,
    },
    Feed {
        url: String,
    },
}

impl SourceConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            SourceConfig::Reddit { .. } => "reddit",
            SourceConfig::Bluesky { .. } => "bluesky",
            SourceConfig::Feed { .. } => "feed",
        }
    }

    /// A short human label: `r/LocalLLaMA`, `bluesky search "x"`, the feed URL.
    pub fn label(&self) -> String {
        match self {
            SourceConfig::Reddit {
                subreddit,
                query: None,
                ..
            } => format!("r/{subreddit}"),
            SourceConfig::Reddit {
                subreddit,
                query: Some(q),
                ..
            } => format!("r/{subreddit} search \"{q}\""),
            SourceConfig::Bluesky { query: Some(q), .. } => format!("bluesky search \"{q}\""),
            SourceConfig::Bluesky { actor: Some(a), .. } => format!("bluesky @{a}"),
            SourceConfig::Bluesky { .. } => "bluesky".into(),
            SourceConfig::Feed { url } => url.clone(),
        }
    }

    /// The parameters as stored in `sources.params` (only what the user set,
    /// plus normalised defaults, so that editing the TOML keeps fetch state).
    pub fn params(&self) -> Value {
        let mut m = Map::new();
        match self {
            SourceConfig::Reddit {
                subreddit,
                query,
                base_url,
                oauth_base_url,
                limit,
            } => {
                m.insert("subreddit".into(), json!(subreddit));
                if let Some(q) = query {
                    m.insert("query".into(), json!(q));
                }
                m.insert("base_url".into(), json!(base_url));
                if let Some(o) = oauth_base_url {
                    m.insert("oauth_base_url".into(), json!(o));
                }
                m.insert("limit".into(), json!(limit));
            }
            SourceConfig::Bluesky {
                query,
                actor,
                handle,
                base_url,
                limit,
            } => {
                if let Some(q) = query {
                    m.insert("query".into(), json!(q));
                }
                if let Some(a) = actor {
                    m.insert("actor".into(), json!(a));
                }
                m.insert("handle".into(), json!(handle));
                m.insert("base_url".into(), json!(base_url));
                m.insert("limit".into(), json!(limit));
            }
            SourceConfig::Feed { url } => {
                m.insert("url".into(), json!(url));
            }
        }
        Value::Object(m)
    }

    /// Rebuilds a source from a stored row (`kind` + `params`).
    pub fn from_params(kind: &str, params: &Value) -> Result<SourceConfig> {
        let table = match params {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        let mut t = toml::Table::new();
        t.insert("kind".into(), toml::Value::String(kind.into()));
        for (k, v) in table {
            let tv = match v {
                Value::String(s) => toml::Value::String(s),
                Value::Number(n) => toml::Value::Integer(n.as_i64().unwrap_or(0)),
                Value::Bool(b) => toml::Value::Boolean(b),
                _ => continue,
            };
            t.insert(k, tv);
        }
        parse_source(&format!("stored {kind} source"), &t)
    }
}

/// A beat's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct BeatConfig {
    pub window_days: u32,
    pub allow_nsfw: bool,
    pub refresh_minutes: u32,
    pub max_web_citations: u32,
    /// Fetch links found in records even when they point at loopback, private,
    /// link-local or metadata addresses. Off by default: a hostile post must not
    /// make the reporter's machine probe its own network. Tests on 127.0.0.1 set it.
    pub allow_private_links: bool,
    pub sources: Vec<SourceConfig>,
}

impl Default for BeatConfig {
    fn default() -> Self {
        BeatConfig {
            window_days: 7,
            allow_nsfw: false,
            refresh_minutes: 30,
            max_web_citations: 5,
            allow_private_links: false,
            sources: Vec::new(),
        }
    }
}

const BEAT_KEYS: &[&str] = &[
    "window_days",
    "allow_nsfw",
    "refresh_minutes",
    "max_web_citations",
    "allow_private_links",
    "source",
    "name",
    "description",
    // Read by the core: which model providers may see this beat's records.
    "policy",
];

impl BeatConfig {
    /// Parses the TOML text. Errors name the source (by 1-based index and kind),
    /// the field and the problem.
    pub fn parse(text: &str) -> Result<BeatConfig> {
        let table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| IngestError::Config {
                    location: "beat configuration".into(),
                    field: "(syntax)".into(),
                    problem: e.message().to_string() + &line_hint(text, e.span()),
                })?;
        let beat = |field: &str, problem: String| IngestError::Config {
            location: "beat configuration".into(),
            field: field.into(),
            problem,
        };
        if let Some(k) = table.keys().find(|k| !BEAT_KEYS.contains(&k.as_str())) {
            return Err(beat(
                k,
                format!(
                    "unknown setting (expected one of {})",
                    BEAT_KEYS[..5].join(", ")
                ),
            ));
        }
        let mut cfg = BeatConfig::default();
        let int = |field: &str, min: i64, max: i64| -> Result<Option<u32>> {
            match table.get(field) {
                None => Ok(None),
                Some(toml::Value::Integer(n)) if (min..=max).contains(n) => Ok(Some(*n as u32)),
                Some(toml::Value::Integer(n)) => {
                    Err(beat(field, format!("{n} is out of range {min}..={max}")))
                }
                Some(v) => Err(beat(
                    field,
                    format!("expected a whole number, found {}", v.type_str()),
                )),
            }
        };
        if let Some(n) = int("window_days", 1, 3650)? {
            cfg.window_days = n;
        }
        if let Some(n) = int("refresh_minutes", 1, 7 * 24 * 60)? {
            cfg.refresh_minutes = n;
        }
        if let Some(n) = int("max_web_citations", 0, 100)? {
            cfg.max_web_citations = n;
        }
        let flag = |field: &str| -> Result<Option<bool>> {
            match table.get(field) {
                None => Ok(None),
                Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
                Some(v) => Err(beat(
                    field,
                    format!("expected true or false, found {}", v.type_str()),
                )),
            }
        };
        if let Some(b) = flag("allow_nsfw")? {
            cfg.allow_nsfw = b;
        }
        if let Some(b) = flag("allow_private_links")? {
            cfg.allow_private_links = b;
        }
        match table.get("source") {
            None => {}
            Some(toml::Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let loc = format!("source #{}", i + 1);
                    let t = item.as_table().ok_or_else(|| IngestError::Config {
                        location: loc.clone(),
                        field: "(entry)".into(),
                        problem: "expected a [[source]] table".into(),
                    })?;
                    cfg.sources.push(parse_source(&loc, t)?);
                }
            }
            Some(_) => return Err(beat("source", "use [[source]] tables".into())),
        }
        Ok(cfg)
    }

    /// `(kind, params)` pairs for `beatdesk_store::sources::replace_for_beat`.
    pub fn to_source_rows(&self) -> Vec<(String, Value)> {
        self.sources
            .iter()
            .map(|s| (s.kind().to_string(), s.params()))
            .collect()
    }
}

fn line_hint(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(r) => format!(
            " (line {})",
            text[..r.start.min(text.len())].lines().count().max(1)
        ),
        None => String::new(),
    }
}

fn parse_source(loc: &str, t: &toml::Table) -> Result<SourceConfig> {
    let kind = match t.get("kind") {
        Some(toml::Value::String(k)) => k.as_str(),
        Some(v) => {
            return Err(cfg_err(
                loc,
                "kind",
                format!("expected a string, found {}", v.type_str()),
            ))
        }
        None => {
            return Err(cfg_err(
                loc,
                "kind",
                "missing (one of reddit, bluesky, feed)".into(),
            ))
        }
    };
    let loc = format!("{loc} ({kind})");
    let allowed: &[&str] = match kind {
        "reddit" => &[
            "kind",
            "subreddit",
            "query",
            "base_url",
            "oauth_base_url",
            "limit",
        ],
        "bluesky" => &["kind", "query", "actor", "handle", "base_url", "limit"],
        "feed" => &["kind", "url"],
        other => {
            return Err(cfg_err(
                &loc,
                "kind",
                format!("unknown kind {other:?} (expected reddit, bluesky or feed)"),
            ));
        }
    };
    if let Some(k) = t.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(cfg_err(
            &loc,
            k,
            format!(
                "not a {kind} setting (expected one of {})",
                allowed[1..].join(", ")
            ),
        ));
    }
    let s = |field: &str| -> Result<Option<String>> {
        match t.get(field) {
            None => Ok(None),
            Some(toml::Value::String(v)) if v.trim().is_empty() => {
                Err(cfg_err(&loc, field, "is empty".into()))
            }
            Some(toml::Value::String(v)) => Ok(Some(v.trim().to_string())),
            Some(v) => Err(cfg_err(
                &loc,
                field,
                format!("expected a string, found {}", v.type_str()),
            )),
        }
    };
    let url_field = |field: &str, default: Option<&str>| -> Result<Option<String>> {
        let Some(v) = s(field)?.or(default.map(String::from)) else {
            return Ok(None);
        };
        match url::Url::parse(&v) {
            Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {
                Ok(Some(v.trim_end_matches('/').to_string()))
            }
            Ok(u) => Err(cfg_err(
                &loc,
                field,
                format!("scheme {:?} is not http or https", u.scheme()),
            )),
            Err(e) => Err(cfg_err(&loc, field, format!("{v:?} is not a URL: {e}"))),
        }
    };
    let limit = match t.get("limit") {
        None => DEFAULT_SOURCE_LIMIT,
        Some(toml::Value::Integer(n)) if (1..=10_000).contains(n) => *n as usize,
        Some(v) => {
            return Err(cfg_err(
                &loc,
                "limit",
                format!("expected a number 1..=10000, found {v}"),
            ))
        }
    };
    match kind {
        "reddit" => {
            let sub =
                s("subreddit")?.ok_or_else(|| cfg_err(&loc, "subreddit", "missing".into()))?;
            let sub = sub
                .trim_start_matches("/r/")
                .trim_start_matches("r/")
                .to_string();
            if !sub
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
            {
                return Err(cfg_err(
                    &loc,
                    "subreddit",
                    format!("{sub:?} is not a subreddit name"),
                ));
            }
            Ok(SourceConfig::Reddit {
                subreddit: sub,
                query: s("query")?,
                base_url: url_field("base_url", Some(DEFAULT_REDDIT_BASE))?.unwrap_or_default(),
                oauth_base_url: url_field("oauth_base_url", None)?,
                limit,
            })
        }
        "bluesky" => {
            let (query, actor) = (s("query")?, s("actor")?);
            if query.is_some() == actor.is_some() {
                return Err(cfg_err(
                    &loc,
                    "query",
                    "set exactly one of `query` (search) or `actor` (an account's posts)".into(),
                ));
            }
            let handle = s("handle")?.ok_or_else(|| {
                cfg_err(
                    &loc,
                    "handle",
                    "missing: the account whose app password is in the keychain".into(),
                )
            })?;
            Ok(SourceConfig::Bluesky {
                query,
                actor: actor.map(|a| a.trim_start_matches('@').to_string()),
                handle: handle.trim_start_matches('@').to_string(),
                base_url: url_field("base_url", Some(DEFAULT_BLUESKY_BASE))?.unwrap_or_default(),
                limit,
            })
        }
        _ => {
            let url =
                url_field("url", None)?.ok_or_else(|| cfg_err(&loc, "url", "missing".into()))?;
            Ok(SourceConfig::Feed { url })
        }
    }
}

fn cfg_err(loc: &str, field: &str, problem: String) -> IngestError {
    IngestError::Config {
        location: loc.to_string(),
        field: field.to_string(),
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_kinds_and_round_trips_params() {
        let cfg = BeatConfig::parse(
            r#"
window_days = 3
allow_nsfw = true
[[source]]
kind = "reddit"
subreddit = "r/LocalLLaMA"
[[source]]
kind = "bluesky"
actor = "@news.example.org"
handle = "desk.example.org"
[[source]]
kind = "feed"
url = "https://example.org/feed/"
"#,
        )
        .unwrap();
        assert_eq!(cfg.window_days, 3);
        assert!(cfg.allow_nsfw);
        assert!(!cfg.allow_private_links, "private links are refused by default");
        let on = BeatConfig::parse("allow_private_links = true").unwrap();
        assert!(on.allow_private_links);
        let e = BeatConfig::parse("allow_private_links = 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`allow_private_links`: expected true or false"), "{e}");
        assert_eq!(cfg.sources.len(), 3);
        for (kind, params) in cfg.to_source_rows() {
            let back = SourceConfig::from_params(&kind, &params).unwrap();
            assert!(cfg.sources.contains(&back), "{back:?}");
        }
        assert_eq!(cfg.sources[0].label(), "r/LocalLLaMA");
    }

    #[test]
    fn errors_name_source_field_and_problem() {
        let e = BeatConfig::parse("[[source]]\nkind = \"feed\"\n\n[[source]]\nkind = \"reddit\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "source #1 (feed): field `url`: missing");
        let e = BeatConfig::parse("[[source]]\nkind = \"reddit\"\nsubreddit = 5\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("source #1 (reddit): field `subreddit`: expected a string"),
            "{e}"
        );
        let e = BeatConfig::parse("[[source]]\nkind = \"feed\"\nurl = \"ftp://x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`url`") && e.contains("ftp"), "{e}");
        let e = BeatConfig::parse("[[source]]\nkind = \"bluesky\"\nhandle = \"a\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("exactly one of"), "{e}");
        let e = BeatConfig::parse("[[source]]\nkind = \"mastodon\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown kind \"mastodon\""), "{e}");
        let e = BeatConfig::parse("window_days = \"x\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`window_days`"), "{e}");
        let e = BeatConfig::parse(
            "[[source]]\nkind = \"feed\"\nurl = \"https://x\"\nsubreddit = \"y\"",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("field `subreddit`: not a feed setting"), "{e}");
        let e = BeatConfig::parse("window_days = ").unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
