//! Stable stand-in for the cargo-fuzz targets in `fuzz/` (which need
//! nightly): the feed, Reddit listing, Bluesky page and web page parsers run
//! over a few thousand deterministic pseudo-random mutations of the recorded
//! fixtures, byte-level (flips, cuts, splices of awkward tokens) and, for the
//! JSON ones, value-level (every field swapped for another type or an extreme
//! value). Errors are fine; a panic fails the test.

use beatdesk_ingest::sources::{bluesky, feed, reddit};
use chrono::{DateTime, Utc};
use serde_json::Value;

fn now() -> DateTime<Utc> {
    "2026-11-12T12:00:00Z".parse().unwrap()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that tend to hit the edges of JSON, XML, HTML and URL handling.
const TOKENS: &[&str] = &[
    "\"",
    "\\",
    "\\u0000",
    "\\ud800",
    "\\udc00x",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "1e309",
    "-1e309",
    "-9223372036854775809",
    "18446744073709551616",
    "0.0000001",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&#99999999999;",
    "&lt;",
    "&",
    "<",
    ">",
    "</",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml",
    "<rss version=\"2.0\">",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "<entry>",
    "<item>",
    "xml:base=\"../x/\"",
    "href=\"",
    "http://",
    "https://[::1",
    "https://a:b@",
    "%",
    "%zz",
    "?utm_source=x&",
    "#",
    "é",
    "\u{200b}",
    "🦀",
    "\u{feff}",
    "\r\n",
    "\t",
    " ",
    "http://x.com/a?b=c",
    "t3_",
    "at://",
    "at://did:plc:x/app.bsky.feed.post/",
    "byteStart",
    "\"byteEnd\":99999",
    "\"created_utc\":",
    "\"createdAt\":\"",
    "2026-13-45T99:99:99Z",
];

fn mutate_bytes(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(6) {
        let len = b.len();
        match rng.below(7) {
            0 => {
                // Flip a byte (may break UTF-8).
                if len > 0 {
                    let i = rng.below(len);
                    b[i] ^= 1 << rng.below(8);
                }
            }
            1 => b.truncate(rng.below(len + 1)),
            2 => {
                // Delete a range.
                let i = rng.below(len + 1);
                let j = (i + rng.below(64)).min(len);
                b.drain(i..j);
            }
            3 | 4 => {
                // Splice a token in.
                let i = rng.below(len + 1);
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                b.splice(i..i, t.iter().copied());
            }
            5 => {
                // Duplicate a range somewhere else.
                let i = rng.below(len + 1);
                let j = (i + rng.below(256)).min(len);
                let chunk = b[i..j].to_vec();
                let k = rng.below(len + 1);
                b.splice(k..k, chunk);
            }
            _ => {
                // A random byte.
                let i = rng.below(len + 1);
                b.insert(i, rng.next() as u8);
            }
        }
    }
    b
}

fn odd_value(rng: &mut Rng) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => Value::Bool(rng.next() & 1 == 1),
        2 => serde_json::json!(f64::MAX),
        3 => serde_json::json!(-1.0e300),
        4 => serde_json::json!(i64::MIN),
        5 => serde_json::json!(u64::MAX),
        6 => serde_json::json!(0.5),
        7 => Value::String(String::new()),
        8 => Value::String(TOKENS[rng.below(TOKENS.len())].repeat(1 + rng.below(40))),
        9 => Value::String("é🦀\u{0}".repeat(rng.below(5))),
        10 => serde_json::json!([]),
        11 => serde_json::json!({}),
        12 => {
            serde_json::json!([{"index": {"byteStart": rng.below(200), "byteEnd": rng.below(200)},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/a"}]}])
        }
        _ => Value::String("[deleted]".into()),
    }
}

/// Replaces a few values anywhere in the tree (keys kept, so parsers see known fields with odd contents).
fn mutate_value(rng: &mut Rng, v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (_, x) in m.iter_mut() {
                if rng.below(12) == 0 {
                    *x = odd_value(rng);
                } else {
                    mutate_value(rng, x);
                }
            }
        }
        Value::Array(a) => {
            if rng.below(10) == 0 && !a.is_empty() {
                let i = rng.below(a.len());
                let dup = a[i].clone();
                a.push(dup);
            }
            for x in a.iter_mut() {
                mutate_value(rng, x);
            }
        }
        _ => {
            if rng.below(6) == 0 {
                *v = odd_value(rng);
            }
        }
    }
}

fn fixture(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    // Fixtures may hold {{BASE}} for the replay server: give it a real origin.
    String::from_utf8(std::fs::read(p).unwrap())
        .unwrap()
        .replace("{{BASE}}", "http://127.0.0.1:9")
        .into_bytes()
}

fn run(name: &str, seeds: &[Vec<u8>], n: usize, json: bool, parse: impl Fn(&[u8])) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ name.len() as u64);
    for seed in seeds {
        parse(seed);
    }
    for i in 0..n {
        let seed = &seeds[i % seeds.len()];
        let input = if json && i % 2 == 0 {
            let mut v: Value = serde_json::from_slice(seed).unwrap();
            mutate_value(&mut rng, &mut v);
            serde_json::to_vec(&v).unwrap()
        } else {
            mutate_bytes(&mut rng, seed)
        };
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(&input)));
        if caught.is_err() {
            let path = std::env::temp_dir().join(format!("beatdesk-{name}-crash-{i}"));
            std::fs::write(&path, &input).unwrap();
            panic!(
                "{name}: mutation {i} panicked; input saved to {}",
                path.display()
            );
        }
    }
}

#[test]
fn reddit_listing_parser_survives_mutations() {
    let seeds = vec![
        fixture("reddit/new_page1.json"),
        fixture("reddit/new_page2.json"),
    ];
    run("reddit", &seeds, 3000, true, |b| {
        let _ = reddit::parse_listing(b, now());
    });
}

#[test]
fn bluesky_page_parser_survives_mutations() {
    let seeds = vec![
        fixture("bluesky/search_page1.json"),
        fixture("bluesky/search_page2.json"),
        fixture("bluesky/author_feed.json"),
    ];
    run("bluesky", &seeds, 3000, true, |b| {
        let _ = bluesky::parse_page(b, now());
    });
}

#[test]
fn feed_parser_survives_mutations() {
    let seeds = vec![
        fixture("feeds/atom.xml"),
        fixture("feeds/gnews.xml"),
        fixture("feeds/ledger.xml"),
    ];
    run("feed", &seeds, 3000, false, |b| {
        let _ = feed::parse_feed(b, "https://example.com/news/feed.xml", now());
    });
}

#[test]
fn web_page_extractor_survives_mutations() {
    let seeds = vec![
        fixture("pages/chip-export-rules.html"),
        fixture("pages/open-weights.html"),
        fixture("pages/packaging.html"),
    ];
    run("web", &seeds, 600, false, |b| {
        let html = String::from_utf8_lossy(b);
        let _ = beatdesk_ingest::extract::extract(&html, "https://example.com/2026/11/story");
    });
}

/// The first find: feed-rs 3.0 slices `news@example.com🦀` off a char boundary.
#[test]
fn feed_with_an_author_email_followed_by_non_ascii_is_an_error_not_a_panic() {
    let rss = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>\
        <item><title>A</title><link>https://example.com/a</link>\
        <author>news@example.com🦀</author></item></channel></rss>";
    let out = feed::parse_feed(rss.as_bytes(), "https://example.com/feed.xml", now());
    let err = out.unwrap_err().to_string();
    assert!(err.contains("feed-rs panicked"), "{err}");
}
