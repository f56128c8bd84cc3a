//! Near-identical text (syndicated wire copy, bot copies) by MinHash over
//! three-word shingles, with LSH banding so a lookup touches few candidates.
//! 32 minimum hashes estimate the Jaccard similarity of the shingle sets;
//! 8 bands of 4 rows find pairs above ~0.6 almost surely, and a pair counts as
//! near-identical at an estimated similarity of 0.8 or more. (SimHash with a
//! Hamming distance of 3 proved too brittle for 60–100 word texts: three new
//! shingles flip more than three bits.)

use std::collections::HashMap;

/// Fewer words than this: too short to call near-identical by shape alone.
pub const MIN_WORDS: usize = 8;
pub const PERMS: usize = 32;
const ROWS: usize = 4;
const BANDS: usize = PERMS / ROWS;
const NONE: u32 = u32::MAX;
/// Minimum hashes that must agree (26/32 ≈ 0.81).
pub const MIN_AGREE: usize = 26;

pub type Signature = [u32; PERMS];

#[inline]
fn word_hash(w: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    if w.is_ascii() {
        for b in w.bytes() {
            h ^= b.to_ascii_lowercase() as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    } else {
        let mut buf = [0u8; 4];
        for c in w.chars().flat_map(char::to_lowercase) {
            for b in c.encode_utf8(&mut buf).bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    h
}

/// splitmix64 finaliser: spreads nearby inputs over all bits.
#[inline]
fn mix(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The MinHash signature of `text`, or `None` below `MIN_WORDS` words.
pub fn signature(text: &str) -> Option<Signature> {
    let mut words: Vec<u64> = Vec::with_capacity(128);
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words.push(word_hash(w));
    }
    if words.len() < MIN_WORDS {
        return None;
    }
    let mut sig = [u32::MAX; PERMS];
    for win in words.windows(3) {
        let base = mix(win[0] ^ win[1].rotate_left(21) ^ win[2].rotate_left(42));
        // Two 32-bit values per mix: 16 mixes give the 32 permutations.
        for i in 0..PERMS / 2 {
            let h = mix(base ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let (lo, hi) = (h as u32, (h >> 32) as u32);
            if lo < sig[2 * i] {
                sig[2 * i] = lo;
            }
            if hi < sig[2 * i + 1] {
                sig[2 * i + 1] = hi;
            }
        }
    }
    Some(sig)
}

/// How many minimum hashes agree (out of `PERMS`).
pub fn agreement(a: &Signature, b: &Signature) -> usize {
    a.iter().zip(b).filter(|(x, y)| x == y).count()
}

/// Signatures of kept records, findable by near match. Buckets are chains
/// through `next` (no allocation per bucket), so 100k records stay cheap.
#[derive(Default)]
pub struct NearIndex {
    heads: HashMap<u64, u32>,
    entries: Vec<(i64, Signature, [u32; BANDS])>,
}

fn band_key(sig: &Signature, band: usize) -> u64 {
    let r = &sig[band * ROWS..band * ROWS + ROWS];
    let k = (r[0] as u64) << 32 | r[1] as u64;
    mix(k
        ^ (r[2] as u64).rotate_left(17)
        ^ (r[3] as u64).rotate_left(47)
        ^ (band as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

impl NearIndex {
    pub fn insert(&mut self, sig: Signature, id: i64) {
        let slot = self.entries.len() as u32;
        let mut next = [NONE; BANDS];
        for (b, n) in next.iter_mut().enumerate() {
            *n = self.heads.insert(band_key(&sig, b), slot).unwrap_or(NONE);
        }
        self.entries.push((id, sig, next));
    }

    /// The most similar stored record at or above the threshold, as (id, agreeing hashes).
    pub fn find(&self, sig: &Signature) -> Option<(i64, usize)> {
        let mut best: Option<(i64, usize)> = None;
        for b in 0..BANDS {
            let mut slot = self.heads.get(&band_key(sig, b)).copied().unwrap_or(NONE);
            while slot != NONE {
                let (id, other, next) = &self.entries[slot as usize];
                let agree = agreement(sig, other);
                if agree >= MIN_AGREE
                    && best.is_none_or(|(bid, ba)| agree > ba || (agree == ba && *id < bid))
                {
                    best = Some((*id, agree));
                }
                slot = next[b];
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIRE: &str = "WASHINGTON (AP) — A bipartisan group of lawmakers on Thursday questioned the timeline of the Commerce \
        Department's proposed export rule for AI chips, saying a 60-day comment period was too short for companies to assess \
        its effect on supply chains that run through a dozen countries. The lawmakers asked the department to extend the period \
        to 120 days and to publish its estimate of the rule's cost to domestic manufacturers.";

    #[test]
    fn wire_copies_are_near_and_different_stories_are_not() {
        let copy = format!("{WIRE} (Reporting by AP; editing by the desk)");
        let other = "A small lab in Lisbon released an open-weights model that runs on a laptop and beats last year's \
                     frontier systems on several coding benchmarks, its founders said on Monday, adding that a phone version follows.";
        let (a, b, c) = (
            signature(WIRE).unwrap(),
            signature(&copy).unwrap(),
            signature(other).unwrap(),
        );
        assert!(agreement(&a, &b) >= MIN_AGREE, "{}", agreement(&a, &b));
        assert!(agreement(&a, &c) < 4);
        let mut idx = NearIndex::default();
        idx.insert(a, 1);
        assert_eq!(idx.find(&b).map(|x| x.0), Some(1));
        assert_eq!(idx.find(&c), None);
        assert_eq!(signature("too short"), None);
        // Case and punctuation do not matter.
        assert_eq!(
            signature(&WIRE.to_uppercase().replace(',', " ")).unwrap(),
            a
        );
    }
}
