//! Many desks at once: stale edits, one fetch per source, change notices.
//! Against a real PostgreSQL (Debian's), started by `tests/pg/start.sh`:
//!   bash tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored

mod common;

use std::time::{Duration, Instant};

use beatdesk_store_pg::{add_user, init, PgStoreError, Role};
use common::*;
use postgres::NoTls;

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
