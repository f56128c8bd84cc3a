//! Where the store is, for the window's Settings.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The store this window opened and this laptop's saved choice. Addresses
/// never hold a password (one with a password is refused before saving).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StoreSettings {
    /// The store in use: a SQLite file path or a PostgreSQL address.
    pub active: String,
    /// `sqlite` or `postgres`.
    pub engine: String,
    /// This laptop's saved address (`store.address` in the home directory);
    /// `None` means the SQLite file in the home directory.
    pub saved: Option<String>,
    /// `BEATDESK_STORE` is set and overrides the saved address.
    pub from_env: bool,
}
