//! Text and URL normalisation shared by every source: entities, HTML to text,
//! canonical URLs for dedup, titles for matching.

use url::Url;

/// Decodes HTML entities; a second pass catches double escaping
/// (`&amp;amp;`, `&amp;nbsp;`) as found in real feeds and Reddit `*_html` fields.
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let once = html_escape::decode_html_entities(s).into_owned();
    if once.contains('&')
        && (once.contains("&amp;")
            || once.contains("&lt;")
            || once.contains("&gt;")
            || once.contains("&nbsp;")
            || once.contains("&#"))
    {
        html_escape::decode_html_entities(&once).into_owned()
    } else {
        once
    }
}

/// Collapses runs of whitespace (including NBSP) into single spaces; keeps
/// paragraph breaks as a single blank line.
pub fn clean_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for para in s.split("\n\n") {
        let words: Vec<&str> = para
            .split(|c: char| c.is_whitespace() || c == '\u{a0}')
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&words.join(" "));
    }
    out
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "table",
    "section",
    "article",
    "figure",
    "figcaption",
    "pre",
    "hr",
    "header",
    "footer",
];

/// Reduces an HTML fragment to plain text: scripts and styles dropped, block
/// elements become paragraph breaks, entities decoded, whitespace collapsed.
/// Fast and allocation-light: used on every feed item.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') {
        return clean_whitespace(&unescape(html));
    }
    let mut out = String::with_capacity(html.len());
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let Some(end) = html[i..].find('>').map(|e| i + e) else {
                out.push_str(&html[i..]);
                break;
            };
            let tag = &html[i + 1..end];
            if tag.starts_with("!--") {
                match html[i..].find("-->") {
                    Some(e) => i += e + 3,
                    None => break,
                }
                continue;
            }
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if (name == "script" || name == "style") && !tag.starts_with('/') {
                let close = format!("</{name}");
                match find_ci(&html[end..], &close) {
                    Some(e) => {
                        i = end + e;
                        i += html[i..].find('>').map(|x| x + 1).unwrap_or(html.len() - i);
                    }
                    None => break,
                }
                continue;
            }
            if BLOCK_TAGS.contains(&name.as_str()) {
                out.push_str("\n\n");
            } else {
                out.push(' ');
            }
            i = end + 1;
        } else {
            let next = html[i..].find('<').map(|n| i + n).unwrap_or(bytes.len());
            out.push_str(&html[i..next]);
            i = next;
        }
    }
    let text = clean_whitespace(&unescape(&out));
    // Inline tags became spaces: tidy the space they leave before punctuation.
    text.replace(" ,", ",").replace(" .", ".")
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.to_ascii_lowercase();
    h.find(&needle.to_ascii_lowercase())
}

const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "ref",
    "ref_src",
    "ref_url",
    "oc",
    "cmpid",
    "cmp",
    "smid",
    "smtyp",
    "ito",
    "_ga",
    "_gl",
    "igshid",
    "guccounter",
    "guce_referrer",
    "guce_referrer_sig",
    "amp",
    "outputtype",
    "s_cid",
    "ncid",
    "taid",
    "sr_share",
    "at_medium",
    "at_campaign",
    "mbid",
    "spm",
];

/// A URL reduced to the form two copies of one article share: https, no
/// `www.`/`m.`/`amp.`, no fragment, no tracking parameters (utm_*, fbclid,
/// oc…), no AMP path, no trailing slash, sorted query. WordPress `?p=N`
/// and other meaningful parameters are kept. Unparseable input is returned trimmed.
pub fn canonical_url(raw: &str) -> String {
    let raw = raw.trim();
    let Ok(mut url) = Url::parse(raw) else {
        return raw.to_string();
    };
    if url.scheme() != "http" && url.scheme() != "https" {
        return url.to_string();
    }
    // Google's AMP cache: https://host-example-org.cdn.ampproject.org/c/s/host.example.org/path
    if url
        .host_str()
        .is_some_and(|h| h.ends_with(".cdn.ampproject.org"))
    {
        let path = url.path().to_string();
        let rest = path
            .trim_start_matches("/c/s/")
            .trim_start_matches("/v/s/")
            .trim_start_matches("/c/");
        if let Ok(inner) = Url::parse(&format!("https://{rest}")) {
            return canonical_url(inner.as_str());
        }
    }
    let default_port = matches!(
        (url.scheme(), url.port()),
        ("http", Some(80)) | ("https", Some(443))
    );
    let _ = url.set_scheme("https");
    if default_port {
        let _ = url.set_port(None);
    }
    if let Some(host) = url.host_str() {
        let mut h = host.to_ascii_lowercase();
        for prefix in ["www.", "m.", "amp.", "mobile."] {
            if let Some(rest) = h.strip_prefix(prefix) {
                if rest.contains('.') {
                    h = rest.to_string();
                }
            }
        }
        let _ = url.set_host(Some(&h));
    }
    url.set_fragment(None);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        url.set_query(Some(&q));
    }
    let mut path = url.path().to_string();
    for suffix in ["/amp/", "/amp", ".amp", "/amp.html"] {
        if path.len() > suffix.len() && path.ends_with(suffix) {
            path.truncate(path.len() - suffix.len());
            if suffix == "/amp.html" {
                path.push_str(".html");
            }
            break;
        }
    }
    if let Some(rest) = path.strip_prefix("/amp/") {
        path = format!("/{rest}");
    }
    while path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    url.set_path(&path);
    let mut s = url.to_string();
    // `https://host/` and `https://host/?p=1`: drop the root slash consistently.
    if url.path() == "/" {
        if let Some(pos) = s.find("/?") {
            s.replace_range(pos..pos + 1, "");
        } else if s.ends_with('/') {
            s.pop();
        }
    }
    s
}

