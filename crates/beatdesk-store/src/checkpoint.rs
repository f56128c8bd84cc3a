//! Copying SQLite's write-ahead log back into the file, off the writers'
//! path. By default SQLite does it inside the commit that takes the log past
//! 1,000 pages, and an incremental analysis of 1,000 records writes about
//! 1,100 (random inserts into the records' indexes): every such commit paid
//! a checkpoint, ~60 ms. The log may now grow to [`AUTO_CHECKPOINT_PAGES`]
//! before a commit checkpoints; the window checkpoints from its watch
//! thread on a connection of its own, and a CLI process's last connection
//! checkpoints when it closes.

use crate::{Result, Store};

/// Pages the log may hold before a commit checkpoints itself (32 MiB of
/// 8 KiB pages): the bound when nothing checkpoints in the background.
pub(crate) const AUTO_CHECKPOINT_PAGES: i64 = 4096;

/// A connection of its own that checkpoints the store's log.
pub struct Checkpointer {
    conn: rusqlite::Connection,
}

/// What one checkpoint did, as SQLite reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpointed {
    /// Pages in the log.
    pub log: i64,
    /// Of those, pages copied into the file.
    pub copied: i64,
}

impl Store {
    /// A checkpointer on the same file; `None` for PostgreSQL or a store in
    /// memory (nothing to copy back).
    pub fn checkpointer(&self) -> Result<Option<Checkpointer>> {
        let path = self.read(|c| {
            Ok::<_, crate::StoreError>(
                c.as_sqlite()
                    .and_then(|s| s.path().map(str::to_owned))
                    .filter(|p| !p.is_empty()),
            )
        })?;
        let Some(path) = path else {
            return Ok(None);
        };
        let conn = rusqlite::Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_millis(200))?;
        Ok(Some(Checkpointer { conn }))
    }
}

impl Checkpointer {
    /// Copies what no reader still needs, without waiting for readers or
    /// blocking writers (SQLite's PASSIVE mode).
    pub fn run(&self) -> Result<Checkpointed> {
        let (_busy, log, copied): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        Ok(Checkpointed { log, copied })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_leaves_its_pages_in_the_log_and_the_checkpointer_copies_them() {
        if Store::testing_on_postgres() {
            eprintln!("skipped: the write-ahead log is SQLite's");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("b.sqlite")).unwrap();
        // About 1,500 pages in one transaction: past SQLite's default of 1,000.
        store
            .write(|tx| {
                tx.execute_batch("INSERT INTO beats (name, created_at) VALUES ('b', 'x');")?;
                let text = "x".repeat(6000);
                for i in 0..1500 {
                    tx.execute(
                        "INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at)
                         VALUES (1, 'news', ?1, 'u', 'u', 't', ?2, 'a', 'x', 'x')",
                        crate::db::params![format!("n{i}"), text],
                    )?;
                }
                Ok::<_, crate::StoreError>(())
            })
            .unwrap();
        let file = dir.path().join("b.sqlite");
        let size = || std::fs::metadata(&file).unwrap().len();
        assert!(
            size() < 1 << 20,
            "the commit did not checkpoint itself: the file is still small ({} bytes)",
            size()
        );
        let ck = store.checkpointer().unwrap().expect("a file");
        let done = ck.run().unwrap();
        assert!(done.log >= 1500, "{done:?}");
        assert_eq!(done.copied, done.log, "nothing else reads: all copied");
        assert!(size() > 10 << 20, "copied into the file: {} bytes", size());
        assert!(Store::open_in_memory()
            .unwrap()
            .checkpointer()
            .unwrap()
            .is_none());
    }
}
