//! The background refresh: every minute, each beat's due sources are fetched
//! (each source is due on its beat's refresh interval, later after errors).
//! New records are analyzed incrementally on a blocking thread; the window
//! hears `beat-updated` and reloads what it shows.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

const TICK: Duration = Duration::from_secs(60);

pub fn start(handle: AppHandle) {
    // Tests and offline demos can turn the network off entirely.
    if std::env::var_os("BEATDESK_NO_REFRESH").is_some() {
        return;
    }
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(TICK).await;
            let app = handle.state::<AppState>().app();
            let Ok(beats) = app.beats() else { continue };
            for beat in beats {
                if app.sources(beat.id).map(|s| s.is_empty()).unwrap_or(true) {
                    continue;
                }
                let h = handle.clone();
                let id = beat.id;
                let progress = move |p: beatdesk_types::IngestProgress| {
                    let _ = h.emit("ingest-progress", p);
                };
                if let Ok(summary) = app.ingest_sources(id, false, &progress).await {
                    // Analysis is CPU and SQLite work: off the async workers,
                    // and incremental (only what just arrived is clustered).
                    let a = app.clone();
                    let _ =
                        tauri::async_runtime::spawn_blocking(move || a.refresh_analysis(id)).await;
                    let _ = handle.emit("beat-updated", summary);
                }
            }
        }
    });
}