/// The registrable-looking host without `www.`, lowercased.
pub fn host_of(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    Some(
        u.host_str()?
            .trim_start_matches("www.")
            .to_ascii_lowercase(),
    )
}

/// Resolves `href` against `base` (xml:base, feed URL, page URL).
pub fn resolve(base: Option<&str>, href: &str) -> String {
    let href = href.trim();
    if let Ok(u) = Url::parse(href) {
        return u.to_string();
    }
    match base
        .and_then(|b| Url::parse(b).ok())
        .and_then(|b| b.join(href).ok())
    {
        Some(u) => u.to_string(),
        None => href.to_string(),
    }
}

/// `http(s)://` links written out in plain text (Reddit self posts).
pub fn links_in_text(text: &str) -> Vec<String> {
    let is_sep = |c: char| {
        c.is_whitespace() || c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']'
    };
    let mut out = Vec::new();
    // Only the words holding "http" are looked at (most posts have none).
    let mut from = 0;
    while let Some(hit) = text[from..].find("http").map(|h| from + h) {
        let start = text[..hit]
            .char_indices()
            .rev()
            .find(|&(_, c)| is_sep(c))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0)
            .max(from);
        let end = text[hit..]
            .find(is_sep)
            .map(|e| hit + e)
            .unwrap_or(text.len());
        let word = &text[start..end];
        if let Some(start) = word.find("http://").or_else(|| word.find("https://")) {
            let link = word[start..].trim_end_matches(['.', ',', ';', ':', '!', '?', '"', '\'']);
            if Url::parse(link).is_ok() && !out.iter().any(|l| l == link) {
                out.push(link.to_string());
            }
        }
        from = end;
    }
    out
}

/// Lowercased alphanumeric words joined by single spaces, for title matching.
pub fn normalize_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Whether a guid is a WordPress `?p=N` shortlink (not the article URL).
pub fn is_wordpress_guid(guid: &str) -> bool {
    Url::parse(guid).ok().is_some_and(|u| {
        u.query_pairs()
            .any(|(k, v)| k == "p" && v.chars().all(|c| c.is_ascii_digit()))
    })
}

/// A stable short hash (hex) for ids derived from content.
pub fn stable_hash(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    d[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// Truncates to at most `max` bytes on a char boundary, adding an ellipsis.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_urls_collapse_copies() {
        let want = "https://example.org/tech/2026/story";
        for u in [
            "https://www.example.org/tech/2026/story/",
            "http://example.org/tech/2026/story?utm_source=x&utm_medium=rss#comments",
            "https://example.org/tech/2026/story/amp/",
            "https://amp.example.org/tech/2026/story",
            "https://example-org.cdn.ampproject.org/c/s/example.org/tech/2026/story/amp",
            "https://m.example.org/tech/2026/story?fbclid=abc&oc=5",
        ] {
            assert_eq!(canonical_url(u), want, "{u}");
        }
        assert_eq!(
            canonical_url("https://www.example.org/?p=123"),
            "https://example.org?p=123"
        );
        assert_eq!(
            canonical_url("https://example.org?b=2&a=1"),
            "https://example.org?a=1&b=2"
        );
        assert!(is_wordpress_guid("https://example.org/?p=123"));
    }

    #[test]
    fn links_in_text_finds_each_link_once() {
        let t =
            "See (https://example.org/a), http://b.example.com/x. and [x](https://example.org/a) \
                 or xhttps://c.example.net/y! not httpfoo, http:/bad, é https://d.example.org";
        assert_eq!(
            links_in_text(t),
            vec![
                "https://example.org/a",
                "http://b.example.com/x",
                "https://c.example.net/y",
                "https://d.example.org"
            ]
        );
        assert!(links_in_text("no links here").is_empty());
    }

    #[test]
    fn html_to_text_handles_entities_and_blocks() {
        let t = html_to_text("<p>Q&#038;A: it&#8217;s <b>fine</b></p><script>x()</script><p>Two&nbsp;&amp;amp; three</p>");
        assert_eq!(t, "Q&A: it’s fine\n\nTwo & three");
        assert_eq!(unescape("AT&amp;T &lt;3"), "AT&T <3");
        assert_eq!(
            normalize_title("Chips, Inc.: “Record” - Q3!"),
            "chips inc record q3"
        );
    }
}
