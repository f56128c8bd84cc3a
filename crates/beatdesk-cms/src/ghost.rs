//! Ghost through its Admin API: a fresh HS256 JWT per request (hex-decoded
//! secret, `kid`, `aud` `/admin/`), posts sent as HTML (`?source=html`).
//!
//! An update sends the `updated_at` of our last write; if someone else saved
//! the post since, Ghost answers 409 and the editor is told which fields
//! changed — nothing is overwritten. The story's marker is an internal tag
//! (`#beatdesk-…`), so a post whose creation reply was lost is found again.

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use url::Url;

use crate::error::{CmsError, Result};
use crate::http::{parse_base, short, Http, Reply, RetryPolicy};
use crate::{Action, BoxFuture, Post, Published, Remote, Target, TargetKind};

const SYSTEM: &str = "Ghost";
/// Ghost refuses a custom excerpt longer than this.
const EXCERPT_MAX: usize = 300;

pub struct Ghost {
    http: Http,
    api: Url,
    key_id: String,
    secret: Vec<u8>,
}

impl Ghost {
    pub fn new(name: &str, url: &str, admin_key: &str, policy: RetryPolicy) -> Result<Ghost> {
        let base = parse_base(name, url)?;
        let (key_id, secret) = parse_key(name, admin_key)?;
        Ok(Ghost {
            http: Http::new(name, SYSTEM, policy)?,
            api: base.join("ghost/api/admin/").expect("relative path"),
            key_id,
            secret,
        })
    }

    /// A token valid for five minutes from now.
    pub fn token(&self, now: i64) -> String {
        jwt(&self.key_id, &self.secret, now)
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        let url = self
            .api
            .join(path)
            .map_err(|e| self.http.protocol(format!("bad path {path}: {e}")))?;
        // The token's `iat` is checked against Ghost's clock: wall-clock time, not the app's Clock.
        let now = chrono::Utc::now().timestamp();
        let mut req = self
            .http
            .request(method, url)
            .header("Authorization", format!("Ghost {}", self.token(now)))
            .header("Accept-Version", "v5.0")
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        self.http.send(req).await
    }

