//! Comparing two revisions: blocks (headline, dek, headings, paragraphs, FAQ)
//! are aligned by a longest common subsequence of their text, unmatched
//! neighbours that share words are shown as one changed block, and changed
//! blocks are compared word by word.

use std::collections::{HashMap, HashSet};

use beatdesk_types::{DiffBlock, DiffOp, DiffWord, StoryDocument};

struct Block {
    place: String,
    text: String,
    citations: Vec<i64>,
}

fn blocks(doc: &StoryDocument) -> Vec<Block> {
    let mut out = vec![Block {
        place: "Headline".into(),
        text: doc.headline.clone(),
        citations: vec![],
    }];
    if !doc.dek.is_empty() {
        out.push(Block {
            place: "Dek".into(),
            text: doc.dek.clone(),
            citations: vec![],
        });
    }
    for (i, s) in doc.sections.iter().enumerate() {
        out.push(Block {
            place: format!("Section {} heading", i + 1),
            text: s.heading.clone(),
            citations: vec![],
        });
        for (j, p) in s.paragraphs.iter().enumerate() {
            out.push(Block {
                place: format!("Section {} paragraph {}", i + 1, j + 1),
                text: p.text.clone(),
                citations: p.citations.clone(),
            });
        }
    }
    for (j, p) in doc.story_so_far.iter().enumerate() {
        out.push(Block {
            place: format!("Story so far {}", j + 1),
            text: p.text.clone(),
            citations: p.citations.clone(),
        });
    }
    for (j, f) in doc.faq.iter().enumerate() {
        out.push(Block {
            place: format!("FAQ {} question", j + 1),
            text: f.q.clone(),
            citations: vec![],
        });
        out.push(Block {
            place: format!("FAQ {} answer", j + 1),
            text: f.a.clone(),
            citations: f.citations.clone(),
        });
    }
    out
}

