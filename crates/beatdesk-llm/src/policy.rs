//! Secrets and the per-beat provider policy: API keys that never print, the
//! headless environment variable, and which hosts may see a beat's records.

use serde::{Deserialize, Serialize};

use crate::config::ModelConfig;

/// The environment variable holding a model's API key for headless use:
/// `BEATDESK_MODEL_<NAME>_API_KEY`, NAME upper-cased, other characters as `_`.
pub fn api_key_env_var(model_name: &str) -> String {
    let name: String = model_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("BEATDESK_MODEL_{name}_API_KEY")
}

/// The API key from the environment, if set and not blank.
pub fn api_key_from_env(model_name: &str) -> Option<ApiKey> {
    std::env::var(api_key_env_var(model_name))
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(ApiKey::new)
}

/// An API key. Its `Debug` and `Display` print `<redacted>`, so it can sit in
/// structs that get logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into().trim().to_string())
    }

    /// The secret itself, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for ApiKey {
    fn from(s: String) -> ApiKey {
        ApiKey::new(s)
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::fmt::Display for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which providers may see a beat's records. The default allows any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderPolicy {
    /// Only models on this machine (localhost, 127.0.0.0/8, ::1).
    #[serde(default)]
    pub local_only: bool,
    /// Hosts allowed to receive records: `api.deepseek.com`, or `*.example.org`
    /// for a domain and its subdomains. Empty means any host.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
}

impl ProviderPolicy {
    /// `Ok` when `config` may receive the beat's records, otherwise the reason it may not.
    pub fn check(&self, config: &ModelConfig) -> Result<(), String> {
        let host = config
            .host()
            .ok_or_else(|| format!("model '{}' has no host in its base URL", config.name))?;
        if self.local_only && !is_loopback_host(&host) {
            return Err(format!(
                "this beat allows local models only, and model '{}' sends records to {host}",
                config.name
            ));
        }
        if !self.allowed_hosts.is_empty()
            && !self.allowed_hosts.iter().any(|p| host_matches(&host, p))
        {
            return Err(format!(
                "this beat allows only {}, and model '{}' sends records to {host}",
                self.allowed_hosts.join(", "),
                config.name
            ));
        }
        Ok(())
    }
}

fn host_matches(host: &str, pattern: &str) -> bool {
    let p = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    if let Some(domain) = p.strip_prefix("*.") {
        host == domain || host.ends_with(&format!(".{domain}"))
    } else {
        host == p
    }
}

/// The lower-cased host of a URL, without port, brackets or credentials.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split("://").nth(1)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?.to_string()
    } else {
        authority.split(':').next()?.to_string()
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// localhost, 127.0.0.0/8 and ::1.
pub fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProviderKind;

    #[test]
    fn api_key_never_prints() {
        let k = ApiKey::new("sk-secret");
        assert_eq!(format!("{k:?} {k}"), "<redacted> <redacted>");
        assert_eq!(k.expose(), "sk-secret");
    }

    #[test]
    fn env_var_name_is_upper_cased() {
        assert_eq!(
            api_key_env_var("deep-seek.v4"),
            "BEATDESK_MODEL_DEEP_SEEK_V4_API_KEY"
        );
    }

    #[test]
    fn policy_refuses_with_a_reason() {
        let local = ModelConfig::new("l", ProviderKind::Ollama, "http://127.0.0.1:11434", "m");
        let v6 = ModelConfig::new("l6", ProviderKind::Ollama, "http://[::1]:11434", "m");
        let ds = ModelConfig::new("ds", ProviderKind::Openai, "https://api.deepseek.com", "m");
        let p = ProviderPolicy {
            local_only: true,
            allowed_hosts: vec![],
        };
        assert!(p.check(&local).is_ok() && p.check(&v6).is_ok());
        let why = p.check(&ds).unwrap_err();
        assert!(
            why.contains("local models only") && why.contains("api.deepseek.com"),
            "{why}"
        );
        let p = ProviderPolicy {
            local_only: false,
            allowed_hosts: vec!["*.deepseek.com".into()],
        };
        assert!(p.check(&ds).is_ok());
        assert!(p.check(&local).unwrap_err().contains("127.0.0.1"));
        assert!(ProviderPolicy::default().check(&ds).is_ok());
    }
}
