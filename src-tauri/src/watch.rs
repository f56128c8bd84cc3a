//! Changes made by another process (the CLI, a second window) reach the
//! window: a thread polls the SQLite store's `data_version` about once a second
//! and emits `beatdesk://store-changed` when it moves. The window's own writes
//! do not move it. A PostgreSQL store emits the same event from LISTEN/NOTIFY,
//! so the UI side does not care which engine is behind it. The same thread
//! checkpoints SQLite's log every few seconds on a connection of its own,
//! so the window's writes (an analysis pass after an ingest) do not.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

/// The event the window listens to; its payload is `{}`.
pub const STORE_CHANGED: &str = "beatdesk://store-changed";

const POLL: Duration = Duration::from_millis(1000);

/// Polls between checkpoints.
const CHECKPOINT_EVERY: u32 = 5;

pub fn start(handle: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("store-watch".into())
        .spawn(move || {
            let app = handle.state::<AppState>().app();
            let mut last = app.store_version().ok();
            let checkpointer = app.checkpointer().ok().flatten();
            let mut polls = 0u32;
            loop {
                std::thread::sleep(POLL);
                polls += 1;
                if let (Some(ck), true) = (&checkpointer, polls % CHECKPOINT_EVERY == 0) {
                    // Passive: never waits for readers nor blocks writers; a
                    // busy moment is simply tried again next time.
                    let _ = ck.run();
                }
                // A busy store (an ingest writing) only delays the next look.
                let Ok(now) = app.store_version() else {
                    continue;
                };
                if last.is_some_and(|v| v != now) {
                    let _ = handle.emit(STORE_CHANGED, serde_json::json!({}));
                }
                last = Some(now);
            }
        });
    if let Err(e) = spawned {
        eprintln!("beatdesk: no live refresh (could not start the store watch: {e})");
    }
}
