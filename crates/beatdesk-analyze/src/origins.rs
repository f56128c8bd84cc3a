//! Independent origins: how many separate reports a story rests on.
//!
//! Within one story, records are joined into one origin when
//! - their texts are near-identical (wire copies, syndicated articles,
//!   copy-paste reposts): MinHash resemblance of word 3-shingles ≥ 0.5,
//!   found with LSH bands rather than all pairs;
//! - they carry the same headline (five words or more);
//! - one links to the other's URL, or both link to the same page (a post
//!   sharing an article is a repost of it, not a confirmation).

use rustc_hash::FxHashMap;

use crate::doc::{DocMeta, SKETCH};

/// Resemblance at or above which two texts are copies of one report.
pub const COPY_RESEMBLANCE: f64 = 0.5;
const BANDS: usize = 8;
const ROWS: usize = SKETCH / BANDS;

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = p;
            x = p;
        }
        x
    }
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

/// Origin groups of a story's records: each inner list holds positions in
/// `docs`, the earliest record first. Groups are ordered by their earliest
/// record.
pub fn origin_groups(docs: &[&DocMeta]) -> Vec<Vec<usize>> {
    let n = docs.len();
    let mut uf = UnionFind::new(n);
    // Near-identical texts via LSH bands, verified on the full sketch.
    let mut bands: FxHashMap<(usize, u64), u32> = FxHashMap::default();
    let mut titles: FxHashMap<u64, u32> = FxHashMap::default();
    let mut urls: FxHashMap<&str, u32> = FxHashMap::default();
    for (i, d) in docs.iter().enumerate() {
        let i = i as u32;
        if !d.sketch.is_empty() {
            for b in 0..BANDS {
                let key = d.sketch[b * ROWS..(b + 1) * ROWS]
                    .iter()
                    .fold(b as u64, |h, v| {
                        (h ^ *v as u64).wrapping_mul(0x100000001b3).rotate_left(17)
                    });
                match bands.get(&(b, key)) {
                    Some(&j) => {
                        if d.resemblance(docs[j as usize]) >= COPY_RESEMBLANCE {
                            uf.union(i, j);
                        }
                    }
                    None => {
                        bands.insert((b, key), i);
                    }
                }
            }
        }
        if d.title_key != 0 {
            match titles.get(&d.title_key) {
                Some(&j) => uf.union(i, j),
                None => {
                    titles.insert(d.title_key, i);
                }
            }
        }
        for u in d.own_urls.iter().chain(&d.links) {
            match urls.get(u.as_str()) {
                Some(&j) => uf.union(i, j),
                None => {
                    urls.insert(u, i);
                }
            }
        }
    }
    let mut groups: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for i in 0..n {
        groups.entry(uf.find(i as u32)).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    for g in &mut out {
        g.sort_by_key(|&i| (docs[i].t, docs[i].id));
    }
    out.sort_by_key(|g| (docs[g[0]].t, docs[g[0]].id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use beatdesk_types::{Metrics, Platform, Record, RecordStatus};
    use chrono::{TimeZone, Utc};

    fn rec(id: i64, title: &str, text: &str, url: &str) -> Record {
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
        Record {
            id,
            beat_id: 1,
            platform: Platform::News,
            external_id: id.to_string(),
            url: url.into(),
            canonical_url: url.into(),
            title: title.into(),
            text: text.into(),
            author: "a".into(),
            community: None,
            published_at: t,
            fetched_at: t,
            metrics: Metrics::default(),
            status: RecordStatus::Kept,
            reason: None,
            duplicate_of: None,
            note: None,
            added_by: None,
        }
    }

    #[test]
    fn wire_copies_and_links_are_one_origin() {
        let body = "The Chinese lab closed a funding round worth 7.4 billion dollars on Monday, according to two people \
                    familiar with the deal, with Tencent and the battery maker CATL among the backers.";
        let a = rec(1, "Lab raises money", body, "https://wire.example.com/a");
        let b = rec(
            2,
            "Chinese lab raises $7.4bn",
            &format!("{body} The company declined to comment."),
            "https://paper.example.org/b",
        );
        let c = rec(
            3,
            "",
            "wild: https://wire.example.com/a",
            "https://bsky.app/x",
        );
        let d = rec(4, "Separate report", "Engineers at a cloud provider describe a totally different account of the round and its terms.", "https://other.example.net/d");
        let metas: Vec<DocMeta> = [a, b, c, d].iter().map(DocMeta::from_record).collect();
        let refs: Vec<&DocMeta> = metas.iter().collect();
        let groups = origin_groups(&refs);
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[0], vec![0, 1, 2]);
    }
}
