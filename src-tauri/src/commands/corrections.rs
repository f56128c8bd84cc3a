//! Correcting the clustering from the window: move a record, merge two
//! stories, split records out. Each returns the story the editor looks at.

use beatdesk_types::StoryView;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Moves a record to another story; returns the story it left.
#[tauri::command]
pub async fn move_record(
    state: State<'_, AppState>,
    from_story_id: i64,
    record_id: i64,
    to_story_id: i64,
    editor: String,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| {
            app.move_record(record_id, to_story_id, &editor)
                .and_then(|_| app.story(from_story_id))
        })
        .await
}

/// Merges `from_story_id` into `into_story_id`; returns the merged story.
#[tauri::command]
pub async fn merge_stories(
    state: State<'_, AppState>,
    into_story_id: i64,
    from_story_id: i64,
    editor: String,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| {
            app.merge_stories(into_story_id, from_story_id, &editor)
                .and_then(|_| app.story(into_story_id))
        })
        .await
}

/// Splits records out into a new story; returns the new story.
#[tauri::command]
pub async fn split_records(
    state: State<'_, AppState>,
    story_id: i64,
    record_ids: Vec<i64>,
    editor: String,
) -> Result<StoryView, IpcError> {
    state
        .view(move |app| {
            app.split_records(story_id, &record_ids, &editor)
                .and_then(|id| app.story(id))
        })
        .await
}
