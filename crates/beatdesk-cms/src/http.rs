//! One HTTP client for every target: time caps, the retry policy (timeouts,
//! 429 with `Retry-After` in seconds or as an HTTP date, 5xx), and turning a
//! reply into either a body or an error in the editor's terms.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use url::Url;

use crate::error::{CmsError, Result};

/// How long to wait and how often to try again.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// First back-off when the server names no wait; doubles each time.
    pub base_delay: Duration,
    /// No single wait is longer than this, whatever `Retry-After` says.
    pub max_delay: Duration,
    /// Whole request, connect to last byte.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before try `attempt + 1` after `err`, or `None` to give up.
    pub fn next_delay(&self, attempt: u32, err: &CmsError) -> Option<Duration> {
        if attempt + 1 >= self.attempts || !err.is_transient() {
            return None;
        }
        let wait = err
            .retry_after()
            .unwrap_or_else(|| self.base_delay.saturating_mul(1 << attempt.min(10)));
        Some(wait.min(self.max_delay))
    }
}

/// `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A reply that arrived, whatever its status.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// An HTML page where JSON was expected: a proxy or gateway answered.
    pub fn is_html(&self) -> bool {
        let ct = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        ct.contains("text/html") || self.body.trim_start().starts_with('<')
    }
}

/// The client and the names errors are reported under.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    pub target: String,
    pub system: &'static str,
    pub policy: RetryPolicy,
}

impl Http {
    pub fn new(target: &str, system: &'static str, policy: RetryPolicy) -> Result<Http> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("Beatdesk/", env!("CARGO_PKG_VERSION"), " (export)"))
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(10)))
            // A CMS that redirects a POST would turn it into a GET; report instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| CmsError::Config {
                target: target.to_string(),
                field: "http".into(),
                problem: e.to_string(),
            })?;
        Ok(Http {
            client,
            target: target.to_string(),
            system,
            policy,
        })
    }

    pub fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends once; any status comes back as a `Reply`, only transport failures as errors.
    pub async fn send(&self, req: RequestBuilder) -> Result<Reply> {
        let url = req
            .try_clone()
            .and_then(|r| r.build().ok())
            .map(|r| redact(r.url()))
            .unwrap_or_default();
        let resp = req.send().await.map_err(|e| self.transport(&url, e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.text().await.map_err(|e| self.transport(&url, e))?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    fn transport(&self, url: &str, e: reqwest::Error) -> CmsError {
        let timeout = e.is_timeout();
        let detail = if timeout {
            format!("no answer within {:?}", self.policy.timeout)
        } else if e.is_connect() {
            "the connection was refused or failed".to_string()
        } else {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(inner) = src {
                s.push_str(": ");
                s.push_str(&inner.to_string());
                src = inner.source();
            }
            s
        };
        CmsError::Unreachable {
            target: self.target.clone(),
            system: self.system.to_string(),
            url: url.to_string(),
            detail,
            timeout,
        }
    }

    /// Runs `call` until it answers without a common error, waiting as the
    /// policy says between tries; only for requests safe to repeat.
    pub async fn retrying<F, Fut>(&self, mut call: F) -> Result<Reply>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Reply>>,
    {
        let mut attempt = 0;
        loop {
            let e = match call().await {
                Ok(reply) => match self.common_error(&reply) {
                    Some(e) => e,
                    None => return Ok(reply),
                },
                Err(e) => e,
            };
            match self.policy.next_delay(attempt, &e) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(e),
            }
            attempt += 1;
        }
    }

    /// The errors every system shares: gateway pages, 429, 5xx. `None` for
    /// the statuses the caller reads itself.
    pub fn common_error(&self, reply: &Reply) -> Option<CmsError> {
        let status = reply.status.as_u16();
        let wait = retry_after(&reply.headers, SystemTime::now());
        if matches!(status, 502..=504) && reply.is_html() {
            return Some(CmsError::Gateway {
                target: self.target.clone(),
                system: self.system.to_string(),
                status,
                retry_after: wait,
            });
        }
        if status == 429 || status >= 500 {
            return Some(CmsError::Http {
                target: self.target.clone(),
                system: self.system.to_string(),
                status,
                detail: short(&reply.body),
                retry_after: wait,
            });
        }
        None
    }

    pub fn protocol(&self, detail: impl Into<String>) -> CmsError {
        CmsError::Protocol {
            target: self.target.clone(),
            system: self.system.to_string(),
            detail: detail.into(),
        }
    }

    pub fn http_error(&self, reply: &Reply, detail: String) -> CmsError {
        CmsError::Http {
            target: self.target.clone(),
            system: self.system.to_string(),
            status: reply.status.as_u16(),
            detail,
            retry_after: None,
        }
    }
}

/// A URL fit for an error message: no user info, no query.
pub fn redact(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.to_string()
}

/// The first 200 characters of a body, on one line.
pub fn short(body: &str) -> String {
    let one: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 200 {
        format!("{}…", one.chars().take(200).collect::<String>())
    } else {
        one
    }
}

/// Secrets travel over https, or over http only to this machine.
pub fn check_transport(target: &str, url: &Url) -> Result<()> {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(CmsError::Config {
            target: target.to_string(),
            field: "url".into(),
            problem: format!(
                "{} is plain http: credentials are only sent over https (or http to this machine)",
                redact(url)
            ),
        }),
        other => Err(CmsError::Config {
            target: target.to_string(),
            field: "url".into(),
            problem: format!("scheme {other:?} is not http(s)"),
        }),
    }
}

