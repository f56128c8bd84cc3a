//! A store address (`postgres://…` or `key=value …`) and the TLS it needs.
//!
//! libpq's `sslmode` and `sslrootcert` are read here (the client library
//! knows only disable/prefer/require and no root file). The rule: a unix
//! socket or a loopback address may be spoken to in plain; anything else
//! needs TLS with a verified certificate, `verify-full` by default. Beatdesk
//! never accepts an unverified certificate: `require` and `verify-ca` verify
//! the chain (not the name), like libpq's `require` with a root file.

use std::net::IpAddr;
use std::path::PathBuf;

use postgres::config::{Host, SslMode as WireMode};
use postgres::Config;

use crate::error::{PgStoreError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Result<SslMode> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(PgStoreError::BadAddress(format!(
                    "sslmode {other:?}: expected disable, prefer, require, verify-ca or verify-full"
                )))
            }
        })
    }
}

/// Which roots a certificate must chain to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The operating system's (`sslrootcert` unset or `system`).
    System,
    /// Only the CA certificates in this PEM file (a newsroom's private CA).
    File(PathBuf),
}

/// How to secure the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// Plain: only for this machine.
    None,
    /// TLS, the chain verified against `roots`; the host name too when `check_name`.
    Verified { roots: Roots, check_name: bool },
}

#[derive(Debug, Clone)]
pub struct Address {
    pub config: Config,
    pub tls: Tls,
}

/// Parses an address; a password inside it is refused (it belongs in the
/// keychain, `PGPASSWORD` or `.pgpass`, never on a command line).
pub fn parse_address(address: &str) -> Result<Address> {
    let (rest, sslmode, rootcert) = take_tls_options(address)?;
    let mut config: Config = rest
        .parse()
        .map_err(|e| PgStoreError::BadAddress(format!("{e}")))?;
    if config.get_password().is_some() {
        return Err(PgStoreError::BadAddress(
            "the address holds a password: leave it out and use the keychain, PGPASSWORD or .pgpass".into(),
        ));
    }
    if config.get_hosts().is_empty() {
        return Err(PgStoreError::BadAddress(
            "no host: give a unix socket folder (host=/run/postgresql) or a server name".into(),
        ));
    }
    let remote = remote_host(&config);
    let sockets = config
        .get_hosts()
        .iter()
        .any(|h| !matches!(h, Host::Tcp(_)));
    let mode = match sslmode.as_deref() {
        Some(m) => SslMode::parse(m)?,
        None if remote.is_some() => SslMode::VerifyFull,
        None => SslMode::Disable,
    };
    let wants_tls = matches!(
        mode,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
    );
    if let Some(host) = &remote {
        if !wants_tls {
            return Err(PgStoreError::BadAddress(format!(
                "host {host} is not this machine: sslmode={} would send the login in clear; use verify-full (the default) or require",
                sslmode.unwrap_or_default()
            )));
        }
    }
    // PostgreSQL has no TLS on unix sockets; they never leave the machine.
    let tls = if wants_tls && !sockets {
        let roots = match rootcert.as_deref() {
            None | Some("system") => Roots::System,
            Some(path) => Roots::File(PathBuf::from(path)),
        };
        Tls::Verified {
            roots,
            check_name: mode == SslMode::VerifyFull,
        }
    } else if wants_tls && remote.is_some() {
        return Err(PgStoreError::BadAddress(
            "unix sockets and remote hosts in one address: give one or the other".into(),
        ));
    } else {
        Tls::None
    };
    config.ssl_mode(if tls == Tls::None {
        WireMode::Disable
    } else {
        WireMode::Require
    });
    Ok(Address { config, tls })
}

/// The first host (or hostaddr) that is not this machine.
fn remote_host(config: &Config) -> Option<String> {
    for host in config.get_hosts() {
        if let Host::Tcp(name) = host {
            if !is_local(name) {
                return Some(format!("{name:?}"));
            }
        }
    }
    config
        .get_hostaddrs()
        .iter()
        .find(|a| !a.is_loopback())
        .map(|a| format!("address {a}"))
}

