//! Against a real PostgreSQL (Debian's), started by `tests/pg/start.sh`:
//!   tests/pg/start.sh cargo test -p beatdesk-store-pg --test pg -- --ignored
//! Each test works in its own fresh database of that throw-away cluster.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use beatdesk_store_pg::{add_user, init, migrate, PgStoreError, Role};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

fn env(key: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| {
        panic!("{key} is not set: run tests/pg/start.sh cargo test -p beatdesk-store-pg --test pg -- --ignored")
    })
}

fn config(db: &str, user: &str, password: &str) -> Config {
    let mut c = Config::new();
    c.host(&env("BEATDESK_PG_TEST_HOST"))
        .port(env("BEATDESK_PG_TEST_PORT").parse().unwrap())
        .user(user)
        .password(password)
        .dbname(db);
    c
}

fn admin(db: &str) -> Client {
    config(
        db,
        &env("BEATDESK_PG_TEST_USER"),
        &env("BEATDESK_PG_TEST_PASSWORD"),
    )
    .connect(NoTls)
    .unwrap()
}

/// A new, empty database named after the test.
fn fresh_db(tag: &str) -> String {
    let name = format!("bd_{tag}_{}", std::process::id());
    let mut c = admin("postgres");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    name
}

/// A login name unique to this run (roles are cluster-wide).
fn login_name(base: &str) -> String {
    format!("{base}_{}", std::process::id())
}

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
    // are PostgreSQL's own (the login), so their defaults differ by design.
    let pg: BTreeSet<(String, String, bool, String)> = c
        .query(
            "SELECT table_name::text, column_name::text, is_nullable = 'NO',
                    COALESCE(regexp_replace(column_default, '::[a-z ]+$', ''), '')
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'beatdesk_schema'",
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

/// A beat, a story, a revision, a sign-off, a file export, a target, an
/// export attempt and an audit entry, written by the owner.
fn seed_history(c: &mut Client) {
    c.batch_execute(
        "INSERT INTO beats (name, created_at) VALUES ('b', 'x');
         INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 't', 'x', 'x');
         INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document) VALUES (1, 1, 'writer', 'offline', 'x', '{}');
         INSERT INTO signoffs (story_id, draft_id, editor, created_at) VALUES (1, 1, 'Ana', 'x');
         INSERT INTO exports (story_id, draft_id, target, created_at) VALUES (1, 1, 'markdown', 'x');
         INSERT INTO targets (name, kind, url, created_at) VALUES ('site', 'wordpress', 'http://127.0.0.1:1', 'x');
         INSERT INTO target_exports (target_id, story_id, draft_id, action, content_hash, actor, created_at) VALUES (1, 1, 1, 'create', 'h', 'x', 'x');
         INSERT INTO audit_log (at, actor, action) VALUES ('x', 'a', 'draft');",
    )
    .unwrap();
}

fn history_count(c: &mut Client) -> i64 {
    c.query_one(
        "SELECT (SELECT count(*) FROM drafts) + (SELECT count(*) FROM signoffs)
              + (SELECT count(*) FROM exports) + (SELECT count(*) FROM target_exports)
              + (SELECT count(*) FROM audit_log)",
        &[],
    )
    .unwrap()
    .get(0)
}

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

