//! Taking an excluded source out of the draft in one step: its citations
//! removed, paragraphs quoting only it dropped. (Every citation of an edit
//! must be an included source of the story: `verify::check_citations`.)

use beatdesk_store::{audit, drafts};
use beatdesk_types::{DraftAuthor, Paragraph, StoryDocument, StoryView};
use serde_json::json;

use crate::{workflow, Beatdesk, CoreError, Result};

/// Takes `record_id` out of every citation list; a paragraph (or FAQ answer)
/// that cited only it is dropped, since it quotes that source. Returns how
/// many citations and paragraphs went.
pub fn uncite(doc: &mut StoryDocument, record_id: i64) -> (usize, usize) {
    let (mut cites, mut paras) = (0, 0);
    let mut strip = |list: &mut Vec<Paragraph>| {
        list.retain_mut(|p| {
            let had = p.citations.len();
            p.citations.retain(|c| *c != record_id);
            cites += had - p.citations.len();
            let only_it = had > 0 && p.citations.is_empty();
            paras += only_it as usize;
            !only_it
        })
    };
    for s in &mut doc.sections {
        strip(&mut s.paragraphs);
    }
    strip(&mut doc.story_so_far);
    doc.faq.retain_mut(|f| {
        let had = f.citations.len();
        f.citations.retain(|c| *c != record_id);
        cites += had - f.citations.len();
        let only_it = had > 0 && f.citations.is_empty();
        paras += only_it as usize;
        !only_it
    });
    (cites, paras)
}

impl Beatdesk {
    /// A new revision without `record_id`'s citations (see `uncite`).
    pub fn remove_citations(
        &self,
        story_id: i64,
        record_id: i64,
        base_revision: i64,
        editor: &str,
    ) -> Result<StoryView> {
        let editor = workflow::editor_name("remove citations", editor)?;
        let now = self.now();
        self.store.write(|tx| {
            let latest = drafts::latest(tx, story_id)?
                .ok_or_else(|| CoreError::Invalid(format!("story {story_id} has no draft")))?;
            if latest.revision != base_revision {
                return Err(CoreError::Invalid(format!(
                    "story {story_id} changed since you opened it (now revision {}); reload and try again",
                    latest.revision
                )));
            }
            let mut doc = latest.document.clone();
            let (cites, paras) = uncite(&mut doc, record_id);
            if cites == 0 {
                return Err(CoreError::bad_input(
                    "remove citations",
                    "record",
                    format!("revision {} does not cite record {record_id}", latest.revision),
                ));
            }
            let mut meta = latest.meta.clone();
            if !meta.is_object() {
                meta = json!({});
            }
            meta["based_on_revision"] = json!(latest.revision);
            meta["uncited"] = json!(record_id);
            let d = drafts::insert(tx, story_id, &DraftAuthor::Editor(editor.clone()), &doc, &meta, now)?;
            crate::verify::status_after_revision(tx, story_id, true, now)?;
            audit::append(
                tx,
                now,
                &editor,
                "remove_citations",
                Some(story_id),
                &json!({ "revision": d.revision, "record_id": record_id, "citations": cites, "paragraphs": paras }),
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
    use beatdesk_types::DocumentEdit;

    #[test]
    fn an_excluded_source_leaves_the_draft_in_one_step() {
        let (app, story) = drafted_story();
        let d = app.latest_draft(story).unwrap();
        let cited = d.document.cited_ids()[0];
        app.set_record_included(story, cited, false, 1.0, "Ana")
            .unwrap();
        let v = app.remove_citations(story, cited, 1, "Ana").unwrap();
        let nd = v.draft.unwrap();
        assert_eq!(nd.revision, 2);
        assert!(
            !nd.document.cited_ids().contains(&cited),
            "no citation of it is left"
        );
        assert!(
            nd.document.paragraphs().all(|p| !p.citations.is_empty()),
            "paragraphs quoting only it are gone, none left uncited"
        );
        assert!(
            app.remove_citations(story, cited, 2, "Ana").is_err(),
            "nothing left to remove"
        );

        // Citing it again is refused while it is excluded, with its label.
        let mut doc = nd.document.clone();
        let si = doc
            .sections
            .iter()
            .position(|s| !s.paragraphs.is_empty())
            .unwrap();
        doc.sections[si].paragraphs[0].citations.push(cited);
        let err = app
            .save_document(
                story,
                &DocumentEdit {
                    document: doc.clone(),
                    base_revision: 2,
                    editor: "Ana".into(),
                },
            )
            .unwrap_err();
        assert!(err.to_string().contains("is excluded"), "{err}");
        doc.sections[si].paragraphs[0].citations.pop();
        doc.sections[si].paragraphs[0].citations.push(999_999);
        let err = app
            .save_document(
                story,
                &DocumentEdit {
                    document: doc,
                    base_revision: 2,
                    editor: "Ana".into(),
                },
            )
            .unwrap_err();
        assert!(err.to_string().contains("not a source of story"), "{err}");
    }

    #[test]
    fn uncite_counts_what_it_removed() {
        let mut doc = StoryDocument {
            headline: "h".into(),
            story_so_far: vec![
                Paragraph {
                    text: "a".into(),
                    citations: vec![1],
                },
                Paragraph {
                    text: "b".into(),
                    citations: vec![1, 2],
                },
                Paragraph {
                    text: "own words".into(),
                    citations: vec![],
                },
            ],
            ..Default::default()
        };
        assert_eq!(uncite(&mut doc, 1), (2, 1));
        let texts: Vec<&str> = doc.story_so_far.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["b", "own words"]);
    }
}
