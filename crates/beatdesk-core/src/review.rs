//! Write, Review and Export operations on one story. Every change is one
//! transaction that also appends to the audit log.

use std::path::Path;

use beatdesk_store::{audit, drafts, exports, records, stories, Transaction};
use beatdesk_types::{
    AuditEntry, DocumentEdit, Draft, DraftAuthor, ExportFormat, ExportRecord, Platform,
    RecordStatus, StoryDocument, StoryStatus, StoryView,
};
use beatdesk_write::{EvidenceRecord, OfflineWriter, StoryEvidence, OFFLINE_WRITER_NAME};
use serde_json::json;

use crate::{export, views, Beatdesk, CoreError, Result};

pub(crate) fn editor_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CoreError::bad_input(
            "sign-off",
            "editor",
            "an editor's name is required",
        ));
    }
    if name.chars().count() > 120 {
        return Err(CoreError::bad_input(
            "sign-off",
            "editor",
            "is longer than 120 characters",
        ));
    }
    Ok(name.to_string())
}

impl Beatdesk {
    pub fn latest_draft(&self, story_id: i64) -> Result<Draft> {
        self.store.read(|c| {
            stories::get(c, story_id)?;
            drafts::latest(c, story_id)?.ok_or_else(|| {
                CoreError::Invalid(format!(
                    "story {story_id} has no draft yet; run `beatdesk draft {story_id}`"
                ))
            })
        })
    }

    /// Drafts a new revision with the offline writer. Model writers go
    /// through `draft_with_model`.
    pub fn draft(&self, story_id: i64, writer: &str) -> Result<Draft> {
        if writer != OFFLINE_WRITER_NAME {
            // Names the configured models, or says how to add one.
            self.model(writer)?;
            return Err(CoreError::Invalid(format!(
                "{writer:?} is a model writer: it drafts asynchronously"
            )));
        }
        let now = self.now();
        self.store.write(|tx| draft_offline(tx, story_id, now))
    }

    /// Saves an editor's edit as a new revision.
    pub fn save_document(&self, story_id: i64, edit: &DocumentEdit) -> Result<StoryView> {
        let editor = editor_name(&edit.editor)?;
        if edit.document.headline.trim().is_empty() {
            return Err(CoreError::bad_input("edit", "headline", "is empty"));
        }
        let now = self.now();
        self.store.write(|tx| {
            let latest = drafts::latest(tx, story_id)?
                .ok_or_else(|| CoreError::Invalid(format!("story {story_id} has no draft to edit")))?;
            if latest.revision != edit.base_revision {
                return Err(CoreError::Stale(format!(
                    "story {story_id} changed since you opened it (now revision {}, you edited {}); reload and edit again",
                    latest.revision, edit.base_revision
                )));
            }
            if latest.document == edit.document {
                return Ok(());
            }
            crate::verify::check_citations(tx, story_id, &edit.document)?;
            let mut meta = latest.meta.clone();
            let mut editors: Vec<String> = meta
                .get("edited_by")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            if !editors.contains(&editor) {
                editors.push(editor.clone());
            }
            meta["edited_by"] = json!(editors);
            meta["based_on_revision"] = json!(latest.revision);
            let d = drafts::insert(tx, story_id, &DraftAuthor::Editor(editor.clone()), &edit.document, &meta, now)?;
            crate::verify::status_after_revision(tx, story_id, true, now)?;
            audit::append(tx, now, &editor, "edit", Some(story_id), &json!({ "revision": d.revision, "based_on": latest.revision }))?;
            Ok(())
        })?;
        self.story(story_id)
    }

    /// The editor's include/exclude toggle (and weight) for one source.
    pub fn set_record_included(
        &self,
        story_id: i64,
        record_id: i64,
        included: bool,
        weight: f64,
        editor: &str,
    ) -> Result<StoryView> {
        let editor = editor_name(editor)?;
        if !(0.0..=10.0).contains(&weight) || weight.is_nan() {
            return Err(CoreError::bad_input(
                "source",
                "weight",
                "must be between 0 and 10",
            ));
        }
        let now = self.now();
        let beat_id = self
            .store
            .read(|c| Ok::<_, CoreError>(stories::get(c, story_id)?.beat_id))?;
        // The story's signal (and the single-sourced flag the methodology
        // line reads from it) stops counting an excluded record at once.
        self.with_analyzer(beat_id, |tx, st| {
            stories::set_link(tx, story_id, record_id, included, weight)?;
            Self::analyze_new(tx, beat_id, now, st)?;
            if let Some(state) = st.as_mut() {
                crate::restore::resignal(tx, beat_id, now, state, &[story_id])?;
            }
            let action = if included {
                "include_source"
            } else {
                "exclude_source"
            };
            audit::append(
                tx,
                now,
                &editor,
                action,
                Some(story_id),
                &json!({ "record_id": record_id, "weight": weight }),
            )?;
            Ok::<_, CoreError>(())
        })?;
        self.story(story_id)
    }

