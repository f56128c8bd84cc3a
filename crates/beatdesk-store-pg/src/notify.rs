//! Other desks' changes, through `LISTEN beatdesk_changes` (migration 5's
//! triggers): the window refreshes its story list and open story on them.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::Client;
use serde::Deserialize;

use crate::error::Result;

pub const CHANNEL: &str = "beatdesk_changes";

/// What changed and who changed it; never the changed text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Change {
    pub table: String,
    pub beat_id: Option<i64>,
    pub story_id: Option<i64>,
    pub actor: String,
}

/// Subscribes this session; notices arrive only after the writer commits.
pub fn listen(client: &mut Client) -> Result<()> {
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(())
}

/// Waits up to `timeout` for a first change, then takes every change
/// already queued. A malformed notice (anyone with a login may NOTIFY) is
/// skipped: the desk refreshes on the next good one.
pub fn wait_for_changes(client: &mut Client, timeout: Duration) -> Result<Vec<Change>> {
    let mut notifications = client.notifications();
    let mut raw = Vec::new();
    let first = notifications.timeout_iter(timeout).next()?;
    if let Some(first) = first {
        raw.push(first);
        let mut pending = notifications.iter();
        while let Some(n) = pending.next()? {
            raw.push(n);
        }
    }
    Ok(raw
        .iter()
        .filter(|n| n.channel() == CHANNEL)
        .filter_map(|n| serde_json::from_str(n.payload()).ok())
        .collect())
}
