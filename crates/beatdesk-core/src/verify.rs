//! Verify and sign-off: a story's revision checked claim by claim against
//! the records it cites, and a sign-off that means exactly the revision the
//! editor read, refused over hard failures unless the editor gives a reason.

use beatdesk_store::{audit, drafts, signoffs, stories, Connection};
use beatdesk_types::{
    Draft, RecordStatus, SignOff, SignOffRequest, StoryDocument, StoryStatus, VerifyReport,
};
use beatdesk_verify::{SourceDoc, Verifier};
use serde_json::json;

use crate::{views, Beatdesk, CoreError, Result};

/// The longest override reason kept (it goes into the audit log and the export).
const MAX_REASON: usize = 500;

/// A verifier over the story's records: included ones can be cited; the
/// others are known so a citation of them is named as excluded.
pub(crate) fn verifier(conn: &Connection, story_id: i64) -> Result<Verifier> {
    let docs = views::story_records(conn, story_id)?
        .iter()
        .map(|sr| {
            SourceDoc::from_record(
                &sr.record,
                sr.included && sr.record.status == RecordStatus::Kept,
            )
        })
        .collect();
    Ok(Verifier::new(docs))
}

pub(crate) fn verify_draft(conn: &Connection, draft: &Draft) -> Result<VerifyReport> {
    Ok(verifier(conn, draft.story_id)?.check_document(
        draft.story_id,
        draft.revision,
        &draft.document,
    ))
}

/// Sets the status a new revision leaves the story in: a signed-off story
/// goes back to review, an exported one is a correction in waiting.
pub(crate) fn status_after_revision(
    conn: &Connection,
    story_id: i64,
    by_editor: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<StoryStatus> {
    let current = stories::get(conn, story_id)?.status;
    let next = match current {
        StoryStatus::Approved | StoryStatus::InReview => StoryStatus::InReview,
        StoryStatus::Exported | StoryStatus::Corrected => StoryStatus::Corrected,
        StoryStatus::Spiked => StoryStatus::Spiked,
        StoryStatus::Candidate | StoryStatus::Drafted if by_editor => StoryStatus::InReview,
        StoryStatus::Candidate | StoryStatus::Drafted => StoryStatus::Drafted,
    };
    stories::set_status(conn, story_id, next, now)?;
    Ok(next)
}

/// Every cited id of an edited document must be an included record of the story.
pub(crate) fn check_citations(conn: &Connection, story_id: i64, doc: &StoryDocument) -> Result<()> {
    let records = views::story_records(conn, story_id)?;
    let mut problems = Vec::new();
    let mut check = |where_: String, ids: &[i64]| {
        for id in ids {
            match records.iter().find(|r| r.record.id == *id) {
                None => problems.push(format!(
                    "{where_} cites record {id}, which is not a source of story {story_id}"
                )),
                Some(r) if !r.included => problems.push(format!(
                    "{where_} cites record {id}, which is excluded from story {story_id}"
                )),
                Some(_) => {}
            }
        }
    };
    for (i, s) in doc.sections.iter().enumerate() {
        for (j, p) in s.paragraphs.iter().enumerate() {
            check(
                format!("section {} paragraph {}", i + 1, j + 1),
                &p.citations,
            );
        }
    }
    for (j, p) in doc.story_so_far.iter().enumerate() {
        check(format!("story so far item {}", j + 1), &p.citations);
    }
    for (j, f) in doc.faq.iter().enumerate() {
        check(format!("FAQ {}", j + 1), &f.citations);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CoreError::bad_input(
            "edit",
            "citations",
            problems.join("; "),
        ))
    }
}

impl Beatdesk {
    /// Checks one revision (the latest without `revision`).
    pub fn verify(&self, story_id: i64, revision: Option<i64>) -> Result<VerifyReport> {
        self.store.read(|c| {
            stories::get(c, story_id)?;
            let draft = match revision {
                Some(n) => drafts::by_revision(c, story_id, n)?.ok_or_else(|| {
                    CoreError::not_found("revision", format!("{n} of story {story_id}"))
                })?,
                None => drafts::latest(c, story_id)?.ok_or_else(|| {
                    CoreError::Invalid(format!(
                        "story {story_id} has no draft yet; run `beatdesk draft {story_id}`"
                    ))
                })?,
            };
            verify_draft(c, &draft)
        })
    }

    /// Checks a document that is not saved yet (the window's edit mode).
    pub fn verify_document(&self, story_id: i64, document: &StoryDocument) -> Result<VerifyReport> {
        self.store.read(|c| {
            let revision = drafts::latest(c, story_id)?
                .map(|d| d.revision)
                .unwrap_or(0);
            Ok(verifier(c, story_id)?.check_document(story_id, revision, document))
        })
    }

    /// Signs off the revision the editor read. Refused when a newer revision
    /// exists, and when hard failures stand unless `override_reason` says why;
    /// the override and the failures go to the audit log and the methodology line.
    pub fn sign_off(&self, story_id: i64, req: &SignOffRequest) -> Result<SignOff> {
        let editor = crate::review::editor_name(&req.editor)?;
        let reason = req
            .override_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > MAX_REASON) {
            return Err(CoreError::bad_input(
                "sign-off",
                "override",
                format!("is longer than {MAX_REASON} characters"),
            ));
        }
        let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let now = self.now();
        self.store.write(|tx| {
            let draft = drafts::latest(tx, story_id)?.ok_or_else(|| {
                CoreError::Invalid(format!("story {story_id} has no draft to sign off"))
            })?;
            if draft.revision != req.revision {
                return Err(CoreError::Stale(format!(
                    "story {story_id} is at revision {}, not {}: read the latest revision before signing off",
                    draft.revision, req.revision
                )));
            }
            let failures = verify_draft(tx, &draft)?.hard_failures();
            if !failures.is_empty() && reason.is_none() {
                return Err(CoreError::Unverified { story_id, revision: draft.revision, failures });
            }
            // An override only means something over failures; without any it is a plain sign-off.
            let reason = if failures.is_empty() { None } else { reason };
            let kept: &[String] = if reason.is_some() { &failures } else { &[] };
            let s = signoffs::insert(
                tx,
                &signoffs::NewSignOff {
                    story_id,
                    draft_id: draft.id,
                    editor: &editor,
                    note,
                    override_reason: reason,
                    failures: kept,
                },
                now,
            )?;
            stories::set_status(tx, story_id, StoryStatus::Approved, now)?;
            audit::append(
                tx,
                now,
                &editor,
                "sign_off",
                Some(story_id),
                &json!({ "revision": draft.revision, "note": note, "override_reason": reason, "failures": kept }),
            )?;
            Ok(s)
        })
    }

    /// The revision an approved story was signed off at: what a CMS export takes.
    pub fn signed_revision(&self, story_id: i64) -> Result<(SignOff, Draft)> {
        self.store.read(|c| {
            let story = stories::get(c, story_id)?;
            if story.status != StoryStatus::Approved {
                return Err(CoreError::Invalid(format!(
                    "story {story_id} is {}, not approved: sign off its latest revision first",
                    story.status.as_str()
                )));
            }
            let s = signoffs::list(c, story_id)?
                .into_iter()
                .next()
                .ok_or_else(|| CoreError::Invalid(format!("story {story_id} has no sign-off")))?;
            Ok((s.clone(), drafts::get(c, s.draft_id)?))
        })
    }
}
