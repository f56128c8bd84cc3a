use beatdesk_types::{StorySummary, StoryView};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_stories(
    state: State<'_, AppState>,
    beat_id: i64,
) -> Result<Vec<StorySummary>, IpcError> {
    state.run(move |app| app.stories_of(beat_id)).await
}

#[tauri::command]
pub async fn get_story(state: State<'_, AppState>, story_id: i64) -> Result<StoryView, IpcError> {
    state.view(move |app| app.story(story_id)).await
}

#[tauri::command]
pub async fn draft_story(
    state: State<'_, AppState>,
    story_id: i64,
    writer: String,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| {
            app.draft(story_id, &writer)
                .and_then(|_| app.story(story_id))
        })
        .await
}

/// One source's stored text, fetched when its card is opened.
#[tauri::command]
pub async fn record_text(
    state: State<'_, AppState>,
    story_id: i64,
    record_id: i64,
) -> Result<String, IpcError> {
    state
        .run(move |app| app.record_text(story_id, record_id))
        .await
}
