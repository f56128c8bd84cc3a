//! The offline demo beat: fictional records shipped in the repository, so a
//! new user sees the whole pipeline with no network and no keys.

use beatdesk_store::{beats, drafts, stories};
use serde::Serialize;

use crate::import::{self, ImportReport};
use crate::review::draft_offline;
use crate::{analysis, Beatdesk, Result};

pub const DEMO_BEAT: &str = "Open Source AI";
const DEMO_RECORDS: &str = include_str!("../demo/open-source-ai.jsonl");
const DEMO_CONFIG: &str =
    "# The offline demo beat: records ship with Beatdesk, no sources are fetched.\n\
window_days = 14\nallow_nsfw = false\nrefresh_minutes = 30\nmax_web_citations = 3\n";
// The demo keeps its own dates (late November 2026): its texts say "on
// Wednesday", and moving the dates would make them wrong.
/// How many of the top stories get an offline draft, so the desk opens on a story.
const DRAFTED_STORIES: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub beat: String,
    pub import: ImportReport,
    pub stories: usize,
    pub drafted: usize,
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
            let report =
                import::import_jsonl(tx, beat_id, "demo/open-source-ai.jsonl", DEMO_RECORDS, now)?;
            analysis::run(tx, beat_id, now)?;
            let list = stories::list_for_beat(tx, beat_id)?;
            let mut drafted = 0;
            for s in list.iter().take(DRAFTED_STORIES) {
                if drafts::latest(tx, s.id)?.is_none() {
                    draft_offline(tx, s.id, now)?;
                    drafted += 1;
                }
            }
            Ok(DemoReport {
                beat: DEMO_BEAT.into(),
                import: report,
                stories: list.len(),
                drafted,
            })
        })
    }
}
