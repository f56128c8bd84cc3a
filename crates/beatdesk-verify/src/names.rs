//! Names in a claim: runs of capitalised words, words with digits and
//! capitals ("K11", "HBM4", "Sable-3.5"), @handles and r/subreddits.

use crate::numbers::is_number_word;
use crate::text::{is_stopword, normalize};

/// A name as written, with its char span in the sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub text: String,
    pub start: u32,
    pub end: u32,
    /// The first word of the sentence (or of a quotation): capitalised anyway.
    pub initial: bool,
}

const CALENDAR: [&str; 19] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "may",
];

fn trim_word(w: &str) -> (usize, &str) {
    let lead = w
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric() || *c == '@')
        .map(|(i, _)| i)
        .unwrap_or(w.len());
    let mut t = &w[lead..];
    t = t.trim_end_matches(|c: char| !c.is_alphanumeric());
    for p in ["'s", "\u{2019}s"] {
        if let Some(x) = t.strip_suffix(p) {
            t = x;
        }
    }
    t = t.trim_end_matches(|c: char| !c.is_alphanumeric());
    (w[..lead].chars().count(), t)
}

fn is_name_word(w: &str) -> bool {
    let mut cs = w.chars();
    let Some(first) = cs.next() else { return false };
    if w.starts_with('@') || w.starts_with("r/") || w.starts_with("u/") {
        return w.len() > 2;
    }
    if w.contains(['$', '%', '\u{20ac}', '\u{a3}'])
        || (w.len() == 2
            && w.starts_with('Q')
            && w[1..].parse::<u8>().is_ok_and(|q| (1..=4).contains(&q)))
    {
        return false;
    }
    let lower = w.to_lowercase();
    let month_abbr = lower.len() >= 3
        && lower.len() <= 4
        && CALENDAR.iter().any(|m| m.starts_with(lower.as_str()));
    if is_number_word(lower.replace('-', " ").split(' ').next().unwrap_or(""))
        || CALENDAR.contains(&lower.as_str())
        || month_abbr
    {
        return false;
    }
    first.is_uppercase()
}

/// The names of a sentence.
pub fn find(sentence: &str) -> Vec<Name> {
    let mut out: Vec<Name> = Vec::new();
    let mut pos: u32 = 0;
    let mut run: Option<Name> = None;
    let mut first = true;
    let mut after_open_quote;
    for raw in sentence.split(' ') {
        let len = raw.chars().count() as u32;
        let (lead, w) = if raw == "&" { (0, "&") } else { trim_word(raw) };
        let possessive = raw
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .ends_with("'s")
            || raw
                .trim_end_matches(|c: char| !c.is_alphanumeric())
                .ends_with("\u{2019}s");
        after_open_quote = raw.starts_with(['"', '\u{201c}', '\u{2018}', '(']);
        let breaks_after = possessive
            || raw.ends_with([',', ';', ':', '.', ')', '"', '\u{201d}', '\u{2019}'])
                && !w.ends_with('.');
        // "Qwen 3.5", "Apache 2.0", "OLMo 5": a version after a name is part of it.
        let version = run.is_some()
            && !w.is_empty()
            && w.starts_with(|c: char| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        let joiner = (matches!(w, "&") && run.is_some()) || version;
        if !w.is_empty() && (is_name_word(w) || joiner) {
            let start = pos + lead as u32;
            let end = start + w.chars().count() as u32;
            match run.as_mut() {
                Some(r) if !after_open_quote => {
                    r.text.push(' ');
                    r.text.push_str(w);
                    r.end = end;
                }
                _ => {
                    if let Some(r) = run.take() {
                        out.push(r);
                    }
                    run = Some(Name {
                        text: w.to_string(),
                        start,
                        end,
                        initial: first || after_open_quote,
                    });
                }
            }
            if breaks_after {
                if let Some(r) = run.take() {
                    out.push(r);
                }
            }
        } else if let Some(r) = run.take() {
            out.push(r);
        }
        if !w.is_empty() {
            first = false;
        }
        pos += len + 1;
    }
    if let Some(r) = run.take() {
        out.push(r);
    }
    // A trailing "&" is not part of a name.
    for n in &mut out {
        while n.text.ends_with(" &") {
            n.text.truncate(n.text.len() - 2);
        }
    }
    out
}

/// Whether `name` appears in `hay` (normalised) at word edges; an acronym
/// also matches the initials of a run of capitalised words in `raw`.
pub fn present(name: &str, hay_norm: &str) -> bool {
    let n = normalize(name);
    let n = n.trim_start_matches('@');
    if n.is_empty() {
        return true;
    }
    let bytes = hay_norm.as_bytes();
    let mut from = 0;
    while let Some(i) = hay_norm[from..].find(n) {
        let s = from + i;
        let e = s + n.len();
        let ok_l = s == 0 || !(bytes[s - 1] as char).is_alphanumeric();
        let ok_r = e >= bytes.len()
            || !(bytes[e] as char).is_alphanumeric()
            || hay_norm[e..].starts_with("'s");
        // "K9" must not match inside "K9-Lite".
        let hyphen_r = hay_norm[e..].starts_with('-')
            && hay_norm[e + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric());
        let hyphen_l =
            s > 0 && bytes[s - 1] == b'-' && s > 1 && (bytes[s - 2] as char).is_alphanumeric();
        if ok_l && ok_r && !hyphen_r && !hyphen_l {
            return true;
        }
        from = s + 1;
        while !hay_norm.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// "OSI" for "Open Source Initiative": initials of capitalised runs in `raw`.
pub fn acronym_in(acr: &str, raw: &str) -> bool {
    if acr.len() < 2 || acr.len() > 6 || !acr.chars().all(|c| c.is_ascii_uppercase()) {
        return false;
    }
    let words: Vec<&str> = raw
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let initials: Vec<char> = words
        .iter()
        .map(|w| w.chars().next().unwrap_or(' '))
        .collect();
    let a: Vec<char> = acr.chars().collect();
    initials.windows(a.len()).any(|w| w == a.as_slice())
}

/// Whether a sentence-initial capitalised word is just an ordinary word.
pub fn ordinary(word: &str, lower_words: &rustc_hash::FxHashSet<String>) -> bool {
    let l = word.to_lowercase();
    is_stopword(&l) || lower_words.contains(&l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_capitalised_runs_handles_and_products() {
        let n = find("Calloway Ridge Research analyst Felix Osterhagen said Harbor & Signal and @desk.bsky.social saw Kestrel\u{2019}s K9-Lite on Wednesday.");
        let t: Vec<&str> = n.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            t,
            [
                "Calloway Ridge Research",
                "Felix Osterhagen",
                "Harbor & Signal",
                "@desk.bsky.social",
                "Kestrel",
                "K9-Lite"
            ]
        );
        assert!(n[0].initial && !n[1].initial);
    }

    #[test]
    fn presence_respects_word_edges() {
        let hay = normalize("Kestrel's K9-Lite, not the K11. Open Source Initiative");
        assert!(present("K11", &hay));
        assert!(present("Kestrel", &hay));
        assert!(!present("K9", &hay));
        assert!(!present("Kes", &hay));
        assert!(acronym_in("OSI", "the Open Source Initiative said"));
    }
}
