use beatdesk_store::StoreError;

/// Errors of the pipeline. `code()` is what crosses IPC for the UI to act on.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// Bad input from a file or a user: names the source, the field and the problem.
    #[error("{source_name}: {field}: {problem}")]
    BadInput {
        source_name: String,
        field: String,
        problem: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("cannot draft: {0}")]
    Write(#[from] beatdesk_write::WriteError),
    /// A model writer failed: which model, what the server said.
    #[error("{message}")]
    Model {
        model: String,
        code: &'static str,
        message: String,
    },
    /// The revision acted on is not the latest: someone (or a writer) saved since.
    #[error("{0}")]
    Stale(String),
    /// A sign-off refused while hard verification failures stand.
    #[error("story {story_id} revision {revision} has {} hard verification failure(s); fix them or sign off with an override reason:\n{}", failures.len(), failures.join("\n"))]
    Unverified {
        story_id: i64,
        revision: i64,
        failures: Vec<String>,
    },
    /// An export target failed: which target, what it said, in the editor's terms.
    /// Boxed: the target's error carries several strings.
    #[error(transparent)]
    Cms(Box<beatdesk_cms::CmsError>),
    #[error("keychain unavailable: {0}")]
    Keychain(String),
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
}

impl CoreError {
    pub fn bad_input(
        source: impl Into<String>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> CoreError {
        CoreError::BadInput {
            source_name: source.into(),
            field: field.into(),
            problem: problem.into(),
        }
    }

    pub fn not_found(what: &'static str, id: impl ToString) -> CoreError {
        CoreError::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// A stable code for errors the UI handles specially; everything else is `error`.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NotFound { .. } | CoreError::Store(StoreError::NotFound { .. }) => {
                "not_found"
            }
            CoreError::BadInput { .. } | CoreError::Invalid(_) => "invalid",
            CoreError::Write(_) => "no_evidence",
            CoreError::Model { .. } => "model_failed",
            CoreError::Keychain(_) => "keychain_unavailable",
            CoreError::Stale(_) => "stale_revision",
            CoreError::Store(StoreError::Denied(_)) => "permission_denied",
            CoreError::Unverified { .. } => "verification_failed",
            CoreError::Cms(e) => e.code(),
            _ => "error",
        }
    }
}

impl From<beatdesk_cms::CmsError> for CoreError {
    fn from(e: beatdesk_cms::CmsError) -> CoreError {
        CoreError::Cms(Box::new(e))
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
