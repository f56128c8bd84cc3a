//! Numbers parsed to value and unit: money, percentages, percentage points,
//! multipliers, counts (with a unit word or not), dates, years and quarters,
//! written in digits or words. "$7.4 billion" = "$7.4B" = "7.4bn" = "US$7.4 bn".
//!
//! A claim's number matches a record's when they are of the same kind and
//! within half a unit of the claim's last significant digit ("about 7
//! percent" matches 7.2%, "$3,900" matches $3,899).

mod parse;

pub use parse::{parse, parse_tokens};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Money,
    Percent,
    Points,
    Multiplier,
    /// A date: month * 100 + day.
    Date,
    Year,
    /// A quarter: year * 10 + quarter.
    Quarter,
    /// A count or measure; units other than a few prefixes are not compared.
    Plain,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub kind: Kind,
    pub value: f64,
    /// Half a unit of the last significant digit, in `value`'s scale.
    pub tol: f64,
    /// Another reading of the same words: "140% more" is also 2.4×.
    pub alt: Option<(Kind, f64, f64)>,
    /// Char span in the text it was parsed from.
    pub start: u32,
    pub end: u32,
}

impl Quantity {
    fn readings(&self) -> impl Iterator<Item = (Kind, f64, f64)> + '_ {
        std::iter::once((self.kind, self.value, self.tol)).chain(self.alt)
    }
}

fn compatible(claim: Kind, src: Kind) -> bool {
    use Kind::*;
    claim == src
        || matches!(
            (claim, src),
            (Money, Plain) | (Plain, Money) | (Year, Plain) | (Points, Percent)
        )
}

/// Whether `claim` says the same quantity as `src`.
pub fn matches(claim: &Quantity, src: &Quantity) -> bool {
    claim.readings().any(|(ck, cv, ct)| {
        src.readings().any(|(sk, sv, _)| {
            compatible(ck, sk) && (cv - sv).abs() <= ct + 1e-9 * cv.abs().max(1.0)
        })
    })
}

const SMALL: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

pub fn is_number_word(w: &str) -> bool {
    SMALL.contains(&w)
        || TENS.contains(&w)
        || matches!(
            w,
            "hundred" | "thousand" | "million" | "billion" | "trillion"
        )
}

fn month(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|m| {
            *m == w || (w.len() >= 3 && m.starts_with(w) && (w.len() == 3 || (w == "sept")))
        })
        .map(|i| i as u32 + 1)
}

fn magnitude(w: &str) -> Option<f64> {
    Some(match w {
        "k" | "thousand" => 1e3,
        "m" | "mn" | "mln" | "million" => 1e6,
        "b" | "bn" | "billion" => 1e9,
        "t" | "tn" | "trillion" => 1e12,
        _ => return None,
    })
}

/// A unit written right after a number, with its scale to a base unit.
fn unit(w: &str) -> Option<(Kind, f64)> {
    Some(match w {
        "x" | "times" | "fold" => (Kind::Multiplier, 1.0),
        "kw" => (Kind::Plain, 1e3),
        "mw" => (Kind::Plain, 1e6),
        "gw" => (Kind::Plain, 1e9),
        "tb" => (Kind::Plain, 1e3),
        "usd" | "dollars" | "dollar" => (Kind::Money, 1.0),
        _ => return None,
    })
}

fn ordinal_quarter(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        _ => return None,
    })
}

/// Half a unit of the last significant digit of a written number.
fn half_unit(digits: &str) -> f64 {
    match digits.split_once('.') {
        Some((_, frac)) => 0.5 * 10f64.powi(-(frac.len() as i32)),
        None => {
            let zeros = digits.chars().rev().take_while(|c| *c == '0').count();
            let zeros = zeros.min(digits.len().saturating_sub(1));
            0.5 * 10f64.powi(zeros as i32)
        }
    }
}

fn half_unit_of(v: f64) -> f64 {
    half_unit(&format!("{}", v as i64))
}

/// Words that make "18%" a comparison ("18% ahead" is 1.18×).
fn comparative(w: &str) -> Option<f64> {
    match w {
        "more" | "ahead" | "higher" | "faster" | "greater" | "better" | "larger" | "bigger"
        | "above" | "up" => Some(1.0),
        "less" | "lower" | "fewer" | "smaller" | "slower" | "below" | "behind" => Some(-1.0),
        _ => None,
    }
}

