//! The Beatdesk store: one SQLite file per data directory.
//!
//! `Store` owns the connection; table modules are free functions over a
//! `&Connection` so that the core can compose several of them inside one
//! transaction (`Store::write`). Nothing here knows about HTTP, models or Tauri.

mod error;
pub mod schema;
mod time;

pub mod audit;
pub mod beats;
pub mod buffers;
pub mod decisions;
pub mod drafts;
pub mod exports;
pub mod labels;
pub mod links;
pub mod records;
pub mod settings;
pub mod signoffs;
pub mod sources;
pub mod stories;
pub mod targets;

use std::path::Path;
use std::sync::Mutex;

pub use error::StoreError;
pub use rusqlite::{Connection, Transaction};
pub use time::{from_sql_time, to_sql_time};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database. Cheap to share behind an `Arc`; the connection is guarded
/// internally so callers never need an outer lock.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the SQLite file and upgrades it to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        // 8 KiB pages for new files (a no-op on existing ones): records run to
        // ~1 KB, so fewer pages and WAL frames per ingested page of items.
        conn.pragma_update(None, "page_size", 8192)?;
        // WAL lets the window read while an ingest writes; the busy timeout
        // covers the CLI and the app touching the same file.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::init(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// SQLite's `data_version` of this connection: it changes only when another
    /// connection (another process: the CLI, a second window) commits, so the
    /// window can poll it to learn of changes made elsewhere.
    pub fn data_version(&self) -> Result<i64> {
        self.read(|c| Ok(c.pragma_query_value(None, "data_version", |r| r.get(0))?))
    }

    /// Runs `f` with the connection, outside any transaction.
    pub fn read<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn)
    }

    /// Runs `f` in one transaction: everything it writes lands, or nothing does.
    pub fn write<T, E>(
        &self,
        f: impl FnOnce(&Transaction) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }
}
