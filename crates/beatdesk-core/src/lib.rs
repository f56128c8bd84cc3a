//! The Beatdesk facade.
//!
//! `Beatdesk` is the one API every front end calls — the `beatdesk` CLI and
//! the Tauri shell alike. It owns the store and the clock and runs the
//! pipeline stages: Ingest (import for now) → Analyze → Signal → Write →
//! Review → Export. Nothing here imports Tauri.

mod accounts;
mod analysis;
mod beats_admin;
mod buffer;
mod canonical;
mod citations;
mod clock;
mod corrections;
mod demo;
mod desk;
mod diff;
mod error;
mod export;
mod history;
mod home;
pub mod import;
mod incremental;
mod ingest;
mod models;
mod publish;
mod regenerate;
mod relations;
mod reporter_sources;
mod restore;
mod review;
mod search;
mod secrets;
mod store_choice;
mod targets;
#[cfg(test)]
mod tests_support;
mod timings;
mod usage;
mod verify;
mod views;
mod workflow;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use beatdesk_store::{beats, records, settings, stories, Store};
use beatdesk_types::{Beat, Record, StorySummary, StoryView};

pub use accounts::Account;
pub use analysis::AnalysisReport;
pub use beatdesk_cms::RetryPolicy;
pub use beatdesk_ingest::ManualAdded;
pub use beatdesk_llm::{DraftEvent, ModelConfig, Prices, ProviderKind};
pub use beatdesk_store::watch::watch as watch_store;
pub use beatdesk_store::StoreAddress;
pub use beatdesk_types::DocumentEdit;
pub use canonical::canonical_url;
pub use clock::{Clock, FixedClock, SystemClock};
pub use demo::{DemoReport, DEMO_BEAT};
pub use error::{CoreError, Result};
pub use home::{resolve_home, DB_FILE};
pub use import::ImportReport;
pub use ingest::{check_beat_config, SourceTarget};
pub use models::{beat_policy, CancellationToken, LOCAL_OLLAMA};
pub use publish::ExportOptions;
pub use regenerate::Part;
pub use reporter_sources::check_url_input;
pub use store_choice::{
    resolve_store, set_store_setting, store_setting, store_settings, STORE_ENV, STORE_SETTING_FILE,
};
pub use targets::{secret_env as target_secret_env, NewTarget};

/// Settings keys.
pub const SETTING_EDITOR_NAME: &str = "editor_name";

pub struct Beatdesk {
    store: Store,
    /// Each beat's live clusterer, for incremental analysis after ingest
    /// and import (built by the first pass).
    analyzers: std::sync::Mutex<std::collections::HashMap<i64, incremental::BeatState>>,
    secrets: Arc<dyn beatdesk_ingest::SecretStore>,
    clock: Arc<dyn Clock>,
    home: Option<PathBuf>,
}

impl Beatdesk {
    /// Opens the data directory, creating it if needed, and the store chosen
    /// for it (`BEATDESK_STORE`, this laptop's setting, else the SQLite file there).
    pub fn open(home: &Path) -> Result<Beatdesk> {
        let address = resolve_store(None, home)?;
        Self::open_at(home, &address)
    }

    /// Opens the data directory and the store at `address` (a SQLite file
    /// or a PostgreSQL server).
    pub fn open_at(home: &Path, address: &StoreAddress) -> Result<Beatdesk> {
        std::fs::create_dir_all(home).map_err(|error| CoreError::Io {
            path: home.display().to_string(),
            error,
        })?;
        let store = Store::open_address(address)?;
        Ok(Beatdesk {
            store,
            analyzers: Default::default(),
            secrets: secrets::open_keychain(),
            clock: Arc::new(SystemClock),
            home: Some(home.to_path_buf()),
        })
    }

    /// An in-memory Beatdesk with the given clock; for tests.
    pub fn in_memory(clock: Arc<dyn Clock>) -> Result<Beatdesk> {
        let secrets = Arc::new(beatdesk_ingest::MemorySecrets::new());
        Ok(Beatdesk {
            store: Store::open_in_memory()?,
            analyzers: Default::default(),
            secrets,
            clock,
            home: None,
        })
    }

    /// Uses another secret store (tests use an in-memory one).
    pub fn with_secrets(mut self, secrets: Arc<dyn beatdesk_ingest::SecretStore>) -> Beatdesk {
        self.secrets = secrets;
        self
    }

