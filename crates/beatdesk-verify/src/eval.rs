//! Evaluation on a claim set in the claims-dev format (`sources.json`,
//! `cases.json`): one verdict per case, recall per edit kind, false alarms.

use std::collections::BTreeMap;

use beatdesk_types::CheckStatus;
use serde::Deserialize;

use crate::check::{Scope, SourceDoc, Verifier};

#[derive(Debug, Deserialize)]
pub struct Case {
    pub id: String,
    pub kind: String,
    pub text: String,
    pub cites: Vec<String>,
    pub expect: String,
}

#[derive(Debug, Deserialize)]
struct Source {
    text: String,
}

/// A set loaded from a folder: the verifier over its sources, and its cases.
pub struct ClaimSet {
    pub verifier: Verifier,
    ids: BTreeMap<String, i64>,
    pub cases: Vec<Case>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path}: {error}")]
    Json {
        path: String,
        error: serde_json::Error,
    },
    #[error("{path}: case {case}: field `cites`: unknown source {source_id}")]
    UnknownSource {
        path: String,
        case: String,
        source_id: String,
    },
}

fn read<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, EvalError> {
    let p = path.display().to_string();
    let s = std::fs::read_to_string(path).map_err(|error| EvalError::Io {
        path: p.clone(),
        error,
    })?;
    serde_json::from_str(&s).map_err(|error| EvalError::Json { path: p, error })
}

impl ClaimSet {
    pub fn load(dir: &std::path::Path) -> Result<ClaimSet, EvalError> {
        let sources: BTreeMap<String, Source> = read(&dir.join("sources.json"))?;
        let cases: Vec<Case> = read(&dir.join("cases.json"))?;
        let mut ids = BTreeMap::new();
        let mut docs = Vec::new();
        for (i, (name, s)) in sources.into_iter().enumerate() {
            let id = i as i64 + 1;
            ids.insert(name.clone(), id);
            docs.push(SourceDoc {
                id,
                included: true,
                title: String::new(),
                text: s.text,
                author: name,
                platform: String::new(),
                facts: Vec::new(),
                published: None,
            });
        }
        for c in &cases {
            for s in &c.cites {
                if !ids.contains_key(s) {
                    return Err(EvalError::UnknownSource {
                        path: dir.join("cases.json").display().to_string(),
                        case: c.id.clone(),
                        source_id: s.clone(),
                    });
                }
            }
        }
        Ok(ClaimSet {
            verifier: Verifier::new(docs),
            ids,
            cases,
        })
    }

    /// The checker's verdict on one case, and the details of its non-pass checks.
    pub fn verdict(&self, c: &Case) -> (CheckStatus, Vec<String>) {
        let cites: Vec<i64> = c.cites.iter().map(|s| self.ids[s]).collect();
        let checks = self.verifier.check_sentence(
            &c.text,
            &Scope {
                cites: &cites,
                needs_citation: true,
                support: true,
            },
        );
        let status = checks
            .iter()
            .map(|k| k.status)
            .max()
            .unwrap_or(CheckStatus::Pass);
        let notes = checks
            .iter()
            .filter(|k| k.status != CheckStatus::Pass)
            .map(|k| format!("{:?} {}: {}", k.kind, k.status.as_str(), k.detail))
            .collect();
        (status, notes)
    }
}

/// Recall per mutated kind, false alarms and warn rate on clean cases.
#[derive(Debug, Default)]
pub struct Score {
    pub per_kind: BTreeMap<String, (usize, usize)>,
    pub clean: usize,
    pub clean_fail: usize,
    pub clean_warn: usize,
}

pub fn score(cases: &[Case], verdicts: &[CheckStatus]) -> Score {
    let mut s = Score::default();
    for (c, v) in cases.iter().zip(verdicts) {
        if c.kind == "clean" {
            s.clean += 1;
            s.clean_fail += usize::from(*v == CheckStatus::Fail);
            s.clean_warn += usize::from(*v == CheckStatus::Warn);
            continue;
        }
        let ok = c.expect.split('|').any(|e| e == v.as_str());
        let hit = if c.kind == "derived" {
            ok
        } else {
            ok && *v != CheckStatus::Pass
        };
        let e = s.per_kind.entry(c.kind.clone()).or_default();
        e.0 += usize::from(hit);
        e.1 += 1;
    }
    s
}
