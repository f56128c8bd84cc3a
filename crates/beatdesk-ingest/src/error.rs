//! One error type for the whole crate. Messages name the thing that failed
//! (source, field, URL) and never contain a secret.

use std::time::Duration;

use beatdesk_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A bad beat configuration: which source, which field, what is wrong.
    #[error("{location}: field `{field}`: {problem}")]
    Config {
        location: String,
        field: String,
        problem: String,
    },
    #[error("request to {url} failed: {detail}")]
    Network { url: String, detail: String },
    /// A failure another attempt in this run cannot fix (DNS, connection
    /// refused, a proxy refusing the tunnel, TLS).
    #[error("cannot reach {url}: {detail}")]
    Unreachable { url: String, detail: String },
    /// A link found in a record that points at a private network address.
    #[error("not fetched: {url}: {detail} (links in records may not point at private networks; see allow_private_links)")]
    PrivateAddress { url: String, detail: String },
    /// A password, client secret or token would travel in clear.
    #[error("refused to send credentials to {url}: plain http is allowed only to this machine; use https")]
    Insecure { url: String },
    #[error("request to {url} timed out after {secs:.0} s")]
    Timeout { url: String, secs: f64 },
    #[error("{url} answered HTTP {status}: {detail}")]
    Status {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("{url} answered with an HTML page where JSON was expected (HTTP {status}): {detail}")]
    HtmlInsteadOfJson {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("{url} blocked the request (HTTP {status}): {detail}")]
    Blocked {
        url: String,
        status: u16,
        detail: String,
    },
    #[error("{url} is rate limiting us; gave up after {attempts} attempts (server asked to wait {wait:?})")]
    RateLimited {
        url: String,
        attempts: u32,
        wait: Option<Duration>,
    },
    #[error("{url}: response larger than the {limit} byte cap")]
    TooLarge { url: String, limit: usize },
    #[error("could not parse {what}: {detail}")]
    Parse { what: String, detail: String },
    #[error("{service} sign-in failed: {detail}")]
    Auth {
        service: &'static str,
        detail: String,
    },
    #[error("no {what} configured: set it with `beatdesk account set {account}` or the {env} environment variable")]
    MissingSecret {
        what: &'static str,
        account: &'static str,
        env: &'static str,
    },
    #[error("keychain unavailable: {0} (use the BEATDESK_* environment variables instead)")]
    Keychain(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<beatdesk_store::db::Error> for IngestError {
    fn from(e: beatdesk_store::db::Error) -> Self {
        IngestError::Store(StoreError::from(e))
    }
}

impl IngestError {
    pub(crate) fn parse(what: impl Into<String>, detail: impl ToString) -> Self {
        IngestError::Parse {
            what: what.into(),
            detail: detail.to_string(),
        }
    }

    /// Whether the same host will fail the same way for the rest of the run
    /// (not worth another request to it now): unreachable, private, or a 4xx
    /// other than 408/429.
    pub fn is_permanent(&self) -> bool {
        match self {
            IngestError::Unreachable { .. } | IngestError::PrivateAddress { .. } => true,
            IngestError::Status { status, .. } | IngestError::Blocked { status, .. } => {
                (400..500).contains(status) && *status != 408 && *status != 429
            }
            _ => false,
        }
    }

    /// Whether retrying later could help (network trouble, rate limits, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            IngestError::Network { .. }
            | IngestError::Unreachable { .. }
            | IngestError::Timeout { .. }
            | IngestError::RateLimited { .. } => true,
            IngestError::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

pub type Result<T, E = IngestError> = std::result::Result<T, E>;
