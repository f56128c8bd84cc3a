//! A store login's password in the OS keychain: service `beatdesk-store`,
//! account `user@host:port/dbname`, so one laptop can hold logins to several
//! stores. Behind a three-call trait so tests use a map. The core's
//! `SecretStore` (beatdesk-ingest) has the same shape but would pull the
//! whole ingest stack into this crate for its error type.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::connect;
use crate::error::{PgStoreError, Result};
use crate::password::{self, Target};

pub const SERVICE: &str = "beatdesk-store";

/// Where store passwords live. Implementations never log values, and their
/// errors never carry one.
pub trait PasswordStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<String>>;
    fn set(&self, account: &str, password: &str) -> Result<()>;
    fn delete(&self, account: &str) -> Result<()>;
}

/// The keychain account of a store address: `user@host:port/dbname`.
pub fn account(address: &str) -> Result<String> {
    let config = connect::parse(address)?;
    let t = Target::of(&config, &password::std_env);
    Ok(account_of(&t))
}

pub fn account_of(t: &Target) -> String {
    format!("{}@{}:{}/{}", t.user, t.host, t.port, t.database)
}

/// The keychain's password for `address`, if one is stored.
pub fn lookup(store: &dyn PasswordStore, address: &str) -> Result<Option<String>> {
    store.get(&account(address)?)
}

/// Passwords in memory: tests, and a machine without a keychain.
#[derive(Default, Clone)]
pub struct MemoryPasswords {
    map: Arc<Mutex<HashMap<String, String>>>,
}

impl PasswordStore for MemoryPasswords {
    fn get(&self, account: &str) -> Result<Option<String>> {
        Ok(self
            .map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(account)
            .cloned())
    }
    fn set(&self, account: &str, password: &str) -> Result<()> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account.to_string(), password.to_string());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<()> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(account);
        Ok(())
    }
}

/// The OS keychain through keyring-core (kernel keyutils on Linux, as the
/// core's secrets; run headless under `keyctl session -`).
pub struct Keychain {
    store: Arc<keyring_core::CredentialStore>,
}

impl Keychain {
    pub fn open() -> Result<Keychain> {
        #[cfg(target_os = "linux")]
        {
            let store = linux_keyutils_keyring_store::Store::new().map_err(keychain_err)?;
            let store: Arc<keyring_core::CredentialStore> = store;
            Ok(Keychain { store })
        }
        #[cfg(not(target_os = "linux"))]
        {
            keyring_core::get_default_store()
                .map(|store| Keychain { store })
                .ok_or_else(|| {
                    PgStoreError::Keychain("no credential store on this platform".into())
                })
        }
    }

    fn entry(&self, account: &str) -> Result<keyring_core::Entry> {
        keyring_core::Entry::new_in_store(&self.store, SERVICE, account).map_err(keychain_err)
    }
}

// keyring-core's messages name the failure, never the secret.
fn keychain_err(e: keyring_core::Error) -> PgStoreError {
    PgStoreError::Keychain(e.to_string())
}

impl PasswordStore for Keychain {
    fn get(&self, account: &str) -> Result<Option<String>> {
        match self.entry(account)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_err(e)),
        }
    }
    fn set(&self, account: &str, password: &str) -> Result<()> {
        self.entry(account)?
            .set_password(password)
            .map_err(keychain_err)
    }
    fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_names_user_host_port_and_database() {
        let a = account("postgres://ana@db.example.org:6543/newsroom").unwrap();
        assert_eq!(a, "ana@db.example.org:6543/newsroom");
        let a = account("host=/run/postgresql user=ben dbname=desk").unwrap();
        assert_eq!(a, "ben@/run/postgresql:5432/desk");
    }

    #[test]
    fn lookup_finds_the_stored_password_for_that_store_only() {
        let s = MemoryPasswords::default();
        s.set("ana@db.example.org:5432/newsroom", "kc-pw").unwrap();
        assert_eq!(
            lookup(&s, "postgres://ana@db.example.org/newsroom")
                .unwrap()
                .as_deref(),
            Some("kc-pw")
        );
        assert_eq!(
            lookup(&s, "postgres://ana@db.example.org/other").unwrap(),
            None
        );
        assert_eq!(
            lookup(&s, "postgres://ben@db.example.org/newsroom").unwrap(),
            None
        );
        s.delete("ana@db.example.org:5432/newsroom").unwrap();
        assert_eq!(
            lookup(&s, "postgres://ana@db.example.org/newsroom").unwrap(),
            None
        );
        // A bad address is an address error, before the keychain is asked.
        assert_eq!(
            lookup(&s, "postgres://ana:pw@x/y").unwrap_err().code(),
            "store_address"
        );
    }

    /// The real keychain: CI runs under `keyctl session -`, so
    /// "unavailable" fails there unless `BEATDESK_KEYCHAIN_OPTIONAL=1` (as the
    /// core's secrets test).
    #[test]
    fn keychain_round_trip() {
        let optional = std::env::var("BEATDESK_KEYCHAIN_OPTIONAL").is_ok_and(|v| v == "1");
        let acct = format!("team_test_{}@localhost:5432/x", std::process::id());
        let k = Keychain::open();
        let stored = k
            .as_ref()
            .map_err(|e| e.to_string())
            .and_then(|k| k.set(&acct, "kc-secret").map_err(|e| e.to_string()));
        match stored {
            Err(e) if optional => {
                assert!(e.starts_with("keychain unavailable: "), "{e}");
                return;
            }
            Err(e) => panic!("no keychain to test ({e}); run under `keyctl session -` or set BEATDESK_KEYCHAIN_OPTIONAL=1"),
            Ok(()) => {}
        }
        let k = k.unwrap();
        assert_eq!(k.get(&acct).unwrap().as_deref(), Some("kc-secret"));
        assert_eq!(
            lookup(&k, "postgres://team_test_x@localhost/x").unwrap(),
            None,
            "another login's entry is not this one"
        );
        k.delete(&acct).unwrap();
        assert_eq!(k.get(&acct).unwrap(), None);
    }
}