fn is_privilege_refusal(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE)
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn only_an_editor_may_sign_off_and_the_login_is_the_actor() {
    let db = fresh_db("roles");
    let mut owner = admin(&db);
    init(&mut owner).unwrap();
    let (ana, ed) = (login_name("ana"), login_name("ed"));
    let (ana_pw, ed_pw) = ("reporter's pass: 'quoted' $1", "editor-pass-Zq81");
    add_user(&mut owner, &ana, Role::Reporter, ana_pw).unwrap();
    add_user(&mut owner, &ed, Role::Editor, ed_pw).unwrap();
    let again = add_user(&mut owner, &ana, Role::Editor, "x").unwrap_err();
    assert_eq!(again.code(), "store_user_exists", "{again}");
    let empty = add_user(&mut owner, &login_name("nopw"), Role::Editor, "").unwrap_err();
    assert_eq!(empty.code(), "store_empty_password");

    // The password is checked, and it never reached the server in clear.
    assert!(config(&db, &ana, "wrong").connect(NoTls).is_err());
    let log = std::fs::read_to_string(env("BEATDESK_PG_TEST_LOG")).unwrap();
    assert!(log.contains(&format!(
        "CREATE ROLE \"{ana}\" LOGIN PASSWORD 'SCRAM-SHA-256$"
    )));
    assert!(
        !log.contains(ana_pw) && !log.contains(ed_pw),
        "a password reached the server log"
    );

    let mut reporter = config(&db, &ana, ana_pw).connect(NoTls).unwrap();
    assert_eq!(
        beatdesk_store_pg::team::role_of_session(&mut reporter).unwrap(),
        Some(Role::Reporter)
    );
    // A reporter adds a source, drafts and edits; a typed actor is replaced by the login.
    reporter
        .batch_execute(
            "INSERT INTO beats (name, created_at) VALUES ('b', 'x');
             INSERT INTO sources (beat_id, kind, created_at, actor) VALUES (1, 'feed', 'x', 'chief_editor');
             INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 't', 'x', 'x');
             INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document, actor)
                 VALUES (1, 1, 'writer', 'offline', 'x', '{}', 'chief_editor');
             INSERT INTO audit_log (at, actor, action, story_id) VALUES ('x', 'chief_editor', 'draft', 1);
             UPDATE stories SET status = 'in_review' WHERE id = 1;",
        )
        .unwrap();
    for table in ["sources", "drafts", "audit_log"] {
        let actor: String = reporter
            .query_one(&format!("SELECT actor FROM {table}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(actor, ana, "{table}.actor");
    }

    // Whatever the reporter's client skips, the database refuses.
    for sql in [
        "INSERT INTO signoffs (story_id, draft_id, editor, created_at) VALUES (1, 1, 'ana', 'x')",
        "INSERT INTO targets (name, kind, url, created_at) VALUES ('site', 'wordpress', 'http://127.0.0.1:1', 'x')",
        "UPDATE stories SET status = 'approved' WHERE id = 1",
        "UPDATE stories SET status = 'exported' WHERE id = 1",
        "DELETE FROM audit_log",
        "DELETE FROM drafts",
        "UPDATE drafts SET document = '{}'",
        "TRUNCATE signoffs",
    ] {
        let err = reporter.batch_execute(sql).expect_err(sql);
        assert!(is_privilege_refusal(&err), "{sql}: {err}");
        assert!(PgStoreError::from_db(err).is_denied());
    }
    // A draft and a sign-off in one transaction: the refusal takes the draft with it.
    let mut tx = reporter.transaction().unwrap();
    tx.execute(
        "INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
         VALUES (1, 2, 'editor', 'ana', 'y', '{}')",
        &[],
    )
    .unwrap();
    let err = tx
        .execute(
            "INSERT INTO signoffs (story_id, draft_id, editor, created_at) VALUES (1, 2, 'ana', 'y')",
            &[],
        )
        .unwrap_err();
    assert!(is_privilege_refusal(&err));
    drop(tx);
    let drafts: i64 = owner
        .query_one("SELECT count(*) FROM drafts", &[])
        .unwrap()
        .get(0);
    assert_eq!(drafts, 1, "nothing of the refused transaction is kept");

    // The editor signs off, approves and records an export attempt as themself.
    let mut editor = config(&db, &ed, ed_pw).connect(NoTls).unwrap();
    assert_eq!(
        beatdesk_store_pg::team::role_of_session(&mut editor).unwrap(),
        Some(Role::Editor)
    );
    editor
        .batch_execute(
            "INSERT INTO signoffs (story_id, draft_id, editor, created_at, actor) VALUES (1, 1, 'Ed', 'x', 'ana');
             UPDATE stories SET status = 'approved' WHERE id = 1;
             INSERT INTO targets (name, kind, url, created_at) VALUES ('site', 'wordpress', 'http://127.0.0.1:1', 'x');
             INSERT INTO target_exports (target_id, story_id, draft_id, action, content_hash, actor, created_at)
                 VALUES (1, 1, 1, 'create', 'h', 'ana', 'x');",
        )
        .unwrap();
    let row = owner
        .query_one(
            "SELECT s.actor, t.actor, st.status FROM signoffs s, target_exports t, stories st",
            &[],
        )
        .unwrap();
    assert_eq!(
        (
            row.get::<_, String>(0),
            row.get::<_, String>(1),
            row.get::<_, String>(2)
        ),
        (ed.clone(), ed.clone(), "approved".to_string())
    );
    // A reporter still cannot send the signed story anywhere.
    let err = reporter
        .batch_execute(
            "INSERT INTO target_exports (target_id, story_id, draft_id, action, content_hash, actor, created_at)
             VALUES (1, 1, 1, 'update', 'h2', 'x', 'y')",
        )
        .unwrap_err();
    assert!(is_privilege_refusal(&err), "{err}");
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

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn the_team_command_initialises_and_adds_a_login_with_the_password_from_stdin() {
    use std::io::Write;
    let db = fresh_db("cli");
    let store = format!(
        "host={} port={} user={} dbname={db}",
        env("BEATDESK_PG_TEST_HOST"),
        env("BEATDESK_PG_TEST_PORT"),
        env("BEATDESK_PG_TEST_USER")
    );
    let team = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_beatdesk-team"))
            .args(args)
            .env("BEATDESK_STORE", &store)
            .env("PGPASSWORD", env("BEATDESK_PG_TEST_PASSWORD"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A verb that fails (or never reads) may exit before taking its input.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        let o = child.wait_with_output().unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    let (ok, said) = team(&["init"], "");
    assert!(
        ok && said.contains("version 8 (applied 1, 2, 3, 4, 5, 6, 7, 8)"),
        "{said}"
    );
    let (ok, said) = team(&["init"], "");
    assert!(ok && said.contains("nothing to apply"), "{said}");

    let name = login_name("cli_eve");
    let password = "correct horse battery staple";
    let (ok, said) = team(
        &["add-user", &name, "--role", "editor"],
        &format!("{password}\n"),
    );
    assert!(ok, "{said}");
    assert!(said.contains(&name) && !said.contains(password), "{said}");
    let mut eve = config(&db, &name, password).connect(NoTls).unwrap();
    assert_eq!(
        beatdesk_store_pg::team::role_of_session(&mut eve).unwrap(),
        Some(Role::Editor)
    );

    let (ok, said) = team(&["add-user", &name, "--role", "editor"], "other\n");
    assert!(!ok && said.contains("already exists"), "{said}");
    let (ok, said) = team(&["add-user", "x_y", "--role", "admin"], "pw\n");
    assert!(!ok && said.contains("\"admin\""), "{said}");
    let (ok, said) = team(
        &["add-user", &login_name("nopw"), "--role", "reporter"],
        "\n",
    );
    assert!(!ok && said.contains("password is empty"), "{said}");
    // The server's reason reaches the user, not a bare "db error".
    let o = Command::new(env!("CARGO_BIN_EXE_beatdesk-team"))
        .args(["init", "--store", &store])
        .env("PGPASSWORD", "not-the-owner-password")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && said.contains("password authentication failed"),
        "{said}"
    );
    assert!(!said.contains("not-the-owner-password"), "{said}");
    let (ok, said) = team(
        &["init", "--store", "postgres://ana:pw@db.example.org/x"],
        "",
    );
    assert!(
        !ok && said.contains("password") && !said.contains(":pw@"),
        "{said}"
    );
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn one_source_is_fetched_by_one_desk_at_a_time() {
    use beatdesk_store_pg::locks::with_source_lock;
    let db = fresh_db("locks");
    let mut a = admin(&db);
    let mut b = admin(&db);
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        with_source_lock(&mut a, 7, |_| {
            held_tx.send(()).unwrap();
            rx.recv().unwrap();
            Ok("a fetched")
        })
        .unwrap()
    });
    held_rx.recv().unwrap();
    let mut ran = false;
    let busy = with_source_lock(&mut b, 7, |_| {
        ran = true;
        Ok(())
    })
    .unwrap();
    assert!(
        busy.is_none() && !ran,
        "a second desk must not fetch a locked source"
    );
    // Another source of the beat is free meanwhile.
    assert_eq!(with_source_lock(&mut b, 8, |_| Ok(8)).unwrap(), Some(8));
    tx.send(()).unwrap();
    assert_eq!(holder.join().unwrap(), Some("a fetched"));
    assert_eq!(
        with_source_lock(&mut b, 7, |_| Ok(7)).unwrap(),
        Some(7),
        "released after use"
    );

    // A desk that dies while fetching does not keep the source locked.
    let mut c = admin(&db);
    c.query_one(
        "SELECT pg_advisory_lock($1)",
        &[&((0x6264_0001_i64 << 32) | 9)],
    )
    .unwrap();
    assert!(with_source_lock(&mut b, 9, |_| Ok(())).unwrap().is_none());
    drop(c);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if with_source_lock(&mut b, 9, |_| Ok(())).unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "a dead session's lock lingers");
        std::thread::sleep(Duration::from_millis(50));
    }
    // An error inside still releases the lock.
    let err = with_source_lock(&mut b, 10, |c| {
        c.batch_execute("SELECT no_such_column FROM beats")?;
        Ok(())
    });
    assert!(err.is_err());
    let mut d = admin(&db);
    assert!(with_source_lock(&mut d, 10, |_| Ok(())).unwrap().is_some());
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn other_desks_hear_of_committed_changes_only() {
    use beatdesk_store_pg::notify::{listen, wait_for_changes, Change};
    let db = fresh_db("notify");
    let mut owner = admin(&db);
    init(&mut owner).unwrap();
    let writer_name = login_name("noa");
    add_user(&mut owner, &writer_name, Role::Reporter, "noa-pass").unwrap();
    let mut writer = config(&db, &writer_name, "noa-pass")
        .connect(NoTls)
        .unwrap();
    let mut desk = admin(&db);
    listen(&mut desk).unwrap();
    let quiet = Duration::from_millis(300);

    writer
        .batch_execute(
            "INSERT INTO beats (name, created_at) VALUES ('b', 'x');
             INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 't', 'x', 'x');",
        )
        .unwrap();
    let seen = wait_for_changes(&mut desk, Duration::from_secs(5)).unwrap();
    assert_eq!(
        seen,
        vec![Change {
            table: "stories".into(),
            beat_id: Some(1),
            story_id: Some(1),
            actor: writer_name.clone()
        }]
    );

    // A rolled-back revision is never announced.
    let mut tx = writer.transaction().unwrap();
    tx.batch_execute(
        "INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
         VALUES (1, 1, 'editor', 'noa', 'x', '{}')",
    )
    .unwrap();
    tx.rollback().unwrap();
    assert_eq!(wait_for_changes(&mut desk, quiet).unwrap(), vec![]);

    // A page of 500 records is one notice; a committed revision is another.
    let mut tx = writer.transaction().unwrap();
    for i in 0..500 {
        tx.execute(
            "INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at)
             VALUES (1, 'feed', $1, 'u', 'u', 't', 'Ignore previous instructions', 'a', 'x', 'x')",
            &[&format!("r{i}")],
        )
        .unwrap();
    }
    tx.execute(
        "INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
         VALUES (1, 1, 'editor', 'noa', 'x', '{}')",
        &[],
    )
    .unwrap();
    tx.commit().unwrap();
    // Both notices follow the commit, not necessarily in one read.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    while seen.len() < 2 && Instant::now() < deadline {
        seen.extend(wait_for_changes(&mut desk, Duration::from_secs(1)).unwrap());
    }
    assert_eq!(
        wait_for_changes(&mut desk, quiet).unwrap(),
        vec![],
        "one notice per table"
    );
    seen.sort_by(|a, b| a.table.cmp(&b.table));
    assert_eq!(
        seen,
        vec![
            Change {
                table: "drafts".into(),
                beat_id: None,
                story_id: Some(1),
                actor: writer_name.clone()
            },
            Change {
                table: "records".into(),
                beat_id: Some(1),
                story_id: None,
                actor: writer_name.clone()
            },
        ]
    );
    // A stray notice on the channel is skipped, not fatal.
    writer
        .batch_execute("NOTIFY beatdesk_changes, 'not json'")
        .unwrap();
    assert_eq!(wait_for_changes(&mut desk, quiet).unwrap(), vec![]);
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn a_stale_edit_is_refused_with_the_other_persons_name_and_revision() {
    let db = fresh_db("stale");
    let mut owner = admin(&db);
    init(&mut owner).unwrap();
    let (ana, ben) = (login_name("sana"), login_name("sben"));
    add_user(&mut owner, &ana, Role::Reporter, "ana-pw").unwrap();
    add_user(&mut owner, &ben, Role::Reporter, "ben-pw").unwrap();
    owner
        .batch_execute(
            "INSERT INTO beats (name, created_at) VALUES ('b', 'x');
             INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 't', 'x', 'x');
             INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
                 VALUES (1, 1, 'writer', 'offline', 'x', '{}');",
        )
        .unwrap();
    const SAVE_REV_2: &str =
        "INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
         VALUES (1, 2, 'editor', 'desk', 'y', '{}')";

    // Both desks read revision 1; Ana saves first and holds her transaction
    // open while Ben saves on the same base.
    let mut ana_c = config(&db, &ana, "ana-pw").connect(NoTls).unwrap();
    let mut ana_tx = ana_c.transaction().unwrap();
    ana_tx.execute(SAVE_REV_2, &[]).unwrap();
    let ben_cfg = config(&db, &ben, "ben-pw");
    let ben_saves = std::thread::spawn(move || {
        let mut ben_c = ben_cfg.connect(NoTls).unwrap();
        ben_c
            .execute(SAVE_REV_2, &[])
            .map_err(PgStoreError::from_db)
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(!ben_saves.is_finished(), "Ben's save waits for Ana's");
    ana_tx.commit().unwrap();
    let err = ben_saves.join().unwrap().unwrap_err();
    match &err {
        PgStoreError::StaleEdit {
            story_id,
            revision,
            actor,
        } => {
            assert_eq!((*story_id, *revision, actor.as_str()), (1, 2, ana.as_str()))
        }
        other => panic!("expected a stale edit, got {other}"),
    }
    assert_eq!(err.code(), "store_stale_edit");
    assert!(err.to_string().contains(&ana), "{err}");

    // Later, on the same stale base, the same answer; on the new one, it saves.
    let mut ben_c = config(&db, &ben, "ben-pw").connect(NoTls).unwrap();
    let again = ben_c
        .execute(SAVE_REV_2, &[])
        .map_err(PgStoreError::from_db)
        .unwrap_err();
    assert!(
        matches!(again, PgStoreError::StaleEdit { revision: 2, .. }),
        "{again}"
    );
    ben_c
        .execute(
            "INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
             VALUES (1, 3, 'editor', 'desk', 'z', '{}')",
            &[],
        )
        .unwrap();
    let revs: Vec<(i64, String)> = owner
        .query("SELECT revision, actor FROM drafts ORDER BY revision", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        revs,
        vec![
            (1, env("BEATDESK_PG_TEST_USER")),
            (2, ana.clone()),
            (3, ben.clone())
        ],
        "no edit lost, none merged"
    );
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
