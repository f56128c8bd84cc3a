//! The `beatdesk-team` binary (`team init`, `team add-user`).
//! Against a real PostgreSQL (Debian's), started by `tests/pg/start.sh`:
//!   bash tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored

mod common;

use std::process::{Command, Stdio};

use beatdesk_store_pg::{add_user, init, Role};
use common::*;
use postgres::NoTls;

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
        ok && said.contains("version 10 (applied 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)"),
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
fn team_login_keeps_a_password_the_server_accepted_and_later_verbs_use_it() {
    use beatdesk_store_pg::cli::run_with;
    use beatdesk_store_pg::keychain::{self, MemoryPasswords, PasswordStore};
    let db = fresh_db("login");
    let mut owner = admin(&db);
    init(&mut owner).unwrap();
    let name = login_name("kc_eve");
    add_user(&mut owner, &name, Role::Editor, "eve-right-pw").unwrap();
    let store = format!(
        "host={} port={} user={name} dbname={db}",
        env("BEATDESK_PG_TEST_HOST"),
        env("BEATDESK_PG_TEST_PORT")
    );
    let kc = MemoryPasswords::default();
    let run = |args: &[&str], stdin: &str| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        let r = run_with(&args, &mut stdin.as_bytes(), &mut out, &kc);
        (r, String::from_utf8(out).unwrap())
    };
    let account = keychain::account(&store).unwrap();

    // A password the server refuses is not kept, and not repeated.
    let (r, _) = run(&["login", "--store", &store], "eve-wrong-pw\n");
    let err = r.unwrap_err();
    assert!(
        err.contains("password authentication failed") && !err.contains("eve-wrong-pw"),
        "{err}"
    );
    assert_eq!(kc.get(&account).unwrap(), None);

    let (r, said) = run(&["login", "--store", &store], "eve-right-pw\n");
    r.unwrap();
    assert!(
        said.contains(&account) && !said.contains("eve-right-pw"),
        "{said}"
    );
    assert_eq!(kc.get(&account).unwrap().as_deref(), Some("eve-right-pw"));

    // Later verbs log in with it, with nothing in the environment.
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("beatdesk.sqlite"), b"").unwrap();
    let (r, _) = run(
        &[
            "push",
            "--from-home",
            home.path().to_str().unwrap(),
            "--store",
            &store,
        ],
        "",
    );
    let err = r.unwrap_err();
    // Logged in (the home is what is wrong, not the password).
    assert!(err.contains("schema is version 0"), "{err}");
}