    /// Renders the latest revision and, with `out`, writes it to that file.
    /// Returns the rendered text and the stored export record.
    pub fn export(
        &self,
        story_id: i64,
        format: ExportFormat,
        out: Option<&Path>,
        actor: &str,
    ) -> Result<(String, ExportRecord)> {
        let draft = self.latest_draft(story_id)?;
        let now = self.now();
        let text = self.store.read(|c| {
            let body = export::render(c, &draft, format == ExportFormat::Html)?;
            Ok::<_, CoreError>(match format {
                ExportFormat::Html => export::html_page(&draft.document.headline, &body),
                ExportFormat::Markdown => body,
            })
        })?;
        let location = match out {
            Some(path) => {
                // Write to a temporary file and rename: an export is never half-written.
                let tmp = path.with_extension("beatdesk-tmp");
                std::fs::write(&tmp, &text).map_err(|error| CoreError::Io {
                    path: tmp.display().to_string(),
                    error,
                })?;
                std::fs::rename(&tmp, path).map_err(|error| CoreError::Io {
                    path: path.display().to_string(),
                    error,
                })?;
                Some(path.display().to_string())
            }
            None => None,
        };
        let rec = self.store.write(|tx| {
            let rec = exports::insert(tx, story_id, draft.id, format.as_str(), location.as_deref(), now)?;
            let story = stories::get(tx, story_id)?;
            if story.status == StoryStatus::Approved {
                stories::set_status(tx, story_id, StoryStatus::Exported, now)?;
            }
            audit::append(tx, now, actor, "export", Some(story_id), &json!({ "revision": draft.revision, "format": format.as_str(), "location": location }))?;
            Ok::<_, CoreError>(rec)
        })?;
        Ok((text, rec))
    }

    pub fn audit(&self, story_id: Option<i64>) -> Result<Vec<AuditEntry>> {
        self.store.read(|c| Ok(audit::list(c, story_id)?))
    }
}

/// The offline writer's document for a story's current sources, and its facts.
pub(crate) fn offline_document(tx: &Transaction, story_id: i64) -> Result<StoryDocument> {
    Ok(offline_draft_parts(tx, story_id)?.0)
}

fn offline_draft_parts(
    tx: &Transaction,
    story_id: i64,
) -> Result<(StoryDocument, serde_json::Value)> {
    let story = stories::get(tx, story_id)?;
    let beat = beatdesk_store::beats::get(tx, story.beat_id)?;
    let mut evidence = Vec::new();
    for sr in views::story_records(tx, story_id)? {
        if sr.included && sr.record.status == RecordStatus::Kept {
            evidence.push(EvidenceRecord {
                record: sr.record,
                weight: sr.weight,
            });
        }
    }
    let ev = StoryEvidence {
        beat_name: beat.name,
        story_title: story.title.clone(),
        top_terms: story.top_terms.clone(),
        records: evidence,
    };
    let document = OfflineWriter.draft(&ev)?;
    let meta = json!({
        "writer": "offline writer",
        "records": ev.records.len(),
        "web_citations": ev.records.iter().filter(|r| r.record.platform == Platform::Web).count(),
        "manual_sources": ev.records.iter().filter(|r| r.record.platform == Platform::Manual).count(),
    });
    Ok((document, meta))
}

/// Drafts with the offline writer inside the caller's transaction.
pub(crate) fn draft_offline(
    tx: &Transaction,
    story_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Draft> {
    let (document, meta) = offline_draft_parts(tx, story_id)?;
    let d = drafts::insert(
        tx,
        story_id,
        &DraftAuthor::Writer(OFFLINE_WRITER_NAME.into()),
        &document,
        &meta,
        now,
    )?;
    crate::verify::status_after_revision(tx, story_id, false, now)?;
    audit::append(
        tx,
        now,
        OFFLINE_WRITER_NAME,
        "draft",
        Some(story_id),
        &json!({ "revision": d.revision }),
    )?;
    // Keep record ids honest: a document must only cite records the story holds.
    debug_assert!(document
        .cited_ids()
        .iter()
        .all(|id| records::get(tx, *id).is_ok()));
    Ok(d)
}