/// Splits "4.6bn" into ("4.6", "bn"); None when it does not start with a digit.
fn split_numeric(norm: &str) -> Option<(&str, &str)> {
    let end = norm
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map(|(i, _)| i)
        .unwrap_or(norm.len());
    if end == 0 || !norm.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    Some((&norm[..end], &norm[end..]))
}

/// Quantities for a record's publication date ("Nov 26, 2026").
pub fn date_facts(d: chrono::NaiveDate) -> Vec<Quantity> {
    use chrono::Datelike;
    vec![
        Quantity {
            kind: Kind::Date,
            value: (d.month() * 100 + d.day()) as f64,
            tol: 0.0,
            alt: None,
            start: 0,
            end: 0,
        },
        Quantity {
            kind: Kind::Year,
            value: d.year() as f64,
            tol: 0.0,
            alt: None,
            start: 0,
            end: 0,
        },
    ]
}

/// Days between two dates of the same (unknown) year, for derived claims.
pub fn date_days(a: f64, b: f64) -> Option<f64> {
    let to_ord = |v: f64| {
        let m = (v as u32) / 100;
        let d = (v as u32) % 100;
        chrono::NaiveDate::from_ymd_opt(2001, m, d).map(|x| chrono::Datelike::ordinal(&x) as f64)
    };
    Some((to_ord(a)? - to_ord(b)?).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Quantity {
        let q = parse(s);
        assert_eq!(q.len(), 1, "{s}: {q:?}");
        q[0].clone()
    }

    fn same(a: &str, b: &str) -> bool {
        matches(&one(a), &one(b))
    }

    #[test]
    fn money_in_every_spelling_is_one_value() {
        for s in [
            "$7.4 billion",
            "$7.4B",
            "7.4bn USD",
            "US$7.4 bn",
            "US$7,400,000,000",
            "USD 7.4 billion",
        ] {
            let q = one(s);
            assert_eq!((q.kind, q.value), (Kind::Money, 7.4e9), "{s}");
        }
        assert!(same("$4.6B", "US$4,600,000,000"));
        assert!(!same("$6.4B", "$4.6 billion"));
        assert!(!same("$4.6 million", "$4.6 billion"));
    }

    #[test]
    fn rounding_is_half_a_unit_of_the_claims_last_digit() {
        assert!(same("about 7 percent", "7.2%"));
        assert!(!same("9 percent", "7.2%"));
        assert!(same("$3,900", "$3,899"));
        assert!(!same("$2,900", "$3,899"));
        assert!(
            !same("7.2%", "7%"),
            "a claim more precise than the record is not backed"
        );
    }

    #[test]
    fn percentages_multipliers_and_comparisons() {
        assert!(same("140% more", "2.4 times"));
        assert!(!same("240% more", "2.4 times"));
        assert!(same("1.18x", "about 18% ahead of"));
        assert!(!same("1.8x", "about 18% ahead of"));
        assert_eq!(one("5.8 per cent").kind, Kind::Percent);
        assert_eq!(one("1.4 percentage points").kind, Kind::Points);
    }

    #[test]
    fn words_units_dates_quarters_and_names() {
        assert!(same("Thirty-eight", "38"));
        assert!(!same("Twenty-eight", "38"));
        assert!(same("forty million", "40 million"));
        assert!(!same("fourteen million", "40 million"));
        assert!(same("14.2k", "14,200"));
        assert!(same("70B", "70-billion-parameter"));
        assert!(same("288 gigabytes", "288GB"));
        assert!(same("November 4", "Nov 4"));
        assert!(same("9 December", "Dec. 9"));
        assert!(!same("19 December", "Dec. 9"));
        assert!(same("Q2 2027", "the second quarter of 2027"));
        assert!(!same("Q4 2027", "the second quarter of 2027"));
        assert!(parse("Sable-3.5 and Marlin-70B on a K9").is_empty());
        let r = parse("rated 1.2–2kW");
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].value, r[1].value), (1200.0, 2000.0));
        let src = parse("from 1,200W to 2,000W");
        assert!(matches(&r[0], &src[0]) && matches(&r[1], &src[1]));
        let r = parse("rated 1.6–2kW");
        assert!(!src.iter().any(|s| matches(&r[0], s)));
        assert_eq!(one("in 2026").kind, Kind::Year);
    }
}
