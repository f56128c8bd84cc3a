use beatdesk_types::Beat;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_beats(state: State<'_, AppState>) -> Result<Vec<Beat>, IpcError> {
    state.run(|app| app.beats()).await
}

/// Creates (or refreshes) the offline demo beat and returns the beats.
#[tauri::command]
pub async fn load_demo(state: State<'_, AppState>) -> Result<Vec<Beat>, IpcError> {
    state.run(|app| app.demo().and_then(|_| app.beats())).await
}
