//! Words of a text as `unicode_words` finds them (UAX #29), with a fast path
//! for ASCII: most text is ASCII, and segmenting it needs no tables.

use unicode_segmentation::{UnicodeSegmentation, UnicodeWords};

/// Letters and digits, the only ASCII characters a word starts with besides `_`.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// UAX #29 words of an ASCII string that contain a letter or digit.
///
/// For ASCII, the rules that join characters are: letters, digits and `_`
/// join each other (WB5, WB8-WB10, WB13a/b); `:`, `.` or `'` between two
/// letters (WB6/WB7); `,`, `;`, `.` or `'` between two digits
/// (WB11/WB12). Everything else is a break.
pub struct AsciiWords<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl<'a> AsciiWords<'a> {
    pub fn new(text: &'a str) -> Self {
        debug_assert!(text.is_ascii());
        AsciiWords {
            s: text.as_bytes(),
            text,
            i: 0,
        }
    }
}

impl<'a> Iterator for AsciiWords<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.s;
        loop {
            while self.i < s.len() && !is_word_byte(s[self.i]) {
                self.i += 1;
            }
            if self.i >= s.len() {
                return None;
            }
            let start = self.i;
            let mut alnum = false;
            let mut j = start;
            loop {
                let c = s[j];
                alnum |= c.is_ascii_alphanumeric();
                let Some(&n) = s.get(j + 1) else { break };
                if is_word_byte(n) {
                    j += 1;
                    continue;
                }
                let after = s.get(j + 2).copied().unwrap_or(0);
                let joins = if c.is_ascii_alphabetic() {
                    matches!(n, b':' | b'.' | b'\'') && after.is_ascii_alphabetic()
                } else if c.is_ascii_digit() {
                    matches!(n, b',' | b';' | b'.' | b'\'') && after.is_ascii_digit()
                } else {
                    false
                };
                if !joins {
                    break;
                }
                j += 2;
            }
            self.i = j + 1;
            // A run of `_` alone is not a word.
            if alnum {
                return Some(&self.text[start..self.i]);
            }
        }
    }
}

/// Words of a chunk: the ASCII fast path or Unicode segmentation.
pub enum Words<'a> {
    Ascii(AsciiWords<'a>),
    Unicode(UnicodeWords<'a>),
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Words::Ascii(w) => w.next(),
            Words::Unicode(w) => w.next(),
        }
    }
}

/// The same words as `text.unicode_words()`.
pub fn words(text: &str) -> Words<'_> {
    if text.is_ascii() {
        Words::Ascii(AsciiWords::new(text))
    } else {
        Words::Unicode(text.unicode_words())
    }
}

/// The same words as `text.unicode_words()` for a long text that may be
/// partly non-ASCII. It is cut after runs of ASCII whitespace followed by an
/// ASCII character: a word boundary that no rule looks across, so each piece
/// is segmented alone, and only pieces with non-ASCII characters pay for
/// Unicode segmentation.
pub fn for_each_word<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    if text.is_ascii() {
        AsciiWords::new(text).for_each(f);
        return;
    }
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && b[i].is_ascii() {
                words(&text[start..i]).for_each(&mut f);
                start = i;
            }
        } else {
            i += 1;
        }
    }
    words(&text[start..]).for_each(&mut f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Rng;

    fn same(t: &str) {
        let want: Vec<&str> = t.unicode_words().collect();
        let mut got = Vec::new();
        for_each_word(t, |w| got.push(w));
        assert_eq!(got, want, "for_each_word on {t:?}");
        let got: Vec<&str> = words(t).collect();
        assert_eq!(got, want, "words on {t:?}");
    }

    #[test]
    fn ascii_fast_path_matches_unicode_segmentation() {
        for t in [
            "",
            "_",
            "__a__",
            "a_1",
            "don't",
            "'tis",
            "e.g.",
            "A.I.",
            "a..b",
            "a:b",
            "1:2",
            "3.5",
            "7,400,000",
            "1;2",
            "1.a",
            "a.1",
            "v1.2.3",
            "x'1",
            "1'2",
            "--x--",
            "a_.b",
        ] {
            same(t);
        }
        let alphabet = b"aZ9_.,;:'\"-!?()$%#@/ \t\nx0";
        let mut rng = Rng::new(3);
        for _ in 0..20_000 {
            let len = rng.below(12);
            let t: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())] as char)
                .collect();
            same(&t);
        }
    }

    #[test]
    fn mixed_text_matches_unicode_segmentation() {
        let pieces = [
            "a",
            "Z",
            "9",
            "_",
            ".",
            ",",
            "'",
            ":",
            " ",
            "  ",
            "\n",
            "\r\n",
            "\t",
            "é",
            "e\u{301}",
            "\u{301}",
            "\u{200d}",
            "\u{200b}",
            "\u{a0}",
            "’",
            "日本",
            "カタカナ",
            "한",
            "🚀",
            "👩\u{200d}💻",
            "🇺🇸",
            "\u{93e}",
            "नमस्ते",
            "مرحبا",
            "١٢",
            "ß",
            "ǅ",
            "\u{5d0}\"\u{5d1}",
        ];
        let mut rng = Rng::new(5);
        for _ in 0..20_000 {
            let len = rng.below(10);
            let t: String = (0..len).map(|_| pieces[rng.below(pieces.len())]).collect();
            same(&t);
        }
    }
}
