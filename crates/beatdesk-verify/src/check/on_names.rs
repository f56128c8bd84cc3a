//! Names of one claim: in a cited record (or its metadata), else a warning naming the record that has them.

use beatdesk_types::{Check, CheckKind, CheckStatus};

use super::{base, seq_in};
use super::{check, Prepared, Verifier};
use crate::{names, text};

impl Verifier {
    pub(super) fn name_in(&self, words: &[String], p: &Prepared) -> Option<(u32, u32)> {
        if let Some(k) = seq_in(&p.bases, words) {
            return Some((p.tokens[k].start, p.tokens[k + words.len() - 1].end));
        }
        if p.fact_bases.iter().any(|f| {
            seq_in(f, words).is_some() || (f.len() == 1 && words.len() == 1 && f[0] == words[0])
        }) {
            return Some((0, 0));
        }
        None
    }

    pub(super) fn check_names(
        &self,
        sentence: &str,
        cited: &[&Prepared],
        others: &[&Prepared],
        out: &mut Vec<Check>,
    ) {
        let mut found = Vec::new();
        for n in names::find(sentence) {
            let mut text_ = n.text.clone();
            let first = text_.split(' ').next().unwrap_or("").to_string();
            if n.initial && text_.contains(' ') && names::ordinary(&first, &self.lower_words) {
                // "The Sable Community License", "On r/x": the capital is the sentence's.
                text_ = text_
                    .split_once(' ')
                    .map(|x| x.1.to_string())
                    .unwrap_or_default();
            } else if n.initial
                && !text_.contains(' ')
                && names::ordinary(&text_, &self.lower_words)
            {
                continue;
            }
            // "r/LocalLLaMA", "u/someone", "@handle": the metadata holds them without the prefix.
            let text_: String = text_
                .split(' ')
                .map(|w| {
                    w.trim_start_matches("r/")
                        .trim_start_matches("u/")
                        .trim_start_matches('@')
                })
                .collect::<Vec<_>>()
                .join(" ");
            let words: Vec<String> = text::tokens(&text_).iter().map(|t| base(&t.norm)).collect();
            if words.is_empty() {
                continue;
            }
            let hit = cited
                .iter()
                .find_map(|p| self.name_in(&words, p).map(|s| (*p, s)));
            if let Some((p, (s, e))) = hit {
                found.push((text_, p.doc.id, s, e));
                continue;
            }
            if cited.iter().any(|p| names::acronym_in(&n.text, &p.raw)) {
                found.push((text_, cited[0].doc.id, 0, 0));
                continue;
            }
            let elsewhere = others
                .iter()
                .find_map(|p| self.name_in(&words, p).map(|s| (*p, s)));
            let detail = match elsewhere {
                Some((p, _)) => format!(
                    "\u{201c}{text_}\u{201d} is not in the cited records (record {} has it)",
                    p.doc.id
                ),
                None => format!("\u{201c}{text_}\u{201d} is not in the cited records"),
            };
            out.push(check(
                CheckKind::Name,
                CheckStatus::Warn,
                detail,
                elsewhere
                    .and_then(|(p, (s, e))| if e > s { Self::evidence(p, s, e) } else { None }),
            ));
        }
        if !found.is_empty() {
            let list: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
            let ev = found
                .iter()
                .find(|f| f.3 > f.2)
                .and_then(|f| self.source(f.1).and_then(|p| Self::evidence(p, f.2, f.3)));
            out.push(check(
                CheckKind::Name,
                CheckStatus::Pass,
                format!("in the cited records: {}", list.join(", ")),
                ev,
            ));
        }
    }
}
