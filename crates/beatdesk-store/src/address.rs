//! Where the store lives: a SQLite file (the default, one person) or a
//! PostgreSQL server (a desk of many). The address never holds a password:
//! `beatdesk_store_pg::parse` refuses one.

use std::fmt;
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreAddress {
    File(PathBuf),
    /// A `postgres://…` URL or a libpq `key=value` string.
    Postgres(String),
}

impl StoreAddress {
    /// `postgres://`/`postgresql://` URLs and `key=value …` strings are
    /// PostgreSQL; anything else is a file path.
    pub fn parse(s: &str) -> StoreAddress {
        let t = s.trim();
        let url = t.starts_with("postgres://") || t.starts_with("postgresql://");
        let keywords = !t.is_empty()
            && t.split_whitespace().all(|kv| {
                kv.split_once('=').is_some_and(|(k, _)| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            });
        if url || keywords {
            StoreAddress::Postgres(t.to_string())
        } else {
            StoreAddress::File(PathBuf::from(s))
        }
    }

    /// Refuses, before any connection, a PostgreSQL address that holds a
    /// password or that cannot be reached safely.
    pub fn check(&self) -> crate::Result<()> {
        if let StoreAddress::Postgres(a) = self {
            beatdesk_store_pg::parse(a)?;
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, StoreAddress::Postgres(_))
    }
}

impl fmt::Display for StoreAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreAddress::File(p) => write!(f, "{}", p.display()),
            StoreAddress::Postgres(a) => f.write_str(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_keyword_strings_are_postgres_paths_are_files() {
        for a in [
            "postgres://ana@localhost/newsroom",
            "postgresql://ana@127.0.0.1:5433/newsroom",
            "host=/run/postgresql user=ana dbname=newsroom",
        ] {
            assert!(StoreAddress::parse(a).is_postgres(), "{a}");
        }
        for a in [
            "/home/ana/.beatdesk/beatdesk.sqlite",
            "beatdesk.sqlite",
            "my store=1.sqlite",
            "C:\\x\\a.sqlite",
        ] {
            assert_eq!(
                StoreAddress::parse(a),
                StoreAddress::File(PathBuf::from(a)),
                "{a}"
            );
        }
    }
}
