//! RSS 2.0 / Atom / Google News bodies through `parse_feed`. Errors are fine;
//! panics are findings.
//!
//! feed-rs 3.0 has a known panic (an author field like `a@b.c🦀` sliced off a
//! char boundary) which `parse_feed` catches and reports as a parse error.
//! libFuzzer's panic hook aborts on every panic, caught or not, so this target
//! lets panics raised inside feed-rs's own code through to `parse_feed`'s
//! catch and aborts on any other.
#![no_main]

use std::sync::Once;

use libfuzzer_sys::fuzz_target;

static HOOK: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_feed_rs = info
                .location()
                .is_some_and(|l| l.file().contains("feed-rs-"));
            if !in_feed_rs {
                fuzzer_hook(info);
            }
        }));
    });
    let now = chrono::DateTime::from_timestamp(1_794_484_800, 0).unwrap();
    let _ = beatdesk_ingest::sources::feed::parse_feed(data, "https://example.com/news/feed.xml", now);
});
