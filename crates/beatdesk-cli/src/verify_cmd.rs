//! `beatdesk verify`, `beatdesk edit` and `beatdesk signoff`: the contract
//! other tools use to check a story, change it and sign it off.

use std::path::PathBuf;

use beatdesk_core::{Beatdesk, CoreError};
use beatdesk_types::{CheckStatus, DocumentEdit, SignOffRequest, StoryDocument, VerifyReport};
use clap::Args;

use crate::output::{self, print_json};

/// Check every claim of a revision against the records it cites. Exits 0 whatever it finds.
#[derive(Args)]
pub struct VerifyArgs {
    story_id: i64,
    /// The revision to check (default: the latest).
    #[arg(long)]
    revision: Option<i64>,
    #[arg(long)]
    json: bool,
}

/// Save a new revision from a JSON document shaped like `show --json`'s `draft.document`.
#[derive(Args)]
pub struct EditArgs {
    story_id: i64,
    #[arg(value_name = "FILE.json")]
    file: PathBuf,
    #[arg(long)]
    editor: String,
    /// The revision the edit was made on; refused unless it is the latest.
    #[arg(long)]
    base_revision: Option<i64>,
    #[arg(long)]
    json: bool,
}

/// Sign off the revision you read; refused over hard failures without --override.
#[derive(Args)]
pub struct SignoffArgs {
    story_id: i64,
    #[arg(long)]
    editor: String,
    /// The revision read (default: the latest); refused unless it is the latest.
    #[arg(long)]
    revision: Option<i64>,
    /// Sign off over hard verification failures, for this reason.
    #[arg(long = "override", value_name = "REASON")]
    override_reason: Option<String>,
    #[arg(long)]
    note: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn verify(app: &Beatdesk, a: VerifyArgs) -> Result<(), CoreError> {
    let report = app.verify(a.story_id, a.revision)?;
    if a.json {
        print_json(&report);
    } else {
        print_report(&report);
    }
    Ok(())
}

fn print_report(r: &VerifyReport) {
    let s = &r.summary;
    println!(
        "story {} revision {}: {} claims — {} pass, {} warn, {} fail; citation coverage {:.0}%; quotes {}/{} ok; numbers {}/{} ok",
        r.story_id, r.revision, s.claims, s.pass, s.warn, s.fail,
        s.citation_coverage * 100.0, s.quotes_ok, s.quotes_checked, s.numbers_ok, s.numbers_checked
    );
    for c in r.claims.iter().filter(|c| c.status != CheckStatus::Pass) {
        println!(
            "\n{} [{}] {}",
            c.location.label(),
            c.status.as_str().to_uppercase(),
            c.text
        );
        for k in c.checks.iter().filter(|k| k.status != CheckStatus::Pass) {
            let at = k
                .evidence
                .map(|e| format!(" (record {} chars {}–{})", e.record_id, e.start, e.end))
                .unwrap_or_default();
            println!("  {} {:?}: {}{at}", k.status.as_str(), k.kind, k.detail);
        }
    }
}

pub fn edit(app: &Beatdesk, a: EditArgs) -> Result<(), CoreError> {
    let path = a.file.display().to_string();
    let text = std::fs::read_to_string(&a.file).map_err(|error| CoreError::Io {
        path: path.clone(),
        error,
    })?;
    let document: StoryDocument = serde_json::from_str(&text)
        .map_err(|e| CoreError::bad_input(&path, "document", e.to_string()))?;
    let base_revision = match a.base_revision {
        Some(n) => n,
        None => app.latest_draft(a.story_id)?.revision,
    };
    let view = app.save_document(
        a.story_id,
        &DocumentEdit {
            document,
            base_revision,
            editor: a.editor,
        },
    )?;
    let draft = view
        .draft
        .ok_or_else(|| CoreError::Invalid(format!("story {} has no draft", a.story_id)))?;
    if draft.revision == base_revision {
        eprintln!("beatdesk: the document is unchanged; no new revision");
    }
    output::draft(&draft, a.json);
    Ok(())
}

pub fn signoff(app: &Beatdesk, a: SignoffArgs) -> Result<(), CoreError> {
    let revision = match a.revision {
        Some(n) => n,
        None => app.latest_draft(a.story_id)?.revision,
    };
    let s = app.sign_off(
        a.story_id,
        &SignOffRequest {
            editor: a.editor,
            note: a.note,
            revision,
            override_reason: a.override_reason,
        },
    )?;
    output::signoff(&s, a.json);
    Ok(())
}
