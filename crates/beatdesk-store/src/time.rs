use chrono::{DateTime, SecondsFormat, Utc};

use crate::StoreError;

/// Times are stored as RFC 3339 UTC text with a `Z`, which sorts correctly as text.
pub fn to_sql_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn from_sql_time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            what: "timestamp",
            detail: format!("{s:?}: {e}"),
        })
}
