//! An advisory lock per source, so two desks (or a desk and a cron ingest)
//! refreshing the same beat never fetch one source at the same time.
//!
//! Session locks, not transaction locks: a source's fetch spans one
//! transaction per page. PostgreSQL drops them when the session ends, so a
//! killed ingest never leaves a source locked. Keys are scoped to the
//! database by PostgreSQL itself.

use postgres::Client;

use crate::error::Result;

/// "bd" and a namespace number in the top 16 bits; the source id below.
/// (`key` is public: `beatdesk_store::source_locks` takes the same lock.)
const SOURCE_SPACE: i64 = 0x6264_0001 << 32;
const ID_MASK: i64 = 0xFFFF_FFFF;

pub fn key(source_id: i64) -> i64 {
    SOURCE_SPACE | (source_id & ID_MASK)
}

/// Runs `f` while holding source `source_id`'s lock; `None` (without
/// running `f`) when another session holds it. The lock is released after
/// `f`, whatever it returned.
pub fn with_source_lock<T>(
    client: &mut Client,
    source_id: i64,
    f: impl FnOnce(&mut Client) -> Result<T>,
) -> Result<Option<T>> {
    let got: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&key(source_id)])?
        .get(0);
    if !got {
        return Ok(None);
    }
    let out = f(client);
    let unlocked = client.query_one("SELECT pg_advisory_unlock($1)", &[&key(source_id)]);
    let out = out?;
    unlocked?;
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_get_distinct_keys_in_their_own_space() {
        assert_ne!(key(1), key(2));
        assert_eq!(key(7) >> 32, 0x6264_0001);
        assert_eq!(key(7) & ID_MASK, 7);
    }
}
