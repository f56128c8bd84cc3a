//! Operations the review window needs beyond the CLI's: settings and
//! exporting into the data directory.

use beatdesk_types::{AppSettings, ExportFormat, ExportResult};

use beatdesk_store::{records, stories};

use crate::{Beatdesk, CoreError, Result, SETTING_EDITOR_NAME};

impl Beatdesk {
    pub fn settings(&self) -> Result<AppSettings> {
        Ok(AppSettings {
            editor_name: self.setting(SETTING_EDITOR_NAME)?,
            home: self
                .home()
                .map(|h| h.display().to_string())
                .unwrap_or_else(|| ":memory:".into()),
        })
    }

    /// The editor's name, asked once and kept for sign-offs.
    pub fn set_editor_name(&self, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(CoreError::bad_input(
                "settings",
                "editor name",
                "must be 1 to 120 characters",
            ));
        }
        self.set_setting(SETTING_EDITOR_NAME, name)
    }

    /// Exports the latest revision to `<home>/exports/story-<id>-r<rev>.<ext>`.
    pub fn export_to_home(
        &self,
        story_id: i64,
        format: ExportFormat,
        actor: &str,
    ) -> Result<ExportResult> {
        let home = self
            .home()
            .ok_or_else(|| CoreError::Invalid("no data directory to export into".into()))?;
        let dir = home.join("exports");
        std::fs::create_dir_all(&dir).map_err(|error| CoreError::Io {
            path: dir.display().to_string(),
            error,
        })?;
        let draft = self.latest_draft(story_id)?;
        let ext = match format {
            ExportFormat::Markdown => "md",
            ExportFormat::Html => "html",
        };
        let path = dir.join(format!("story-{story_id}-r{}.{ext}", draft.revision));
        let (_, export) = self.export(story_id, format, Some(&path), actor)?;
        Ok(ExportResult {
            export,
            path: Some(path.display().to_string()),
        })
    }

    /// A number that changes when another process commits to the store (and
    /// only then): `src-tauri/src/watch.rs` polls it.
    pub fn store_version(&self) -> Result<i64> {
        Ok(self.store.data_version()?)
    }

    /// A connection of its own that copies SQLite's log back into the file
    /// (`None` on PostgreSQL): the window's watch thread runs it, so commits
    /// do not pay for checkpoints.
    pub fn checkpointer(&self) -> Result<Option<beatdesk_store::Checkpointer>> {
        Ok(self.store.checkpointer()?)
    }

    /// The stored text of one of the story's records: the window's story view
    /// leaves texts out and asks for one when a card is opened.
    pub fn record_text(&self, story_id: i64, record_id: i64) -> Result<String> {
        self.store.read(|c| {
            let in_story = stories::links(c, story_id)?
                .iter()
                .any(|l| l.record_id == record_id);
            if !in_story {
                return Err(CoreError::not_found(
                    "record in this story",
                    format!("{record_id} (story {story_id})"),
                ));
            }
            Ok(records::get(c, record_id)?.text)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::tests_support::drafted_story;

    #[test]
    fn the_windows_view_leaves_texts_out_and_record_text_gives_them_back() {
        let (app, story) = drafted_story();
        let full = app.story(story).unwrap();
        let light = full.clone().without_texts();
        assert_eq!(full.records.len(), light.records.len());
        for (f, l) in full.records.iter().zip(&light.records) {
            assert!(l.text_omitted && l.record.text.is_empty());
            assert_eq!(l.text_chars, f.record.text.chars().count() as u64);
            assert_eq!(app.record_text(story, f.record.id).unwrap(), f.record.text);
        }
        assert!(full.records.iter().any(|r| !r.record.text.is_empty()));
        // A record of another story (or none) is refused, not served.
        let err = app.record_text(story, 999_999).unwrap_err();
        assert_eq!(err.code(), "not_found", "{err}");
    }

    #[test]
    fn the_store_version_moves_only_when_another_process_commits() {
        let dir = std::env::temp_dir().join(format!("beatdesk-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let app = crate::Beatdesk::open(&dir).unwrap();
        let v0 = app.store_version().unwrap();
        // Our own writes do not count: the window already knows about them.
        app.set_editor_name("Ana").unwrap();
        assert_eq!(app.store_version().unwrap(), v0);
        // Another connection to the file stands in for the CLI.
        let other = crate::Beatdesk::open(&dir).unwrap();
        other.set_editor_name("Ben").unwrap();
        let v1 = app.store_version().unwrap();
        assert_ne!(v1, v0, "a commit elsewhere changes the version");
        assert_eq!(
            app.store_version().unwrap(),
            v1,
            "and it stays until the next one"
        );
        drop((app, other));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
