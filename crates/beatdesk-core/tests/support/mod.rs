//! Shared by the export tests: a desk with a signed-off story, the real
//! servers' settings from the environment, a loopback proxy that swallows
//! replies, and a tiny HTTP server for receivers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use beatdesk_core::{Beatdesk, FixedClock, RetryPolicy, DEMO_BEAT};
use chrono::{TimeZone, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub fn desk() -> Beatdesk {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let d = Beatdesk::in_memory(Arc::new(FixedClock(now))).unwrap();
    d.demo().unwrap();
    d
}

/// The ids of the demo's drafted stories, each signed off.
pub fn signed_stories(d: &Beatdesk, n: usize) -> Vec<i64> {
    let ids: Vec<i64> = d
        .stories(DEMO_BEAT)
        .unwrap()
        .into_iter()
        .filter(|s| d.latest_draft(s.id).is_ok())
        .take(n)
        .map(|s| s.id)
        .collect();
    assert_eq!(ids.len(), n, "the demo drafts at least {n} stories");
    for id in &ids {
        sign(&d, *id, Some("checked"));
    }
    ids
}

/// Signs off the story's latest revision as the editor read it.
#[allow(dead_code)]
pub fn sign(d: &Beatdesk, story_id: i64, note: Option<&str>) {
    sign_over(d, story_id, note, None)
}

/// Signs off the latest revision, over hard verification failures when a reason is given.
#[allow(dead_code)]
pub fn sign_over(d: &Beatdesk, story_id: i64, note: Option<&str>, override_reason: Option<&str>) {
    let revision = d.latest_draft(story_id).unwrap().revision;
    d.sign_off(
        story_id,
        &beatdesk_types::SignOffRequest {
            editor: "Ana Ruiz".into(),
            note: note.map(str::to_string),
            revision,
            override_reason: override_reason.map(str::to_string),
        },
    )
    .unwrap();
}

/// A setting the CMS test script exports; missing means the servers are not up,
/// which is a failure here, never a skip.
pub fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run these tests through tests/cms/run.sh, which starts the real WordPress and Ghost")
    })
}

pub fn quick_policy() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(3),
        timeout: Duration::from_secs(20),
    }
}

/// A loopback TCP proxy to `upstream` that lets requests through but
/// swallows the reply to the first `budget` POSTs (the server does the work,
/// the client never hears back).
pub struct SwallowProxy {
    pub addr: SocketAddr,
    pub swallowed: Arc<AtomicUsize>,
}

impl SwallowProxy {
    pub async fn start(upstream: SocketAddr, budget: usize) -> SwallowProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let budget = Arc::new(AtomicUsize::new(budget));
        let swallowed = Arc::new(AtomicUsize::new(0));
        let sw = swallowed.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                let (budget, sw) = (budget.clone(), sw.clone());
                tokio::spawn(async move {
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw_) = server.into_split();
                    let swallow = Arc::new(std::sync::atomic::AtomicBool::new(false));
                    let s2 = swallow.clone();
                    let up = tokio::spawn(async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match cr.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            if buf[..n].starts_with(b"POST ")
                                && budget
                                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
                                        b.checked_sub(1)
                                    })
                                    .is_ok()
                            {
                                s2.store(true, Ordering::SeqCst);
                                sw.fetch_add(1, Ordering::SeqCst);
                            }
                            if sw_.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    });
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match sr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if swallow.load(Ordering::SeqCst) {
                            continue;
                        }
                        if cw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    // Hold a swallowing connection open: the client must time out, not see a reset.
                    if swallow.load(Ordering::SeqCst) {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                    }
                    up.abort();
                });
            }
        });
        SwallowProxy { addr, swallowed }
    }
}

/// One HTTP/1.1 request as a tiny server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub raw: Vec<u8>,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// A one-request-per-connection HTTP server on loopback: `reply` gives
/// (status, content type, body) for each request.
pub async fn serve<F>(reply: F) -> (SocketAddr, Arc<Mutex<Vec<Seen>>>)
where
    F: Fn(&Seen) -> (u16, &'static str, String) + Send + Sync + 'static,
{
    serve_with_headers(move |req| {
        let (status, ctype, body) = reply(req);
        (
            status,
            vec![("content-type".to_string(), ctype.to_string())],
            body,
        )
    })
    .await
}

/// Like `serve`, with any response headers.
pub async fn serve_with_headers<F>(reply: F) -> (SocketAddr, Arc<Mutex<Vec<Seen>>>)
where
    F: Fn(&Seen) -> (u16, Vec<(String, String)>, String) + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let reply = Arc::new(reply);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (log, reply) = (log.clone(), reply.clone());
            tokio::spawn(async move {
                let Some(req) = read_request(&mut sock).await else {
                    return;
                };
                let (status, headers, body) = reply(&req);
                log.lock().unwrap().push(req);
                let extra: String = headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}\r\n"))
                    .collect();
                let head = format!(
                    "HTTP/1.1 {status} X\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
            });
        }
    });
    (addr, seen)
}

pub async fn read_request(sock: &mut TcpStream) -> Option<Seen> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while raw.len() < head_end + len {
        let n = sock.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let body = raw[head_end..].to_vec();
    Some(Seen {
        raw,
        method,
        path,
        headers,
        body,
    })
}

/// Sends raw bytes and returns the status line's code.
pub async fn send_raw(addr: SocketAddr, bytes: &[u8]) -> u16 {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out)
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}
