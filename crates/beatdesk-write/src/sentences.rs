/// Splits text into sentences on `.`, `!`, `?` followed by whitespace and an
/// uppercase letter, digit or quote, keeping abbreviations like "U.S." and
/// decimals like "7.4" intact.
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        let chars: Vec<(usize, char)> = block.char_indices().collect();
        let mut start = 0;
        for i in 0..chars.len() {
            let (pos, c) = chars[i];
            if !matches!(c, '.' | '!' | '?') {
                continue;
            }
            // Closing quotes and brackets belong to the sentence they end.
            let mut end_i = i;
            while end_i + 1 < chars.len()
                && matches!(
                    chars[end_i + 1].1,
                    '"' | '\u{201d}' | '\'' | ')' | '\u{2019}'
                )
            {
                end_i += 1;
            }
            let Some(&(_, next)) = chars.get(end_i + 1) else {
                continue;
            };
            if !next.is_whitespace() {
                continue;
            }
            let after = chars[end_i + 1..]
                .iter()
                .map(|(_, c)| *c)
                .find(|c| !c.is_whitespace());
            let starts_new = after.is_some_and(|a| {
                a.is_uppercase() || a.is_ascii_digit() || matches!(a, '"' | '\u{201c}' | '@')
            });
            // "U.S. officials": a single capital letter before the dot is an initial.
            let prev_word: String = block[start..pos]
                .rsplit(char::is_whitespace)
                .next()
                .unwrap_or("")
                .to_string();
            let is_initial = c == '.'
                && prev_word.chars().filter(|c| c.is_alphabetic()).count() <= 1
                && !prev_word.is_empty();
            let is_abbrev = c == '.'
                && matches!(
                    prev_word.as_str(),
                    "Mr" | "Ms" | "Dr" | "St" | "vs" | "e.g" | "i.e" | "Inc" | "Jr"
                );
            if starts_new && !is_initial && !is_abbrev {
                let end = chars[end_i].0 + chars[end_i].1.len_utf8();
                let s = block[start..end].trim();
                if !s.is_empty() {
                    out.push(s.to_string());
                }
                start = end;
            }
        }
        let rest = block[start..].trim();
        if !rest.is_empty() {
            out.push(rest.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_sentence_ends_but_not_decimals_or_initials() {
        let s = split_sentences("DeepSeek raised $7.4 billion. U.S. investors were absent! Why? \"Because,\" he said. Next");
        assert_eq!(
            s,
            vec![
                "DeepSeek raised $7.4 billion.",
                "U.S. investors were absent!",
                "Why?",
                "\"Because,\" he said.",
                "Next"
            ]
        );
    }

    #[test]
    fn newlines_end_sentences() {
        assert_eq!(
            split_sentences("Title line\nBody one. Body two."),
            vec!["Title line", "Body one.", "Body two."]
        );
    }
}
