//! A story's history: open any revision, compare two, restore one as a new
//! revision (nothing is ever overwritten), and the story's audit log.

use beatdesk_store::{audit, drafts, labels, stories, Connection};
use beatdesk_types::{Draft, DraftAuthor, RevisionDiff, StoryView};
use serde_json::json;

use crate::{diff, workflow, Beatdesk, CoreError, Result};

fn revision_of(conn: &Connection, story_id: i64, revision: i64) -> Result<Draft> {
    stories::get(conn, story_id)?;
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM drafts WHERE story_id = ?1 AND revision = ?2",
            [story_id, revision],
            |r| r.get(0),
        )
        .ok();
    match id {
        Some(id) => Ok(drafts::get(conn, id)?),
        None => Err(CoreError::not_found(
            "revision",
            format!("{revision} of story {story_id}"),
        )),
    }
}

impl Beatdesk {
    /// One revision, read-only.
    pub fn revision(&self, story_id: i64, revision: i64) -> Result<Draft> {
        self.store.read(|c| revision_of(c, story_id, revision))
    }

    /// Compares revision `from` with revision `to`, by paragraph and word.
    pub fn compare_revisions(&self, story_id: i64, from: i64, to: i64) -> Result<RevisionDiff> {
        self.store.read(|c| {
            let a = revision_of(c, story_id, from)?;
            let b = revision_of(c, story_id, to)?;
            let labels = labels::for_story(c, story_id)?;
            let blocks = diff::compare(&a.document, &b.document, &labels);
            let changed = blocks.iter().filter(|b| b.change != "same").count() as i64;
            Ok(RevisionDiff {
                story_id,
                from,
                to,
                blocks,
                changed,
            })
        })
    }

    /// Writes revision `revision`'s document again as a new revision. Refused
    /// when the story moved past `base_revision` (another window saved).
    pub fn restore_revision(
        &self,
        story_id: i64,
        revision: i64,
        base_revision: i64,
        editor: &str,
    ) -> Result<StoryView> {
        let editor = workflow::editor_name("restore", editor)?;
        let now = self.now();
        self.store.write(|tx| {
            let old = revision_of(tx, story_id, revision)?;
            let latest = drafts::latest(tx, story_id)?.ok_or_else(|| {
                CoreError::Invalid(format!("story {story_id} has no revisions"))
            })?;
            if latest.revision != base_revision {
                return Err(CoreError::Invalid(format!(
                    "story {story_id} changed since you opened it (now revision {}, you had {base_revision}); reload and try again",
                    latest.revision
                )));
            }
            if revision == latest.revision {
                return Err(CoreError::bad_input(
                    "restore",
                    "revision",
                    format!("revision {revision} is already the current one"),
                ));
            }
            let mut meta = old.meta.clone();
            if !meta.is_object() {
                meta = json!({});
            }
            meta["restored_from"] = json!(revision);
            meta["based_on_revision"] = json!(latest.revision);
            let d = drafts::insert(
                tx,
                story_id,
                &DraftAuthor::Editor(editor.clone()),
                &old.document,
                &meta,
                now,
            )?;
            for id in d.document.cited_ids() {
                labels::ensure(tx, story_id, id)?;
            }
            crate::verify::status_after_revision(tx, story_id, true, now)?;
            audit::append(
                tx,
                now,
                &editor,
                "restore",
                Some(story_id),
                &json!({ "revision": d.revision, "restored_from": revision }),
            )?;
            Ok(())
        })?;
        self.story(story_id)
    }
}

#[cfg(test)]
mod tests {
    use crate::tests_support::drafted_story;
    use beatdesk_types::DocumentEdit;

    #[test]
    fn restore_writes_a_new_revision_and_keeps_every_old_one() {
        let (app, story) = drafted_story();
        let r1 = app.latest_draft(story).unwrap();
        let mut doc = r1.document.clone();
        doc.headline = "An editor's headline".into();
        doc.sections[0].paragraphs.remove(0);
        app.save_document(
            story,
            &DocumentEdit {
                document: doc,
                base_revision: 1,
                editor: "Ana".into(),
            },
        )
        .unwrap();
        let diff = app.compare_revisions(story, 1, 2).unwrap();
        assert!(
            diff.changed >= 2,
            "headline and a removed paragraph: {diff:?}"
        );
        assert!(diff
            .blocks
            .iter()
            .any(|b| b.place == "Headline" && b.change == "changed"));
        assert!(diff.blocks.iter().any(|b| b.change == "removed"));

        // A stale window cannot restore over a newer revision.
        assert!(app.restore_revision(story, 1, 1, "Ana").is_err());
        let v = app.restore_revision(story, 1, 2, "Ana").unwrap();
        let d = v.draft.unwrap();
        assert_eq!(d.revision, 3);
        assert_eq!(d.document, r1.document, "the old text is back");
        assert_eq!(d.meta["restored_from"], 1);
        assert_eq!(
            app.revision(story, 2).unwrap().document.headline,
            "An editor's headline"
        );
        let log = app.audit(Some(story)).unwrap();
        assert_eq!(log.last().unwrap().action, "restore");
        assert!(
            app.compare_revisions(story, 1, 9).is_err(),
            "unknown revision"
        );
    }
}
