//! Retry policy helpers: which structured-output mode to fall back to, the
//! backoff when the server gives no wait, the server's `retry-after`, and
//! reading context-overflow messages.

use std::time::{Duration, SystemTime};

use crate::config::{ProviderKind, StructuredMode};

/// The next structured-output mode when a server refuses the current one.
pub fn fallback(kind: ProviderKind, mode: StructuredMode) -> Option<StructuredMode> {
    match (kind, mode) {
        (ProviderKind::Openai, StructuredMode::StructuredOutputs) => {
            Some(StructuredMode::JsonSchema)
        }
        (ProviderKind::Openai, StructuredMode::JsonSchema) => Some(StructuredMode::JsonObject),
        (ProviderKind::Anthropic, StructuredMode::OutputConfig) => Some(StructuredMode::Tool),
        _ => None,
    }
}

/// Exponential backoff with jitter: base * 2^(attempt-1) * (1..1.5).
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = 1.0 + (nanos % 1000) as f64 / 2000.0;
    base.mul_f64(2f64.powi(attempt.saturating_sub(1) as i32) * jitter)
}

/// `retry-after-ms`, else `retry-after` in seconds or as an HTTP date.
pub fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return (ms >= 0.0).then(|| Duration::from_secs_f64(ms / 1000.0));
    }
    let v = get("retry-after")?;
    if let Ok(s) = v.parse::<f64>() {
        return (s >= 0.0).then(|| Duration::from_secs_f64(s));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .num_milliseconds()
        .max(0);
    Some(Duration::from_millis(secs as u64))
}

/// The first integer after `phrase` in `msg` (case-insensitive).
pub fn number_after(msg: &str, phrase: &str) -> Option<u64> {
    let lower = msg.to_lowercase();
    let i = lower.find(&phrase.to_lowercase())? + phrase.len();
    let digits: String = lower[i..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Whether an error message reads as a context overflow.
pub fn looks_like_overflow(msg: &str) -> bool {
    let m = msg.to_lowercase();
    [
        "maximum context length",
        "context_length_exceeded",
        "exceed_context_size",
        "exceeds the available context",
        "exceeds context length",
        "exceeds the context",
        "prompt is too long",
        "input length exceeds",
        "context window",
    ]
    .iter()
    .any(|p| m.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", "150".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
        let mut d = reqwest::header::HeaderMap::new();
        d.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&d), Some(Duration::ZERO));
    }

    #[test]
    fn numbers_in_overflow_messages() {
        let m = "This model's maximum context length is 8192 tokens. However, you requested 9,000 tokens (7000 in the messages, 2000 in the completion).";
        assert_eq!(number_after(m, "maximum context length is"), Some(8192));
        assert_eq!(number_after(m, "you requested"), Some(9000));
        assert!(
            looks_like_overflow(m)
                && looks_like_overflow("prompt is too long: 208310 tokens > 200000 maximum")
        );
        assert!(backoff(Duration::from_millis(100), 3) >= Duration::from_millis(400));
    }
}
