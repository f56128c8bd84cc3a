//! Shared by the PostgreSQL test files: the throw-away cluster's address
//! (from `tests/pg/start.sh`), a fresh database per test, seed rows.
#![allow(dead_code)]

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

pub fn env(key: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| {
        panic!(
            "{key} is not set: run tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored"
        )
    })
}

pub fn config(db: &str, user: &str, password: &str) -> Config {
    let mut c = Config::new();
    c.host(&env("BEATDESK_PG_TEST_HOST"))
        .port(env("BEATDESK_PG_TEST_PORT").parse().unwrap())
        .user(user)
        .password(password)
        .dbname(db);
    c
}

pub fn admin(db: &str) -> Client {
    config(
        db,
        &env("BEATDESK_PG_TEST_USER"),
        &env("BEATDESK_PG_TEST_PASSWORD"),
    )
    .connect(NoTls)
    .unwrap()
}

/// A new, empty database named after the test.
pub fn fresh_db(tag: &str) -> String {
    let name = format!("bd_{tag}_{}", std::process::id());
    let mut c = admin("postgres");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    name
}

/// A login name unique to this run (roles are cluster-wide).
pub fn login_name(base: &str) -> String {
    format!("{base}_{}", std::process::id())
}

/// A beat, a story, a revision, a sign-off, a file export, a target, an
/// export attempt and an audit entry, written by the owner.
pub fn seed_history(c: &mut Client) {
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

pub fn history_count(c: &mut Client) -> i64 {
    c.query_one(
        "SELECT (SELECT count(*) FROM drafts) + (SELECT count(*) FROM signoffs)
              + (SELECT count(*) FROM exports) + (SELECT count(*) FROM target_exports)
              + (SELECT count(*) FROM audit_log)",
        &[],
    )
    .unwrap()
    .get(0)
}

pub fn is_privilege_refusal(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE)
}
