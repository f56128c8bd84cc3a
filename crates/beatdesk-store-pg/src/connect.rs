//! Opening a connection to the shared store.
//!
//! This slice speaks plain PostgreSQL only to this machine (a unix socket or
//! a loopback address); a remote server is refused until TLS is wired in, so
//! a password never crosses a network in clear.

use std::net::IpAddr;

use postgres::config::Host;
use postgres::{Client, Config, NoTls};

use crate::error::{PgStoreError, Result};

/// Parses a `postgres://…` URL or a `key=value` string. A password inside
/// the address is refused: it belongs in the keychain, `PGPASSWORD` or
/// `.pgpass`, never on a command line or in a settings file.
pub fn parse(address: &str) -> Result<Config> {
    let config: Config = address
        .parse()
        .map_err(|e| PgStoreError::BadAddress(format!("{e}")))?;
    if config.get_password().is_some() {
        return Err(PgStoreError::BadAddress(
            "the address holds a password: leave it out and use the keychain or PGPASSWORD".into(),
        ));
    }
    if config.get_hosts().is_empty() {
        return Err(PgStoreError::BadAddress(
            "no host: give a unix socket folder (host=/run/postgresql) or a loopback address"
                .into(),
        ));
    }
    for host in config.get_hosts() {
        if let Host::Tcp(name) = host {
            if !is_local(name) {
                return Err(PgStoreError::BadAddress(format!(
                    "host {name:?} is not this machine, and TLS to a remote store is not supported yet"
                )));
            }
        }
    }
    if let Some(addr) = config.get_hostaddrs().iter().find(|a| !a.is_loopback()) {
        return Err(PgStoreError::BadAddress(format!(
            "hostaddr {addr} is not this machine, and TLS to a remote store is not supported yet"
        )));
    }
    Ok(config)
}

fn is_local(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Connects to `address` with `password` (the caller's, from the keychain),
/// else `PGPASSWORD`. `application_name` shows in `pg_stat_activity`.
pub fn connect(address: &str, password: Option<&str>, application_name: &str) -> Result<Client> {
    let mut config = parse(address)?;
    let env = std::env::var("PGPASSWORD").ok();
    if let Some(pw) = password.or(env.as_deref()) {
        config.password(pw);
    }
    config.application_name(application_name);
    Ok(config.connect(NoTls)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses_parse() {
        for a in [
            "postgres://ana@localhost/newsroom",
            "postgres://ana@127.0.0.1:5433/newsroom",
            "postgres://ana@[::1]/newsroom",
            "host=/run/postgresql user=ana dbname=newsroom",
        ] {
            parse(a).unwrap_or_else(|e| panic!("{a}: {e}"));
        }
    }

    #[test]
    fn remote_hosts_and_passwords_in_the_address_are_refused_before_any_connection() {
        for (a, says) in [
            ("postgres://ana@db.example.org/newsroom", "db.example.org"),
            ("postgres://ana@10.0.0.5/newsroom", "10.0.0.5"),
            ("host=localhost hostaddr=192.0.2.1 user=ana", "192.0.2.1"),
            ("postgres://ana:secret@localhost/newsroom", "password"),
            ("postgres://", "no host"),
            ("postgres://ana@localhost:notaport/x", ""),
        ] {
            let err = parse(a).expect_err(a);
            assert_eq!(err.code(), "store_address", "{a}");
            assert!(err.to_string().contains(says), "{a}: {err}");
            assert!(!err.to_string().contains("secret"), "{a}: {err}");
        }
    }
}
