//! The public entry points: draft a whole story (one call, or outline + one
//! call per section when the evidence exceeds the budget), regenerate one
//! section or the FAQ, and preview the prompt without sending it.

use std::time::{Duration, Instant};

use beatdesk_types::StoryDocument;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::client::{model_label, Caller, Reply};
use crate::config::ModelConfig;
use crate::error::LlmError;
use crate::evidence::{Packed, Prepared, StoryEvidence};
use crate::meta::{DraftMeta, MetaInput};
use crate::policy::{is_loopback_host, ApiKey, ProviderPolicy};
use crate::prompt::{self, CallSpec, Story};
use crate::text::estimate_tokens;
use crate::validate::{self, IdMap};

/// Default prompt budget: a 20-record story must fit an 8k local model.
pub const DEFAULT_MAX_PROMPT_TOKENS: usize = 6000;

/// How to run a draft.
#[derive(Debug, Clone)]
pub struct DraftOptions {
    /// Stream the reply (deltas reach `on_event`). Default true.
    pub stream: bool,
    /// Wall-clock limit for the whole draft, retries included. Default 10 min.
    pub timeout: Duration,
    pub cancel: Option<CancellationToken>,
    /// The beat's policy; checked before anything is sent.
    pub policy: ProviderPolicy,
    /// Prompt budget per call (estimated tokens); also capped by the model's context.
    pub max_prompt_tokens: usize,
    pub max_retries: u32,
    /// First backoff when the server gives no `retry-after`; doubles, with jitter.
    pub retry_base: Duration,
    /// A longer `retry-after` than this fails the call instead of waiting.
    pub max_retry_wait: Duration,
    /// Outline + one call per section even when one call would fit.
    pub force_outline: bool,
}

impl Default for DraftOptions {
    fn default() -> Self {
        DraftOptions {
            stream: true,
            timeout: Duration::from_secs(600),
            cancel: None,
            policy: ProviderPolicy::default(),
            max_prompt_tokens: DEFAULT_MAX_PROMPT_TOKENS,
            max_retries: 3,
            retry_base: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(60),
            force_outline: false,
        }
    }
}

/// Progress for the UI. On `Retrying`, discard the partial text of that call.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DraftEvent {
    CallStarted {
        label: String,
    },
    Delta {
        label: String,
        text: String,
    },
    Retrying {
        label: String,
        attempt: u32,
        wait_ms: u64,
        reason: String,
    },
    Shrinking {
        label: String,
        reason: String,
        evidence_budget: usize,
    },
    CallFinished {
        label: String,
        prompt_tokens: Option<u64>,
        completion_tokens: Option<u64>,
    },
}

pub type OnEvent<'a> = &'a (dyn Fn(DraftEvent) + Send + Sync);

/// A drafted story: citations are record ids, methodology is left empty.
#[derive(Debug, Clone)]
pub struct ModelDraft {
    pub document: StoryDocument,
    pub meta: DraftMeta,
    /// The model's reply text (every call's, separated by blank lines).
    pub raw_text: String,
}

pub(crate) fn check(
    cfg: &ModelConfig,
    key: Option<&ApiKey>,
    opts: &DraftOptions,
) -> Result<(), LlmError> {
    cfg.validate().map_err(LlmError::Config)?;
    opts.policy
        .check(cfg)
        .map_err(|reason| LlmError::PolicyRefused { reason })?;
    let host = cfg.host().unwrap_or_default();
    if key.is_some() && cfg.base().starts_with("http://") && !is_loopback_host(&host) {
        return Err(LlmError::Config(format!(
            "refusing to send the API key of model '{}' over plain http to {host}; use https",
            cfg.name
        )));
    }
    Ok(())
}

/// Estimated prompt tokens of a call.
pub(crate) fn tokens(spec: &CallSpec) -> usize {
    estimate_tokens(&spec.system) + estimate_tokens(&spec.user) + 8
}

/// The evidence budget of a call whose prompt without records is `spec_empty`.
pub(crate) fn evidence_budget(
    cfg: &ModelConfig,
    opts: &DraftOptions,
    spec_empty: &CallSpec,
    n: usize,
) -> usize {
    let window = (cfg.context() as usize).saturating_sub(cfg.max_output() as usize + 256);
    opts.max_prompt_tokens
        .min(window)
        .saturating_sub(tokens(spec_empty) + 2 * n)
}

