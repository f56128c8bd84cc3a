//! Where the login's password comes from, against the real server: the
//! keychain's, `PGPASSWORD`, then `.pgpass`; and never in an error.
//!   bash tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored

mod common;

use std::os::unix::fs::PermissionsExt;

use beatdesk_store_pg::connect::connect_with;
use beatdesk_store_pg::keychain::{self, MemoryPasswords, PasswordStore};
use beatdesk_store_pg::{add_user, init, Role};
use common::*;

/// The error of a connection that must fail (`Client` has no `Debug`).
fn refused(
    r: Result<postgres::Client, beatdesk_store_pg::PgStoreError>,
    what: &str,
) -> beatdesk_store_pg::PgStoreError {
    match r {
        Ok(_) => panic!("{what}: connected, but it must be refused"),
        Err(e) => e,
    }
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn the_password_comes_from_the_keychain_pgpassword_or_pgpass_and_never_shows() {
    let db = fresh_db("passwords");
    init(&mut admin(&db)).unwrap();
    let name = login_name("pw_ana");
    let right = "Right-pass: with \\ and : inside";
    add_user(&mut admin(&db), &name, Role::Reporter, right).unwrap();
    let address = format!(
        "host={} port={} user={name} dbname={db}",
        env("BEATDESK_PG_TEST_HOST"),
        env("BEATDESK_PG_TEST_PORT")
    );

    // A .pgpass for the unix socket, by `localhost` (as libpq matches it),
    // with the password's `:` and `\` escaped.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pgpass");
    let escaped = right.replace('\\', "\\\\").replace(':', "\\:");
    std::fs::write(
        &file,
        format!("# the desk\nlocalhost:*:{db}:{name}:{escaped}\n*:*:*:*:wrong-for-everyone\n"),
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let f = file.display().to_string();
    let who = |c: &mut postgres::Client| -> String {
        c.query_one("SELECT session_user::text", &[])
            .unwrap()
            .get(0)
    };
    let mut warnings = Vec::new();

    // .pgpass alone.
    let env_file = |k: &str| (k == "PGPASSFILE").then(|| f.clone());
    let mut c = connect_with(&address, None, "t", &env_file, &mut |w| warnings.push(w)).unwrap();
    assert_eq!(who(&mut c), name);

    // PGPASSWORD wins over the file, the explicit (keychain) one over both.
    let bad_env = |k: &str| match k {
        "PGPASSWORD" => Some("wrong-from-env".to_string()),
        "PGPASSFILE" => Some(f.clone()),
        _ => None,
    };
    let err = refused(
        connect_with(&address, None, "t", &bad_env, &mut |w| warnings.push(w)),
        "connect",
    );
    assert!(
        err.to_string().contains("password authentication failed"),
        "{err}"
    );
    assert!(!err.to_string().contains("wrong-from-env"), "{err}");
    let kc = MemoryPasswords::default();
    kc.set(&keychain::account(&address).unwrap(), right)
        .unwrap();
    let from_kc = keychain::lookup(&kc, &address).unwrap();
    let mut c = connect_with(&address, from_kc.as_deref(), "t", &bad_env, &mut |w| {
        warnings.push(w)
    })
    .unwrap();
    assert_eq!(who(&mut c), name);
    // A wrong keychain password is not rescued by the file: the keychain wins.
    let err = refused(
        connect_with(&address, Some("wrong-kc-pw"), "t", &env_file, &mut |w| {
            warnings.push(w)
        }),
        "connect",
    );
    assert!(!format!("{err} {err:?}").contains("wrong-kc-pw"), "{err:?}");
    assert!(warnings.is_empty(), "{warnings:?}");

    // A file others can read is ignored with a warning; the login then fails
    // without a password, and nothing said holds one.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = refused(
        connect_with(&address, None, "t", &env_file, &mut |w| warnings.push(w)),
        "connect",
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("group or world access"),
        "{}",
        warnings[0]
    );
    let said = format!("{err} {err:?} {}", warnings.join(" "));
    assert!(!said.contains(right) && !said.contains(&escaped), "{said}");
    assert!(!said.contains("wrong-for-everyone"), "{said}");

    // The server's log saw no password either.
    let log = std::fs::read_to_string(env("BEATDESK_PG_TEST_LOG")).unwrap();
    assert!(!log.contains(right) && !log.contains("wrong-kc-pw"));
}
