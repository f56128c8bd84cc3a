//! The schema's upgrade paths against a fresh database.

use super::*;

/// Columns of every table, in order, as SQLite reports them.
fn shape(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let mut tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','index','trigger') ORDER BY type, name")
        .unwrap();
    let names: Vec<String> = tables
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    for name in names {
        let mut cols = conn
            .prepare(&format!("PRAGMA table_xinfo('{name}')"))
            .unwrap();
        let mut cols: Vec<String> = cols
            .query_map([], |r| {
                Ok(format!(
                    "{name}.{}:{}:{}:{:?}",
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?
                ))
            })
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        // ALTER TABLE appends columns; order does not matter to queries by name.
        cols.sort();
        out.push(format!("{name}: {}", cols.join(", ")));
    }
    out
}

#[test]
fn upgrading_v1_matches_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(V1_SQL).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO beats (name, config, created_at) VALUES ('Old beat', '', '2025-01-01T00:00:00Z');
             INSERT INTO sources (beat_id, kind, params, created_at) VALUES (1, 'feed', '{\"url\":\"https://example.org/rss\"}', '2025-01-01T00:00:00Z');",
        )
        .unwrap();
    }
    let mut upgraded = Connection::open(&path).unwrap();
    init(&mut upgraded).unwrap();
    let mut fresh = Connection::open_in_memory().unwrap();
    init(&mut fresh).unwrap();
    assert_eq!(
        shape(&upgraded),
        shape(&fresh),
        "an upgraded v1 file must have the same shape as a new one"
    );
    let v: i64 = upgraded
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, VERSION);
    let (name, errors): (String, i64) = upgraded
        .query_row(
            "SELECT b.name, s.error_count FROM beats b JOIN sources s ON s.beat_id = b.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (name.as_str(), errors),
        ("Old beat", 0),
        "data must survive the upgrade"
    );
}

#[test]
fn upgrading_moves_cited_by_notes_into_record_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(V1_SQL).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO beats (name, config, created_at) VALUES ('Old beat', '', '2025-01-01T00:00:00Z');
             INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at, note)
               VALUES (1, 'reddit', 'p1', 'https://r.example/p1', 'https://r.example/p1', 'P', '', 'u', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', NULL),
                      (1, 'web', 'https://w.example/a', 'https://w.example/a', 'https://w.example/a', 'A', 'a', '', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', '{\"cited_by\":[1]}'),
                      (1, 'manual', 'm1', 'https://m.example/1', 'https://m.example/1', 'M', 'm', '', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'primary document');",
        )
        .unwrap();
    }
    let mut upgraded = Connection::open(&path).unwrap();
    init(&mut upgraded).unwrap();
    let link: (i64, String, String, i64) = upgraded
        .query_row(
            "SELECT record_id, kind, target_key, target_record_id FROM record_links",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(link, (2, "cited_by".into(), "reddit:p1".into(), 1));
    let notes: Vec<Option<String>> = upgraded
        .prepare("SELECT note FROM records ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(notes, vec![None, None, Some("primary document".into())]);
}

#[test]
fn a_newer_database_is_refused_not_damaged() {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.pragma_update(None, "user_version", VERSION + 1)
        .unwrap();
    assert!(matches!(init(&mut conn), Err(StoreError::TooNew { .. })));
}

#[test]
fn drafts_and_audit_log_cannot_be_rewritten() {
    let mut conn = Connection::open_in_memory().unwrap();
    init(&mut conn).unwrap();
    conn.execute_batch(
        "INSERT INTO beats (name, created_at) VALUES ('b', '2025-01-01T00:00:00Z');
         INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 't', 'x', 'x');
         INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document) VALUES (1, 1, 'writer', 'offline', 'x', '{}');
         INSERT INTO audit_log (at, actor, action) VALUES ('x', 'a', 'draft');",
    )
    .unwrap();
    assert!(conn
        .execute("UPDATE drafts SET document = '{\"headline\":\"x\"}'", [])
        .is_err());
    assert!(conn
        .execute("UPDATE audit_log SET actor = 'b'", [])
        .is_err());
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
}