    async fn call_retrying(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply> {
        self.http
            .retrying(|| self.call(method.clone(), path, body))
            .await
    }

    /// Reads `{"errors":[{message, context, type, details, property, code}]}` into our terms.
    fn error(&self, reply: &Reply) -> CmsError {
        if let Some(e) = self.http.common_error(reply) {
            return e;
        }
        let status = reply.status.as_u16();
        let body = reply.json().unwrap_or(Value::Null);
        let err = &body["errors"][0];
        let kind = err["type"].as_str().unwrap_or("").to_string();
        let code = err["code"].as_str().unwrap_or(&kind).to_string();
        let message = err["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| short(&reply.body));
        let context = err["context"].as_str().map(str::to_string);
        match (status, kind.as_str()) {
            (409, _) => CmsError::Collision {
                target: self.http.target.clone(),
                system: SYSTEM.into(),
                changed_fields: err["details"]["changedFields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                server_updated_at: err["details"]["serverUpdatedAt"].as_str().map(str::to_string),
            },
            (401, _) | (403, _) | (400, "BadRequestError") => CmsError::Auth {
                target: self.http.target.clone(),
                system: SYSTEM.into(),
                status,
                code: code.clone(),
                hint: match code.as_str() {
                    "UNKNOWN_ADMIN_API_KEY" => "Ghost does not know this Admin API key: it was deleted or belongs to another site; copy it again from Settings → Integrations".to_string(),
                    "INVALID_JWT" => format!("the Admin API key's secret is wrong, or this machine's clock is off ({message})"),
                    _ if status == 403 => "no credentials reached Ghost: a server in front of it may strip the Authorization header".to_string(),
                    _ => format!("{message}{}", context.map(|c| format!(" — {c}")).unwrap_or_default()),
                },
            },
            (404, _) => CmsError::Gone {
                target: self.http.target.clone(),
                system: SYSTEM.into(),
                remote_id: String::new(),
            },
            (400 | 422, _) => {
                // The reason is in `context`; `property` or the schema path names the field.
                let field = err["property"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| err["details"][0]["dataPath"].as_str().and_then(|p| p.rsplit('.').next()).map(str::to_string))
                    .or_else(|| err["details"][0]["params"]["missingProperty"].as_str().map(str::to_string));
                let mut detail = context.unwrap_or(message);
                if let Some(allowed) = err["details"][0]["params"]["allowedValues"].as_array() {
                    let list: Vec<&str> = allowed.iter().filter_map(|v| v.as_str()).collect();
                    detail.push_str(&format!(" Allowed: {}.", list.join(", ")));
                }
                CmsError::Rejected {
                    target: self.http.target.clone(),
                    system: SYSTEM.into(),
                    status,
                    code,
                    field,
                    detail,
                }
            }
            _ => self.http.http_error(reply, format!("{kind} {message}").trim().to_string()),
        }
    }

    fn body_for(&self, post: &Post, updated_at: Option<&str>) -> Value {
        let mut tags: Vec<Value> = Vec::new();
        for t in post.tags.iter().chain(post.categories.iter()) {
            let t = t.trim();
            if !t.is_empty() && !tags.iter().any(|v| v["name"] == t) {
                tags.push(json!({ "name": t }));
            }
        }
        // Internal tags start with `#`; readers never see them.
        tags.push(json!({ "name": marker_tag(&post.marker) }));
        let mut p = json!({
            "title": post.title,
            "html": post.html,
            "status": status_for(&post.status),
            "tags": tags,
        });
        if let Some(ex) = post.excerpt.as_deref().filter(|e| !e.trim().is_empty()) {
            p["custom_excerpt"] = json!(truncate(ex, EXCERPT_MAX));
        }
        if let Some(u) = updated_at {
            p["updated_at"] = json!(u);
        }
        json!({ "posts": [p] })
    }

    /// The post tagged with this story's marker, in any status.
    pub async fn find_by_marker(&self, marker: &str) -> Result<Option<Remote>> {
        let slug = marker_slug(marker);
        let path = format!("posts/?filter=tag:{slug}&limit=1&fields=id,url,updated_at,status");
        let reply = self.call_retrying(Method::GET, &path, None).await?;
        if !reply.status.is_success() {
            return Err(self.error(&reply));
        }
        let v = reply
            .json()
            .ok_or_else(|| self.http.protocol("post search is not JSON"))?;
        Ok(v["posts"]
            .as_array()
            .and_then(|a| a.first())
            .and_then(remote_of))
    }

    async fn create(&self, post: &Post) -> Result<Published> {
        let body = self.body_for(post, None);
        let mut attempt = 0;
        let mut lost_reply = false;
        loop {
            if lost_reply {
                if let Some(remote) = self.find_by_marker(&post.marker).await? {
                    return Ok(Published {
                        action: Action::Create,
                        remote,
                        status: status_for(&post.status).to_string(),
                        recovered: true,
                    });
                }
            }
            let e = match self
                .call(Method::POST, "posts/?source=html", Some(&body))
                .await
            {
                Ok(reply) if reply.status.is_success() => {
                    return self.published(Action::Create, &reply)
                }
                Ok(reply) => self.error(&reply),
                Err(e) => e,
            };
            lost_reply |= e.is_ambiguous();
            match self.http.policy.next_delay(attempt, &e) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(e),
            }
            attempt += 1;
        }
    }

    async fn update(&self, post: &Post, prior: &Remote) -> Result<Published> {
        let mut updated_at = prior.updated_at.clone();
        if updated_at.is_none() {
            // Recovered posts may lack it: read the current one (ours, just made).
            let reply = self
                .call_retrying(
                    Method::GET,
                    &format!("posts/{}/?fields=id,updated_at", prior.id),
                    None,
                )
                .await?;
            let v = reply.json().unwrap_or(Value::Null);
            updated_at = v["posts"][0]["updated_at"].as_str().map(str::to_string);
        }
        let body = self.body_for(post, updated_at.as_deref());
        let path = format!("posts/{}/?source=html", prior.id);
        let mut attempt = 0;
        loop {
            let e = match self.call(Method::PUT, &path, Some(&body)).await {
                Ok(reply) if reply.status.is_success() => {
                    return self.published(Action::Update, &reply)
                }
                Ok(reply) => self.error(&reply),
                Err(e) => e,
            };
            let e = match e {
                CmsError::Gone { target, system, .. } => CmsError::Gone {
                    target,
                    system,
                    remote_id: prior.id.clone(),
                },
                e => e,
            };
            match self.http.policy.next_delay(attempt, &e) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(e),
            }
            attempt += 1;
        }
    }

    fn published(&self, action: Action, reply: &Reply) -> Result<Published> {
        let v = reply.json().ok_or_else(|| {
            self.http
                .protocol(format!("post reply is not JSON: {}", short(&reply.body)))
        })?;
        let p = &v["posts"][0];
        let remote = remote_of(p).ok_or_else(|| self.http.protocol("post reply has no id"))?;
        Ok(Published {
            action,
            remote,
            status: p["status"].as_str().unwrap_or("").to_string(),
            recovered: false,
        })
    }
}

impl Target for Ghost {
    fn kind(&self) -> TargetKind {
        TargetKind::Ghost
    }