pub(crate) fn empty() -> Packed {
    Packed {
        blocks: Vec::new(),
        tokens: 0,
    }
}

/// Runs one call built by `make(budget)`; on a context overflow shrinks the
/// budget from what the server said and tries once more.
pub(crate) async fn call_shrinking(
    c: &mut Caller<'_>,
    budget: &mut usize,
    shrunk: &mut bool,
    calls: &mut Vec<CallSpec>,
    make: &(dyn Fn(usize) -> CallSpec + Send + Sync),
) -> Result<(CallSpec, Reply), LlmError> {
    let spec = make(*budget);
    match c.call(&spec).await {
        Ok(r) => {
            calls.push(spec.clone());
            Ok((spec, r))
        }
        Err(LlmError::ContextOverflow {
            message,
            prompt_tokens,
            limit,
            ..
        }) if !*shrunk => {
            let est = tokens(&spec) as f64;
            let factor = match (prompt_tokens, limit) {
                (Some(p), Some(l)) if p > 0 => {
                    let room = l.saturating_sub(c.cfg.max_output() as u64 + 256) as f64;
                    (room / p as f64).clamp(0.2, 0.9)
                }
                _ => 0.6,
            };
            // The largest evidence budget whose prompt fits the target.
            let target = (est * factor) as usize;
            let (mut lo, mut hi) = (0usize, *budget);
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if tokens(&make(mid)) <= target {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            *budget = lo;
            *shrunk = true;
            c.emit(DraftEvent::Shrinking {
                label: spec.label.clone(),
                reason: message,
                evidence_budget: *budget,
            });
            let spec = make(*budget);
            let r = c.call(&spec).await?;
            calls.push(spec.clone());
            Ok((spec, r))
        }
        Err(e) => Err(e),
    }
}

pub(crate) fn invalid(cfg: &ModelConfig, reply: &Reply, reason: String) -> LlmError {
    let reason = if reply.truncated {
        format!(
            "{reason} (the reply stopped at the {}-token output limit)",
            cfg.max_output()
        )
    } else {
        reason
    };
    LlmError::InvalidReply {
        model: model_label(cfg),
        reason,
        raw: reply.text.clone(),
    }
}

pub(crate) struct Run<'a> {
    pub(crate) cfg: &'a ModelConfig,
    pub(crate) ev: &'a StoryEvidence,
    pub(crate) p: Prepared<'a>,
    pub(crate) start: Instant,
    pub(crate) calls: Vec<CallSpec>,
    pub(crate) shrunk: bool,
    pub(crate) budget: usize,
}

impl<'a> Run<'a> {
    pub(crate) fn new(
        cfg: &'a ModelConfig,
        key: Option<&ApiKey>,
        ev: &'a StoryEvidence,
        opts: &DraftOptions,
    ) -> Result<Run<'a>, LlmError> {
        check(cfg, key, opts)?;
        let p = Prepared::new(ev);
        if p.sources.is_empty() {
            return Err(LlmError::NoEvidence);
        }
        let empty_call = prompt::document_call(&p, Story::of(ev), &empty());
        let budget = evidence_budget(cfg, opts, &empty_call, p.sources.len());
        Ok(Run {
            cfg,
            ev,
            p,
            start: Instant::now(),
            calls: Vec::new(),
            shrunk: false,
            budget,
        })
    }

    pub(crate) fn ids<'s>(
        &'s self,
        allowed: &'s [String],
        f: &'s dyn Fn(&str) -> Option<i64>,
    ) -> IdMap<'s> {
        IdMap {
            allowed,
            to_record: f,
        }
    }

    pub(crate) fn meta(&self, c: &Caller, mode: &str) -> DraftMeta {
        let refs: Vec<&CallSpec> = self.calls.iter().collect();
        DraftMeta::build(MetaInput {
            cfg: self.cfg,
            prepared: &self.p,
            stats: &c.stats,
            mode,
            prompt_hash: prompt::prompt_hash(&refs),
            estimated_prompt_tokens: self.calls.iter().map(tokens).sum(),
            evidence_budget: self.budget,
            shrunk: self.shrunk,
            latency_ms: self.start.elapsed().as_millis() as u64,
        })
    }
}

