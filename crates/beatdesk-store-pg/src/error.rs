//! Errors of the PostgreSQL store, each with a stable code for IPC.

use postgres::error::SqlState;

#[derive(Debug, thiserror::Error)]
pub enum PgStoreError {
    #[error("PostgreSQL: {}", describe(.0))]
    Db(#[from] postgres::Error),
    #[error("permission denied by the database: {0}")]
    Denied(String),
    #[error("the store's schema is at version {found}, newer than this Beatdesk supports ({supported}): upgrade Beatdesk")]
    TooNew { found: i32, supported: i32 },
    #[error("migration {version} is {expected:?} in this Beatdesk but {found:?} in the store")]
    Diverged {
        version: i32,
        expected: String,
        found: String,
    },
    #[error("store address: {0}")]
    BadAddress(String),
    #[error("home {path}: {problem}")]
    Home { path: String, problem: String },
    #[error("TLS to the store: {0}")]
    Tls(String),
    #[error("keychain unavailable: {0}")]
    Keychain(String),
    #[error("login name {name:?}: {problem}")]
    BadName { name: String, problem: &'static str },
    #[error("login {0:?} already exists")]
    UserExists(String),
    #[error("login {0:?}: the password is empty")]
    EmptyPassword(String),
    #[error("the store has no Beatdesk roles yet: run `beatdesk team init` first")]
    NotInitialised,
    #[error("story {story_id} is at revision {revision} by {actor}: reload before saving")]
    StaleEdit {
        story_id: i64,
        revision: i64,
        actor: String,
    },
}

/// The DETAIL of migration 6's refusal (SQLSTATE BD409).
#[derive(serde::Deserialize)]
struct StaleDetail {
    story_id: i64,
    revision: i64,
    actor: String,
}

impl PgStoreError {
    /// The `{code}` half of the IPC error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Db(_) => "store_db",
            Self::Denied(_) => "store_denied",
            Self::TooNew { .. } => "store_too_new",
            Self::Diverged { .. } => "store_diverged",
            Self::BadAddress(_) => "store_address",
            Self::Tls(_) => "store_tls",
            Self::Home { .. } => "store_push_home",
            Self::Keychain(_) => "store_keychain",
            Self::BadName { .. } => "store_bad_name",
            Self::UserExists(_) => "store_user_exists",
            Self::EmptyPassword(_) => "store_empty_password",
            Self::NotInitialised => "store_not_initialised",
            Self::StaleEdit { .. } => "store_stale_edit",
        }
    }

    /// Turns the database's privilege refusals into `Denied` (keeping its
    /// words) and stale revisions into `StaleEdit`.
    pub fn from_db(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) if db.code() == &SqlState::INSUFFICIENT_PRIVILEGE => {
                Self::Denied(db.message().to_string())
            }
            Some(db) if db.code().code() == "BD409" => {
                match db
                    .detail()
                    .and_then(|d| serde_json::from_str::<StaleDetail>(d).ok())
                {
                    Some(d) => Self::StaleEdit {
                        story_id: d.story_id,
                        revision: d.revision,
                        actor: d.actor,
                    },
                    None => Self::Db(e),
                }
            }
            _ => Self::Db(e),
        }
    }

    /// True when the database itself refused for lack of privilege.
    pub fn is_denied(&self) -> bool {
        matches!(self, Self::Denied(_))
    }
}

/// The server's own words (the client's Display says only "db error").
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

pub type Result<T> = std::result::Result<T, PgStoreError>;
