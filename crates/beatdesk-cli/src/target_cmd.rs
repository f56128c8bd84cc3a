//! `beatdesk target add|list|remove|check` and `export --to TARGET`.

use std::io::{IsTerminal, Read};
use std::path::Path;

use beatdesk_core::{Beatdesk, CoreError, ExportOptions, NewTarget};
use clap::Subcommand;
use serde_json::json;

use crate::output::print_json;
use crate::runtime;

#[derive(Subcommand)]
pub enum TargetCommand {
    /// Add a target. Its secret is read from standard input (or BEATDESK_TARGET_<NAME>_SECRET):
    /// WordPress: an application password; Ghost: the Admin API key id:secret; webhook: whsec_….
    Add {
        name: String,
        #[arg(long, value_parser = ["wordpress", "ghost", "webhook"])]
        kind: String,
        /// The site (WordPress, Ghost) or the endpoint (webhook).
        #[arg(long)]
        url: String,
        /// WordPress: the user the application password belongs to.
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List targets (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a target and its keychain entry; its export history stays.
    Remove { name: String },
    /// Prove a target's credentials.
    Check {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn target(app: &Beatdesk, cmd: TargetCommand) -> Result<(), CoreError> {
    match cmd {
        TargetCommand::Add {
            name,
            kind,
            url,
            user,
            json,
        } => {
            let secret = read_secret()?;
            let info = app.add_target(
                &NewTarget {
                    name,
                    kind,
                    url,
                    user,
                },
                secret.as_deref(),
                "cli",
            )?;
            if json {
                print_json(&info);
            } else {
                println!(
                    "added target {} ({}, {}); secret from {}",
                    info.name, info.kind, info.url, info.secret_source
                );
            }
        }
        TargetCommand::List { json } => {
            let list = app.targets()?;
            if json {
                print_json(&list);
                return Ok(());
            }
            for t in list {
                println!(
                    "{:<20} {:<10} {:<40} {:<12} secret: {}",
                    t.name,
                    t.kind,
                    t.url,
                    t.user.unwrap_or_default(),
                    t.secret_source
                );
            }
        }
        TargetCommand::Remove { name } => {
            app.remove_target(&name, "cli")?;
            println!("removed target {name}");
        }
        TargetCommand::Check { name, json } => {
            let msg = runtime()?.block_on(app.check_target(&name))?;
            if json {
                print_json(&json!({ "target": name, "ok": true, "message": msg }));
            } else {
                println!("{name}: {msg}");
            }
        }
    }
    Ok(())
}

/// The secret from standard input, unless it is a terminal with nothing typed (env var case).
fn read_secret() -> Result<Option<String>, CoreError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("paste the secret, then Ctrl-D (or set BEATDESK_TARGET_<NAME>_SECRET):");
    }
    let mut s = String::new();
    stdin
        .lock()
        .read_to_string(&mut s)
        .map_err(|error| CoreError::Io {
            path: "standard input".into(),
            error,
        })?;
    Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
}

/// What `export --to` was given besides the story.
pub struct ExportArgs<'a> {
    pub to: &'a str,
    pub out: Option<&'a Path>,
    pub status: Option<String>,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    pub dry_run: bool,
    pub by: &'a str,
    pub json: bool,
}

/// `export --to ninjs` and `export --to TARGET`.
pub fn export(app: &Beatdesk, story_id: i64, a: ExportArgs<'_>) -> Result<(), CoreError> {
    if a.to == "ninjs" {
        let out = a.out.ok_or_else(|| {
            CoreError::bad_input(
                "export",
                "--out",
                "ninjs is written to a file: give --out FILE",
            )
        })?;
        let (text, rec) = app.export_ninjs(story_id, out, a.by)?;
        if a.json {
            print_json(&rec);
        } else {
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            println!(
                "exported story {story_id} as ninjs 2.2 ({}) to {}",
                doc["pubstatus"].as_str().unwrap_or(""),
                out.display()
            );
        }
        return Ok(());
    }
    if a.out.is_some() {
        return Err(CoreError::bad_input(
            "export",
            "--out",
            format!(
                "{} is a target, not a file format; --out is for markdown, html and ninjs",
                a.to
            ),
        ));
    }
    let opts = ExportOptions {
        status: a.status,
        tags: a.tags,
        categories: a.categories,
        policy: None,
    };
    if a.dry_run {
        let plan = app.plan_export(story_id, a.to, &opts)?;
        if a.json {
            print_json(&plan);
            return Ok(());
        }
        println!("dry run: nothing sent");
        println!("target:   {} ({})", plan.target, plan.kind);
        println!(
            "action:   {}{}",
            plan.action,
            plan.remote_id
                .as_ref()
                .map(|id| format!(" of remote post {id}"))
                .unwrap_or_default()
        );
        println!(
            "revision: {} signed off by {}",
            plan.revision, plan.signed_off_by
        );
        println!("status:   {}   event: {}", plan.status, plan.event);
        println!("title:    {}", plan.title);
        if let Some(e) = &plan.excerpt {
            println!("excerpt:  {e}");
        }
        if !plan.tags.is_empty() || !plan.categories.is_empty() {
            println!("tags: {:?}  categories: {:?}", plan.tags, plan.categories);
        }
        println!("--- body (HTML) ---\n{}", plan.body_html);
        return Ok(());
    }
    let out = runtime()?.block_on(app.export_to_target(story_id, a.to, &opts, a.by))?;
    if a.json {
        print_json(&out);
    } else {
        println!(
            "{} story {story_id} revision {} on {} ({}): {} {}{}",
            match out.action.as_str() {
                "create" => "created",
                "update" => "updated",
                _ => "unchanged:",
            },
            out.revision,
            out.target,
            out.kind,
            out.status,
            out.url
                .clone()
                .or(out.remote_id.clone())
                .unwrap_or_default(),
            if out.recovered {
                " (found after a lost reply; not posted twice)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// Export attempts to targets, for `history`.
pub fn print_target_exports(app: &Beatdesk, story_id: i64) -> Result<(), CoreError> {
    let list = app.target_exports(story_id)?;
    if list.is_empty() {
        return Ok(());
    }
    println!("exports to targets:");
    for e in list {
        println!(
            "  {}  {:<12} r{:<3} {:<7} {:<10} {} {}",
            e.created_at.format("%Y-%m-%d %H:%M"),
            e.target,
            e.revision,
            e.action,
            e.status.unwrap_or_default(),
            e.url.or(e.remote_id).unwrap_or_default(),
            e.error.map(|m| format!("— {m}")).unwrap_or_default()
        );
    }
    Ok(())
}
