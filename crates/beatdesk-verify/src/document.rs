//! A whole story document, part by part, into a `VerifyReport`.

use beatdesk_types::{
    CheckKind, CheckStatus, Claim, ClaimLocation, ClaimPart, StoryDocument, VerifyReport,
    VerifySummary,
};

use crate::check::{Scope, Verifier};
use crate::sentences;

impl Verifier {
    /// Checks every sentence of `doc`. Headline and dek cite nothing: they are
    /// checked against every valid record the document cites.
    pub fn check_document(
        &self,
        story_id: i64,
        revision: i64,
        doc: &StoryDocument,
    ) -> VerifyReport {
        let all_cited: Vec<i64> = doc
            .cited_ids()
            .into_iter()
            .filter(|id| self.has_record(*id))
            .collect();
        let mut claims = Vec::new();
        let mut push = |part: ClaimPart,
                        section: Option<u32>,
                        paragraph: Option<u32>,
                        text: &str,
                        scope: &Scope| {
            for (k, s) in sentences::split(text).into_iter().enumerate() {
                let checks = self.check_sentence(&s, scope);
                let status = checks
                    .iter()
                    .map(|c| c.status)
                    .max()
                    .unwrap_or(CheckStatus::Pass);
                claims.push(Claim {
                    location: ClaimLocation {
                        part,
                        section,
                        paragraph,
                        sentence: k as u32,
                    },
                    text: s,
                    status,
                    checks,
                });
            }
        };
        let top = Scope {
            cites: &all_cited,
            needs_citation: false,
            support: false,
        };
        push(ClaimPart::Headline, None, None, &doc.headline, &top);
        push(ClaimPart::Dek, None, None, &doc.dek, &top);
        for (i, sec) in doc.sections.iter().enumerate() {
            for (j, p) in sec.paragraphs.iter().enumerate() {
                let scope = Scope {
                    cites: &p.citations,
                    needs_citation: true,
                    support: true,
                };
                push(
                    ClaimPart::Section,
                    Some(i as u32),
                    Some(j as u32),
                    &p.text,
                    &scope,
                );
            }
        }
        for (j, p) in doc.story_so_far.iter().enumerate() {
            let scope = Scope {
                cites: &p.citations,
                needs_citation: true,
                support: true,
            };
            push(ClaimPart::StorySoFar, None, Some(j as u32), &p.text, &scope);
        }
        for (j, f) in doc.faq.iter().enumerate() {
            let scope = Scope {
                cites: &f.citations,
                needs_citation: true,
                support: true,
            };
            push(ClaimPart::Faq, None, Some(j as u32), &f.a, &scope);
        }
        let summary = summarize(&claims);
        VerifyReport {
            story_id,
            revision,
            summary,
            claims,
        }
    }
}

fn summarize(claims: &[Claim]) -> VerifySummary {
    let mut s = VerifySummary {
        claims: claims.len() as u32,
        ..Default::default()
    };
    let (mut body, mut cited) = (0u32, 0u32);
    for c in claims {
        match c.status {
            CheckStatus::Pass => s.pass += 1,
            CheckStatus::Warn => s.warn += 1,
            CheckStatus::Fail => s.fail += 1,
        }
        if !matches!(c.location.part, ClaimPart::Headline | ClaimPart::Dek) {
            body += 1;
            if c.checks
                .iter()
                .any(|k| k.kind == CheckKind::Citation && k.status == CheckStatus::Pass)
            {
                cited += 1;
            }
        }
        for k in &c.checks {
            let ok = k.status == CheckStatus::Pass;
            match k.kind {
                CheckKind::Quote => {
                    s.quotes_checked += 1;
                    s.quotes_ok += u32::from(ok);
                }
                CheckKind::Number => {
                    s.numbers_checked += 1;
                    s.numbers_ok += u32::from(ok);
                }
                _ => {}
            }
        }
    }
    s.citation_coverage = if body == 0 {
        1.0
    } else {
        f64::from(cited) / f64::from(body)
    };
    s
}
