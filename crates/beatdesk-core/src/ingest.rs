//! Ingest through the facade: a beat's configured sources (Reddit, Bluesky,
//! feeds and the web pages they cite) and reporters' manual sources. Every
//! run is followed by a full Analyze + Signal pass.

use std::sync::OnceLock;

use beatdesk_ingest::config::SourceConfig;
use beatdesk_ingest::ingest::{IngestOptions, IngestReport, SourceProgress};
use beatdesk_ingest::{add_manual, ingest_beat_with, BeatConfig, Http, HttpOptions, ManualAdded};
use beatdesk_store::{audit, beats, sources, stories};
use beatdesk_types::{IngestProgress, IngestSummary, SourceInfo, SourceRun};
use serde_json::json;

use crate::{analysis, Beatdesk, CoreError, Result};

/// Where a reporter's manual source goes.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceTarget {
    Beat(String),
    Story(i64),
}

fn ingest_err(e: beatdesk_ingest::IngestError) -> CoreError {
    match e {
        beatdesk_ingest::IngestError::Config {
            location,
            field,
            problem,
        } => CoreError::BadInput {
            source_name: location,
            field,
            problem,
        },
        other => CoreError::Invalid(other.to_string()),
    }
}

/// Checks a beat's TOML the way ingest and the writers will read it.
pub fn check_beat_config(config: &str) -> Result<BeatConfig> {
    let cfg = BeatConfig::parse(config).map_err(ingest_err)?;
    crate::models::beat_policy(config)?;
    Ok(cfg)
}

pub fn summary(r: &IngestReport) -> IngestSummary {
    IngestSummary {
        beat_id: r.beat_id,
        new_records: r.new_records() as i64,
        errors: r.errors.clone(),
        sources: r
            .sources
            .iter()
            .map(|s| SourceRun {
                source_id: s.source_id,
                label: s.label.clone(),
                skipped: s.skipped,
                not_modified: s.not_modified,
                fetched: s.fetched as i64,
                new: s.new as i64,
                updated: s.updated as i64,
                duplicates: s.duplicates as i64,
                rejected: s.rejected as i64,
                rejected_reasons: s
                    .rejected_reasons
                    .iter()
                    .map(|(k, v)| (k.clone(), *v as i64))
                    .collect(),
                duplicate_reasons: s
                    .duplicate_reasons
                    .iter()
                    .map(|(k, v)| (k.clone(), *v as i64))
                    .collect(),
                web_citations: s.web.new as i64,
                errors: s
                    .errors
                    .iter()
                    .chain(s.web.errors.iter())
                    .cloned()
                    .collect(),
            })
            .collect(),
    }
}

pub fn progress(beat_id: i64, p: &SourceProgress) -> IngestProgress {
    let base = |source_id: i64, phase: &str| IngestProgress {
        beat_id,
        source_id,
        phase: phase.into(),
        label: String::new(),
        fraction: None,
        ok: None,
        last_error: None,
    };
    match p {
        SourceProgress::Started { source_id, label } => IngestProgress {
            label: label.clone(),
            fraction: Some(0.0),
            ..base(*source_id, "started")
        },
        SourceProgress::Page {
            source_id,
            fetched,
            limit,
            ..
        } => IngestProgress {
            fraction: (*limit > 0).then(|| (*fetched as f64 / *limit as f64).min(0.9)),
            ..base(*source_id, "page")
        },
        SourceProgress::Citations { source_id, .. } => IngestProgress {
            fraction: Some(0.9),
            ..base(*source_id, "citations")
        },
        SourceProgress::Finished {
            source_id,
            ok,
            last_error,
        } => IngestProgress {
            fraction: Some(1.0),
            ok: Some(*ok),
            last_error: last_error.clone(),
            ..base(*source_id, "finished")
        },
    }
}

impl Beatdesk {
    /// One HTTP client for every source: descriptive User-Agent, proxies from
    /// the environment, capped sizes and waits.
    pub fn http(&self) -> Result<&Http> {
        static HTTP: OnceLock<Http> = OnceLock::new();
        if let Some(h) = HTTP.get() {
            return Ok(h);
        }
        let h = Http::new(HttpOptions::default()).map_err(ingest_err)?;
        Ok(HTTP.get_or_init(|| h))
    }

    /// Replaces a beat's configuration after checking it; sources follow it.
    pub fn set_beat_config(&self, beat_id: i64, config: &str) -> Result<()> {
        let cfg = check_beat_config(config)?;
        let now = self.now();
        self.store.write(|tx| {
            beats::set_config(tx, beat_id, config)?;
            sources::replace_for_beat(tx, beat_id, &cfg.to_source_rows(), now)?;
            audit::append(
                tx,
                now,
                "settings",
                "beat_config",
                None,
                &json!({ "beat_id": beat_id }),
            )?;
            Ok(())
        })
    }

    /// A beat's sources with their fetch state.
    pub fn sources(&self, beat_id: i64) -> Result<Vec<SourceInfo>> {
        let rows = self.store.read(|c| sources::list_for_beat(c, beat_id))?;
        Ok(rows
            .into_iter()
            .map(|r| SourceInfo {
                id: r.id,
                label: SourceConfig::from_params(&r.kind, &r.params)
                    .map(|s| s.label())
                    .unwrap_or_else(|_| r.kind.clone()),
                kind: r.kind,
                last_fetch_at: r.last_fetch_at,
                next_check_at: r.next_check_at,
                error_count: r.error_count,
                last_error: r.last_error,
            })
            .collect())
    }

    /// Fetches the beat's due sources (all of them with `force`), then re-analyzes.
    pub async fn ingest(
        &self,
        beat_id: i64,
        force: bool,
        on_progress: &(dyn Fn(IngestProgress) + Send + Sync),
    ) -> Result<IngestSummary> {
        let beat = self.store.read(|c| beats::get(c, beat_id))?;
        let cfg = check_beat_config(&beat.config)?;
        let now = self.now();
        let opts = IngestOptions {
            force,
            ..IngestOptions::default()
        };
        let report = ingest_beat_with(
            &self.store,
            beat.id,
            &cfg,
            self.http()?,
            self.secrets.as_ref(),
            now,
            &opts,
            |p| on_progress(progress(beat.id, &p)),
        )
        .await;
        self.store.write(|tx| analysis::run(tx, beat.id, now))?;
        Ok(summary(&report))
    }

    /// Adds a reporter's source by URL (fetched and extracted) or pasted text.
    pub async fn add_source(
        &self,
        target: &SourceTarget,
        url_or_text: &str,
        note: Option<&str>,
        by: &str,
    ) -> Result<ManualAdded> {
        let (beat_id, story_id) = match target {
            SourceTarget::Beat(name) => (self.beat(name)?.id, None),
            SourceTarget::Story(id) => (
                self.store.read(|c| stories::get(c, *id))?.beat_id,
                Some(*id),
            ),
        };
        if url_or_text.trim().is_empty() {
            return Err(CoreError::bad_input(
                "manual source",
                "url or text",
                "is empty",
            ));
        }
        let now = self.now();
        let added = add_manual(
            &self.store,
            beat_id,
            story_id,
            url_or_text,
            note,
            by,
            self.http()?,
            now,
        )
        .await
        .map_err(ingest_err)?;
        self.store.write(|tx| analysis::run(tx, beat_id, now))?;
        Ok(added)
    }
}
