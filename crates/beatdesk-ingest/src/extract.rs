//! Article extraction for web citations and manual URLs. Two extractors run:
//! rs-trafilatura (ads removed first) and dom_smoothie (a readability.js port,
//! on the page with boilerplate removed: nav, comments, promo and newsletter
//! boxes, paywall prompts, ads, by whole class tokens); a post-filter drops
//! in-body promo lines; `choose` picks between them by agreement.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

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

/// Elements that are never the article, whatever readability thinks. Class
/// and id rules match whole tokens (`~=`), never substrings: a theme's
/// `entry-content paywalled` or `related-content-body` holds the article.
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
    "#comments",
    "#disqus_thread",
    "[class~=comments]",
    "[class~=comment-list]",
    "[class~=comments-area]",
    "[class~=newsletter]",
    "[class~=newsletter-signup]",
    "[id=newsletter]",
    "[class~=promo]",
    "[class~=paywall]",
    "[class~=paywall-prompt]",
    "[id=paywall]",
    "[class~=subscribe]",
    "[class~=subscribe-box]",
    "[class~=signup]",
    "[class~=advert]",
    "[class~=advertisement]",
    "[class~=ad-slot]",
    "[class~=ad-container]",
    "[class~=ad]",
    "[class~=sponsor]",
    "[class~=sponsored]",
    "[class~=related]",
    "[class~=related-articles]",
    "[class~=related-stories]",
    "[class~=related-posts]",
    "[class~=promo-banner]",
    "[class~=inline-ad]",
    "[class~=cookie-consent]",
    "[class~=recirc]",
    "[class~=share]",
    "[class~=share-bar]",
    "[class~=social]",
    "[class~=social-share]",
    "[class~=cookie-banner]",
    "[class~=consent]",
    "[class~=most-read]",
    "[class~=trending]",
    "[class~=outbrain]",
    "[class~=taboola]",
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

/// The readability path: boilerplate removed, dom_smoothie picks the main
/// text. Returns (title, text, byline, site name, published) or None when
/// readability found nothing.
type Readable = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn readability(html: &str, url: &str) -> Result<Option<Readable>> {
    let doc = Document::from(html);
    for sel in BOILERPLATE {
        doc.select(sel).remove();
    }
    remove_ad_boxes(&doc);
    let cfg = Config {
        text_mode: TextMode::Formatted,
        max_elements_to_parse: 20_000,
        ..Config::default()
    };
    let parsed = Readability::with_document(doc, Some(url), Some(cfg)).and_then(|mut r| r.parse());
    match parsed {
        Ok(a) => Ok(Some((
            a.title,
            filter_promos(&a.text_content),
            a.byline,
            a.site_name,
            a.published_time,
        ))),
        Err(dom_smoothie::ReadabilityError::BadDocumentURL) => Err(IngestError::parse(
            format!("page {url}"),
            "the page URL is not absolute",
        )),
        Err(_) => Ok(None),
    }
}

/// The cleaned body text, for pages too small for readability.
fn body_text(html: &str) -> (String, String) {
    let doc = Document::from(html);
    for sel in BOILERPLATE {
        doc.select(sel).remove();
    }
    remove_ad_boxes(&doc);
    let body = doc
        .select("article, main, body")
        .first()
        .inner_html()
        .to_string();
    let title = doc.select("title").text().to_string();
    (title, filter_promos(&html_to_text(&body)))
}

/// `articleBody` of the page's JSON-LD Article (NewsArticle, BlogPosting…),
/// when the publisher states it: the longest one found, as text.
pub fn json_ld_body(doc: &Document) -> Option<String> {
    fn walk(v: &serde_json::Value, best: &mut Option<String>) {
        match v {
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, best)),
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(body)) = m.get("articleBody") {
                    if best.as_ref().is_none_or(|b| body.len() > b.len()) {
                        *best = Some(body.clone());
                    }
                }
                for key in ["@graph", "mainEntity", "mainEntityOfPage", "hasPart"] {
                    if let Some(inner) = m.get(key) {
                        walk(inner, best);
                    }
                }
            }
            _ => {}
        }
    }
    let mut best = None;
    for script in doc.select("script[type='application/ld+json']").iter() {
        let raw = script.text();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(raw.trim()) {
            walk(&v, &mut best);
        }
    }
    best.map(|b| html_to_text(&b))
        .filter(|t| !t.trim().is_empty())
}

