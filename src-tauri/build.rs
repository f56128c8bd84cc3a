// The app's commands are listed here so each gets an `allow-*` permission and
// the capability file can grant exactly the ones the window uses.
const COMMANDS: &[&str] = &[
    "list_beats",
    "load_demo",
    "list_stories",
    "get_story",
    "record_text",
    "draft_story",
    "save_document",
    "set_record_included",
    "sign_off",
    "export_story",
    "get_settings",
    "set_editor_name",
    "list_models",
    "add_model",
    "beat_usage",
    "draft_with_model",
    "cancel_draft",
    "regenerate",
    "detect_ollama",
    "list_sources",
    "ingest_beat",
    "get_beat_config",
    "set_beat_config",
    "add_source",
    "set_account",
    // The review desk (issue 11).
    "create_beat",
    "rename_beat",
    "remove_beat",
    "search_stories",
    "get_revision",
    "compare_revisions",
    "restore_revision",
    "story_audit",
    "spike_story",
    "unspike_story",
    "keep_edit",
    "edit_buffer",
    "discard_edit",
    "remove_citations",
    "add_attributed_source",
    "remove_manual_source",
    "move_record",
    "merge_stories",
    "split_records",
    "list_targets",
    "add_target",
    "remove_target",
    "check_target",
    "plan_export",
    "export_to_target",
    "list_target_exports",
    "verify_story",
    "verify_document",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
