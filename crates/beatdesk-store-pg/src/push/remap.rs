//! Ids inside JSON columns: a revision's document cites records by id, and
//! audit details and revision meta name records, stories and revisions.

use super::tables::{Kind, DRAFT, RECORD, STORY};

/// Translates the ids inside a JSON text: `citations`, `citations_before`,
/// `citations_after`, `record_ids` and `record_id` name records, keys
/// ending in `story_id` stories, `draft_id` a revision. An id with no
/// translation, or text that is not JSON, is left as it is.
pub fn remap_json(text: &str, map: &dyn Fn(Kind, i64) -> Option<i64>) -> String {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(text) else {
        return text.to_string();
    };
    walk(&mut v, None, map);
    v.to_string()
}

fn walk(v: &mut serde_json::Value, kind: Option<Kind>, map: &dyn Fn(Kind, i64) -> Option<i64>) {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            if let (Some(k), Some(local)) = (kind, n.as_i64()) {
                if let Some(remote) = map(k, local) {
                    *v = Value::from(remote);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, kind, map)),
        Value::Object(fields) => {
            for (key, val) in fields.iter_mut() {
                let k = match key.as_str() {
                    "citations" | "citations_before" | "citations_after" | "record_ids"
                    | "record_id" => Some(RECORD),
                    "draft_id" => Some(DRAFT),
                    k if k.ends_with("story_id") => Some(STORY),
                    _ => None,
                };
                walk(val, k, map);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_inside_documents_and_audit_details_are_translated() {
        let map = |k: Kind, l: i64| match (k, l) {
            (RECORD, 51) => Some(1051),
            (RECORD, 64) => Some(1064),
            (STORY, 3) => Some(103),
            (DRAFT, 7) => Some(107),
            _ => None,
        };
        let doc = r#"{"headline":"51 models","sections":[{"paragraphs":[{"text":"x","citations":[51,64,99]}]}],"faq":[{"q":"?","citations":[64]}]}"#;
        let out: serde_json::Value = serde_json::from_str(&remap_json(doc, &map)).unwrap();
        assert_eq!(
            out["sections"][0]["paragraphs"][0]["citations"],
            serde_json::json!([1051, 1064, 99])
        );
        assert_eq!(out["faq"][0]["citations"], serde_json::json!([1064]));
        assert_eq!(
            out["headline"], "51 models",
            "text is data, never translated"
        );
        let detail =
            r#"{"record_id":51,"from_story_id":3,"to_story_id":4,"draft_id":7,"revision":51}"#;
        let out: serde_json::Value = serde_json::from_str(&remap_json(detail, &map)).unwrap();
        assert_eq!(
            out,
            serde_json::json!({"record_id":1051,"from_story_id":103,"to_story_id":4,"draft_id":107,"revision":51})
        );
        assert_eq!(remap_json("not json [51]", &map), "not json [51]");
    }
}
