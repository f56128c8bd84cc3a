//! Changes made by another process (the CLI, a second window) reach the
//! window: a thread polls the SQLite store's `data_version` about once a second
//! and emits `beatdesk://store-changed` when it moves. The window's own writes
//! do not move it. A PostgreSQL store emits the same event from LISTEN/NOTIFY,
//! so the UI side does not care which engine is behind it.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

/// The event the window listens to; its payload is `{}`.
pub const STORE_CHANGED: &str = "beatdesk://store-changed";

const POLL: Duration = Duration::from_millis(1000);

pub fn start(handle: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("store-watch".into())
        .spawn(move || {
            let app = handle.state::<AppState>().app();
            let mut last = app.store_version().ok();
            loop {
                std::thread::sleep(POLL);
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
