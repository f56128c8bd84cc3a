//! The scanner: words and digits of a text into quantities, with their spans.

use super::*;
use crate::text::{tokens, Token};

/// Every quantity in `text`.
pub fn parse(text: &str) -> Vec<Quantity> {
    let chars: Vec<char> = text.chars().collect();
    let toks = tokens(text);
    parse_tokens(&chars, &toks)
}

pub fn parse_tokens(chars: &[char], toks: &[Token]) -> Vec<Quantity> {
    let raw_between = |a: usize, b: usize| -> String {
        // Text between token a's end and token b's start.
        let s = toks[a].end as usize;
        let e = toks[b].start as usize;
        chars[s..e.max(s)].iter().collect()
    };
    let before = |i: usize| -> String {
        let s = toks[i].start as usize;
        let from = if i == 0 { 0 } else { toks[i - 1].end as usize };
        chars[from..s].iter().collect()
    };
    let word = |i: usize| toks.get(i).map(|t| t.norm.as_str()).unwrap_or("");
    let mut out: Vec<Quantity> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let start_i = i;
        let w = word(i);
        // Dates: "Nov 4", "November 4, 2026", "4 November", "Dec. 9".
        if let Some(m) = month(w) {
            if let Some((d, _)) = split_numeric(word(i + 1))
                .filter(|(_, s)| s.is_empty() || matches!(*s, "st" | "nd" | "rd" | "th"))
            {
                if let Ok(d) = d.parse::<u32>() {
                    if (1..=31).contains(&d) && w != "may" || (w == "may" && (1..=31).contains(&d))
                    {
                        let mut end = i + 2;
                        if word(end).len() == 4
                            && word(end)
                                .parse::<u32>()
                                .is_ok_and(|y| (1900..2100).contains(&y))
                        {
                            end += 1;
                        }
                        out.push(Quantity {
                            kind: Kind::Date,
                            value: (m * 100 + d) as f64,
                            tol: 0.0,
                            alt: None,
                            start: toks[i].start,
                            end: toks[end - 1].end,
                        });
                        i = end;
                        continue;
                    }
                }
            }
        }
        // "9 December", "4 Nov 2026".
        if let (Ok(d), Some(m)) = (w.parse::<u32>(), month(word(i + 1))) {
            if (1..=31).contains(&d)
                && raw_between(i, i + 1).trim().is_empty()
                && word(i + 1) != "may"
            {
                let mut end = i + 2;
                if word(end).len() == 4
                    && word(end)
                        .parse::<u32>()
                        .is_ok_and(|y| (1900..2100).contains(&y))
                {
                    end += 1;
                }
                out.push(Quantity {
                    kind: Kind::Date,
                    value: (m * 100 + d) as f64,
                    tol: 0.0,
                    alt: None,
                    start: toks[i].start,
                    end: toks[end - 1].end,
                });
                i = end;
                continue;
            }
        }
        // Quarters: "Q2 2027", "second quarter of 2027".
        if w.len() == 2 && w.starts_with('q') {
            if let (Ok(q), Ok(y)) = (w[1..].parse::<u32>(), word(i + 1).parse::<u32>()) {
                if (1..=4).contains(&q) && (1900..2100).contains(&y) {
                    out.push(Quantity {
                        kind: Kind::Quarter,
                        value: (y * 10 + q) as f64,
                        tol: 0.0,
                        alt: None,
                        start: toks[i].start,
                        end: toks[i + 1].end,
                    });
                    i += 2;
                    continue;
                }
            }
        }
        if let Some(q) = ordinal_quarter(w) {
            if word(i + 1) == "quarter" {
                let yi = if word(i + 2) == "of" { i + 3 } else { i + 2 };
                if let Ok(y) = word(yi).parse::<u32>() {
                    if (1900..2100).contains(&y) {
                        out.push(Quantity {
                            kind: Kind::Quarter,
                            value: (y * 10 + q) as f64,
                            tol: 0.0,
                            alt: None,
                            start: toks[i].start,
                            end: toks[yi].end,
                        });
                        i = yi + 1;
                        continue;
                    }
                }
            }
        }
        // The number itself, in digits or words.
        let (mut value, mut tol, suffix, mut next): (f64, f64, String, usize);
        let pre = before(i);
        if let Some((digits, suf)) = split_numeric(w) {
            // "Sable-3.5", "Marlin-70B", "K-9": a name, not a number.
            let pre_trim = pre.trim_end();
            // Inside a handle, a path or a URL ("u/fan_since_98", "@a1.bsky.social").
            let ws_start = chars[..toks[i].start as usize]
                .iter()
                .rposition(|c| c.is_whitespace())
                .map_or(0, |p| p + 1);
            let ws_end = chars[toks[i].start as usize..]
                .iter()
                .position(|c| c.is_whitespace())
                .map_or(chars.len(), |p| p + toks[i].start as usize);
            if chars[ws_start..ws_end]
                .iter()
                .any(|c| matches!(c, '_' | '/' | '@'))
            {
                i += 1;
                continue;
            }
            let name_like = pre.ends_with('-')
                && i > 0
                && chars[(toks[i - 1].end as usize).saturating_sub(1)].is_alphabetic()
                && pre.len() == 1;
            if name_like || pre_trim.ends_with('#') {
                i += 1;
                continue;
            }
            let Ok(v) = digits.parse::<f64>() else {
                i += 1;
                continue;
            };
            value = v;
            tol = half_unit(digits);
            suffix = suf.to_string();
            next = i + 1;
        } else if is_number_word(w)
            && !matches!(
                w,
                "hundred" | "thousand" | "million" | "billion" | "trillion"
            )
        {
            // "thirty-eight", "forty million", "one percent".
            let mut total = 0.0;
            let mut cur = 0.0;
            let mut j = i;
            while j < toks.len() && is_number_word(word(j)) {
                if j > i && !matches!(raw_between(j - 1, j).trim(), "" | "-") {
                    break;
                }
                let x = word(j);
                if let Some(n) = SMALL.iter().position(|s| *s == x) {
                    cur += n as f64;
                } else if let Some(n) = TENS.iter().position(|s| *s == x) {
                    cur += (n as f64 + 2.0) * 10.0;
                } else if x == "hundred" {
                    cur *= 100.0;
                } else {
                    total += cur.max(1.0) * magnitude(x).unwrap_or(1.0);
                    cur = 0.0;
                }
                j += 1;
            }
            value = total + cur;
            tol = half_unit_of(value);
            suffix = String::new();
            next = j;
            // "one" is mostly a pronoun: count it only with a unit after it.
            if w == "one" && j == i + 1 {
                let n = word(j);
                if !(matches!(n, "percent" | "per" | "%")
                    || raw_between(i, j.min(toks.len() - 1)).contains('%'))
                {
                    i += 1;
                    continue;
                }
            }
        } else {
            i += 1;
            continue;
        }
        let mut kind = Kind::Plain;
        let mut alt = None;
        // Currency before the number: "$", "US$", "€", "£", "USD ".
        let pre_t = pre.trim_end();
        if pre_t.ends_with('$')
            || pre_t.ends_with('€')
            || pre_t.ends_with('£')
            || pre_t.ends_with('¥')
        {
            kind = Kind::Money;
        }
        if i > 0 && matches!(word(i - 1), "usd" | "eur" | "gbp") && pre.trim().is_empty() {
            kind = Kind::Money;
        }
        // Magnitude and unit: attached ("4.6bn", "288gb", "1.18x") or next word(s).
        let apply = |s: &str, value: &mut f64, tol: &mut f64, kind: &mut Kind| -> bool {
            if let Some(m) = magnitude(s) {
                *value *= m;
                *tol *= m;
                true
            } else if let Some((k, scale)) = unit(s) {
                *value *= scale;
                *tol *= scale;
                if k != Kind::Plain {
                    *kind = k;
                }
                true
            } else {
                false
            }
        };
        if !suffix.is_empty() {
            // "4.6bn", "2kw", "200ms": a magnitude, a known unit or an ignored one.
            let (mag, rest) = match suffix.as_str() {
                s if magnitude(s).is_some() => (s, ""),
                s if s.len() > 1 && magnitude(&s[..1]).is_some() && unit(&s[1..]).is_some() => {
                    (&s[..1], &s[1..])
                }
                s if unit(s).is_some() => ("", s),
                _ => ("", ""),
            };
            if !mag.is_empty() {
                apply(mag, &mut value, &mut tol, &mut kind);
            }
            if !rest.is_empty() {
                apply(rest, &mut value, &mut tol, &mut kind);
            }
        }
        // Words after: "7.4 billion", "70-billion-parameter", "2.4 times", "7 per cent".
        while next < toks.len() && matches!(raw_between(next - 1, next).trim(), "" | "-") {
            let n = word(next);
            if magnitude(n).is_some() && n.len() > 1
                || (matches!(n, "bn" | "mn" | "m" | "b" | "k")
                    && raw_between(next - 1, next).len() <= 1)
            {
                apply(n, &mut value, &mut tol, &mut kind);
                next += 1;
                continue;
            }
            if unit(n).is_some() {
                apply(n, &mut value, &mut tol, &mut kind);
                next += 1;
            }
            break;
        }
        let after_raw: String = {
            let s = toks[next - 1].end as usize;
            let e = toks
                .get(next)
                .map(|t| t.start as usize)
                .unwrap_or(chars.len());
            chars[s..e].iter().collect()
        };
        if after_raw.trim_start().starts_with('%') {
            kind = Kind::Percent;
        } else if word(next) == "percent" || word(next) == "pct" {
            kind = Kind::Percent;
            next += 1;
        } else if word(next) == "per" && word(next + 1) == "cent" {
            kind = Kind::Percent;
            next += 2;
        } else if word(next) == "percentage" && matches!(word(next + 1), "points" | "point") {
            kind = Kind::Points;
            next += 2;
        }
        if kind == Kind::Money && matches!(word(next), "usd" | "dollars") {
            next += 1;
        }
        if matches!(kind, Kind::Percent) {
            // "18% ahead of", "140% more throughput".
            for k in 0..3 {
                if let Some(sign) = comparative(word(next + k)) {
                    alt = Some((Kind::Multiplier, 1.0 + sign * value / 100.0, tol / 100.0));
                    break;
                }
            }
        } else if kind == Kind::Multiplier {
            alt = Some((Kind::Percent, (value - 1.0) * 100.0, tol * 100.0));
        }
        // "Caldera Volt 1600", "InferBench 4.0": a number after a capitalised
        // word (not the first of a sentence) is part of a name.
        if kind == Kind::Plain
            && suffix.is_empty()
            && next == i + 1
            && i > 0
            && raw_between(i - 1, i) == " "
        {
            let ps = toks[i - 1].start as usize;
            let capital = chars[ps].is_uppercase();
            let before_prev: String = chars[..ps]
                .iter()
                .rev()
                .take_while(|c| {
                    c.is_whitespace() || matches!(c, '.' | '!' | '?' | '"' | '\u{201c}')
                })
                .collect();
            let sentence_start = ps == 0
                || before_prev.contains(['.', '!', '?', '"', '\u{201c}'])
                || chars[..ps].iter().all(|c| c.is_whitespace());
            if capital
                && !word(i - 1).ends_with("'s")
                && (!sentence_start || !crate::text::is_stopword(word(i - 1)))
                && month(word(i - 1)).is_none()
            {
                i += 1;
                continue;
            }
        }
        // A bare four-digit number is a year.
        let raw_num: String = chars[toks[start_i].start as usize..toks[start_i].end as usize]
            .iter()
            .collect();
        if kind == Kind::Plain
            && suffix.is_empty()
            && next == i + 1
            && raw_num.len() == 4
            && !raw_num.contains(',')
            && (1900.0..2100.0).contains(&value)
            && value.fract() == 0.0
        {
            kind = Kind::Year;
            tol = 0.0;
        }
        // "1.2–2kW", "$10-12 billion": the first end takes the second's unit.
        if let Some(prev) = out
            .last_mut()
            .filter(|p| toks[start_i].start.saturating_sub(p.end) <= 4)
        {
            let between: String = chars[prev.end as usize..toks[start_i].start as usize]
                .iter()
                .collect();
            let bt = crate::text::normalize(between.trim());
            if (bt == "-" || bt == "to")
                && prev.kind == Kind::Plain
                && prev.alt.is_none()
                && prev.value < value
                && kind != Kind::Year
            {
                let prev_raw: String = chars[prev.start as usize..prev.end as usize]
                    .iter()
                    .collect();
                if let Some((d, s)) = split_numeric(&crate::text::normalize(&prev_raw)) {
                    if s.is_empty() {
                        if let Ok(v) = d.parse::<f64>() {
                            let scale = if value != 0.0 {
                                value / (toks_value(&raw_num).unwrap_or(value))
                            } else {
                                1.0
                            };
                            prev.value = v * scale;
                            prev.tol = half_unit(d) * scale;
                            prev.kind = kind;
                        }
                    }
                }
            }
        }
        let end = toks[next.max(i + 1) - 1].end;
        out.push(Quantity {
            kind,
            value,
            tol,
            alt,
            start: toks[start_i].start,
            end,
        });
        i = next.max(i + 1);
    }
    out
}

/// The plain value of a numeric token ("2kw" → 2), to scale a range's first end.
fn toks_value(raw: &str) -> Option<f64> {
    let n = crate::text::normalize(raw).replace(',', "");
    split_numeric(&n).and_then(|(d, _)| d.parse().ok())
}
