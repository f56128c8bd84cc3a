//! Export errors, phrased for the editor: which target, what the system said, what to do.

use thiserror::Error;

pub type Result<T> = std::result::Result<T, CmsError>;

#[derive(Debug, Error)]
pub enum CmsError {
    /// The target's own settings are wrong (URL, key format, secret).
    #[error("target {target}: {field}: {problem}")]
    Config {
        target: String,
        field: String,
        problem: String,
    },
    /// No answer: refused connection, DNS failure or a timeout.
    #[error("target {target}: could not reach {system} at {url}: {detail}")]
    Unreachable {
        target: String,
        system: String,
        url: String,
        detail: String,
        timeout: bool,
    },
    /// 401/403: the credentials did not get through or were refused.
    #[error("target {target}: {system} refused the credentials (HTTP {status} {code}): {hint}")]
    Auth {
        target: String,
        system: String,
        status: u16,
        code: String,
        hint: String,
    },
    /// The CMS refused the content (validation); `field` is the offending field when known.
    #[error("target {target}: {system} refused the post{}: {detail}", field.as_ref().map(|f| format!(" (field `{f}`)")).unwrap_or_default())]
    Rejected {
        target: String,
        system: String,
        status: u16,
        code: String,
        field: Option<String>,
        detail: String,
    },
    /// Ghost's 409: someone edited the post since our last export. Never overwritten.
    #[error("target {target}: someone else changed the post in {system} since the last export (changed: {}); nothing was overwritten — merge their edits or export again after reviewing", if changed_fields.is_empty() { "unknown fields".to_string() } else { changed_fields.join(", ") })]
    Collision {
        target: String,
        system: String,
        changed_fields: Vec<String>,
        server_updated_at: Option<String>,
    },
    /// The post remembered for this story was deleted in the CMS.
    #[error("target {target}: the post {remote_id} no longer exists in {system}")]
    Gone {
        target: String,
        system: String,
        remote_id: String,
    },
    /// An HTML error page from a proxy in front of the CMS (502/503/504).
    #[error("target {target}: the gateway in front of {system} failed (HTTP {status}); the CMS itself did not answer")]
    Gateway {
        target: String,
        system: String,
        status: u16,
        retry_after: Option<std::time::Duration>,
    },
    /// 429 or another 5xx, or any other unexpected status.
    #[error("target {target}: {system} answered HTTP {status}: {detail}")]
    Http {
        target: String,
        system: String,
        status: u16,
        detail: String,
        retry_after: Option<std::time::Duration>,
    },
    /// A 2xx whose body is not what the API returns.
    #[error("target {target}: {system} answered something its API does not: {detail}")]
    Protocol {
        target: String,
        system: String,
        detail: String,
    },
}

impl CmsError {
    /// A short stable code for the window (`{code, message}` over IPC).
    pub fn code(&self) -> &'static str {
        match self {
            CmsError::Config { .. } => "target_config",
            CmsError::Unreachable { .. } => "target_unreachable",
            CmsError::Auth { .. } => "target_auth",
            CmsError::Rejected { .. } => "target_rejected",
            CmsError::Collision { .. } => "target_collision",
            CmsError::Gone { .. } => "target_gone",
            CmsError::Gateway { .. } => "target_gateway",
            CmsError::Http { .. } => "target_http",
            CmsError::Protocol { .. } => "target_protocol",
        }
    }

    /// Worth another try: timeouts, refused connections, 429 and 5xx.
    pub fn is_transient(&self) -> bool {
        match self {
            CmsError::Unreachable { .. } | CmsError::Gateway { .. } => true,
            CmsError::Http { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// A timeout may mean the server did the work and the reply was lost.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            CmsError::Unreachable { timeout, .. } => *timeout,
            CmsError::Gateway { .. } => true,
            CmsError::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }

    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            CmsError::Gateway { retry_after, .. } | CmsError::Http { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}
