//! `beatdesk`: the headless command line. Same core as the window; every
//! verb that lists or reports takes `--json`. Errors are one line on stderr
//! and a non-zero exit.

mod ingest_cmd;
mod models_cmd;
mod output;
mod target_cmd;
mod team_cmd;
mod verify_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use beatdesk_core::{resolve_home, Beatdesk, CoreError};
use beatdesk_types::ExportFormat;
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "beatdesk",
    version,
    about = "Newsroom review of AI-assisted beat reporting (headless)"
)]
struct Cli {
    /// Data directory (default: $BEATDESK_HOME, else the OS data dir).
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    /// The store: a SQLite file or postgres://… (default: $BEATDESK_STORE,
    /// else this laptop's setting, else beatdesk.sqlite in the data directory).
    #[arg(long, global = true, value_name = "ADDRESS")]
    store: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone, Copy)]
struct Json {
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// The shared store on PostgreSQL: init, add-user, login, push.
    Team {
        #[command(subcommand)]
        command: team_cmd::TeamCommand,
    },
    /// Create or refresh the offline "Open Source AI" demo beat.
    Demo {
        #[command(flatten)]
        json: Json,
    },
    /// Manage beats.
    Beat {
        #[command(subcommand)]
        command: BeatCommand,
    },
    /// Import records from a JSON Lines file (see README for the format).
    Import {
        #[arg(long)]
        beat: String,
        file: PathBuf,
        #[command(flatten)]
        json: Json,
    },
    /// Fetch a beat's due sources (all with --force), then re-analyze.
    Ingest {
        #[arg(long)]
        beat: String,
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        json: Json,
    },
    /// A beat's sources and their fetch state.
    Sources {
        #[arg(long)]
        beat: String,
        #[command(flatten)]
        json: Json,
    },
    /// Reporters' manual sources.
    Source {
        #[command(subcommand)]
        command: ingest_cmd::SourceCommand,
    },
    /// List a beat's records with their status (kept, rejected, duplicate).
    Records {
        #[arg(long)]
        beat: String,
        #[command(flatten)]
        json: Json,
    },
    /// Re-run Analyze + Signal over all of a beat's records.
    Analyze {
        #[arg(long)]
        beat: String,
        #[command(flatten)]
        json: Json,
    },
    /// List a beat's stories, highest signal first.
    Stories {
        #[arg(long)]
        beat: String,
        #[command(flatten)]
        json: Json,
    },
    /// Draft a new revision of a story.
    Draft {
        story_id: i64,
        /// `offline`, or the name of a model added with `beatdesk model add`.
        #[arg(long, default_value = "offline")]
        writer: String,
        #[command(flatten)]
        json: Json,
    },
    /// Write one section or the FAQ again, keeping the rest of the story.
    Regenerate {
        story_id: i64,
        /// The section to rewrite, numbered from 1.
        #[arg(long, conflicts_with = "faq", required_unless_present = "faq")]
        section: Option<usize>,
        /// Rewrite the Frequently Asked section.
        #[arg(long)]
        faq: bool,
        #[arg(long, default_value = "offline")]
        writer: String,
        #[command(flatten)]
        json: Json,
    },
    /// Show a story's latest revision.
    Show {
        story_id: i64,
        #[arg(long, group = "fmt")]
        json: bool,
        #[arg(long, group = "fmt")]
        markdown: bool,
        #[arg(long, group = "fmt")]
        html: bool,
    },
    /// Sign off the revision you read; refused over hard verification failures without --override.
    Signoff(verify_cmd::SignoffArgs),
    /// Check every claim of a revision against the records it cites.
    Verify(verify_cmd::VerifyArgs),
    /// Save a new revision from a JSON document (the shape of `show --json`'s `draft.document`).
    Edit(verify_cmd::EditArgs),
    /// Export a story: to a file (markdown, html, ninjs) or to a target (see `target add`).
    Export {
        story_id: i64,
        /// markdown, html, ninjs, or a target's name.
        #[arg(long)]
        to: String,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Targets: draft, pending or publish (default: draft).
        #[arg(long)]
        status: Option<String>,
        /// Targets: a tag by name (repeatable).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// WordPress: a category by name (repeatable).
        #[arg(long = "category")]
        categories: Vec<String>,
        /// Show exactly what would be sent, and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who is exporting (recorded in History).
        #[arg(long, default_value = "cli")]
        by: String,
        #[command(flatten)]
        json: Json,
    },
    /// Export targets: WordPress, Ghost, signed webhooks.
    Target {
        #[command(subcommand)]
        command: target_cmd::TargetCommand,
    },
    /// Manage model writers (OpenAI-compatible, Ollama, Anthropic).
    Model {
        #[command(subcommand)]
        command: models_cmd::ModelCommand,
    },
    /// Store credentials in the OS keychain.
    Account {
        #[command(subcommand)]
        command: models_cmd::AccountCommand,
    },
    /// A story's revisions and audit log.
    History {
        story_id: i64,
        #[command(flatten)]
        json: Json,
    },
}

#[derive(Subcommand)]
enum BeatCommand {
    /// Add a beat, optionally with a TOML configuration file.
    Add {
        name: String,
        #[arg(long, value_name = "FILE.toml")]
        config: Option<PathBuf>,
        #[command(flatten)]
        json: Json,
    },
    /// Replace a beat's configuration (sources keep their fetch state when unchanged).
    Config {
        name: String,
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
    },
    /// List beats.
    List {
        #[command(flatten)]
        json: Json,
    },
}

/// One current-thread runtime per command, for the verbs that talk to the network.
fn runtime() -> Result<tokio::runtime::Runtime, CoreError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| CoreError::Io {
            path: "tokio runtime".into(),
            error,
        })
}

