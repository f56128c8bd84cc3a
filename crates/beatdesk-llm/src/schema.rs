//! JSON schemas of the replies, built per request so the allowed citation ids
//! are an `enum` of that story's R-ids. The strictest common subset: no `$ref`,
//! no min/max keywords, `additionalProperties: false` and every property
//! required on every object.

use serde_json::{json, Value};

/// What a call asks the model for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyShape {
    /// The whole story document (without methodology).
    Document,
    /// Headline, dek and the section plan with the records assigned to each.
    Outline,
    /// The paragraphs of one section.
    Section,
    /// The "story so far" recap and the FAQ (last call of an outlined draft).
    Tail,
    /// The FAQ alone.
    Faq,
}

impl ReplyShape {
    /// The schema's name (OpenAI `json_schema.name`, Anthropic tool name).
    pub fn name(self) -> &'static str {
        match self {
            ReplyShape::Document => "story_document",
            ReplyShape::Outline => "story_outline",
            ReplyShape::Section => "story_section",
            ReplyShape::Tail => "story_recap_and_faq",
            ReplyShape::Faq => "story_faq",
        }
    }

    pub fn schema(self, ids: &[String]) -> Value {
        match self {
            ReplyShape::Document => document_schema(ids),
            ReplyShape::Outline => outline_schema(ids),
            ReplyShape::Section => section_schema(ids),
            ReplyShape::Tail => object(&[
                ("story_so_far", array(para(ids))),
                ("faq", array(faq_item(ids))),
            ]),
            ReplyShape::Faq => object(&[("faq", array(faq_item(ids)))]),
        }
    }
}

fn string() -> Value {
    json!({"type": "string"})
}

fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

fn object(props: &[(&str, Value)]) -> Value {
    let mut properties = serde_json::Map::new();
    for (k, v) in props {
        properties.insert((*k).to_string(), v.clone());
    }
    let required: Vec<&str> = props.iter().map(|(k, _)| *k).collect();
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": required,
        "properties": properties,
    })
}

/// `{"type":"array","items":{"type":"string","enum":[ids]}}`.
pub fn cites(ids: &[String]) -> Value {
    array(json!({"type": "string", "enum": ids}))
}

fn para(ids: &[String]) -> Value {
    object(&[("text", string()), ("citations", cites(ids))])
}

fn faq_item(ids: &[String]) -> Value {
    object(&[("q", string()), ("a", string()), ("citations", cites(ids))])
}

/// The story-document schema of the reference (methodology is never the model's).
pub fn document_schema(ids: &[String]) -> Value {
    object(&[
        ("headline", string()),
        ("dek", string()),
        (
            "sections",
            array(object(&[
                ("heading", string()),
                ("paragraphs", array(para(ids))),
            ])),
        ),
        ("story_so_far", array(para(ids))),
        ("faq", array(faq_item(ids))),
    ])
}

pub fn outline_schema(ids: &[String]) -> Value {
    object(&[
        ("headline", string()),
        ("dek", string()),
        (
            "sections",
            array(object(&[("heading", string()), ("records", cites(ids))])),
        ),
    ])
}

/// One section: a heading (kept or improved) and its paragraphs.
pub fn section_schema(ids: &[String]) -> Value {
    object(&[("heading", string()), ("paragraphs", array(para(ids)))])
}

/// The shapes in words, for the byte-stable system prompt (and for servers in
/// `json_object` mode, which get no schema on the wire). Uses `R<n>` so it
/// never depends on the story.
pub const SHAPES_DESCRIPTION: &str = r#"Reply with one json object and nothing else: no code fences, no comments, no text before or after it.
The object has exactly the keys the request names, all required, no others. Its parts:
- PARAGRAPH = {"text": string, "citations": [id, ...]} where each id is a record id such as "R3".
- FAQ_ITEM = {"q": string, "a": string, "citations": [id, ...]}.
- A full story: {"headline": string, "dek": string, "sections": [{"heading": string, "paragraphs": [PARAGRAPH, ...]}, ...], "story_so_far": [PARAGRAPH, ...], "faq": [FAQ_ITEM, ...]}.
- An outline: {"headline": string, "dek": string, "sections": [{"heading": string, "records": [id, ...]}, ...]}.
- One section: {"heading": string, "paragraphs": [PARAGRAPH, ...]}.
- A recap and FAQ: {"story_so_far": [PARAGRAPH, ...], "faq": [FAQ_ITEM, ...]}.
- A FAQ alone: {"faq": [FAQ_ITEM, ...]}."#;

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(v: &Value, f: &mut dyn FnMut(&serde_json::Map<String, Value>)) {
        match v {
            Value::Object(m) => {
                f(m);
                m.values().for_each(|x| walk(x, f));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
            _ => {}
        }
    }

    #[test]
    fn every_schema_is_in_the_strict_subset() {
        let ids: Vec<String> = (1..=3).map(|i| format!("R{i}")).collect();
        for shape in [
            ReplyShape::Document,
            ReplyShape::Outline,
            ReplyShape::Section,
            ReplyShape::Tail,
            ReplyShape::Faq,
        ] {
            let s = shape.schema(&ids);
            walk(&s, &mut |m| {
                for banned in [
                    "$ref",
                    "minItems",
                    "maxItems",
                    "minLength",
                    "maxLength",
                    "minimum",
                ] {
                    assert!(!m.contains_key(banned), "{banned} in {}", shape.name());
                }
                if m.get("type") == Some(&json!("object")) && m.contains_key("properties") {
                    assert_eq!(m["additionalProperties"], json!(false));
                    let props: Vec<&String> = m["properties"].as_object().unwrap().keys().collect();
                    let req: Vec<&str> = m["required"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect();
                    assert_eq!(props.len(), req.len());
                    assert!(props.iter().all(|p| req.contains(&p.as_str())));
                }
            });
        }
        let doc = document_schema(&ids);
        let e = &doc["properties"]["faq"]["items"]["properties"]["citations"]["items"]["enum"];
        assert_eq!(e, &json!(["R1", "R2", "R3"]));
    }
}
