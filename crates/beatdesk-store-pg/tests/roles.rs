//! The database enforces the desk's roles and stamps the login as actor.
//! Against a real PostgreSQL (Debian's), started by `tests/pg/start.sh`:
//!   bash tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored

mod common;

use beatdesk_store_pg::{add_user, init, PgStoreError, Role};
use common::*;
use postgres::NoTls;

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
