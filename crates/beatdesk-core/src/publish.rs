//! Sending a signed-off story to a target (WordPress, Ghost, a webhook) and
//! writing it as an IPTC ninjs file.
//!
//! Only an approved story's signed revision (`signoffs.draft_id`) goes to a
//! CMS. Re-export updates the post remembered from the last success; an
//! unchanged story answers `none`. Every attempt — sent, unchanged or failed —
//! is a new `target_exports` row plus an audit entry, in one transaction.

use std::collections::HashMap;
use std::path::Path;

use beatdesk_cms::{ninjs, Action, Event, Post, Remote, RetryPolicy, TargetKind};
use beatdesk_store::targets::{self, Attempt, TargetRow};
use beatdesk_store::{audit, drafts, exports, settings, signoffs, stories, Connection};
use beatdesk_types::{Draft, ExportOutcome, ExportPlan, ExportRecord, StoryStatus, TargetExport};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{export, Beatdesk, CoreError, Result};

const INSTALL_ID: &str = "install_id";

/// What the editor chose for this export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// `draft`, `pending`, `publish`…; the target kind's default when `None`.
    pub status: Option<String>,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    /// Timeouts and retries; tests shorten them.
    pub policy: Option<RetryPolicy>,
}

/// Everything an export needs, read in one go.
struct Prepared {
    row: TargetRow,
    kind: TargetKind,
    draft: Draft,
    post: Post,
    prior: Option<Attempt>,
    hash: String,
    action: Action,
    signed_off_by: String,
}

impl Beatdesk {
    /// What `export_to_target` would send, without sending anything.
    pub fn plan_export(
        &self,
        story_id: i64,
        target: &str,
        opts: &ExportOptions,
    ) -> Result<ExportPlan> {
        let p = self.prepare(story_id, target, opts)?;
        Ok(plan_of(&p))
    }

    /// Sends the story's signed revision to a target, creating or updating its post.
    pub async fn export_to_target(
        &self,
        story_id: i64,
        target: &str,
        opts: &ExportOptions,
        actor: &str,
    ) -> Result<ExportOutcome> {
        let p = self.prepare(story_id, target, opts)?;
        let now = self.now();
        let mut attempt = Attempt {
            target_id: p.row.id,
            story_id,
            draft_id: p.draft.id,
            content_hash: p.hash.clone(),
            event: Some(p.post.event.as_str().to_string()),
            status: Some(p.post.status.clone()),
            actor: actor.to_string(),
            created_at: now,
            ..Default::default()
        };
        if p.action == Action::None {
            let prior = p.prior.as_ref().expect("none implies a prior export");
            attempt.action = "none".into();
            attempt.remote_id = prior.remote_id.clone();
            attempt.url = prior.url.clone();
            attempt.remote_updated_at = prior.remote_updated_at.clone();
            attempt.status = prior.status.clone();
            self.store.write(|tx| {
                targets::record_attempt(tx, &attempt)?;
                audit::append(tx, now, actor, "export", Some(story_id), &json!({ "target": p.row.name, "action": "none", "revision": p.draft.revision, "remote_id": prior.remote_id }))?;
                Ok::<_, CoreError>(())
            })?;
            return Ok(outcome(
                &p,
                Action::None,
                prior.remote_id.clone(),
                prior.url.clone(),
                prior.status.clone().unwrap_or_default(),
                false,
            ));
        }
        let policy = opts.policy.clone().unwrap_or_default();
        let result = async {
            let target = self.open_target(&p.row, policy)?;
            let prior_remote = p.prior.as_ref().and_then(|a| {
                a.remote_id.as_ref().map(|id| Remote {
                    id: id.clone(),
                    url: a.url.clone(),
                    updated_at: a.remote_updated_at.clone(),
                })
            });
            Ok::<_, CoreError>(target.publish(&p.post, prior_remote.as_ref()).await?)
        }
        .await;
        let now = self.now();
        attempt.created_at = now;
        match result {
            Ok(done) => {
                attempt.action = done.action.as_str().into();
                attempt.remote_id = Some(done.remote.id.clone());
                attempt.url = done.remote.url.clone();
                attempt.remote_updated_at = done.remote.updated_at.clone();
                attempt.status = Some(done.status.clone());
                self.store.write(|tx| {
                    targets::record_attempt(tx, &attempt)?;
                    let location = done.remote.url.clone().unwrap_or_else(|| format!("{}:{}", p.row.name, done.remote.id));
                    exports::insert(tx, story_id, p.draft.id, &p.row.name, Some(&location), now)?;
                    let story = stories::get(tx, story_id)?;
                    // A signed correction that went out is exported again.
                    if matches!(story.status, StoryStatus::Approved | StoryStatus::Corrected) {
                        stories::set_status(tx, story_id, StoryStatus::Exported, now)?;
                    }
                    audit::append(tx, now, actor, "export", Some(story_id), &json!({
                        "target": p.row.name, "kind": p.kind.as_str(), "action": done.action.as_str(),
                        "remote_id": done.remote.id, "url": done.remote.url, "revision": p.draft.revision,
                        "status": done.status, "event": p.post.event.as_str(), "recovered": done.recovered,
                    }))?;
                    Ok::<_, CoreError>(())
                })?;
                Ok(outcome(
                    &p,
                    done.action,
                    Some(done.remote.id),
                    done.remote.url,
                    done.status,
                    done.recovered,
                ))
            }
            Err(e) => {
                attempt.action = "failed".into();
                attempt.error_code = Some(e.code().to_string());
                attempt.error = Some(e.to_string());
                if let Some(prior) = &p.prior {
                    attempt.remote_id = prior.remote_id.clone();
                }
                self.store.write(|tx| {
                    targets::record_attempt(tx, &attempt)?;
                    audit::append(tx, now, actor, "export_failed", Some(story_id), &json!({
                        "target": p.row.name, "revision": p.draft.revision, "code": e.code(), "message": e.to_string(),
                    }))?;
                    Ok::<_, CoreError>(())
                })?;
                Err(e)
            }
        }
    }

