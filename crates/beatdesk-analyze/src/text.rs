//! Tokenisation: Unicode word boundaries, lowercase, stop words, and the
//! special tokens a beat about open-source AI is full of (URLs, @handles,
//! r/subreddits, money and model sizes, version numbers).
//!
//! The scanner does not allocate per token: it hands borrowed, lowercased
//! slices to callbacks, and the caller (the featuriser) interns them.

use unicode_segmentation::UnicodeSegmentation;

/// English stop words plus the filler of social posts, whitespace-separated.
const STOP: &str = "\
    a about above after again against all also am an and any anyone are aren as at be because been \
    before being below between both but by can could did didn do does doesn doing don dont down \
    during each else even ever every few for from further get gets getting go going gonna got had \
    has have having he her here hers him his how i if im in into is isn it its just know let like ll \
    lol made make many may me might more most much must my no nor not now of off ok on once one only \
    or other our ours out over own pretty probably re really s same say says said see she should so \
    some still such t than that thats the their theirs them then there these they thing things think \
    this those through to too under until up us ve very via was wasn way we well were what when \
    where which while who whom why will with won would yeah yes yet you your yours http https www \
    com amp etc anyway actually basically literally someone something anything everything everyone \
    new today week day time people want need use using used look looks good great take thread post \
    edit update per lot lots bit kind sure seems \
";

/// Whether a lowercased word is a stop word.
pub fn is_stop(w: &str) -> bool {
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    w.len() <= 10
        && SET
            .get_or_init(|| STOP.split_whitespace().collect())
            .contains(w)
}

/// How a word is capitalised in the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Lower,
    /// `Tencent`: only the first letter is upper case.
    Capital,
    /// `DeepSeek`, `vLLM`, `GGUF`, `V4`, `Qwen3.5`, `llama.cpp`: always an entity.
    Marked,
}

fn case_of(w: &str) -> Case {
    let mut chars = w.chars();
    let first = match chars.next() {
        Some(c) => c,
        None => return Case::Lower,
    };
    let mut upper_after = 0;
    let mut lower_after = 0;
    let mut digits = first.is_ascii_digit() as usize;
    let mut letters = first.is_alphabetic() as usize;
    let mut dot = false;
    for c in chars {
        if c.is_uppercase() {
            upper_after += 1;
        } else if c.is_lowercase() {
            lower_after += 1;
        }
        if c.is_ascii_digit() {
            digits += 1;
        }
        if c.is_alphabetic() {
            letters += 1;
        }
        if c == '.' {
            dot = true;
        }
    }
    if letters > 0 && digits > 0 {
        return Case::Marked;
    }
    if dot && letters > 3 {
        return Case::Marked; // llama.cpp, node.js
    }
    if first.is_uppercase() {
        if upper_after > 0 && letters >= 2 {
            Case::Marked // DeepSeek, GGUF, CATL, EU
        } else if lower_after > 0 {
            Case::Capital
        } else {
            Case::Lower
        }
    } else if upper_after > 0 {
        Case::Marked // vLLM, iPhone
    } else {
        Case::Lower
    }
}

/// Lowercases `w` into `buf`, dropping a possessive `'s`.
pub fn lower_into(w: &str, buf: &mut String) {
    buf.clear();
    let w = w
        .strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .unwrap_or(w);
    if w.is_ascii() {
        buf.push_str(w);
        buf.make_ascii_lowercase();
        return;
    }
    for c in w.chars() {
        if c == '’' {
            buf.push('\'');
        } else {
            buf.extend(c.to_lowercase());
        }
    }
}

const TLDS: &[&str] = &[
    "com", "org", "net", "io", "ai", "co", "dev", "app", "social", "news", "eu", "uk", "de", "fr",
    "cn", "gov", "edu", "info", "me", "sh", "gg", "tv", "xyz",
];

fn trim_punct(s: &str) -> &str {
    s.trim_matches(|c: char| {
        matches!(
            c,
            '.' | ','
                | ';'
                | ':'
                | '!'
                | '?'
                | '"'
                | '\''
                | '('
                | ')'
                | '['
                | ']'
                | '<'
                | '>'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '*'
                | '_'
        )
    })
}

