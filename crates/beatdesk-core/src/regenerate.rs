//! Regenerating one part of a story — a section or the FAQ — while keeping
//! the rest of the editor's document as it is.

use beatdesk_llm::{regenerate_faq, regenerate_section, DraftEvent};
use beatdesk_store::{audit, drafts};
use beatdesk_types::{Draft, DraftAuthor};
use beatdesk_write::OFFLINE_WRITER_NAME;
use serde_json::json;

use crate::models::CancellationToken;
use crate::{review, Beatdesk, CoreError, Result};

/// Which part of the story to write again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Section(usize),
    Faq,
}

impl Part {
    fn label(self) -> String {
        match self {
            Part::Section(i) => format!("section {}", i + 1),
            Part::Faq => "faq".into(),
        }
    }
}

impl Beatdesk {
    pub async fn regenerate(
        &self,
        story_id: i64,
        writer: &str,
        part: Part,
        cancel: Option<CancellationToken>,
        on_event: &(dyn Fn(DraftEvent) + Send + Sync),
    ) -> Result<Draft> {
        let current = self.latest_draft(story_id)?;
        if let Part::Section(i) = part {
            if i >= current.document.sections.len() {
                return Err(CoreError::bad_input(
                    "regenerate",
                    "section",
                    format!(
                        "story {story_id} has {} sections",
                        current.document.sections.len()
                    ),
                ));
            }
        }
        let now = self.now();
        let mut document = current.document.clone();
        let mut meta = current.meta.clone();
        if writer == OFFLINE_WRITER_NAME {
            // The offline writer is deterministic: a fresh draft from the
            // current sources, of which only the asked-for part is kept.
            let fresh = self
                .store
                .write(|tx| review::offline_document(tx, story_id))?;
            match part {
                Part::Section(i) => match fresh.sections.get(i) {
                    Some(s) => document.sections[i] = s.clone(),
                    None => {
                        return Err(CoreError::Invalid(format!(
                            "the offline writer has no {} for the current sources",
                            part.label()
                        )))
                    }
                },
                Part::Faq => document.faq = fresh.faq,
            }
        } else {
            let (cfg, key, evidence, opts) = self.model_call(story_id, writer, cancel)?;
            let call_meta = match part {
                Part::Section(i) => {
                    let s = regenerate_section(
                        &cfg,
                        key.as_ref(),
                        &evidence,
                        &document,
                        i,
                        &opts,
                        on_event,
                    )
                    .await
                    .map_err(|e| self.record_failure(story_id, writer, now, e))?;
                    document.sections[i] = s.section;
                    s.meta
                }
                Part::Faq => {
                    let f =
                        regenerate_faq(&cfg, key.as_ref(), &evidence, &document, &opts, on_event)
                            .await
                            .map_err(|e| self.record_failure(story_id, writer, now, e))?;
                    document.faq = f.faq;
                    f.meta
                }
            };
            let call = serde_json::to_value(&call_meta).unwrap_or_default();
            // The usage figures describe this call; the record counts stay the draft's.
            for k in [
                "provider",
                "model",
                "host",
                "prompt_hash",
                "prompt_tokens",
                "completion_tokens",
                "cached_tokens",
                "cache_hit_rate",
                "cost_usd",
                "latency_ms",
            ] {
                meta[k] = call.get(k).cloned().unwrap_or(serde_json::Value::Null);
            }
        }
        meta["regenerated"] =
            json!({ "part": part.label(), "writer": writer, "from_revision": current.revision });
        let mut meta = meta;
        self.store.write(|tx| {
            let latest = drafts::latest(tx, story_id)?.map(|d| d.revision);
            // A newer revision landed meanwhile: keep this one, with the conflict visible.
            let conflict = crate::models::conflict_meta(Some(current.revision), latest);
            if let Some(c) = &conflict {
                meta["conflict"] = c.clone();
            }
            let d = drafts::insert(
                tx,
                story_id,
                &DraftAuthor::Writer(writer.into()),
                &document,
                &meta,
                now,
            )?;
            audit::append(
                tx,
                now,
                writer,
                "regenerate",
                Some(story_id),
                &json!({ "revision": d.revision, "part": part.label(), "conflict": conflict }),
            )?;
            crate::verify::status_after_revision(tx, story_id, false, now)?;
            Ok(d)
        })
    }
}
