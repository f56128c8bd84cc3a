//! Article extraction for web citations and manual URLs: boilerplate removed
//! from the DOM (nav, comments, promo and newsletter boxes, paywall prompts,
//! ads), dom_smoothie (a readability.js port) picks the main text, and a
//! post-filter drops in-body promo lines readability keeps.

use chrono::{DateTime, Utc};
use dom_query::Document;
use dom_smoothie::{Config, Readability, TextMode};

use crate::error::{IngestError, Result};
use crate::normalize::{clean_whitespace, html_to_text, resolve};

#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    pub title: String,
    pub text: String,
    pub byline: Option<String>,
    pub site_name: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// `<link rel=canonical>` (or og:url), resolved against the page URL.
    pub canonical: Option<String>,
}

/// Elements that are never the article, whatever readability thinks.
const BOILERPLATE: &[&str] = &[
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    "nav",
    "aside",
    "footer",
    "button",
    "svg",
    "[role=navigation]",
    "[role=complementary]",
    "[aria-label=advertisement]",
    "[aria-hidden=true]",
    "[id*=comments]",
    "[class*=comments]",
    "[class*=comment-]",
    "#disqus_thread",
    "[class*=newsletter]",
    "[id*=newsletter]",
    "[class*=promo]",
    "[class*=paywall]",
    "[id*=paywall]",
    "[class*=subscribe]",
    "[class*=signup]",
    "[class*=advert]",
    "[class*=ad-slot]",
    "[class*=ad-container]",
    "[class~=ad]",
    "[class*=sponsor]",
    "[class*=related]",
    "[class*=recirc]",
    "[class*=share]",
    "[class*=social]",
    "[class*=cookie]",
    "[class*=consent]",
    "[class*=most-read]",
    "[class*=trending]",
    "[class*=outbrain]",
    "[class*=taboola]",
    "[data-ad]",
];

/// Short in-body lines that are promos, not reporting.
const PROMO_PHRASES: &[&str] = &[
    "sign up for",
    "subscribe to",
    "subscribe now",
    "newsletter",
    "already a subscriber",
    "log in to continue",
    "to continue reading",
    "continue reading",
    "support our journalism",
    "this article is for subscribers",
    "advertisement",
    "read more:",
    "related:",
    "recommended:",
    "our standards",
    "trust principles",
    "all rights reserved",
    "click here",
    "follow us on",
    "share this article",
    "get the app",
    "comments are closed",
];

fn is_promo(line: &str) -> bool {
    let l = line.trim();
    if l.is_empty() {
        return true;
    }
    let lower = l.to_lowercase();
    (l.len() < 220 && PROMO_PHRASES.iter().any(|p| lower.contains(p)))
        || (l.starts_with('©') && l.len() < 200)
}

/// Drops promo paragraphs and keeps the rest, paragraphs separated by blank lines.
pub fn filter_promos(text: &str) -> String {
    let kept: Vec<&str> = text
        .split('\n')
        .map(str::trim)
        .filter(|l| !is_promo(l))
        .collect();
    clean_whitespace(&kept.join("\n\n"))
}

fn meta(doc: &Document, selectors: &[&str], attr: &str) -> Option<String> {
    selectors.iter().find_map(|s| {
        doc.select(s)
            .attr(attr)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    })
}

/// Extracts the main text of `html` fetched from `url`.
pub fn extract(html: &str, url: &str) -> Result<Extracted> {
    let doc = Document::from(html);
    let canonical = meta(&doc, &["link[rel=canonical]"], "href")
        .or_else(|| meta(&doc, &["meta[property='og:url']"], "content"))
        .map(|c| resolve(Some(url), &c))
        .filter(|c| c.starts_with("http"));
    let site_meta = meta(&doc, &["meta[property='og:site_name']"], "content");
    for sel in BOILERPLATE {
        doc.select(sel).remove();
    }
    let cfg = Config {
        text_mode: TextMode::Formatted,
        max_elements_to_parse: 20_000,
        ..Config::default()
    };
    let parsed = Readability::with_document(doc, Some(url), Some(cfg)).and_then(|mut r| r.parse());
    let (title, raw_text, byline, site_name, published) = match parsed {
        Ok(a) => (
            a.title,
            a.text_content.to_string(),
            a.byline,
            a.site_name,
            a.published_time,
        ),
        Err(dom_smoothie::ReadabilityError::BadDocumentURL) => {
            return Err(IngestError::parse(
                format!("page {url}"),
                "the page URL is not absolute",
            ))
        }
        Err(_) => {
            // Too little for readability: fall back to the cleaned body text.
            let fallback = Document::from(html);
            for sel in BOILERPLATE {
                fallback.select(sel).remove();
            }
            let body = fallback
                .select("article, main, body")
                .first()
                .inner_html()
                .to_string();
            let title = fallback.select("title").text().to_string();
            (title, html_to_text(&body), None, None, None)
        }
    };
    let text = filter_promos(&raw_text);
    if text.trim().is_empty() {
        return Err(IngestError::parse(
            format!("page {url}"),
            "no article text found",
        ));
    }
    Ok(Extracted {
        title: clean_whitespace(&title),
        text,
        byline: byline
            .map(|b| clean_whitespace(&b))
            .filter(|b| !b.is_empty()),
        site_name: site_name.or(site_meta),
        published: published
            .and_then(|p| DateTime::parse_from_rfc3339(p.trim()).ok())
            .map(|t| t.with_timezone(&Utc)),
        canonical,
    })
}