    fn check(&self) -> BoxFuture<'_, Result<String>> {
        Box::pin(async move {
            // Posts are not public to the Admin API without a valid token.
            let reply = self
                .call_retrying(Method::GET, "posts/?limit=1&fields=id", None)
                .await?;
            if !reply.status.is_success() {
                return Err(self.error(&reply));
            }
            let site = self.call_retrying(Method::GET, "site/", None).await.ok();
            let title = site
                .and_then(|r| r.json())
                .and_then(|v| v["site"]["title"].as_str().map(str::to_string));
            Ok(match title {
                Some(t) => format!("Ghost accepted the Admin API key (site {t:?})"),
                None => "Ghost accepted the Admin API key".to_string(),
            })
        })
    }

    fn publish<'a>(
        &'a self,
        post: &'a Post,
        prior: Option<&'a Remote>,
    ) -> BoxFuture<'a, Result<Published>> {
        Box::pin(async move {
            match prior {
                Some(p) => self.update(post, p).await,
                None => self.create(post).await,
            }
        })
    }
}

/// `id:secret` (hex). A key pasted from an integration response as
/// `id:id:secret` is read as `id:secret` (cms-servers.md G9).
pub fn parse_key(target: &str, key: &str) -> Result<(String, Vec<u8>)> {
    let bad = |problem: &str| CmsError::Config {
        target: target.to_string(),
        field: "secret".into(),
        problem: format!(
            "the Admin API key {problem}; it looks like 24 hex digits, a colon, then 64 hex digits"
        ),
    };
    let parts: Vec<&str> = key.trim().split(':').collect();
    let (id, secret) = match parts.as_slice() {
        [id, secret] => (*id, *secret),
        [id, again, secret] if id == again => (*id, *secret),
        _ => return Err(bad("is not id:secret")),
    };
    if id.is_empty() {
        return Err(bad("has an empty id"));
    }
    let secret = hex::decode(secret).map_err(|_| bad("has a secret that is not hex"))?;
    if secret.is_empty() {
        return Err(bad("has an empty secret"));
    }
    Ok((id.to_string(), secret))
}

/// An HS256 JWT for the Admin API, valid five minutes from `now`.
pub fn jwt(key_id: &str, secret: &[u8], now: i64) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = json!({ "alg": "HS256", "typ": "JWT", "kid": key_id });
    let claims = json!({ "iat": now, "exp": now + 300, "aud": "/admin/" });
    let signing_input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        b64.encode(mac.finalize().into_bytes())
    )
}

/// The editor's word for a status, in Ghost's terms (it has no "pending").
pub fn status_for(status: &str) -> &str {
    match status {
        "publish" => "published",
        "pending" => "draft",
        other => other,
    }
}

pub fn marker_tag(marker: &str) -> String {
    format!("#beatdesk-{marker}")
}

/// Ghost slugs internal tags as `hash-` + the rest.
fn marker_slug(marker: &str) -> String {
    format!("hash-beatdesk-{}", marker.to_ascii_lowercase())
}

fn remote_of(p: &Value) -> Option<Remote> {
    Some(Remote {
        id: p["id"].as_str()?.to_string(),
        url: p["url"].as_str().map(str::to_string),
        updated_at: p["updated_at"].as_str().map(str::to_string),
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_id_colon_hex_and_the_doubled_form_is_read_too() {
        let (id, secret) = parse_key("g", "6489f3c1a2b3c4d5e6f70812:0a0b").unwrap();
        assert_eq!(
            (id.as_str(), secret),
            ("6489f3c1a2b3c4d5e6f70812", vec![10, 11])
        );
        let (id, _) = parse_key("g", "abc:abc:0a0b").unwrap();
        assert_eq!(id, "abc");
        for bad in ["", "abc", "abc:xyz", ":0a0b", "a:b:0a0b"] {
            let e = parse_key("g", bad).unwrap_err().to_string();
            assert!(e.contains("target g: secret:"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_token_carries_kid_audience_and_five_minutes() {
        let t = jwt("kid1", &[1, 2, 3], 1_800_000_000);
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let dec = |s: &str| -> Value {
            serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(s)
                    .unwrap(),
            )
            .unwrap()
        };
        assert_eq!(
            dec(parts[0]),
            json!({"alg":"HS256","typ":"JWT","kid":"kid1"})
        );
        assert_eq!(
            dec(parts[1]),
            json!({"iat":1_800_000_000i64,"exp":1_800_000_300i64,"aud":"/admin/"})
        );
        // Signed with the decoded bytes, not the hex text: a different key gives another signature.
        assert_ne!(t, jwt("kid1", b"010203", 1_800_000_000));
    }
}
