//! A replay HTTP/1.1 server on 127.0.0.1 (never any other address) serving
//! recorded responses from tests/fixtures, with `{{BASE}}` replaced by its own
//! URL so that links inside fixtures point back at it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }
    pub fn json(body: impl Into<Vec<u8>>) -> Resp {
        Resp::new(200, "application/json; charset=UTF-8", body)
    }
    pub fn header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
}

#[derive(Clone, Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: String,
    /// Query must contain this substring.
    pub query_has: Option<String>,
    /// Query must not contain this substring.
    pub query_lacks: Option<String>,
    /// A request header (lowercase name) must contain this value.
    pub header_has: Option<(String, String)>,
    /// Served in order; the last repeats.
    pub responses: Vec<Resp>,
    hits: usize,
}

pub fn route(method: &'static str, path: &str, responses: Vec<Resp>) -> Route {
    Route {
        method,
        path: path.into(),
        query_has: None,
        query_lacks: None,
        header_has: None,
        responses,
        hits: 0,
    }
}

impl Route {
    pub fn query_has(mut self, q: &str) -> Route {
        self.query_has = Some(q.into());
        self
    }
    pub fn query_lacks(mut self, q: &str) -> Route {
        self.query_lacks = Some(q.into());
        self
    }
    pub fn header_has(mut self, name: &str, value: &str) -> Route {
        self.header_has = Some((name.to_ascii_lowercase(), value.into()));
        self
    }
}

#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub status: u16,
}

#[derive(Clone)]
pub struct Replay {
    pub base: String,
    routes: Arc<Mutex<Vec<Route>>>,
    log: Arc<Mutex<Vec<Logged>>>,
}

impl Replay {
    pub async fn start(routes: Vec<Route>) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let replay = Replay {
            base: base.clone(),
            routes: Arc::new(Mutex::new(Vec::new())),
            log: Arc::default(),
        };
        replay.set_routes(routes);
        let r = replay.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    break;
                };
                let r = r.clone();
                tokio::spawn(async move { r.serve(sock).await });
            }
        });
        replay
    }

    /// Replaces the routes (bodies get `{{BASE}}` substituted).
    pub fn set_routes(&self, routes: Vec<Route>) {
        let base = self.base.clone();
        let routes = routes
            .into_iter()
            .map(|mut r| {
                for resp in &mut r.responses {
                    resp.body = String::from_utf8_lossy(&resp.body)
                        .replace("{{BASE}}", &base)
                        .into_bytes();
                    for h in &mut resp.headers {
                        h.1 = h.1.replace("{{BASE}}", &base);
                    }
                }
                r
            })
            .collect();
        *self.routes.lock().unwrap() = routes;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    pub fn count(&self, method: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|l| l.method == method && l.path == path)
            .count()
    }

    async fn serve(&self, mut sock: tokio::net::TcpStream) {
        let mut buf = Vec::new();
        let mut tmp = [0u8; 8192];
        let head_end = loop {
            let n = match sock.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            buf.extend_from_slice(&tmp[..n]);
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_string();
        let target = first.next().unwrap_or("").to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            })
            .collect();
        let len = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            match sock.read(&mut tmp).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        }
        let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (target.clone(), String::new()),
        };
        let resp = {
            let mut routes = self.routes.lock().unwrap();
            let found = routes.iter_mut().find(|r| {
                r.method == method
                    && r.path == path
                    && r.query_has
                        .as_ref()
                        .is_none_or(|q| query.contains(q.as_str()))
                    && r.query_lacks
                        .as_ref()
                        .is_none_or(|q| !query.contains(q.as_str()))
                    && r.header_has.as_ref().is_none_or(|(k, v)| {
                        headers
                            .iter()
                            .any(|(hk, hv)| hk == k && hv.contains(v.as_str()))
                    })
            });
            match found {
                Some(r) => {
                    let resp = r.responses[r.hits.min(r.responses.len() - 1)].clone();
                    r.hits += 1;
                    resp
                }
                None => Resp::new(404, "text/plain", "no route"),
            }
        };
        self.log.lock().unwrap().push(Logged {
            method,
            path,
            query,
            headers,
            body,
            status: resp.status,
        });
        let mut out = format!(
            "HTTP/1.1 {} Replay\r\nContent-Length: {}\r\nConnection: close\r\n",
            resp.status,
            resp.body.len()
        );
        for (k, v) in &resp.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&resp.body);
        let _ = sock.write_all(&bytes).await;
        let _ = sock.shutdown().await;
    }
}

pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-12T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

pub fn http() -> beatdesk_ingest::Http {
    beatdesk_ingest::Http::new(beatdesk_ingest::HttpOptions::for_tests()).unwrap()
}

pub fn store_with_beat() -> (beatdesk_store::Store, i64) {
    let store = beatdesk_store::Store::open_in_memory().unwrap();
    let id = store
        .write(|tx| beatdesk_store::beats::insert(tx, "ai-chips", "", now()))
        .unwrap();
    (store, id)
}

pub fn records(store: &beatdesk_store::Store, beat: i64) -> Vec<beatdesk_types::Record> {
    store
        .read(|c| beatdesk_store::records::list_for_beat(c, beat))
        .unwrap()
}

pub fn no_env(_: &str) -> Option<String> {
    None
}

pub fn forced() -> beatdesk_ingest::IngestOptions {
    beatdesk_ingest::IngestOptions {
        force: true,
        env: no_env,
        ..Default::default()
    }
}
