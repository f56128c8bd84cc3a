//! Every reply is checked against its schema before it becomes a document:
//! it must be JSON, every required key present with the right type, and
//! every citation one of the ids the request allowed. R-ids are mapped back
//! to record ids here. A failure names the path of the problem.

use beatdesk_types::{FaqItem, Paragraph, Section, StoryDocument};
use serde_json::{Map, Value};

/// Maps the ids a call allowed to record ids.
pub struct IdMap<'a> {
    pub allowed: &'a [String],
    pub to_record: &'a dyn Fn(&str) -> Option<i64>,
}

type Obj = Map<String, Value>;

/// Parses the reply text as one JSON object (a Markdown code fence around it is tolerated).
pub fn parse_object(text: &str) -> Result<Obj, String> {
    let t = text.trim();
    let t = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .and_then(|s| s.trim_end().strip_suffix("```"))
        .unwrap_or(t)
        .trim();
    if t.is_empty() {
        return Err("the reply is empty".into());
    }
    match serde_json::from_str::<Value>(t) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(format!(
            "the reply is JSON but not an object (it is {})",
            kind(&other)
        )),
        Err(e) => Err(format!("the reply is not valid JSON: {e}")),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn field<'v>(o: &'v Obj, key: &str, path: &str) -> Result<&'v Value, String> {
    o.get(key)
        .ok_or_else(|| format!("{}: the required key \"{key}\" is missing", where_(path)))
}

fn where_(path: &str) -> &str {
    if path.is_empty() {
        "the reply"
    } else {
        path
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn string(o: &Obj, key: &str, path: &str, non_empty: bool) -> Result<String, String> {
    let p = join(path, key);
    match field(o, key, path)? {
        Value::String(s) if non_empty && s.trim().is_empty() => Err(format!("{p} is empty")),
        Value::String(s) => Ok(s.trim().to_string()),
        other => Err(format!("{p} must be a string, not {}", kind(other))),
    }
}

fn array<'v>(o: &'v Obj, key: &str, path: &str) -> Result<&'v Vec<Value>, String> {
    match field(o, key, path)? {
        Value::Array(a) => Ok(a),
        other => Err(format!(
            "{} must be an array, not {}",
            join(path, key),
            kind(other)
        )),
    }
}

fn object<'v>(v: &'v Value, path: &str) -> Result<&'v Obj, String> {
    v.as_object()
        .ok_or_else(|| format!("{path} must be an object, not {}", kind(v)))
}

/// R-ids of a citation list, checked against the allowed ids, in order, unique.
fn rids(o: &Obj, key: &str, path: &str, ids: &IdMap) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for (i, v) in array(o, key, path)?.iter().enumerate() {
        let p = format!("{}[{i}]", join(path, key));
        let s = v
            .as_str()
            .ok_or_else(|| format!("{p} must be a record id string, not {}", kind(v)))?;
        if !ids.allowed.iter().any(|a| a == s) {
            return Err(format!(
                "{p}: \"{s}\" is not a record of this story (allowed: {})",
                ids.allowed.join(", ")
            ));
        }
        if !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    }
    Ok(out)
}

fn citations(o: &Obj, path: &str, ids: &IdMap) -> Result<Vec<i64>, String> {
    rids(o, "citations", path, ids)?
        .iter()
        .map(|r| (ids.to_record)(r).ok_or_else(|| format!("{path}: \"{r}\" maps to no record")))
        .collect()
}

fn paragraphs(o: &Obj, key: &str, path: &str, ids: &IdMap) -> Result<Vec<Paragraph>, String> {
    array(o, key, path)?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let p = format!("{}[{i}]", join(path, key));
            let po = object(v, &p)?;
            Ok(Paragraph {
                text: string(po, "text", &p, true)?,
                citations: citations(po, &p, ids)?,
            })
        })
        .collect()
}

fn faq_items(o: &Obj, ids: &IdMap) -> Result<Vec<FaqItem>, String> {
    array(o, "faq", "")?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let p = format!("faq[{i}]");
            let fo = object(v, &p)?;
            Ok(FaqItem {
                q: string(fo, "q", &p, true)?,
                a: string(fo, "a", &p, true)?,
                citations: citations(fo, &p, ids)?,
            })
        })
        .collect()
}

fn section_at(v: &Value, path: &str, ids: &IdMap) -> Result<Section, String> {
    let so = object(v, path)?;
    Ok(Section {
        heading: string(so, "heading", path, true)?,
        paragraphs: paragraphs(so, "paragraphs", path, ids)?,
    })
}

