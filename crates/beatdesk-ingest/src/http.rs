//! The HTTP layer every source uses: one reqwest client with a descriptive
//! User-Agent, proxies from HTTP_PROXY/HTTPS_PROXY/NO_PROXY, capped response
//! size and time, conditional GET, and bounded retries that honour
//! `Retry-After`, Reddit's `x-ratelimit-*` (reset in seconds) and Bluesky's
//! `ratelimit-*` (reset as an epoch). Waits are capped by `max_wait`, so tests
//! stay fast while still checking what the server asked for (`Http::waits`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::{IngestError, Result};
use crate::guard::{literal_host_reason, GuardedResolver, NameLookup, REFUSED};
use crate::normalize::truncate;

pub const USER_AGENT: &str = "desktop:beatdesk:0.1 (by /u/beatdesk)";

#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub user_agent: String,
    /// Whole request, body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_body_bytes: usize,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub backoff_base: Duration,
    /// No single wait (Retry-After, rate-limit reset, back-off) lasts longer than this.
    pub max_wait: Duration,
    /// Honour HTTP_PROXY / HTTPS_PROXY / NO_PROXY (reqwest reads them).
    pub env_proxy: bool,
    /// A proxy for every request (wins over the environment), e.g. `http://127.0.0.1:3128`.
    pub proxy: Option<String>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            user_agent: USER_AGENT.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 8 * 1024 * 1024,
            max_attempts: 4,
            backoff_base: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
            env_proxy: true,
            proxy: None,
        }
    }
}

impl HttpOptions {
    /// Fast settings for tests against a local replay server: no proxy,
    /// short timeouts, waits capped at 20 ms.
    pub fn for_tests() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
            backoff_base: Duration::from_millis(1),
            max_wait: Duration::from_millis(20),
            max_attempts: 3,
            env_proxy: false,
            ..HttpOptions::default()
        }
    }
}

/// What a request expects back; decides how an unexpected body is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Json,
    Xml,
    Html,
}

#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
    pub expect: Expect,
}

impl Request {
    pub fn get(url: impl Into<String>, expect: Expect) -> Request {
        Request {
            method: Method::GET,
            url: url.into(),
            headers: Vec::new(),
            body: Body::None,
            expect,
        }
    }

    pub fn post_json(url: impl Into<String>, body: serde_json::Value) -> Request {
        Request {
            method: Method::POST,
            url: url.into(),
            headers: Vec::new(),
            body: Body::Json(body),
            expect: Expect::Json,
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Request {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds If-None-Match / If-Modified-Since from stored validators.
    pub fn conditional(mut self, etag: Option<&str>, last_modified: Option<&str>) -> Request {
        if let Some(e) = etag {
            self.headers.push(("if-none-match", e.to_string()));
        }
        if let Some(l) = last_modified {
            self.headers.push(("if-modified-since", l.to_string()));
        }
        self
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The final URL after redirects.
    pub url: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub expect: Expect,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn not_modified(&self) -> bool {
        self.status == 304
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn looks_like_html(&self) -> bool {
        let head = &self.body[..self.body.len().min(512)];
        let s = String::from_utf8_lossy(head)
            .trim_start()
            .to_ascii_lowercase();
        s.starts_with("<!doctype html")
            || s.starts_with("<html")
            || (s.starts_with('<') && s.contains("<body"))
    }

    /// A short description of an HTML body: Reddit's block page is named as
    /// such, otherwise the page `<title>`.
    fn html_detail(&self) -> (bool, String) {
        let text = self.text();
        let lower = text.to_ascii_lowercase();
        if lower.contains("whoa there, pardner") {
            return (
                true,
                "Reddit's \"whoa there, pardner!\" block page: it refuses this network or User-Agent; \
                 configure Reddit API credentials (`beatdesk account set reddit`) or try later"
                    .into(),
            );
        }
        let title = lower
            .find("<title>")
            .and_then(|s| {
                lower[s + 7..]
                    .find("</title>")
                    .map(|e| text[s + 7..s + 7 + e].trim().to_string())
            })
            .unwrap_or_default();
        (
            false,
            if title.is_empty() {
                "an HTML page".into()
            } else {
                format!("page titled {:?}", truncate(&title, 80))
            },
        )
    }

    /// A clear error for a non-success status (or an HTML page where JSON was expected).
    pub fn error(&self) -> IngestError {
        let url = display_url(&self.url);
        if self.expect == Expect::Json && self.looks_like_html() {
            let (blocked, detail) = self.html_detail();
            if blocked || self.status == 403 {
                return IngestError::Blocked {
                    url,
                    status: self.status,
                    detail,
                };
            }
            return IngestError::HtmlInsteadOfJson {
                url,
                status: self.status,
                detail,
            };
        }
        let body = self.text();
        let detail = match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(v) => {
                let e = v
                    .get("error")
                    .map(|e| e.to_string().trim_matches('"').to_string());
                let m = v.get("message").and_then(|m| m.as_str()).map(String::from);
                match (e, m) {
                    (Some(e), Some(m)) => format!("{e}: {m}"),
                    (Some(e), None) => e,
                    (None, Some(m)) => m,
                    _ => truncate(&body, 200),
                }
            }
            Err(_) => truncate(body.trim(), 200),
        };
        IngestError::Status {
            url,
            status: self.status,
            detail,
        }
    }

    /// Parses a JSON body. HTML where JSON was expected and error statuses
    /// become clear errors, never a panic or an empty result.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        if !(200..300).contains(&self.status) || self.looks_like_html() {
            return Err(self.error());
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| IngestError::parse(format!("JSON from {}", display_url(&self.url)), e))
    }
}

/// The URL without its query string, for messages (queries can be long; no secrets go in URLs anyway).
pub fn display_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_string(),
    }
}

