//! `beatdesk team …`: the shared store's verbs in the main command line.
//! The ignored test needs the throw-away PostgreSQL:
//!   bash tests/pg/start.sh cargo test -p beatdesk-cli --test team -- --ignored

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `beatdesk --home HOME team ARGS` with `stdin`; (success, stdout + stderr).
fn team(home: &Path, args: &[&str], stdin: &str, env: &[(&str, String)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_beatdesk"));
    cmd.arg("--home").arg(home).arg("team").args(args);
    cmd.env_remove("BEATDESK_STORE")
        .env_remove("PGPASSWORD")
        .env("PGPASSFILE", "/nonexistent");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let o = child.wait_with_output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

#[test]
fn bad_team_arguments_are_refused_before_any_connection() {
    let home = tempfile::tempdir().unwrap();
    let (ok, said) = team(home.path(), &["init"], "", &[]);
    assert!(
        !ok && said.contains("no store: give --store URL or set BEATDESK_STORE"),
        "{said}"
    );
    // Plain to another machine is refused before a name is even looked up.
    let plain = "postgres://ana@db.example.org/newsroom?sslmode=disable";
    let (ok, said) = team(
        home.path(),
        &["add-user", "ana", "--role", "editor", "--store", plain],
        "pw\n",
        &[],
    );
    assert!(!ok && said.contains("in clear"), "{said}");
    let (ok, said) = team(
        home.path(),
        &["add-user", "ana", "--role", "admin", "--store", plain],
        "pw\n",
        &[],
    );
    assert!(!ok && said.contains("\"admin\""), "{said}");
    let (ok, said) = team(
        home.path(),
        &["init", "--store", "postgres://ana:hunter2@localhost/x"],
        "",
        &[],
    );
    assert!(
        !ok && said.contains("holds a password") && !said.contains("hunter2"),
        "{said}"
    );
    // `team` opens no home of its own.
    assert!(!home.path().join("beatdesk.sqlite").exists());
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn init_add_user_and_push_a_demo_home_twice() {
    let var =
        |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k}: run under tests/pg/start.sh"));
    let db = format!("bd_cli_team_{}", std::process::id());
    let mut su = postgres::Config::new()
        .host(&var("BEATDESK_PG_TEST_HOST"))
        .port(var("BEATDESK_PG_TEST_PORT").parse().unwrap())
        .user(&var("BEATDESK_PG_TEST_USER"))
        .password(var("BEATDESK_PG_TEST_PASSWORD"))
        .dbname("postgres")
        .connect(postgres::NoTls)
        .unwrap();
    su.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    su.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let address = |user: &str| {
        format!(
            "host={} port={} user={user} dbname={db}",
            var("BEATDESK_PG_TEST_HOST"),
            var("BEATDESK_PG_TEST_PORT")
        )
    };
    let owner = [
        ("BEATDESK_STORE", address(&var("BEATDESK_PG_TEST_USER"))),
        ("PGPASSWORD", var("BEATDESK_PG_TEST_PASSWORD")),
    ];
    let home = tempfile::tempdir().unwrap();
    let (ok, said) = team(home.path(), &["init"], "", &owner);
    assert!(ok && said.contains("store schema at version"), "{said}");
    let editor = format!("cli_ed_{}", std::process::id());
    let (ok, said) = team(
        home.path(),
        &["add-user", &editor, "--role", "editor"],
        "ed pass 1\n",
        &owner,
    );
    assert!(
        ok && said.contains(&editor) && !said.contains("ed pass 1"),
        "{said}"
    );

    // A laptop's home, made by the same binary.
    let laptop = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_beatdesk"))
        .arg("--home")
        .arg(laptop.path())
        .arg("demo")
        .output()
        .unwrap();
    assert!(o.status.success());
    let as_editor = [("PGPASSWORD", "ed pass 1".to_string())];
    let store = address(&editor);
    let push = |from: &Path| {
        team(
            home.path(),
            &[
                "push",
                "--from-home",
                from.to_str().unwrap(),
                "--store",
                &store,
            ],
            "",
            &as_editor,
        )
    };
    let (ok, said) = push(laptop.path());
    assert!(
        ok && said.contains("beat \"Open Source AI\": ") && said.contains("records 50"),
        "{said}"
    );
    let (ok, said) = push(laptop.path());
    assert!(
        ok && said.contains("beat \"Open Source AI\": 0 row(s) added"),
        "{said}"
    );
    // Without --from-home, the command's own home is pushed.
    let (ok, said) = team(laptop.path(), &["push", "--store", &store], "", &as_editor);
    assert!(ok && said.contains("0 row(s) added"), "{said}");
    let (ok, said) = push(Path::new("/nonexistent/home"));
    assert!(
        !ok && said.contains("/nonexistent/home") && said.contains("is this a Beatdesk home"),
        "{said}"
    );
}
