//! Numbers with units and amounts of money, in one form however written.

use super::trim_punct;

/// Writes an amount as its value in the largest unit that keeps it ≥ 1, to
/// two decimals at most: 4 600 000 000 → `4.6b`, 46 × 10⁸ → `4.6b`.
pub(super) fn canonical_amount(value: f64) -> String {
    let (div, unit) = [(1e12, "t"), (1e9, "b"), (1e6, "m"), (1e3, "k")]
        .into_iter()
        .find(|(d, _)| value >= *d)
        .unwrap_or((1.0, ""));
    let mut n = format!("{:.2}", value / div);
    while n.ends_with('0') {
        n.pop();
    }
    if n.ends_with('.') {
        n.pop();
    }
    format!("{n}{unit}")
}

/// Currency marks before a number (`US$4.6B`, `€2bn`, `USD 5m`).
fn strip_currency(c: &str) -> Option<&str> {
    ["US$", "USD", "$", "€", "£", "¥", "EUR"]
        .iter()
        .find_map(|p| c.strip_prefix(p))
}

/// Normalises a number with a unit. Amounts become one form however they
/// are written: `$4.6B`, `$4.6 billion`, `4.6bn`, `US$4,600,000,000`,
/// `46億ドル` → `$4.6b`. Other units: `92%`, `92 percent` → `92%`; `70B`
/// (a model size) → `70b`; `4-bit` → `4bit`. `next` is the following
/// chunk, consumed when it is the unit.
pub(super) fn number_entity(chunk: &str, next: Option<&str>) -> Option<(String, bool)> {
    // The number starts with an ASCII digit: most chunks have none.
    if !chunk.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let c = trim_punct(chunk);
    let c = c
        .strip_prefix('~')
        .or_else(|| c.strip_prefix('≈'))
        .unwrap_or(c);
    let (cur, c) = match strip_currency(c) {
        Some(r) => (true, r),
        None => (false, c),
    };
    let num_end = c
        .find(|ch: char| !(ch.is_ascii_digit() || ch == '.' || ch == ','))
        .unwrap_or(c.len());
    let num = c[..num_end].trim_end_matches(['.', ',']);
    if num.is_empty() || !num.starts_with(|ch: char| ch.is_ascii_digit()) {
        return None;
    }
    let num = num.replace(',', "");
    let value: f64 = num.parse().ok()?;
    let suffix = c[num_end..].trim_start_matches('-').to_ascii_lowercase();
    // Magnitudes spelled out (or in CJK) are amounts; a bare `B` after a
    // number without a currency is a model size.
    let magnitude = |u: &str, cur: bool| -> Option<f64> {
        Some(match u {
            "bn" | "billion" => 1e9,
            "mn" | "million" => 1e6,
            "tn" | "trillion" => 1e12,
            "thousand" => 1e3,
            "b" if cur => 1e9,
            "m" if cur => 1e6,
            "k" if cur => 1e3,
            "t" if cur => 1e12,
            _ => return None,
        })
    };
    let unit = |u: &str| -> Option<&'static str> {
        Some(match u {
            "b" => "b",
            "m" => "m",
            "k" => "k",
            "t" => "t",
            "%" | "percent" | "pct" => "%",
            "bit" | "bits" => "bit",
            "gb" => "gb",
            "tb" => "tb",
            "x" => "x",
            "ms" => "ms",
            _ => return None,
        })
    };
    let amount = |v: f64| format!("${}", canonical_amount(v));
    if !suffix.is_empty() {
        if let Some(m) = magnitude(&suffix, cur) {
            return Some((amount(value * m), false));
        }
        return unit(&suffix).map(|u| (format!("{}{num}{u}", if cur { "$" } else { "" }), false));
    }
    if let Some(n) = next.map(|n| trim_punct(n).to_ascii_lowercase()) {
        if let Some(m) = magnitude(&n, cur) {
            return Some((amount(value * m), true));
        }
        if let Some(u) = unit(&n).filter(|_| !cur) {
            return Some((format!("{num}{u}"), true));
        }
    }
    if cur {
        return Some((amount(value), false));
    }
    None
}
