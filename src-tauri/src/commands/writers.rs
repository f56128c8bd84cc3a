use beatdesk_core::{Account, CancellationToken, DraftEvent, Part, LOCAL_OLLAMA};
use beatdesk_types::{BeatUsage, DraftProgress, ModelInfo, StoryView};
use tauri::ipc::Channel;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_models(state: State<'_, AppState>) -> Result<Vec<ModelInfo>, IpcError> {
    state.run(|app| app.model_infos()).await
}

#[tauri::command]
pub async fn add_model(
    state: State<'_, AppState>,
    model: ModelInfo,
    api_key: Option<String>,
) -> Result<Vec<ModelInfo>, IpcError> {
    state
        .run(move |app| {
            app.add_model_info(&model)?;
            if let Some(key) = api_key.filter(|k| !k.trim().is_empty()) {
                app.set_account(
                    &Account::Model {
                        name: model.name.trim().to_string(),
                    },
                    &key,
                )?;
            }
            app.model_infos()
        })
        .await
}

#[tauri::command]
pub async fn beat_usage(state: State<'_, AppState>, beat_id: i64) -> Result<BeatUsage, IpcError> {
    state.run(move |app| app.beat_usage(beat_id)).await
}

fn progress(ev: DraftEvent) -> DraftProgress {
    match ev {
        DraftEvent::CallStarted { label } => DraftProgress::Started { label },
        DraftEvent::Delta { label, text } => DraftProgress::Delta { label, text },
        DraftEvent::Retrying { label, reason, .. } => DraftProgress::Retrying { label, reason },
        DraftEvent::Shrinking { label, reason, .. } => DraftProgress::Shrinking { label, reason },
        DraftEvent::CallFinished { label, .. } => DraftProgress::Finished { label },
    }
}

/// Drafts with a model, streaming its text to the window through `on_progress`.
#[tauri::command]
pub async fn draft_with_model(
    state: State<'_, AppState>,
    story_id: i64,
    writer: String,
    on_progress: Channel<DraftProgress>,
) -> Result<StoryView, IpcError> {
    let cancel = CancellationToken::new();
    state.track_draft(story_id, cancel.clone());
    let app = state.app();
    let send = move |ev: DraftEvent| {
        // A closed window just stops listening; the draft still completes.
        let _ = on_progress.send(progress(ev));
    };
    let result = app
        .draft_with_model(story_id, &writer, Some(cancel), &send)
        .await;
    state.untrack_draft(story_id);
    result.map_err(IpcError::from)?;
    state.view(move |app| app.story(story_id)).await
}

#[tauri::command]
pub async fn cancel_draft(state: State<'_, AppState>, story_id: i64) -> Result<bool, IpcError> {
    Ok(state.cancel_draft(story_id))
}

/// Regenerates one section (`section` = its index) or, without it, the FAQ.
#[tauri::command]
pub async fn regenerate(
    state: State<'_, AppState>,
    story_id: i64,
    writer: String,
    section: Option<usize>,
    on_progress: Channel<DraftProgress>,
) -> Result<StoryView, IpcError> {
    let cancel = CancellationToken::new();
    state.track_draft(story_id, cancel.clone());
    let app = state.app();
    let send = move |ev: DraftEvent| {
        let _ = on_progress.send(progress(ev));
    };
    let part = section.map(Part::Section).unwrap_or(Part::Faq);
    let result = app
        .regenerate(story_id, &writer, part, Some(cancel), &send)
        .await;
    state.untrack_draft(story_id);
    result.map_err(IpcError::from)?;
    state.view(move |app| app.story(story_id)).await
}

/// Models of a local Ollama, when one answers on this machine.
#[tauri::command]
pub async fn detect_ollama(state: State<'_, AppState>) -> Result<Vec<ModelInfo>, IpcError> {
    Ok(state.app().local_ollama_offers(LOCAL_OLLAMA).await)
}