/// Drafts a whole story. Excluded records are never sent; weights become
/// importance; citations come back as record ids.
pub async fn draft(
    cfg: &ModelConfig,
    api_key: Option<&ApiKey>,
    evidence: &StoryEvidence,
    opts: &DraftOptions,
    on_event: OnEvent<'_>,
) -> Result<ModelDraft, LlmError> {
    let mut run = Run::new(cfg, api_key, evidence, opts)?;
    let mut c = Caller::new(cfg, api_key, opts, on_event)?;
    let ev = evidence;
    let to_record = |r: &str| run.p.record_id(r);
    let outline = opts.force_outline || run.p.min_tokens() > run.budget;
    if !outline {
        let mut budget = run.budget;
        let p = &run.p;
        let make =
            |b: usize| prompt::document_call(p, Story::of(ev), &p.pack(&ev.top_terms, b, None));
        let (mut calls, mut shrunk) = (Vec::new(), false);
        let (spec, reply) =
            call_shrinking(&mut c, &mut budget, &mut shrunk, &mut calls, &make).await?;
        let doc = validate::document(&reply.text, &run.ids(&spec.ids, &to_record))
            .map_err(|e| invalid(cfg, &reply, e))?;
        let (calls, raw) = (calls, reply.text);
        run.calls = calls;
        run.shrunk = shrunk;
        run.budget = budget;
        return Ok(ModelDraft {
            document: doc,
            meta: run.meta(&c, "single"),
            raw_text: raw,
        });
    }
    draft_outlined(&mut run, &mut c).await
}

async fn draft_outlined(run: &mut Run<'_>, c: &mut Caller<'_>) -> Result<ModelDraft, LlmError> {
    let ev = run.ev;
    let p = &run.p;
    let (mut budget, mut shrunk, mut calls, mut raw) = (run.budget, false, Vec::new(), Vec::new());
    let to_record = |r: &str| p.record_id(r);
    let compact = |b: usize| p.pack(&ev.top_terms, b.min(p.sources.len() * 90), None);
    // 1. The outline, from compact records.
    let make = |b: usize| prompt::outline_call(p, Story::of(ev), &compact(b));
    let (spec, reply) = call_shrinking(c, &mut budget, &mut shrunk, &mut calls, &make).await?;
    raw.push(reply.text.clone());
    let plan = validate::outline(
        &reply.text,
        &IdMap {
            allowed: &spec.ids,
            to_record: &to_record,
        },
    )
    .map_err(|e| invalid(run.cfg, &reply, e))?;
    let plan_text = prompt::plan_text(&plan.headline, &plan.dek, &plan.sections);
    // 2. One call per section, with only its records.
    let mut sections = Vec::new();
    for (i, (heading, rids)) in plan.sections.iter().enumerate() {
        let only: Option<&[String]> = if rids.is_empty() { None } else { Some(rids) };
        let make = |b: usize| {
            let packed = p.pack(
                &ev.top_terms,
                b.saturating_sub(estimate_tokens(&plan_text)),
                only,
            );
            prompt::section_call(Story::of(ev), &plan_text, heading, i, &packed)
        };
        let (spec, reply) = call_shrinking(c, &mut budget, &mut shrunk, &mut calls, &make).await?;
        raw.push(reply.text.clone());
        let s = validate::section(
            &reply.text,
            &IdMap {
                allowed: &spec.ids,
                to_record: &to_record,
            },
        )
        .map_err(|e| invalid(run.cfg, &reply, format!("section {}: {e}", i + 1)))?;
        sections.push(s);
    }
    // 3. The recap and FAQ, from compact records.
    let make = |b: usize| {
        let packed = compact(b.saturating_sub(estimate_tokens(&plan_text)));
        prompt::tail_call(p, Story::of(ev), &plan_text, &packed, false)
    };
    let (spec, reply) = call_shrinking(c, &mut budget, &mut shrunk, &mut calls, &make).await?;
    raw.push(reply.text.clone());
    let (story_so_far, faq) = validate::tail(
        &reply.text,
        &IdMap {
            allowed: &spec.ids,
            to_record: &to_record,
        },
    )
    .map_err(|e| invalid(run.cfg, &reply, e))?;
    let document = StoryDocument {
        headline: plan.headline,
        dek: plan.dek,
        sections,
        story_so_far,
        faq,
        methodology: String::new(),
    };
    run.calls = calls;
    run.shrunk = shrunk;
    run.budget = budget;
    Ok(ModelDraft {
        document,
        meta: run.meta(c, "outline"),
        raw_text: raw.join("\n\n"),
    })
}
