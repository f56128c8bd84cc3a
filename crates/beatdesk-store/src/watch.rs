//! Other desks' changes to a shared store, for the window: a session of its
//! own `LISTEN`s on `beatdesk_changes` (migration 5's triggers) and calls
//! back once per burst of notices. Notices from this desk's own session are
//! left out: the window already shows what it wrote.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use crate::{Result, Store};

impl Store {
    /// The PostgreSQL backend process of this store's session (`None` on
    /// SQLite), which tags the notices it causes.
    pub fn backend_pid(&self) -> Result<Option<i32>> {
        self.read(|c| match c.engine() {
            crate::Engine::Sqlite => Ok(None),
            crate::Engine::Postgres => {
                Ok(Some(
                    c.query_row("SELECT pg_backend_pid()", [], |r| r.get(0))?,
                ))
            }
        })
    }
}

/// Watches `address` until `keep_going` says stop, calling `changed` after
/// each burst of other sessions' notices. Blocking: run it on a thread of
/// its own. A lost connection is retried every few seconds; the caller
/// hears nothing meanwhile, never an error for each try.
pub fn watch(
    address: &str,
    own_pid: Option<i32>,
    mut changed: impl FnMut(),
    keep_going: impl Fn() -> bool,
) {
    while keep_going() {
        let session = (|| -> Result<()> {
            let mut client = beatdesk_store_pg::connect(address, None, "beatdesk-watch")?;
            beatdesk_store_pg::notify::listen(&mut client)?;
            while keep_going() {
                let mut notices = client.notifications();
                let mut others = 0;
                let mut it = notices.timeout_iter(Duration::from_secs(1));
                while let Some(n) = it.next()? {
                    if n.channel() == beatdesk_store_pg::notify::CHANNEL
                        && Some(n.process_id()) != own_pid
                    {
                        others += 1;
                    }
                }
                if others > 0 {
                    changed();
                }
            }
            Ok(())
        })();
        if session.is_err() && keep_going() {
            std::thread::sleep(Duration::from_secs(3));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::{beats, stories};

    #[test]
    fn another_desks_commit_is_heard_and_our_own_is_not() {
        let store = Store::open_in_memory().unwrap();
        let Some(other) = store.open_again().unwrap() else {
            eprintln!("skipped: LISTEN/NOTIFY needs PostgreSQL (set BEATDESK_TEST_PG)");
            return;
        };
        let address = store.pg_address.clone().unwrap();
        let now = chrono::Utc::now();
        let beat = store.write(|tx| beats::insert(tx, "b", "", now)).unwrap();
        let own = store.backend_pid().unwrap();
        let heard = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = {
            let (heard, stop) = (heard.clone(), stop.clone());
            std::thread::spawn(move || {
                watch(
                    &address,
                    own,
                    || {
                        heard.fetch_add(1, Ordering::SeqCst);
                    },
                    || !stop.load(Ordering::SeqCst),
                )
            })
        };
        std::thread::sleep(Duration::from_millis(500));
        store
            .write(|tx| stories::insert(tx, beat, "ours", now))
            .unwrap();
        std::thread::sleep(Duration::from_millis(2500));
        assert_eq!(
            heard.load(Ordering::SeqCst),
            0,
            "our own change is not news"
        );
        other
            .write(|tx| stories::insert(tx, beat, "theirs", now))
            .unwrap();
        let waited = std::time::Instant::now();
        while heard.load(Ordering::SeqCst) == 0 && waited.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(
            heard.load(Ordering::SeqCst),
            1,
            "another desk's commit is heard once"
        );
        stop.store(true, Ordering::SeqCst);
        watcher.join().unwrap();
    }
}

#[cfg(test)]
mod reconnect_tests {
    use crate::Store;

    #[test]
    fn a_session_the_server_ended_fails_one_call_then_connects_again() {
        let store = Store::open_in_memory().unwrap();
        let Some(other) = store.open_again().unwrap() else {
            eprintln!("skipped: needs PostgreSQL (set BEATDESK_TEST_PG)");
            return;
        };
        assert!(store.pg_address().is_some());
        let pid = store.backend_pid().unwrap().unwrap();
        let ended: bool = other
            .read(|c| c.query_row("SELECT pg_terminate_backend(?1)", [pid], |r| r.get(0)))
            .unwrap();
        assert!(ended);
        // Wait until the server has really ended it.
        for _ in 0..50 {
            let alive: i64 = other
                .read(|c| {
                    c.query_row(
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?1",
                        [pid],
                        |r| r.get(0),
                    )
                })
                .unwrap();
            if alive == 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let count = |s: &Store| {
            s.read(|c| c.query_row("SELECT COUNT(*) FROM beats", [], |r| r.get::<_, i64>(0)))
        };
        // The first call may meet the dead session; the next one has a new one.
        let _ = count(&store);
        assert_eq!(count(&store).unwrap(), 0);
        assert_ne!(store.backend_pid().unwrap().unwrap(), pid, "a new session");
    }
}