/// The page without the elements that are never the article.
fn cleaned_html(html: &str) -> String {
    without(html, BOILERPLATE)
}

/// Boxes inside an article body that trafilatura keeps as text: ads and
/// sign-up prompts (whole class tokens only).
const ADS: &[&str] = &[
    "[class~=ad]",
    "[class~=ad-slot]",
    "[class~=ad-container]",
    "[class~=inline-ad]",
    "[class~=advert]",
    "[class~=advertisement]",
    "[aria-label=advertisement]",
    "[data-ad]",
    "[class~=newsletter-signup]",
    "[class~=paywall-prompt]",
    "[class~=promo]",
    "[class~=promo-banner]",
];

/// Whether a class token names an ad box by the `ad-…` / `…-ad(s)` naming
/// convention (`ad-slot`, `pullquote-ad`, `sidebar-ads`). Whole tokens split
/// at hyphens only: `header`, `download`, `paywalled` are not ads.
fn is_ad_token(token: &str) -> bool {
    let t = token.to_ascii_lowercase();
    t == "ad"
        || t == "ads"
        || t.starts_with("ad-")
        || t.starts_with("ads-")
        || t.ends_with("-ad")
        || t.ends_with("-ads")
}

fn remove_ad_boxes(doc: &Document) {
    for el in doc.select("[class]").iter() {
        let class = el.attr("class").unwrap_or_default();
        if class.split_whitespace().any(is_ad_token) {
            el.remove();
        }
    }
}

fn without(html: &str, selectors: &[&str]) -> String {
    let doc = Document::from(html);
    for sel in selectors {
        doc.select(sel).remove();
    }
    remove_ad_boxes(&doc);
    doc.html().to_string()
}

/// rs-trafilatura's main text (a trafilatura port), or empty.
fn trafilatura_text(html: &str, url: &str) -> String {
    let opts = rs_trafilatura::Options {
        url: Some(url.to_string()),
        ..rs_trafilatura::Options::default()
    };
    // A panic inside the extractor must not take the ingest task with it.
    std::panic::catch_unwind(|| rs_trafilatura::extract_with_options(html, &opts))
        .ok()
        .and_then(|r| r.ok())
        .map(|r| clean_whitespace(&r.content_text))
        .unwrap_or_default()
}

/// Each extractor's text on its own, for the benchmark (`examples/bench_extract.rs`).
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    pub trafilatura: String,
    /// rs-trafilatura on the page with `BOILERPLATE` removed first.
    pub trafilatura_clean: String,
    /// rs-trafilatura on the page with only `ADS` removed first.
    pub trafilatura_light: String,
    pub json_ld: String,
    pub readability: String,
}

pub fn candidates(html: &str, url: &str) -> Candidates {
    let doc = Document::from(html);
    Candidates {
        trafilatura: trafilatura_text(html, url),
        trafilatura_clean: trafilatura_text(&cleaned_html(html), url),
        trafilatura_light: trafilatura_text(&without(html, ADS), url),
        json_ld: json_ld_body(&doc).unwrap_or_default(),
        readability: readability(html, url)
            .ok()
            .flatten()
            .map(|r| r.1)
            .unwrap_or_default(),
    }
}

/// Extracts the main text of `html` fetched from `url`.
pub fn extract(html: &str, url: &str) -> Result<Extracted> {
    let doc = Document::from(html);
    let canonical = meta(&doc, &["link[rel=canonical]"], "href")
        .or_else(|| meta(&doc, &["meta[property='og:url']"], "content"))
        .map(|c| resolve(Some(url), &c))
        .filter(|c| c.starts_with("http"));
    let site_meta = meta(&doc, &["meta[property='og:site_name']"], "content");
    let read = readability(html, url)?;
    let (title, read_text, byline, site_name, published) = match read {
        Some(r) => r,
        None => {
            let (title, text) = body_text(html);
            (title, text, None, None, None)
        }
    };
    let text = choose(
        filter_promos(&trafilatura_text(&without(html, ADS), url)),
        read_text,
    );
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

/// 4-word shingles of a text, as a multiset of hashes (the benchmark's unit).
fn shingles(text: &str) -> HashMap<u64, usize> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = HashMap::new();
    if words.is_empty() {
        return out;
    }
    for w in words.windows(4.min(words.len())) {
        let mut h = DefaultHasher::new();
        w.hash(&mut h);
        *out.entry(h.finish()).or_insert(0) += 1;
    }
    out
}

