//! Featurising must not change when it is made faster: every RawDoc, display
//! word, gazetteer entry and DocMeta of a varied corpus is hashed and compared
//! with the hash the original (slow) code produced on the same corpus.

use beatdesk_types::{Metrics, Platform, Record, RecordStatus};
use chrono::{Duration, TimeZone, Utc};

use super::Featurizer;
use crate::doc::DocMeta;
use crate::eval::Fixture;
use crate::synth::{self, Rng};

/// Hashes computed by the code before the speed-up (commit 969f104):
/// raw docs, display words, gazetteer, doc metas.
const GOLDEN: [u64; 4] = [
    0xe4f5f9ef02133178,
    0x10c56573c7b880e3,
    0xf315635f27139c6c,
    0xb9319f3339a47de2,
];

/// FNV-1a, so the golden values do not depend on std's hasher.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf29ce484222325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for x in b {
            self.0 ^= *x as u64;
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
        // A separator, so "ab"+"c" and "a"+"bc" differ.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x100000001b3);
    }
    fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }
}

/// Chunks that exercise the scanner's special cases; random texts are made
/// of them so that neighbours (a number and its unit, a name and its
/// version) meet in many combinations.
#[rustfmt::skip]
const POOL: &[&str] = &[
    "DeepSeek", "raises", "$7.4B", "US$7,400,000,000", "7.4bn", "$7.4", "billion", "€2bn", "USD",
    "5m", "£3.5", "million", "¥100", "92", "percent", "92%", "4-bit", "70B", "~$5", "≈3x", "12,",
    "3.", "1,000", "thousand", "100ms", "8GB", "2tn", "46億ドル", "約3万円", "1.2.3.4", "Qwen", "3.5",
    "Qwen3.5", "V4", "v1.2.3", "llama.cpp", "node.js", "GPT-4o", "iPhone", "vLLM", "GGUF", "CATL",
    "EU", "A.I.", "U.S.", "e.g.", "Hugging", "Face", "Tencent,", "Tencent.", "Tencent's",
    "OpenAI’s", "don't", "it’s", "Bastion", "Labs", "https://www.example.com/a/b?x=1#f",
    "http://Example.org/", "www.site.io/path/", "example.ai/model", "github.com", "(see",
    "https://t.co/x)", "@bob.bsky.social", "@Alice", "@", "r/LocalLLaMA", "/r/rust", "r/",
    "#ExportControls", "#AIチップ", "#aichips", "#a", "#", "#open_source", "米商務省、AIアクセラレータの輸出許可",
    "한국어", "텍스트", "中文", "مرحبا", "بالعالم", "١٢٣", "７億", "🚀🔥", "👩‍💻", "emoji🚀", "ΣΟΦΙΑ", "Straße",
    "İstanbul", "ǅemal", "café", "cafe\u{301}", "naïve", "नमस्ते", "ภาษาไทย", "the", "and", "The",
    "This", "is", "a", "of", "in", "—", "-", "“Quoted”", "\"quoted.\"", "**bold**", "_under_",
    "[link](x)", "<tag>", "model.", "release!", "really?", "Note:", "said;", "x", "I", "OK",
    "ModelCard", "open-weights", "state-of-the-art", "quantisations", "running", "runs", "ran",
    "generalization", "Open\u{a0}Source", "tab\tsep", "line\nbreak",
];

fn random_text(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(if rng.below(12) == 0 { '\n' } else { ' ' });
        }
        s.push_str(POOL[rng.below(POOL.len())]);
    }
    s
}

fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

fn template() -> Record {
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    Record {
        id: 0,
        beat_id: 1,
        platform: Platform::News,
        external_id: String::new(),
        url: String::new(),
        canonical_url: String::new(),
        title: String::new(),
        text: String::new(),
        author: String::new(),
        community: None,
        published_at: at,
        fetched_at: at,
        metrics: Metrics::default(),
        status: RecordStatus::Kept,
        reason: None,
        duplicate_of: None,
        note: None,
        added_by: None,
    }
}

