#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(crate::db::Error),
    /// The shared store's privileges refused the login (SQLSTATE 42501): a
    /// reporter's client asked for what only an editor may do.
    #[error("the shared store refused this for your login: only an editor may sign off, approve or export ({0})")]
    Denied(String),
    #[error("shared store: {0}")]
    Shared(#[from] beatdesk_store_pg::PgStoreError),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("stored {what} is unreadable: {detail}")]
    Corrupt { what: &'static str, detail: String },
    #[error("database schema version {found} is newer than this Beatdesk ({supported}); upgrade Beatdesk")]
    TooNew { found: i64, supported: i64 },
}

impl StoreError {
    pub fn not_found(what: &'static str, id: impl ToString) -> StoreError {
        StoreError::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

impl From<crate::db::Error> for StoreError {
    fn from(e: crate::db::Error) -> Self {
        match e.sqlstate() {
            Some("42501") => StoreError::Denied(e.to_string()),
            _ => StoreError::Db(e),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e.into())
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        crate::db::Error::from(e).into()
    }
}
