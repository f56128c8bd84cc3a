//! Export targets from the window: Settings → targets (add, check, remove)
//! and the export preview, then the export itself.

use beatdesk_core::{ExportOptions, NewTarget};
use beatdesk_types::{ExportOutcome, ExportPlan, TargetExport, TargetInfo};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_targets(state: State<'_, AppState>) -> Result<Vec<TargetInfo>, IpcError> {
    state.run(|app| app.targets()).await
}

/// The secret goes straight to the keychain; it never comes back over IPC.
#[tauri::command]
pub async fn add_target(
    state: State<'_, AppState>,
    name: String,
    kind: String,
    url: String,
    user: Option<String>,
    secret: String,
    editor: String,
) -> Result<TargetInfo, IpcError> {
    state
        .run(move |app| {
            let t = NewTarget {
                name,
                kind,
                url,
                user,
            };
            app.add_target(&t, Some(&secret), &editor)
        })
        .await
}

#[tauri::command]
pub async fn remove_target(
    state: State<'_, AppState>,
    name: String,
    editor: String,
) -> Result<Vec<TargetInfo>, IpcError> {
    state
        .run(move |app| {
            app.remove_target(&name, &editor)
                .and_then(|_| app.targets())
        })
        .await
}

#[tauri::command]
pub async fn check_target(state: State<'_, AppState>, name: String) -> Result<String, IpcError> {
    Ok(state.app().check_target(&name).await?)
}

fn options(status: Option<String>, tags: Vec<String>) -> ExportOptions {
    ExportOptions {
        status,
        tags,
        ..Default::default()
    }
}

/// Exactly what would be sent; sends nothing.
#[tauri::command]
pub async fn plan_export(
    state: State<'_, AppState>,
    story_id: i64,
    target: String,
    status: Option<String>,
    tags: Vec<String>,
) -> Result<ExportPlan, IpcError> {
    state
        .run(move |app| app.plan_export(story_id, &target, &options(status, tags)))
        .await
}

#[tauri::command]
pub async fn export_to_target(
    state: State<'_, AppState>,
    story_id: i64,
    target: String,
    status: Option<String>,
    tags: Vec<String>,
    editor: String,
) -> Result<ExportOutcome, IpcError> {
    let app = state.app();
    Ok(app
        .export_to_target(story_id, &target, &options(status, tags), &editor)
        .await?)
}

#[tauri::command]
pub async fn list_target_exports(
    state: State<'_, AppState>,
    story_id: i64,
) -> Result<Vec<TargetExport>, IpcError> {
    state.run(move |app| app.target_exports(story_id)).await
}
