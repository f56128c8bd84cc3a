//! The offline writer: drafts a story from its records alone.
//!
//! Invariant: every paragraph's text is either a verbatim quotation of
//! sentences from the records it cites, or facts about those records
//! (author, outlet, platform, date, counts). Nothing is paraphrased.

use std::collections::{BTreeMap, HashSet};

use beatdesk_types::{FaqItem, Paragraph, Platform, Record, Section, StoryDocument};

use crate::methodology::{methodology_line, MethodologyFacts};
use crate::sentences::split_sentences;
use crate::{EvidenceRecord, StoryEvidence, WriteError};

pub const OFFLINE_WRITER_NAME: &str = "offline";

const MAX_REPORT_PARAGRAPHS: usize = 4;
const MAX_VOICE_PARAGRAPHS: usize = 5;
const MAX_TIMELINE: usize = 5;

/// Deterministic and extractive; needs no network and no model.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineWriter;

struct Candidate<'a> {
    rec: &'a Record,
    weight: f64,
    terms: HashSet<String>,
    sentences: Vec<String>,
}

fn words(s: &str) -> HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
        .collect()
}

/// A sentence carrying a figure: money, a percentage, or a number with two
/// or more digits in a row ("24B", "92%", "$7.4 billion", "4,000"), not a
/// version like "V4" or "1.1".
fn has_number(s: &str) -> bool {
    s.split_whitespace().any(|tok| {
        let money_or_pct = tok.chars().any(|c| matches!(c, '%' | '$' | '€' | '£'))
            && tok.chars().any(|c| c.is_ascii_digit());
        let mut run = 0;
        let two_digits = tok.chars().any(|c| {
            run = if c.is_ascii_digit() { run + 1 } else { 0 };
            run >= 2
        });
        money_or_pct || two_digits
    })
}

/// A sentence worth quoting: long enough to say something, short enough to read.
fn quotable(s: &str) -> bool {
    let n = s.split_whitespace().count();
    (6..=60).contains(&n) && !s.ends_with('?') && !s.ends_with(':') && !s.starts_with("http")
}

fn date(r: &Record) -> String {
    r.published_at.format("%b %-d, %Y").to_string()
}

/// Who said it, from the record's metadata.
fn attribution(r: &Record) -> String {
    match r.platform {
        Platform::Reddit => match &r.community {
            Some(sub) => format!(
                "On r/{}, u/{} wrote",
                sub.trim_start_matches("r/"),
                r.author
            ),
            None => format!("On Reddit, u/{} wrote", r.author),
        },
        Platform::Bluesky => format!("On Bluesky, @{} wrote", r.author.trim_start_matches('@')),
        Platform::News | Platform::Web => format!("{} reported on {}", outlet(r), date(r)),
        Platform::Manual => match &r.added_by {
            // Words a reporter took down are credited to who said them.
            Some(by) if !r.author.is_empty() && &r.author != by => match &r.community {
                Some(capacity) => format!("{}, {capacity}, told {by}", r.author),
                None => format!("{} told {by}", r.author),
            },
            Some(by) => format!("A source added by {by} ({}) states", outlet(r)),
            None => format!("A manually added source ({}) states", outlet(r)),
        },
    }
}

fn outlet(r: &Record) -> String {
    r.community
        .clone()
        .or_else(|| r.domain())
        .unwrap_or_else(|| r.author.clone())
}

fn quote(sentences: &[&str]) -> String {
    format!("\u{201c}{}\u{201d}", sentences.join(" "))
}

/// Quotes sentences of `source`: sentences that stand next to each other in
/// the source share one pair of quote marks; others get their own, so every
/// quoted span is a verbatim substring of the record.
fn quote_from(source: &str, sentences: &[String]) -> String {
    let mut groups: Vec<String> = Vec::new();
    for s in sentences {
        if let Some(last) = groups.last_mut() {
            let joined = format!("{last} {s}");
            if source.contains(&joined) {
                *last = joined;
                continue;
            }
        }
        groups.push(s.clone());
    }
    groups
        .iter()
        .map(|g| quote(&[g.as_str()]))
        .collect::<Vec<_>>()
        .join(" … ")
}

