//! Support and polarity of one claim against its cited records (warnings only).

use beatdesk_types::{Check, CheckKind, CheckStatus};

use super::RecordSentence;
use super::{check, Prepared, Verifier};
use crate::{support, text};

impl Verifier {
    pub(super) fn check_support(
        &self,
        sentence: &str,
        cited: &[&Prepared],
        others: &[&Prepared],
        out: &mut Vec<Check>,
    ) {
        let toks = text::tokens(sentence);
        let mut st = support::Stems::default();
        let stems = support::content(&mut st, &toks);
        let claim_polar = support::polar(&mut st, &toks);
        // Words that describe sources rather than claim anything ("This draft rests on 5 records").
        let known = |w: &String| {
            FACT_WORDS.contains(&w.as_str()) || cited.iter().any(|p| p.stems.contains(w))
        };
        let r = if stems.is_empty() {
            1.0
        } else {
            stems.iter().filter(|w| known(w)).count() as f64 / stems.len() as f64
        };
        let all: Vec<(&Prepared, &RecordSentence)> = cited
            .iter()
            .flat_map(|p| p.sentences.iter().map(move |s| (*p, s)))
            .collect();
        // Sentences that resemble the claim, closest first.
        let mut near: Vec<(&Prepared, &RecordSentence, f64)> = all
            .iter()
            .map(|(p, s)| (*p, *s, support::overlap(&stems, s)))
            .filter(|(_, _, o)| *o >= 0.3 || *o * stems.len() as f64 >= 3.0)
            .collect();
        near.sort_by(|a, b| b.2.total_cmp(&a.2));
        let near: Vec<(&Prepared, &RecordSentence)> =
            near.into_iter().map(|(p, s, _)| (p, s)).collect();
        let near_s: Vec<&RecordSentence> = near.iter().map(|x| x.1).collect();
        let all_s: Vec<&RecordSentence> = all.iter().map(|x| x.1).collect();
        if let Some((why, i)) = support::polarity(&claim_polar, &near_s, &all_s) {
            let (p, s) = near[i];
            out.push(check(
                CheckKind::Support,
                CheckStatus::Warn,
                format!("{why}: compare record {}", p.doc.id),
                Self::evidence(p, s.start, s.end),
            ));
            return;
        }
        let best = all
            .iter()
            .map(|(p, s)| (*p, *s, support::overlap(&stems, s)))
            .max_by(|a, b| a.2.total_cmp(&b.2));
        let pct = (r * 100.0).round();
        if r < 0.6 {
            let better = others
                .iter()
                .map(|p| (*p, support::recall(&stems, &p.stems)))
                .filter(|(_, x)| *x >= 0.85 && *x > r + 0.2)
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let detail = match better {
                Some((p, x)) => format!("weak support: {pct}% of its words are in the cited records, {}% in record {}, which is not cited", (x * 100.0).round(), p.doc.id),
                None => format!("weak support: {pct}% of its words are in the cited records"),
            };
            out.push(check(CheckKind::Support, CheckStatus::Warn, detail, None));
        } else {
            let ev = best.and_then(|(p, s, _)| Self::evidence(p, s.start, s.end));
            out.push(check(
                CheckKind::Support,
                CheckStatus::Pass,
                format!("{pct}% of its words are in the cited records"),
                ev,
            ));
        }
    }
}

/// Words that describe sources rather than claim anything.
const FACT_WORDS: [&str; 17] = [
    "draft", "rest", "record", "platform", "distinct", "author", "earliest", "report", "wrote",
    "post", "source", "bluesky", "reddit", "news", "web", "manual", "one",
];
