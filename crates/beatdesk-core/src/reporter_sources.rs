//! A reporter's source from the window: the URL is checked before anything
//! is fetched, pasted words are attributed to who said them (not to the
//! editor who pasted them), and a manual source can be taken off a story.

use beatdesk_store::{audit, drafts, stories, to_sql_time};
use beatdesk_types::{Attribution, Platform, StoryView};
use serde_json::json;

use crate::{workflow, Beatdesk, CoreError, Result, SourceTarget};

/// Input that starts like a URL must be one: "https://not a valid url" is a
/// typo, not a statement.
pub fn check_url_input(input: &str) -> Result<()> {
    let t = input.trim();
    let lower = t.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return Ok(());
    };
    let bad = |problem: String| Err(CoreError::bad_input("manual source", "url", problem));
    if t.contains(char::is_whitespace) {
        return bad(format!("{t:?} is not a valid URL: it contains a space"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    if host.is_empty() || !host.contains('.') && host != "localhost" {
        return bad(format!("{t:?} is not a valid URL: no host name"));
    }
    if !host
        .chars()
        .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
    {
        return bad(format!(
            "{t:?} is not a valid URL: the host name {host:?} has invalid characters"
        ));
    }
    Ok(())
}

impl Beatdesk {
    /// Adds a reporter's source to a story with who said it, in what capacity and when.
    pub async fn add_attributed_source(
        &self,
        story_id: i64,
        input: &str,
        note: Option<&str>,
        attribution: &Attribution,
        by: &str,
    ) -> Result<StoryView> {
        check_url_input(input)?;
        let by = workflow::editor_name("manual source", by)?;
        if attribution.who.chars().count() > 200 || attribution.capacity.chars().count() > 200 {
            return Err(CoreError::bad_input(
                "manual source",
                "attribution",
                "who and capacity are at most 200 characters",
            ));
        }
        let added = self
            .add_source(&SourceTarget::Story(story_id), input, note, &by)
            .await?;
        let who = attribution.who.trim();
        if !who.is_empty() || !attribution.capacity.trim().is_empty() || attribution.when.is_some()
        {
            let now = self.now();
            self.store.write(|tx| {
                let r = beatdesk_store::records::get(tx, added.record_id)?;
                if r.platform != Platform::Manual {
                    return Ok(());
                }
                let capacity = attribution.capacity.trim();
                tx.execute(
                    "UPDATE records SET author = ?2, community = ?3, published_at = ?4 WHERE id = ?1",
                    beatdesk_store::params![
                        r.id,
                        if who.is_empty() { r.author.as_str() } else { who },
                        if capacity.is_empty() { r.community.clone() } else { Some(capacity.to_string()) },
                        to_sql_time(attribution.when.unwrap_or(r.published_at)),
                    ],
                )
                .map_err(beatdesk_store::StoreError::from)?;
                audit::append(
                    tx,
                    now,
                    &by,
                    "attribute_source",
                    Some(story_id),
                    &json!({ "record_id": r.id, "who": who, "capacity": capacity, "when": attribution.when }),
                )?;
                Ok::<_, CoreError>(())
            })?;
        }
        self.story(story_id)
    }

    /// Takes a reporter's source off a story. Refused while the latest
    /// revision cites it; the record stays in the beat and keeps its label.
    pub fn remove_manual_source(
        &self,
        story_id: i64,
        record_id: i64,
        editor: &str,
    ) -> Result<StoryView> {
        let editor = workflow::editor_name("remove source", editor)?;
        let now = self.now();
        self.store.write(|tx| {
            let r = beatdesk_store::records::get(tx, record_id)?;
            if r.platform != Platform::Manual {
                return Err(CoreError::bad_input(
                    "remove source",
                    "record",
                    format!(
                        "record {record_id} came from {}; exclude it instead",
                        r.platform.as_str()
                    ),
                ));
            }
            if let Some(d) = drafts::latest(tx, story_id)? {
                if d.document.cited_ids().contains(&record_id) {
                    return Err(CoreError::bad_input(
                        "remove source",
                        "record",
                        format!(
                            "revision {} cites it; remove its citations first",
                            d.revision
                        ),
                    ));
                }
            }
            let n = tx
                .execute(
                    "DELETE FROM story_records WHERE story_id = ?1 AND record_id = ?2",
                    [story_id, record_id],
                )
                .map_err(beatdesk_store::StoreError::from)?;
            if n == 0 {
                return Err(CoreError::not_found(
                    "story source",
                    format!("{record_id} in story {story_id}"),
                ));
            }
            stories::get(tx, story_id)?;
            audit::append(
                tx,
                now,
                &editor,
                "remove_source",
                Some(story_id),
                &json!({ "record_id": record_id }),
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
    use chrono::TimeZone;

    #[test]
    fn urls_that_are_not_urls_are_refused_with_the_reason() {
        let e = check_url_input("https://not a valid url").unwrap_err();
        assert_eq!(e.to_string(), "manual source: url: \"https://not a valid url\" is not a valid URL: it contains a space");
        assert!(check_url_input("https://").is_err());
        assert!(check_url_input("http://exa<mple.org/x").is_err());
        assert!(check_url_input("https://example.org/a?b=1").is_ok());
        assert!(
            check_url_input("The minister said on Monday that…").is_ok(),
            "text is text"
        );
    }

    #[tokio::test]
    async fn pasted_words_are_attributed_and_can_be_removed_again() {
        let (app, story) = drafted_story();
        let when = chrono::Utc
            .with_ymd_and_hms(2026, 11, 27, 15, 0, 0)
            .unwrap();
        let v = app
            .add_attributed_source(
                story,
                "We will publish the weights next week.",
                Some("phone call"),
                &Attribution {
                    who: "Dana Kim".into(),
                    capacity: "spokesperson for the lab".into(),
                    when: Some(when),
                },
                "Ana Ruiz",
            )
            .await
            .unwrap();
        let sr = v
            .records
            .iter()
            .find(|r| r.record.platform == Platform::Manual)
            .expect("added");
        assert_eq!(sr.record.author, "Dana Kim", "the speaker, not the editor");
        assert_eq!(
            sr.record.community.as_deref(),
            Some("spokesperson for the lab")
        );
        assert_eq!(sr.record.added_by.as_deref(), Some("Ana Ruiz"));
        assert_eq!(sr.record.published_at, when);
        let label = sr.label;
        // The next redraft uses the statement, credited to who said it.
        let d = app.draft(story, "offline").unwrap();
        let cited: Vec<&beatdesk_types::Paragraph> = d
            .document
            .paragraphs()
            .filter(|p| p.citations.contains(&sr.record.id))
            .collect();
        assert!(
            cited.iter().any(|p| p
                .text
                .starts_with("Dana Kim, spokesperson for the lab, told Ana Ruiz: ")),
            "{cited:?}"
        );
        assert!(label > 0);
        let id = sr.record.id;
        let err = app.remove_manual_source(story, id, "Ana Ruiz").unwrap_err();
        assert!(
            err.to_string().contains("remove its citations first"),
            "{err}"
        );
        app.remove_citations(story, id, d.revision, "Ana Ruiz")
            .unwrap();
        let v = app.remove_manual_source(story, id, "Ana Ruiz").unwrap();
        assert!(v.records.iter().all(|r| r.record.id != id));
        let other = v.records[0].record.id;
        assert!(
            app.remove_manual_source(story, other, "Ana").is_err(),
            "only manual sources"
        );
        // Added again, it gets its old label back: labels are for the life of the story.
        let v = app
            .add_attributed_source(
                story,
                "We will publish the weights next week.",
                None,
                &Attribution::default(),
                "Ana Ruiz",
            )
            .await
            .unwrap();
        assert_eq!(
            v.records.iter().find(|r| r.record.id == id).unwrap().label,
            label
        );
    }
}
