//! `beatdesk ingest`, `beatdesk sources` and `beatdesk source add`.

use std::path::PathBuf;

use beatdesk_core::{Beatdesk, CoreError, SourceTarget};
use beatdesk_types::IngestProgress;
use clap::{Args, Subcommand};

use crate::output::print_json;
use crate::runtime;

#[derive(Subcommand)]
pub enum SourceCommand {
    /// Add a reporter's source to a beat or a story, by URL (fetched) or pasted text.
    Add(AddSource),
}

#[derive(Args)]
pub struct AddSource {
    #[arg(long, conflicts_with = "story", required_unless_present = "story")]
    beat: Option<String>,
    #[arg(long)]
    story: Option<i64>,
    /// The page to fetch and extract.
    #[arg(long, conflicts_with = "text", required_unless_present = "text")]
    url: Option<String>,
    /// A file holding pasted text.
    #[arg(long, value_name = "FILE")]
    text: Option<PathBuf>,
    /// Why this source matters.
    #[arg(long)]
    note: Option<String>,
    /// The reporter adding it.
    #[arg(long)]
    by: String,
    #[arg(long)]
    json: bool,
}

pub fn ingest(app: &Beatdesk, beat: &str, force: bool, json: bool) -> Result<(), CoreError> {
    let beat = app.beat(beat)?;
    let show = move |p: IngestProgress| {
        if !json && p.phase == "finished" {
            if let Some(e) = p.last_error {
                eprintln!("beatdesk: source {}: {e}", p.source_id);
            }
        }
    };
    let s = runtime()?.block_on(app.ingest(beat.id, force, &show))?;
    if json {
        print_json(&s);
        return Ok(());
    }
    for r in &s.sources {
        let state = if r.skipped {
            "not due".to_string()
        } else if r.not_modified {
            "not modified".to_string()
        } else {
            format!(
                "{} fetched, {} new, {} updated, {} duplicates, {} rejected, {} web citations, {} errors",
                r.fetched,
                r.new,
                r.updated,
                r.duplicates,
                r.rejected,
                r.web_citations,
                r.errors.len()
            )
        };
        println!("{:<50} {state}", r.label);
        for (why, n) in r.rejected_reasons.iter().chain(r.duplicate_reasons.iter()) {
            println!("    {n} × {why}");
        }
        for e in &r.errors {
            println!("    error: {e}");
        }
    }
    println!("{} new records", s.new_records);
    Ok(())
}

pub fn sources(app: &Beatdesk, beat: &str, json: bool) -> Result<(), CoreError> {
    let list = app.sources(app.beat(beat)?.id)?;
    if json {
        print_json(&list);
        return Ok(());
    }
    for s in list {
        let when = s
            .last_fetch_at
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "never".into());
        let err = s
            .last_error
            .map(|e| format!("  last error ({}x): {e}", s.error_count))
            .unwrap_or_default();
        println!(
            "{:>4}  {:<8} {:<50} fetched {when}{err}",
            s.id, s.kind, s.label
        );
    }
    Ok(())
}

pub fn source(app: &Beatdesk, cmd: SourceCommand) -> Result<(), CoreError> {
    let SourceCommand::Add(a) = cmd;
    let target = match (a.beat, a.story) {
        (Some(b), _) => SourceTarget::Beat(b),
        (None, Some(s)) => SourceTarget::Story(s),
        (None, None) => {
            return Err(CoreError::bad_input(
                "source add",
                "target",
                "give --beat or --story",
            ))
        }
    };
    let input = match (&a.url, &a.text) {
        (Some(u), _) => u.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).map_err(|error| CoreError::Io {
            path: f.display().to_string(),
            error,
        })?,
        (None, None) => {
            return Err(CoreError::bad_input(
                "source add",
                "input",
                "give --url or --text",
            ))
        }
    };
    let added = runtime()?.block_on(app.add_source(&target, &input, a.note.as_deref(), &a.by))?;
    if a.json {
        print_json(&added);
    } else if added.created {
        println!(
            "added manual source {} ({:?}): {}",
            added.record_id, added.status, added.title
        );
    } else {
        println!(
            "already held as record {}: {}",
            added.record_id, added.title
        );
    }
    Ok(())
}