    /// Every export attempt of a story to a target, newest first (History).
    pub fn target_exports(&self, story_id: i64) -> Result<Vec<TargetExport>> {
        let rows = self.store.read(|c| targets::history(c, story_id))?;
        Ok(rows
            .into_iter()
            .map(|a| TargetExport {
                id: a.id,
                target: a.target,
                kind: a.kind,
                story_id: a.story_id,
                revision: a.revision,
                action: a.action,
                remote_id: a.remote_id,
                url: a.url,
                status: a.status,
                event: a.event,
                error: a.error,
                actor: a.actor,
                created_at: a.created_at,
            })
            .collect())
    }

    /// The story as an IPTC ninjs 2.2 document: the signed revision when the
    /// story is approved, else the latest revision marked `withheld`.
    pub fn ninjs(&self, story_id: i64) -> Result<serde_json::Value> {
        self.store.read(|c| {
            let (draft, signed) = match signed_revision(c, story_id) {
                Ok((d, editor)) => (d, Some(editor)),
                Err(_) => (
                    drafts::latest(c, story_id)?.ok_or_else(|| {
                        CoreError::Invalid(format!("story {story_id} has no draft yet"))
                    })?,
                    None,
                ),
            };
            let spiked = stories::get(c, story_id)?.status == StoryStatus::Spiked;
            ninjs_for(c, &draft, signed.as_deref(), spiked)
        })
    }

