//! Near-identical text (syndicated wire copy, bot copies) by MinHash over
//! three-word shingles, with LSH banding so a lookup touches few candidates.
//! 32 minimum hashes estimate the Jaccard similarity of the shingle sets;
//! 8 bands of 4 rows find pairs above ~0.6 almost surely, and a pair counts as
//! near-identical at an estimated similarity of 0.8 or more. (SimHash with a
//! Hamming distance of 3 proved too brittle for 60–100 word texts: three new
//! shingles flip more than three bits.)

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Band keys are already well mixed (`mix`): hash them as themselves.
#[derive(Default)]
struct MixedKey(u64);

impl Hasher for MixedKey {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0 ^ b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Fewer words than this: too short to call near-identical by shape alone.
pub const MIN_WORDS: usize = 8;
pub const PERMS: usize = 32;
const ROWS: usize = 4;
const BANDS: usize = PERMS / ROWS;
const NONE: u32 = u32::MAX;
/// Minimum hashes that must agree (26/32 ≈ 0.81).
pub const MIN_AGREE: usize = 26;

pub type Signature = [u32; PERMS];

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a hashes of the lowercased alphanumeric words of `text`, in one pass
/// (ASCII bytes directly; other characters lowercased and hashed as UTF-8).
fn word_hashes(text: &str, out: &mut Vec<u64>) {
    let bytes = text.as_bytes();
    let (mut h, mut in_word) = (FNV_OFFSET, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            i += 1;
            if b.is_ascii_alphanumeric() {
                h = (h ^ b.to_ascii_lowercase() as u64).wrapping_mul(FNV_PRIME);
                in_word = true;
                continue;
            }
        } else {
            let c = text[i..].chars().next().expect("char boundary");
            i += c.len_utf8();
            if c.is_alphanumeric() {
                let mut buf = [0u8; 4];
                for l in c.to_lowercase() {
                    for b in l.encode_utf8(&mut buf).bytes() {
                        h = (h ^ b as u64).wrapping_mul(FNV_PRIME);
                    }
                }
                in_word = true;
                continue;
            }
        }
        if in_word {
            out.push(h);
            (h, in_word) = (FNV_OFFSET, false);
        }
    }
    if in_word {
        out.push(h);
    }
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
    word_hashes(text, &mut words);
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
    heads: HashMap<u64, u32, BuildHasherDefault<MixedKey>>,
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

    /// Agreement tracks the true Jaccard similarity of the shingle sets.
    #[test]
    fn agreement_estimates_jaccard() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            state = mix(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
            state
        };
        let (mut err, mut abs_err, mut n) = (0.0, 0.0, 0);
        for _ in 0..300 {
            let a: Vec<String> = (0..80).map(|_| format!("w{}", next() % 500)).collect();
            let mut b = a.clone();
            let changes = (next() % 12) as usize;
            for _ in 0..changes {
                let i = (next() % 80) as usize;
                b[i] = format!("x{}", next() % 500);
            }
            let shingles = |v: &[String]| -> std::collections::HashSet<String> {
                v.windows(3).map(|w| w.join(" ")).collect()
            };
            let (sa, sb) = (shingles(&a), shingles(&b));
            let jaccard = sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64;
            let est = agreement(
                &signature(&a.join(" ")).unwrap(),
                &signature(&b.join(" ")).unwrap(),
            ) as f64
                / PERMS as f64;
            err += est - jaccard;
            abs_err += (est - jaccard).abs();
            n += 1;
            assert!((est - jaccard).abs() < 0.35, "{est} vs {jaccard}");
        }
        // Unbiased on average, and about the 32-hash standard error off.
        assert!((err / n as f64).abs() < 0.03, "bias {}", err / n as f64);
        assert!(
            abs_err / (n as f64) < 0.09,
            "mean error {}",
            abs_err / n as f64
        );
    }

    /// The one-pass word hashing equals hashing each lowercased word on its own.
    #[test]
    fn word_hashes_match_per_word_hashing() {
        fn fnv(w: &str) -> u64 {
            w.chars()
                .flat_map(char::to_lowercase)
                .collect::<String>()
                .bytes()
                .fold(FNV_OFFSET, |h, b| (h ^ b as u64).wrapping_mul(FNV_PRIME))
        }
        let text = "Ünïcode WÖRDS, straße & İstanbul—ΣΊΣΥΦΟΣ 42x… end";
        let want: Vec<u64> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(fnv)
            .collect();
        let mut got = Vec::new();
        word_hashes(text, &mut got);
        assert_eq!(got, want);
    }
}