/// Normalises a URL (with or without scheme) to `host/path`, lowercased,
/// without `www.`, query, fragment or trailing slash. `None` if it is not a URL.
pub fn normalize_url(raw: &str) -> Option<String> {
    let s = trim_punct(raw);
    let rest = if let Some(i) = s.find("://") {
        &s[i + 3..]
    } else if s.starts_with("www.") || looks_like_domain(s) {
        s
    } else {
        return None;
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let rest = rest.trim_start_matches("www.").trim_end_matches('/');
    if rest.is_empty() || !rest.contains('.') {
        return None;
    }
    Some(rest.to_lowercase())
}

fn looks_like_domain(s: &str) -> bool {
    let host = s.split('/').next().unwrap_or("");
    let mut parts = host.rsplit('.');
    let tld = parts.next().unwrap_or("");
    parts.next().is_some_and(|p| !p.is_empty()) && TLDS.contains(&tld.to_ascii_lowercase().as_str())
}

/// The host part of a normalised URL.
pub fn url_host(norm: &str) -> &str {
    norm.split('/').next().unwrap_or(norm)
}

/// Normalises a number with a unit: `$7.4B`, `$7.4 billion` → `$7.4b`;
/// `92%`, `92 percent` → `92%`; `70B` → `70b`; `4-bit` → `4bit`.
/// `next` is the following chunk, consumed when it is the unit.
fn number_entity(chunk: &str, next: Option<&str>) -> Option<(String, bool)> {
    let c = trim_punct(chunk);
    let (cur, c) = match c.strip_prefix('$').or_else(|| c.strip_prefix('€')) {
        Some(r) => ("$", r),
        None => ("", c),
    };
    let num_end = c
        .find(|ch: char| !(ch.is_ascii_digit() || ch == '.' || ch == ','))
        .unwrap_or(c.len());
    let num = c[..num_end].trim_end_matches(['.', ',']);
    if num.is_empty() || !num.starts_with(|ch: char| ch.is_ascii_digit()) {
        return None;
    }
    let num = num.replace(',', "");
    let suffix = c[num_end..].trim_start_matches('-').to_ascii_lowercase();
    let unit = |u: &str| -> Option<&'static str> {
        Some(match u {
            "b" | "bn" | "billion" => "b",
            "m" | "mn" | "million" => "m",
            "k" | "thousand" => "k",
            "t" | "tn" | "trillion" => "t",
            "%" | "percent" | "pct" => "%",
            "bit" | "bits" => "bit",
            "gb" => "gb",
            "tb" => "tb",
            "x" => "x",
            "ms" => "ms",
            _ => return None,
        })
    };
    if !suffix.is_empty() {
        return unit(&suffix).map(|u| (format!("{cur}{num}{u}"), false));
    }
    if let Some(u) = next
        .map(|n| trim_punct(n).to_ascii_lowercase())
        .and_then(|n| unit(&n))
    {
        return Some((format!("{cur}{num}{u}"), true));
    }
    if !cur.is_empty() {
        return Some((format!("{cur}{num}"), false));
    }
    None
}

