//! `story_decisions`: an editor's word that a record belongs to a story
//! (a move, a merge, a split). Analysis keeps these over its own grouping;
//! the latest decision per record replaces an earlier one.

use crate::db::{params, Connection};
use chrono::{DateTime, Utc};

use crate::{to_sql_time, Result};

/// Records `record_id` as belonging to `story_id`.
pub fn set(
    conn: &Connection,
    beat_id: i64,
    record_id: i64,
    story_id: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO story_decisions (record_id, beat_id, story_id, actor, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(record_id) DO UPDATE SET story_id = excluded.story_id,
             actor = excluded.actor, created_at = excluded.created_at",
        params![record_id, beat_id, story_id, actor, to_sql_time(now)],
    )?;
    Ok(())
}

/// Every decision of a beat as (record id, story id), by record id.
pub fn for_beat(conn: &Connection, beat_id: i64) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT record_id, story_id FROM story_decisions WHERE beat_id = ?1 ORDER BY record_id",
    )?;
    let rows = stmt.query_map([beat_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<crate::db::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn the_latest_decision_per_record_wins() {
        let store = Store::open_in_memory().unwrap();
        let now = Utc::now();
        store
            .write(|c| -> Result<()> {
                c.execute_batch(
                    "INSERT INTO beats (name, created_at) VALUES ('b', '2026-01-01T00:00:00Z');
                     INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at)
                       VALUES (1, 'news', 'a', 'https://x.example/a', 'https://x.example/a', 'A', '', '', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
                     INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 's1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                       (1, 's2', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');",
                )?;
                set(c, 1, 1, 1, "ed", now)?;
                set(c, 1, 1, 2, "ed", now)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(store.read(|c| for_beat(c, 1)).unwrap(), vec![(1, 2)]);
    }
}
