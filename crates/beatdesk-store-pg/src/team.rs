//! `team init` and `team add-user`: the schema, the two roles, and logins.
//!
//! The caller reads a new login's password (from standard input) and hands
//! it here; it is turned into a SCRAM verifier on this side, so neither the
//! wire nor the server's statement log ever sees it in clear.

use postgres::Client;

use crate::error::{PgStoreError, Result};
use crate::migrate;

pub const REPORTER: &str = "beatdesk_reporter";
pub const EDITOR: &str = "beatdesk_editor";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Reporter,
    Editor,
}

impl Role {
    pub fn group(self) -> &'static str {
        match self {
            Role::Reporter => REPORTER,
            Role::Editor => EDITOR,
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "reporter" => Ok(Role::Reporter),
            "editor" => Ok(Role::Editor),
            other => Err(format!("--role {other:?}: expected reporter or editor")),
        }
    }
}

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitReport {
    pub applied: Vec<i32>,
    pub version: i32,
}

/// Creates or upgrades the schema and the roles. Run by the store's owner (a
/// role allowed to create roles); running it again changes nothing.
pub fn init(client: &mut Client) -> Result<InitReport> {
    let applied = migrate::migrate(client)?;
    let version = migrate::version(client)?;
    Ok(InitReport { applied, version })
}

/// A login name we can put in SQL without surprises: lower-case letters,
/// digits and `_`, starting with a letter, not one of PostgreSQL's or ours.
pub fn check_login_name(name: &str) -> Result<()> {
    let bad = |problem| {
        Err(PgStoreError::BadName {
            name: name.to_string(),
            problem,
        })
    };
    if name.is_empty() || name.len() > 63 {
        return bad("must be 1 to 63 characters");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return bad("must start with a lower-case letter");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return bad("may hold only lower-case letters, digits and _");
    }
    if name.starts_with("pg_") || name.starts_with("beatdesk_") || name == "public" {
        return bad("is reserved");
    }
    Ok(())
}

/// Creates login `name` in `role` with `password`, in one transaction.
pub fn add_user(client: &mut Client, name: &str, role: Role, password: &str) -> Result<()> {
    check_login_name(name)?;
    if password.is_empty() {
        return Err(PgStoreError::EmptyPassword(name.to_string()));
    }
    let mut tx = client.transaction()?;
    let groups: i64 = tx
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname IN ($1, $2)",
            &[&REPORTER, &EDITOR],
        )?
        .get(0);
    if groups != 2 {
        return Err(PgStoreError::NotInitialised);
    }
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&name],
        )?
        .get(0);
    if exists {
        return Err(PgStoreError::UserExists(name.to_string()));
    }
    // CREATE ROLE takes no bind parameters: the name is checked above and the
    // verifier is base64 with `$`, `:` and `=`; both are quoted anyway.
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    let sql = format!(
        "CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}",
        quote_ident(name),
        quote_literal(&verifier),
        role.group()
    );
    tx.batch_execute(&sql).map_err(PgStoreError::from_db)?;
    tx.commit()?;
    Ok(())
}

/// The Beatdesk role of the connected login, if any (editor wins).
pub fn role_of_session(client: &mut Client) -> Result<Option<Role>> {
    let row = client.query_one(
        "SELECT pg_has_role(session_user, $1, 'MEMBER'), pg_has_role(session_user, $2, 'MEMBER')",
        &[&EDITOR, &REPORTER],
    )?;
    Ok(if row.get(0) {
        Some(Role::Editor)
    } else if row.get(1) {
        Some(Role::Reporter)
    } else {
        None
    })
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names_that_could_escape_or_impersonate_are_refused() {
        for name in ["ana", "ben_2", "c"] {
            check_login_name(name).unwrap();
        }
        for name in [
            "",
            "Ana",
            "2ana",
            "ana; DROP TABLE drafts",
            "ana\"",
            "pg_monitor",
            "beatdesk_editor",
            "public",
            &"a".repeat(64),
        ] {
            let err = check_login_name(name).expect_err(name);
            assert_eq!(err.code(), "store_bad_name", "{name:?}");
        }
    }

    #[test]
    fn roles_parse_from_the_command_line_words() {
        assert_eq!("editor".parse::<Role>(), Ok(Role::Editor));
        assert_eq!("reporter".parse::<Role>(), Ok(Role::Reporter));
        assert!("admin".parse::<Role>().unwrap_err().contains("admin"));
    }

    #[test]
    fn quoting_doubles_the_quote_characters() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
    }
}
