use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A paragraph and the records it rests on. `citations` are record ids; a
/// paragraph without citations is an editor's own words and is shown as such.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Paragraph {
    pub text: String,
    #[serde(default)]
    #[ts(type = "number[]")]
    pub citations: Vec<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Section {
    pub heading: String,
    #[serde(default)]
    pub paragraphs: Vec<Paragraph>,
}

/// One question of the "Frequently Asked" section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FaqItem {
    pub q: String,
    pub a: String,
    #[serde(default)]
    #[ts(type = "number[]")]
    pub citations: Vec<i64>,
}

/// The story document: what a writer drafts and an editor edits. Every
/// revision of a story stores one of these, whole and immutable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StoryDocument {
    pub headline: String,
    pub dek: String,
    #[serde(default)]
    pub sections: Vec<Section>,
    #[serde(default)]
    pub story_so_far: Vec<Paragraph>,
    #[serde(default)]
    pub faq: Vec<FaqItem>,
    /// Built from facts (records, citations, writer, sign-off), never typed by a model.
    #[serde(default)]
    pub methodology: String,
}

impl StoryDocument {
    /// Every paragraph of the document, in reading order.
    pub fn paragraphs(&self) -> impl Iterator<Item = &Paragraph> {
        self.sections
            .iter()
            .flat_map(|s| s.paragraphs.iter())
            .chain(self.story_so_far.iter())
    }

    /// Every record id cited anywhere, sorted and unique.
    pub fn cited_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .paragraphs()
            .flat_map(|p| p.citations.iter().copied())
            .chain(self.faq.iter().flat_map(|f| f.citations.iter().copied()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cited_ids_are_collected_from_sections_story_so_far_and_faq() {
        let doc = StoryDocument {
            sections: vec![Section {
                heading: "A".into(),
                paragraphs: vec![Paragraph {
                    text: "x".into(),
                    citations: vec![3, 1],
                }],
            }],
            story_so_far: vec![Paragraph {
                text: "y".into(),
                citations: vec![1, 7],
            }],
            faq: vec![FaqItem {
                q: "q".into(),
                a: "a".into(),
                citations: vec![9],
            }],
            ..Default::default()
        };
        assert_eq!(doc.cited_ids(), vec![1, 3, 7, 9]);
    }

    #[test]
    fn missing_optional_parts_deserialize_to_empty() {
        let doc: StoryDocument = serde_json::from_str(r#"{"headline":"H","dek":"D"}"#).unwrap();
        assert!(doc.sections.is_empty() && doc.faq.is_empty() && doc.methodology.is_empty());
    }
}
