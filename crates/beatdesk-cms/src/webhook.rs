//! A signed webhook per Standard Webhooks 1.0: `webhook-id`, `webhook-timestamp`
//! and `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`,
//! with the key from a `whsec_<base64>` secret. The id stays the same across
//! retries (receivers dedupe on it); each try gets a fresh timestamp.
//!
//! `Receiver` is the other side, for tests and for anyone embedding Beatdesk:
//! it checks the signature, refuses timestamps more than five minutes off and
//! refuses an id it has already accepted (a replay).

use std::collections::HashSet;
use std::sync::Mutex;

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use url::Url;

use crate::error::{CmsError, Result};
use crate::http::{parse_base, short, Http, RetryPolicy};
use crate::{Action, BoxFuture, Post, Published, Remote, Target, TargetKind};

const SYSTEM: &str = "the webhook receiver";
/// Receivers refuse messages older or newer than this (seconds).
pub const TOLERANCE_SECS: i64 = 300;

pub struct Webhook {
    http: Http,
    url: Url,
    key: Vec<u8>,
}

impl Webhook {
    pub fn new(name: &str, url: &str, secret: &str, policy: RetryPolicy) -> Result<Webhook> {
        let mut u = parse_base(name, url)?;
        // The URL is the endpoint itself: keep it as typed, without the added slash.
        let parsed = Url::parse(url.trim()).expect("parsed above");
        u.set_path(parsed.path());
        u.set_query(parsed.query());
        let key = decode_secret(secret).map_err(|problem| CmsError::Config {
            target: name.to_string(),
            field: "secret".into(),
            problem,
        })?;
        Ok(Webhook {
            http: Http::new(name, SYSTEM, policy)?,
            url: u,
            key,
        })
    }

    /// The JSON body: the event, the status and the ninjs document.
    pub fn body(post: &Post, now: chrono::DateTime<chrono::Utc>) -> Value {
        json!({
            "type": format!("story.{}", post.event.as_str()),
            "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "data": {
                "event": post.event.as_str(),
                "status": post.status,
                "ninjs": post.ninjs,
            }
        })
    }

    async fn deliver(&self, post: &Post, prior: Option<&Remote>) -> Result<Published> {
        let body = Self::body(post, chrono::Utc::now()).to_string();
        let mut attempt = 0;
        loop {
            let ts = chrono::Utc::now().timestamp();
            let sig = sign(&self.key, &post.delivery_id, ts, body.as_bytes());
            let req = self
                .http
                .request(Method::POST, self.url.clone())
                .header("content-type", "application/json")
                .header("webhook-id", &post.delivery_id)
                .header("webhook-timestamp", ts.to_string())
                .header("webhook-signature", sig)
                .body(body.clone());
            let e = match self.http.send(req).await {
                Ok(reply) if reply.status.is_success() => {
                    return Ok(Published {
                        action: if prior.is_some() { Action::Update } else { Action::Create },
                        remote: Remote {
                            id: post.delivery_id.clone(),
                            url: Some(crate::http::redact(&self.url)),
                            updated_at: None,
                        },
                        status: post.status.clone(),
                        recovered: false,
                    })
                }
                Ok(reply) => match self.http.common_error(&reply) {
                    Some(e) => e,
                    None => match reply.status.as_u16() {
                        401 | 403 => CmsError::Auth {
                            target: self.http.target.clone(),
                            system: SYSTEM.into(),
                            status: reply.status.as_u16(),
                            code: String::new(),
                            hint: format!("the receiver did not accept the signature: the signing secret differs from the receiver's ({})", short(&reply.body)),
                        },
                        // 410 means "stop sending here"; other 4xx are not worth a retry either.
                        s => CmsError::Rejected {
                            target: self.http.target.clone(),
                            system: SYSTEM.into(),
                            status: s,
                            code: String::new(),
                            field: None,
                            detail: if s == 410 { "the endpoint is gone (HTTP 410); remove or change this target".into() } else { short(&reply.body) },
                        },
                    },
                },
                Err(e) => e,
            };
            match self.http.policy.next_delay(attempt, &e) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(e),
            }
            attempt += 1;
        }
    }
}

impl Target for Webhook {
    fn kind(&self) -> TargetKind {
        TargetKind::Webhook
    }

