//! The desktop shell: the only crate that imports tauri. Each command gets
//! the shared `Beatdesk`, calls the core off the UI thread and maps the error.

mod commands;
mod error;
mod refresh;
mod rendering;
mod state;
mod store_watch;
mod watch;

use state::AppState;

pub fn run() {
    rendering::configure();
    let home = beatdesk_core::resolve_home(None);
    // BEATDESK_STORE, else this laptop's setting, else the SQLite file in home.
    let opened = beatdesk_core::resolve_store(None, &home)
        .and_then(|address| Ok((beatdesk_core::Beatdesk::open_at(&home, &address)?, address)));
    let (app, address) = match opened {
        Ok(x) => x,
        Err(e) => {
            eprintln!("beatdesk: cannot open {}: {e}", home.display());
            std::process::exit(1);
        }
    };
    let own_pid = app.store().backend_pid().ok().flatten();
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .manage(AppState::new(app))
        .manage(store_watch::ActiveStore(address.clone()))
        .setup(move |app| {
            refresh::start(app.handle().clone());
            // SQLite: poll data_version for other processes; PostgreSQL: LISTEN.
            if matches!(address, beatdesk_core::StoreAddress::Postgres(_)) {
                store_watch::start(app.handle().clone(), &address, own_pid);
            } else {
                watch::start(app.handle().clone());
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::beats::list_beats,
            commands::beats::load_demo,
            commands::stories::list_stories,
            commands::stories::get_story,
            commands::stories::record_text,
            commands::stories::draft_story,
            commands::review::save_document,
            commands::review::set_record_included,
            commands::review::sign_off,
            commands::review::export_story,
            commands::settings::get_settings,
            commands::settings::set_editor_name,
            commands::store::get_store_settings,
            commands::store::set_store_address,
            commands::writers::list_models,
            commands::writers::add_model,
            commands::writers::beat_usage,
            commands::writers::draft_with_model,
            commands::writers::cancel_draft,
            commands::writers::regenerate,
            commands::writers::detect_ollama,
            commands::sources::list_sources,
            commands::sources::ingest_beat,
            commands::sources::get_beat_config,
            commands::sources::set_beat_config,
            commands::sources::add_source,
            commands::sources::set_account,
            commands::desk::create_beat,
            commands::desk::rename_beat,
            commands::desk::remove_beat,
            commands::desk::search_stories,
            commands::desk::get_revision,
            commands::desk::compare_revisions,
            commands::desk::restore_revision,
            commands::desk::story_audit,
            commands::desk::spike_story,
            commands::desk::unspike_story,
            commands::desk::keep_edit,
            commands::desk::edit_buffer,
            commands::desk::discard_edit,
            commands::desk::remove_citations,
            commands::desk::add_attributed_source,
            commands::desk::remove_manual_source,
            commands::corrections::move_record,
            commands::corrections::merge_stories,
            commands::corrections::split_records,
            commands::targets::list_targets,
            commands::targets::add_target,
            commands::targets::remove_target,
            commands::targets::check_target,
            commands::targets::plan_export,
            commands::targets::export_to_target,
            commands::targets::list_target_exports,
            commands::verify::verify_story,
            commands::verify::verify_document,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Beatdesk");
}
