//! The review desk's commands: beats, story search, history, workflow,
//! the unsaved-edit buffer, citations and reporters' sources.

use beatdesk_types::{
    Attribution, AuditEntry, Beat, Draft, EditBuffer, RevisionDiff, StoryDocument, StoryQuery,
    StorySummary, StoryView,
};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn create_beat(
    state: State<'_, AppState>,
    name: String,
    config: String,
) -> Result<Vec<Beat>, IpcError> {
    state
        .run(move |app| app.add_beat(&name, Some(&config)).and_then(|_| app.beats()))
        .await
}

#[tauri::command]
pub async fn rename_beat(
    state: State<'_, AppState>,
    beat_id: i64,
    name: String,
    editor: String,
) -> Result<Vec<Beat>, IpcError> {
    state
        .run(move |app| {
            app.rename_beat(beat_id, &name, &editor)
                .and_then(|_| app.beats())
        })
        .await
}

#[tauri::command]
pub async fn remove_beat(
    state: State<'_, AppState>,
    beat_id: i64,
    confirm_name: String,
    editor: String,
) -> Result<Vec<Beat>, IpcError> {
    state
        .run(move |app| {
            app.remove_beat(beat_id, &confirm_name, &editor)
                .and_then(|_| app.beats())
        })
        .await
}

#[tauri::command]
pub async fn search_stories(
    state: State<'_, AppState>,
    beat_id: i64,
    query: StoryQuery,
) -> Result<Vec<StorySummary>, IpcError> {
    state
        .run(move |app| app.search_stories(beat_id, &query))
        .await
}

#[tauri::command]
pub async fn get_revision(
    state: State<'_, AppState>,
    story_id: i64,
    revision: i64,
) -> Result<Draft, IpcError> {
    state.run(move |app| app.revision(story_id, revision)).await
}

#[tauri::command]
pub async fn compare_revisions(
    state: State<'_, AppState>,
    story_id: i64,
    from: i64,
    to: i64,
) -> Result<RevisionDiff, IpcError> {
    state
        .run(move |app| app.compare_revisions(story_id, from, to))
        .await
}

#[tauri::command]
pub async fn restore_revision(
    state: State<'_, AppState>,
    story_id: i64,
    revision: i64,
    base_revision: i64,
    editor: String,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| app.restore_revision(story_id, revision, base_revision, &editor))
        .await
}

#[tauri::command]
pub async fn story_audit(
    state: State<'_, AppState>,
    story_id: i64,
) -> Result<Vec<AuditEntry>, IpcError> {
    state.run(move |app| app.audit(Some(story_id))).await
}

#[tauri::command]
pub async fn spike_story(
    state: State<'_, AppState>,
    story_id: i64,
    editor: String,
    reason: Option<String>,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| app.spike(story_id, &editor, reason.as_deref()))
        .await
}

#[tauri::command]
pub async fn unspike_story(
    state: State<'_, AppState>,
    story_id: i64,
    editor: String,
) -> Result<StoryView, IpcError> {
    state.view(move |app| app.unspike(story_id, &editor)).await
}

#[tauri::command]
pub async fn keep_edit(
    state: State<'_, AppState>,
    story_id: i64,
    base_revision: i64,
    document: StoryDocument,
) -> Result<(), IpcError> {
    state
        .run(move |app| app.keep_edit(story_id, base_revision, &document))
        .await
}

#[tauri::command]
pub async fn edit_buffer(
    state: State<'_, AppState>,
    story_id: i64,
) -> Result<Option<EditBuffer>, IpcError> {
    state.run(move |app| app.edit_buffer(story_id)).await
}

#[tauri::command]
pub async fn discard_edit(state: State<'_, AppState>, story_id: i64) -> Result<(), IpcError> {
    state.run(move |app| app.discard_edit(story_id)).await
}

#[tauri::command]
pub async fn remove_citations(
    state: State<'_, AppState>,
    story_id: i64,
    record_id: i64,
    base_revision: i64,
    editor: String,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| app.remove_citations(story_id, record_id, base_revision, &editor))
        .await
}

/// A reporter's source with its attribution (who said it, capacity, when).
#[tauri::command]
pub async fn add_attributed_source(
    state: State<'_, AppState>,
    story_id: i64,
    input: String,
    note: Option<String>,
    attribution: Attribution,
    by: String,
) -> Result<StoryView, IpcError> {
    let app = state.app();
    app.add_attributed_source(story_id, &input, note.as_deref(), &attribution, &by)
        .await
        .map(StoryView::without_texts)
        .map_err(IpcError::from)
}

#[tauri::command]
pub async fn remove_manual_source(
    state: State<'_, AppState>,
    story_id: i64,
    record_id: i64,
    editor: String,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| app.remove_manual_source(story_id, record_id, &editor))
        .await
}
