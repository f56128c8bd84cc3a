//! The Beatdesk store: one SQLite file per data directory, or a shared
//! PostgreSQL database for a desk of many (issue 13).
//!
//! `Store` owns the connection; table modules are free functions over a
//! `&Connection` (either engine, see `db`) so that the core can compose
//! several of them inside one transaction (`Store::write`). Nothing here
//! knows about HTTP, models or Tauri.

mod checkpoint;
pub mod db;
mod error;
pub mod schema;
mod time;

pub mod address;
pub mod audit;
pub mod beats;
pub mod buffers;
pub mod decisions;
pub mod drafts;
pub mod engine_state;
pub mod exports;
pub mod labels;
pub mod links;
pub mod records;
pub mod settings;
pub mod signoffs;
pub mod source_locks;
pub mod sources;
pub mod stories;
pub mod targets;
mod testdb;
pub mod watch;

use std::path::Path;
use std::sync::Mutex;

pub use address::StoreAddress;
pub use checkpoint::{Checkpointed, Checkpointer};
pub use db::{Connection, Engine, OptionalExtension, Transaction};
pub use error::StoreError;
pub use source_locks::SourceLock;
pub use time::{from_sql_time, to_sql_time};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database. Cheap to share behind an `Arc`; the connection is guarded
/// internally so callers never need an outer lock.
pub struct Store {
    conn: Mutex<Connection>,
    /// A throw-away PostgreSQL database made for one test, dropped with the store.
    scratch: Option<testdb::Scratch>,
    /// The PostgreSQL address, for a second session (`open_again`).
    pg_address: Option<String>,
}

impl Store {
    /// Opens (creating if needed) the SQLite file and upgrades it to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = rusqlite::Connection::open(path)?;
        Self::init(conn)
    }

    /// Opens the store at `address`: a SQLite file, or a PostgreSQL server
    /// (whose migrations run first; the password comes from `PGPASSWORD`).
    pub fn open_address(address: &StoreAddress) -> Result<Store> {
        match address {
            StoreAddress::File(path) => Self::open(path),
            StoreAddress::Postgres(addr) => {
                let pg_address = Some(addr.clone());
                let addr = addr.clone();
                let conn = db::PgConn::open(move || {
                    // The keychain's password (`beatdesk team login`) first; a
                    // keychain that cannot answer leaves PGPASSWORD and .pgpass.
                    let password = beatdesk_store_pg::keychain::Keychain::open()
                        .ok()
                        .and_then(|k| beatdesk_store_pg::keychain::lookup(&k, &addr).ok())
                        .flatten();
                    let mut client =
                        beatdesk_store_pg::connect(&addr, password.as_deref(), "beatdesk")?;
                    // Only the owner may create tables: a reporter's or an
                    // editor's login opens a current store without trying.
                    if beatdesk_store_pg::migrate::version(&mut client)?
                        < beatdesk_store_pg::migrate::latest()
                    {
                        beatdesk_store_pg::migrate(&mut client)?;
                    }
                    Ok(client)
                })?;
                let mut store = Self::from_connection(Connection::postgres(conn));
                store.pg_address = pg_address;
                Ok(store)
            }
        }
    }

    /// A private empty database, for tests: in memory on SQLite, or, when
    /// `BEATDESK_TEST_PG` names a PostgreSQL server, a fresh database there
    /// (dropped with the store), so one suite runs on both engines.
    pub fn open_in_memory() -> Result<Store> {
        if let Some(admin) = testdb::server() {
            let (conn, scratch) = testdb::create(&admin)?;
            let mut store = Self::from_connection(conn);
            store.pg_address = Some(scratch.address());
            store.scratch = Some(scratch);
            return Ok(store);
        }
        Self::init(rusqlite::Connection::open_in_memory()?)
    }

    /// A second session on the same PostgreSQL database (another desk, in
    /// tests of concurrency); `None` on SQLite.
    pub fn open_again(&self) -> Result<Option<Store>> {
        let Some(addr) = self.pg_address.clone() else {
            return Ok(None);
        };
        let conn =
            db::PgConn::open(move || Ok(beatdesk_store_pg::connect(&addr, None, "beatdesk")?))?;
        Ok(Some(Self::from_connection(Connection::postgres(conn))))
    }

    #[cfg(test)]
    pub(crate) fn pg_address(&self) -> Option<&str> {
        self.pg_address.as_deref()
    }

    /// Whether tests run on PostgreSQL (`BEATDESK_TEST_PG`), for the few
    /// tests that are about the SQLite file itself.
    pub fn testing_on_postgres() -> bool {
        testdb::server().is_some()
    }

    fn from_connection(conn: Connection) -> Store {
        Store {
            conn: Mutex::new(conn),
            scratch: None,
            pg_address: None,
        }
    }

    fn init(mut conn: rusqlite::Connection) -> Result<Store> {
        // 8 KiB pages for new files (a no-op on existing ones): records run to
        // ~1 KB, so fewer pages and WAL frames per ingested page of items.
        conn.pragma_update(None, "page_size", 8192)?;
        // WAL lets the window read while an ingest writes; the busy timeout
        // covers the CLI and the app touching the same file.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A new process reads whole tables of a big beat (a pass's rebuild,
        // joins over story links): pages mapped and a larger cache, not
        // one read call per page, a 2 MiB cache evicting between statements.
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            checkpoint::AUTO_CHECKPOINT_PAGES,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::init(&mut conn)?;
        Ok(Self::from_connection(Connection::sqlite(conn)))
    }

    /// The database login that PostgreSQL stamps on history rows (the
    /// actor, whatever name the client typed); `None` on SQLite, where the
    /// typed name is kept.
    pub fn login(&self) -> Result<Option<String>> {
        self.read(|c| match c.engine() {
            Engine::Sqlite => Ok(None),
            Engine::Postgres => {
                Ok(Some(c.query_row("SELECT session_user::text", [], |r| {
                    r.get(0)
                })?))
            }
        })
    }

    /// Changes when another connection may have changed the store: on SQLite
    /// only when another process (the CLI, a second window) commits, so the
    /// window can poll it; PostgreSQL has no such counter (the window listens
    /// for NOTIFY there instead, see `watch`).
    pub fn data_version(&self) -> Result<i64> {
        self.read(engine_state::data_version)
    }

    pub fn engine(&self) -> Engine {
        self.conn.lock().unwrap_or_else(|p| p.into_inner()).engine()
    }

    /// Runs `f` with the connection, outside any transaction.
    pub fn read<T, E>(
        &self,
        f: impl FnOnce(&Connection) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn)
    }

    /// Runs `f` in one transaction: everything it writes lands, or nothing
    /// does (an error, a panic or a failed commit rolls back).
    pub fn write<T, E>(
        &self,
        f: impl FnOnce(&Transaction) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.begin().map_err(StoreError::from)?;
        let mut guard = Rollback {
            conn: &conn,
            open: true,
        };
        let value = f(guard.conn)?;
        // A failed COMMIT (SQLite busy) leaves the transaction open: the
        // guard still rolls it back.
        guard.conn.end(true).map_err(StoreError::from)?;
        guard.open = false;
        Ok(value)
    }
}

/// Rolls back a transaction that did not commit.
struct Rollback<'a> {
    conn: &'a Connection,
    open: bool,
}

impl Drop for Rollback<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.end(false);
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(s) = self.scratch.take() {
            s.drop_database();
        }
    }
}