/// A whole story document (methodology left empty: the core writes it).
pub fn document(text: &str, ids: &IdMap) -> Result<StoryDocument, String> {
    let o = parse_object(text)?;
    let sections = array(&o, "sections", "")?
        .iter()
        .enumerate()
        .map(|(i, v)| section_at(v, &format!("sections[{i}]"), ids))
        .collect::<Result<Vec<_>, _>>()?;
    let doc = StoryDocument {
        headline: string(&o, "headline", "", true)?,
        dek: string(&o, "dek", "", false)?,
        sections,
        story_so_far: paragraphs(&o, "story_so_far", "", ids)?,
        faq: faq_items(&o, ids)?,
        methodology: String::new(),
    };
    if doc.paragraphs().next().is_none() {
        return Err("the story has no paragraphs".into());
    }
    Ok(doc)
}

/// An outline: headline, dek, and (heading, R-ids) per section.
pub struct Outline {
    pub headline: String,
    pub dek: String,
    pub sections: Vec<(String, Vec<String>)>,
}

pub fn outline(text: &str, ids: &IdMap) -> Result<Outline, String> {
    let o = parse_object(text)?;
    let mut sections = Vec::new();
    for (i, v) in array(&o, "sections", "")?.iter().enumerate() {
        let p = format!("sections[{i}]");
        let so = object(v, &p)?;
        sections.push((
            string(so, "heading", &p, true)?,
            rids(so, "records", &p, ids)?,
        ));
    }
    if sections.is_empty() {
        return Err("the outline has no sections".into());
    }
    Ok(Outline {
        headline: string(&o, "headline", "", true)?,
        dek: string(&o, "dek", "", false)?,
        sections,
    })
}

pub fn section(text: &str, ids: &IdMap) -> Result<Section, String> {
    let o = parse_object(text)?;
    let s = section_at(&Value::Object(o), "", ids).map_err(|e| e.replace("the reply.", ""))?;
    if s.paragraphs.is_empty() {
        return Err("the section has no paragraphs".into());
    }
    Ok(s)
}

/// The recap and FAQ of an outlined story.
pub fn tail(text: &str, ids: &IdMap) -> Result<(Vec<Paragraph>, Vec<FaqItem>), String> {
    let o = parse_object(text)?;
    Ok((
        paragraphs(&o, "story_so_far", "", ids)?,
        faq_items(&o, ids)?,
    ))
}

pub fn faq(text: &str, ids: &IdMap) -> Result<Vec<FaqItem>, String> {
    let o = parse_object(text)?;
    let f = faq_items(&o, ids)?;
    if f.is_empty() {
        return Err("the FAQ is empty".into());
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Vec<String>, impl Fn(&str) -> Option<i64>) {
        let allowed = vec!["R1".to_string(), "R2".to_string()];
        (allowed, |r: &str| {
            r.strip_prefix('R')
                .and_then(|n| n.parse::<i64>().ok())
                .map(|n| n * 100)
        })
    }

    #[test]
    fn valid_document_maps_ids_back() {
        let (allowed, f) = ids();
        let m = IdMap {
            allowed: &allowed,
            to_record: &f,
        };
        let t = r#"```json
{"headline":"H","dek":"D","sections":[{"heading":"S","paragraphs":[{"text":"x","citations":["R2","R1","R2"]}]}],
 "story_so_far":[],"faq":[{"q":"q?","a":"a","citations":["R1"]}]}
```"#;
        let d = document(t, &m).unwrap();
        assert_eq!(d.sections[0].paragraphs[0].citations, vec![200, 100]);
        assert_eq!(d.faq[0].citations, vec![100]);
    }

    #[test]
    fn invalid_replies_say_where() {
        let (allowed, f) = ids();
        let m = IdMap {
            allowed: &allowed,
            to_record: &f,
        };
        let e = document(r#"{"headline":"H","dek":"D","sections":[{"heading":"S","paragraphs":[{"text":"x","citations":["R9"]}]}],"story_so_far":[],"faq":[]}"#, &m).unwrap_err();
        assert!(
            e.starts_with("sections[0].paragraphs[0].citations[0]: \"R9\" is not a record"),
            "{e}"
        );
        let e = document(
            r#"{"headline":"H","sections":[],"story_so_far":[],"faq":[]}"#,
            &m,
        )
        .unwrap_err();
        assert!(e.contains("\"dek\" is missing"), "{e}");
        assert!(document("{\"headline\": \"H\", \"dek\"", &m)
            .unwrap_err()
            .contains("not valid JSON"));
        assert!(document("   ", &m).unwrap_err().contains("empty"));
    }
}
