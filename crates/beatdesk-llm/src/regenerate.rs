//! Regenerating one section or the FAQ of an existing story, and previewing
//! the prompt a draft would send.

use beatdesk_types::{FaqItem, Section, StoryDocument};
use serde::Serialize;

use crate::client::Caller;
use crate::config::ModelConfig;
use crate::draft::{call_shrinking, invalid, tokens, DraftOptions, OnEvent, Run};
use crate::error::LlmError;
use crate::evidence::StoryEvidence;
use crate::meta::DraftMeta;
use crate::policy::ApiKey;
use crate::prompt::{self, Story};
use crate::text::estimate_tokens;
use crate::validate::{self, IdMap};

#[derive(Debug, Clone)]
pub struct ModelSection {
    pub section: Section,
    pub meta: DraftMeta,
    pub raw_text: String,
}

#[derive(Debug, Clone)]
pub struct ModelFaq {
    pub faq: Vec<FaqItem>,
    pub meta: DraftMeta,
    pub raw_text: String,
}

/// What would be sent, without sending it (CLI `--dry-run`, measurements).
#[derive(Debug, Clone, Serialize)]
pub struct PromptPreview {
    pub mode: String,
    pub system: String,
    pub user: String,
    pub schema: serde_json::Value,
    pub estimated_prompt_tokens: usize,
    pub stable_prefix_bytes: usize,
    pub stable_prefix_tokens: usize,
    pub evidence_budget: usize,
    pub records_sent: usize,
}

/// Rewrites section `index` of `current` from all the story's records; the
/// rest of the story is given as context and kept by the caller.
pub async fn regenerate_section(
    cfg: &ModelConfig,
    api_key: Option<&ApiKey>,
    evidence: &StoryEvidence,
    current: &StoryDocument,
    index: usize,
    opts: &DraftOptions,
    on_event: OnEvent<'_>,
) -> Result<ModelSection, LlmError> {
    let heading = current
        .sections
        .get(index)
        .map(|s| s.heading.clone())
        .ok_or_else(|| LlmError::Config(format!("the story has no section {}", index + 1)))?;
    let mut run = Run::new(cfg, api_key, evidence, opts)?;
    let mut c = Caller::new(cfg, api_key, opts, on_event)?;
    let (ev, p) = (evidence, &run.p);
    let context = prompt::story_context(current, p);
    let (mut budget, mut shrunk, mut calls) = (run.budget, false, Vec::new());
    let make = |b: usize| {
        let packed = p.pack(
            &ev.top_terms,
            b.saturating_sub(estimate_tokens(&context)),
            None,
        );
        prompt::regenerate_section_call(p, Story::of(ev), &context, &heading, index, &packed)
    };
    let (spec, reply) = call_shrinking(&mut c, &mut budget, &mut shrunk, &mut calls, &make).await?;
    let to_record = |r: &str| p.record_id(r);
    let section = validate::section(
        &reply.text,
        &IdMap {
            allowed: &spec.ids,
            to_record: &to_record,
        },
    )
    .map_err(|e| invalid(cfg, &reply, e))?;
    run.calls = calls;
    run.shrunk = shrunk;
    run.budget = budget;
    Ok(ModelSection {
        section,
        meta: run.meta(&c, "section"),
        raw_text: reply.text,
    })
}

/// Rewrites the FAQ of `current` alone.
pub async fn regenerate_faq(
    cfg: &ModelConfig,
    api_key: Option<&ApiKey>,
    evidence: &StoryEvidence,
    current: &StoryDocument,
    opts: &DraftOptions,
    on_event: OnEvent<'_>,
) -> Result<ModelFaq, LlmError> {
    let mut run = Run::new(cfg, api_key, evidence, opts)?;
    let mut c = Caller::new(cfg, api_key, opts, on_event)?;
    let (ev, p) = (evidence, &run.p);
    let context = prompt::story_context(current, p);
    let (mut budget, mut shrunk, mut calls) = (run.budget, false, Vec::new());
    let make = |b: usize| {
        let packed = p.pack(
            &ev.top_terms,
            b.saturating_sub(estimate_tokens(&context)),
            None,
        );
        prompt::tail_call(p, Story::of(ev), &context, &packed, true)
    };
    let (spec, reply) = call_shrinking(&mut c, &mut budget, &mut shrunk, &mut calls, &make).await?;
    let to_record = |r: &str| p.record_id(r);
    let faq = validate::faq(
        &reply.text,
        &IdMap {
            allowed: &spec.ids,
            to_record: &to_record,
        },
    )
    .map_err(|e| invalid(cfg, &reply, e))?;
    run.calls = calls;
    run.shrunk = shrunk;
    run.budget = budget;
    Ok(ModelFaq {
        faq,
        meta: run.meta(&c, "faq"),
        raw_text: reply.text,
    })
}

/// The first prompt a draft would send, and its measurements. Sends nothing.
pub fn preview(
    cfg: &ModelConfig,
    evidence: &StoryEvidence,
    opts: &DraftOptions,
) -> Result<PromptPreview, LlmError> {
    let run = Run::new(cfg, None, evidence, opts)?;
    let (p, ev) = (&run.p, evidence);
    let outline = opts.force_outline || p.min_tokens() > run.budget;
    let spec = if outline {
        prompt::outline_call(
            p,
            Story::of(ev),
            &p.pack(&ev.top_terms, run.budget.min(p.sources.len() * 90), None),
        )
    } else {
        prompt::document_call(p, Story::of(ev), &p.pack(&ev.top_terms, run.budget, None))
    };
    let sys = prompt::system_prompt();
    Ok(PromptPreview {
        mode: if outline { "outline" } else { "single" }.into(),
        estimated_prompt_tokens: tokens(&spec),
        stable_prefix_bytes: sys.len(),
        stable_prefix_tokens: estimate_tokens(&sys),
        evidence_budget: run.budget,
        records_sent: p.sources.len(),
        schema: spec.schema(),
        system: spec.system,
        user: spec.user,
    })
}
