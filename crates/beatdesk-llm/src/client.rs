//! The transport every adapter shares: one HTTP call with streaming,
//! cancellation, a wall-clock deadline, retries on 408/409/429/5xx/529 and
//! resets (at most `max_retries`, honouring `retry-after-ms`/`retry-after`),
//! structured-output fallbacks, and blank-reply retries (DeepSeek).

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::{ModelConfig, ProviderKind, StructuredMode};
use crate::draft::{DraftEvent, DraftOptions, OnEvent};
use crate::error::{retryable_status, LlmError};
use crate::policy::ApiKey;
use crate::prompt::CallSpec;
use crate::retry::{backoff, fallback, retry_after};
use crate::text::estimate_tokens;
use crate::usage::Usage;
use crate::{anthropic, ollama, openai};

pub use crate::wire::{Built, Decoder, ErrInfo, Reply};

/// Running totals of a draft's calls, for the metadata.
#[derive(Debug, Clone, Default)]
pub struct CallStats {
    pub calls: u32,
    pub retries: u32,
    pub usage: Usage,
    pub structured: Option<StructuredMode>,
    pub finish_reasons: Vec<String>,
    pub warnings: Vec<String>,
}

pub struct Caller<'a> {
    pub cfg: &'a ModelConfig,
    key: Option<&'a ApiKey>,
    pub opts: &'a DraftOptions,
    on_event: OnEvent<'a>,
    http: reqwest::Client,
    deadline: Instant,
    cancel: CancellationToken,
    pub stats: CallStats,
    mode: StructuredMode,
}

/// A failed attempt: the error and the wait the server asked for.
struct Failure {
    error: LlmError,
    retry_after: Option<Duration>,
    structured_refused: bool,
}

impl From<LlmError> for Failure {
    fn from(error: LlmError) -> Failure {
        Failure {
            error,
            retry_after: None,
            structured_refused: false,
        }
    }
}

