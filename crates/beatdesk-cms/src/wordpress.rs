//! WordPress through its REST API with an application password (HTTP Basic).
//!
//! The API root is found once (`/wp-json/`, else `/?rest_route=` on plain
//! permalinks, where query parameters join with `&`). Tags and categories are
//! looked up or created by exact name; a `term_exists` answer names the id to
//! reuse. The story's marker rides in the content as an HTML comment so a
//! post whose creation reply was lost can be found again.

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::OnceCell;
use url::Url;

use crate::error::{CmsError, Result};
use crate::http::{parse_base, short, Http, Reply, RetryPolicy};
use crate::{Action, BoxFuture, Post, Published, Remote, Target, TargetKind};

const SYSTEM: &str = "WordPress";

pub struct WordPress {
    http: Http,
    base: Url,
    auth: String,
    user: String,
    root: OnceCell<Root>,
}

/// Where the REST routes live.
#[derive(Debug, Clone)]
enum Root {
    /// `https://site/wp-json/` + route.
    Pretty(Url),
    /// `https://site/?rest_route=/route&k=v`.
    Plain(Url),
}

impl WordPress {
    pub fn new(
        name: &str,
        url: &str,
        user: &str,
        app_password: &str,
        policy: RetryPolicy,
    ) -> Result<WordPress> {
        let base = parse_base(name, url)?;
        // Application passwords are shown in groups of four; the spaces are not part of it.
        let password: String = app_password.split_whitespace().collect();
        if password.is_empty() {
            return Err(CmsError::Config {
                target: name.into(),
                field: "secret".into(),
                problem: "the application password is empty".into(),
            });
        }
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        Ok(WordPress {
            http: Http::new(name, SYSTEM, policy)?,
            base,
            auth,
            user: user.to_string(),
            root: OnceCell::new(),
        })
    }

    async fn root(&self) -> Result<&Root> {
        self.root.get_or_try_init(|| self.discover()).await
    }

    async fn discover(&self) -> Result<Root> {
        let mut last = None;
        for attempt in 0..self.http.policy.attempts {
            match self.try_discover().await {
                Ok(r) => return Ok(r),
                Err(e) => match self.http.policy.next_delay(attempt, &e) {
                    Some(wait) => {
                        tokio::time::sleep(wait).await;
                        last = Some(e)
                    }
                    None => return Err(e),
                },
            }
        }
        Err(last.expect("at least one attempt"))
    }

    async fn try_discover(&self) -> Result<Root> {
        let pretty = self.base.join("wp-json/").expect("relative path");
        let reply = self
            .http
            .send(self.http.request(Method::GET, pretty.clone()))
            .await?;
        if reply.status.is_success() && is_index(&reply) {
            return Ok(Root::Pretty(pretty));
        }
        if let Some(e) = self.http.common_error(&reply) {
            return Err(e);
        }
        let mut plain = self.base.clone();
        plain.query_pairs_mut().append_pair("rest_route", "/");
        let reply = self
            .http
            .send(self.http.request(Method::GET, plain))
            .await?;
        if reply.status.is_success() && is_index(&reply) {
            return Ok(Root::Plain(self.base.clone()));
        }
        if let Some(e) = self.http.common_error(&reply) {
            return Err(e);
        }
        Err(self.http.protocol(format!(
            "no REST API at {}wp-json/ or {}?rest_route=/ (HTTP {}); is this a WordPress site with the REST API enabled?",
            self.base, self.base, reply.status.as_u16()
        )))
    }

    async fn endpoint(&self, route: &str, query: &[(&str, &str)]) -> Result<Url> {
        Ok(match self.root().await? {
            Root::Pretty(root) => {
                let mut u = root.join(route.trim_start_matches('/')).expect("route");
                if !query.is_empty() {
                    u.query_pairs_mut().extend_pairs(query);
                }
                u
            }
            Root::Plain(base) => {
                let mut u = base.clone();
                {
                    let mut q = u.query_pairs_mut();
                    q.append_pair("rest_route", &format!("/{}", route.trim_start_matches('/')));
                    q.extend_pairs(query);
                }
                u
            }
        })
    }

