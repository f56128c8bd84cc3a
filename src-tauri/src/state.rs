use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use beatdesk_core::{Beatdesk, CancellationToken};
use beatdesk_types::StoryView;

use crate::error::IpcError;

/// Managed state: the one `Beatdesk`. The store guards its own connection,
/// so there is no outer lock.
pub struct AppState {
    app: Arc<Beatdesk>,
    /// Running model drafts by story, so Cancel can reach them.
    drafts: Mutex<HashMap<i64, CancellationToken>>,
}

impl AppState {
    pub fn new(app: Beatdesk) -> AppState {
        AppState {
            app: Arc::new(app),
            drafts: Mutex::new(HashMap::new()),
        }
    }

    pub fn app(&self) -> Arc<Beatdesk> {
        self.app.clone()
    }

    pub fn track_draft(&self, story_id: i64, token: CancellationToken) {
        if let Some(old) = self
            .drafts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(story_id, token)
        {
            old.cancel();
        }
    }

    pub fn untrack_draft(&self, story_id: i64) {
        self.drafts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&story_id);
    }

    pub fn cancel_draft(&self, story_id: i64) -> bool {
        match self
            .drafts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&story_id)
        {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// `run` for a call that answers with a story: the window's copy, without
    /// source texts (`record_text` fetches one when a card is opened).
    pub async fn view<F>(&self, f: F) -> Result<StoryView, IpcError>
    where
        F: FnOnce(&Beatdesk) -> beatdesk_core::Result<StoryView> + Send + 'static,
    {
        self.run(f).await.map(StoryView::without_texts)
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
