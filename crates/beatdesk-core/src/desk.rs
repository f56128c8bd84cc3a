//! Operations the review window needs beyond the CLI's: settings and
//! exporting into the data directory.

use beatdesk_types::{AppSettings, ExportFormat, ExportResult};

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
}
