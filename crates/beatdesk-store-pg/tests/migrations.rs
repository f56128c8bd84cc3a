//! Migrations: applied once, in order, no-op again, in parity with SQLite, by newsroom IT without a superuser.
//! Against a real PostgreSQL (Debian's), started by `tests/pg/start.sh`:
//!   bash tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored

mod common;

use std::collections::BTreeSet;

use beatdesk_store_pg::{add_user, init, migrate, PgStoreError, Role};
use common::*;
use postgres::{Client, NoTls};

/// Tables, columns, indexes, triggers and grants: what a migration changes.
fn shape(c: &mut Client) -> Vec<String> {
    let mut out = Vec::new();
    for r in c
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text,
                    COALESCE(column_default, '')::text
             FROM information_schema.columns WHERE table_schema = 'public'
             ORDER BY 1, 2",
            &[],
        )
        .unwrap()
    {
        let (t, col, ty, null, d): (String, String, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        out.push(format!("column {t}.{col} {ty} {null} {d}"));
    }
    for r in c
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
    {
        out.push(format!("index {}", r.get::<_, String>(0)));
    }
    for r in c
        .query(
            "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
            &[],
        )
        .unwrap()
    {
        out.push(format!("trigger {}", r.get::<_, String>(0)));
    }
    for r in c
        .query(
            "SELECT grantee::text, table_name::text, privilege_type::text
             FROM information_schema.role_table_grants
             WHERE grantee IN ('beatdesk_reporter', 'beatdesk_editor') ORDER BY 1, 2, 3",
            &[],
        )
        .unwrap()
    {
        out.push(format!(
            "grant {} {} {}",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            r.get::<_, String>(2)
        ));
    }
    out
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn migrations_apply_to_an_empty_database_and_reapply_as_a_no_op() {
    let db = fresh_db("migrate");
    let mut c = admin(&db);
    assert_eq!(beatdesk_store_pg::migrate::version(&mut c).unwrap(), 0);

    let first = init(&mut c).unwrap();
    assert_eq!(
        first.applied,
        (1..=beatdesk_store_pg::migrate::latest()).collect::<Vec<i32>>()
    );
    assert_eq!(first.version, beatdesk_store_pg::migrate::latest());
    let after_first = shape(&mut c);
    assert!(after_first
        .iter()
        .any(|s| s == "trigger signoffs_no_change"));
    assert!(after_first
        .iter()
        .any(|s| s == "grant beatdesk_editor signoffs INSERT"));
    assert!(!after_first
        .iter()
        .any(|s| s == "grant beatdesk_reporter signoffs INSERT"));

    let again = init(&mut c).unwrap();
    assert!(
        again.applied.is_empty(),
        "re-applying changed {:?}",
        again.applied
    );
    assert_eq!(
        shape(&mut c),
        after_first,
        "a second init must change nothing"
    );
    let rows: Vec<(i32, String)> = c
        .query(
            "SELECT version, applied_by FROM beatdesk_schema ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let admin_name = env("BEATDESK_PG_TEST_USER");
    assert_eq!(
        rows,
        (1..=beatdesk_store_pg::migrate::latest())
            .map(|v| (v, admin_name.clone()))
            .collect::<Vec<_>>()
    );

    // A store from a newer Beatdesk is refused and left as it was.
    c.execute(
        "INSERT INTO beatdesk_schema (version, name) VALUES (99, 'future')",
        &[],
    )
    .unwrap();
    let err = migrate(&mut c).unwrap_err();
    assert!(
        matches!(err, PgStoreError::TooNew { found: 99, .. }),
        "{err}"
    );
    assert_eq!(shape(&mut c), after_first);
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn two_desks_initialising_at_once_take_turns() {
    let db = fresh_db("race");
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || init(&mut admin(&db)).unwrap().applied)
        })
        .collect();
    let mut applied: Vec<Vec<i32>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    applied.sort();
    assert_eq!(
        applied,
        vec![
            vec![],
            (1..=beatdesk_store_pg::migrate::latest()).collect::<Vec<i32>>()
        ]
    );
}