    /// Writes the ninjs document to `out` (whole or not at all) and records the export.
    pub fn export_ninjs(
        &self,
        story_id: i64,
        out: &Path,
        actor: &str,
    ) -> Result<(String, ExportRecord)> {
        let doc = self.ninjs(story_id)?;
        let text = serde_json::to_string_pretty(&doc).expect("JSON value serializes") + "\n";
        let tmp = out.with_extension("beatdesk-tmp");
        std::fs::write(&tmp, &text).map_err(|error| CoreError::Io {
            path: tmp.display().to_string(),
            error,
        })?;
        std::fs::rename(&tmp, out).map_err(|error| CoreError::Io {
            path: out.display().to_string(),
            error,
        })?;
        let revision: i64 = doc["version"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let now = self.now();
        let location = out.display().to_string();
        let rec = self.store.write(|tx| {
            let draft = drafts::history(tx, story_id)?
                .into_iter()
                .find(|d| d.revision == revision)
                .ok_or_else(|| CoreError::not_found("revision", revision))?;
            let rec = exports::insert(tx, story_id, draft.id, "ninjs", Some(&location), now)?;
            audit::append(tx, now, actor, "export", Some(story_id), &json!({ "revision": revision, "format": "ninjs", "location": location, "pubstatus": doc["pubstatus"] }))?;
            Ok::<_, CoreError>(rec)
        })?;
        Ok((text, rec))
    }

    fn install_id(&self) -> Result<String> {
        if let Some(id) = self.store.read(|c| settings::get(c, INSTALL_ID))? {
            return Ok(id);
        }
        // Random enough to tell installs apart in a shared CMS; not a secret.
        let seed = format!(
            "{:?}{}{:?}",
            std::time::SystemTime::now(),
            std::process::id(),
            self.home()
        );
        let id = hex::encode(&Sha256::digest(seed.as_bytes())[..6]);
        self.store.write(|tx| {
            if let Some(existing) = settings::get(tx, INSTALL_ID)? {
                return Ok::<_, CoreError>(existing);
            }
            settings::set(tx, INSTALL_ID, &id)?;
            Ok(id)
        })
    }

    fn prepare(&self, story_id: i64, target: &str, opts: &ExportOptions) -> Result<Prepared> {
        let row = self.target_row(target)?;
        let kind = TargetKind::parse(&row.kind).ok_or_else(|| {
            CoreError::Invalid(format!("target {}: unknown kind {:?}", row.name, row.kind))
        })?;
        let install = self.install_id()?;
        let status_choice = opts
            .status
            .as_deref()
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty());
        self.store.read(|c| {
            let story = stories::get(c, story_id)?;
            let prior = targets::last_success(c, story_id, row.id)?;
            let spiked = story.status == StoryStatus::Spiked;
            if spiked && prior.is_none() {
                return Err(CoreError::Invalid(format!(
                    "story {story_id} is spiked and was never sent to {}: there is nothing to withdraw",
                    row.name
                )));
            }
            let (draft, editor) = signed_revision(c, story_id)?;
            let event = if spiked {
                Event::Spiked
            } else if prior.as_ref().is_some_and(|a| a.draft_id != draft.id) {
                Event::Corrected
            } else {
                Event::Approved
            };
            // Spiking withdraws the post: back to a draft on the CMS.
            let status = match (spiked, kind) {
                (true, TargetKind::Webhook) => "spiked".to_string(),
                (true, _) => "draft".to_string(),
                (false, _) => status_choice.clone().unwrap_or_else(|| kind.default_status().to_string()),
            };
            let html = export::render_context_html(c, &draft, &HashMap::new())?;
            let doc = ninjs_for(c, &draft, Some(&editor), spiked)?;
            let marker = format!("{install}-s{story_id}");
            let excerpt = Some(draft.document.dek.trim().to_string()).filter(|d| !d.is_empty());
            let hash = {
                let mut h = Sha256::new();
                let basis = json!({
                    "title": draft.document.headline, "excerpt": excerpt, "html": html,
                    "tags": opts.tags, "categories": opts.categories, "status": status, "event": event.as_str(),
                });
                h.update(basis.to_string().as_bytes());
                hex::encode(h.finalize())
            };
            let post = Post {
                title: draft.document.headline.clone(),
                excerpt,
                html,
                tags: opts.tags.clone(),
                categories: opts.categories.clone(),
                status,
                marker: marker.clone(),
                event,
                ninjs: doc,
                delivery_id: format!("msg_{marker}_r{}_{}_{}", draft.revision, event.as_str(), &hash[..12]),
            };
            let action = match &prior {
                Some(a) if a.content_hash == hash => Action::None,
                Some(_) => Action::Update,
                None => Action::Create,
            };
            Ok(Prepared { row: row.clone(), kind, draft, post, prior, hash, action, signed_off_by: editor })
        })
    }
}

