//! Article pages through the web-citation extractor (readability + promo filter).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let _ = beatdesk_ingest::extract::extract(&html, "https://example.com/2026/11/story");
});
