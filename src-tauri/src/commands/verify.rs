//! Verify in the window: the report for a saved revision, and for the
//! document being edited (re-run as the editor types, off the UI thread).

use beatdesk_types::{StoryDocument, VerifyReport};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn verify_story(
    state: State<'_, AppState>,
    story_id: i64,
    revision: Option<i64>,
) -> Result<VerifyReport, IpcError> {
    state.run(move |app| app.verify(story_id, revision)).await
}

#[tauri::command]
pub async fn verify_document(
    state: State<'_, AppState>,
    story_id: i64,
    document: StoryDocument,
) -> Result<VerifyReport, IpcError> {
    state
        .run(move |app| app.verify_document(story_id, &document))
        .await
}