/// The story's signed revision and who signed it. Refused unless the story is
/// approved (or exported, corrected, or spiked after export) and the latest
/// sign-off is on the latest revision: that second check is the real guard.
fn signed_revision(c: &Connection, story_id: i64) -> Result<(Draft, String)> {
    let story = stories::get(c, story_id)?;
    let allowed = matches!(
        story.status,
        StoryStatus::Approved
            | StoryStatus::Exported
            | StoryStatus::Corrected
            | StoryStatus::Spiked
    );
    let signoff = signoffs::list(c, story_id)?.into_iter().next();
    let latest = drafts::latest(c, story_id)?;
    match (allowed, signoff, latest) {
        (true, Some(s), Some(latest)) if s.draft_id == latest.id => Ok((drafts::get(c, s.draft_id)?, s.editor)),
        (_, Some(s), Some(latest)) if s.draft_id != latest.id => Err(CoreError::Invalid(format!(
            "story {story_id}: revision {} is not signed off (the sign-off is on revision {}); sign off before sending it to a CMS",
            latest.revision, s.revision
        ))),
        _ => Err(CoreError::Invalid(format!(
            "story {story_id} is {}: only an approved story's signed revision goes to a CMS; sign it off first",
            story.status.as_str()
        ))),
    }
}

fn ninjs_for(
    c: &Connection,
    draft: &Draft,
    signed_by: Option<&str>,
    spiked: bool,
) -> Result<serde_json::Value> {
    let story = stories::get(c, draft.story_id)?;
    let install: String = settings::get(c, INSTALL_ID)?.unwrap_or_else(|| "local".into());
    let html = export::render_context_html(c, draft, &HashMap::new())?;
    let methodology = export::methodology_for(c, draft)?;
    let words = draft
        .document
        .paragraphs()
        .map(|p| p.text.split_whitespace().count())
        .sum::<usize>();
    let sources = export::cited_records(c, draft, &HashMap::new())?
        .into_iter()
        .map(|r| ninjs::SourceRef {
            uri: r.url,
            title: r.title,
            author: r.author,
            platform: r.platform.as_str().to_string(),
            outlet: r.community,
            published_at: r.published_at,
        })
        .collect();
    let meta = &draft.meta;
    let writer = meta.get("writer").and_then(|v| v.as_str()).unwrap_or("");
    let model_assisted = meta.get("provider").is_some()
        || meta.get("model").is_some()
        || (!writer.is_empty() && !writer.contains("offline"));
    Ok(ninjs::document(&ninjs::Story {
        uri: format!("urn:beatdesk:{install}:story:{}", draft.story_id),
        revision: draft.revision,
        headline: draft.document.headline.clone(),
        dek: Some(draft.document.dek.clone()),
        body_html: html,
        body_text_words: words,
        first_created: story.created_at,
        version_created: draft.created_at,
        approved: signed_by.is_some() && !spiked,
        spiked,
        by: signed_by
            .map(str::to_string)
            .unwrap_or_else(|| "Beatdesk".into()),
        model_assisted,
        methodology,
        language: "en".into(),
        sources,
    }))
}

fn plan_of(p: &Prepared) -> ExportPlan {
    ExportPlan {
        target: p.row.name.clone(),
        kind: p.kind.as_str().into(),
        action: p.action.as_str().into(),
        remote_id: p.prior.as_ref().and_then(|a| a.remote_id.clone()),
        url: p.prior.as_ref().and_then(|a| a.url.clone()),
        story_id: p.draft.story_id,
        revision: p.draft.revision,
        status: p.post.status.clone(),
        event: p.post.event.as_str().into(),
        signed_off_by: p.signed_off_by.clone(),
        title: p.post.title.clone(),
        excerpt: p.post.excerpt.clone(),
        body_html: p.post.html.clone(),
        tags: p.post.tags.clone(),
        categories: p.post.categories.clone(),
    }
}

fn outcome(
    p: &Prepared,
    action: Action,
    remote_id: Option<String>,
    url: Option<String>,
    status: String,
    recovered: bool,
) -> ExportOutcome {
    ExportOutcome {
        target: p.row.name.clone(),
        kind: p.kind.as_str().into(),
        action: action.as_str().into(),
        remote_id,
        url,
        revision: p.draft.revision,
        status,
        recovered,
    }
}
