//! The offline demo beat: fictional records shipped in the repository, so a
//! new user sees the whole pipeline with no network and no keys.

use beatdesk_store::{beats, drafts, stories};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::import::{self, ImportReport};
use crate::review::draft_offline;
use crate::{analysis, Beatdesk, Result};

pub const DEMO_BEAT: &str = "Open Source AI";
const DEMO_RECORDS: &str = include_str!("../demo/open-source-ai.jsonl");
const DEMO_CONFIG: &str = "# The offline demo beat: records ship with Beatdesk, no sources are fetched.\n\
window_days = 14\nallow_nsfw = false\nrefresh_minutes = 30\nmax_web_citations = 3\n";
/// How many of the top stories get an offline draft, so the desk opens on a story.
const DRAFTED_STORIES: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub beat: String,
    pub import: ImportReport,
    pub stories: usize,
    pub drafted: usize,
}

/// The demo's dates moved so its newest record is two hours old "now":
/// the demo always looks like a live beat, whatever day it is opened.
fn shift_dates(text: &str, now: DateTime<Utc>) -> String {
    let newest = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("published_at")?.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()))
        .map(|t| t.with_timezone(&Utc))
        .max();
    let Some(newest) = newest else { return text.to_string() };
    let offset = (now - Duration::hours(2)) - newest;
    text.lines()
        .map(|l| match serde_json::from_str::<serde_json::Value>(l) {
            Ok(mut v) => {
                if let Some(t) = v.get("published_at").and_then(|s| s.as_str()).and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
                    let moved = t.with_timezone(&Utc) + offset;
                    v["published_at"] = moved.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
                }
                v.to_string()
            }
            Err(_) => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Beatdesk {
    /// Creates the demo beat, or refreshes it (re-importing adds nothing new).
    pub fn demo(&self) -> Result<DemoReport> {
        let now = self.now();
        self.store.write(|tx| {
            let beat_id = match beats::find_by_name(tx, DEMO_BEAT)? {
                Some(b) => b.id,
                None => beats::insert(tx, DEMO_BEAT, DEMO_CONFIG, now)?,
            };
            let report = import::import_jsonl(tx, beat_id, "demo/open-source-ai.jsonl", &shift_dates(DEMO_RECORDS, now), now)?;
            analysis::run(tx, beat_id, now)?;
            let list = stories::list_for_beat(tx, beat_id)?;
            let mut drafted = 0;
            for s in list.iter().take(DRAFTED_STORIES) {
                if drafts::latest(tx, s.id)?.is_none() {
                    draft_offline(tx, s.id, now)?;
                    drafted += 1;
                }
            }
            Ok(DemoReport { beat: DEMO_BEAT.into(), import: report, stories: list.len(), drafted })
        })
    }
}
