//! Model-backed writers: configured by name, keys from the keychain or
//! `BEATDESK_MODEL_<NAME>_API_KEY`, drafts through `beatdesk-llm`. A failed
//! draft writes no revision; it leaves a `draft_failed` entry in the audit
//! log with the model, the server's words and the raw reply.

use beatdesk_llm::{
    api_key_from_env, draft as llm_draft, ApiKey, DraftEvent, DraftOptions, LlmError, ModelConfig,
    ProviderPolicy, StoryEvidence,
};
use beatdesk_store::{audit, beats, drafts, settings, stories};
use beatdesk_types::{Draft, DraftAuthor, Platform};
use beatdesk_write::OFFLINE_WRITER_NAME;
use serde_json::json;

use crate::secrets::model_key;
use crate::{views, Beatdesk, CoreError, Result};

const SETTING_MODELS: &str = "models";

/// Cancels a running model draft from another task (the window's Cancel button).
pub use beatdesk_llm::CancellationToken;

pub(crate) fn llm_err(model: &str, e: LlmError) -> CoreError {
    CoreError::Model {
        model: model.to_string(),
        code: e.code(),
        message: e.to_string(),
    }
}

/// The beat's provider policy from its TOML: `[policy] local_only`, `allowed_hosts`.
pub fn beat_policy(config: &str) -> Result<ProviderPolicy> {
    let table: toml::Table = config.parse().map_err(|e: toml::de::Error| {
        CoreError::bad_input("beat configuration", "toml", e.to_string())
    })?;
    match table.get("policy") {
        None => Ok(ProviderPolicy::default()),
        Some(v) => v.clone().try_into().map_err(|e: toml::de::Error| {
            CoreError::bad_input("beat configuration", "policy", e.message().to_string())
        }),
    }
}

/// How much of a failed model reply the audit log keeps (bytes).
pub(crate) const MAX_AUDIT_REPLY: usize = 4096;

/// The first `max` bytes of `s` (on a char boundary), marked when cut.
pub(crate) fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [cut at {end} of {} bytes]", &s[..end], s.len())
}

/// What one model call needs: the model, its key, the story's evidence and the options with the beat's policy.
pub(crate) type ModelCall = (ModelConfig, Option<ApiKey>, StoryEvidence, DraftOptions);

impl Beatdesk {
    pub(crate) fn model_call(
        &self,
        story_id: i64,
        name: &str,
        cancel: Option<CancellationToken>,
    ) -> Result<ModelCall> {
        let cfg = self.model(name)?;
        let key = self.model_api_key(name)?;
        let (evidence, policy) = self.store.read(|c| {
            let story = stories::get(c, story_id)?;
            let beat = beats::get(c, story.beat_id)?;
            let records = views::story_records(c, story_id)?;
            Ok::<_, CoreError>((
                StoryEvidence::new(&beat.name, &story.title, story.top_terms.clone(), records),
                beat_policy(&beat.config)?,
            ))
        })?;
        Ok((
            cfg,
            key,
            evidence,
            DraftOptions {
                cancel,
                policy,
                ..DraftOptions::default()
            },
        ))
    }

    /// Keeps a failed model call on the story (audit log: model, server's words, raw reply) and returns the error.
    pub(crate) fn record_failure(
        &self,
        story_id: i64,
        writer: &str,
        now: chrono::DateTime<chrono::Utc>,
        e: LlmError,
    ) -> CoreError {
        // The audit log is undeletable: keep a bounded head of the reply and its length.
        let raw_len = e.raw_text().map(str::len);
        let raw = e.raw_text().map(|r| bounded(r, MAX_AUDIT_REPLY));
        let err = llm_err(writer, e);
        let message = bounded(&err.to_string(), MAX_AUDIT_REPLY);
        let detail = json!({ "writer": writer, "code": err.code(), "message": message, "raw_text": raw, "raw_text_bytes": raw_len });
        if let Err(store) = self.store.write(|tx| {
            audit::append(tx, now, writer, "draft_failed", Some(story_id), &detail)
                .map_err(CoreError::from)
        }) {
            return store;
        }
        err
    }

    pub fn models(&self) -> Result<Vec<ModelConfig>> {
        let raw = self.setting(SETTING_MODELS)?;
        match raw {
            None => Ok(Vec::new()),
            Some(s) => serde_json::from_str(&s)
                .map_err(|e| CoreError::Invalid(format!("stored model list is unreadable: {e}"))),
        }
    }

    /// Adds or replaces a model configuration (never its key: keys live in the keychain).
    pub fn add_model(&self, cfg: ModelConfig) -> Result<()> {
        cfg.validate()
            .map_err(|e| CoreError::bad_input("model", "configuration", e))?;
        if cfg.name == OFFLINE_WRITER_NAME {
            return Err(CoreError::bad_input(
                "model",
                "name",
                "\"offline\" is the built-in writer",
            ));
        }
        self.store.write(|tx| {
            let mut list: Vec<ModelConfig> = match settings::get(tx, SETTING_MODELS)? {
                Some(s) => serde_json::from_str(&s).unwrap_or_default(),
                None => Vec::new(),
            };
            list.retain(|m| m.name != cfg.name);
            list.push(cfg.clone());
            list.sort_by(|a, b| a.name.cmp(&b.name));
            settings::set(
                tx,
                SETTING_MODELS,
                &serde_json::to_string(&list).expect("models serialize"),
            )?;
            Ok(())
        })
    }