pub struct Http {
    client: reqwest::Client,
    opts: HttpOptions,
    /// Every wait the servers asked for or back-off chose (before capping).
    waits: Mutex<Vec<Duration>>,
    /// Per host: do not send before this instant (rate-limit windows).
    gates: Mutex<HashMap<String, Instant>>,
    /// Cached bearer tokens (Reddit app-only OAuth), by key.
    pub(crate) tokens: Mutex<HashMap<String, (String, Instant)>>,
    /// Refuses private addresses (links found in records).
    guarded: bool,
}

/// Host names of the proxies in use: the guard leaves them alone.
fn proxy_hosts(opts: &HttpOptions) -> Vec<String> {
    let mut urls: Vec<String> = opts.proxy.iter().cloned().collect();
    if opts.env_proxy {
        for k in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            if let Ok(v) = std::env::var(k) {
                urls.push(v);
            }
        }
    }
    urls.iter()
        .filter_map(|u| {
            let u = if u.contains("://") {
                u.clone()
            } else {
                format!("http://{u}")
            };
            url::Url::parse(&u)
                .ok()?
                .host_str()
                .map(str::to_ascii_lowercase)
        })
        .collect()
}

impl Http {
    pub fn new(opts: HttpOptions) -> Result<Http> {
        Http::build(opts, None)
    }

    /// A client for links found in records: names that resolve to private
    /// addresses are refused by `lookup`'s results, literal private hosts
    /// before sending and at every redirect.
    pub fn guarded(opts: HttpOptions, lookup: Arc<dyn NameLookup>) -> Result<Http> {
        Http::build(opts, Some(lookup))
    }

