use beatdesk_types::AppSettings;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<AppSettings, IpcError> {
    state.run(|app| app.settings()).await
}

#[tauri::command]
pub async fn set_editor_name(
    state: State<'_, AppState>,
    name: String,
) -> Result<AppSettings, IpcError> {
    state
        .run(move |app| app.set_editor_name(&name).and_then(|_| app.settings()))
        .await
}
