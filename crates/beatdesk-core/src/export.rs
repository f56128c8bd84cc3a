//! Export of one revision to Markdown or HTML. CMS targets (WordPress,
//! Ghost, ninjs, webhooks) will plan and apply through the same rendering.

use std::collections::HashMap;

use beatdesk_store::{labels, records, signoffs, Connection};
use beatdesk_types::{Draft, Record};
use beatdesk_write::{
    methodology_line, render_html, render_markdown, MethodologyFacts, RenderContext,
};

use crate::Result;

/// The facts a writer recorded in the draft's meta, plus the sign-off on this revision.
pub fn methodology_for(conn: &Connection, draft: &Draft) -> Result<String> {
    let meta = &draft.meta;
    let count = |k: &str| meta.get(k).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
    let writer = meta
        .get("writer_label")
        .or_else(|| meta.get("writer"))
        .and_then(|v| v.as_str())
        .unwrap_or("offline writer")
        .to_string();
    let signed = signoffs::list(conn, draft.story_id)?
        .into_iter()
        .find(|s| s.draft_id == draft.id)
        .map(|s| match &s.override_reason {
            // An override is part of what the reader is told, with its reason.
            Some(reason) => format!(
                "{} on {} over {} failed verification check(s) ({}), giving the reason: {}",
                s.editor,
                s.created_at.format("%Y-%m-%d"),
                s.failures.len(),
                s.failures.join("; "),
                reason
            ),
            None => format!("{} on {}", s.editor, s.created_at.format("%Y-%m-%d")),
        });
    let mut line = methodology_line(&MethodologyFacts {
        records: count("records"),
        web_citations: count("web_citations"),
        manual_sources: count("manual_sources"),
        writer,
        signed_off_by: signed,
    });
    if let Some(editors) = meta.get("edited_by").and_then(|v| v.as_array()) {
        let names: Vec<&str> = editors.iter().filter_map(|v| v.as_str()).collect();
        if !names.is_empty() {
            line.push_str(&format!(" Edited by {}.", names.join(", ")));
        }
    }
    Ok(line)
}

pub(crate) fn cited_records(
    conn: &Connection,
    draft: &Draft,
    known: &HashMap<i64, &Record>,
) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    for id in draft.document.cited_ids() {
        match known.get(&id) {
            Some(r) => out.push((*r).clone()),
            None => {
                // Only records of this story: a stray id never pulls in another story's record.
                if let Ok(r) = records::get(conn, id) {
                    if beatdesk_store::stories::links(conn, draft.story_id)?
                        .iter()
                        .any(|l| l.record_id == r.id)
                    {
                        out.push(r)
                    }
                }
            }
        }
    }
    Ok(out)
}

pub fn render_context_html(
    conn: &Connection,
    draft: &Draft,
    known: &HashMap<i64, &Record>,
) -> Result<String> {
    let recs = cited_records(conn, draft, known)?;
    let ctx = RenderContext {
        records: recs.iter().collect(),
        methodology: Some(methodology_for(conn, draft)?),
        labels: Some(labels::for_story(conn, draft.story_id)?),
    };
    Ok(render_html(&draft.document, &ctx))
}

pub fn render(conn: &Connection, draft: &Draft, html: bool) -> Result<String> {
    let recs = cited_records(conn, draft, &HashMap::new())?;
    let ctx = RenderContext {
        records: recs.iter().collect(),
        methodology: Some(methodology_for(conn, draft)?),
        labels: Some(labels::for_story(conn, draft.story_id)?),
    };
    Ok(if html {
        render_html(&draft.document, &ctx)
    } else {
        render_markdown(&draft.document, &ctx)
    })
}

/// A standalone HTML page around the rendered story, with a CSP that runs nothing.
pub fn html_page(title: &str, body: &str) -> String {
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{title}</title>\n<style>body{{max-width:42rem;margin:2rem auto;font:17px/1.6 Georgia,serif;padding:0 1rem}}</style>\n\
         </head>\n<body>\n<article>\n{body}</article>\n</body>\n</html>\n"
    )
}