/// Share of `part`'s shingles that `whole` also holds (0 when `part` has none).
fn contained(part: &HashMap<u64, usize>, whole: &HashMap<u64, usize>) -> f64 {
    let total: usize = part.values().sum();
    if total == 0 {
        return 0.0;
    }
    let shared: usize = part
        .iter()
        .map(|(k, n)| (*n).min(whole.get(k).copied().unwrap_or(0)))
        .sum();
    shared as f64 / total as f64
}

/// Picks the article text, as measured on the public benchmark
/// (`examples/bench_extract.rs`): rs-trafilatura finds the body more often
/// (recall), readability's text is tighter (precision). When nine tenths of
/// readability's text is inside trafilatura's, both found the same article
/// and the rest of trafilatura's is boilerplate: take readability's (the
/// shorter).
/// Otherwise trafilatura's, or readability's when trafilatura found nothing.
/// JSON-LD `articleBody` is not used: publishers often truncate it.
fn choose(trafilatura: String, readability: String) -> String {
    if trafilatura.trim().is_empty() {
        return readability;
    }
    let (r, t) = (shingles(&readability), shingles(&trafilatura));
    let (rn, tn) = (r.values().sum::<usize>(), t.values().sum::<usize>());
    if rn >= 20 && rn <= tn && contained(&r, &t) >= 0.9 {
        return readability;
    }
    trafilatura
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[&str] = &[
        "The commerce department proposed licences for accelerator exports to thirty-eight more countries on Tuesday, according to a draft seen by reporters.",
        "Chipmakers said the rule would hold up about four billion dollars of orders already placed by cloud operators in the region.",
        "The department said the licences were needed to stop accelerators reaching buyers through third countries, a route officials called a loophole.",
        "Comments on the proposal are due within sixty days, after which the department can publish a final rule with changes.",
    ];

    fn page(body_class: &str) -> String {
        let paras: String = BODY.iter().map(|p| format!("<p>{p}</p>")).collect();
        format!(
            r#"<html><head><title>Export rules widen</title></head><body>
<div class="market-ticker"><span>NVDA 131.20 +2.1%</span> <span>Delayed 15 min. Market data by Quotewell</span></div>
<article class="post type-post"><h1 class="entry-title">Export rules widen</h1>
<div class="{body_class}">{paras}<div class="pullquote-ad"><p>Members get ad-free reading. Try it free for 14 days.</p></div></div>
<p class="photo-credit">Photo: Staff photographer</p></article>
<aside><h3>More from Technology</h3><ul><li><a href="/a">Why memory supply will stay tight</a></li></ul></aside>
</body></html>"#
        )
    }

    #[test]
    fn class_words_inside_tokens_never_delete_the_article() {
        for class in [
            "entry-content paywalled",
            "related-content-body",
            "commentary",
            "story-body sharing-disabled",
        ] {
            let ex = extract(&page(class), "https://news.example/2026/11/export-rules").unwrap();
            for p in BODY {
                assert!(ex.text.contains(p), "{class}: lost {p:?} in\n{}", ex.text);
            }
            for never in ["More from Technology", "ad-free reading"] {
                assert!(
                    !ex.text.contains(never),
                    "{class}: kept {never:?} in\n{}",
                    ex.text
                );
            }
        }
    }

    #[test]
    fn ad_tokens_follow_the_hyphen_convention_only() {
        for t in [
            "ad",
            "ADS",
            "ad-slot",
            "pullquote-ad",
            "sidebar-ads",
            "ads-wrapper",
        ] {
            assert!(is_ad_token(t), "{t}");
        }
        for t in [
            "header",
            "download",
            "paywalled",
            "adventure",
            "badge",
            "lead",
            "read-more",
        ] {
            assert!(!is_ad_token(t), "{t}");
        }
    }

    #[test]
    fn agreement_picks_the_tighter_text_and_disagreement_keeps_trafilatura() {
        let article = BODY.join("\n\n");
        let with_links = format!("{article}\n\nMore from Technology: why memory supply will stay tight this year and next");
        assert_eq!(choose(with_links.clone(), article.clone()), article);
        let other = "A different text entirely about the weather in the harbour and the ferries that stopped running this morning.";
        assert_eq!(choose(with_links.clone(), other.into()), with_links);
        assert_eq!(choose(String::new(), article.clone()), article);
        // Readability longer than trafilatura: the extra is not the article.
        assert_eq!(choose(article.clone(), with_links.clone()), article);
    }
}