    fn check(&self) -> BoxFuture<'_, Result<String>> {
        Box::pin(async move {
            // A signed ping: the receiver answers 2xx only if the signature holds.
            // Timestamps are wall-clock on purpose: the receiver compares them with its own.
            let id = format!("msg_check_{}", chrono::Utc::now().timestamp_millis());
            let body =
                json!({ "type": "ping", "timestamp": chrono::Utc::now().to_rfc3339(), "data": {} })
                    .to_string();
            let ts = chrono::Utc::now().timestamp();
            let req = self
                .http
                .request(Method::POST, self.url.clone())
                .header("content-type", "application/json")
                .header("webhook-id", &id)
                .header("webhook-timestamp", ts.to_string())
                .header(
                    "webhook-signature",
                    sign(&self.key, &id, ts, body.as_bytes()),
                )
                .body(body);
            let reply = self.http.send(req).await?;
            if reply.status.is_success() {
                Ok(format!(
                    "the receiver accepted a signed ping (HTTP {})",
                    reply.status.as_u16()
                ))
            } else if let Some(e) = self.http.common_error(&reply) {
                Err(e)
            } else {
                Err(CmsError::Auth {
                    target: self.http.target.clone(),
                    system: SYSTEM.into(),
                    status: reply.status.as_u16(),
                    code: String::new(),
                    hint: format!("a signed ping was refused: {}", short(&reply.body)),
                })
            }
        })
    }

    fn publish<'a>(
        &'a self,
        post: &'a Post,
        prior: Option<&'a Remote>,
    ) -> BoxFuture<'a, Result<Published>> {
        Box::pin(self.deliver(post, prior))
    }
}

/// The key bytes of a `whsec_<base64>` secret.
pub fn decode_secret(secret: &str) -> std::result::Result<Vec<u8>, String> {
    let s = secret.trim();
    let b64 = s
        .strip_prefix("whsec_")
        .ok_or("the signing secret must start with whsec_")?;
    let key = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("the part after whsec_ is not base64: {e}"))?;
    if key.len() < 16 {
        return Err("the signing key is shorter than 16 bytes".into());
    }
    Ok(key)
}

/// `v1,<base64 signature>` of `id.timestamp.body`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// Why a receiver refused a message.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    MissingHeader(&'static str),
    BadTimestamp,
    TooOld,
    BadSignature,
    Replay,
}

/// The receiving side: signature, age and replay checks.
pub struct Receiver {
    key: Vec<u8>,
    seen: Mutex<HashSet<String>>,
}

impl Receiver {
    pub fn new(secret: &str) -> std::result::Result<Receiver, String> {
        Ok(Receiver {
            key: decode_secret(secret)?,
            seen: Mutex::new(HashSet::new()),
        })
    }

    /// Accepts a message once. `header` looks a header up by lower-case name.
    pub fn verify(
        &self,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
        now: i64,
    ) -> std::result::Result<String, Refusal> {
        let id = header("webhook-id").ok_or(Refusal::MissingHeader("webhook-id"))?;
        let ts = header("webhook-timestamp").ok_or(Refusal::MissingHeader("webhook-timestamp"))?;
        let sigs =
            header("webhook-signature").ok_or(Refusal::MissingHeader("webhook-signature"))?;
        let ts: i64 = ts.trim().parse().map_err(|_| Refusal::BadTimestamp)?;
        if (now - ts).abs() > TOLERANCE_SECS {
            return Err(Refusal::TooOld);
        }
        let expected = sign(&self.key, &id, ts, body);
        // Several space-separated signatures may come (key rotation); one must match.
        let ok = sigs
            .split(' ')
            .any(|s| constant_time_eq(s.as_bytes(), expected.as_bytes()));
        if !ok {
            return Err(Refusal::BadSignature);
        }
        if !self.seen.lock().expect("receiver lock").insert(id.clone()) {
            return Err(Refusal::Replay);
        }
        Ok(id)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn signatures_match_the_standard_webhooks_test_vector() {
        // The vector published with the Standard Webhooks reference libraries.
        let key = decode_secret(SECRET).unwrap();
        assert_eq!(
            sign(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn receiver_refuses_tampering_old_messages_and_replays() {
        let key = decode_secret(SECRET).unwrap();
        let rx = Receiver::new(SECRET).unwrap();
        let body = br#"{"a":1}"#;
        let now = 1_800_000_000;
        let headers = |id: &str, ts: i64, sig: String| {
            let (id, ts) = (id.to_string(), ts.to_string());
            move |name: &str| match name {
                "webhook-id" => Some(id.clone()),
                "webhook-timestamp" => Some(ts.clone()),
                "webhook-signature" => Some(sig.clone()),
                _ => None,
            }
        };
        let sig = sign(&key, "m1", now, body);
        assert_eq!(
            rx.verify(headers("m1", now, sig.clone()), br#"{"a":2}"#, now),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            rx.verify(headers("m1", now, sig.clone()), body, now + 301),
            Err(Refusal::TooOld)
        );
        assert_eq!(
            rx.verify(headers("m1", now, format!("v1,bm9wZQ== {sig}")), body, now),
            Ok("m1".into())
        );
        assert_eq!(
            rx.verify(headers("m1", now, sig), body, now),
            Err(Refusal::Replay)
        );
        assert_eq!(
            rx.verify(|_| None, body, now),
            Err(Refusal::MissingHeader("webhook-id"))
        );
    }

    #[test]
    fn secrets_must_be_whsec_base64() {
        assert!(decode_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap_err()
            .contains("whsec_"));
        assert!(decode_secret("whsec_!!!").unwrap_err().contains("base64"));
    }
}