pub fn is_local(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Removes `sslmode` and `sslrootcert` from either address form; returns
/// the rest and their values.
fn take_tls_options(address: &str) -> Result<(String, Option<String>, Option<String>)> {
    let (mut mode, mut root) = (None, None);
    let mut take = |k: &str, v: String| match k {
        "sslmode" => {
            mode = Some(v);
            true
        }
        "sslrootcert" => {
            root = Some(v);
            true
        }
        _ => false,
    };
    let rest = if address.starts_with("postgres://") || address.starts_with("postgresql://") {
        match address.split_once('?') {
            None => address.to_string(),
            Some((base, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| {
                        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                        !take(k, percent_decode(v))
                    })
                    .collect();
                if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
        }
    } else {
        let mut kept = Vec::new();
        for (k, v, raw) in key_values(address)? {
            if !take(&k, v) {
                kept.push(raw);
            }
        }
        kept.join(" ")
    };
    Ok((rest, mode, root))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(x) = u8::from_str_radix(hex, 16) {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// libpq's `key = value` pairs (values optionally in single quotes with
/// backslash escapes), each with its raw text to pass on unchanged.
fn key_values(s: &str) -> Result<Vec<(String, String, String)>> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let bad = |m: &str| PgStoreError::BadAddress(m.to_string());
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i == chars.len() {
            return Ok(out);
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i == chars.len() || chars[i] != '=' {
            return Err(bad(&format!("{key:?} has no value (expected key=value)")));
        }
        i += 1;
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < chars.len() && chars[i] == '\'' {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(bad(&format!("{key:?}: unterminated quoted value"))),
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some('\\') if i + 1 < chars.len() => {
                        value.push(chars[i + 1]);
                        i += 2;
                    }
                    Some(c) => {
                        value.push(*c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                value.push(chars[i]);
                i += 1;
            }
        }
        out.push((key, value, chars[start..i].iter().collect()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls_of(a: &str) -> Tls {
        parse_address(a).unwrap_or_else(|e| panic!("{a}: {e}")).tls
    }

    #[test]
    fn a_remote_host_means_verified_tls_by_default() {
        let full = Tls::Verified {
            roots: Roots::System,
            check_name: true,
        };
        assert_eq!(tls_of("postgres://ana@db.example.org/newsroom"), full);
        assert_eq!(tls_of("host=db.example.org user=ana dbname=n"), full);
        assert_eq!(
            tls_of("postgres://ana@10.0.0.5/n?sslmode=require&sslrootcert=%2Fetc%2Fca.pem"),
            Tls::Verified {
                roots: Roots::File("/etc/ca.pem".into()),
                check_name: false
            }
        );
        assert_eq!(
            tls_of("host=db user=ana sslmode=verify-full sslrootcert='/etc/my ca.pem'"),
            Tls::Verified {
                roots: Roots::File("/etc/my ca.pem".into()),
                check_name: true
            }
        );
        assert_eq!(tls_of("host=db user=ana sslrootcert=system"), full);
        let c =
            parse_address("postgres://ana@db.example.org/n?application_name=x&sslmode=verify-full")
                .unwrap()
                .config;
        assert_eq!(c.get_application_name(), Some("x"));
        assert_eq!(c.get_ssl_mode(), WireMode::Require);
    }

    #[test]
    fn plain_is_only_for_this_machine() {
        for a in [
            "postgres://ana@localhost/newsroom",
            "postgres://ana@127.0.0.1:5433/newsroom",
            "postgres://ana@[::1]/newsroom",
            "host=/run/postgresql user=ana dbname=newsroom",
            // No TLS on a unix socket: it never leaves the machine.
            "host=/run/postgresql user=ana sslmode=verify-full",
        ] {
            assert_eq!(tls_of(a), Tls::None, "{a}");
            assert_eq!(
                parse_address(a).unwrap().config.get_ssl_mode(),
                WireMode::Disable
            );
        }
        // Asked for, loopback gets TLS too (how the tests reach a TLS server).
        assert_eq!(
            tls_of("host=127.0.0.1 user=ana sslmode=verify-full sslrootcert=/tmp/ca.pem"),
            Tls::Verified {
                roots: Roots::File("/tmp/ca.pem".into()),
                check_name: true
            }
        );
        for (a, says) in [
            (
                "postgres://ana@db.example.org/n?sslmode=disable",
                "in clear",
            ),
            ("host=db.example.org user=ana sslmode=prefer", "in clear"),
            (
                "host=localhost hostaddr=192.0.2.1 user=ana sslmode=allow",
                "192.0.2.1",
            ),
            (
                "host=db user=ana sslmode=verify-everything",
                "verify-everything",
            ),
            ("host=db user=ana sslmode", "no value"),
            ("host='db user=ana", "unterminated"),
            ("postgres://ana:secret@db.example.org/newsroom", "password"),
            ("postgres://ana:secret@db.example.org:notaport/newsroom", ""),
            (
                "host=db user=ana password=secret sslmode=nonsense",
                "holds a password",
            ),
            ("postgres://", "no host"),
        ] {
            let err = parse_address(a).expect_err(a);
            assert_eq!(err.code(), "store_address", "{a}");
            assert!(err.to_string().contains(says), "{a}: {err}");
            assert!(!err.to_string().contains("secret"), "{a}: {err}");
        }
    }
}
