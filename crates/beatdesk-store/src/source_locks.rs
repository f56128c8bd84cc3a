//! One fetch of a source at a time across desks: on PostgreSQL a session
//! advisory lock per source (the key of `beatdesk_store_pg::locks`), so two
//! laptops or a cron ingest refreshing the same beat never fetch one source
//! twice at once. A SQLite file has one desk: the lock is always granted.

use crate::db::Engine;
use crate::{Result, Store};

/// Held while a source is fetched; released when dropped. PostgreSQL also
/// releases it when the session ends, so a killed ingest never leaves it held.
pub struct SourceLock<'a> {
    store: &'a Store,
    key: Option<i64>,
}

impl Store {
    /// Takes source `source_id`'s lock without waiting: `None` when
    /// another session is fetching it now.
    pub fn try_lock_source(&self, source_id: i64) -> Result<Option<SourceLock<'_>>> {
        if self.engine() == Engine::Sqlite {
            return Ok(Some(SourceLock {
                store: self,
                key: None,
            }));
        }
        let key = beatdesk_store_pg::locks::key(source_id);
        let got: bool =
            self.read(|c| c.query_row("SELECT pg_try_advisory_lock(?1)", [key], |r| r.get(0)))?;
        Ok(got.then_some(SourceLock {
            store: self,
            key: Some(key),
        }))
    }
}

impl Drop for SourceLock<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let _ = self.store.read(|c| {
                c.query_row("SELECT pg_advisory_unlock(?1)", [key], |r| {
                    r.get::<_, bool>(0)
                })
            });
        }
    }
}
