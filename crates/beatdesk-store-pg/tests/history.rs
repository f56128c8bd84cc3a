//! History is append-only, and a killed client leaves nothing half-written.
//! Against a real PostgreSQL (Debian's), started by `tests/pg/start.sh`:
//!   bash tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use beatdesk_store_pg::init;
use common::*;

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn history_cannot_be_rewritten_even_by_the_owner() {
    let db = fresh_db("history");
    let mut c = admin(&db);
    init(&mut c).unwrap();
    seed_history(&mut c);
    assert_eq!(history_count(&mut c), 5);
    for (sql, says) in [
        (
            "UPDATE drafts SET document = '{\"headline\":\"x\"}'",
            "immutable",
        ),
        ("DELETE FROM drafts", "append-only"),
        ("TRUNCATE drafts CASCADE", "append-only"),
        ("UPDATE signoffs SET editor = 'Eve'", "append-only"),
        ("UPDATE signoffs SET draft_id = 2", "append-only"),
        ("DELETE FROM signoffs", "append-only"),
        ("TRUNCATE signoffs", "append-only"),
        ("UPDATE exports SET location = '/tmp/x'", "append-only"),
        ("DELETE FROM exports", "append-only"),
        ("UPDATE target_exports SET remote_id = '8'", "append-only"),
        ("DELETE FROM target_exports", "append-only"),
        ("TRUNCATE target_exports", "append-only"),
        ("UPDATE audit_log SET actor = 'b'", "append-only"),
        ("DELETE FROM audit_log", "append-only"),
        ("TRUNCATE audit_log", "append-only"),
        ("DELETE FROM stories", "append-only"),
    ] {
        let err = c.batch_execute(sql).expect_err(sql);
        let db_err = err.as_db_error().unwrap_or_else(|| panic!("{sql}: {err}"));
        assert!(
            db_err.message().contains(says),
            "{sql}: {}",
            db_err.message()
        );
    }
    assert_eq!(history_count(&mut c), 5, "every row is still there");
    // History still grows.
    c.execute(
        "INSERT INTO signoffs (story_id, draft_id, editor, created_at) VALUES (1, 1, 'Ben', 'y')",
        &[],
    )
    .unwrap();
    assert_eq!(history_count(&mut c), 6);
}

const CHILD_DB: &str = "BEATDESK_PG_KILL_CHILD_DB";

/// The child half: write a revision and its audit entry in one transaction,
/// say so, and wait to be killed before committing.
fn half_write_and_wait(db: &str) {
    let mut c = admin(db);
    let mut tx = c.transaction().unwrap();
    tx.batch_execute(
        "INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
             VALUES (1, 2, 'editor', 'ana', 'y', '{\"headline\":\"half\"}');
         INSERT INTO audit_log (at, actor, action, story_id) VALUES ('y', 'ana', 'edit', 1);",
    )
    .unwrap();
    let pid: i32 = tx.query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0);
    println!("READY {pid}");
    std::thread::sleep(Duration::from_secs(120));
    tx.commit().unwrap();
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn a_killed_client_leaves_nothing_half_written() {
    if let Ok(db) = std::env::var(CHILD_DB) {
        return half_write_and_wait(&db);
    }
    let db = fresh_db("killed");
    let mut c = admin(&db);
    init(&mut c).unwrap();
    seed_history(&mut c);
    let before = history_count(&mut c);

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "a_killed_client_leaves_nothing_half_written",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD_DB, &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let pid: i32 = loop {
        let line = lines
            .next()
            .expect("the child ended before writing")
            .unwrap();
        if let Some(pid) = line.strip_prefix("READY ") {
            break pid.trim().parse().unwrap();
        }
    };
    let state: String = c
        .query_one("SELECT state FROM pg_stat_activity WHERE pid = $1", &[&pid])
        .unwrap()
        .get(0);
    assert_eq!(
        state, "idle in transaction",
        "the child holds its writes open"
    );

    child.kill().unwrap();
    child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while c
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
            &[&pid],
        )
        .unwrap()
        .get::<_, i64>(0)
        > 0
    {
        assert!(
            Instant::now() < deadline,
            "the killed client's session lingers"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        history_count(&mut c),
        before,
        "nothing of the killed transaction is kept"
    );
    // Nor any lock: the same revision can be written at once.
    c.batch_execute(
        "SET lock_timeout = '2s';
         INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
             VALUES (1, 2, 'editor', 'ben', 'z', '{}');",
    )
    .unwrap();
    assert_eq!(history_count(&mut c), before + 1);
}