    fn build(opts: HttpOptions, guard: Option<Arc<dyn NameLookup>>) -> Result<Http> {
        let setup = |e: reqwest::Error| IngestError::Network {
            url: "(client setup)".into(),
            detail: e.to_string(),
        };
        let redirect = if guard.is_some() {
            reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() >= 8 {
                    return attempt.error("too many redirects");
                }
                match literal_host_reason(attempt.url()) {
                    Some(why) => attempt.error(format!("{REFUSED}: redirected to {why}")),
                    None => attempt.follow(),
                }
            })
        } else {
            reqwest::redirect::Policy::limited(8)
        };
        let mut b = reqwest::Client::builder()
            .user_agent(opts.user_agent.clone())
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirect(redirect);
        if !opts.env_proxy {
            b = b.no_proxy();
        }
        if let Some(p) = &opts.proxy {
            b = b.proxy(reqwest::Proxy::all(p).map_err(setup)?);
        }
        let guarded = guard.is_some();
        if let Some(lookup) = guard {
            b = b.dns_resolver(Arc::new(GuardedResolver {
                lookup,
                exempt: proxy_hosts(&opts),
            }));
        }
        let client = b.build().map_err(setup)?;
        Ok(Http {
            client,
            opts,
            waits: Mutex::default(),
            gates: Mutex::default(),
            tokens: Mutex::default(),
            guarded,
        })
    }

    pub fn options(&self) -> &HttpOptions {
        &self.opts
    }

    /// The waits requested so far (uncapped), oldest first.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    async fn wait(&self, d: Duration) {
        self.waits.lock().unwrap_or_else(|p| p.into_inner()).push(d);
        tokio::time::sleep(d.min(self.opts.max_wait)).await;
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.opts
            .backoff_base
            .saturating_mul(1u32 << attempt.min(10))
            .min(self.opts.max_wait.max(self.opts.backoff_base))
    }

    async fn pass_gate(&self, host: &str) {
        let until = self
            .gates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(host)
            .copied();
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                self.wait(until - now).await;
            }
            // Waited (at most `max_wait`): the window is considered open again.
            self.gates
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(host);
        }
    }

    fn close_gate(&self, host: &str, d: Duration) {
        self.gates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(host.to_string(), Instant::now() + d);
    }

    /// Sends with retries. Returns any final response (including 4xx and
    /// 304) for the caller to interpret; errors only on network failure,
    /// exhausted rate limits / 5xx, or the size cap.
    pub async fn send(&self, req: &Request) -> Result<Response> {
        let host = url::Url::parse(&req.url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_default();
        let shown = display_url(&req.url);
        if carries_secret(req) && !url::Url::parse(&req.url).is_ok_and(|u| secure_for_secrets(&u)) {
            return Err(IngestError::Insecure { url: shown });
        }
        if self.guarded {
            let why = match url::Url::parse(&req.url) {
                Ok(u) => literal_host_reason(&u),
                Err(e) => Some(format!("not a URL ({e})")),
            };
            if let Some(why) = why {
                return Err(IngestError::PrivateAddress {
                    url: shown,
                    detail: why,
                });
            }
        }
        let mut last_err = None;
        for attempt in 1..=self.opts.max_attempts.max(1) {
            self.pass_gate(&host).await;
            let mut rb = self.client.request(req.method.clone(), &req.url);
            for (k, v) in &req.headers {
                if let (Ok(name), Ok(val)) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    rb = rb.header(name, val);
                }
            }
            rb = match req.expect {
                Expect::Json => rb.header("accept", "application/json"),
                Expect::Xml => rb.header(
                    "accept",
                    "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8",
                ),
                Expect::Html => {
                    rb.header("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
                }
            };
            rb = match &req.body {
                Body::None => rb,
                Body::Json(v) => rb.json(v),
                Body::Form(pairs) => rb.form(pairs),
            };
            let resp = match rb.send().await {
                Ok(r) => r,
                Err(e) => {
                    let detail = error_chain(&e);
                    // Retrying cannot help these: fail now, so the caller moves on.
                    if let Some(refused) = detail.find(REFUSED) {
                        return Err(IngestError::PrivateAddress {
                            url: shown,
                            detail: detail[refused + REFUSED.len()..]
                                .trim_start_matches(": ")
                                .to_string(),
                        });
                    }
                    if !e.is_timeout() && is_permanent(&detail) {
                        return Err(IngestError::Unreachable { url: shown, detail });
                    }
                    let err = if e.is_timeout() {
                        IngestError::Timeout {
                            url: shown.clone(),
                            secs: self.opts.timeout.as_secs_f64(),
                        }
                    } else {
                        IngestError::Network {
                            url: shown.clone(),
                            detail,
                        }
                    };
                    if (e.is_timeout() || e.is_connect() || e.is_request())
                        && attempt < self.opts.max_attempts
                    {
                        last_err = Some(err);
                        self.wait(self.backoff(attempt)).await;
                        continue;
                    }
                    return Err(err);
                }
            };
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let final_url = resp.url().to_string();
            self.note_rate_limits(&host, &headers);
            let body = match self.read_capped(resp, &shown).await {
                Ok(b) => b,
                Err(e @ IngestError::Timeout { .. }) if attempt < self.opts.max_attempts => {
                    last_err = Some(e);
                    self.wait(self.backoff(attempt)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let response = Response {
                status,
                url: final_url,
                headers,
                body,
                expect: req.expect,
            };
            let throttled = status == 429 || (status == 200 && is_reddit_429_body(&response.body));
            if throttled || status == 408 || (500..600).contains(&status) && status != 501 {
                let wait = server_wait(&response.headers).unwrap_or_else(|| self.backoff(attempt));
                if attempt < self.opts.max_attempts {
                    self.wait(wait).await;
                    continue;
                }
                if throttled {
                    return Err(IngestError::RateLimited {
                        url: shown,
                        attempts: attempt,
                        wait: server_wait(&response.headers),
                    });
                }
                return Err(response.error());
            }
            return Ok(response);
        }
        Err(last_err.unwrap_or(IngestError::Network {
            url: shown,
            detail: "no attempt made".into(),
        }))
    }

    async fn read_capped(&self, mut resp: reqwest::Response, shown: &str) -> Result<Vec<u8>> {
        let limit = self.opts.max_body_bytes;
        if resp.content_length().is_some_and(|n| n as usize > limit) {
            return Err(IngestError::TooLarge {
                url: shown.to_string(),
                limit,
            });
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        return Err(IngestError::TooLarge {
                            url: shown.to_string(),
                            limit,
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) if e.is_timeout() => {
                    return Err(IngestError::Timeout {
                        url: shown.to_string(),
                        secs: self.opts.timeout.as_secs_f64(),
                    })
                }
                Err(e) => {
                    return Err(IngestError::Network {
                        url: shown.to_string(),
                        detail: error_chain(&e),
                    })
                }
            }
        }
    }

    /// Closes the host's gate when a window is used up, so the next request waits.
    fn note_rate_limits(&self, host: &str, h: &HeaderMap) {
        let num = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|s| s.trim().parse::<f64>().ok())
        };
        // Reddit: remaining (a float string) and reset in seconds.
        if let (Some(rem), Some(reset)) = (num("x-ratelimit-remaining"), num("x-ratelimit-reset")) {
            if rem < 1.0 {
                self.close_gate(host, Duration::from_secs_f64(reset.max(0.0)));
            }
        }
        // Bluesky: remaining and reset as absolute epoch seconds.
        if let (Some(rem), Some(reset)) = (num("ratelimit-remaining"), num("ratelimit-reset")) {
            if rem < 1.0 {
                self.close_gate(host, until_epoch(reset));
            }
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Whether a secret (password, client secret, token) may travel to `url`:
/// over https, or over plain http only to this machine.
pub fn secure_for_secrets(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                d == "localhost" || d.ends_with(".localhost")
            }
            None => false,
        },
        _ => false,
    }
}

/// Whether a request carries a secret: an Authorization header, or a JSON
/// body with a password (Bluesky's createSession).
fn carries_secret(req: &Request) -> bool {
    req.headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        || matches!(&req.body, Body::Json(v) if v.get("password").is_some())
}

/// Failures that another attempt in the same run will not fix: the name does
/// not resolve, nothing listens, the proxy refuses the tunnel, TLS fails.
pub fn is_permanent(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "no address found",
        "connection refused",
        "unsuccessful tunnel",
        "tunnel error",
        "proxy authentication required",
        "invalid certificate",
        "invalid peer certificate",
        "certificate",
        "tls handshake",
        "handshake failure",
        "unknown issuer",
        "invalid dns name",
    ]
    .iter()
    .any(|p| d.contains(p))
}

