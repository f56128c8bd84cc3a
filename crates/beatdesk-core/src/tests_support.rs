//! Shared set-up for the desk's unit tests: the demo beat, in memory, with
//! its first drafted story.

use std::sync::Arc;

use chrono::TimeZone;

use crate::{Beatdesk, FixedClock};

pub fn drafted_story() -> (Beatdesk, i64) {
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
        .unwrap();
    let app = Beatdesk::in_memory(Arc::new(FixedClock(now))).unwrap();
    app.demo().unwrap();
    let beat = app.beats().unwrap()[0].id;
    let story = app
        .stories_of(beat)
        .unwrap()
        .into_iter()
        .find(|s| app.latest_draft(s.id).is_ok())
        .expect("the demo drafts its top stories")
        .id;
    (app, story)
}

/// Signs off the latest revision as "Ana".
pub fn sign(app: &Beatdesk, story: i64) {
    let revision = app.latest_draft(story).unwrap().revision;
    app.sign_off(
        story,
        &beatdesk_types::SignOffRequest {
            editor: "Ana".into(),
            note: None,
            revision,
            override_reason: None,
        },
    )
    .unwrap();
}
