//! Tests on PostgreSQL: with `BEATDESK_TEST_PG` set to a server's libpq
//! `key=value` address (an admin login; password in `PGPASSWORD`),
//! `Store::open_in_memory` gives every test its own database, copied from a
//! template migrated once per test process, and drops it afterwards.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use postgres::Client;

use crate::db::{self, Connection};
use crate::{Result, StoreError};

/// The admin address from `BEATDESK_TEST_PG`, if tests run on PostgreSQL.
pub(crate) fn server() -> Option<String> {
    std::env::var("BEATDESK_TEST_PG")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

fn with_db(admin: &str, db: &str) -> String {
    format!("{admin} dbname={db}")
}

/// One admin connection per process, for CREATE/DROP DATABASE.
static ADMIN: Mutex<Option<Client>> = Mutex::new(None);
static TEMPLATE: OnceLock<std::result::Result<String, String>> = OnceLock::new();
static NEXT: AtomicU64 = AtomicU64::new(0);

fn admin_do(admin: &str, sql: &str) -> Result<()> {
    // On a thread of its own: the blocking client must not run on a thread
    // that drives a Tokio runtime (async tests).
    let (admin, sql) = (admin.to_string(), sql.to_string());
    std::thread::spawn(move || -> Result<()> {
        let mut guard = ADMIN.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_mut().is_none_or(|c| c.is_closed()) {
            *guard = Some(beatdesk_store_pg::connect(&admin, None, "beatdesk-test")?);
        }
        guard.as_mut().expect("connected").batch_execute(&sql)?;
        Ok(())
    })
    .join()
    .unwrap_or_else(|_| {
        Err(StoreError::Corrupt {
            what: "test database",
            detail: "the admin connection panicked".into(),
        })
    })
}

fn template(admin: &str) -> Result<String> {
    TEMPLATE
        .get_or_init(|| {
            let name = format!("bd_tpl_{}", std::process::id());
            let made = (|| -> Result<()> {
                // One statement per call: DROP/CREATE DATABASE refuse a transaction block.
                admin_do(admin, &format!("DROP DATABASE IF EXISTS {name}"))?;
                admin_do(admin, &format!("CREATE DATABASE {name}"))?;
                let addr = with_db(admin, &name);
                // Migrated on the connection's own thread, then closed with it.
                db::PgConn::open(move || {
                    let mut c = beatdesk_store_pg::connect(&addr, None, "beatdesk-test")?;
                    beatdesk_store_pg::migrate(&mut c)?;
                    Ok(c)
                })?;
                Ok(())
            })();
            made.map(|_| name).map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| StoreError::Corrupt {
            what: "test template database",
            detail: e,
        })
}

/// A database made for one test; dropped by `Store`'s `Drop`.
pub(crate) struct Scratch {
    admin: String,
    name: String,
}

impl Scratch {
    pub(crate) fn address(&self) -> String {
        with_db(&self.admin, &self.name)
    }

    pub(crate) fn drop_database(self) {
        // FORCE ends the store's own session, still open at this point.
        let _ = admin_do(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

pub(crate) fn create(admin: &str) -> Result<(Connection, Scratch)> {
    let tpl = template(admin)?;
    let name = format!(
        "bd_t_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    admin_do(admin, &format!("CREATE DATABASE {name} TEMPLATE {tpl}"))?;
    let addr = with_db(admin, &name);
    let conn =
        db::PgConn::open(move || Ok(beatdesk_store_pg::connect(&addr, None, "beatdesk-test")?))?;
    Ok((
        Connection::postgres(conn),
        Scratch {
            admin: admin.to_string(),
            name,
        },
    ))
}
