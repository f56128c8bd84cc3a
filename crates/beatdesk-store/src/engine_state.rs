//! What the core's incremental analysis asks of the engine: a counter of
//! full passes per beat and a number that changes when another connection
//! commits. The dialects differ here, so the branch lives in the store.

use crate::db::{Connection, Engine};
use crate::Result;

/// Full passes run on this connection per beat (a temporary table, so per
/// connection and never saved). On SQLite a temporary trigger also bumps it
/// when a record's status changes, since that changes the grouping.
pub fn generation(conn: &Connection, beat_id: i64, bump: bool) -> Result<i64> {
    match conn.engine() {
        Engine::Sqlite => conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS analysis_generation (beat_id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
             CREATE TEMP TRIGGER IF NOT EXISTS analysis_status_change AFTER UPDATE OF status ON records
             WHEN OLD.status != NEW.status
             BEGIN
                 INSERT INTO analysis_generation (beat_id, n) VALUES (NEW.beat_id, 0) ON CONFLICT DO NOTHING;
                 UPDATE analysis_generation SET n = n + 1 WHERE beat_id = NEW.beat_id;
             END;",
        )?,
        // PostgreSQL has no temporary triggers on permanent tables; the
        // status change is caught by `data_version` below instead.
        Engine::Postgres => conn.execute_batch(
            "SET LOCAL client_min_messages = warning;
             CREATE TEMP TABLE IF NOT EXISTS analysis_generation (beat_id BIGINT PRIMARY KEY, n BIGINT NOT NULL);",
        )?,
    }
    if bump {
        conn.execute(
            "INSERT INTO analysis_generation (beat_id, n) VALUES (?1, 1)
             ON CONFLICT (beat_id) DO UPDATE SET n = analysis_generation.n + 1",
            [beat_id],
        )?;
    }
    Ok(conn.query_row(
        "SELECT COALESCE((SELECT n FROM analysis_generation WHERE beat_id = ?1), 0)",
        [beat_id],
        |r| r.get(0),
    )?)
}

/// Changes whenever another connection may have changed the store. SQLite
/// counts other connections' commits exactly; a shared PostgreSQL store has
/// no such counter, so every transaction is a new value (the core's
/// analysis compares the beat's note there instead).
pub fn data_version(conn: &Connection) -> Result<i64> {
    Ok(match conn.engine() {
        Engine::Sqlite => conn.query_row("PRAGMA data_version", [], |r| r.get(0))?,
        Engine::Postgres => conn.query_row("SELECT txid_current()", [], |r| r.get(0))?,
    })
}
