//! Which store a Beatdesk opens: `--store` (the caller's flag), else
//! `BEATDESK_STORE`, else this laptop's setting (`<home>/store.address`, one
//! line), else the SQLite file in the home directory. The setting is a file
//! beside the store, not in it: it says where the store is. It never holds a
//! password (an address with one is refused before it is saved).

use std::path::{Path, PathBuf};

use beatdesk_store::StoreAddress;

use crate::{CoreError, Result, DB_FILE};

/// The per-laptop setting's file name, in the home directory.
pub const STORE_SETTING_FILE: &str = "store.address";

/// The environment variable naming the store.
pub const STORE_ENV: &str = "BEATDESK_STORE";

fn setting_path(home: &Path) -> PathBuf {
    home.join(STORE_SETTING_FILE)
}

/// The store to open for `home`, given the caller's `--store` flag.
pub fn resolve_store(flag: Option<&str>, home: &Path) -> Result<StoreAddress> {
    let env = std::env::var(STORE_ENV).ok();
    let saved = store_setting(home)?;
    let chosen = flag
        .map(str::to_string)
        .or(env)
        .filter(|s| !s.trim().is_empty())
        .or(saved);
    Ok(match chosen {
        Some(a) => StoreAddress::parse(&a),
        None => StoreAddress::File(home.join(DB_FILE)),
    })
}

/// What the window's Settings show: the store in use and the saved choice.
pub fn store_settings(home: &Path, active: &StoreAddress) -> Result<beatdesk_types::StoreSettings> {
    Ok(beatdesk_types::StoreSettings {
        active: active.to_string(),
        engine: if active.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
        .into(),
        saved: store_setting(home)?,
        from_env: std::env::var(STORE_ENV).is_ok_and(|v| !v.trim().is_empty()),
    })
}

/// This laptop's saved store address, if any.
pub fn store_setting(home: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(setting_path(home)) {
        Ok(s) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(CoreError::Io {
            path: setting_path(home).display().to_string(),
            error,
        }),
    }
}

/// Saves (or with `None`, clears) this laptop's store address. A
/// PostgreSQL address is checked first: one holding a password, or naming a
/// server that cannot be reached safely, is refused and nothing is written.
pub fn set_store_setting(home: &Path, address: Option<&str>) -> Result<()> {
    let path = setting_path(home);
    let io = |error| CoreError::Io {
        path: path.display().to_string(),
        error,
    };
    match address.map(str::trim).filter(|a| !a.is_empty()) {
        None => match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        },
        Some(a) => {
            StoreAddress::parse(a)
                .check()
                .map_err(|e| CoreError::bad_input("store setting", "address", e.to_string()))?;
            std::fs::create_dir_all(home).map_err(io)?;
            std::fs::write(&path, format!("{a}\n")).map_err(io)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_then_setting_then_the_home_file_and_no_password_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        // The test runner's own BEATDESK_STORE would decide otherwise.
        if std::env::var_os(STORE_ENV).is_some() {
            eprintln!("skipped: {STORE_ENV} is set in this environment");
            return;
        }
        assert_eq!(
            resolve_store(None, home).unwrap(),
            StoreAddress::File(home.join(DB_FILE))
        );
        set_store_setting(home, Some("host=/run/postgresql dbname=newsroom")).unwrap();
        assert_eq!(
            resolve_store(None, home).unwrap(),
            StoreAddress::Postgres("host=/run/postgresql dbname=newsroom".into())
        );
        assert_eq!(
            resolve_store(Some("/tmp/other.sqlite"), home).unwrap(),
            StoreAddress::File("/tmp/other.sqlite".into())
        );
        let err =
            set_store_setting(home, Some("postgres://ana:secret@localhost/newsroom")).unwrap_err();
        assert!(err.to_string().contains("password"), "{err}");
        assert!(!err.to_string().contains("secret"), "{err}");
        assert_eq!(
            store_setting(home).unwrap().as_deref(),
            Some("host=/run/postgresql dbname=newsroom"),
            "the refused address changed nothing"
        );
        set_store_setting(home, None).unwrap();
        assert_eq!(store_setting(home).unwrap(), None);
    }
}
