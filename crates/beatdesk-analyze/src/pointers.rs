//! An aggregator's pointer (a Google News item: "Headline - Publisher" and
//! an opaque link) and the article it points to, when both are held: the
//! same headline once the publisher is taken off. Ingest collapses such a
//! pointer into its article; records that came another way (an import) are
//! related here, so the pointer follows its article and the article is not
//! taken for a roundup of its own story and its pointer's.

use rustc_hash::FxHashMap;

use crate::cluster::Clusterer;
use crate::doc::DocMeta;

/// Pointers and articles seen, by headline key.
#[derive(Default)]
pub(crate) struct Headlines {
    pointers: FxHashMap<u64, Vec<i64>>,
    articles: FxHashMap<u64, Vec<i64>>,
}

impl Clusterer {
    /// Relates new pointers to held articles with their headline, and new
    /// articles to held pointers. Call before the records are assigned.
    pub(crate) fn relate_headlines(&mut self, metas: &[DocMeta]) {
        let mut pairs = Vec::new();
        for m in metas.iter().filter(|m| m.title_key != 0) {
            let h = &mut self.headlines;
            if m.pointer {
                pairs.extend(
                    h.articles
                        .get(&m.title_key)
                        .into_iter()
                        .flatten()
                        .map(|a| (m.id, *a)),
                );
                h.pointers.entry(m.title_key).or_default().push(m.id);
            } else if m.reporting {
                pairs.extend(
                    h.pointers
                        .get(&m.title_key)
                        .into_iter()
                        .flatten()
                        .map(|p| (*p, m.id)),
                );
                h.articles.entry(m.title_key).or_default().push(m.id);
            }
        }
        for (pointer, article) in pairs {
            self.relate(pointer, article);
        }
    }
}
