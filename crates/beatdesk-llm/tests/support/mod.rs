//! A replay server on 127.0.0.1 (never any other address) that answers each
//! request with the next scripted reply, byte chunk by byte chunk, and keeps
//! every request for inspection. Plus the wire formats of each provider.
#![allow(dead_code)]

pub mod openai_wire;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use beatdesk_llm::{DraftEvent, StoryEvidence};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Written one by one, flushed, with `delay` between them (chunked encoding).
    pub chunks: Vec<Vec<u8>>,
    pub delay: Duration,
    /// Close the connection without answering (a reset).
    pub reset: bool,
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            chunks: vec![body.to_string().into_bytes()],
            delay: Duration::ZERO,
            reset: false,
        }
    }

    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            chunks: vec![body.as_bytes().to_vec()],
            delay: Duration::ZERO,
            reset: false,
        }
    }

    /// A streamed body cut into network chunks of `cut` bytes (events split anywhere).
    pub fn stream(content_type: &str, body: &str, cut: usize) -> Reply {
        Reply {
            status: 200,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("cache-control".into(), "no-cache".into()),
            ],
            chunks: body
                .as_bytes()
                .chunks(cut.max(1))
                .map(<[u8]>::to_vec)
                .collect(),
            delay: Duration::from_millis(1),
            reset: false,
        }
    }

    pub fn sse(body: &str, cut: usize) -> Reply {
        Reply::stream("text/event-stream", body, cut)
    }

    pub fn reset() -> Reply {
        Reply {
            status: 0,
            headers: vec![],
            chunks: vec![],
            delay: Duration::ZERO,
            reset: true,
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }

    pub fn delayed(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub raw_body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The user message of a chat request (any provider).
    pub fn user(&self) -> String {
        let msgs = self.body["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        msgs.iter()
            .filter(|m| m["role"] == "user")
            .map(|m| m["content"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

pub struct Server {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub async fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let queue = Arc::new(Mutex::new(VecDeque::from(replies)));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let reqs = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let (q, r) = (queue.clone(), reqs.clone());
                tokio::spawn(async move {
                    let _ = serve(sock, q, r).await;
                });
            }
        });
        Server {
            url: format!("http://{addr}"),
            requests,
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(
    mut sock: TcpStream,
    queue: Arc<Mutex<VecDeque<Reply>>>,
    log: Arc<Mutex<Vec<Request>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let first: Vec<&str> = lines.next().unwrap_or_default().split(' ').collect();
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
    while buf.len() < head_end + len {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    let raw_body = String::from_utf8_lossy(&buf[head_end..]).to_string();
    log.lock().unwrap().push(Request {
        method: first.first().unwrap_or(&"").to_string(),
        path: first.get(1).unwrap_or(&"").to_string(),
        body: serde_json::from_str(&raw_body).unwrap_or(Value::Null),
        headers,
        raw_body,
    });
    let reply = queue
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| Reply::text(500, "replay server: no more replies"));
    if reply.reset {
        drop(sock);
        return Ok(());
    }
    let mut out = format!(
        "HTTP/1.1 {} X\r\nconnection: close\r\ntransfer-encoding: chunked\r\n",
        reply.status
    );
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    sock.write_all(out.as_bytes()).await?;
    sock.flush().await?;
    for c in &reply.chunks {
        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        sock.write_all(format!("{:x}\r\n", c.len()).as_bytes())
            .await?;
        sock.write_all(c).await?;
        sock.write_all(b"\r\n").await?;
        sock.flush().await?;
    }
    sock.write_all(b"0\r\n\r\n").await?;
    sock.flush().await?;
    Ok(())
}

pub fn fixture() -> StoryEvidence {
    serde_json::from_str(include_str!("../fixtures/riverton-transit-levy.json")).unwrap()
}

/// A valid story document for the fixture, in R-ids.
pub fn good_document() -> Value {
    json!({
        "headline": "Riverton transit levy heads to voters as bus drivers weigh a strike",
        "dek": "The council voted 7-2 to put a $48.5 million levy on the March ballot — drivers vote on a strike on Dec. 3.",
        "sections": [
            {"heading": "The vote", "paragraphs": [
                {"text": "The Riverton City Council voted 7-2 to put a $48.5 million transit levy on the March ballot.", "citations": ["R1"]},
                {"text": "Mayor Elena Ortiz called it \"the most important decision this council will make on transportation in a decade.\"", "citations": ["R1"]}
            ]},
            {"heading": "The drivers", "paragraphs": [
                {"text": "The drivers' union will hold a strike authorization vote on Dec. 3.", "citations": ["R2", "R3"]}
            ]}
        ],
        "story_so_far": [{"text": "An October audit found the Eastside garage $11.2 million over budget.", "citations": ["R5"]}],
        "faq": [{"q": "What would the levy cost?", "a": "About $62 a year for the median homeowner.", "citations": ["R1"]}]
    })
}

/// Cuts `s` into pieces of `n` characters (for streamed deltas).
pub fn pieces(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}

/// Collects events; `text()` is the concatenated deltas.
#[derive(Default, Clone)]
pub struct Events(pub Arc<Mutex<Vec<DraftEvent>>>);

impl Events {
    pub fn push(&self, e: DraftEvent) {
        self.0.lock().unwrap().push(e)
    }

    pub fn all(&self) -> Vec<DraftEvent> {
        self.0.lock().unwrap().clone()
    }

    pub fn text(&self) -> String {
        self.all()
            .into_iter()
            .filter_map(|e| match e {
                DraftEvent::Delta { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }

    pub fn retries(&self) -> usize {
        self.all()
            .iter()
            .filter(|e| matches!(e, DraftEvent::Retrying { .. }))
            .count()
    }
}

/// Finds the enum of allowed ids in a schema.
pub fn citation_enum(schema: &Value) -> Vec<String> {
    schema["properties"]["sections"]["items"]["properties"]["paragraphs"]["items"]["properties"]
        ["citations"]["items"]["enum"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}
