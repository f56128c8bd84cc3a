//! Bluesky searchPosts / getAuthorFeed answers through `parse_page` (facets
//! by UTF-8 byte offsets, embeds, labels, dates).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = chrono::DateTime::from_timestamp(1_794_484_800, 0).unwrap();
    let _ = beatdesk_ingest::sources::bluesky::parse_page(data, now);
});
