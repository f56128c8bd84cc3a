//! The unsaved-edit buffer: the window writes the editor's working copy here
//! as they type (debounced), so a crash or a closed window loses nothing.

use beatdesk_store::{buffers, drafts, stories};
use beatdesk_types::{EditBuffer, StoryDocument};

use crate::{Beatdesk, CoreError, Result};

impl Beatdesk {
    pub fn keep_edit(
        &self,
        story_id: i64,
        base_revision: i64,
        document: &StoryDocument,
    ) -> Result<()> {
        let json = serde_json::to_string(document).expect("document serializes");
        let now = self.now();
        self.store.write(|tx| {
            stories::get(tx, story_id)?;
            buffers::put(tx, story_id, base_revision, &json, now)?;
            Ok::<_, CoreError>(())
        })
    }

    /// The story's unsaved edit, unless it is already the latest revision's text.
    pub fn edit_buffer(&self, story_id: i64) -> Result<Option<EditBuffer>> {
        self.store.read(|c| {
            let Some((base_revision, json, saved_at)) = buffers::get(c, story_id)? else {
                return Ok(None);
            };
            let document: StoryDocument = serde_json::from_str(&json).map_err(|e| {
                CoreError::bad_input("edit buffer", format!("story {story_id}"), e.to_string())
            })?;
            if drafts::latest(c, story_id)?.is_some_and(|d| d.document == document) {
                return Ok(None);
            }
            Ok(Some(EditBuffer {
                story_id,
                base_revision,
                document,
                saved_at,
            }))
        })
    }

    pub fn discard_edit(&self, story_id: i64) -> Result<()> {
        self.store
            .write(|tx| buffers::clear(tx, story_id).map_err(CoreError::from))
    }
}

#[cfg(test)]
mod tests {
    use crate::tests_support::drafted_story;
    use beatdesk_types::DocumentEdit;

    #[test]
    fn an_unsaved_edit_is_offered_back_until_saved_or_discarded() {
        let (app, story) = drafted_story();
        assert_eq!(app.edit_buffer(story).unwrap(), None);
        let mut doc = app.latest_draft(story).unwrap().document;
        doc.headline = "Half-typed headl".into();
        app.keep_edit(story, 1, &doc).unwrap();
        doc.headline = "Half-typed headline".into();
        app.keep_edit(story, 1, &doc).unwrap();
        let b = app.edit_buffer(story).unwrap().expect("kept");
        assert_eq!(
            (b.base_revision, b.document.headline.as_str()),
            (1, "Half-typed headline")
        );
        // Saved: the buffer equals the latest revision and is no longer offered.
        app.save_document(
            story,
            &DocumentEdit {
                document: doc.clone(),
                base_revision: 1,
                editor: "Ana".into(),
            },
        )
        .unwrap();
        assert_eq!(app.edit_buffer(story).unwrap(), None);
        doc.dek = "more".into();
        app.keep_edit(story, 2, &doc).unwrap();
        app.discard_edit(story).unwrap();
        assert_eq!(app.edit_buffer(story).unwrap(), None);
        assert!(app.keep_edit(9999, 1, &doc).is_err(), "unknown story");
    }
}
