//! Markdown and HTML for a story document.
//!
//! Markdown is built with every piece of source text escaped, then comrak
//! renders it to HTML with raw HTML escaped (`render.escape`) and never
//! passed through (`render.unsafe = false`): source text is hostile.

use std::collections::HashMap;

use beatdesk_types::{Paragraph, Record, StoryDocument};

/// What rendering needs besides the document: the cited records (for the
/// numbered source list) and the methodology line to print.
#[derive(Debug, Clone, Default)]
pub struct RenderContext<'a> {
    pub records: Vec<&'a Record>,
    /// Overrides the document's methodology (e.g. with the sign-off added).
    pub methodology: Option<String>,
    /// The story's stable citation labels by record id. Without them records
    /// are numbered in order of first citation (a document outside any story).
    pub labels: Option<HashMap<i64, i64>>,
}

/// Escapes text so Markdown shows it literally.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // Only at line start do these begin a block; escaping them there is enough.
            '#' | '+' | '-' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    // "1. Text" at the start would become a list.
    if let Some(pos) = out.find(['.', ')']) {
        if pos > 0 && out[..pos].chars().all(|c| c.is_ascii_digit()) {
            out.insert(pos, '\\');
        }
    }
    out
}

/// Only http(s) links are emitted; anything else (javascript:, data:) is dropped.
fn safe_url(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Some(
            url.trim()
                .replace(' ', "%20")
                .replace('(', "%28")
                .replace(')', "%29")
                .replace('<', "%3C")
                .replace('>', "%3E"),
        )
    } else {
        None
    }
}

struct Numbering {
    /// Cited record ids, in the order the source list prints them.
    order: Vec<i64>,
    index: HashMap<i64, i64>,
}

impl Numbering {
    fn new(doc: &StoryDocument, labels: Option<&HashMap<i64, i64>>) -> Numbering {
        let mut n = Numbering {
            order: Vec::new(),
            index: HashMap::new(),
        };
        let cites = doc
            .sections
            .iter()
            .flat_map(|s| s.paragraphs.iter().flat_map(|p| p.citations.iter()))
            .chain(doc.story_so_far.iter().flat_map(|p| p.citations.iter()))
            .chain(doc.faq.iter().flat_map(|f| f.citations.iter()));
        for id in cites {
            if !n.index.contains_key(id) {
                n.order.push(*id);
                n.index.insert(*id, n.order.len() as i64);
            }
        }
        if let Some(labels) = labels {
            // The story's own labels, so [8] here is [8] in the window and in notes.
            // A cited record without one (never in the story) is numbered after them all.
            let mut next = labels.values().copied().max().unwrap_or(0);
            for id in &n.order {
                let label = match labels.get(id) {
                    Some(l) => *l,
                    None => {
                        next += 1;
                        next
                    }
                };
                n.index.insert(*id, label);
            }
            n.order.sort_by_key(|id| n.index[id]);
        }
        n
    }

    fn marks(&self, ids: &[i64]) -> String {
        ids.iter()
            .filter_map(|id| self.index.get(id))
            .map(|n| format!(" [\\[{n}\\]](#source-{n})"))
            .collect::<String>()
    }
}

fn paragraph(p: &Paragraph, n: &Numbering) -> String {
    format!("{}{}\n\n", esc(&p.text), n.marks(&p.citations))
}

pub fn render_markdown(doc: &StoryDocument, ctx: &RenderContext) -> String {
    let n = Numbering::new(doc, ctx.labels.as_ref());
    let mut md = format!("# {}\n\n", esc(&doc.headline));
    if !doc.dek.is_empty() {
        md.push_str(&format!("*{}*\n\n", esc(&doc.dek)));
    }
    for s in &doc.sections {
        md.push_str(&format!("## {}\n\n", esc(&s.heading)));
        for p in &s.paragraphs {
            md.push_str(&paragraph(p, &n));
        }
    }
    if !doc.story_so_far.is_empty() {
        md.push_str("## The story so far\n\n");
        for p in &doc.story_so_far {
            md.push_str(&format!("- {}", paragraph(p, &n).trim_end()));
            md.push('\n');
        }
        md.push('\n');
    }
    if !doc.faq.is_empty() {
        md.push_str("## Frequently Asked\n\n");
        for f in &doc.faq {
            md.push_str(&format!(
                "**{}**\n\n{}{}\n\n",
                esc(&f.q),
                esc(&f.a),
                n.marks(&f.citations)
            ));
        }
    }
    let by_id: HashMap<i64, &Record> = ctx.records.iter().map(|r| (r.id, *r)).collect();
    if !n.order.is_empty() {
        md.push_str("## Sources\n\n");
        for id in &n.order {
            let num = n.index[id];
            let line = match by_id.get(id) {
                Some(r) => {
                    let title = esc(r.title.trim());
                    let linked = match safe_url(&r.url) {
                        Some(u) => format!("[{title}]({u})"),
                        None => title,
                    };
                    format!(
                        "{linked} — {}, {}, {}",
                        esc(&r.author),
                        r.platform.as_str(),
                        r.published_at.format("%Y-%m-%d %H:%M UTC")
                    )
                }
                None => format!("record {id} (no longer held)"),
            };
            md.push_str(&format!(
                "{num}\\. <span id=\"source-{num}\"></span>{line}\n\n"
            ));
        }
    }
    let methodology = ctx.methodology.as_deref().unwrap_or(&doc.methodology);
    if !methodology.is_empty() {
        md.push_str(&format!("## Methodology\n\n{}\n", esc(methodology)));
    }
    md
}

