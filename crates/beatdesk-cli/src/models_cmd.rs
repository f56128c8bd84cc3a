//! `beatdesk model …` and `beatdesk account set …`, and drafting with a model.

use std::io::Read;

use beatdesk_core::{
    Account, Beatdesk, CoreError, DraftEvent, ModelConfig, Part, Prices, ProviderKind,
};
use beatdesk_types::Draft;
use clap::{Subcommand, ValueEnum};

use crate::output::print_json;
use crate::runtime;

#[derive(Subcommand)]
pub enum ModelCommand {
    /// Add (or replace) a model writer. Its API key goes in the keychain: `beatdesk account set model NAME`.
    Add {
        name: String,
        #[arg(long, value_enum)]
        kind: Kind,
        #[arg(long)]
        base_url: String,
        /// The provider's model id, e.g. deepseek-v4-flash, llama3.1:8b.
        #[arg(long)]
        model: String,
        /// Context window in tokens (Ollama gets it as num_ctx).
        #[arg(long, value_name = "TOKENS")]
        context: Option<u32>,
        /// USD per million input tokens.
        #[arg(long)]
        price_input: Option<f64>,
        /// USD per million output tokens.
        #[arg(long)]
        price_output: Option<f64>,
        /// USD per million cached input tokens.
        #[arg(long)]
        price_cached: Option<f64>,
    },
    /// List configured model writers.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Look for a local Ollama and list the models it offers.
    Detect {
        #[arg(long, default_value = beatdesk_core::LOCAL_OLLAMA)]
        base_url: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    Openai,
    Ollama,
    Anthropic,
}

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Store a secret read from standard input in the OS keychain.
    Set {
        #[command(subcommand)]
        account: AccountKind,
    },
}

#[derive(Subcommand)]
pub enum AccountKind {
    /// Reddit app-only OAuth: the client secret is read from stdin.
    Reddit {
        #[arg(long)]
        client_id: String,
    },
    /// A Bluesky app password for HANDLE, read from stdin.
    Bluesky { handle: String },
    /// A model's API key, read from stdin.
    Model { name: String },
}

pub fn model(app: &Beatdesk, cmd: ModelCommand) -> Result<(), CoreError> {
    match cmd {
        ModelCommand::Add {
            name,
            kind,
            base_url,
            model,
            context,
            price_input,
            price_output,
            price_cached,
        } => {
            let kind = match kind {
                Kind::Openai => ProviderKind::Openai,
                Kind::Ollama => ProviderKind::Ollama,
                Kind::Anthropic => ProviderKind::Anthropic,
            };
            let mut cfg = ModelConfig::new(&name, kind, &base_url, &model);
            cfg.context_tokens = context;
            if price_input.is_some() || price_output.is_some() || price_cached.is_some() {
                cfg.prices = Some(Prices {
                    input_per_million: price_input.unwrap_or(0.0),
                    output_per_million: price_output.unwrap_or(0.0),
                    cached_input_per_million: price_cached,
                    cache_write_per_million: None,
                });
            }
            app.add_model(cfg)?;
            println!("model {name:?} saved; store its API key with: beatdesk account set model {name} < key.txt");
        }
        ModelCommand::List { json } => {
            let list = app.models()?;
            if json {
                print_json(&list);
            } else {
                for m in list {
                    println!(
                        "{:<16} {:<10} {:<28} {}",
                        m.name,
                        format!("{:?}", m.kind).to_lowercase(),
                        m.model,
                        m.base_url
                    );
                }
            }
        }
        ModelCommand::Detect { base_url, json } => {
            let offers = runtime()?.block_on(app.local_ollama_offers(&base_url));
            if json {
                print_json(&offers);
            } else if offers.is_empty() {
                println!("no new Ollama models answer at {base_url}");
            } else {
                for m in offers {
                    println!(
                        "beatdesk model add {} --kind ollama --base-url {} --model {} --context {}",
                        m.name,
                        m.base_url,
                        m.model,
                        m.context_tokens.unwrap_or(8192)
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn account(app: &Beatdesk, cmd: AccountCommand) -> Result<(), CoreError> {
    let AccountCommand::Set { account } = cmd;
    let account = match account {
        AccountKind::Reddit { client_id } => Account::Reddit { client_id },
        AccountKind::Bluesky { handle } => Account::Bluesky { handle },
        AccountKind::Model { name } => Account::Model { name },
    };
    let mut secret = String::new();
    std::io::stdin()
        .read_to_string(&mut secret)
        .map_err(|error| CoreError::Io {
            path: "standard input".into(),
            error,
        })?;
    app.set_account(&account, &secret)?;
    println!("stored in the OS keychain");
    Ok(())
}

/// Drafts with a model, streaming its text to stderr unless `quiet`.
pub fn draft_with_model(
    app: &Beatdesk,
    story_id: i64,
    writer: &str,
    quiet: bool,
) -> Result<Draft, CoreError> {
    let rt = runtime()?;
    let on_event = printer(quiet);
    rt.block_on(app.draft_with_model(story_id, writer, None, &on_event))
}

/// Regenerates one section (1-based) or the FAQ.
pub fn regenerate(
    app: &Beatdesk,
    story_id: i64,
    writer: &str,
    section: Option<usize>,
    quiet: bool,
) -> Result<Draft, CoreError> {
    let part = match section {
        Some(0) => {
            return Err(CoreError::bad_input(
                "regenerate",
                "section",
                "sections are numbered from 1",
            ))
        }
        Some(n) => Part::Section(n - 1),
        None => Part::Faq,
    };
    let on_event = printer(quiet || writer == "offline");
    runtime()?.block_on(app.regenerate(story_id, writer, part, None, &on_event))
}

fn printer(quiet: bool) -> impl Fn(DraftEvent) + Send + Sync {
    move |ev: DraftEvent| {
        if quiet {
            return;
        }
        match ev {
            DraftEvent::Delta { text, .. } => eprint!("{text}"),
            DraftEvent::Retrying {
                attempt, reason, ..
            } => eprintln!("\n[retry {attempt}: {reason}]"),
            DraftEvent::Shrinking { reason, .. } => {
                eprintln!("\n[shrinking the evidence: {reason}]")
            }
            DraftEvent::CallFinished { .. } => eprintln!(),
            DraftEvent::CallStarted { label } => eprintln!("[{label}]"),
        }
    }
}
