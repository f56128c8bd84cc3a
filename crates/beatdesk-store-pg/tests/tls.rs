//! TLS to the store, for real on loopback: the throw-away cluster serves a
//! certificate for `localhost` from a CA made by `tests/pg/start.sh`.
//!   bash tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored

mod common;

use beatdesk_store_pg::connect::connect_with;
use beatdesk_store_pg::PgStoreError;
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
use postgres::Client;

fn tcp_address(host: &str, mode: &str, ca: &str) -> String {
    format!(
        "host={host} port={} user={} dbname=postgres sslmode={mode} sslrootcert='{ca}'",
        env("BEATDESK_PG_TEST_PORT"),
        env("BEATDESK_PG_TEST_USER"),
    )
}

fn open(address: &str) -> Result<Client, PgStoreError> {
    let password = env("BEATDESK_PG_TEST_PASSWORD");
    connect_with(
        address,
        Some(&password),
        "beatdesk tls test",
        &|_| None,
        &mut |w| panic!("no warning expected: {w}"),
    )
}

fn encrypted(c: &mut Client) -> bool {
    c.query_one(
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .unwrap()
    .get(0)
}

#[test]
#[ignore = "needs PostgreSQL: tests/pg/start.sh"]
fn verify_full_connects_with_the_right_ca_and_refuses_a_wrong_one() {
    let (ca, wrong) = (env("BEATDESK_PG_TEST_CA"), env("BEATDESK_PG_TEST_WRONG_CA"));

    let mut c = open(&tcp_address("localhost", "verify-full", &ca)).unwrap();
    assert!(encrypted(&mut c), "the session must be encrypted");

    // A CA that did not sign the server's certificate: refused, whatever the mode.
    for mode in ["verify-full", "verify-ca", "require"] {
        let err = refused(open(&tcp_address("localhost", mode, &wrong)), mode);
        let said = err.to_string();
        assert!(said.contains("UnknownIssuer"), "{mode}: {said}");
        assert!(!said.contains(&env("BEATDESK_PG_TEST_PASSWORD")), "{said}");
    }

    // The certificate names `localhost` only: by address, verify-full
    // refuses it while verify-ca (chain only) accepts it.
    let err = refused(
        open(&tcp_address("127.0.0.1", "verify-full", &ca)),
        "connect",
    );
    assert!(err.to_string().contains("not valid for name"), "{err}");
    let mut c = open(&tcp_address("127.0.0.1", "verify-ca", &ca)).unwrap();
    assert!(encrypted(&mut c));

    // A root file that is missing or holds no certificate is named.
    let err = refused(
        open(&tcp_address(
            "localhost",
            "verify-full",
            "/nonexistent/ca.pem",
        )),
        "connect",
    );
    assert_eq!(err.code(), "store_tls");
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");

    // Loopback without an sslmode stays plain (this machine).
    let plain = format!(
        "host=127.0.0.1 port={} user={} dbname=postgres",
        env("BEATDESK_PG_TEST_PORT"),
        env("BEATDESK_PG_TEST_USER")
    );
    let mut c = open(&plain).unwrap();
    assert!(!encrypted(&mut c));
}
