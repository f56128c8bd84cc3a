//! Quoted spans: finding them in a sentence, and finding them (or the
//! closest span) in a record's words.

use crate::text::{tokens, Token};

/// A quotation in a claim: its text and its ordered pieces (an ellipsis splits it).
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub text: String,
    pub pieces: Vec<Vec<String>>,
    pub words: usize,
}

fn is_ellipsis_at(chars: &[char], i: usize) -> usize {
    if chars[i] == '\u{2026}' {
        return 1;
    }
    let s: String = chars[i..(i + 5).min(chars.len())].iter().collect();
    if s.starts_with("[...]") || s.starts_with("[\u{2026}]") && s.len() >= 3 {
        return if s.starts_with("[...]") { 5 } else { 3 };
    }
    if s.starts_with("...") || s.starts_with(". . .") {
        return if s.starts_with("...") { 3 } else { 5 };
    }
    0
}

fn quote_of(inner: &str) -> Quote {
    let chars: Vec<char> = inner.chars().collect();
    let mut pieces = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let n = is_ellipsis_at(&chars, i);
        if n > 0 {
            pieces.push(std::mem::take(&mut cur));
            i += n;
            continue;
        }
        cur.push(chars[i]);
        i += 1;
    }
    pieces.push(cur);
    let pieces: Vec<Vec<String>> = pieces
        .iter()
        .map(|p| tokens(p).into_iter().map(|t| t.norm).collect::<Vec<_>>())
        .filter(|p: &Vec<String>| !p.is_empty())
        .collect();
    let words = pieces.iter().map(Vec::len).sum();
    Quote {
        text: inner.trim().to_string(),
        pieces,
        words,
    }
}

/// Every quotation of three or more words in `s`: "…", “…”, ‘…’, and '…'
/// when the marks stand at word edges (not apostrophes).
pub fn find(s: &str) -> Vec<Quote> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let edge_before = |i: usize| i == 0 || !chars[i - 1].is_alphanumeric();
    let edge_after = |i: usize| i + 1 >= chars.len() || !chars[i + 1].is_alphanumeric();
    while i < chars.len() {
        let c = chars[i];
        let close: &[char] = match c {
            '\u{201c}' | '\u{201e}' => &['\u{201d}', '\u{201c}'],
            '"' => &['"'],
            '\u{2018}' => &['\u{2019}'],
            '\'' if edge_before(i) => &['\''],
            _ => {
                i += 1;
                continue;
            }
        };
        let single = matches!(c, '\u{2018}' | '\'');
        let mut j = i + 1;
        let mut found = None;
        while j < chars.len() {
            if close.contains(&chars[j]) && (!single || edge_after(j)) {
                found = Some(j);
                break;
            }
            j += 1;
        }
        match found {
            Some(j) => {
                let inner: String = chars[i + 1..j].iter().collect();
                let q = quote_of(&inner);
                if q.words >= 3 {
                    out.push(q);
                }
                i = j + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// Where the pieces occur, in order, in `hay`: the span of token indexes.
pub fn locate(hay: &[Token], pieces: &[Vec<String>]) -> Option<(usize, usize)> {
    let mut from = 0;
    let mut first = None;
    let mut last = 0;
    for p in pieces {
        let at = (from..hay.len().saturating_sub(p.len() - 1))
            .find(|&k| p.iter().enumerate().all(|(o, w)| hay[k + o].norm == *w))?;
        first.get_or_insert(at);
        last = at + p.len();
        from = last;
    }
    Some((first?, last))
}

/// The closest span of `hay` to `words` (token edit distance, free start and
/// end in `hay`): (distance, start, end, first difference).
pub fn closest(hay: &[Token], words: &[String]) -> Option<(usize, usize, usize, String)> {
    let m = words.len();
    let n = hay.len();
    if m == 0 || n == 0 {
        return None;
    }
    // d[i][j]: cost of aligning words[..i] ending at hay[..j]; start is free.
    let w = n + 1;
    let mut d = vec![0usize; (m + 1) * w];
    for i in 1..=m {
        d[i * w] = i;
        for j in 1..=n {
            let sub = d[(i - 1) * w + j - 1] + usize::from(words[i - 1] != hay[j - 1].norm);
            let del = d[(i - 1) * w + j] + 1;
            let ins = d[i * w + j - 1] + 1;
            d[i * w + j] = sub.min(del).min(ins);
        }
    }
    let (end, cost) = (1..=n)
        .map(|j| (j, d[m * w + j]))
        .min_by_key(|&(j, c)| (c, j))?;
    // Walk back to the start, noting the first difference for the editor.
    let (mut i, mut j) = (m, end);
    let mut diffs: Vec<String> = Vec::new();
    while i > 0 {
        let here = d[i * w + j];
        if j > 0 && here == d[(i - 1) * w + j - 1] + usize::from(words[i - 1] != hay[j - 1].norm) {
            if words[i - 1] != hay[j - 1].norm {
                diffs.push(format!(
                    "\u{2018}{}\u{2019} where the record has \u{2018}{}\u{2019}",
                    words[i - 1],
                    hay[j - 1].norm
                ));
            }
            i -= 1;
            j -= 1;
        } else if here == d[(i - 1) * w + j] + 1 {
            diffs.push(format!(
                "\u{2018}{}\u{2019} is not in the record",
                words[i - 1]
            ));
            i -= 1;
        } else {
            diffs.push(format!(
                "the record has \u{2018}{}\u{2019} here",
                hay[j - 1].norm
            ));
            j -= 1;
        }
    }
    diffs.reverse();
    Some((cost, j, end, diffs.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_of_three_words_in_any_style_and_not_apostrophes() {
        let q = find("He said \u{201c}we are here\u{201d}, it's 'not a quote and ‘this one counts too’ and \"no\".");
        let texts: Vec<&str> = q.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(texts, ["we are here", "this one counts too"]);
        let e = find("\u{201c}one two three \u{2026} four five\u{201d}");
        assert_eq!(e[0].pieces.len(), 2);
    }

    #[test]
    fn pieces_are_found_in_order_and_the_closest_span_names_the_difference() {
        let hay = tokens("Tarnwell wants Sable to stay freely available to the developers and researchers who made it popular, he wrote.");
        let q = &find("\u{201c}to stay freely available \u{2026} who made it popular.\u{201d}")[0];
        assert!(locate(&hay, &q.pieces).is_some());
        let bad = &find("\"to the developers and startups who made it\"")[0];
        assert!(locate(&hay, &bad.pieces).is_none());
        let (cost, s, e, diff) = closest(&hay, &bad.pieces[0]).unwrap();
        assert_eq!(cost, 1);
        assert_eq!(e - s, 8);
        assert!(
            diff.contains("startups") && diff.contains("researchers"),
            "{diff}"
        );
        let reversed = &find("\"who made it popular … to stay freely\"")[0];
        assert!(
            locate(&hay, &reversed.pieces).is_none(),
            "pieces must be in order"
        );
    }
}
