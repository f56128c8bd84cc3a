//! Stable citation labels: a record's number in a story. A trigger on
//! `story_records` gives each record the next number when it first joins the
//! story; rows are never updated, so labels only grow.

use std::collections::HashMap;

use crate::db::{params, Connection};

use crate::Result;

/// Every label of a story, by record id (records that left keep theirs).
pub fn for_story(conn: &Connection, story_id: i64) -> Result<HashMap<i64, i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT record_id, label FROM story_labels WHERE story_id = ?1")?;
    let rows = stmt
        .query_map([story_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<crate::db::Result<HashMap<_, _>>>()?;
    Ok(rows)
}

/// Gives `record_id` the story's next label unless it has one; returns its label.
/// For records cited by a story they never belonged to (a restored revision
/// citing a record moved away keeps its old label; anything else gets a new one).
pub fn ensure(conn: &Connection, story_id: i64, record_id: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO story_labels (story_id, record_id, label)
         VALUES (?1, ?2, (SELECT COALESCE(MAX(label), 0) + 1 FROM story_labels WHERE story_id = ?1))
         ON CONFLICT DO NOTHING",
        params![story_id, record_id],
    )?;
    Ok(conn.query_row(
        "SELECT label FROM story_labels WHERE story_id = ?1 AND record_id = ?2",
        params![story_id, record_id],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{stories, Store};
    use chrono::{TimeZone, Utc};

    fn setup(store: &Store) -> i64 {
        store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO beats (name, created_at) VALUES ('b', '2026-01-01T00:00:00Z');",
                )?;
                for i in 1..=4 {
                    tx.execute(
                        "INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at)
                         VALUES (1, 'news', ?1, 'https://e.example/', 'https://e.example/', 't', '', 'a', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                        [format!("n{i}")],
                    )?;
                }
                let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
                let id = stories::insert(tx, 1, "s", now)?;
                stories::set_records(tx, id, &[(3, vec![]), (1, vec![])], now)?;
                Ok::<_, crate::StoreError>(id)
            })
            .unwrap()
    }

    #[test]
    fn labels_are_given_on_joining_and_never_renumbered() {
        let store = Store::open_in_memory().unwrap();
        let story = setup(&store);
        let first = store.read(|c| for_story(c, story)).unwrap();
        assert_eq!(first, HashMap::from([(3, 1), (1, 2)]));
        let now = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
        store
            .write(|tx| {
                // Record 3 leaves, 2 and 4 join: the old labels stay, new ones follow.
                stories::set_records(tx, story, &[(1, vec![]), (4, vec![]), (2, vec![])], now)?;
                stories::add_link(tx, story, 3, now)
            })
            .unwrap();
        let after = store.read(|c| for_story(c, story)).unwrap();
        assert_eq!(after, HashMap::from([(3, 1), (1, 2), (4, 3), (2, 4)]));
        assert_eq!(store.write(|tx| ensure(tx, story, 1)).unwrap(), 2);
        assert!(
            store
                .write(|tx| tx
                    .execute("UPDATE story_labels SET label = 9", [])
                    .map_err(crate::StoreError::from))
                .is_err(),
            "a label can never be changed"
        );
    }
}
