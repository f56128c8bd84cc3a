//! Credentials: a `SecretStore` trait, the OS keychain behind keyring-core
//! (kernel keyutils on Linux: no daemon, works headless under
//! `keyctl session -`), an in-memory store for tests, and the documented
//! environment variables for headless use. Secrets never appear in errors or logs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{IngestError, Result};

pub const SERVICE: &str = "beatdesk";
pub const ENV_BLUESKY_APP_PASSWORD: &str = "BEATDESK_BLUESKY_APP_PASSWORD";
pub const ENV_REDDIT_CLIENT_ID: &str = "BEATDESK_REDDIT_CLIENT_ID";
pub const ENV_REDDIT_CLIENT_SECRET: &str = "BEATDESK_REDDIT_CLIENT_SECRET";

/// Keychain entry names.
pub mod keys {
    pub const REDDIT_CLIENT_ID: &str = "reddit-client-id";
    pub const REDDIT_CLIENT_SECRET: &str = "reddit-client-secret";
    pub fn bluesky_app_password(handle: &str) -> String {
        format!("bluesky-app-password:{handle}")
    }
    /// The cached Bluesky session (JWTs and PDS), so createSession is rare.
    pub fn bluesky_session(handle: &str) -> String {
        format!("bluesky-session:{handle}")
    }
}

/// Where secrets live. Implementations must never log values.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>>;
    fn set(&self, key: &str, value: &str) -> Result<()>;
    fn delete(&self, key: &str) -> Result<()>;
}

/// Secrets in memory, for tests (and as a stand-in when the caller wants no persistence).
#[derive(Default, Clone)]
pub struct MemorySecrets {
    map: Arc<Mutex<HashMap<String, String>>>,
}

impl MemorySecrets {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(pairs: &[(&str, &str)]) -> Self {
        let s = Self::default();
        for (k, v) in pairs {
            s.map.lock().unwrap().insert(k.to_string(), v.to_string());
        }
        s
    }
}

impl SecretStore for MemorySecrets {
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), value.to_string());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
        Ok(())
    }
}

/// The OS keychain through keyring-core. On Linux: the kernel keyutils store
/// (session keyring). A process without a session keyring gets a clear
/// "keychain unavailable: …" error; run it under `keyctl session - …` or use
/// the environment variables.
pub struct KeyringSecrets {
    store: Arc<keyring_core::CredentialStore>,
}

impl KeyringSecrets {
    pub fn open() -> Result<KeyringSecrets> {
        #[cfg(target_os = "linux")]
        {
            let store = linux_keyutils_keyring_store::Store::new()
                .map_err(|e| IngestError::Keychain(e.to_string()))?;
            let store: Arc<keyring_core::CredentialStore> = store;
            let me = KeyringSecrets { store };
            // Probe once so "no keychain" shows up now, not at the first secret.
            me.get("probe").map(|_| me)
        }
        #[cfg(not(target_os = "linux"))]
        {
            match keyring_core::get_default_store() {
                Some(store) => Ok(KeyringSecrets { store }),
                None => Err(IngestError::Keychain(
                    "no credential store is set up on this platform".into(),
                )),
            }
        }
    }

    fn entry(&self, key: &str) -> Result<keyring_core::Entry> {
        keyring_core::Entry::new_in_store(&self.store, SERVICE, key).map_err(keychain_err)
    }
}

fn keychain_err(e: keyring_core::Error) -> IngestError {
    // Error text from keyring-core names the failure, never the secret.
    IngestError::Keychain(e.to_string())
}

impl SecretStore for KeyringSecrets {
    fn get(&self, key: &str) -> Result<Option<String>> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_err(e)),
        }
    }
    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.entry(key)?.set_password(value).map_err(keychain_err)
    }
    fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_err(e)),
        }
    }
}

/// Looks up a secret: the environment variable wins (headless use), then the store.
/// `env` is injectable for tests; production passes `std_env`.
pub fn lookup(
    secrets: &dyn SecretStore,
    key: &str,
    env_name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>> {
    if let Some(v) = env(env_name).filter(|v| !v.trim().is_empty()) {
        return Ok(Some(v.trim().to_string()));
    }
    secrets.get(key)
}

pub fn std_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Reddit app-only OAuth credentials, when both parts are configured.
pub fn reddit_credentials(
    secrets: &dyn SecretStore,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(String, String)>> {
    let id = lookup(secrets, keys::REDDIT_CLIENT_ID, ENV_REDDIT_CLIENT_ID, env)?;
    let secret = lookup(
        secrets,
        keys::REDDIT_CLIENT_SECRET,
        ENV_REDDIT_CLIENT_SECRET,
        env,
    )?;
    Ok(id.zip(secret))
}

/// The app password for a Bluesky handle; a clear error naming where to set it.
pub fn bluesky_app_password(
    secrets: &dyn SecretStore,
    handle: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String> {
    lookup(
        secrets,
        &keys::bluesky_app_password(handle),
        ENV_BLUESKY_APP_PASSWORD,
        env,
    )?
    .ok_or(IngestError::MissingSecret {
        what: "Bluesky app password",
        account: "bluesky",
        env: ENV_BLUESKY_APP_PASSWORD,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_wins_over_store_and_missing_is_clear() {
        let s = MemorySecrets::with(&[
            (keys::REDDIT_CLIENT_ID, "id-store"),
            (keys::REDDIT_CLIENT_SECRET, "sec-store"),
        ]);
        let none = |_: &str| None;
        assert_eq!(
            reddit_credentials(&s, &none).unwrap(),
            Some(("id-store".into(), "sec-store".into()))
        );
        let env = |n: &str| (n == ENV_REDDIT_CLIENT_ID).then(|| "id-env".to_string());
        assert_eq!(reddit_credentials(&s, &env).unwrap().unwrap().0, "id-env");
        let e = bluesky_app_password(&s, "me.example.org", &none)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("beatdesk account set bluesky") && e.contains(ENV_BLUESKY_APP_PASSWORD),
            "{e}"
        );
    }

    /// The real keychain must prove a round trip: CI runs the tests under
    /// `keyctl session -`, so "unavailable" is a failure there. Only an
    /// explicit `BEATDESK_KEYCHAIN_OPTIONAL=1` (a machine known to have no
    /// keychain) accepts the clear "keychain unavailable" error instead.
    #[test]
    fn keyring_round_trip() {
        let optional = std::env::var("BEATDESK_KEYCHAIN_OPTIONAL").is_ok_and(|v| v == "1");
        let k = match KeyringSecrets::open() {
            Ok(k) => k,
            Err(e) if optional => {
                assert!(e.to_string().starts_with("keychain unavailable: "), "{e}");
                return;
            }
            Err(e) => panic!("no keychain to test ({e}); run under `keyctl session -` or set BEATDESK_KEYCHAIN_OPTIONAL=1"),
        };
        let key = format!("beatdesk-test-roundtrip-{}", std::process::id());
        let stored = k.set(&key, "xxxx-xxxx-xxxx-xxxx");
        if optional && stored.is_err() {
            return;
        }
        stored.expect("storing a secret in the session keyring");
        assert_eq!(k.get(&key).unwrap().as_deref(), Some("xxxx-xxxx-xxxx-xxxx"));
        k.delete(&key).unwrap();
        assert_eq!(k.get(&key).unwrap(), None, "a deleted secret is gone");
    }
}
