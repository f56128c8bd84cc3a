//! Credentials for sources and models, kept only in the OS keychain.

use beatdesk_ingest::secrets::keys;

use crate::secrets::model_key;
use crate::{Beatdesk, CoreError, Result};

/// Whose secret is being stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// Reddit app-only OAuth: the client id is not secret but is kept beside the secret.
    Reddit { client_id: String },
    /// A Bluesky account's app password.
    Bluesky { handle: String },
    /// A configured model's API key.
    Model { name: String },
}

impl Beatdesk {
    /// Stores a secret in the keychain. The value never touches SQLite or logs.
    pub fn set_account(&self, account: &Account, secret: &str) -> Result<()> {
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(CoreError::bad_input(
                "account",
                "secret",
                "is empty (it is read from standard input)",
            ));
        }
        let put = |k: &str, v: &str| {
            self.secrets
                .set(k, v)
                .map_err(|e| CoreError::Keychain(e.to_string()))
        };
        match account {
            Account::Reddit { client_id } => {
                if client_id.trim().is_empty() {
                    return Err(CoreError::bad_input(
                        "account reddit",
                        "client id",
                        "is empty",
                    ));
                }
                put(keys::REDDIT_CLIENT_ID, client_id.trim())?;
                put(keys::REDDIT_CLIENT_SECRET, secret)
            }
            Account::Bluesky { handle } => {
                let handle = handle.trim().trim_start_matches('@');
                if handle.is_empty() {
                    return Err(CoreError::bad_input(
                        "account bluesky",
                        "handle",
                        "is empty",
                    ));
                }
                put(&keys::bluesky_app_password(handle), secret)
            }
            Account::Model { name } => {
                self.model(name)?;
                put(&model_key(name), secret)
            }
        }
    }
}
