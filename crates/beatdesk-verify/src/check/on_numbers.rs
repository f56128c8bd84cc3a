//! Numbers of one claim: matched in the cited records, counted facts, derived (warn), or failed naming the record that has them.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use beatdesk_types::{Check, CheckKind, CheckStatus};

use super::{check, Prepared, Verifier};
use crate::numbers::{self, Kind, Quantity};

impl Verifier {
    pub(super) fn check_numbers(
        &self,
        sentence: &str,
        cited: &[&Prepared],
        others: &[&Prepared],
        out: &mut Vec<Check>,
    ) {
        let qs = numbers::parse(sentence);
        let chars: Vec<char> = sentence.chars().collect();
        let shown = |q: &Quantity| {
            chars[q.start as usize..q.end as usize]
                .iter()
                .collect::<String>()
        };
        // Facts about the cited records a writer may state: how many, from how many platforms and authors.
        let mut counts = vec![cited.len() as f64];
        let mut per_platform: HashMap<&str, usize> = HashMap::default();
        for p in cited {
            *per_platform.entry(p.doc.platform.as_str()).or_default() += 1;
        }
        counts.extend(per_platform.values().map(|n| *n as f64));
        counts.push(
            cited
                .iter()
                .map(|p| p.doc.platform.as_str())
                .collect::<HashSet<_>>()
                .len() as f64,
        );
        counts.push(
            cited
                .iter()
                .map(|p| p.doc.author.as_str())
                .collect::<HashSet<_>>()
                .len() as f64,
        );
        fn find<'a>(q: &Quantity, ps: &[&'a Prepared]) -> Option<(&'a Prepared, u32, u32)> {
            ps.iter().find_map(|p| {
                p.quantities
                    .iter()
                    .find(|s| numbers::matches(q, s))
                    .map(|s| (*p, s.start, s.end))
            })
        }
        let mut matched: Vec<&Quantity> = Vec::new();
        let mut pending: Vec<&Quantity> = Vec::new();
        for q in &qs {
            if let Some((p, s, e)) = find(q, cited) {
                let ev = if e > s { Self::evidence(p, s, e) } else { None };
                let where_ = if e > s { "" } else { " (its date)" };
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Pass,
                    format!("{} matches record {}{where_}", shown(q), p.doc.id),
                    ev,
                ));
                matched.push(q);
            } else if q.kind == Kind::Plain
                && counts.iter().any(|c| (c - q.value).abs() <= q.tol)
                && q.value < 1000.0
            {
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Pass,
                    format!("{} counts the cited records", shown(q)),
                    None,
                ));
                matched.push(q);
            } else {
                pending.push(q);
            }
        }
        for q in pending {
            if let Some(how) = derived(q, &matched) {
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Warn,
                    format!("derived — check: {} looks computed ({how})", shown(q)),
                    None,
                ));
            } else if let Some((p, s, e)) = find(q, others) {
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Fail,
                    format!(
                        "{} is not in the cited records; record {} has it",
                        shown(q),
                        p.doc.id
                    ),
                    if e > s { Self::evidence(p, s, e) } else { None },
                ));
            } else {
                out.push(check(
                    CheckKind::Number,
                    CheckStatus::Fail,
                    format!("{} is not in the cited records", shown(q)),
                    None,
                ));
            }
        }
    }
}

/// When `q` is computed from two matched figures of the same sentence.
fn derived(q: &Quantity, matched: &[&Quantity]) -> Option<String> {
    let close = |v: f64| (v - q.value).abs() <= q.tol.max(q.value.abs() * 0.01);
    let vals = |x: &Quantity| {
        let mut v = vec![x.value];
        if let Some((_, a, _)) = x.alt {
            v.push(a);
        }
        v
    };
    for (i, a) in matched.iter().enumerate() {
        for b in matched.iter().skip(i + 1) {
            if a.kind == Kind::Date && b.kind == Kind::Date {
                if numbers::date_days(a.value, b.value).is_some_and(close) {
                    return Some("days between two dates".into());
                }
                continue;
            }
            for x in vals(a) {
                for y in vals(b) {
                    let cands = [
                        (x + y, "a sum"),
                        ((x - y).abs(), "a difference"),
                        (x * y, "a product"),
                        (x / y, "a ratio"),
                        (y / x, "a ratio"),
                        ((x / y - 1.0) * 100.0, "a percent change"),
                        ((y / x - 1.0) * 100.0, "a percent change"),
                    ];
                    if let Some((_, how)) = cands.iter().find(|(v, _)| v.is_finite() && close(*v)) {
                        return Some(format!("{how} of two figures in the sentence"));
                    }
                }
            }
        }
    }
    None
}
