//! Every way a model call can fail, each with a message an editor can act on:
//! which model, and what the server said.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum LlmError {
    #[error("the story has no records to draft from (all excluded or none collected)")]
    NoEvidence,

    #[error("model configuration: {0}")]
    Config(String),

    #[error("refused by the beat's provider policy: {reason}")]
    PolicyRefused { reason: String },

    /// The server answered with an error status.
    #[error("{model}: the server answered {status}{}: {message}", kind.as_deref().map(|k| format!(" ({k})")).unwrap_or_default())]
    Http {
        model: String,
        status: u16,
        /// The provider's error type, e.g. `rate_limit_error`, `invalid_request_error`.
        kind: Option<String>,
        message: String,
        retryable: bool,
    },

    /// The prompt did not fit in the model's context, even after shrinking the evidence.
    #[error("{model}: the prompt is too long for the model's context{}: {message}", limit.map(|l| format!(" ({l} tokens)")).unwrap_or_default())]
    ContextOverflow {
        model: String,
        message: String,
        prompt_tokens: Option<u64>,
        limit: Option<u64>,
    },

    /// The connection failed or was reset.
    #[error("{model}: could not reach the server: {message}")]
    Transport {
        model: String,
        message: String,
        retryable: bool,
    },

    /// The stream carried an error event after it had started.
    #[error("{model}: the stream broke off with an error{}: {message}", kind.as_deref().map(|k| format!(" ({k})")).unwrap_or_default())]
    Stream {
        model: String,
        kind: Option<String>,
        message: String,
        retryable: bool,
    },

    #[error("{model}: no complete reply within {secs} s")]
    Timeout { model: String, secs: u64 },

    #[error("the draft was cancelled")]
    Cancelled,

    /// The model answered, but not with a valid story document. `raw` keeps the
    /// reply for the editor.
    #[error("{model}: the reply is not a valid story document: {reason}")]
    InvalidReply {
        model: String,
        reason: String,
        raw: String,
    },
}

impl LlmError {
    /// Whether the same request may succeed if sent again.
    pub fn is_retryable(&self) -> bool {
        match self {
            LlmError::Http { retryable, .. }
            | LlmError::Transport { retryable, .. }
            | LlmError::Stream { retryable, .. } => *retryable,
            _ => false,
        }
    }

    /// The model's raw reply, for an invalid reply.
    pub fn raw_text(&self) -> Option<&str> {
        match self {
            LlmError::InvalidReply { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// A short machine-readable code for the UI and the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            LlmError::NoEvidence => "no_evidence",
            LlmError::Config(_) => "config",
            LlmError::PolicyRefused { .. } => "policy",
            LlmError::Http { .. } => "http",
            LlmError::ContextOverflow { .. } => "context_overflow",
            LlmError::Transport { .. } => "transport",
            LlmError::Stream { .. } => "stream",
            LlmError::Timeout { .. } => "timeout",
            LlmError::Cancelled => "cancelled",
            LlmError::InvalidReply { .. } => "invalid_reply",
        }
    }
}

/// Whether an HTTP status is worth retrying: 408, 409, 429, 5xx (incl. 529).
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || (500..=599).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_statuses() {
        for s in [408, 409, 429, 500, 502, 503, 529] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [400, 401, 402, 403, 404, 422] {
            assert!(!retryable_status(s), "{s}");
        }
    }

    #[test]
    fn messages_name_the_model_and_the_server() {
        let e = LlmError::Http {
            model: "model 'ds' (deepseek-v4-flash)".into(),
            status: 402,
            kind: Some("invalid_request_error".into()),
            message: "Insufficient Balance".into(),
            retryable: false,
        };
        assert_eq!(
            e.to_string(),
            "model 'ds' (deepseek-v4-flash): the server answered 402 (invalid_request_error): Insufficient Balance"
        );
    }
}
