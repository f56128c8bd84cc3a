//! `--store` and `BEATDESK_STORE` choose the store for every verb; an
//! address holding a password is refused without echoing it.

use std::path::Path;
use std::process::{Command, Output};

fn beatdesk(home: &Path, env_store: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_beatdesk"));
    c.arg("--home")
        .arg(home)
        .args(args)
        .env("BEATDESK_NOW", "2026-11-29T12:00:00Z")
        .env_remove("BEATDESK_HOME")
        .env_remove("BEATDESK_STORE")
        .env_remove("PGPASSWORD");
    if let Some(s) = env_store {
        c.env("BEATDESK_STORE", s);
    }
    c.output().expect("runs")
}

fn names(out: &Output) -> Vec<String> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_flag_then_the_environment_then_the_home_file() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let elsewhere = dir.path().join("elsewhere.sqlite");
    let e = elsewhere.to_str().unwrap();

    // After the verb, as a global flag.
    let out = beatdesk(&home, None, &["beat", "add", "Chips", "--store", e]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(elsewhere.exists(), "the store named by --store");
    assert!(!home.join("beatdesk.sqlite").exists(), "not the home file");

    assert_eq!(
        names(&beatdesk(&home, Some(e), &["beat", "list", "--json"])),
        vec!["Chips"]
    );
    assert!(
        names(&beatdesk(&home, None, &["beat", "list", "--json"])).is_empty(),
        "default: the home file"
    );
    assert!(home.join("beatdesk.sqlite").exists());
    // The flag wins over the environment.
    let home_file = home.join("beatdesk.sqlite");
    let out = beatdesk(
        &home,
        Some(e),
        &[
            "--store",
            home_file.to_str().unwrap(),
            "beat",
            "list",
            "--json",
        ],
    );
    assert!(names(&out).is_empty());
}

#[test]
fn a_password_in_the_address_is_refused_and_not_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let out = beatdesk(
        dir.path(),
        None,
        &[
            "--store",
            "postgres://ana:hunter2@localhost/newsroom",
            "beat",
            "list",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("password"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}