    async fn call(
        &self,
        method: Method,
        route: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Reply> {
        let url = self.endpoint(route, query).await?;
        let mut req = self
            .http
            .request(method, url)
            .header("Authorization", &self.auth)
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        self.http.send(req).await
    }

    /// A call retried on transient failures; only for requests safe to repeat.
    async fn call_retrying(
        &self,
        method: Method,
        route: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Reply> {
        self.http
            .retrying(|| self.call(method.clone(), route, query, body))
            .await
    }

    /// Reads a WordPress error body (`{code, message, data{status, params}}`) into our terms.
    fn error(&self, reply: &Reply) -> CmsError {
        if let Some(e) = self.http.common_error(reply) {
            return e;
        }
        let status = reply.status.as_u16();
        let body = reply.json().unwrap_or(Value::Null);
        let code = body["code"].as_str().unwrap_or("").to_string();
        let message = body["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| short(&reply.body));
        match status {
            401 | 403 => CmsError::Auth {
                target: self.http.target.clone(),
                system: SYSTEM.into(),
                status,
                code: code.clone(),
                hint: match code.as_str() {
                    "rest_cannot_publish" => format!("user {:?} may not publish; choose status draft or pending, or give the user the Editor role", self.user),
                    _ => format!(
                        "the application password for user {:?} is most likely wrong or revoked, or a server in front of WordPress strips the Authorization header ({message})",
                        self.user
                    ),
                },
            },
            404 if code == "rest_post_invalid_id" => CmsError::Gone {
                target: self.http.target.clone(),
                system: SYSTEM.into(),
                remote_id: String::new(),
            },
            400 | 404 | 409 | 413 | 422 => {
                // `data.params` names the field and what was wrong with it.
                let params = body["data"]["params"].as_object();
                let field = params.and_then(|p| p.keys().next().cloned());
                let detail = params
                    .and_then(|p| p.values().next())
                    .and_then(|v| v.as_str())
                    .map(|s| s.to_string())
                    .unwrap_or(message);
                CmsError::Rejected {
                    target: self.http.target.clone(),
                    system: SYSTEM.into(),
                    status,
                    code,
                    field,
                    detail,
                }
            }
            _ => self.http.http_error(reply, format!("{code} {message}").trim().to_string()),
        }
    }

    /// The id of the term with exactly this name, created when missing.
    async fn term_id(&self, taxonomy: &str, name: &str) -> Result<i64> {
        let reply = self
            .call_retrying(
                Method::GET,
                &format!("wp/v2/{taxonomy}"),
                &[("search", name), ("per_page", "100"), ("context", "edit")],
                None,
            )
            .await?;
        if !reply.status.is_success() {
            return Err(self.error(&reply));
        }
        let list = reply
            .json()
            .ok_or_else(|| self.http.protocol(format!("{taxonomy} list is not JSON")))?;
        for t in list.as_array().into_iter().flatten() {
            // Names come back HTML-escaped (`&amp;`).
            if t["name"].as_str().map(unescape).as_deref() == Some(name) {
                if let Some(id) = t["id"].as_i64() {
                    return Ok(id);
                }
            }
        }
        let reply = self
            .call_retrying(
                Method::POST,
                &format!("wp/v2/{taxonomy}"),
                &[],
                Some(&json!({ "name": name })),
            )
            .await?;
        let body = reply.json().unwrap_or(Value::Null);
        if reply.status.is_success() {
            return body["id"]
                .as_i64()
                .ok_or_else(|| self.http.protocol(format!("created {taxonomy} has no id")));
        }
        // Made meanwhile (or by a retried POST): WordPress names the existing term.
        if body["code"] == "term_exists" {
            if let Some(id) = body["data"]["term_id"].as_i64() {
                return Ok(id);
            }
        }
        Err(self.error(&reply))
    }

    async fn body_for(&self, post: &Post) -> Result<Value> {
        let mut tags = Vec::new();
        for t in dedup(&post.tags) {
            tags.push(self.term_id("tags", &t).await?);
        }
        let mut categories = Vec::new();
        for c in dedup(&post.categories) {
            categories.push(self.term_id("categories", &c).await?);
        }
        let mut body = json!({
            "title": post.title,
            "content": content_with_marker(post),
            "excerpt": post.excerpt.clone().unwrap_or_default(),
            "status": status_for(&post.status),
            "tags": tags,
        });
        if !categories.is_empty() {
            body["categories"] = json!(categories);
        }
        Ok(body)
    }

    /// The post carrying `marker`, in any status.
    pub async fn find_by_marker(&self, marker: &str) -> Result<Option<Remote>> {
        let reply = self
            .call_retrying(
                Method::GET,
                "wp/v2/posts",
                &[
                    ("search", marker),
                    ("status", "publish,future,draft,pending,private"),
                    ("context", "edit"),
                    ("per_page", "10"),
                ],
                None,
            )
            .await?;
        if !reply.status.is_success() {
            return Err(self.error(&reply));
        }
        let list = reply
            .json()
            .ok_or_else(|| self.http.protocol("post search is not JSON"))?;
        let needle = marker_comment(marker);
        Ok(list
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| {
                p["content"]["raw"]
                    .as_str()
                    .is_some_and(|c| c.contains(&needle))
            })
            .and_then(remote_of))
    }

    async fn create(&self, post: &Post) -> Result<Published> {
        let body = self.body_for(post).await?;
        let mut attempt = 0;
        let mut lost_reply = false;
        loop {
            // After a lost reply the post may exist: look before posting again.
            if lost_reply {
                if let Some(remote) = self.find_by_marker(&post.marker).await? {
                    let status = self
                        .status_of(&remote)
                        .await
                        .unwrap_or_else(|_| status_for(&post.status).to_string());
                    return Ok(Published {
                        action: Action::Create,
                        remote,
                        status,
                        recovered: true,
                    });
                }
            }
            let e = match self
                .call(Method::POST, "wp/v2/posts", &[], Some(&body))
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
        let body = self.body_for(post).await?;
        // An update sends the whole post again: repeating it is harmless.
        let reply = self
            .call_retrying(
                Method::POST,
                &format!("wp/v2/posts/{}", prior.id),
                &[],
                Some(&body),
            )
            .await?;
        if reply.status.is_success() {
            return self.published(Action::Update, &reply);
        }
        match self.error(&reply) {
            CmsError::Gone { target, system, .. } => Err(CmsError::Gone {
                target,
                system,
                remote_id: prior.id.clone(),
            }),
            e => Err(e),
        }
    }

    async fn status_of(&self, remote: &Remote) -> Result<String> {
        let reply = self
            .call_retrying(
                Method::GET,
                &format!("wp/v2/posts/{}", remote.id),
                &[("context", "edit")],
                None,
            )
            .await?;
        let v = reply.json().unwrap_or(Value::Null);
        v["status"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| self.error(&reply))
    }

    fn published(&self, action: Action, reply: &Reply) -> Result<Published> {
        let v = reply.json().ok_or_else(|| {
            self.http
                .protocol(format!("post reply is not JSON: {}", short(&reply.body)))
        })?;
        let remote = remote_of(&v).ok_or_else(|| self.http.protocol("post reply has no id"))?;
        Ok(Published {
            action,
            remote,
            status: v["status"].as_str().unwrap_or("").to_string(),
            recovered: false,
        })
    }
}

impl Target for WordPress {
    fn kind(&self) -> TargetKind {
        TargetKind::Wordpress
    }

    fn check(&self) -> BoxFuture<'_, Result<String>> {
        Box::pin(async move {
            // A wrong application password makes WordPress carry on anonymously;
            // only an authenticated-only route shows it (cms-servers.md W10).
            let reply = self
                .call_retrying(Method::GET, "wp/v2/users/me", &[("context", "edit")], None)
                .await?;
            if !reply.status.is_success() {
                return Err(self.error(&reply));
            }
            let v = reply
                .json()
                .ok_or_else(|| self.http.protocol("users/me is not JSON"))?;
            let name = v["name"]
                .as_str()
                .or(v["username"].as_str())
                .unwrap_or(&self.user);
            let can_publish = v["capabilities"]["publish_posts"]
                .as_bool()
                .unwrap_or(false);
            Ok(format!(
                "signed in to WordPress as {name}{}",
                if can_publish {
                    " (may publish)"
                } else {
                    " (may not publish: drafts and pending only)"
                }
            ))
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

/// The editor's word for a status, in WordPress's terms. Unknown values go
/// through as typed so WordPress itself says what it accepts.
pub fn status_for(status: &str) -> &str {
    match status {
        "published" => "publish",
        other => other,
    }
}

fn is_index(reply: &Reply) -> bool {
    reply
        .json()
        .is_some_and(|v| v.get("namespaces").is_some() || v.get("routes").is_some())
}

fn remote_of(v: &Value) -> Option<Remote> {
    Some(Remote {
        id: v["id"].as_i64()?.to_string(),
        url: v["link"].as_str().map(str::to_string),
        updated_at: v["modified_gmt"].as_str().map(str::to_string),
    })
}

pub fn marker_comment(marker: &str) -> String {
    format!("<!-- beatdesk:{marker} -->")
}

fn content_with_marker(post: &Post) -> String {
    format!(
        "{}\n{}\n",
        post.html.trim_end(),
        marker_comment(&post.marker)
    )
}

fn dedup(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = n.trim();
        if !n.is_empty() && !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#8217;", "\u{2019}")
        .replace("&amp;", "&")
}
