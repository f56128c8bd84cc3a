use beatdesk_types::StoreSettings;
use tauri::State;

use crate::error::IpcError;
use crate::store_watch::ActiveStore;

fn home() -> std::path::PathBuf {
    beatdesk_core::resolve_home(None)
}

#[tauri::command]
pub async fn get_store_settings(active: State<'_, ActiveStore>) -> Result<StoreSettings, IpcError> {
    Ok(beatdesk_core::store_settings(&home(), &active.0)?)
}

/// Saves this laptop's store address (empty: the SQLite file in the home
/// directory). Takes effect when Beatdesk next starts.
#[tauri::command]
pub async fn set_store_address(
    active: State<'_, ActiveStore>,
    address: Option<String>,
) -> Result<StoreSettings, IpcError> {
    beatdesk_core::set_store_setting(&home(), address.as_deref())?;
    Ok(beatdesk_core::store_settings(&home(), &active.0)?)
}
