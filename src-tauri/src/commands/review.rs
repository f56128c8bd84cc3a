use beatdesk_types::{DocumentEdit, ExportFormat, ExportResult, SignOffRequest, StoryView};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn save_document(
    state: State<'_, AppState>,
    story_id: i64,
    edit: DocumentEdit,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| app.save_document(story_id, &edit))
        .await
}

#[tauri::command]
pub async fn set_record_included(
    state: State<'_, AppState>,
    story_id: i64,
    record_id: i64,
    included: bool,
    weight: f64,
    editor: String,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| app.set_record_included(story_id, record_id, included, weight, &editor))
        .await
}

/// Signs off the revision the editor read; `override_reason` signs over hard failures.
#[tauri::command]
pub async fn sign_off(
    state: State<'_, AppState>,
    story_id: i64,
    editor: String,
    note: Option<String>,
    revision: i64,
    override_reason: Option<String>,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| {
            let req = SignOffRequest {
                editor,
                note,
                revision,
                override_reason,
            };
            app.sign_off(story_id, &req)
                .and_then(|_| app.story(story_id))
        })
        .await
}

#[tauri::command]
pub async fn export_story(
    state: State<'_, AppState>,
    story_id: i64,
    format: ExportFormat,
    editor: String,
) -> Result<ExportResult, IpcError> {
    state
        .run(move |app| app.export_to_home(story_id, format, &editor))
        .await
}
