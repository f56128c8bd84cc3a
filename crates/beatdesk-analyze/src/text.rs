//! Tokenisation: Unicode word boundaries, lowercase, stop words, and the
//! special tokens a beat about open-source AI is full of (URLs, @handles,
//! r/subreddits, money and model sizes, version numbers).
//!
//! The scanner does not allocate per token: it hands borrowed, lowercased
//! slices to callbacks, and the caller (the featuriser) interns them.

mod case;
mod number;
mod words;

use case::{case_of, case_of_ascii};
use number::{canonical_amount, number_entity};

pub use words::for_each_word;
use words::words;

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
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<u128>> = std::sync::OnceLock::new();
    // Every stop word has at most 10 bytes.
    w.len() <= 10
        && SET
            .get_or_init(|| STOP.split_whitespace().map(packed).collect())
            .contains(&packed(w))
}

/// A word of at most 15 bytes as one number (bytes, then the length in the
/// top byte), so a set lookup compares no strings.
fn packed(w: &str) -> u128 {
    debug_assert!(w.len() < 16);
    // 64-bit shifts rather than a copy, which would call memcpy for a few
    // bytes (or 128-bit shifts, which are slow).
    let (mut lo, mut hi) = (0u64, (w.len() as u64) << 56);
    for (i, &b) in w.as_bytes().iter().enumerate() {
        if i < 8 {
            lo |= (b as u64) << (8 * i);
        } else {
            hi |= (b as u64) << (8 * (i - 8));
        }
    }
    ((hi as u128) << 64) | lo as u128
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

/// ASCII punctuation that [`trim_punct`] strips.
fn is_trimmed_punct(b: u8) -> bool {
    matches!(
        b,
        b'.' | b','
            | b';'
            | b':'
            | b'!'
            | b'?'
            | b'"'
            | b'\''
            | b'('
            | b')'
            | b'['
            | b']'
            | b'<'
            | b'>'
            | b'*'
            | b'_'
    )
}

/// Curly quotes that [`trim_punct`] strips.
const QUOTES: [&str; 4] = ["“", "”", "‘", "’"];

/// Strips punctuation and quotes from both ends, byte by byte: this runs
/// on every chunk of every text.
fn trim_punct(s: &str) -> &str {
    let mut t = s;
    loop {
        match t.as_bytes().first() {
            Some(&b) if is_trimmed_punct(b) => t = &t[1..],
            Some(0xE2) => match QUOTES.iter().find(|q| t.starts_with(**q)) {
                Some(q) => t = &t[q.len()..],
                None => break,
            },
            _ => break,
        }
    }
    loop {
        match t.as_bytes().last() {
            Some(&b) if is_trimmed_punct(b) => t = &t[..t.len() - 1],
            Some(_) if t.len() >= 3 => match QUOTES.iter().find(|q| t.ends_with(**q)) {
                Some(q) => t = &t[..t.len() - q.len()],
                None => break,
            },
            _ => break,
        }
    }
    t
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

/// Chinese, Japanese and Korean scripts: written without spaces between
/// words, so they are matched by character bigrams.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// CJK runs of a chunk: character bigrams as words, and amounts written
/// with 億 (10⁸) or 万 (10⁴) as entities (`約46億ドル` → `$4.6b`).
fn scan_cjk(chunk: &str, sink: &mut impl Sink) {
    let chars: Vec<char> = chunk.chars().collect();
    let mut bigram = String::with_capacity(8);
    for w in chars.windows(2) {
        if is_cjk(w[0]) && is_cjk(w[1]) {
            bigram.clear();
            bigram.push(w[0]);
            bigram.push(w[1]);
            sink.word(&bigram);
        }
    }
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',')
            {
                i += 1;
            }
            let num: String = chars[start..i].iter().filter(|c| **c != ',').collect();
            let mult = match chars.get(i) {
                Some('億') => 1e8,
                Some('万') => 1e4,
                _ => continue,
            };
            if let Ok(v) = num.trim_end_matches('.').parse::<f64>() {
                sink.entity(&format!("${}", canonical_amount(v * mult)));
            }
        } else {
            i += 1;
        }
    }
}

/// `#ExportControls` → the tag as an entity and its words (`export`,
/// `controls`), so a tag matches the same words in running text.
fn scan_hashtag(tag: &str, buf: &mut String, sink: &mut impl Sink) {
    lower_into(tag, buf);
    if buf.chars().count() < 2 {
        return;
    }
    sink.entity(&format!("#{buf}"));
    let mut word = String::new();
    let mut prev_lower = false;
    for c in tag.chars() {
        if c.is_uppercase() && prev_lower && word.chars().count() >= 2 {
            emit_tag_word(&word, sink);
            word.clear();
        }
        prev_lower = c.is_lowercase();
        word.extend(c.to_lowercase());
    }
    emit_tag_word(&word, sink);
}

