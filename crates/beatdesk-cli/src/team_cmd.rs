//! `beatdesk team …`: the shared store on PostgreSQL. Parsing here, the
//! work in `beatdesk_store_pg::cli` (also behind the `beatdesk-team` binary),
//! so both spell their answers and errors the same way.

use std::path::{Path, PathBuf};

use beatdesk_core::CoreError;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Create or upgrade the store's schema and the reporter and editor roles.
    /// The store is the global `--store` (default: $BEATDESK_STORE), e.g.
    /// postgres://owner@db.example.org/newsroom.
    Init,
    /// Create a login; its password is the first line of standard input.
    AddUser {
        name: String,
        /// reporter or editor.
        #[arg(long)]
        role: String,
    },
    /// Keep your store password in the keychain (first line of standard input, checked first).
    Login,
    /// Copy a laptop's beats, records, stories, revisions, sign-offs and audit into the store.
    Push {
        /// The home to copy (default: this one, see --home).
        #[arg(long, value_name = "DIR")]
        from_home: Option<PathBuf>,
    },
}

/// Runs one verb against `store` (the global `--store`); `home` is the
/// default home to push.
pub fn team(command: TeamCommand, store: Option<String>, home: &Path) -> Result<(), CoreError> {
    let mut args: Vec<String> = Vec::new();
    match command {
        TeamCommand::Init => args.push("init".into()),
        TeamCommand::AddUser { name, role } => {
            args.extend(["add-user".into(), name, "--role".into(), role]);
        }
        TeamCommand::Login => args.push("login".into()),
        TeamCommand::Push { from_home } => {
            let dir = from_home.unwrap_or_else(|| home.to_path_buf());
            args.extend([
                "push".into(),
                "--from-home".into(),
                dir.display().to_string(),
            ]);
        }
    }
    if let Some(s) = store {
        args.extend(["--store".into(), s]);
    }
    // The verbs that read a password prompt for it at a terminal.
    let _prompt = match args[0].as_str() {
        "add-user" => Some(Prompt::new(&format!(
            "password for the new login {}",
            args[1]
        ))),
        "login" => Some(Prompt::new("your store password")),
        _ => None,
    };
    let stdin = std::io::stdin();
    beatdesk_store_pg::cli::run(&args, &mut stdin.lock(), &mut std::io::stdout())
        .map_err(CoreError::Invalid)
}

/// Typing a password at a terminal: a prompt on standard error and no echo,
/// put back however the verb ends. Piped input is read as it is.
struct Prompt(Option<libc::termios>);

impl Prompt {
    fn new(what: &str) -> Prompt {
        use std::io::IsTerminal;
        if !std::io::stdin().is_terminal() {
            return Prompt(None);
        }
        eprint!("{what}: ");
        // SAFETY: termios is plain data; fd 0 is a terminal (checked above).
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return Prompt(None);
            }
            let old = t;
            t.c_lflag &= !libc::ECHO;
            libc::tcsetattr(0, libc::TCSANOW, &t);
            Prompt(Some(old))
        }
    }
}

impl Drop for Prompt {
    fn drop(&mut self) {
        if let Some(old) = self.0 {
            // SAFETY: restores the settings read in `new`.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, &old);
            }
            eprintln!();
        }
    }
}
