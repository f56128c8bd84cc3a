//! Manual sources: a reporter adds a URL (fetched and extracted like a web
//! citation) or pasted text to a beat or a story, with a note and their name.
//! Stored with platform `manual`, `added_by` and `note`; never rejected by the
//! beat's window or NSFW rules (the reporter chose it).

use beatdesk_store::{stories, Store};
use beatdesk_types::{Platform, RecordStatus};
use chrono::{DateTime, Utc};

use crate::error::{IngestError, Result};
use crate::http::Http;
use crate::normalize::{clean_whitespace, stable_hash, truncate};
use crate::pipeline::{Dedup, Outcome, Policy, Verdict};
use crate::sources::Item;
use crate::web::fetch_article;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ManualAdded {
    pub record_id: i64,
    /// False when the same URL or text had been added before (the record is reused).
    pub created: bool,
    pub status: RecordStatus,
    pub title: String,
}

fn looks_like_url(s: &str) -> bool {
    let s = s.trim();
    (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(char::is_whitespace)
}

/// Adds a manual source. `url_or_text` is a URL (fetched) or the pasted text.
#[allow(clippy::too_many_arguments)]
pub async fn add_manual(
    store: &Store,
    beat_id: i64,
    story_id: Option<i64>,
    url_or_text: &str,
    note: Option<&str>,
    by: &str,
    http: &Http,
    now: DateTime<Utc>,
) -> Result<ManualAdded> {
    if by.trim().is_empty() {
        return Err(IngestError::Config {
            location: "manual source".into(),
            field: "by".into(),
            problem: "the reporter's name is required".into(),
        });
    }
    let input = url_or_text.trim();
    let item = if looks_like_url(input) {
        fetch_article(http, input, Platform::Manual, now).await?.0
    } else {
        // Keep the reporter's line structure; tidy each line.
        let lines: Vec<String> = input.lines().map(clean_whitespace).collect();
        let text = lines
            .join("\n")
            .split("\n\n\n")
            .filter(|p| !p.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        let text = text.trim().to_string();
        if text.is_empty() {
            return Err(IngestError::Config {
                location: "manual source".into(),
                field: "text".into(),
                problem: "is empty".into(),
            });
        }
        let mut item = Item::new(
            Platform::Manual,
            format!("text:{}", stable_hash(&[&text])),
            now,
        );
        item.title = truncate(
            text.lines().find(|l| !l.trim().is_empty()).unwrap_or(""),
            120,
        );
        item.text = text;
        item.author = by.trim().to_string();
        item
    };
    let policy = Policy {
        window_days: u32::MAX / 2,
        allow_nsfw: true,
        now,
    };
    store.write(|tx| {
        if let Some(sid) = story_id {
            let story = stories::get(tx, sid)?;
            if story.beat_id != beat_id {
                return Err(IngestError::Config {
                    location: "manual source".into(),
                    field: "story".into(),
                    problem: format!("story {sid} belongs to another beat"),
                });
            }
        }
        let mut dedup = Dedup::load(tx, beat_id)?;
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from);
        let audit_note = note.clone();
        let (id, created, status) =
            match dedup.apply(tx, &item, None, note, Some(by.trim().to_string()), &policy)? {
                Outcome::New { id, verdict } => (
                    id,
                    true,
                    match verdict {
                        Verdict::Kept => RecordStatus::Kept,
                        Verdict::Rejected { .. } => RecordStatus::Rejected,
                        Verdict::Duplicate { .. } => RecordStatus::Duplicate,
                    },
                ),
                Outcome::Updated { id } => {
                    (id, false, beatdesk_store::records::get(tx, id)?.status)
                }
                Outcome::Repeated => unreachable!("a fresh index has seen nothing"),
            };
        if let Some(sid) = story_id {
            stories::add_link(tx, sid, id, now)?;
        }
        // The record and its audit entry share this transaction.
        beatdesk_store::audit::append(
            tx,
            now,
            by.trim(),
            "add_source",
            story_id,
            &serde_json::json!({ "record_id": id, "created": created, "note": audit_note }),
        )?;
        Ok(ManualAdded {
            record_id: id,
            created,
            status,
            title: item.title.clone(),
        })
    })
}