fn emit_tag_word(w: &str, sink: &mut impl Sink) {
    if w.chars().count() >= 2 && !is_stop(w) && !w.chars().any(is_cjk) {
        sink.word(w);
    }
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
    let mut st = WordState {
        buf: String::with_capacity(32),
        buf2: String::with_capacity(32),
        prev: String::with_capacity(32),
        has_prev: false,
        sentence_start: true,
        title_case,
    };
    let mut buf = String::with_capacity(32);
    let mut chunks = text.split_whitespace().peekable();
    while let Some(chunk) = chunks.next() {
        let trimmed = trim_punct(chunk);
        let ends_sentence = chunk.ends_with(['.', '!', '?', ':']) || chunk.ends_with(".\"");
        if is_plain(chunk, trimmed) {
            // One word of letters (or none): no special token, no number.
            if !trimmed.is_empty() {
                st.word(trimmed, true, sink);
            }
            st.end_chunk(chunk, ends_sentence);
            continue;
        }
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
            st.sentence_start = ends_sentence;
            st.has_prev = false;
            continue;
        }
        if let Some(h) = trimmed.strip_prefix('@') {
            let h = h.split(".bsky.social").next().unwrap_or(h);
            if !h.is_empty() {
                lower_into(h, &mut buf);
                buf.insert(0, '@');
                sink.entity(&buf);
            }
            st.sentence_start = ends_sentence;
            st.has_prev = false;
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
            st.sentence_start = ends_sentence;
            st.has_prev = false;
            continue;
        }
        if let Some(tag) = trimmed
            .strip_prefix('#')
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            scan_hashtag(tag, &mut buf, sink);
            if tag.chars().any(is_cjk) {
                scan_cjk(tag, sink);
            }
            st.sentence_start = ends_sentence;
            st.has_prev = false;
            continue;
        }
        let ascii = chunk.is_ascii();
        if !ascii && chunk.chars().any(is_cjk) {
            scan_cjk(chunk, sink);
        }
        if let Some((n, consumed_next)) = number_entity(chunk, chunks.peek().copied()) {
            sink.entity(&n);
            if consumed_next {
                chunks.next();
            }
        }
        // Ordinary words inside the chunk.
        for w in words(chunk) {
            if !ascii && w.chars().any(is_cjk) {
                continue; // matched by bigrams
            }
            st.word(w, ascii, sink);
        }
        st.end_chunk(chunk, ends_sentence);
    }
}

/// Whether a chunk is ASCII letters between punctuation that `trim_punct`
/// strips (not `_`, which joins words): its only word is `trimmed`.
fn is_plain(chunk: &str, trimmed: &str) -> bool {
    trimmed.bytes().all(|b| b.is_ascii_alphabetic())
        && chunk.bytes().all(|b| b.is_ascii() && b != b'_')
}

/// The scanner's state between ordinary words.
struct WordState {
    buf: String,
    buf2: String,
    /// The previous word when it was an entity (`has_prev`).
    prev: String,
    has_prev: bool,
    sentence_start: bool,
    title_case: bool,
}

impl WordState {
    fn word(&mut self, w: &str, ascii: bool, sink: &mut impl Sink) {
        let case = if ascii {
            case_of_ascii(w.as_bytes())
        } else {
            case_of(w)
        };
        let buf = &mut self.buf;
        if ascii {
            // `lower_into` for ASCII, without a memcpy call for a few bytes.
            buf.clear();
            let w = w.strip_suffix("'s").unwrap_or(w);
            buf.extend(w.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            lower_into(w, buf);
        }
        if buf.is_empty() {
            return;
        }
        let stop = is_stop(buf);
        let entity = match case {
            Case::Marked => !stop,
            Case::Capital if stop => false,
            Case::Capital if self.title_case => sink.known_entity(buf),
            Case::Capital if self.sentence_start => sink.known_entity(buf),
            Case::Capital => {
                sink.saw_capital(buf);
                true
            }
            Case::Lower => false,
        };
        let had_prev = std::mem::take(&mut self.has_prev);
        if entity {
            sink.entity(buf);
        }
        let buf2 = &mut self.buf2;
        if is_version(buf) {
            // `Qwen 3.5`, `DeepSeek V4`: the name with its version.
            if had_prev && self.prev != *buf {
                buf2.clear();
                buf2.push_str(&self.prev);
                buf2.push_str(buf);
                sink.entity(buf2);
            }
        } else if entity {
            // `Hugging Face`, `Bastion Labs`: a two-word name as well.
            if had_prev {
                buf2.clear();
                buf2.push_str(&self.prev);
                buf2.push(' ');
                buf2.push_str(buf);
                sink.entity(buf2);
            }
            self.prev.clear();
            self.prev.push_str(buf);
            self.has_prev = true;
        }
        if !stop {
            emit_words(buf, sink);
        }
        self.sentence_start = false;
    }

    fn end_chunk(&mut self, chunk: &str, ends_sentence: bool) {
        if ends_sentence || chunk.ends_with([',', ';']) {
            self.has_prev = false;
        }
        self.sentence_start = ends_sentence;
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
            if two_chars(w) {
                sink.word(w);
            }
        }
    }
}

/// Whether `w` has at least two characters, without counting them all.
fn two_chars(w: &str) -> bool {
    let mut c = w.chars();
    c.next().is_some() && c.next().is_some()
}

/// Whether a headline capitalises (nearly) every longer word.
pub fn is_title_case(title: &str) -> bool {
    let mut long = 0;
    let mut caps = 0;
    for_each_word(title, |w| {
        if w.chars().count() > 3 && w.chars().all(|c| c.is_alphabetic()) {
            long += 1;
            if w.chars().next().is_some_and(|c| c.is_uppercase()) {
                caps += 1;
            }
        }
    });
    long >= 3 && caps * 10 >= long * 7
}

/// Lowercased alphanumeric words including stop words, for shingling.
pub fn plain_words(text: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    for_each_word(text, |w| {
        lower_into(w, &mut buf);
        f(&buf);
    });
}

#[cfg(test)]
mod tests;