/// SQLite's columns as (table, column, not null, default), primary keys counted as not null.
fn sqlite_columns() -> BTreeSet<(String, String, bool, String)> {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    beatdesk_store::schema::init(&mut conn).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut out = BTreeSet::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info('{t}')")).unwrap();
        let cols = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(3)? != 0 || r.get::<_, i64>(5)? > 0,
                    r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                ))
            })
            .unwrap();
        for c in cols {
            let (name, not_null, default) = c.unwrap();
            out.insert((t.clone(), name, not_null, default));
        }
    }
    out
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn the_tables_match_the_sqlite_schema() {
    let db = fresh_db("parity");
    let mut c = admin(&db);
    init(&mut c).unwrap();
    // PostgreSQL writes `'{}'::text`; SQLite keeps `'{}'`. The actor columns
    // are PostgreSQL's own (the login), so their defaults differ by design;
    // `push_map` (team push) has no SQLite twin.
    let pg: BTreeSet<(String, String, bool, String)> = c
        .query(
            "SELECT table_name::text, column_name::text, is_nullable = 'NO',
                    COALESCE(regexp_replace(column_default, '::[a-z ]+$', ''), '')
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name NOT IN ('beatdesk_schema', 'push_map')",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    let pg_only_actor = ["sources", "drafts", "signoffs", "exports"];
    let sqlite = sqlite_columns();
    let strip =
        |s: &BTreeSet<(String, String, bool, String)>| -> BTreeSet<(String, String, bool, String)> {
            s.iter()
                .filter(|(t, col, _, _)| !(col == "actor" && pg_only_actor.contains(&t.as_str())))
                .map(|(t, col, nn, d)| {
                    let d = if col == "actor" {
                        String::new()
                    } else {
                        d.clone()
                    };
                    (t.clone(), col.clone(), *nn, d)
                })
                .collect()
        };
    let (pg, sqlite) = (strip(&pg), strip(&sqlite));
    let missing: Vec<_> = sqlite.difference(&pg).collect();
    let extra: Vec<_> = pg.difference(&sqlite).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "SQLite's schema (v{}) and the PostgreSQL migrations differ;\nonly in SQLite: {missing:#?}\nonly in PostgreSQL: {extra:#?}",
        beatdesk_store_pg::migrate::SQLITE_VERSION
    );
    for t in pg_only_actor {
        let nn: bool = c
            .query_one(
                "SELECT is_nullable = 'NO' FROM information_schema.columns
                 WHERE table_name = $1 AND column_name = 'actor'",
                &[&t],
            )
            .unwrap()
            .get(0);
        assert!(nn, "{t}.actor");
    }
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn newsroom_it_can_initialise_without_a_superuser() {
    // What IT hands out: a login that may create roles and owns the database.
    let owner_name = login_name("newsroom_owner");
    let db = format!("bd_it_{}", std::process::id());
    let mut su = admin("postgres");
    su.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    su.batch_execute(&format!("DROP ROLE IF EXISTS {owner_name}"))
        .unwrap();
    su.batch_execute(&format!(
        "CREATE ROLE {owner_name} LOGIN CREATEROLE NOSUPERUSER PASSWORD 'it-pass'"
    ))
    .unwrap();
    su.batch_execute(&format!("CREATE DATABASE {db} OWNER {owner_name}"))
        .unwrap();

    let mut owner = config(&db, &owner_name, "it-pass").connect(NoTls).unwrap();
    let report = init(&mut owner).unwrap();
    assert_eq!(report.version, beatdesk_store_pg::migrate::latest());
    let editor = login_name("it_editor");
    add_user(&mut owner, &editor, Role::Editor, "ed-pass").unwrap();
    let mut ed = config(&db, &editor, "ed-pass").connect(NoTls).unwrap();
    ed.batch_execute(
        "INSERT INTO beats (name, created_at) VALUES ('b', 'x');
         INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 't', 'x', 'x');
         INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
             VALUES (1, 1, 'writer', 'offline', 'x', '{}');
         INSERT INTO signoffs (story_id, draft_id, editor, created_at) VALUES (1, 1, 'Ed', 'x');",
    )
    .unwrap();
    // The owner administers; it is not an editor and cannot rewrite history.
    let err = owner
        .batch_execute("UPDATE stories SET status = 'approved'")
        .unwrap_err();
    assert!(is_privilege_refusal(&err), "{err}");
    let err = PgStoreError::from(owner.batch_execute("DELETE FROM signoffs").unwrap_err());
    assert!(
        err.to_string().contains("sign-offs are append-only"),
        "{err}"
    );
}