fn is_version(w: &str) -> bool {
    let w = w.strip_prefix(['v', 'V']).unwrap_or(w);
    !w.is_empty()
        && w.len() <= 6
        && w.starts_with(|c: char| c.is_ascii_digit())
        && w.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// What the scanner reports.
pub trait Sink {
    /// A lowercased content word (not a stop word), unstemmed.
    fn word(&mut self, w: &str);
    /// A lowercased entity: name, handle, subreddit, URL, number with unit.
    fn entity(&mut self, e: &str);
    /// Whether a capitalised word is a known entity (for title-case titles).
    fn known_entity(&self, _w: &str) -> bool {
        false
    }
    /// A capitalised word seen mid-sentence (teaches `known_entity`).
    fn saw_capital(&mut self, _w: &str) {}
}

/// Scans `text`. `title_case` says the text capitalises every word (a
/// headline), so only marked or known names count as entities.
pub fn scan(text: &str, title_case: bool, sink: &mut impl Sink) {
    let mut buf = String::with_capacity(32);
    let mut buf2 = String::with_capacity(32);
    let mut sentence_start = true;
    let mut prev_entity: Option<String> = None;
    let mut chunks = text.split_whitespace().peekable();
    while let Some(chunk) = chunks.next() {
        let trimmed = trim_punct(chunk);
        let ends_sentence = chunk.ends_with(['.', '!', '?', ':']) || chunk.ends_with(".\"");
        // Special tokens first.
        if trimmed.contains("://")
            || trimmed.starts_with("www.")
            || (trimmed.contains('/') && looks_like_domain(trimmed))
        {
            if let Some(u) = normalize_url(trimmed) {
                sink.entity(url_host(&u));
                if u.contains('/') {
                    sink.entity(&u);
                }
            }
            sentence_start = ends_sentence;
            prev_entity = None;
            continue;
        }
        if let Some(h) = trimmed.strip_prefix('@') {
            let h = h.split(".bsky.social").next().unwrap_or(h);
            if !h.is_empty() {
                lower_into(h, &mut buf);
                buf.insert(0, '@');
                sink.entity(&buf);
            }
            sentence_start = ends_sentence;
            prev_entity = None;
            continue;
        }
        let sub = trimmed
            .strip_prefix("/r/")
            .or_else(|| trimmed.strip_prefix("r/"));
        if let Some(s) =
            sub.filter(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            lower_into(s, &mut buf);
            buf.insert_str(0, "r/");
            sink.entity(&buf);
            sentence_start = ends_sentence;
            prev_entity = None;
            continue;
        }
        if let Some((n, consumed_next)) = number_entity(chunk, chunks.peek().copied()) {
            sink.entity(&n);
            if consumed_next {
                chunks.next();
            }
        }
        // Ordinary words inside the chunk.
        for w in chunk.unicode_words() {
            let case = case_of(w);
            lower_into(w, &mut buf);
            if buf.is_empty() {
                continue;
            }
            let stop = is_stop(&buf);
            let entity = match case {
                Case::Marked => !stop,
                Case::Capital if stop => false,
                Case::Capital if title_case => sink.known_entity(&buf),
                Case::Capital if sentence_start => sink.known_entity(&buf),
                Case::Capital => {
                    sink.saw_capital(&buf);
                    true
                }
                Case::Lower => false,
            };
            let prev = prev_entity.take();
            if entity {
                sink.entity(&buf);
            }
            if is_version(&buf) {
                // `Qwen 3.5`, `DeepSeek V4`: the name with its version.
                if let Some(p) = prev.as_ref().filter(|p| **p != buf) {
                    buf2.clear();
                    buf2.push_str(p);
                    buf2.push_str(&buf);
                    sink.entity(&buf2);
                }
            } else if entity {
                // `Hugging Face`, `Bastion Labs`: a two-word name as well.
                if let Some(p) = prev.as_ref() {
                    buf2.clear();
                    buf2.push_str(p);
                    buf2.push(' ');
                    buf2.push_str(&buf);
                    sink.entity(&buf2);
                }
                prev_entity = Some(buf.clone());
            }
            if !stop {
                emit_words(&buf, sink);
            }
            sentence_start = false;
        }
        if ends_sentence || chunk.ends_with([',', ';']) {
            prev_entity = None;
        }
        sentence_start = ends_sentence;
    }
}

/// Splits `qwen3.5` into `qwen` + `3.5` so it matches `Qwen 3.5`; keeps
/// short prefixes (`v4`, `r1`) whole.
fn emit_words(w: &str, sink: &mut impl Sink) {
    let split = w.find(|c: char| c.is_ascii_digit());
    match split {
        Some(i) if i >= 3 && w[..i].chars().all(|c| c.is_alphabetic()) => {
            sink.word(&w[..i]);
            sink.word(&w[i..]);
        }
        _ => {
            if w.chars().count() >= 2 {
                sink.word(w);
            }
        }
    }
}

/// Whether a headline capitalises (nearly) every longer word.
pub fn is_title_case(title: &str) -> bool {
    let mut long = 0;
    let mut caps = 0;
    for w in title.unicode_words() {
        if w.chars().count() > 3 && w.chars().all(|c| c.is_alphabetic()) {
            long += 1;
            if w.chars().next().is_some_and(|c| c.is_uppercase()) {
                caps += 1;
            }
        }
    }
    long >= 3 && caps * 10 >= long * 7
}

/// Lowercased alphanumeric words including stop words, for shingling.
pub fn plain_words(text: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    for w in text.unicode_words() {
        lower_into(w, &mut buf);
        f(&buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        words: Vec<String>,
        ents: Vec<String>,
    }
    impl Sink for Collect {
        fn word(&mut self, w: &str) {
            self.words.push(w.to_string());
        }
        fn entity(&mut self, e: &str) {
            self.ents.push(e.to_string());
        }
    }

    fn run(t: &str) -> Collect {
        let mut c = Collect::default();
        scan(t, false, &mut c);
        c
    }

    #[test]
    fn special_tokens() {
        let c = run("Big news: DeepSeek raised $7.4 billion, see https://www.example.com/a/b?x=1 via @bob.bsky.social in r/LocalLLaMA");
        for e in [
            "deepseek",
            "$7.4b",
            "example.com",
            "example.com/a/b",
            "@bob",
            "r/localllama",
        ] {
            assert!(
                c.ents.contains(&e.to_string()),
                "{e} missing from {:?}",
                c.ents
            );
        }
        assert!(
            !c.ents.contains(&"big".to_string()),
            "sentence-initial word is not an entity"
        );
        assert!(c.words.contains(&"raised".to_string()));
        assert!(!c.words.contains(&"the".to_string()));
    }

    #[test]
    fn versions_and_units() {
        let a = run("We tried Qwen 3.5 at 4-bit, and the 92% hit rate");
        let b = run("we tried Qwen3.5 today");
        assert!(a.ents.contains(&"qwen3.5".to_string()), "{:?}", a.ents);
        assert!(b.ents.contains(&"qwen3.5".to_string()), "{:?}", b.ents);
        assert!(
            a.ents.contains(&"4bit".to_string()) && a.ents.contains(&"92%".to_string()),
            "{:?}",
            a.ents
        );
        assert!(b.words.contains(&"qwen".to_string()) && b.words.contains(&"3.5".to_string()));
    }

    #[test]
    fn title_case_detection() {
        assert!(is_title_case(
            "DeepSeek Raises $7.4 Billion From Tencent And CATL"
        ));
        assert!(!is_title_case(
            "DeepSeek raises $7.4 billion from Tencent and CATL"
        ));
    }
}
