//! What the adapters hand the transport: a built request, a reply, a parsed
//! error body, and an incremental stream decoder.

use serde_json::Value;

use crate::usage::Usage;

/// A complete reply of one call.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub text: String,
    pub finish_reason: Option<String>,
    pub usage: Usage,
    /// The reply stopped at the token limit.
    pub truncated: bool,
}

/// What an error body said, parsed per provider.
#[derive(Debug, Clone, Default)]
pub struct ErrInfo {
    pub kind: Option<String>,
    pub message: String,
    /// Context overflow: (prompt tokens, limit) when the server says them.
    pub overflow: Option<(Option<u64>, Option<u64>)>,
    /// Never retry, whatever the status (Anthropic spend limit).
    pub no_retry: bool,
    /// The server refused the structured-output parameter itself.
    pub structured_refused: bool,
}

/// Incremental decoding of a streamed body into text deltas.
pub trait Decoder: Send {
    /// Feeds a network chunk; pushes the text deltas it completes.
    fn feed(&mut self, chunk: &[u8], out: &mut Vec<String>) -> Result<(), ErrInfo>;
    /// The stream ended: the whole reply, or the error it ended with.
    fn finish(&mut self, out: &mut Vec<String>) -> Result<Reply, ErrInfo>;
}

/// A built request: path under the base URL, JSON body, extra headers.
pub struct Built {
    pub path: String,
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
}