    pub fn secrets(&self) -> &Arc<dyn beatdesk_ingest::SecretStore> {
        &self.secrets
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Beatdesk {
        self.clock = clock;
        self
    }

    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    // ----- beats -----

    pub fn beats(&self) -> Result<Vec<Beat>> {
        self.store.read(|c| Ok(beats::list(c)?))
    }

    /// Adds a beat. The configuration is TOML; it is checked here so a typo
    /// is reported now, not at the first ingest.
    pub fn add_beat(&self, name: &str, config: Option<&str>) -> Result<Beat> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CoreError::bad_input("beat", "name", "is empty"));
        }
        let config = config.unwrap_or("");
        let parsed = ingest::check_beat_config(config)?;
        let now = self.now();
        self.store.write(|tx| {
            if beats::find_by_name(tx, name)?.is_some() {
                return Err(CoreError::Invalid(format!(
                    "a beat named {name:?} already exists"
                )));
            }
            let id = beats::insert(tx, name, config, now)?;
            beatdesk_store::sources::replace_for_beat(tx, id, &parsed.to_source_rows(), now)?;
            Ok(beats::get(tx, id)?)
        })
    }

    pub fn beat(&self, name: &str) -> Result<Beat> {
        self.store
            .read(|c| beats::find_by_name(c, name))?
            .ok_or_else(|| CoreError::not_found("beat", format!("{name:?}")))
    }

    // ----- records -----

    /// Imports JSON Lines into a beat, then re-runs analysis.
    pub fn import_jsonl(
        &self,
        beat_name: &str,
        source_name: &str,
        text: &str,
    ) -> Result<ImportReport> {
        let beat = self.beat(beat_name)?;
        let now = self.now();
        timings::start();
        self.with_analyzer(beat.id, |tx, st| {
            let report = import::import_jsonl(tx, beat.id, source_name, text, now)?;
            timings::lap("import: store records");
            Self::analyze_new(tx, beat.id, now, st)?;
            Ok(report)
        })
    }

    /// Clusters what the beat received since its last pass (a full pass the
    /// first time, or when the stored stories changed meanwhile) and
    /// rewrites only the stories that changed. Blocking: front ends run it
    /// off their async threads.
    pub fn refresh_analysis(&self, beat_id: i64) -> Result<AnalysisReport> {
        let now = self.now();
        timings::start();
        self.with_analyzer(beat_id, |tx, st| Self::analyze_new(tx, beat_id, now, st))
    }

    pub(crate) fn analyze_new(
        tx: &beatdesk_store::Transaction,
        beat_id: i64,
        now: chrono::DateTime<chrono::Utc>,
        st: &mut Option<incremental::BeatState>,
    ) -> Result<AnalysisReport> {
        if let Some(state) = st.as_mut() {
            if let Some(report) = incremental::run(tx, beat_id, now, state)? {
                state.last = report.clone();
                return Ok(report);
            }
        }
        // A new process, or a state another process's commit made stale
        // (its own pass, or any commit on PostgreSQL): the last pass's
        // state rebuilt from the store, as long as its note still holds.
        *st = restore::load(tx, beat_id)?;
        timings::lap("restore: load");
        if let Some(state) = st.as_mut() {
            if let Some(report) = incremental::run(tx, beat_id, now, state)? {
                state.last = report.clone();
                return Ok(report);
            }
        }
        let (report, mut state) = analysis::run_with_state(tx, beat_id, now)?;
        timings::lap("full pass");
        state.last = report.clone();
        *st = Some(state);
        Ok(report)
    }

    /// What the beat's last pass after an ingest or import did (incremental
    /// or full), if one ran in this process.
    pub fn last_analysis(&self, beat_id: i64) -> Option<AnalysisReport> {
        let all = self.analyzers.lock().unwrap_or_else(|p| p.into_inner());
        all.get(&beat_id).map(|s| s.last.clone())
    }

    /// Runs `f` in one transaction with the beat's analyzer state; a failed
    /// transaction drops the state (it may hold what was rolled back).
    pub(crate) fn with_analyzer<T>(
        &self,
        beat_id: i64,
        f: impl FnOnce(&beatdesk_store::Transaction, &mut Option<incremental::BeatState>) -> Result<T>,
    ) -> Result<T> {
        let mut all = self.analyzers.lock().unwrap_or_else(|p| p.into_inner());
        let mut st = all.remove(&beat_id);
        let out = self.store.write(|tx| f(tx, &mut st));
        timings::lap("commit");
        if let (Ok(_), Some(st)) = (&out, st) {
            all.insert(beat_id, st);
        }
        out
    }

    pub fn records(&self, beat_name: &str) -> Result<Vec<Record>> {
        let beat = self.beat(beat_name)?;
        self.store.read(|c| Ok(records::list_for_beat(c, beat.id)?))
    }

    // ----- analysis and stories -----

    /// A full Analyze + Signal pass over the beat.
    pub fn analyze(&self, beat_name: &str) -> Result<AnalysisReport> {
        let beat = self.beat(beat_name)?;
        let now = self.now();
        self.store.write(|tx| analysis::run(tx, beat.id, now))
    }

    /// The beat's live stories, highest signal first.
    pub fn stories(&self, beat_name: &str) -> Result<Vec<StorySummary>> {
        let beat = self.beat(beat_name)?;
        self.stories_of(beat.id)
    }

    pub fn stories_of(&self, beat_id: i64) -> Result<Vec<StorySummary>> {
        self.store.read(|c| {
            let rows = stories::list_for_beat(c, beat_id)?;
            rows.into_iter().map(|r| views::summary(c, r)).collect()
        })
    }

    pub fn story(&self, story_id: i64) -> Result<StoryView> {
        self.store.read(|c| views::story_view(c, story_id))
    }

    /// A story's source list (without rendering the story).
    pub fn story_records(&self, story_id: i64) -> Result<Vec<beatdesk_types::StoryRecord>> {
        self.store.read(|c| {
            stories::get(c, story_id)?;
            views::story_records(c, story_id)
        })
    }

    /// The story as Markdown or HTML (the latest revision).
    pub fn render(&self, story_id: i64, html: bool) -> Result<String> {
        let draft = self.latest_draft(story_id)?;
        self.store.read(|c| export::render(c, &draft, html))
    }

    // ----- settings -----

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.store.read(|c| Ok(settings::get(c, key)?))
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.store
            .write(|tx| settings::set(tx, key, value).map_err(CoreError::from))
    }
}