fn until_epoch(epoch: f64) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    Duration::from_secs_f64((epoch - now).max(0.0))
}

/// How long the server asked us to wait: Retry-After (delta-seconds or an
/// HTTP-date), else Reddit's x-ratelimit-reset (seconds), else Bluesky's
/// ratelimit-reset (epoch).
pub fn server_wait(h: &HeaderMap) -> Option<Duration> {
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ra) = get("retry-after") {
        if let Ok(secs) = ra.parse::<f64>() {
            return Some(Duration::from_secs_f64(secs.max(0.0)));
        }
        if let Ok(t) = chrono::DateTime::parse_from_rfc2822(ra) {
            return Some(until_epoch(t.timestamp() as f64));
        }
    }
    if let Some(r) = get("x-ratelimit-reset").and_then(|s| s.parse::<f64>().ok()) {
        return Some(Duration::from_secs_f64(r.max(0.0)));
    }
    if let Some(r) = get("ratelimit-reset").and_then(|s| s.parse::<f64>().ok()) {
        return Some(until_epoch(r));
    }
    None
}

/// Reddit sometimes answers 200 with `{"message": "Too Many Requests", "error": 429}`.
fn is_reddit_429_body(body: &[u8]) -> bool {
    if body.len() > 256 || !body.windows(3).any(|w| w == b"429") {
        return false;
    }
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .is_some_and(|v| v.get("error").and_then(|e| e.as_i64()) == Some(429))
}