fn read_file(path: &PathBuf) -> Result<String, CoreError> {
    std::fs::read_to_string(path).map_err(|error| CoreError::Io {
        path: path.display().to_string(),
        error,
    })
}

fn run(cli: Cli) -> Result<(), CoreError> {
    let home = resolve_home(cli.home);
    // The shared store's verbs need no home of their own.
    let command = match cli.command {
        Command::Team { command } => return team_cmd::team(command, cli.store, &home),
        other => other,
    };
    let address = beatdesk_core::resolve_store(cli.store.as_deref(), &home)?;
    let app = Beatdesk::open_at(&home, &address)?;
    match command {
        Command::Demo { json } => output::demo(&app.demo()?, json.json),
        Command::Beat {
            command: BeatCommand::Add { name, config, json },
        } => {
            let text = config.as_ref().map(read_file).transpose()?;
            output::beats(&[app.add_beat(&name, text.as_deref())?], json.json)
        }
        Command::Beat {
            command: BeatCommand::Config { name, file },
        } => {
            let beat = app.beat(&name)?;
            app.set_beat_config(beat.id, &read_file(&file)?)?;
            println!(
                "configuration of {name:?} replaced; {} sources",
                app.sources(beat.id)?.len()
            );
        }
        Command::Beat {
            command: BeatCommand::List { json },
        } => output::beats(&app.beats()?, json.json),
        Command::Import { beat, file, json } => {
            let text = read_file(&file)?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let report = app.import_jsonl(&beat, &name, &text)?;
            output::import(&report, json.json);
            if !json.json {
                if let Some(a) = app.last_analysis(app.beat(&beat)?.id) {
                    output::analysis(&a, false);
                }
            }
            if report.read > 0 && report.errors.len() == report.read {
                return Err(CoreError::Invalid(format!(
                    "no record of {} could be imported",
                    file.display()
                )));
            }
        }
        Command::Records { beat, json } => output::records(&app.records(&beat)?, json.json),
        Command::Analyze { beat, json } => {
            let report = app.analyze(&beat)?;
            output::analysis(&report, json.json);
        }
        Command::Stories { beat, json } => output::stories(&app, &app.stories(&beat)?, json.json)?,
        Command::Draft {
            story_id,
            writer,
            json,
        } => {
            let draft = if writer == "offline" {
                app.draft(story_id, &writer)?
            } else {
                models_cmd::draft_with_model(&app, story_id, &writer, json.json)?
            };
            output::draft(&draft, json.json)
        }
        Command::Regenerate {
            story_id,
            section,
            faq: _,
            writer,
            json,
        } => output::draft(
            &models_cmd::regenerate(&app, story_id, &writer, section, json.json)?,
            json.json,
        ),
        Command::Ingest { beat, force, json } => ingest_cmd::ingest(&app, &beat, force, json.json)?,
        Command::Sources { beat, json } => ingest_cmd::sources(&app, &beat, json.json)?,
        Command::Source { command } => ingest_cmd::source(&app, command)?,
        Command::Model { command } => models_cmd::model(&app, command)?,
        Command::Account { command } => models_cmd::account(&app, command)?,
        Command::Show {
            story_id,
            json,
            markdown: _,
            html,
        } => {
            if json {
                output::print_json(&app.story(story_id)?);
            } else {
                print!("{}", app.render(story_id, html)?);
            }
        }
        Command::Signoff(a) => verify_cmd::signoff(&app, a)?,
        Command::Verify(a) => verify_cmd::verify(&app, a)?,
        Command::Edit(a) => verify_cmd::edit(&app, a)?,
        Command::Target { command } => target_cmd::target(&app, command)?,
        Command::Export {
            story_id,
            to,
            out,
            status,
            tags,
            categories,
            dry_run,
            by,
            json,
        } => {
            let format = match to.as_str() {
                "markdown" => ExportFormat::Markdown,
                "html" => ExportFormat::Html,
                _ => {
                    let args = target_cmd::ExportArgs {
                        to: &to,
                        out: out.as_deref(),
                        status,
                        tags,
                        categories,
                        dry_run,
                        by: &by,
                        json: json.json,
                    };
                    return target_cmd::export(&app, story_id, args);
                }
            };
            let (text, rec) = app.export(story_id, format, out.as_deref(), "cli")?;
            match (&out, json.json) {
                (_, true) => output::print_json(&rec),
                (None, false) => print!("{text}"),
                (Some(p), false) => {
                    println!("exported story {story_id} revision to {}", p.display())
                }
            }
        }
        Command::History { story_id, json } if json.json => {
            let view = app.story(story_id)?;
            output::print_json(&serde_json::json!({
                "revisions": view.history, "signoffs": view.signoffs,
                "audit": app.audit(Some(story_id))?, "exports": app.target_exports(story_id)?,
            }));
        }
        Command::History { story_id, json } => {
            output::history(
                &app.story(story_id)?,
                &app.audit(Some(story_id))?,
                json.json,
            );
            target_cmd::print_target_exports(&app, story_id)?;
        }
        Command::Team { .. } => unreachable!("handled before the home is opened"),
    }
    Ok(())
}

fn main() -> ExitCode {
    // Piping into `head` must end quietly, like other Unix tools.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            // One line: clap's first line, without its usage block.
            let msg = e.to_string();
            // Clap's message up to its usage block, folded onto one line.
            let text: Vec<&str> = msg
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
                .collect();
            let text = text.join(" ");
            eprintln!(
                "beatdesk: {} (see `beatdesk --help`)",
                text.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("beatdesk: {}", e.to_string().replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
