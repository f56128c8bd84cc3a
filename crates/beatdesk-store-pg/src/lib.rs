//! Beatdesk's shared store on PostgreSQL (issue 13, first slice): the
//! schema as versioned migrations in PostgreSQL's dialect, the same history
//! invariants as the SQLite file (by trigger), identities and privileges from
//! the database (`beatdesk_reporter`, `beatdesk_editor`), and `team init` /
//! `team add-user`. Tauri-free and independent of the core for now.

pub mod address;
pub mod cli;
pub mod connect;
pub mod error;
pub mod keychain;
pub mod locks;
pub mod migrate;
pub mod notify;
pub mod password;
pub mod push;
pub mod team;
pub mod tls;

pub use connect::{connect, parse};
pub use error::{PgStoreError, Result};
pub use migrate::{migrate, MIGRATIONS};
pub use team::{add_user, init, InitReport, Role};