    pub fn model(&self, name: &str) -> Result<ModelConfig> {
        self.models()?.into_iter().find(|m| m.name == name).ok_or_else(|| {
            CoreError::bad_input("draft", "writer", format!("unknown writer {name:?}; add it with `beatdesk model add {name} …` or use offline"))
        })
    }

    pub(crate) fn model_api_key(&self, name: &str) -> Result<Option<ApiKey>> {
        if let Some(k) = api_key_from_env(name) {
            return Ok(Some(k));
        }
        Ok(self
            .secrets
            .get(&model_key(name))
            .map_err(|e| CoreError::Keychain(e.to_string()))?
            .map(ApiKey::new))
    }

    /// Drafts with a configured model. The editor's exclusions and weights
    /// reach the model; the beat's provider policy is enforced before sending.
    pub async fn draft_with_model(
        &self,
        story_id: i64,
        name: &str,
        cancel: Option<CancellationToken>,
        on_event: &(dyn Fn(DraftEvent) + Send + Sync),
    ) -> Result<Draft> {
        let (cfg, key, evidence, opts) = self.model_call(story_id, name, cancel)?;
        let now = self.now();
        // What the editor had when the draft started: landing on a newer one is a conflict.
        let started_from = self
            .store
            .read(|c| drafts::latest(c, story_id))?
            .map(|d| d.revision);
        let result = llm_draft(&cfg, key.as_ref(), &evidence, &opts, on_event).await;
        let md = match result {
            Ok(md) => md,
            Err(e) => return Err(self.record_failure(story_id, name, now, e)),
        };
        let sent: Vec<i64> = md.meta.citation_ids.values().copied().collect();
        let count = |p: Platform| {
            evidence
                .records
                .iter()
                .filter(|r| sent.contains(&r.record.id) && r.record.platform == p)
                .count()
        };
        let mut meta = serde_json::to_value(&md.meta).unwrap_or_else(|_| json!({}));
        meta["writer_label"] = json!(format!(
            "model {name} ({} {})",
            md.meta.provider, md.meta.model
        ));
        meta["records"] = json!(sent.len());
        meta["web_citations"] = json!(count(Platform::Web));
        meta["manual_sources"] = json!(count(Platform::Manual));
        let mut document = md.document;
        self.store.write(|tx| {
            let stub = Draft {
                id: 0,
                story_id,
                revision: 0,
                author: DraftAuthor::Writer(name.into()),
                created_at: now,
                document: document.clone(),
                meta: meta.clone(),
            };
            document.methodology = crate::export::methodology_for(tx, &stub)?;
            let latest = drafts::latest(tx, story_id)?.map(|d| d.revision);
            let conflict = conflict_meta(started_from, latest);
            if let Some(c) = &conflict {
                meta["conflict"] = c.clone();
            }
            let d = drafts::insert(
                tx,
                story_id,
                &DraftAuthor::Writer(name.into()),
                &document,
                &meta,
                now,
            )?;
            crate::verify::status_after_revision(tx, story_id, false, now)?;
            audit::append(
                tx,
                now,
                name,
                "draft",
                Some(story_id),
                &json!({ "revision": d.revision, "model": md.meta.model, "conflict": conflict }),
            )?;
            Ok(d)
        })
    }
}

/// A writer's revision that started from `started_from` but lands on `latest`:
/// kept, with the conflict in its meta and the audit log, never silently on top.
pub(crate) fn conflict_meta(
    started_from: Option<i64>,
    latest: Option<i64>,
) -> Option<serde_json::Value> {
    (started_from != latest).then(|| {
        json!({
            "started_from_revision": started_from,
            "latest_when_saved": latest,
            "message": format!(
                "written from revision {} while revision {} was saved: compare before signing off",
                started_from.map_or("none".to_string(), |r| r.to_string()),
                latest.map_or("none".to_string(), |r| r.to_string())
            ),
        })
    })
}

/// Where a local Ollama answers by default.
pub const LOCAL_OLLAMA: &str = "http://127.0.0.1:11434";

impl Beatdesk {
    /// Models of a local Ollama that answers at `base_url`, offered as writers
    /// (not yet added). Empty when nothing answers: that is the normal case.
    pub async fn local_ollama_offers(&self, base_url: &str) -> Vec<beatdesk_types::ModelInfo> {
        let Ok(found) =
            beatdesk_llm::probe_ollama(base_url, std::time::Duration::from_millis(800)).await
        else {
            return Vec::new();
        };
        let have: Vec<String> = self
            .models()
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.model)
            .collect();
        found
            .iter()
            .filter(|m| !have.contains(&m.name))
            .map(|m| {
                let name = format!("ollama-{}", m.name.split(':').next().unwrap_or(&m.name));
                let cfg = beatdesk_llm::ollama_config(&name, base_url, m);
                beatdesk_types::ModelInfo {
                    name,
                    kind: "ollama".into(),
                    base_url: cfg.base_url,
                    model: cfg.model,
                    context_tokens: cfg.context_tokens,
                    has_key: true,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{bounded, MAX_AUDIT_REPLY};

    #[test]
    fn a_failed_reply_kept_in_the_audit_log_is_bounded_and_says_so() {
        let reply = "é".repeat(MAX_AUDIT_REPLY);
        let kept = bounded(&reply, MAX_AUDIT_REPLY);
        assert!(kept.len() < MAX_AUDIT_REPLY + 64, "{}", kept.len());
        assert!(
            kept.ends_with(&format!("of {} bytes]", reply.len())),
            "{}",
            &kept[kept.len() - 40..]
        );
        assert_eq!(bounded("short", MAX_AUDIT_REPLY), "short");
    }
}
