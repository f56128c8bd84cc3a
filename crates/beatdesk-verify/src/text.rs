//! Normalisation and word tokens with offsets back into the original text.
//!
//! Matching happens on tokens: NFKC, lower case, one quote style and one dash
//! style, whitespace and punctuation between words ignored. Each token keeps
//! the char offsets of its source span, so a match can be shown to the editor.

use unicode_normalization::UnicodeNormalization;

/// One word of a text: its normalised form and its char span in the original.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub norm: String,
    pub start: u32,
    pub end: u32,
}

/// Folds one char to its matching form (may be several chars after NFKC).
fn fold(c: char, out: &mut String) {
    // Most text is ASCII, which NFKC leaves alone.
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for n in std::iter::once(c).nfkc() {
        let n = match n {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}'
            | '\u{bb}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => '-',
            other => other,
        };
        for l in n.to_lowercase() {
            out.push(l);
        }
    }
}

/// The whole text normalised (for substring tests on names and facts).
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        fold(c, &mut out);
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Word tokens: runs of letters and digits; an apostrophe between letters
/// and a `.`/`,` between digits stay inside the word ("don't", "7.4", "4,600").
pub fn tokens(s: &str) -> Vec<Token> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut norm = String::new();
        while i < chars.len() {
            let c = chars[i];
            if is_word(c) {
                fold(c, &mut norm);
                i += 1;
                continue;
            }
            let next_word = chars.get(i + 1).is_some_and(|n| is_word(*n));
            let apostrophe =
                matches!(c, '\'' | '\u{2019}') && next_word && chars[i - 1].is_alphabetic();
            let digit_sep = matches!(c, '.' | ',')
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if apostrophe {
                norm.push('\'');
                i += 1;
            } else if digit_sep {
                // "4,600" and "4600" are one token; "7.4" keeps its point.
                if c == '.' {
                    norm.push('.');
                }
                i += 1;
            } else {
                break;
            }
        }
        out.push(Token {
            norm,
            start: start as u32,
            end: i as u32,
        });
    }
    out
}

/// A light English stemmer for support scores.
pub fn stem(stemmer: &rust_stemmers::Stemmer, w: &str) -> String {
    stemmer.stem(w.trim_end_matches("'s")).into_owned()
}

/// Function words that carry no support.
pub fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "and"
            | "or"
            | "but"
            | "of"
            | "to"
            | "in"
            | "on"
            | "at"
            | "for"
            | "by"
            | "with"
            | "from"
            | "as"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "it"
            | "its"
            | "that"
            | "this"
            | "these"
            | "those"
            | "which"
            | "who"
            | "whom"
            | "their"
            | "they"
            | "them"
            | "he"
            | "she"
            | "his"
            | "her"
            | "we"
            | "our"
            | "you"
            | "your"
            | "i"
            | "has"
            | "have"
            | "had"
            | "will"
            | "would"
            | "could"
            | "should"
            | "can"
            | "may"
            | "might"
            | "said"
            | "says"
            | "say"
            | "told"
            | "also"
            | "than"
            | "then"
            | "there"
            | "about"
            | "into"
            | "over"
            | "after"
            | "before"
            | "more"
            | "most"
            | "some"
            | "such"
            | "up"
            | "out"
            | "so"
            | "if"
            | "do"
            | "does"
            | "did"
            | "what"
            | "when"
            | "where"
            | "how"
            | "according"
            | "wrote"
            | "reported"
            | "s"
    )
}

/// Char offset → byte offset table for slicing by char spans.
pub fn char_slice(s: &str, start: u32, end: u32) -> String {
    s.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_quotes_dashes_case_and_keep_offsets() {
        let t = tokens("Initiative\u{2019}s “Open” 4,600 and 7.4 – ok");
        let norms: Vec<&str> = t.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(norms, ["initiative's", "open", "4600", "and", "7.4", "ok"]);
        assert_eq!((t[1].start, t[1].end), (14, 18));
        assert_eq!(normalize("A\u{2013}B  “x”\u{FB01}"), "a-b \"x\"fi");
    }
}
