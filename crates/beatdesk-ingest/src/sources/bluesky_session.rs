//! Bluesky session rules: a cached session belongs to one service (the
//! configured `base_url`) and one handle, and the PDS address a server names
//! in its DID document is checked before any token goes there.

use crate::http::secure_for_secrets;

/// The secret-store key of a session: service and handle, so a changed
/// `base_url` never reuses another service's session.
pub fn session_key(service: &str, handle: &str) -> String {
    format!(
        "bluesky-session:{}|{}",
        service.trim_end_matches('/').to_ascii_lowercase(),
        handle.to_ascii_lowercase()
    )
}

/// The PDS endpoint named by a DID document, if it is one we may send tokens
/// to: an absolute http(s) URL without credentials, query or fragment, and
/// https unless it is this machine. None otherwise (the caller keeps the
/// configured service, which proxies the same calls).
pub fn valid_pds(endpoint: &str) -> Option<String> {
    let u = url::Url::parse(endpoint.trim()).ok()?;
    let ok = matches!(u.scheme(), "http" | "https")
        && u.host_str().is_some_and(|h| !h.is_empty())
        && u.username().is_empty()
        && u.password().is_none()
        && u.query().is_none()
        && u.fragment().is_none()
        && secure_for_secrets(&u);
    ok.then(|| u.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_keyed_by_service_and_handle() {
        assert_ne!(
            session_key("https://bsky.social", "desk.example.org"),
            session_key("https://pds.example.net", "desk.example.org")
        );
        assert_eq!(
            session_key("https://bsky.social/", "Desk.Example.org"),
            session_key("https://bsky.social", "desk.example.org")
        );
    }

    #[test]
    fn pds_addresses_are_validated() {
        assert_eq!(
            valid_pds("https://morel.us-east.host.bsky.network/").as_deref(),
            Some("https://morel.us-east.host.bsky.network")
        );
        assert!(valid_pds("http://127.0.0.1:2583").is_some(), "a local PDS");
        for bad in [
            "not a url",
            "ftp://pds.example",
            "http://pds.example.net",
            "https://user:pw@pds.example",
            "https://pds.example/?x=1",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(valid_pds(bad), None, "{bad}");
        }
    }
}
