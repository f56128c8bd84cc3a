//! 64-bit SimHash over word shingles, with a banded index so that a lookup
//! for "Hamming distance <= 3" touches only a few candidates: split into four
//! 16-bit bands, two fingerprints within 3 bits agree exactly on at least one band.

use std::collections::HashMap;

/// Fewer words than this: too short to call near-identical by shape alone.
pub const MIN_WORDS: usize = 8;
pub const MAX_DISTANCE: u32 = 3;

#[inline]
fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Final avalanche (splitmix64) so nearby inputs spread over all bits.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The fingerprint of `text`, or `None` when it has fewer than `MIN_WORDS` words.
pub fn simhash(text: &str) -> Option<u64> {
    let mut words: Vec<String> = Vec::with_capacity(64);
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words.push(w.to_lowercase());
    }
    if words.len() < MIN_WORDS {
        return None;
    }
    let mut acc = [0i32; 64];
    let mut buf = Vec::with_capacity(64);
    for win in words.windows(3) {
        buf.clear();
        for w in win {
            buf.extend_from_slice(w.as_bytes());
            buf.push(b' ');
        }
        let h = fnv1a(&buf, 0);
        for (bit, slot) in acc.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *slot += 1;
            } else {
                *slot -= 1;
            }
        }
    }
    let mut out = 0u64;
    for (bit, v) in acc.iter().enumerate() {
        if *v > 0 {
            out |= 1 << bit;
        }
    }
    Some(out)
}

/// Fingerprints of kept records, findable by near match.
#[derive(Default)]
pub struct SimIndex {
    bands: HashMap<(u8, u16), Vec<(u64, i64)>>,
}

impl SimIndex {
    pub fn insert(&mut self, fp: u64, id: i64) {
        for b in 0..4u8 {
            self.bands
                .entry((b, (fp >> (b * 16)) as u16))
                .or_default()
                .push((fp, id));
        }
    }

    /// The closest stored record within `MAX_DISTANCE` bits, as (id, distance).
    pub fn find(&self, fp: u64) -> Option<(i64, u32)> {
        let mut best: Option<(i64, u32)> = None;
        for b in 0..4u8 {
            if let Some(list) = self.bands.get(&(b, (fp >> (b * 16)) as u16)) {
                for &(other, id) in list {
                    let d = (fp ^ other).count_ones();
                    if d <= MAX_DISTANCE
                        && best.is_none_or(|(bid, bd)| d < bd || (d == bd && id < bid))
                    {
                        best = Some((id, d));
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_copies_are_near_and_different_stories_are_not() {
        let a = "WASHINGTON (AP) — The Commerce Department on Tuesday proposed new export rules for advanced AI chips, \
                 saying the measures would close loopholes that let restricted buyers obtain accelerators through third countries.";
        let b = "WASHINGTON (AP) — The Commerce Department on Tuesday proposed new export rules for advanced AI chips, \
                 saying the measures would close loopholes that let restricted buyers obtain accelerators through third countries. ";
        let c = "A small lab in Lisbon released an open-weights model that runs on a laptop and beats last year's \
                 frontier systems on several coding benchmarks, its founders said on Monday.";
        let (fa, fb, fc) = (
            simhash(a).unwrap(),
            simhash(b).unwrap(),
            simhash(c).unwrap(),
        );
        assert!((fa ^ fb).count_ones() <= MAX_DISTANCE);
        assert!((fa ^ fc).count_ones() > MAX_DISTANCE);
        let mut idx = SimIndex::default();
        idx.insert(fa, 1);
        assert_eq!(idx.find(fb).map(|x| x.0), Some(1));
        assert_eq!(idx.find(fc), None);
        assert_eq!(simhash("too short"), None);
    }
}
