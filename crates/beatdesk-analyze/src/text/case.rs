//! How a word is capitalised, which decides whether it names something.

use super::Case;

pub(super) fn case_of(w: &str) -> Case {
    if w.is_ascii() {
        return case_of_ascii(w.as_bytes());
    }
    case_of_chars(w)
}

pub(super) fn case_of_chars(w: &str) -> Case {
    let mut chars = w.chars();
    let first = match chars.next() {
        Some(c) => c,
        None => return Case::Lower,
    };
    let mut n = Letters {
        first_upper: first.is_uppercase(),
        digits: first.is_ascii_digit() as usize,
        letters: first.is_alphabetic() as usize,
        ..Letters::default()
    };
    for c in chars {
        if c.is_uppercase() {
            n.upper_after += 1;
        } else if c.is_lowercase() {
            n.lower_after += 1;
        }
        n.digits += c.is_ascii_digit() as usize;
        n.letters += c.is_alphabetic() as usize;
        n.dot |= c == '.';
    }
    n.case()
}

/// [`case_of`] for ASCII, where a byte is a character.
pub(super) fn case_of_ascii(w: &[u8]) -> Case {
    let Some((&first, rest)) = w.split_first() else {
        return Case::Lower;
    };
    // Flags instead of counts (and letters counted up to 4, all that
    // `Letters::case` tells apart): words are short, and a plain loop beats
    // vectorised counting for a few bytes.
    const UPPER: u8 = 1;
    const LOWER: u8 = 2;
    const DIGIT: u8 = 4;
    const DOT: u8 = 8;
    let class = |c: u8| match c {
        b'A'..=b'Z' => UPPER,
        b'a'..=b'z' => LOWER,
        b'0'..=b'9' => DIGIT,
        b'.' => DOT,
        _ => 0,
    };
    let first_class = class(first);
    let mut after = 0u8;
    let mut letters = (first_class & (UPPER | LOWER) != 0) as usize;
    for &c in rest {
        let k = class(c);
        after |= k;
        if k & (UPPER | LOWER) != 0 && letters < 4 {
            letters += 1;
        }
    }
    Letters {
        first_upper: first_class == UPPER,
        upper_after: (after & UPPER != 0) as usize,
        lower_after: (after & LOWER != 0) as usize,
        digits: ((first_class | after) & DIGIT != 0) as usize,
        letters,
        dot: after & DOT != 0,
    }
    .case()
}

/// What [`case_of`] counts in a word.
#[derive(Default)]
struct Letters {
    first_upper: bool,
    upper_after: usize,
    lower_after: usize,
    digits: usize,
    letters: usize,
    dot: bool,
}

impl Letters {
    fn case(&self) -> Case {
        if self.letters > 0 && self.digits > 0 {
            return Case::Marked;
        }
        if self.dot && self.letters > 3 {
            return Case::Marked; // llama.cpp, node.js
        }
        if self.first_upper {
            if self.upper_after > 0 && self.letters >= 2 {
                Case::Marked // DeepSeek, GGUF, CATL, EU
            } else if self.lower_after > 0 {
                Case::Capital
            } else {
                Case::Lower
            }
        } else if self.upper_after > 0 {
            Case::Marked // vLLM, iPhone
        } else {
            Case::Lower
        }
    }
}
