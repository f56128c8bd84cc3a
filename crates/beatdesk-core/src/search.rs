//! The story list's search, filters and sort, in SQL so a 100k-record beat
//! answers without loading its records.

use beatdesk_store::db::Value;
use beatdesk_store::stories;
use beatdesk_types::{StoryQuery, StorySort, StorySummary};

use crate::{views, Beatdesk, Result};

fn like(word: &str) -> String {
    let escaped = word
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl Beatdesk {
    /// A beat's live stories matching `q`, in its order.
    pub fn search_stories(&self, beat_id: i64, q: &StoryQuery) -> Result<Vec<StorySummary>> {
        let mut sql =
            String::from("SELECT s.id FROM stories s WHERE s.beat_id = ? AND s.retired = 0");
        let mut args: Vec<Value> = vec![Value::Int(beat_id)];
        if let Some(status) = q.status {
            sql.push_str(" AND s.status = ?");
            args.push(Value::Text(status.as_str().into()));
        }
        if let Some(platform) = q.platform {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM story_records sr JOIN records r ON r.id = sr.record_id
                   WHERE sr.story_id = s.id AND r.platform = ?)",
            );
            args.push(Value::Text(platform.as_str().into()));
        }
        for word in q.text.split_whitespace().take(8) {
            sql.push_str(
                " AND (lower(s.title) LIKE ?1x ESCAPE '\\' OR EXISTS (SELECT 1 FROM story_records sr JOIN records r ON r.id = sr.record_id
                   WHERE sr.story_id = s.id AND (lower(r.title) LIKE ?1x ESCAPE '\\' OR lower(r.text) LIKE ?1x ESCAPE '\\' OR lower(r.author) LIKE ?1x ESCAPE '\\')))",
            );
            let pattern = like(word);
            // Four placeholders for the same word.
            sql = sql.replace("?1x", "?");
            for _ in 0..4 {
                args.push(Value::Text(pattern.clone()));
            }
        }
        sql.push_str(match q.sort {
            StorySort::Signal => " ORDER BY s.signal DESC, s.id",
            StorySort::Time => {
                " ORDER BY (SELECT MAX(r.published_at) FROM story_records sr JOIN records r ON r.id = sr.record_id WHERE sr.story_id = s.id) DESC, s.id"
            }
            StorySort::Size => {
                " ORDER BY (SELECT COUNT(*) FROM story_records sr WHERE sr.story_id = s.id AND sr.included = 1) DESC, s.signal DESC, s.id"
            }
        });
        self.store.read(|c| {
            let mut stmt = c.prepare(&sql).map_err(beatdesk_store::StoreError::from)?;
            let ids = stmt
                .query_map(beatdesk_store::db::params_from_iter(args), |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(beatdesk_store::StoreError::from)?
                .collect::<beatdesk_store::db::Result<Vec<i64>>>()
                .map_err(beatdesk_store::StoreError::from)?;
            ids.into_iter()
                .map(|id| views::summary(c, stories::get(c, id)?))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::tests_support::drafted_story;
    use beatdesk_types::{Platform, StoryQuery, StorySort, StoryStatus};

    #[test]
    fn search_filters_and_sorts_the_story_list() {
        let (app, story) = drafted_story();
        let beat = app.beats().unwrap()[0].id;
        let all = app.search_stories(beat, &StoryQuery::default()).unwrap();
        assert_eq!(
            all,
            app.stories_of(beat).unwrap(),
            "the default is the ranked list"
        );
        // A word from one record's author finds that record's story.
        let recs = app.story_records(story).unwrap();
        let author = recs[0].record.author.clone();
        let found = app
            .search_stories(
                beat,
                &StoryQuery {
                    text: author.to_uppercase(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(
            found.iter().any(|s| s.id == story),
            "case-insensitive author search"
        );
        let title = recs[0].record.title.clone();
        let found = app
            .search_stories(
                beat,
                &StoryQuery {
                    text: title,
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(
            found.iter().any(|s| s.id == story),
            "a record's title finds its story"
        );
        assert!(found.len() < all.len(), "and narrows the list");
        let none = app
            .search_stories(
                beat,
                &StoryQuery {
                    text: "zzqx%_".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(none.is_empty(), "wildcards are literal");
        let drafted = app
            .search_stories(
                beat,
                &StoryQuery {
                    status: Some(StoryStatus::Drafted),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(!drafted.is_empty() && drafted.iter().all(|s| s.status == StoryStatus::Drafted));
        let bluesky = app
            .search_stories(
                beat,
                &StoryQuery {
                    platform: Some(Platform::Bluesky),
                    ..Default::default()
                },
            )
            .unwrap();
        for s in &bluesky {
            assert!(app
                .story_records(s.id)
                .unwrap()
                .iter()
                .any(|r| r.record.platform == Platform::Bluesky));
        }
        let by_size = app
            .search_stories(
                beat,
                &StoryQuery {
                    sort: StorySort::Size,
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(by_size
            .windows(2)
            .all(|w| w[0].record_count >= w[1].record_count));
        assert_eq!(by_size.len(), all.len());
    }
}
