//! `team init`, `team add-user` and `team push` as a command line: parsing
//! and printing only, so `beatdesk team …` can hand its arguments here
//! unchanged.
//!
//! The store comes from `--store URL` or `BEATDESK_STORE`; the login's
//! password from the keychain (`beatdesk-store`, `user@host:port/dbname`),
//! `PGPASSWORD` or `.pgpass`; a new login's password from the first line of
//! standard input, never from an argument (it would show in `ps`).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use crate::keychain::{self, Keychain, MemoryPasswords, PasswordStore};
use crate::{connect, push, team, Role};

const USAGE: &str = "usage: team init [--store URL] | team add-user NAME --role reporter|editor [--store URL]  (password on standard input) | team push --from-home DIR [--store URL] | team login [--store URL]  (password on standard input, kept in the keychain)";

/// Runs one `team` verb with the OS keychain (or none, where the machine
/// has none); the error is the one line to print.
pub fn run(args: &[String], stdin: &mut dyn BufRead, out: &mut dyn Write) -> Result<(), String> {
    match Keychain::open() {
        Ok(k) => run_with(args, stdin, out, &k),
        Err(_) => run_with(args, stdin, out, &MemoryPasswords::default()),
    }
}

/// `run` with the password store given (tests pass a map).
pub fn run_with(
    args: &[String],
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    passwords: &dyn PasswordStore,
) -> Result<(), String> {
    let mut store = std::env::var("BEATDESK_STORE").ok();
    let mut from_home = None;
    let mut role = None;
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--store" => store = Some(it.next().ok_or("--store needs a URL")?.clone()),
            "--role" => {
                let r = it.next().ok_or("--role needs reporter or editor")?;
                role = Some(r.parse::<Role>()?);
            }
            "--from-home" => {
                from_home = Some(PathBuf::from(
                    it.next().ok_or("--from-home needs a folder")?,
                ))
            }
            "-h" | "--help" => return writeln!(out, "{USAGE}").map_err(|e| e.to_string()),
            s if s.starts_with("--") => return Err(format!("unknown option {s}; {USAGE}")),
            _ => positional.push(a.as_str()),
        }
    }
    let store = store.ok_or("no store: give --store URL or set BEATDESK_STORE")?;
    // A keychain that cannot answer is no password, not an error: PGPASSWORD
    // and .pgpass still work (a server has no keychain).
    let password = keychain::lookup(passwords, &store).ok().flatten();
    let open = |app: &str| connect(&store, password.as_deref(), app).map_err(|e| e.to_string());
    match positional.as_slice() {
        ["init"] => {
            let mut client = open("beatdesk team init")?;
            let report = team::init(&mut client).map_err(|e| e.to_string())?;
            let applied = if report.applied.is_empty() {
                "nothing to apply".to_string()
            } else {
                let v: Vec<String> = report.applied.iter().map(|v| v.to_string()).collect();
                format!("applied {}", v.join(", "))
            };
            writeln!(
                out,
                "store schema at version {} ({applied})",
                report.version
            )
            .map_err(|e| e.to_string())
        }
        ["add-user", name] => {
            let role = role.ok_or("team add-user: --role reporter|editor is required")?;
            team::check_login_name(name).map_err(|e| e.to_string())?;
            crate::connect::parse(&store).map_err(|e| e.to_string())?;
            let mut line = String::new();
            stdin.read_line(&mut line).map_err(|e| {
                format!("team add-user: reading the password from standard input: {e}")
            })?;
            let password = line.trim_end_matches(['\n', '\r']);
            let mut client = open("beatdesk team add-user")?;
            team::add_user(&mut client, name, role, password).map_err(|e| e.to_string())?;
            writeln!(out, "login {name} created ({})", role.group()).map_err(|e| e.to_string())
        }
        ["login"] => {
            let mut line = String::new();
            stdin.read_line(&mut line).map_err(|e| {
                format!("team login: reading the password from standard input: {e}")
            })?;
            let typed = line.trim_end_matches(['\n', '\r']);
            if typed.is_empty() {
                return Err("team login: the password is empty".into());
            }
            // Kept only once the server has accepted it.
            connect(&store, Some(typed), "beatdesk team login").map_err(|e| e.to_string())?;
            let account = keychain::account(&store).map_err(|e| e.to_string())?;
            passwords.set(&account, typed).map_err(|e| e.to_string())?;
            writeln!(
                out,
                "password for {account} kept in the keychain (service {})",
                keychain::SERVICE
            )
            .map_err(|e| e.to_string())
        }
        ["push"] => {
            let home = from_home.ok_or("team push: --from-home DIR is required")?;
            let mut client = open("beatdesk team push")?;
            let report = push::push_home(&mut client, &home).map_err(|e| e.to_string())?;
            print_push(&report, out).map_err(|e| e.to_string())?;
            match report.conflicts() {
                0 => Ok(()),
                n => Err(format!(
                    "team push: {n} conflict(s), named above; everything else was pushed"
                )),
            }
        }
        _ => Err(USAGE.to_string()),
    }
}

fn print_push(report: &push::PushReport, out: &mut dyn Write) -> std::io::Result<()> {
    if report.beats.is_empty() {
        writeln!(out, "the home has no beats: nothing to push")?;
    }
    for b in &report.beats {
        let counts = |m: &std::collections::BTreeMap<&str, u64>| {
            m.iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if b.pushed {
            let mut line = format!("beat {:?}: {} row(s) added", b.name, b.added_total());
            if !b.added.is_empty() {
                line += &format!(" ({})", counts(&b.added));
            }
            if !b.updated.is_empty() {
                line += &format!("; {} updated ({})", b.updated_total(), counts(&b.updated));
            }
            writeln!(out, "{line}")?;
        } else {
            writeln!(out, "beat {:?}: nothing written", b.name)?;
        }
        for c in &b.conflicts {
            writeln!(out, "  conflict: {c}")?;
        }
        for n in &b.notes {
            writeln!(out, "  note: {n}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(args: &[&str], stdin: &str) -> Result<String, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        run(&args, &mut stdin.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn bad_arguments_are_refused_before_any_connection() {
        let remote = "postgres://ana@db.example.org/newsroom";
        let err = run_args(&["init", "--store", remote, "--force"], "").unwrap_err();
        assert!(err.contains("unknown option --force"), "{err}");
        let err = run_args(&["add-user", "ana", "--store", remote], "pw\n").unwrap_err();
        assert!(err.contains("--role reporter|editor is required"), "{err}");
        let err = run_args(
            &["add-user", "Ana;", "--role", "editor", "--store", remote],
            "pw\n",
        )
        .unwrap_err();
        assert!(err.contains("lower-case"), "{err}");
        let err = run_args(&["promote", "--store", remote], "").unwrap_err();
        assert!(err.starts_with("usage:"), "{err}");
        // The address is checked before a password is read or anything is sent.
        // No lookup of the name is made: plain to a remote host is refused first.
        let plain = "postgres://ana@db.example.org/newsroom?sslmode=disable";
        let err = run_args(
            &["add-user", "ana", "--role", "editor", "--store", plain],
            "pw\n",
        )
        .unwrap_err();
        assert!(
            err.contains("db.example.org") && err.contains("in clear"),
            "{err}"
        );
        assert!(run_args(&["--help"], "").unwrap().starts_with("usage:"));
    }
}
