//! `beatdesk team …`: the shared store on PostgreSQL. Parsing here, the
//! work in `beatdesk_store_pg::cli` (also behind the `beatdesk-team` binary),
//! so both spell their answers and errors the same way.

use std::path::{Path, PathBuf};

use beatdesk_core::CoreError;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Create or upgrade the store's schema and the reporter and editor roles.
    Init {
        /// The store (default: $BEATDESK_STORE), e.g. postgres://owner@db.example.org/newsroom.
        #[arg(long, value_name = "URL")]
        store: Option<String>,
    },
    /// Create a login; its password is the first line of standard input.
    AddUser {
        name: String,
        /// reporter or editor.
        #[arg(long)]
        role: String,
        #[arg(long, value_name = "URL")]
        store: Option<String>,
    },
    /// Keep your store password in the keychain (first line of standard input, checked first).
    Login {
        #[arg(long, value_name = "URL")]
        store: Option<String>,
    },
    /// Copy a laptop's beats, records, stories, revisions, sign-offs and audit into the store.
    Push {
        /// The home to copy (default: this one, see --home).
        #[arg(long, value_name = "DIR")]
        from_home: Option<PathBuf>,
        #[arg(long, value_name = "URL")]
        store: Option<String>,
    },
}

/// Runs one verb; `home` is the default home to push.
pub fn team(command: TeamCommand, home: &Path) -> Result<(), CoreError> {
    let mut args: Vec<String> = Vec::new();
    let store = match command {
        TeamCommand::Init { store } => {
            args.push("init".into());
            store
        }
        TeamCommand::AddUser { name, role, store } => {
            args.extend(["add-user".into(), name, "--role".into(), role]);
            store
        }
        TeamCommand::Login { store } => {
            args.push("login".into());
            store
        }
        TeamCommand::Push { from_home, store } => {
            let dir = from_home.unwrap_or_else(|| home.to_path_buf());
            args.extend([
                "push".into(),
                "--from-home".into(),
                dir.display().to_string(),
            ]);
            store
        }
    };
    if let Some(s) = store {
        args.extend(["--store".into(), s]);
    }
    let stdin = std::io::stdin();
    beatdesk_store_pg::cli::run(&args, &mut stdin.lock(), &mut std::io::stdout())
        .map_err(CoreError::Invalid)
}