/// Random records over the pool: every platform, titles empty, plain,
/// title-case, repeating the text's start, or Google News pointers.
fn pool_records(n: usize) -> Vec<Record> {
    let mut rng = Rng::new(11);
    let platforms = Platform::ALL;
    (0..n)
        .map(|i| {
            let mut r = template();
            r.id = 100_000 + i as i64;
            r.platform = platforms[rng.below(platforms.len())];
            r.published_at += Duration::minutes(i as i64);
            let len = 1 + rng.below(60);
            r.text = match i % 50 {
                // Texts with no words, or only links.
                0 => String::new(),
                1 => " \n\t ".to_string(),
                2 => "https://a.example.com/x www.b.io/y http://c.org".to_string(),
                _ => random_text(&mut rng, len),
            };
            let tlen = 1 + rng.below(12);
            r.title = match rng.below(6) {
                0 => String::new(),
                1 => title_case(&random_text(&mut rng, tlen)),
                2 => r.text.split(' ').take(tlen).collect::<Vec<_>>().join(" "),
                3 => format!("{} - Harbor & Signal", random_text(&mut rng, tlen)),
                4 => "  ".to_string(),
                _ => random_text(&mut rng, tlen),
            };
            r.url = match rng.below(4) {
                0 => format!("https://news.google.com/rss/articles/{i}"),
                1 => format!("https://www.Outlet{}.example.com/a/{i}?utm=1", i % 7),
                2 => format!("http://10.0.0.{}/x", i % 9),
                _ => String::new(),
            };
            r.canonical_url = if rng.below(2) == 0 {
                r.url.clone()
            } else {
                format!("https://mirror.example.org/{i}/")
            };
            r.author = ["  Mei Lin ", "ΣΟΦΙΑ", "", "user42"][rng.below(4)].to_string();
            r.community = [
                None,
                Some("Google News"),
                Some(" Pacific Ledger "),
                Some("  "),
            ][rng.below(4)]
            .map(str::to_string);
            r.metrics = Metrics {
                score: [None, Some(12), Some(-3)][rng.below(3)],
                comments: [None, Some(4)][rng.below(2)],
                likes: [None, Some(7)][rng.below(2)],
                reposts: None,
            };
            r
        })
        .collect()
}

fn corpus() -> Vec<Record> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/open_source_ai.jsonl"
    );
    let fx = Fixture::parse(&std::fs::read_to_string(path).expect("fixture")).expect("fixture");
    let mut recs = fx.records;
    recs.extend(synth::records(3000, 150, 30, 5).0);
    recs.extend(pool_records(3000));
    recs
}

/// Hashes of (raw docs, display words, gazetteer, doc metas) of the corpus.
fn hashes() -> [u64; 4] {
    let mut f = Featurizer::new();
    let (mut raw_h, mut meta_h) = (Fnv::new(), Fnv::new());
    for r in corpus() {
        let raw = f.raw(&r.title, &r.text);
        for g in &raw.tf {
            raw_h.u64(g.len() as u64);
            for &(t, c) in g {
                raw_h.u64(t as u64);
                raw_h.u64(c.to_bits() as u64);
            }
        }
        meta_h.bytes(format!("{:?}", DocMeta::from_record(&r)).as_bytes());
    }
    let mut disp_h = Fnv::new();
    for t in 0..f.display_len() as u32 {
        disp_h.bytes(f.display(t).as_bytes());
    }
    let mut gaz: Vec<&String> = f.gazetteer.iter().collect();
    gaz.sort();
    let mut gaz_h = Fnv::new();
    for w in gaz {
        gaz_h.bytes(w.as_bytes());
    }
    [raw_h.0, disp_h.0, gaz_h.0, meta_h.0]
}

#[test]
fn featurising_matches_the_original_code() {
    let got = hashes();
    let names = ["raw docs", "display words", "gazetteer", "doc metas"];
    for i in 0..4 {
        assert_eq!(got[i], GOLDEN[i], "{} changed: {got:#x?}", names[i]);
    }
}
