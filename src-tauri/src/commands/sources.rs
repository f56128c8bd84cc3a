use beatdesk_core::{Account, SourceTarget};
use beatdesk_types::{IngestProgress, IngestSummary, SourceInfo, StoryView};
use tauri::ipc::Channel;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_sources(
    state: State<'_, AppState>,
    beat_id: i64,
) -> Result<Vec<SourceInfo>, IpcError> {
    state.run(move |app| app.sources(beat_id)).await
}

/// Fetches a beat's sources now (all of them), reporting progress per source.
#[tauri::command]
pub async fn ingest_beat(
    state: State<'_, AppState>,
    beat_id: i64,
    on_progress: Channel<IngestProgress>,
) -> Result<IngestSummary, IpcError> {
    let app = state.app();
    let send = move |p: IngestProgress| {
        let _ = on_progress.send(p);
    };
    app.ingest(beat_id, true, &send)
        .await
        .map_err(IpcError::from)
}

#[tauri::command]
pub async fn get_beat_config(state: State<'_, AppState>, beat_id: i64) -> Result<String, IpcError> {
    state
        .run(move |app| {
            app.beats().map(|b| {
                b.into_iter()
                    .find(|b| b.id == beat_id)
                    .map(|b| b.config)
                    .unwrap_or_default()
            })
        })
        .await
}

#[tauri::command]
pub async fn set_beat_config(
    state: State<'_, AppState>,
    beat_id: i64,
    config: String,
) -> Result<Vec<SourceInfo>, IpcError> {
    state
        .run(move |app| {
            app.set_beat_config(beat_id, &config)
                .and_then(|_| app.sources(beat_id))
        })
        .await
}

/// A reporter's source for a story, by URL (fetched) or pasted text.
#[tauri::command]
pub async fn add_source(
    state: State<'_, AppState>,
    story_id: i64,
    input: String,
    note: Option<String>,
    by: String,
) -> Result<StoryView, IpcError> {
    let app = state.app();
    app.add_source(&SourceTarget::Story(story_id), &input, note.as_deref(), &by)
        .await
        .map_err(IpcError::from)?;
    state.view(move |app| app.story(story_id)).await
}

/// Stores a source credential in the OS keychain: `reddit` (id = client id)
/// or `bluesky` (id = handle).
#[tauri::command]
pub async fn set_account(
    state: State<'_, AppState>,
    kind: String,
    id: String,
    secret: String,
) -> Result<(), IpcError> {
    state
        .run(move |app| {
            let account = match kind.as_str() {
                "reddit" => Account::Reddit { client_id: id },
                "bluesky" => Account::Bluesky { handle: id },
                other => {
                    return Err(beatdesk_core::CoreError::bad_input(
                        "account",
                        "kind",
                        format!("{other:?} is not reddit or bluesky"),
                    ))
                }
            };
            app.set_account(&account, &secret)
        })
        .await
}
