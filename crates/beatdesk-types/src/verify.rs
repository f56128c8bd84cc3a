//! Verify: what the claim checker found, claim by claim. `beatdesk verify
//! --json` prints a `VerifyReport` as is, so its shape is a contract.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which part of the story document a claim is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ClaimPart {
    Headline,
    Dek,
    Section,
    StorySoFar,
    Faq,
}

/// Where a claim is: zero-based section, paragraph (or FAQ item) and sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClaimLocation {
    pub part: ClaimPart,
    pub section: Option<u32>,
    pub paragraph: Option<u32>,
    pub sentence: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
        }
    }
}

/// Citations, quotes and numbers are hard checks (they fail); names and
/// support only warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum CheckKind {
    Citation,
    Quote,
    Number,
    Name,
    Support,
}

/// A span of a record that backs (or comes closest to) a check. Offsets are
/// in Unicode scalar values (`Array.from(s)` in TypeScript) into the record's
/// title, a blank line (`"\n\n"`), then its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Evidence {
    #[ts(type = "number")]
    pub record_id: i64,
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Check {
    pub kind: CheckKind,
    pub status: CheckStatus,
    /// What was checked and what was found, in one sentence for the editor.
    pub detail: String,
    pub evidence: Option<Evidence>,
}

/// One sentence of the story and its checks; `status` is the worst of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Claim {
    pub location: ClaimLocation,
    pub text: String,
    pub status: CheckStatus,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifySummary {
    pub claims: u32,
    pub pass: u32,
    pub warn: u32,
    pub fail: u32,
    /// Share of body sentences (sections, story so far, FAQ) with a valid citation, 0–1.
    pub citation_coverage: f64,
    pub quotes_checked: u32,
    pub quotes_ok: u32,
    pub numbers_checked: u32,
    pub numbers_ok: u32,
}

/// Every claim of one revision, checked against the records it cites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyReport {
    #[ts(type = "number")]
    pub story_id: i64,
    #[ts(type = "number")]
    pub revision: i64,
    pub summary: VerifySummary,
    pub claims: Vec<Claim>,
}

impl VerifyReport {
    /// The failed checks, one line each ("section 1 ¶2 s1: quote: …"), for
    /// refusing a sign-off and for the audit log.
    pub fn hard_failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.claims {
            for k in c.checks.iter().filter(|k| k.status == CheckStatus::Fail) {
                out.push(format!(
                    "{}: {}: {}",
                    c.location.label(),
                    serde_json::to_value(k.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    k.detail
                ));
            }
        }
        out
    }
}

impl ClaimLocation {
    /// "headline", "section 2 ¶1 sentence 3", "FAQ 2 sentence 1" (one-based).
    pub fn label(&self) -> String {
        let s = self.sentence + 1;
        match self.part {
            ClaimPart::Headline => "headline".into(),
            ClaimPart::Dek => format!("dek sentence {s}"),
            ClaimPart::Section => format!(
                "section {} ¶{} sentence {s}",
                self.section.unwrap_or(0) + 1,
                self.paragraph.unwrap_or(0) + 1
            ),
            ClaimPart::StorySoFar => {
                format!(
                    "story so far ¶{} sentence {s}",
                    self.paragraph.unwrap_or(0) + 1
                )
            }
            ClaimPart::Faq => format!("FAQ {} sentence {s}", self.paragraph.unwrap_or(0) + 1),
        }
    }
}

/// A sign-off request: the revision the editor read, and a reason when they
/// sign off over hard failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SignOffRequest {
    pub editor: String,
    pub note: Option<String>,
    #[ts(type = "number")]
    pub revision: i64,
    pub override_reason: Option<String>,
}