fn options() -> comrak::Options<'static> {
    let mut o = comrak::Options::default();
    o.render.r#unsafe = false;
    o.render.escape = true;
    o
}

/// HTML for export and preview. Raw HTML in any text is shown as text, never run.
pub fn render_html(doc: &StoryDocument, ctx: &RenderContext) -> String {
    let md = render_markdown(doc, ctx);
    let body = comrak::markdown_to_html(&md, &options());
    // The source anchors above are escaped like all raw HTML; give them back as ids.
    fix_anchors(&body)
}

fn fix_anchors(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    const OPEN: &str = "&lt;span id=&quot;source-";
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len()..];
        let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
        let tail = &after[digits.len()..];
        const CLOSE: &str = "&quot;&gt;&lt;/span&gt;";
        if !digits.is_empty() && tail.starts_with(CLOSE) {
            out.push_str(&format!("<span id=\"source-{digits}\"></span>"));
            rest = &tail[CLOSE.len()..];
        } else {
            out.push_str(OPEN);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use beatdesk_types::{FaqItem, Metrics, Platform, RecordStatus, Section};
    use chrono::{TimeZone, Utc};

    fn record(id: i64, title: &str, url: &str) -> Record {
        Record {
            id,
            beat_id: 1,
            platform: Platform::News,
            external_id: format!("n{id}"),
            url: url.into(),
            canonical_url: url.into(),
            title: title.into(),
            text: String::new(),
            author: "Desk <b>Writer</b>".into(),
            community: None,
            published_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
            fetched_at: Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
            metrics: Metrics::default(),
            status: RecordStatus::Kept,
            reason: None,
            duplicate_of: None,
            note: None,
            added_by: None,
        }
    }

    fn doc() -> StoryDocument {
        StoryDocument {
            headline: "Lab <script>alert(1)</script> raises $7.4B".into(),
            dek: "A *dek* with [a](javascript:alert(1)) link".into(),
            sections: vec![Section {
                heading: "What was reported".into(),
                paragraphs: vec![Paragraph {
                    text: "<img src=x onerror=alert(1)> Funding closed.".into(),
                    citations: vec![7, 3],
                }],
            }],
            story_so_far: vec![Paragraph {
                text: "1. First report".into(),
                citations: vec![3],
            }],
            faq: vec![FaqItem {
                q: "Who?".into(),
                a: "A lab.".into(),
                citations: vec![7],
            }],
            methodology: "Drafted by the offline writer from 2 source records".into(),
        }
    }

    #[test]
    fn html_never_contains_live_markup_from_source_text() {
        let r1 = record(7, "<iframe src=evil>", "javascript:alert(1)");
        let r2 = record(3, "Plain title", "https://example.org/a?b=1");
        let html = render_html(
            &doc(),
            &RenderContext {
                records: vec![&r1, &r2],
                methodology: None,
                labels: None,
            },
        );
        for bad in ["<script", "<img", "<iframe", "href=\"javascript:", "<b>"] {
            assert!(
                !html.to_lowercase().contains(bad),
                "{bad} leaked into: {html}"
            );
        }
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the text must still be readable: {html}"
        );
        assert!(
            html.contains("href=\"https://example.org/a?b=1\""),
            "safe links are kept: {html}"
        );
        assert!(
            html.contains("<span id=\"source-1\"></span>"),
            "citation anchors survive: {html}"
        );
    }

    #[test]
    fn citations_are_numbered_in_order_of_first_use() {
        let r1 = record(7, "Seven", "https://a.example/7");
        let r2 = record(3, "Three", "https://a.example/3");
        let md = render_markdown(
            &doc(),
            &RenderContext {
                records: vec![&r1, &r2],
                methodology: Some("M line".into()),
                labels: None,
            },
        );
        assert!(
            md.contains("Funding closed. [\\[1\\]](#source-1) [\\[2\\]](#source-2)"),
            "{md}"
        );
        let seven = md.find("[Seven]").unwrap();
        let three = md.find("[Three]").unwrap();
        assert!(seven < three, "record 7 is cited first so it is source 1");
        assert!(md.contains("## Methodology\n\nM line"));
        assert!(
            md.contains("- 1\\. First report"),
            "a leading number must not become a list: {md}"
        );
    }

    #[test]
    fn story_labels_number_citations_and_order_the_source_list() {
        let r1 = record(7, "Seven", "https://a.example/7");
        let r2 = record(3, "Three", "https://a.example/3");
        let ctx = RenderContext {
            records: vec![&r1, &r2],
            methodology: None,
            labels: Some(HashMap::from([(3, 6), (7, 8), (5, 1)])),
        };
        let md = render_markdown(&doc(), &ctx);
        assert!(
            md.contains("Funding closed. [\\[8\\]](#source-8) [\\[6\\]](#source-6)"),
            "the story's labels, not order of use: {md}"
        );
        assert!(
            md.contains("6\\. <span id=\"source-6\"></span>[Three]"),
            "{md}"
        );
        assert!(
            md.find("[Three]").unwrap() < md.find("[Seven]").unwrap(),
            "the source list follows the labels"
        );
        let html = render_html(&doc(), &ctx);
        assert!(html.contains("<span id=\"source-8\"></span>"), "{html}");
    }
}
