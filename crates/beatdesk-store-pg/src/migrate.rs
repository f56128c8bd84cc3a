//! Versioned migrations: each applied once, in order, in one transaction,
//! recorded in `beatdesk_schema` with who applied it.

use postgres::Client;

use crate::error::{PgStoreError, Result};

pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Append only: a released migration is never edited, a change is a new one.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "tables",
        sql: include_str!("sql/001_tables.sql"),
    },
    Migration {
        version: 2,
        name: "history",
        sql: include_str!("sql/002_history.sql"),
    },
    Migration {
        version: 3,
        name: "actors",
        sql: include_str!("sql/003_actors.sql"),
    },
    Migration {
        version: 4,
        name: "roles",
        sql: include_str!("sql/004_roles.sql"),
    },
    Migration {
        version: 5,
        name: "notify",
        sql: include_str!("sql/005_notify.sql"),
    },
    Migration {
        version: 6,
        name: "stale_edits",
        sql: include_str!("sql/006_stale_edits.sql"),
    },
    Migration {
        version: 7,
        name: "desk_and_citations",
        sql: include_str!("sql/007_desk_and_citations.sql"),
    },
    Migration {
        version: 8,
        name: "team_push",
        sql: include_str!("sql/008_team_push.sql"),
    },
    Migration {
        version: 9,
        name: "label_row_lock",
        sql: include_str!("sql/009_label_row_lock.sql"),
    },
    Migration {
        version: 10,
        name: "story_spans",
        sql: include_str!("sql/010_story_spans.sql"),
    },
];

/// The newest version this build knows.
pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The SQLite schema version whose tables migration 1 mirrors.
pub const SQLITE_VERSION: i64 = 9;

/// Any constant shared by every Beatdesk: two desks initialising the same
/// store at once take turns instead of racing.
const MIGRATION_LOCK: i64 = 0x6265_6174_6465_736b; // "beatdesk"

/// Brings the store to `latest()`; returns the versions applied now (empty
/// when it was already current). All or nothing.
pub fn migrate(client: &mut Client) -> Result<Vec<i32>> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "SET LOCAL client_min_messages = warning;
         CREATE TABLE IF NOT EXISTS beatdesk_schema (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
             applied_by TEXT NOT NULL DEFAULT session_user
         );",
    )?;
    let applied: Vec<(i32, String)> = tx
        .query(
            "SELECT version, name FROM beatdesk_schema ORDER BY version",
            &[],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    if let Some((found, _)) = applied.iter().find(|(v, _)| *v > latest()) {
        return Err(PgStoreError::TooNew {
            found: *found,
            supported: latest(),
        });
    }
    for (version, name) in &applied {
        let known = MIGRATIONS.iter().find(|m| m.version == *version);
        if known.map(|m| m.name) != Some(name.as_str()) {
            return Err(PgStoreError::Diverged {
                version: *version,
                expected: known.map_or("(none)", |m| m.name).to_string(),
                found: name.clone(),
            });
        }
    }
    let mut now = Vec::new();
    for m in MIGRATIONS {
        if applied.iter().any(|(v, _)| *v == m.version) {
            continue;
        }
        tx.batch_execute(m.sql)?;
        tx.execute(
            "INSERT INTO beatdesk_schema (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )?;
        now.push(m.version);
    }
    tx.commit()?;
    Ok(now)
}

/// The store's current version (0 for a database Beatdesk never touched).
pub fn version(client: &mut Client) -> Result<i32> {
    let exists: bool = client
        .query_one("SELECT to_regclass('beatdesk_schema') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client.query_one("SELECT COALESCE(max(version), 0) FROM beatdesk_schema", &[])?;
    Ok(row.get(0))
}
