//! The whole core on a shared PostgreSQL store under real logins: a
//! reporter's desk drafts and edits, its sign-off is refused by the
//! database (whatever the app checks), an editor's is kept under the
//! editor's login. Passwords come from the keychain, as `beatdesk team
//! login` leaves them. Runs inside tests/pg (BEATDESK_TEST_PG), under
//! `keyctl session -`; elsewhere it says why it did nothing.

use std::sync::Arc;

use beatdesk_core::{Beatdesk, DocumentEdit, FixedClock, StoreAddress, DEMO_BEAT};
use beatdesk_store_pg::keychain::{self, Keychain, PasswordStore};
use beatdesk_store_pg::{add_user, init, Role};
use beatdesk_types::{SignOffRequest, StoryStatus};
use chrono::{TimeZone, Utc};

/// `host=… port=… user=… dbname=postgres` with `dbname` swapped.
fn on_db(admin: &str, db: &str, user: Option<&str>) -> String {
    admin
        .split_whitespace()
        .map(|kv| match kv.split_once('=') {
            Some(("dbname", _)) => format!("dbname={db}"),
            Some(("user", u)) => format!("user={}", user.unwrap_or(u)),
            _ => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn open(home: &std::path::Path, address: &str) -> Beatdesk {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let d = Beatdesk::open_at(home, &StoreAddress::Postgres(address.to_string()))
        .unwrap_or_else(|e| panic!("open {address}: {e}"));
    d.with_clock(Arc::new(FixedClock(now)))
}

#[test]
fn a_reporters_sign_off_is_refused_by_the_database_and_an_editors_is_kept_under_the_login() {
    let Ok(admin) = std::env::var("BEATDESK_TEST_PG") else {
        eprintln!("skipped: BEATDESK_TEST_PG is not set (run inside tests/pg/start.sh + env.sh)");
        return;
    };
    let Ok(chain) = Keychain::open() else {
        eprintln!("skipped: no keychain (run under keyctl session -)");
        return;
    };
    let tag = format!(
        "{}_{}",
        std::process::id(),
        Utc::now().timestamp_micros() % 1_000_000
    );
    let db = format!("roles_core_{tag}");
    let mut server = beatdesk_store_pg::connect(&admin, None, "roles-test").unwrap();
    server
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();

    let owner_address = on_db(&admin, &db, None);
    let mut owner = beatdesk_store_pg::connect(&owner_address, None, "roles-test").unwrap();
    init(&mut owner).unwrap();
    let (ana, ed) = (format!("ana_{tag}"), format!("ed_{tag}"));
    add_user(&mut owner, &ana, Role::Reporter, "reporter pass 1").unwrap();
    add_user(&mut owner, &ed, Role::Editor, "editor pass 2").unwrap();
    let (ana_address, ed_address) = (
        on_db(&admin, &db, Some(&ana)),
        on_db(&admin, &db, Some(&ed)),
    );
    let accounts = [
        keychain::account(&ana_address).unwrap(),
        keychain::account(&ed_address).unwrap(),
    ];
    chain.set(&accounts[0], "reporter pass 1").unwrap();
    chain.set(&accounts[1], "editor pass 2").unwrap();

    // The owner sets the beat up (demo records, analysis, offline drafts).
    let homes = tempfile::tempdir().unwrap();
    let setup = open(&homes.path().join("owner"), &owner_address);
    setup.demo().unwrap();
    drop(setup);

    let result = std::panic::catch_unwind(|| {
        let reporter = open(&homes.path().join("ana"), &ana_address);
        let story = reporter
            .stories(DEMO_BEAT)
            .unwrap()
            .into_iter()
            .find(|s| s.status == StoryStatus::Drafted)
            .expect("a drafted demo story")
            .id;
        // A reporter edits: the revision is theirs, under their login.
        let latest = reporter.latest_draft(story).unwrap();
        let mut doc = latest.document.clone();
        doc.dek = format!("{} (checked by the desk)", doc.dek);
        let saved = reporter
            .save_document(
                story,
                &DocumentEdit {
                    document: doc,
                    base_revision: latest.revision,
                    editor: "Chief Editor".into(),
                },
            )
            .unwrap();
        let revision = saved.draft.unwrap().revision;
        // The reporter's client asks for a sign-off: the database says no, and nothing of it lands.
        let req = SignOffRequest {
            editor: "Chief Editor".into(),
            note: None,
            revision,
            override_reason: None,
        };
        let refused = reporter
            .sign_off(story, &req)
            .expect_err("a reporter cannot sign off");
        let said = refused.to_string();
        assert_eq!(refused.code(), "permission_denied", "{said}");
        assert!(
            said.contains("only an editor may sign off") && said.contains("signoffs"),
            "{said}"
        );
        let mut check = beatdesk_store_pg::connect(&owner_address, None, "roles-test").unwrap();
        let count =
            |c: &mut postgres::Client, sql: &str| -> i64 { c.query_one(sql, &[]).unwrap().get(0) };
        assert_eq!(count(&mut check, "SELECT count(*) FROM signoffs"), 0);
        let actor: String = check
            .query_one("SELECT actor FROM drafts ORDER BY id DESC LIMIT 1", &[])
            .unwrap()
            .get(0);
        assert_eq!(
            actor, ana,
            "the edit's actor is the reporter's login, not the typed name"
        );

        // The editor signs the same revision off; the row carries the editor's login.
        let editor = open(&homes.path().join("ed"), &ed_address);
        editor.sign_off(story, &req).unwrap();
        let actor: String = check
            .query_one("SELECT actor FROM signoffs", &[])
            .unwrap()
            .get(0);
        assert_eq!(actor, ed);
        assert_eq!(count(&mut check, "SELECT count(*) FROM signoffs"), 1);
    });
    for a in &accounts {
        let _ = chain.delete(a);
    }
    drop(owner);
    let _ = server.batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"));
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
