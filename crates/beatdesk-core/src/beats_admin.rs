//! Beats from the window: rename and remove. Creating and configuring are
//! `add_beat` and `set_beat_config`.

use beatdesk_store::{audit, beats};
use beatdesk_types::Beat;
use serde_json::json;

use crate::{Beatdesk, CoreError, Result};

impl Beatdesk {
    pub fn rename_beat(&self, beat_id: i64, name: &str, actor: &str) -> Result<Beat> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(CoreError::bad_input(
                "beat",
                "name",
                "must be 1 to 120 characters",
            ));
        }
        let now = self.now();
        self.store.write(|tx| {
            let old = beats::get(tx, beat_id)?;
            if let Some(other) = beats::find_by_name(tx, name)? {
                if other.id != beat_id {
                    return Err(CoreError::bad_input(
                        "beat",
                        "name",
                        format!("a beat named {name:?} already exists"),
                    ));
                }
            }
            beats::rename(tx, beat_id, name)?;
            audit::append(
                tx,
                now,
                actor,
                "rename_beat",
                None,
                &json!({ "beat_id": beat_id, "from": old.name, "to": name }),
            )?;
            Ok(beats::get(tx, beat_id)?)
        })
    }

    /// Removes a beat: its sources and records go, its stories retire, and the
    /// beat leaves the list; revisions, sign-offs and exports stay as history.
    /// `confirm_name` must repeat the beat's name: the window's second confirmation.
    pub fn remove_beat(&self, beat_id: i64, confirm_name: &str, actor: &str) -> Result<()> {
        let now = self.now();
        self.store.write(|tx| {
            let beat = beats::get(tx, beat_id)?;
            if confirm_name.trim() != beat.name {
                return Err(CoreError::bad_input(
                    "remove beat",
                    "confirmation",
                    format!("type the beat's name, {:?}, to remove it", beat.name),
                ));
            }
            beats::archive(tx, beat_id, now)?;
            audit::append(
                tx,
                now,
                actor,
                "remove_beat",
                None,
                &json!({ "beat_id": beat_id, "name": beat.name, "records": beat.record_count, "stories": beat.story_count }),
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::tests_support::drafted_story;

    #[test]
    fn rename_checks_names_and_remove_needs_the_name_typed() {
        let (app, story) = drafted_story();
        // A signed-off story: its sign-off goes with the beat too.
        crate::tests_support::sign(&app, story);
        let beat = app.beats().unwrap().remove(0);
        app.add_beat("Chips", None).unwrap();
        assert!(app.rename_beat(beat.id, "Chips", "Ana").is_err(), "taken");
        assert!(app.rename_beat(beat.id, "  ", "Ana").is_err(), "empty");
        let b = app.rename_beat(beat.id, "Open models", "Ana").unwrap();
        assert_eq!(b.name, "Open models");
        let err = app.remove_beat(beat.id, "Open", "Ana").unwrap_err();
        assert!(err.to_string().contains("\"Open models\""), "{err}");
        assert!(
            app.records("Open models").unwrap().len() > 10,
            "nothing removed yet"
        );
        app.remove_beat(beat.id, "Open models", "Ana").unwrap();
        let names: Vec<String> = app.beats().unwrap().into_iter().map(|b| b.name).collect();
        assert_eq!(names, vec!["Chips"]);
        let left: i64 = app
            .store()
            .read(|c| c.query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(left, 0, "its records went with it");
        let kept: i64 = app
            .store()
            .read(|c| {
                c.query_row(
                    "SELECT COUNT(*) FROM drafts d JOIN signoffs s ON s.draft_id = d.id",
                    [],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert_eq!(kept, 1, "its signed revision is history and stays");
        app.add_beat("Open models", None)
            .expect("the name is free again");
        assert!(app
            .audit(None)
            .unwrap()
            .iter()
            .any(|e| e.action == "remove_beat"));
    }
}
