//! The keychain as the core sees it. Where the machine has none, Beatdesk
//! still starts: lookups find nothing (the documented environment variables
//! still work) and storing a secret fails with "keychain unavailable: …".
//! Never a plaintext fallback.

use std::sync::Arc;

use beatdesk_ingest::secrets::SecretStore;
use beatdesk_ingest::{IngestError, KeyringSecrets};

pub struct NoKeychain(pub String);

impl SecretStore for NoKeychain {
    fn get(&self, _key: &str) -> beatdesk_ingest::Result<Option<String>> {
        Ok(None)
    }
    fn set(&self, _key: &str, _value: &str) -> beatdesk_ingest::Result<()> {
        Err(IngestError::Keychain(self.0.clone()))
    }
    fn delete(&self, _key: &str) -> beatdesk_ingest::Result<()> {
        Err(IngestError::Keychain(self.0.clone()))
    }
}

/// The OS keychain, or a `NoKeychain` that says why there is none.
pub fn open_keychain() -> Arc<dyn SecretStore> {
    match KeyringSecrets::open() {
        Ok(k) => Arc::new(k),
        Err(e) => Arc::new(NoKeychain(e.to_string())),
    }
}

/// The keychain entry of a model's API key.
pub fn model_key(name: &str) -> String {
    format!("model-api-key:{name}")
}
