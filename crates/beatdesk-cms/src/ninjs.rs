//! IPTC ninjs 2.2 documents (the schema is vendored in `schema/`; the tests
//! validate against it). 2.x names only: `headlines`, `descriptions`,
//! `bodies`, `versioncreated`… — 1.x names are invalid under 2.x.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

pub const SCHEMA_URI: &str = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json";
/// IPTC digital source types (http://cv.iptc.org/newscodes/digitalsourcetype/).
const DST: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/";

/// A record the story cites.
#[derive(Debug, Clone)]
pub struct SourceRef {
    pub uri: String,
    pub title: String,
    pub author: String,
    pub platform: String,
    pub outlet: Option<String>,
    pub published_at: DateTime<Utc>,
}

/// Everything a ninjs document says about one revision.
#[derive(Debug, Clone)]
pub struct Story {
    /// Stable for the story across revisions.
    pub uri: String,
    pub revision: i64,
    pub headline: String,
    pub dek: Option<String>,
    pub body_html: String,
    pub body_text_words: usize,
    pub first_created: DateTime<Utc>,
    pub version_created: DateTime<Utc>,
    /// Signed off; otherwise the document is `withheld`.
    pub approved: bool,
    pub spiked: bool,
    /// The signing editor, else the writer.
    pub by: String,
    /// True when a model drafted any of it.
    pub model_assisted: bool,
    pub methodology: String,
    pub language: String,
    pub sources: Vec<SourceRef>,
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The ninjs 2.2 document.
pub fn document(s: &Story) -> Value {
    let pubstatus = if s.spiked {
        "canceled"
    } else if s.approved {
        "usable"
    } else {
        "withheld"
    };
    let mut descriptions = Vec::new();
    if let Some(d) = s.dek.as_deref().filter(|d| !d.trim().is_empty()) {
        descriptions.push(json!({ "role": "summary", "contenttype": "text/plain", "value": d }));
    }
    // The AI disclosure in words, beside the coded digital source type.
    descriptions.push(
        json!({ "role": "methodology", "contenttype": "text/plain", "value": s.methodology }),
    );
    let (code, name) = if s.model_assisted {
        (
            "compositeWithTrainedAlgorithmicMedia",
            "Composite with elements of trained algorithmic media",
        )
    } else {
        (
            "algorithmicMedia",
            "Pure algorithmic media (extractive: verbatim quotes assembled by rules)",
        )
    };
    let associations: Vec<Value> = s
        .sources
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut a = json!({
                "name": format!("source-{}", i + 1),
                "uri": r.uri,
                "type": "text",
                "representationtype": "partial",
                "headlines": [{ "value": r.title }],
                "by": r.author,
                "versioncreated": time(r.published_at),
            });
            if let Some(o) = &r.outlet {
                a["infosources"] = json!([{ "name": o, "role": r.platform }]);
            }
            a
        })
        .collect();
    let mut infosources: Vec<Value> = Vec::new();
    for r in &s.sources {
        let name = r.outlet.clone().unwrap_or_else(|| r.platform.clone());
        if !infosources.iter().any(|v| v["name"] == name.as_str()) {
            infosources.push(json!({ "name": name, "role": "source" }));
        }
    }
    let mut doc = Map::new();
    doc.insert("uri".into(), json!(s.uri));
    doc.insert(
        "standard".into(),
        json!({ "name": "ninjs", "version": "2.2", "schema": SCHEMA_URI }),
    );
    doc.insert("type".into(), json!("text"));
    doc.insert("representationtype".into(), json!("full"));
    doc.insert("version".into(), json!(s.revision.to_string()));
    doc.insert("firstcreated".into(), json!(time(s.first_created)));
    doc.insert("versioncreated".into(), json!(time(s.version_created)));
    doc.insert("pubstatus".into(), json!(pubstatus));
    doc.insert("language".into(), json!(s.language));
    doc.insert(
        "headlines".into(),
        json!([{ "role": "main", "contenttype": "text/plain", "value": s.headline }]),
    );
    doc.insert("descriptions".into(), json!(descriptions));
    doc.insert(
        "bodies".into(),
        json!([{
            "role": "main",
            "contenttype": "text/html",
            "charcount": s.body_html.chars().count(),
            "wordcount": s.body_text_words,
            "value": s.body_html,
        }]),
    );
    doc.insert("by".into(), json!(s.by));
    doc.insert(
        "digitalsourcetype".into(),
        json!({ "uri": format!("{DST}{code}"), "name": name }),
    );
    if !associations.is_empty() {
        doc.insert("associations".into(), json!(associations));
    }
    if !infosources.is_empty() {
        doc.insert("infosources".into(), json!(infosources));
    }
    if !s.approved {
        doc.insert(
            "ednote".into(),
            json!("Not signed off by an editor: do not publish."),
        );
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(approved: bool) -> Story {
        let t = "2026-11-29T12:00:00Z".parse().unwrap();
        Story {
            uri: "urn:beatdesk:abc:story:7".into(),
            revision: 3,
            headline: "DeepSeek <raises> $7.4B".into(),
            dek: Some("A dek".into()),
            body_html: "<p>Body &amp; more</p>".into(),
            body_text_words: 3,
            first_created: t,
            version_created: t,
            approved,
            spiked: false,
            by: "Ana Ruiz".into(),
            model_assisted: true,
            methodology: "Written from 2 records.".into(),
            language: "en".into(),
            sources: vec![SourceRef {
                uri: "https://www.reddit.com/r/LocalLLaMA/comments/1y7ovx2/".into(),
                title: "DeepSeek raises".into(),
                author: "tensor_tom".into(),
                platform: "reddit".into(),
                outlet: Some("LocalLLaMA".into()),
                published_at: t,
            }],
        }
    }

    fn validator() -> jsonschema::Validator {
        validator_with(true)
    }

    /// `formats`: also assert `format` (date-time, uri), which 2020-12 leaves as annotation.
    fn validator_with(formats: bool) -> jsonschema::Validator {
        let schema: Value =
            serde_json::from_str(include_str!("../schema/ninjs-schema_2.2.json")).unwrap();
        // `places[].geometry` refers to the GeoJSON schema online; Beatdesk writes no
        // geometry, and tests never fetch, so that one reference accepts anything here.
        let geojson = jsonschema::Resource::from_contents(
            json!({ "$schema": "https://json-schema.org/draft/2020-12/schema" }),
        )
        .unwrap();
        jsonschema::draft202012::options()
            .with_resource("https://geojson.org/schema/GeoJSON.json", geojson)
            .should_validate_formats(formats)
            .build(&schema)
            .expect("the vendored schema compiles")
    }

    #[test]
    fn documents_validate_against_the_official_2_2_schema() {
        let v = validator();
        for approved in [true, false] {
            let doc = document(&sample(approved));
            let errors: Vec<String> = v
                .iter_errors(&doc)
                .map(|e| format!("{} at {}", e, e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}");
        }
        let doc = document(&sample(true));
        assert_eq!(doc["pubstatus"], "usable");
        assert_eq!(document(&sample(false))["pubstatus"], "withheld");
        assert_eq!(doc["headlines"][0]["value"], "DeepSeek <raises> $7.4B");
        assert_eq!(
            doc["digitalsourcetype"]["uri"],
            "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
        );
    }

    #[test]
    fn the_official_2_2_examples_validate_here_too() {
        // IPTC's own examples (vendored from newsinjson): the validator set-up
        // accepts what the standard's authors call valid, not only our output.
        // Formats stay annotations here, as 2020-12 has them by default: example
        // 002 uses "renditions-example" as its `uri`. Our own documents pass with
        // formats asserted too (above).
        let v = validator_with(false);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/examples-2.2");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let errors: Vec<String> = v
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            n += 1;
        }
        assert_eq!(n, 7);
    }

    #[test]
    fn the_schema_refuses_what_it_should() {
        // The validator is not a rubber stamp: 1.x names, bad enums and bad dates fail.
        let v = validator();
        let mut doc = document(&sample(true));
        doc["headline"] = json!("1.x name");
        assert!(!v.is_valid(&doc));
        let mut doc = document(&sample(true));
        doc["pubstatus"] = json!("published");
        assert!(!v.is_valid(&doc));
        let mut doc = document(&sample(true));
        doc["versioncreated"] = json!("yesterday");
        assert!(!v.is_valid(&doc));
        let mut doc = document(&sample(true));
        doc["associations"][0]
            .as_object_mut()
            .unwrap()
            .remove("name");
        assert!(!v.is_valid(&doc));
    }
}
