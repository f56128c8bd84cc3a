//! Independent origins: how many separate reports a story rests on.
//!
//! What an editor means by an origin is a source with its own reporting.
//! When a story holds articles, only they can be origins ([`trace`]): posts,
//! replies, quotes, comments and aggregators' pointers relay what they
//! link, quote or repeat. Articles are one origin when
//! - their texts are near-identical (wire copies), or they share a headline
//!   or link to each other (below);
//! - they come from one outlet (a follow-up to its own exclusive);
//! - one names another outlet of the story ("technology news site Harbor &
//!   Signal reported on Wednesday"): it relays that outlet's report.
//!
//! A story of posts alone falls back to [`origin_groups`] over all records.
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

/// A story's origins: which records report, which relay.
#[derive(Debug, Clone, PartialEq)]
pub struct Origins {
    /// Origin groups as positions in `docs`, the origin record first.
    pub groups: Vec<Vec<usize>>,
    /// Records that relay an origin rather than report.
    pub relays: usize,
}

/// Traces a story's records to their independent origins.
pub fn trace(docs: &[&DocMeta]) -> Origins {
    let reporting: Vec<usize> = (0..docs.len()).filter(|&i| docs[i].reporting).collect();
    if reporting.is_empty() {
        let groups = origin_groups(docs);
        let relays = docs.len() - groups.len();
        return Origins { groups, relays };
    }
    let arts: Vec<&DocMeta> = reporting.iter().map(|&i| docs[i]).collect();
    // Copies, shared headlines and links among the articles themselves.
    let base = origin_groups(&arts);
    let mut uf = UnionFind::new(arts.len());
    for g in &base {
        for w in g.windows(2) {
            uf.union(w[0] as u32, w[1] as u32);
        }
    }
    // One outlet, one origin; an article naming another outlet relays it.
    let mut by_key: FxHashMap<&str, u32> = FxHashMap::default();
    for (i, a) in arts.iter().enumerate() {
        for k in &a.outlet_keys {
            match by_key.get(k.as_str()) {
                Some(&j) => uf.union(i as u32, j),
                None => {
                    by_key.insert(k, i as u32);
                }
            }
        }
    }
    let mut attributes = vec![false; arts.len()];
    for (i, a) in arts.iter().enumerate() {
        for (k, &j) in &by_key {
            if !a.outlet_keys.iter().any(|own| own == k) && a.said.contains(k) {
                uf.union(i as u32, j);
                attributes[i] = true;
            }
        }
    }
    let mut groups: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for i in 0..arts.len() {
        groups.entry(uf.find(i as u32)).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups
        .into_values()
        .map(|mut g| {
            // The origin: the earliest article that credits no one else.
            g.sort_by_key(|&i| (attributes[i], arts[i].t, arts[i].id));
            g.into_iter().map(|i| reporting[i]).collect()
        })
        .collect();
    out.sort_by_key(|g| (docs[g[0]].t, docs[g[0]].id));
    Origins {
        relays: docs.len() - out.len(),
        groups: out,
    }
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

    #[test]
    fn articles_report_posts_relay_and_a_credit_names_the_origin() {
        let mut excl = rec(1, "Exclusive: U.S. to require licences for accelerator exports", "The Commerce Department is drafting a rule, three people familiar with the plans said.", "https://www.harborsignal.example/excl");
        excl.community = Some("Harbor & Signal".into());
        let mut wire = rec(2, "U.S. plans to widen licence rule -report", "WASHINGTON (MPA) - The U.S. is preparing licences, technology news site Harbor & Signal reported on Wednesday.", "https://www.meridianpress.example/wire");
        wire.community = Some("Meridian Press".into());
        wire.published_at += chrono::Duration::hours(1);
        let mut follow = rec(
            3,
            "Kestrel shares slide 7% on export-rule report",
            "Shares fell after the report on Wednesday, traders said.",
            "https://www.harborsignal.example/shares",
        );
        follow.community = Some("Harbor & Signal".into());
        follow.published_at += chrono::Duration::hours(6);
        let mut post = rec(4, "", "big if true", "https://bsky.app/profile/x/post/1");
        post.platform = Platform::Bluesky;
        let mut pointer = rec(
            5,
            "US export licences could hit Gulf sales - Northgate Tribune",
            "",
            "https://news.google.com/rss/articles/CBMi",
        );
        pointer.community = Some("Google News".into());
        let metas: Vec<DocMeta> = [excl, wire, follow, post, pointer]
            .iter()
            .map(DocMeta::from_record)
            .collect();
        let refs: Vec<&DocMeta> = metas.iter().collect();
        let o = trace(&refs);
        assert_eq!(
            o.groups,
            vec![vec![0, 2, 1]],
            "one origin, the exclusive first: {o:?}"
        );
        assert_eq!(o.relays, 4);

        // A second outlet with its own reporting is a second origin.
        let mut other = rec(
            6,
            "Launch: K11 ships next year",
            "SAN JOSE (Byteline) - Kestrel unveiled the K11 on stage.",
            "https://www.byteline.example/k11",
        );
        other.community = Some("Byteline".into());
        let m6 = DocMeta::from_record(&other);
        let refs: Vec<&DocMeta> = metas.iter().chain([&m6]).collect();
        assert_eq!(trace(&refs).groups.len(), 2);

        // Posts alone: each unlinked post is its own origin, as before.
        let refs: Vec<&DocMeta> = vec![&metas[3]];
        assert_eq!(trace(&refs).groups.len(), 1);
    }
}
