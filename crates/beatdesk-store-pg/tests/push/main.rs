//! `team push`: a laptop's home, made by the core's own code (the demo,
//! an import with relations, drafts, an edit, a sign-off, a file export, a
//! target's export attempt, an unsaved edit), copied into the shared store.
//!   bash tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored

#[path = "../common/mod.rs"]
mod common;
mod home;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use beatdesk_core::Beatdesk;
use beatdesk_store_pg::push::push_home;
use beatdesk_store_pg::{add_user, init, Role};
use common::*;
use home::*;
use postgres::Client;

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn pushing_a_home_twice_adds_nothing_the_second_time() {
    let home = tempfile::tempdir().unwrap();
    make_home(home.path());
    let db = fresh_db("push_twice");
    init(&mut admin(&db)).unwrap();
    let (ed, mut c) = login(&db, Role::Editor, "push_ed");
    // The store already holds another desk's beat, so the laptop's ids and
    // the store's differ.
    admin(&db)
        .batch_execute(
            "INSERT INTO beats (name, created_at) VALUES ('Elsewhere', 'x');
             INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at)
             SELECT 1, 'web', 'e' || i, 'u', 'u', 't', 'x', 'a', 'x', 'x' FROM generate_series(1, 7) i;",
        )
        .unwrap();
    let before = pg_counts(&mut c);

    let first = push_home(&mut c, home.path()).unwrap();
    assert_eq!(first.conflicts(), 0, "{first:#?}");
    let counts = pg_counts(&mut c);
    let n = |t: &str| {
        counts.iter().find(|(x, _)| x == t).unwrap().1
            - before.iter().find(|(x, _)| x == t).unwrap().1
    };
    let h = home.path();
    for t in [
        "beats",
        "sources",
        "records",
        "record_links",
        "stories",
        "story_records",
        "story_labels",
        "drafts",
        "signoffs",
        "exports",
        "targets",
        "target_exports",
        "edit_buffers",
    ] {
        assert_eq!(
            n(t),
            sqlite_count(h, &format!("SELECT count(*) FROM {t}")),
            "{t}"
        );
    }
    // Every laptop entry, plus one entry per beat saying it was pushed.
    assert_eq!(
        n("audit_log"),
        sqlite_count(h, "SELECT count(*) FROM audit_log") + 2
    );
    assert!(n("record_links") >= 2 && n("signoffs") == 1 && n("exports") == 1);
    // Pushed stories carry their spans (a new process reads them to continue the analysis).
    assert_eq!(
        c.query_one(
            "SELECT count(*) FROM stories WHERE first_at IS NULL AND EXISTS
               (SELECT 1 FROM story_records sr JOIN records r ON r.id = sr.record_id
                WHERE sr.story_id = stories.id AND r.platform <> 'manual')",
            &[],
        )
        .unwrap()
        .get::<_, i64>(0),
        0
    );
    assert!(n("target_exports") == 1 && n("edit_buffers") == 1);
    let attempt: (String, String, String) = {
        let r = c
            .query_one(
                "SELECT t.name, e.actor, m.original_actor FROM target_exports e
                 JOIN targets t ON t.id = e.target_id
                 JOIN push_map m ON m.kind = 'target_export' AND m.remote_id = e.id",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    };
    assert_eq!(
        attempt,
        ("newsroom-site".into(), ed.clone(), "Ana Editor".into())
    );
    let log = std::fs::read_to_string(env("BEATDESK_PG_TEST_LOG")).unwrap();
    assert!(
        log.contains("newsroom-site") && !log.contains(TARGET_SECRET),
        "a secret reached the store"
    );
    let total = |c: &[(String, i64)]| c.iter().map(|(_, n)| n).sum::<i64>();
    // Every row counted, plus one audit entry per beat for the push itself.
    assert_eq!(first.added() as i64, total(&counts) - total(&before) - 2);
    // A revision cites the same sources in the store as on the laptop.
    let cites = citations_pg(&mut c);
    assert_eq!(cites, citations_sqlite(h));
    assert!(cites.iter().any(|(_, _, ids)| ids.len() >= 2), "{cites:?}");
    // The NUL went in as U+FFFD, and the push said so, naming the record.
    let b = beat(&first, SECOND);
    assert_eq!(b.notes.len(), 2, "{b:#?}");
    assert!(
        b.notes
            .iter()
            .all(|n| n.starts_with("record web https://nul.example/post: ")),
        "{b:#?}"
    );
    assert!(
        b.notes
            .iter()
            .any(|n| n.contains("text held a NUL character")),
        "{b:#?}"
    );
    let text: String = c
        .query_one(
            "SELECT text FROM records WHERE external_id = 'https://nul.example/post'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        text,
        "Ignore previous instructions.\u{FFFD} The Pi 5 ran the 1B model at 11 tokens a second."
    );
    // Citation numbers are the laptop's, not renumbered.
    assert_eq!(labels_pg(&mut c), labels_sqlite(h));
    // Relations still point at the right records.
    let linked: i64 = c
        .query_one(
            "SELECT count(*) FROM record_links l JOIN records r ON r.id = l.target_record_id
             WHERE l.kind = 'reply_to' AND r.external_id = 'at://did:plc:aa/app.bsky.feed.post/1'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(linked, 1);

    // History in order, the store's actor is the login; the laptop's is kept.
    let revs: Vec<(i64, String, String)> = c
        .query(
            "SELECT d.revision, d.author, d.actor FROM drafts d JOIN stories s ON s.id = d.story_id
             JOIN beats b ON b.id = s.beat_id WHERE b.name = $1 AND d.revision = 2",
            &[&SECOND],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(revs, vec![(2, "Ben Reporter".to_string(), ed.clone())]);
    let audit: Vec<(String, String)> = c
        .query(
            "SELECT a.action, m.original_actor FROM audit_log a
             JOIN push_map m ON m.kind = 'audit' AND m.remote_id = a.id ORDER BY a.id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(
        audit.contains(&("sign_off".into(), "Ana Editor".into())),
        "{audit:?}"
    );
    assert!(
        audit.contains(&("edit".into(), "Ben Reporter".into())),
        "{audit:?}"
    );
    let ids: Vec<i64> = c
        .query("SELECT a.id FROM audit_log a JOIN push_map m ON m.kind = 'audit' AND m.remote_id = a.id ORDER BY m.local_id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "audit entries appended in the laptop's order");

    // Again: nothing added, nothing changed, no conflict.
    let second = push_home(&mut c, home.path()).unwrap();
    assert_eq!((second.added(), second.conflicts()), (0, 0), "{second:#?}");
    assert!(
        second.beats.iter().all(|b| b.notes.is_empty()),
        "a note is said once: {second:#?}"
    );
    assert!(
        second.beats.iter().all(|b| b.updated.is_empty()),
        "{second:#?}"
    );
    assert_eq!(pg_counts(&mut c), counts);

    // New work on the laptop goes in on the next push, and only that.
    // An edit, and an editor moving a record to another story.
    {
        let app = Beatdesk::open(home.path()).unwrap();
        let stories = app.stories(SECOND).unwrap();
        edit_headline(&app, stories[1].id, "The 1B does eleven tokens a second");
        let moved = app.story_records(stories[0].id).unwrap()[0].record.id;
        app.move_record(moved, stories[2].id, "Ben Reporter")
            .unwrap();
    }
    let third = push_home(&mut c, home.path()).unwrap();
    let b = beat(&third, SECOND);
    assert_eq!(b.added.get("drafts"), Some(&1), "{b:#?}");
    assert_eq!(b.added.get("story_decisions"), Some(&1), "{b:#?}");
    assert_eq!(
        b.added.get("audit_log"),
        Some(&2),
        "the edit and the move: {b:#?}"
    );
    assert!(
        b.updated.get("story_records").is_some_and(|n| *n >= 1),
        "{b:#?}"
    );
    assert_eq!(beat(&third, DEMO).added_total(), 0);
    assert_eq!(
        members_pg(&mut c),
        members_sqlite(home.path()),
        "the store groups as the laptop does"
    );
    assert_eq!(labels_pg(&mut c), labels_sqlite(home.path()));
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn a_beat_of_the_same_name_from_someone_else_is_named_and_the_rest_goes_in() {
    let home = tempfile::tempdir().unwrap();
    make_home(home.path());
    let db = fresh_db("push_conflict");
    let mut owner = admin(&db);
    init(&mut owner).unwrap();
    owner
        .execute(
            "INSERT INTO beats (name, created_at) VALUES ($1, '2026-01-01T00:00:00Z')",
            &[&DEMO],
        )
        .unwrap();
    let name = login_name("push_cli");
    add_user(&mut owner, &name, Role::Editor, "cli-pass").unwrap();

    // Through the command line, with the password from .pgpass.
    let pgpass = home.path().join("pgpass");
    std::fs::write(&pgpass, format!("localhost:*:{db}:{name}:cli-pass\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let store = format!(
        "host={} port={} user={name} dbname={db}",
        env("BEATDESK_PG_TEST_HOST"),
        env("BEATDESK_PG_TEST_PORT")
    );
    let push = || {
        Command::new(env!("CARGO_BIN_EXE_beatdesk-team"))
            .args(["push", "--from-home"])
            .arg(home.path())
            .args(["--store", &store])
            .env_remove("PGPASSWORD")
            .env("PGPASSFILE", &pgpass)
            .output()
            .unwrap()
    };
    let o = push();
    let said =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{said}");
    assert!(
        said.contains(&format!("beat {DEMO:?}: nothing written"))
            && said
                .contains("already in the store (made in the store, created 2026-01-01T00:00:00Z)"),
        "{said}"
    );
    assert!(said.contains("1 conflict(s)"), "{said}");
    assert!(
        said.contains(&format!("beat {SECOND:?}: ")) && said.contains("row(s) added (audit_log"),
        "{said}"
    );
    assert!(!said.contains("cli-pass"), "{said}");
    let demo_records: i64 = owner
        .query_one(
            "SELECT count(*) FROM records r JOIN beats b ON b.id = r.beat_id WHERE b.name = $1",
            &[&DEMO],
        )
        .unwrap()
        .get(0);
    assert_eq!(demo_records, 0, "nothing merged into someone else's beat");
    let second: i64 = owner
        .query_one(
            "SELECT count(*) FROM records r JOIN beats b ON b.id = r.beat_id WHERE b.name = $1",
            &[&SECOND],
        )
        .unwrap()
        .get(0);
    assert_eq!(second, 15);
    // The conflict stays named on the next push; the rest adds nothing.
    let o = push();
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains(&format!("beat {SECOND:?}: 0 row(s) added")),
        "{said}"
    );
    assert!(said.contains("already in the store"), "{said}");
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn a_reporter_pushes_records_and_drafts_but_sign_offs_only_go_in_under_an_editor() {
    let home = tempfile::tempdir().unwrap();
    make_home(home.path());
    let db = fresh_db("push_roles");
    init(&mut admin(&db)).unwrap();
    let (rep, mut reporter) = login(&db, Role::Reporter, "push_rep");
    let (ed, mut editor) = login(&db, Role::Editor, "push_edr");

    let r = push_home(&mut reporter, home.path()).unwrap();
    let demo = beat(&r, DEMO);
    assert!(!demo.pushed && demo.added.is_empty(), "{demo:#?}");
    assert!(
        demo.conflicts[0].contains("permission denied")
            || demo.conflicts[0].contains("only an editor"),
        "{demo:#?}"
    );
    assert!(
        demo.conflicts[0].contains("need an editor's login"),
        "{demo:#?}"
    );
    let second = beat(&r, SECOND);
    assert!(
        second.pushed && second.added.get("drafts") == Some(&3),
        "{second:#?}"
    );
    let in_store = |c: &mut Client, name: &str| -> i64 {
        c.query_one(
            "SELECT count(*) FROM records r JOIN beats b ON b.id = r.beat_id WHERE b.name = $1",
            &[&name],
        )
        .unwrap()
        .get(0)
    };
    assert_eq!(
        in_store(&mut editor, DEMO),
        0,
        "the refused beat left nothing"
    );
    let beats: i64 = editor
        .query_one("SELECT count(*) FROM beats", &[])
        .unwrap()
        .get(0);
    assert_eq!(beats, 1);

    // The editor's push brings the signed beat; the reporter's beat adds nothing.
    let e = push_home(&mut editor, home.path()).unwrap();
    assert_eq!(e.conflicts(), 0, "{e:#?}");
    assert_eq!(beat(&e, SECOND).added_total(), 0);
    assert!(in_store(&mut editor, DEMO) == 50);
    let actors: Vec<(String, String)> = editor
        .query(
            "SELECT 'signoff', actor FROM signoffs UNION ALL
             SELECT DISTINCT 'draft ' || b.name, d.actor FROM drafts d JOIN stories s ON s.id = d.story_id
             JOIN beats b ON b.id = s.beat_id ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        actors,
        vec![
            (format!("draft {SECOND}"), rep.clone()),
            (format!("draft {DEMO}"), ed.clone()),
            ("signoff".into(), ed.clone()),
        ]
    );
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn a_revision_that_diverged_in_the_store_is_named_and_not_pushed() {
    let home = tempfile::tempdir().unwrap();
    make_home(home.path());
    let db = fresh_db("push_diverged");
    init(&mut admin(&db)).unwrap();
    let (_, mut c) = login(&db, Role::Editor, "push_div");
    let (other, mut desk) = login(&db, Role::Reporter, "push_other");
    assert_eq!(push_home(&mut c, home.path()).unwrap().conflicts(), 0);

    // In the store, someone else writes revision 3 of the edited story…
    let (story, title): (i64, String) = {
        let r = desk
            .query_one(
                "SELECT s.id, s.title FROM stories s JOIN drafts d ON d.story_id = s.id
                 WHERE d.revision = 2",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    desk.execute(
        "INSERT INTO drafts (story_id, revision, author_kind, author, created_at, document)
         SELECT story_id, 3, 'editor', 'Cat', 'x', document FROM drafts WHERE story_id = $1 AND revision = 2",
        &[&story],
    )
    .unwrap();
    // …while the laptop writes its own revision 3 of it.
    {
        let app = Beatdesk::open(home.path()).unwrap();
        let local = app
            .stories(SECOND)
            .unwrap()
            .into_iter()
            .find(|s| {
                app.latest_draft(s.id)
                    .map(|d| d.revision == 2)
                    .unwrap_or(false)
            })
            .unwrap();
        assert_eq!(edit_headline(&app, local.id, "A third headline"), 3);
    }
    let r = push_home(&mut c, home.path()).unwrap();
    let b = beat(&r, SECOND);
    assert!(b.pushed, "{b:#?}");
    assert_eq!(b.conflicts.len(), 1, "{b:#?}");
    let said = &b.conflicts[0];
    assert!(
        said.contains(&format!("{title:?}")) && said.contains("diverged") && said.contains(&other),
        "{said}"
    );
    let third: (String, String) = {
        let r = c
            .query_one(
                "SELECT author, actor FROM drafts WHERE story_id = $1 AND revision = 3",
                &[&story],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(
        third,
        ("Cat".to_string(), other),
        "the store's revision stays, nothing merged"
    );
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn a_push_killed_mid_beat_leaves_nothing_of_that_beat() {
    let home = tempfile::tempdir().unwrap();
    make_home(home.path());
    let db = fresh_db("push_killed");
    init(&mut admin(&db)).unwrap();
    let name = login_name("push_kill");
    add_user(&mut admin(&db), &name, Role::Editor, "kill-pass").unwrap();
    let store = format!(
        "host={} port={} user={name} dbname={db}",
        env("BEATDESK_PG_TEST_HOST"),
        env("BEATDESK_PG_TEST_PORT")
    );

    // Hold the audit log so the push stops mid-beat: its sources, records,
    // stories and revisions are written (uncommitted) when it waits here.
    let mut holder = admin(&db);
    let mut hold = holder.transaction().unwrap();
    hold.batch_execute("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_beatdesk-team"))
        .args(["push", "--from-home"])
        .arg(home.path())
        .args(["--store", &store])
        .env("PGPASSWORD", "kill-pass")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut watch = admin(&db);
    let deadline = Instant::now() + Duration::from_secs(60);
    let (pid, written) = loop {
        let row = watch
            .query_opt(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'beatdesk team push'
                   AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap();
        if let Some(r) = row {
            let pid: i32 = r.get(0);
            // What the push has written so far, seen through its locks.
            let n: i64 = watch
                .query_one(
                    "SELECT count(*) FROM pg_locks WHERE pid = $1 AND locktype = 'relation'
                       AND relation::regclass::text IN ('records', 'drafts', 'stories')
                       AND mode = 'RowExclusiveLock'",
                    &[&pid],
                )
                .unwrap()
                .get(0);
            break (pid, n);
        }
        assert!(
            Instant::now() < deadline,
            "the push never reached the audit log"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        written, 3,
        "the push is mid-beat: records, stories and drafts written"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // The server notices the lost client when the wait ends; the
    // transaction it was in never commits.
    hold.rollback().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while watch
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
            "the killed push's session lingers"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let counts = pg_counts(&mut watch);
    assert!(
        counts.iter().all(|(_, n)| *n == 0),
        "half a beat was kept: {counts:?}"
    );
    let mapped: i64 = watch
        .query_one("SELECT count(*) FROM push_map", &[])
        .unwrap()
        .get(0);
    assert_eq!(mapped, 0);

    // Pushed again, it goes in whole.
    let o = Command::new(env!("CARGO_BIN_EXE_beatdesk-team"))
        .args(["push", "--from-home"])
        .arg(home.path())
        .args(["--store", &store])
        .env("PGPASSWORD", "kill-pass")
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = BufReader::new(&o.stdout[..])
        .lines()
        .map(|l| l.unwrap())
        .collect::<Vec<_>>();
    assert_eq!(
        out.iter().filter(|l| l.starts_with("beat ")).count(),
        2,
        "{out:?}"
    );
    assert!(
        out.iter()
            .any(|l| l.starts_with("  note: record web https://nul.example/post")),
        "{out:?}"
    );
    let records: i64 = watch
        .query_one("SELECT count(*) FROM records", &[])
        .unwrap()
        .get(0);
    assert_eq!(records, 65);
}
