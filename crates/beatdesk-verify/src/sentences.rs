//! Sentence splitting for claims: on `.`, `!`, `?` before a capital, digit
//! or opening quote, never inside a quotation, never after an abbreviation.

const ABBREVIATIONS: [&str; 28] = [
    "mr", "mrs", "ms", "dr", "st", "vs", "e.g", "i.e", "inc", "jr", "sr", "corp", "co", "ltd",
    "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "gov",
];

pub fn split(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        let chars: Vec<char> = block.chars().collect();
        let mut start = 0;
        let mut in_double = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\u{201c}' => in_double = true,
                '\u{201d}' => in_double = false,
                '"' => in_double = !in_double,
                _ => {}
            }
            if !matches!(c, '.' | '!' | '?') {
                i += 1;
                continue;
            }
            let mut end = i;
            while end + 1 < chars.len()
                && matches!(chars[end + 1], '"' | '\u{201d}' | '\'' | ')' | '\u{2019}')
            {
                if matches!(chars[end + 1], '"' | '\u{201d}') {
                    in_double = false;
                }
                end += 1;
            }
            let next_ws = chars.get(end + 1).is_some_and(|n| n.is_whitespace());
            let after = chars[end + 1..]
                .iter()
                .find(|c| !c.is_whitespace())
                .copied();
            let starts_new = after.is_some_and(|a| {
                a.is_uppercase()
                    || a.is_ascii_digit()
                    || matches!(a, '"' | '\u{201c}' | '\u{2018}' | '@')
            });
            let prev: String = chars[start..i]
                .iter()
                .collect::<String>()
                .rsplit(char::is_whitespace)
                .next()
                .unwrap_or("")
                .to_lowercase();
            let prev_letters = prev.chars().filter(|c| c.is_alphabetic()).count();
            let abbrev = c == '.'
                && (prev_letters == 1
                    || ABBREVIATIONS
                        .contains(&prev.trim_start_matches(|c: char| !c.is_alphanumeric())));
            if next_ws && starts_new && !abbrev && !in_double {
                let s: String = chars[start..=end].iter().collect();
                out.push(s.trim().to_string());
                start = end + 1;
            }
            i = end + 1;
        }
        let rest: String = chars[start..].iter().collect();
        if !rest.trim().is_empty() {
            out.push(rest.trim().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_sentences_but_not_abbreviations_dates_or_quotes() {
        let s = super::split("The U.S. vote is on Dec. 9 in Brussels. He said \u{201c}It works. Really.\u{201d} Shares fell 7.2%! Why? Because.");
        assert_eq!(
            s,
            [
                "The U.S. vote is on Dec. 9 in Brussels.",
                "He said \u{201c}It works. Really.\u{201d}",
                "Shares fell 7.2%!",
                "Why?",
                "Because."
            ]
        );
    }
}
