//! What the clusterer and the signal keep about each record besides its
//! feature vectors: time, source, engagement, and a text sketch for finding
//! copies of one report.

use beatdesk_types::{Platform, Record};

use crate::text;

/// Number of MinHash values per record.
pub const SKETCH: usize = 16;

#[derive(Debug, Clone)]
pub struct DocMeta {
    pub id: i64,
    /// Publication time, seconds since the epoch.
    pub t: i64,
    pub platform: Platform,
    pub author: String,
    pub community: Option<String>,
    pub domain: Option<String>,
    /// `log1p` of the platform's engagement numbers, `None` if it reports none.
    pub engagement: Option<f64>,
    /// MinHash of word 3-shingles; empty for very short texts.
    pub sketch: Vec<u32>,
    /// Hash of the normalised headline when it has at least five words.
    pub title_key: u64,
    /// Normalised URLs the text links to (not bare domains).
    pub links: Vec<String>,
    /// The record's own normalised URLs.
    pub own_urls: Vec<String>,
    /// The record's title for display (falls back to the text's start).
    pub title: String,
    /// Words in the text (the title when there is none).
    pub words: u32,
    /// Original reporting could be here: an article (news or web page), not
    /// a social post and not an aggregator's pointer.
    pub reporting: bool,
    /// An aggregator's pointer (Google News): a headline and a publisher.
    pub pointer: bool,
    /// The outlet, as shown (publication name or domain), for articles and
    /// pointers.
    pub outlet: Option<String>,
    /// Keys naming the outlet (squashed names, domain label), to find it
    /// named in other records' text.
    pub outlet_keys: Vec<String>,
    /// An article's text squashed to lowercase letters and digits (capped),
    /// where attributions ("Harbor & Signal reported") are looked for.
    pub said: String,
}

/// Lowercase letters and digits only: "Harbor & Signal" → "harborsignal".
pub fn squash(s: &str) -> String {
    squash_upto(s, usize::MAX)
}