impl OfflineWriter {
    pub fn draft(&self, ev: &StoryEvidence) -> Result<StoryDocument, WriteError> {
        if ev.records.is_empty() {
            return Err(WriteError::NoEvidence);
        }
        let top: HashSet<String> = ev.top_terms.iter().flat_map(|t| words(t)).collect();
        let mut cands: Vec<Candidate> = ev
            .records
            .iter()
            .map(|EvidenceRecord { record, weight }| Candidate {
                rec: record,
                weight: *weight,
                terms: words(&format!("{} {}", record.title, record.text)),
                sentences: split_sentences(&record.text)
                    .into_iter()
                    .filter(|s| quotable(s))
                    .collect(),
            })
            .collect();
        // Most central first: the editor's weight times overlap with the story's terms.
        let centrality =
            |c: &Candidate| c.weight * (1.0 + c.terms.intersection(&top).count() as f64);
        cands.sort_by(|a, b| {
            centrality(b)
                .total_cmp(&centrality(a))
                .then(a.rec.published_at.cmp(&b.rec.published_at))
        });

        let mut used: Vec<HashSet<String>> = Vec::new();
        let mut take = |s: &str| -> bool {
            let w = words(s);
            let fresh = used.iter().all(|u| {
                let inter = u.intersection(&w).count() as f64;
                inter / (u.len().min(w.len()).max(1) as f64) < 0.6
            });
            if fresh {
                used.push(w);
            }
            fresh
        };

        let lead = &cands[0];
        let title = lead.rec.title.trim().to_string();
        let dek_sentence = lead
            .sentences
            .iter()
            .chain(cands.iter().skip(1).flat_map(|c| c.sentences.iter()))
            .find(|s| s.len() <= 260 && words(s) != words(&title))
            .cloned()
            .unwrap_or_default();
        take(&title);
        if !dek_sentence.is_empty() {
            take(&dek_sentence);
        }
        // Headline and dek pass the same checks as the body: a record's words
        // are quoted and attributed, never passed off as the desk's own.
        let headline = format!("{}: {}", source_label(lead.rec), quote(&[title.as_str()]));
        let dek_source = cands
            .iter()
            .find(|c| c.sentences.iter().any(|s| *s == dek_sentence))
            .map(|c| c.rec)
            .unwrap_or(lead.rec);
        let dek = if dek_sentence.is_empty() {
            String::new()
        } else {
            format!(
                "{}: {}",
                attribution(dek_source),
                quote(&[dek_sentence.as_str()])
            )
        };

        // Rank a record's sentences: numbers and story terms first, in text order on ties.
        let best = |c: &Candidate, n: usize, take: &mut dyn FnMut(&str) -> bool| -> Vec<String> {
            let mut scored: Vec<(usize, f64, &String)> = c
                .sentences
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let w = words(s);
                    (
                        i,
                        w.intersection(&top).count() as f64 + if has_number(s) { 1.5 } else { 0.0 },
                        s,
                    )
                })
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut picked: Vec<(usize, String)> = Vec::new();
            for (i, _, s) in scored {
                if picked.len() == n {
                    break;
                }
                if take(s) {
                    picked.push((i, s.clone()));
                }
            }
            picked.sort_by_key(|(i, _)| *i);
            picked.into_iter().map(|(_, s)| s).collect()
        };

        let mut sections = Vec::new();
        let reports = paragraphs(
            &cands,
            |p| matches!(p, Platform::News | Platform::Web | Platform::Manual),
            MAX_REPORT_PARAGRAPHS,
            2,
            &best,
            &mut take,
        );
        if !reports.is_empty() {
            sections.push(Section {
                heading: "What was reported".into(),
                paragraphs: reports,
            });
        }
        let voices = paragraphs(
            &cands,
            |p| matches!(p, Platform::Reddit | Platform::Bluesky),
            MAX_VOICE_PARAGRAPHS,
            1,
            &best,
            &mut take,
        );
        if !voices.is_empty() {
            sections.push(Section {
                heading: "What practitioners are saying".into(),
                paragraphs: voices,
            });
        }

        let mut by_time: Vec<&Candidate> = cands.iter().collect();
        by_time.sort_by_key(|c| (c.rec.published_at, c.rec.id));
        let story_so_far: Vec<Paragraph> = by_time
            .iter()
            .take(MAX_TIMELINE)
            .map(|c| Paragraph {
                text: format!(
                    "{} — {}: {}",
                    date(c.rec),
                    source_label(c.rec),
                    quote(&[c.rec.title.trim()])
                ),
                citations: vec![c.rec.id],
            })
            .collect();

        let faq = faq(&cands, &by_time, &dek_sentence, lead.rec);
        let facts = MethodologyFacts {
            records: cands.len(),
            web_citations: cands
                .iter()
                .filter(|c| c.rec.platform == Platform::Web)
                .count(),
            manual_sources: cands
                .iter()
                .filter(|c| c.rec.platform == Platform::Manual)
                .count(),
            writer: "offline writer".into(),
            signed_off_by: None,
        };
        Ok(StoryDocument {
            headline,
            dek,
            sections,
            story_so_far,
            faq,
            methodology: methodology_line(&facts),
        })
    }
}