/// Pairs of equal positions in `a` and `b` (a longest common subsequence).
fn lcs<T: PartialEq>(a: &[T], b: &[T]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if a[i] == b[j] {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a[i] == b[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Word-level marks for `before` → `after`.
pub fn diff_words(before: &str, after: &str) -> Vec<DiffWord> {
    let a: Vec<&str> = before.split_whitespace().collect();
    let b: Vec<&str> = after.split_whitespace().collect();
    let mut out: Vec<DiffWord> = Vec::new();
    let mut push = |op: DiffOp, w: &str| match out.last_mut() {
        Some(last) if last.op == op => {
            last.text.push(' ');
            last.text.push_str(w);
        }
        _ => out.push(DiffWord {
            op,
            text: w.to_string(),
        }),
    };
    // Very long paragraphs are shown as replaced rather than compared word by word.
    let pairs = if a.len() * b.len() <= 4_000_000 {
        lcs(&a, &b)
    } else {
        vec![]
    };
    let (mut i, mut j) = (0, 0);
    for (pi, pj) in pairs.into_iter().chain([(a.len(), b.len())]) {
        for w in &a[i..pi] {
            push(DiffOp::Removed, w);
        }
        for w in &b[j..pj] {
            push(DiffOp::Added, w);
        }
        if pi < a.len() {
            push(DiffOp::Same, a[pi]);
        }
        (i, j) = (pi + 1, pj + 1);
    }
    out
}

fn similar(a: &str, b: &str) -> bool {
    let wa: HashSet<&str> = a.split_whitespace().collect();
    let wb: HashSet<&str> = b.split_whitespace().collect();
    let shared = wa.intersection(&wb).count();
    let least = wa.len().min(wb.len()).max(1);
    shared * 3 >= least
}

/// A removed and an added block are one changed block when they share words,
/// or when they are the same single place (the headline, the dek, a heading).
fn pairs(x: &Block, y: &Block) -> bool {
    let single = !x.place.contains("paragraph")
        && !x.place.contains("answer")
        && !x.place.starts_with("Story so far");
    similar(&x.text, &y.text) || (single && x.place == y.place)
}

fn labelled(ids: &[i64], labels: &HashMap<i64, i64>) -> Vec<i64> {
    ids.iter()
        .map(|id| labels.get(id).copied().unwrap_or(0))
        .collect()
}

/// Compares two documents; citations are shown by the story's labels.
pub fn compare(
    before: &StoryDocument,
    after: &StoryDocument,
    labels: &HashMap<i64, i64>,
) -> Vec<DiffBlock> {
    let a = blocks(before);
    let b = blocks(after);
    let ta: Vec<&str> = a.iter().map(|x| x.text.as_str()).collect();
    let tb: Vec<&str> = b.iter().map(|x| x.text.as_str()).collect();
    let mut out = Vec::new();
    let whole = |op: DiffOp, text: &str| {
        vec![DiffWord {
            op,
            text: text.to_string(),
        }]
    };
    let added = |y: &Block| DiffBlock {
        change: "added".into(),
        place: y.place.clone(),
        words: whole(DiffOp::Added, &y.text),
        citations_before: vec![],
        citations_after: labelled(&y.citations, labels),
    };
    let (mut i, mut j) = (0, 0);
    for (pi, pj) in lcs(&ta, &tb).into_iter().chain([(a.len(), b.len())]) {
        let (gone, came) = (&a[i..pi], &b[j..pj]);
        // Each removed block pairs with the next added block it resembles.
        let mut c = 0;
        for x in gone {
            match came[c..].iter().position(|y| pairs(x, y)) {
                Some(off) => {
                    out.extend(came[c..c + off].iter().map(added));
                    let y = &came[c + off];
                    out.push(DiffBlock {
                        change: "changed".into(),
                        place: y.place.clone(),
                        words: diff_words(&x.text, &y.text),
                        citations_before: labelled(&x.citations, labels),
                        citations_after: labelled(&y.citations, labels),
                    });
                    c += off + 1;
                }
                None => out.push(DiffBlock {
                    change: "removed".into(),
                    place: x.place.clone(),
                    words: whole(DiffOp::Removed, &x.text),
                    citations_before: labelled(&x.citations, labels),
                    citations_after: vec![],
                }),
            }
        }
        out.extend(came[c..].iter().map(added));
        if pi < a.len() {
            let (x, y) = (&a[pi], &b[pj]);
            let same_cites = x.citations == y.citations;
            out.push(DiffBlock {
                change: if same_cites { "same" } else { "changed" }.into(),
                place: y.place.clone(),
                words: whole(DiffOp::Same, &y.text),
                citations_before: labelled(&x.citations, labels),
                citations_after: labelled(&y.citations, labels),
            });
        }
        (i, j) = (pi + 1, pj + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use beatdesk_types::{Paragraph, Section};

    fn doc(paras: &[(&str, &[i64])]) -> StoryDocument {
        StoryDocument {
            headline: "Lab raises money".into(),
            sections: vec![Section {
                heading: "What happened".into(),
                paragraphs: paras
                    .iter()
                    .map(|(t, c)| Paragraph {
                        text: t.to_string(),
                        citations: c.to_vec(),
                    })
                    .collect(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn words_are_marked_removed_and_added_in_place() {
        let w = diff_words(
            "the lab raised 7 billion dollars",
            "the lab raised 7.4 billion dollars today",
        );
        let shown: Vec<(DiffOp, &str)> = w.iter().map(|x| (x.op, x.text.as_str())).collect();
        assert_eq!(
            shown,
            vec![
                (DiffOp::Same, "the lab raised"),
                (DiffOp::Removed, "7"),
                (DiffOp::Added, "7.4"),
                (DiffOp::Same, "billion dollars"),
                (DiffOp::Added, "today"),
            ]
        );
    }

    #[test]
    fn paragraphs_are_aligned_so_an_insert_does_not_change_the_rest() {
        let labels = HashMap::from([(10, 1), (20, 2), (30, 3)]);
        let before = doc(&[("First fact stands.", &[10]), ("Second fact here.", &[20])]);
        let after = doc(&[
            ("First fact stands.", &[10]),
            ("A wholly new paragraph by the editor.", &[30]),
            ("Second fact here, corrected.", &[20, 30]),
        ]);
        let blocks = compare(&before, &after, &labels);
        let kinds: Vec<(&str, &str)> = blocks
            .iter()
            .map(|b| (b.change.as_str(), b.place.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("same", "Headline"),
                ("same", "Section 1 heading"),
                ("same", "Section 1 paragraph 1"),
                ("added", "Section 1 paragraph 2"),
                ("changed", "Section 1 paragraph 3"),
            ]
        );
        let changed = &blocks[4];
        assert_eq!(changed.citations_before, vec![2]);
        assert_eq!(
            changed.citations_after,
            vec![2, 3],
            "citations shown by label"
        );
        assert!(changed
            .words
            .iter()
            .any(|w| w.op == DiffOp::Added && w.text == "here, corrected."));
        let removed = compare(&after, &before, &labels);
        assert!(removed
            .iter()
            .any(|b| b.change == "removed"
                && b.words[0].text == "A wholly new paragraph by the editor."));
    }
}
