//! Quotations of one claim: found in a cited record, miscited, or misquoted with the closest span.

use beatdesk_types::{Check, CheckKind, CheckStatus};

use super::{check, Prepared, Verifier};
use crate::{quotes, text};

use super::plural;

impl Verifier {
    pub(super) fn check_quotes(
        &self,
        sentence: &str,
        cited: &[&Prepared],
        others: &[&Prepared],
        out: &mut Vec<Check>,
    ) {
        for q in quotes::find(sentence) {
            fn found<'a>(
                ps: &[&'a Prepared],
                q: &quotes::Quote,
            ) -> Option<(&'a Prepared, usize, usize)> {
                ps.iter()
                    .find_map(|p| quotes::locate(&p.tokens, &q.pieces).map(|(s, e)| (*p, s, e)))
            }
            let short: String = if q.text.chars().count() > 60 {
                format!("{}…", q.text.chars().take(60).collect::<String>())
            } else {
                q.text.clone()
            };
            if let Some((p, s, e)) = found(cited, &q) {
                out.push(check(
                    CheckKind::Quote,
                    CheckStatus::Pass,
                    format!("\u{201c}{short}\u{201d} is in record {}", p.doc.id),
                    Self::evidence(p, p.tokens[s].start, p.tokens[e - 1].end),
                ));
                continue;
            }
            if let Some((p, s, e)) = found(others, &q) {
                out.push(check(CheckKind::Quote, CheckStatus::Fail, format!("miscited: \u{201c}{short}\u{201d} is in record {}, which this paragraph does not cite; cite record {}", p.doc.id, p.doc.id), Self::evidence(p, p.tokens[s].start, p.tokens[e - 1].end)));
                continue;
            }
            let words: Vec<String> = q.pieces.concat();
            let best = cited
                .iter()
                .chain(others.iter())
                .filter_map(|p| quotes::closest(&p.tokens, &words).map(|c| (*p, c)))
                .min_by_key(|(p, c)| (c.0, !cited.iter().any(|x| x.doc.id == p.doc.id)));
            match best {
                Some((p, (cost, s, e, diff))) if cost <= (words.len() / 3).max(1) && e > s => {
                    let fix: String =
                        text::char_slice(&p.raw, p.tokens[s].start, p.tokens[e - 1].end);
                    out.push(check(
                        CheckKind::Quote,
                        CheckStatus::Fail,
                        format!("misquote: {} from record {}: {diff}; the record reads \u{201c}{fix}\u{201d}", plural(cost, "word differs", "words differ"), p.doc.id),
                        Self::evidence(p, p.tokens[s].start, p.tokens[e - 1].end),
                    ));
                }
                _ => out.push(check(
                    CheckKind::Quote,
                    CheckStatus::Fail,
                    format!("\u{201c}{short}\u{201d} is not in the cited records"),
                    None,
                )),
            }
        }
    }
}
