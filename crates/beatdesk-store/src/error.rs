#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] crate::db::Error),
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

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e.into())
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError::Db(e.into())
    }
}