#[test]
fn upgrading_to_v9_stores_each_story_span() {
    let mut conn = Connection::open_in_memory().unwrap();
    init(&mut conn).unwrap();
    // Back to a v8 file holding a story of two records and a manual source.
    conn.execute_batch(
        "DROP INDEX records_unusual; DROP INDEX records_platform; DROP INDEX stories_beat_retired;
         ALTER TABLE stories DROP COLUMN first_at; ALTER TABLE stories DROP COLUMN last_at;
         PRAGMA user_version = 8;
         INSERT INTO beats (name, created_at) VALUES ('b', 'x');
         INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at) VALUES
           (1, 'news', 'a', 'u', 'u', 't', '', 'a', '2026-01-03T00:00:00Z', 'x'),
           (1, 'news', 'b', 'u', 'u', 't', '', 'a', '2026-01-02T00:00:00Z', 'x'),
           (1, 'manual', 'c', 'u', 'u', 't', '', 'a', '2026-01-01T00:00:00Z', 'x');
         INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 's', 'x', 'x'), (1, 'only manual', 'x', 'x');
         INSERT INTO story_records (story_id, record_id, added_at) VALUES (1, 1, 'x'), (1, 2, 'x'), (1, 3, 'x'), (2, 3, 'x');",
    )
    .unwrap();
    init(&mut conn).unwrap();
    let spans: Vec<(Option<String>, Option<String>)> = conn
        .prepare("SELECT first_at, last_at FROM stories ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        spans,
        vec![
            (
                Some("2026-01-02T00:00:00Z".into()),
                Some("2026-01-03T00:00:00Z".into())
            ),
            (None, None)
        ]
    );
}

#[test]
fn upgrading_to_v8_labels_existing_sources_oldest_first() {
    let mut conn = Connection::open_in_memory().unwrap();
    init(&mut conn).unwrap();
    // Back to a v7 file holding a story with three records.
    conn.execute_batch(
        "DROP INDEX records_unusual; DROP INDEX records_platform; DROP INDEX stories_beat_retired;
         ALTER TABLE stories DROP COLUMN first_at; ALTER TABLE stories DROP COLUMN last_at;
         DROP TRIGGER story_labels_assign; DROP TRIGGER story_labels_immutable; DROP TABLE story_labels; DROP TABLE edit_buffers; ALTER TABLE beats DROP COLUMN removed_at;
         PRAGMA user_version = 7;
         INSERT INTO beats (name, created_at) VALUES ('b', 'x');
         INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at) VALUES
           (1, 'news', 'a', 'u', 'u', 't', '', 'a', '2026-01-03T00:00:00Z', 'x'),
           (1, 'news', 'b', 'u', 'u', 't', '', 'a', '2026-01-01T00:00:00Z', 'x'),
           (1, 'news', 'c', 'u', 'u', 't', '', 'a', '2026-01-02T00:00:00Z', 'x');
         INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 's', 'x', 'x');
         INSERT INTO story_records (story_id, record_id, added_at) VALUES (1, 1, 'x'), (1, 2, 'x'), (1, 3, 'x');",
    )
    .unwrap();
    init(&mut conn).unwrap();
    let labels: Vec<(i64, i64)> = conn
        .prepare("SELECT record_id, label FROM story_labels ORDER BY label")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(labels, vec![(2, 1), (3, 2), (1, 3)]);
}

#[test]
fn drafts_signoffs_and_exports_are_append_only() {
    let mut conn = Connection::open_in_memory().unwrap();
    init(&mut conn).unwrap();
    conn.execute_batch(
        "INSERT INTO beats (name, created_at) VALUES ('b', '2025-01-01T00:00:00Z');
         INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 't', 'x', 'x');
         INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document) VALUES (1, 1, 'writer', 'offline', 'x', '{}');
         INSERT INTO signoffs (story_id, draft_id, editor, created_at) VALUES (1, 1, 'Ana', 'x');
         INSERT INTO exports (story_id, draft_id, target, created_at) VALUES (1, 1, 'markdown', 'x');",
    )
    .unwrap();
    for sql in [
        "DELETE FROM drafts",
        "UPDATE signoffs SET editor = 'Eve'",
        "UPDATE signoffs SET draft_id = 2",
        "DELETE FROM signoffs",
        "UPDATE exports SET location = '/tmp/x'",
        "DELETE FROM exports",
    ] {
        let err = conn.execute(sql, []).expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    let n: i64 = conn
        .query_row("SELECT (SELECT COUNT(*) FROM drafts) + (SELECT COUNT(*) FROM signoffs) + (SELECT COUNT(*) FROM exports)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3, "every row is still there");
    // Inserting stays possible: history grows.
    conn.execute(
        "INSERT INTO signoffs (story_id, draft_id, editor, created_at) VALUES (1, 1, 'Ben', 'y')",
        [],
    )
    .unwrap();
}
