//! The editorial workflow beyond drafting and sign-off: spike and un-spike,
//! and where an edit moves a story (an exported story edited again is a
//! correction).

use beatdesk_store::{audit, drafts, stories};
use beatdesk_types::{StoryStatus, StoryView};
use serde_json::json;

use crate::{Beatdesk, CoreError, Result};

/// A trimmed editor's name, or an error naming the action.
pub(crate) fn editor_name(action: &str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(CoreError::bad_input(
            action,
            "editor",
            "an editor's name of 1 to 120 characters is required",
        ));
    }
    Ok(name.to_string())
}

impl Beatdesk {
    /// Sets a story aside. Reversible with `unspike`; analysis keeps it.
    pub fn spike(&self, story_id: i64, editor: &str, reason: Option<&str>) -> Result<StoryView> {
        let editor = editor_name("spike", editor)?;
        let now = self.now();
        self.store.write(|tx| {
            let story = stories::get(tx, story_id)?;
            if story.status == StoryStatus::Spiked {
                return Err(CoreError::Invalid(format!(
                    "story {story_id} is already spiked"
                )));
            }
            stories::set_status(tx, story_id, StoryStatus::Spiked, now)?;
            audit::append(
                tx,
                now,
                &editor,
                "spike",
                Some(story_id),
                &json!({ "from": story.status.as_str(), "reason": reason }),
            )?;
            Ok(())
        })?;
        self.story(story_id)
    }

    /// Brings a spiked story back to the status it had when spiked.
    pub fn unspike(&self, story_id: i64, editor: &str) -> Result<StoryView> {
        let editor = editor_name("un-spike", editor)?;
        let now = self.now();
        self.store.write(|tx| {
            let story = stories::get(tx, story_id)?;
            if story.status != StoryStatus::Spiked {
                return Err(CoreError::Invalid(format!(
                    "story {story_id} is not spiked"
                )));
            }
            let before = audit::list(tx, Some(story_id))?
                .into_iter()
                .rev()
                .find(|e| e.action == "spike")
                .and_then(|e| {
                    e.detail
                        .get("from")
                        .and_then(|v| v.as_str())
                        .and_then(StoryStatus::parse)
                })
                .filter(|s| *s != StoryStatus::Spiked);
            let back = match before {
                Some(s) => s,
                None if drafts::latest(tx, story_id)?.is_some() => StoryStatus::Drafted,
                None => StoryStatus::Candidate,
            };
            stories::set_status(tx, story_id, back, now)?;
            audit::append(
                tx,
                now,
                &editor,
                "unspike",
                Some(story_id),
                &json!({ "to": back.as_str() }),
            )?;
            Ok(())
        })?;
        self.story(story_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests_support::drafted_story;

    #[test]
    fn spike_and_unspike_return_the_story_to_where_it_was() {
        let (app, story) = drafted_story();
        crate::tests_support::sign(&app, story);
        let v = app.spike(story, "Ana", Some("not news")).unwrap();
        assert_eq!(v.story.status, StoryStatus::Spiked);
        assert!(app.spike(story, "Ana", None).is_err(), "twice is refused");
        let v = app.unspike(story, "Ben").unwrap();
        assert_eq!(v.story.status, StoryStatus::Approved);
        let actions: Vec<String> = app
            .audit(Some(story))
            .unwrap()
            .into_iter()
            .map(|e| format!("{}:{}", e.actor, e.action))
            .collect();
        // On PostgreSQL the actor is the database login, not the typed name.
        let who = |name: &str| app.store().login().unwrap().unwrap_or(name.to_string());
        assert!(actions.ends_with(&[
            format!("{}:spike", who("Ana")),
            format!("{}:unspike", who("Ben"))
        ]));
        assert!(app.unspike(story, "Ben").is_err());
        assert!(app.spike(story, " ", None).is_err(), "a name is required");
    }
}
