use std::sync::Arc;

use beatdesk_core::Beatdesk;

use crate::error::IpcError;

/// Managed state: the one `Beatdesk`. The store guards its own connection,
/// so there is no outer lock.
pub struct AppState {
    app: Arc<Beatdesk>,
}

impl AppState {
    pub fn new(app: Beatdesk) -> AppState {
        AppState { app: Arc::new(app) }
    }

    /// Runs a core call on the blocking pool so SQLite never stalls the UI thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, IpcError>
    where
        T: Send + 'static,
        F: FnOnce(&Beatdesk) -> beatdesk_core::Result<T> + Send + 'static,
    {
        let app = self.app.clone();
        tauri::async_runtime::spawn_blocking(move || f(&app))
            .await
            .map_err(|e| IpcError::internal(e.to_string()))?
            .map_err(IpcError::from)
    }
}