/// [`squash`], stopping after `max` bytes of output.
fn squash_upto(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    for c in s.chars() {
        // ASCII needs no case tables.
        let keep = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        };
        if !keep {
            continue;
        }
        if out.len() >= max {
            break;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// An aggregator's pointer (Google News): a headline and a publisher.
fn is_pointer(r: &Record) -> bool {
    r.url.contains("news.google.com/") || r.community.as_deref() == Some("Google News")
}

/// The outlet of an article or pointer: its publication name and domain
/// label (an IP address names no outlet).
fn outlet_of(r: &Record) -> (Option<String>, Vec<String>) {
    if !matches!(r.platform, Platform::News | Platform::Web) {
        return (None, Vec::new());
    }
    let mut name = None;
    let mut keys = Vec::new();
    if is_pointer(r) {
        // "Headline - Publisher"
        if let Some((_, p)) = r.title.rsplit_once(" - ") {
            name = Some(p.trim().to_string());
        }
    } else if let Some(c) = r.community.as_deref().filter(|c| !c.trim().is_empty()) {
        name = Some(c.trim().to_string());
    }
    if let Some(n) = &name {
        keys.push(squash(n));
    }
    if !is_pointer(r) {
        if let Some(d) = r
            .domain()
            .filter(|d| !d.chars().all(|c| c.is_ascii_digit() || c == '.'))
        {
            let label = d.split('.').next().unwrap_or("").to_string();
            if name.is_none() {
                name = Some(d.clone());
            }
            keys.push(squash(&label));
        }
    }
    keys.retain(|k| k.chars().count() >= 5);
    keys.sort();
    keys.dedup();
    (name, keys)
}

/// How much of an article's text is kept for attribution lookups: credits
/// ("X reported on Wednesday") come in the first paragraphs.
const SAID_CHARS: usize = 1500;

fn fnv(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf29ce484222325u64 ^ seed.wrapping_mul(0x9e3779b97f4a7c15);
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    x
}

/// Engagement as one number per platform: Reddit score + comments, Bluesky
/// likes + reposts (+ replies), others whatever they report.
pub fn engagement(r: &Record) -> Option<f64> {
    let m = &r.metrics;
    let parts = match r.platform {
        Platform::Reddit => [m.score, m.comments, None, None],
        Platform::Bluesky => [m.likes, m.reposts, m.comments, None],
        _ => [m.score, m.comments, m.likes, m.reposts],
    };
    if parts.iter().all(|p| p.is_none()) {
        return None;
    }
    let total: i64 = parts.iter().flatten().map(|x| (*x).max(0)).sum();
    Some((total as f64).ln_1p())
}

/// The title to show: the record's, or the start of its text.
pub fn display_title(r: &Record) -> String {
    let t = r.title.trim();
    if !t.is_empty() {
        return t.to_string();
    }
    let mut words = r.text.split_whitespace();
    let mut s = words.by_ref().take(14).collect::<Vec<_>>().join(" ");
    if words.next().is_some() {
        s.push('…');
    }
    s
}

/// Hashes of the lowercased words of `text` (as [`text::plain_words`]
/// gives them), appended to `out`.
fn word_hashes(text: &str, out: &mut Vec<u64>) {
    let mut buf = String::new();
    text::for_each_word(text, |w| {
        let h = if w.is_ascii() {
            // What `lower_into` does to an ASCII word, without copying it.
            let w = w.strip_suffix("'s").unwrap_or(w);
            fnv_lower(w.as_bytes())
        } else {
            text::lower_into(w, &mut buf);
            fnv(buf.as_bytes(), 0)
        };
        out.push(h);
    });
}

/// Whether a chunk contains `://`, without a substring search.
fn has_scheme(c: &str) -> bool {
    c.as_bytes().windows(3).any(|w| w == b"://")
}

/// [`fnv`] with seed 0 of the ASCII-lowercased bytes.
fn fnv_lower(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf29ce484222325u64;
    for b in bytes {
        h ^= b.to_ascii_lowercase() as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

impl DocMeta {
    pub fn from_record(r: &Record) -> DocMeta {
        // A pointer's headline is the article's with " - Publisher" added:
        // keyed without it, the two share a key.
        let pointer = is_pointer(r);
        let headline = match r.title.rsplit_once(" - ") {
            Some((h, _)) if pointer => h,
            _ => r.title.as_str(),
        };
        let mut head: Vec<u64> = Vec::new();
        word_hashes(headline, &mut head);
        let title_key = if head.len() >= 5 {
            head.iter().fold(17u64, |h, w| mix(h ^ w))
        } else {
            0
        };
        // The title's words count unless the text starts with the title.
        let mut words: Vec<u64> = Vec::new();
        let title = r.title.trim();
        if !r.text.starts_with(title) || title.is_empty() {
            if headline.len() == r.title.len() {
                words = head;
            } else {
                word_hashes(&r.title, &mut words);
            }
        }
        word_hashes(&r.text, &mut words);
        let sketch = if words.len() >= 6 {
            // On the stack, so the minima stay in registers.
            let mut mins = [u32::MAX; SKETCH];
            for s in words.windows(3) {
                let h = mix(s[0] ^ s[1].rotate_left(21) ^ s[2].rotate_left(42));
                for (i, m) in mins.iter_mut().enumerate() {
                    let v = (mix(h ^ (i as u64).wrapping_mul(0x9e3779b97f4a7c15)) >> 32) as u32;
                    *m = (*m).min(v);
                }
            }
            mins.to_vec()
        } else {
            Vec::new()
        };
        // One pass over the text's chunks: the links, and the words that
        // are not URLs.
        let mut links: Vec<String> = Vec::new();
        let mut text_words = 0u32;
        for c in r.text.split_whitespace() {
            let scheme = has_scheme(c);
            text_words += !scheme as u32;
            if scheme || c.starts_with("www.") {
                links.extend(text::normalize_url(c).filter(|u| u.contains('/')));
            }
        }
        links.sort();
        links.dedup();
        let mut own_urls: Vec<String> = [&r.url, &r.canonical_url]
            .iter()
            .filter_map(|u| text::normalize_url(u))
            .collect();
        own_urls.sort();
        own_urls.dedup();
        let outlet = outlet_of(r);
        DocMeta {
            id: r.id,
            t: r.published_at.timestamp(),
            platform: r.platform,
            author: r.author.trim().to_lowercase(),
            community: r
                .community
                .as_ref()
                .map(|c| c.trim().to_lowercase())
                .filter(|c| !c.is_empty()),
            domain: r.domain(),
            engagement: engagement(r),
            sketch,
            title_key,
            links,
            own_urls,
            title: display_title(r),
            reporting: matches!(r.platform, Platform::News | Platform::Web) && !pointer,
            pointer,
            outlet: outlet.0,
            outlet_keys: outlet.1,
            said: if matches!(r.platform, Platform::News | Platform::Web) {
                squash_upto(&r.text, SAID_CHARS)
            } else {
                String::new()
            },
            words: if r.text.trim().is_empty() {
                r.title
                    .split_whitespace()
                    .filter(|w| !has_scheme(w))
                    .count() as u32
            } else {
                text_words
            },
        }
    }

    /// Estimated Jaccard similarity of the two texts' shingles.
    pub fn resemblance(&self, other: &DocMeta) -> f64 {
        if self.sketch.is_empty() || other.sketch.is_empty() {
            return 0.0;
        }
        let same = self
            .sketch
            .iter()
            .zip(&other.sketch)
            .filter(|(a, b)| a == b)
            .count();
        same as f64 / SKETCH as f64
    }
}