pub fn http_client() -> Result<reqwest::Client, LlmError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .user_agent(concat!("beatdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| LlmError::Config(format!("cannot build the HTTP client: {e}")))
}

/// "model 'NAME' (kind MODEL at HOST)" for error messages.
pub fn model_label(cfg: &ModelConfig) -> String {
    format!(
        "model '{}' ({} {} at {})",
        cfg.name,
        cfg.kind.as_str(),
        cfg.model,
        cfg.host().unwrap_or_else(|| cfg.base())
    )
}

impl<'a> Caller<'a> {
    pub fn new(
        cfg: &'a ModelConfig,
        key: Option<&'a ApiKey>,
        opts: &'a DraftOptions,
        on_event: OnEvent<'a>,
    ) -> Result<Caller<'a>, LlmError> {
        Ok(Caller {
            cfg,
            key,
            opts,
            on_event,
            http: http_client()?,
            deadline: Instant::now() + opts.timeout,
            cancel: opts.cancel.clone().unwrap_or_default(),
            stats: CallStats::default(),
            mode: cfg.effective_structured(),
        })
    }

    pub fn emit(&self, e: DraftEvent) {
        (self.on_event)(e)
    }

    fn label(&self) -> String {
        model_label(self.cfg)
    }

    /// One logical call, with retries and fallbacks.
    pub async fn call(&mut self, spec: &CallSpec) -> Result<Reply, LlmError> {
        let mut attempt = 0u32;
        let mut blanks = 0u32;
        self.stats.calls += 1;
        self.emit(DraftEvent::CallStarted {
            label: spec.label.clone(),
        });
        loop {
            if self.cancel.is_cancelled() {
                return Err(LlmError::Cancelled);
            }
            let res = self.attempt(spec).await;
            let fail = match res {
                Ok(r) if r.text.trim().is_empty() && !r.truncated && blanks < 2 => {
                    blanks += 1;
                    self.retry_event(spec, attempt + blanks, 0, "the model sent a blank reply");
                    continue;
                }
                Ok(r) => {
                    self.after_reply(spec, &r);
                    return Ok(r);
                }
                Err(f) => f,
            };
            if fail.structured_refused {
                if let Some(next) = fallback(self.cfg.kind, self.mode) {
                    let why = format!(
                        "the server refused {} structured output; trying {}",
                        self.mode.as_str(),
                        next.as_str()
                    );
                    self.stats.warnings.push(why.clone());
                    self.mode = next;
                    self.retry_event(spec, attempt, 0, &why);
                    continue;
                }
            }
            if !fail.error.is_retryable() || attempt >= self.opts.max_retries {
                return Err(fail.error);
            }
            attempt += 1;
            let wait = fail
                .retry_after
                .unwrap_or_else(|| backoff(self.opts.retry_base, attempt));
            if wait > self.opts.max_retry_wait {
                return Err(fail.error);
            }
            self.stats.retries += 1;
            self.retry_event(
                spec,
                attempt,
                wait.as_millis() as u64,
                &fail.error.to_string(),
            );
            self.guard(async {
                tokio::time::sleep(wait).await;
                Ok(())
            })
            .await
            .map_err(|f| f.error)?;
        }
    }

    fn retry_event(&self, spec: &CallSpec, attempt: u32, wait_ms: u64, reason: &str) {
        self.emit(DraftEvent::Retrying {
            label: spec.label.clone(),
            attempt,
            wait_ms,
            reason: reason.to_string(),
        });
    }

    fn after_reply(&mut self, spec: &CallSpec, r: &Reply) {
        self.stats.usage.add(&r.usage);
        self.stats.structured = Some(self.mode);
        if let Some(f) = &r.finish_reason {
            self.stats.finish_reasons.push(f.clone());
        }
        if self.cfg.kind == ProviderKind::Ollama {
            // Ollama truncates silently when the prompt exceeds num_ctx.
            let est = (estimate_tokens(&spec.system) + estimate_tokens(&spec.user)) as u64;
            if let Some(p) = r.usage.prompt_tokens {
                if p + 16 >= self.cfg.context() as u64 || p * 10 < est * 6 {
                    self.stats.warnings.push(format!(
                        "{}: the server evaluated {p} prompt tokens for about {est} sent; the prompt may have been truncated (num_ctx {})",
                        spec.label,
                        self.cfg.context()
                    ));
                }
            }
        }
        self.emit(DraftEvent::CallFinished {
            label: spec.label.clone(),
            prompt_tokens: r.usage.prompt_tokens,
            completion_tokens: r.usage.completion_tokens,
        });
    }

    /// Races `fut` against cancellation and the wall-clock deadline.
    async fn guard<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        tokio::select! {
            r = fut => r,
            _ = self.cancel.cancelled() => Err(LlmError::Cancelled.into()),
            _ = tokio::time::sleep_until(self.deadline) => Err(LlmError::Timeout {
                model: self.label(),
                secs: self.opts.timeout.as_secs(),
            }.into()),
        }
    }

    async fn attempt(&self, spec: &CallSpec) -> Result<Reply, Failure> {
        self.guard(self.attempt_inner(spec)).await
    }

    async fn attempt_inner(&self, spec: &CallSpec) -> Result<Reply, Failure> {
        let stream = self.opts.stream;
        let built = match self.cfg.kind {
            ProviderKind::Openai => openai::build(self.cfg, spec, self.mode, stream),
            ProviderKind::Ollama => ollama::build(self.cfg, spec, stream),
            ProviderKind::Anthropic => anthropic::build(self.cfg, spec, self.mode, stream),
        };
        let url = format!("{}{}", self.cfg.base(), built.path);
        let mut req = self.http.post(&url).json(&built.body);
        for (k, v) in &built.headers {
            req = req.header(*k, v);
        }
        if let Some(k) = self.key.filter(|k| !k.expose().is_empty()) {
            req = match self.cfg.kind {
                ProviderKind::Anthropic => req.header("x-api-key", k.expose()),
                _ => req.bearer_auth(k.expose()),
            };
        }
        let resp = req.send().await.map_err(|e| self.transport(e))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let retry_after = retry_after(resp.headers());
            // An error body is read up to a cap: only its head says what went wrong.
            let body = read_capped(resp, MAX_ERROR_BODY)
                .await
                .map(|(t, _)| t)
                .unwrap_or_default();
            let info = self.parse_error(status, &body);
            return Err(self.http_failure(status, info, retry_after));
        }
        if !stream {
            let (body, cut) = read_capped(resp, MAX_REPLY_BYTES)
                .await
                .map_err(|e| self.transport(e))?;
            if cut {
                return Err(self.too_large());
            }
            let v: Value = serde_json::from_str(&body).map_err(|e| LlmError::InvalidReply {
                model: self.label(),
                reason: format!("the response body is not JSON ({e})"),
                raw: body.clone(),
            })?;
            let parsed = match self.cfg.kind {
                ProviderKind::Openai => openai::parse_full(&v),
                ProviderKind::Ollama => ollama::parse_full(&v),
                ProviderKind::Anthropic => anthropic::parse_full(&v),
            };
            return parsed.map_err(|info| self.stream_failure(info));
        }
        let mut dec: Box<dyn Decoder> = match self.cfg.kind {
            ProviderKind::Openai => Box::new(openai::StreamDecoder::default()),
            ProviderKind::Ollama => Box::new(ollama::StreamDecoder::default()),
            ProviderKind::Anthropic => Box::new(anthropic::StreamDecoder::default()),
        };
        let mut body = resp.bytes_stream();
        let mut deltas = Vec::new();
        let mut read = 0usize;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| self.transport(e))?;
            read += chunk.len();
            if read > MAX_REPLY_BYTES {
                return Err(self.too_large());
            }
            dec.feed(&chunk, &mut deltas)
                .map_err(|i| self.stream_failure(i))?;
            self.flush(spec, &mut deltas);
        }
        let reply = dec
            .finish(&mut deltas)
            .map_err(|i| self.stream_failure(i))?;
        self.flush(spec, &mut deltas);
        Ok(reply)
    }

    fn flush(&self, spec: &CallSpec, deltas: &mut Vec<String>) {
        for d in deltas.drain(..) {
            if !d.is_empty() {
                self.emit(DraftEvent::Delta {
                    label: spec.label.clone(),
                    text: d,
                });
            }
        }
    }

    fn parse_error(&self, status: u16, body: &str) -> ErrInfo {
        match self.cfg.kind {
            ProviderKind::Openai => openai::parse_error(status, body),
            ProviderKind::Ollama => ollama::parse_error(status, body),
            ProviderKind::Anthropic => anthropic::parse_error(status, body),
        }
    }

    fn http_failure(&self, status: u16, info: ErrInfo, retry_after: Option<Duration>) -> Failure {
        let error = if let Some((prompt_tokens, limit)) = info.overflow {
            LlmError::ContextOverflow {
                model: self.label(),
                message: info.message,
                prompt_tokens,
                limit,
            }
        } else {
            LlmError::Http {
                model: self.label(),
                status,
                kind: info.kind,
                message: info.message,
                retryable: retryable_status(status) && !info.no_retry,
            }
        };
        Failure {
            error,
            retry_after,
            structured_refused: info.structured_refused,
        }
    }

    /// An error inside a 200 reply (a stream `error` event, or an error body).
    fn stream_failure(&self, info: ErrInfo) -> Failure {
        if let Some((prompt_tokens, limit)) = info.overflow {
            return LlmError::ContextOverflow {
                model: self.label(),
                message: info.message,
                prompt_tokens,
                limit,
            }
            .into();
        }
        let k = info.kind.as_deref().unwrap_or("");
        let retryable = !info.no_retry
            && (k.contains("overloaded")
                || k.contains("server")
                || k.contains("api_error")
                || k.contains("timeout")
                || k.contains("rate_limit")
                || k.contains("incomplete")
                || k.is_empty());
        LlmError::Stream {
            model: self.label(),
            kind: info.kind,
            message: info.message,
            retryable,
        }
        .into()
    }

    fn too_large(&self) -> Failure {
        LlmError::InvalidReply {
            model: self.label(),
            reason: format!(
                "the reply is larger than {MAX_REPLY_BYTES} bytes; it was not read further"
            ),
            raw: String::new(),
        }
        .into()
    }

    fn transport(&self, e: reqwest::Error) -> Failure {
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg.push_str(&format!(": {s}"));
            src = s.source();
        }
        let retryable = !e.is_builder() && !e.is_redirect();
        LlmError::Transport {
            model: self.label(),
            message: msg,
            retryable,
        }
        .into()
    }
}

/// The most a model reply (whole or streamed) may be: far above any draft.
pub const MAX_REPLY_BYTES: usize = 8 * 1024 * 1024;
/// The most of an error body that is read.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Reads a body up to `max` bytes; says whether it was cut there.
async fn read_capped(
    resp: reqwest::Response,
    max: usize,
) -> Result<(String, bool), reqwest::Error> {
    let mut body = resp.bytes_stream();
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        let room = max - buf.len();
        if chunk.len() > room {
            buf.extend_from_slice(&chunk[..room]);
            return Ok((String::from_utf8_lossy(&buf).into_owned(), true));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok((String::from_utf8_lossy(&buf).into_owned(), false))
}