type Best<'a> = dyn Fn(&Candidate, usize, &mut dyn FnMut(&str) -> bool) -> Vec<String> + 'a;

fn paragraphs(
    cands: &[Candidate],
    wanted: impl Fn(Platform) -> bool,
    max: usize,
    per_record: usize,
    best: &Best,
    take: &mut dyn FnMut(&str) -> bool,
) -> Vec<Paragraph> {
    let mut out = Vec::new();
    // A reporter's own sources come first: the newsroom added them on purpose,
    // so a redraft must not drop them for more central wire copy.
    let manual = cands.iter().filter(|c| c.rec.platform == Platform::Manual);
    let rest = cands.iter().filter(|c| c.rec.platform != Platform::Manual);
    for c in manual.chain(rest).filter(|c| wanted(c.rec.platform)) {
        if out.len() == max {
            break;
        }
        let picked = best(c, per_record, take);
        if picked.is_empty() {
            continue;
        }
        out.push(Paragraph {
            text: format!(
                "{}: {}",
                attribution(c.rec),
                quote_from(&c.rec.text, &picked)
            ),
            citations: vec![c.rec.id],
        });
    }
    out
}

fn source_label(r: &Record) -> String {
    match r.platform {
        Platform::Reddit => match &r.community {
            Some(sub) => format!("r/{}", sub.trim_start_matches("r/")),
            None => "Reddit".into(),
        },
        Platform::Bluesky => format!("@{} on Bluesky", r.author.trim_start_matches('@')),
        _ => outlet(r),
    }
}

fn faq(cands: &[Candidate], by_time: &[&Candidate], dek: &str, lead: &Record) -> Vec<FaqItem> {
    let mut out = Vec::new();
    if !dek.is_empty() {
        let dek_source = cands
            .iter()
            .find(|c| c.sentences.iter().any(|s| s == dek))
            .map(|c| c.rec)
            .unwrap_or(lead);
        out.push(FaqItem {
            q: "What happened?".into(),
            a: format!("{}: {}", attribution(dek_source), quote(&[dek])),
            citations: vec![dek_source.id],
        });
    }
    let first = by_time[0].rec;
    out.push(FaqItem {
        q: "Who reported it first?".into(),
        a: format!(
            "The earliest record is from {} on {}: {}",
            source_label(first),
            date(first),
            quote(&[first.title.trim()])
        ),
        citations: vec![first.id],
    });
    let figures: Vec<(&Record, &String)> = cands
        .iter()
        .flat_map(|c| {
            c.sentences
                .iter()
                .filter(|s| has_number(s))
                .take(1)
                .map(move |s| (c.rec, s))
        })
        .take(3)
        .collect();
    if !figures.is_empty() {
        out.push(FaqItem {
            q: "Which figures have been reported?".into(),
            a: figures
                .iter()
                .map(|(r, s)| format!("{}: {}", source_label(r), quote(&[s])))
                .collect::<Vec<_>>()
                .join(" "),
            citations: figures.iter().map(|(r, _)| r.id).collect(),
        });
    }
    let mut platforms: BTreeMap<&str, usize> = BTreeMap::new();
    for c in cands {
        *platforms.entry(c.rec.platform.as_str()).or_default() += 1;
    }
    let authors: HashSet<&str> = cands.iter().map(|c| c.rec.author.as_str()).collect();
    out.push(FaqItem {
        q: "How widely is it being discussed?".into(),
        a: format!(
            "This draft rests on {} records from {} ({}), by {} distinct authors.",
            cands.len(),
            if platforms.len() == 1 {
                "one platform".to_string()
            } else {
                format!("{} platforms", platforms.len())
            },
            platforms
                .iter()
                .map(|(p, n)| format!("{p}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            authors.len()
        ),
        citations: cands.iter().map(|c| c.rec.id).collect(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::has_number;

    #[test]
    fn figures_are_money_percentages_and_multi_digit_numbers() {
        for yes in [
            "raised $7.4 billion",
            "fell to 35%",
            "a 24B model",
            "4,000 attendees",
            "in 2026",
        ] {
            assert!(has_number(yes), "{yes}");
        }
        for no in [
            "version 1.1 is out",
            "DeepSeek V4 hangs",
            "Magistral 3 is here",
        ] {
            assert!(!has_number(no), "{no}");
        }
    }
}
