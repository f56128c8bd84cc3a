//! The shared store, from the window's side: which store this window opened
//! (for Settings) and, on PostgreSQL, a thread that LISTENs for other
//! desks' commits and emits `beatdesk://store-changed` (payload `{}`); the
//! window refreshes its story list and open story on it, keeping unsaved text.

use beatdesk_core::StoreAddress;
use tauri::{AppHandle, Emitter};

use crate::watch::STORE_CHANGED;

/// The store this window opened (managed state).
pub struct ActiveStore(pub StoreAddress);

/// On PostgreSQL, starts the watching thread; on SQLite there is no one else.
pub fn start(handle: AppHandle, address: &StoreAddress, own_pid: Option<i32>) {
    let StoreAddress::Postgres(addr) = address else {
        return;
    };
    let addr = addr.clone();
    let spawned = std::thread::Builder::new()
        .name("beatdesk-store-watch".into())
        .spawn(move || {
            beatdesk_core::watch_store(
                &addr,
                own_pid,
                || {
                    let _ = handle.emit(STORE_CHANGED, serde_json::json!({}));
                },
                || true,
            )
        });
    if let Err(e) = spawned {
        eprintln!("beatdesk: cannot watch the shared store for other desks' changes: {e}");
    }
}