/// Parses a target's base URL, reporting the target and field.
pub fn parse_base(target: &str, url: &str) -> Result<Url> {
    let mut u = Url::parse(url.trim()).map_err(|e| CmsError::Config {
        target: target.to_string(),
        field: "url".into(),
        problem: format!("{url:?} is not a URL: {e}"),
    })?;
    check_transport(target, &u)?;
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    u.set_query(None);
    u.set_fragment(None);
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Wed, 02 Dec 2026 03:00:00 GMT").unwrap();
        assert_eq!(
            retry_after(&headers("7"), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers("Wed, 02 Dec 2026 03:00:12 GMT"), now),
            Some(Duration::from_secs(12))
        );
        // A date already past means "now", not an error.
        assert_eq!(
            retry_after(&headers("Wed, 02 Dec 2026 02:59:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers("soon"), now), None);
    }

    #[test]
    fn policy_caps_waits_and_stops_on_permanent_errors() {
        let p = RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            timeout: Duration::from_secs(1),
        };
        let busy = CmsError::Http {
            target: "t".into(),
            system: "X".into(),
            status: 429,
            detail: String::new(),
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert_eq!(p.next_delay(0, &busy), Some(Duration::from_secs(2)));
        assert_eq!(p.next_delay(2, &busy), None, "attempts are capped");
        let auth = CmsError::Auth {
            target: "t".into(),
            system: "X".into(),
            status: 401,
            code: "x".into(),
            hint: String::new(),
        };
        assert_eq!(p.next_delay(0, &auth), None);
        let down = CmsError::Unreachable {
            target: "t".into(),
            system: "X".into(),
            url: String::new(),
            detail: String::new(),
            timeout: true,
        };
        assert_eq!(p.next_delay(1, &down), Some(Duration::from_millis(200)));
    }

    #[test]
    fn secrets_never_go_over_plain_http_to_another_machine() {
        assert!(parse_base("t", "http://127.0.0.1:8080").is_ok());
        assert!(parse_base("t", "http://localhost/blog").is_ok());
        assert!(parse_base("t", "https://news.example.org").is_ok());
        let err = parse_base("t", "http://news.example.org").unwrap_err();
        assert!(err.to_string().contains("plain http"), "{err}");
        assert!(parse_base("t", "ftp://x").is_err());
        assert_eq!(
            parse_base("t", "http://127.0.0.1:8080/blog")
                .unwrap()
                .path(),
            "/blog/"
        );
    }
}
