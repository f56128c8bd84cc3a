//! Reddit listing pages (`/new.json`, `/search.json`) through `parse_listing`,
//! as the ingest job's parser thread runs it (`listing_page`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = chrono::DateTime::from_timestamp(1_794_484_800, 0).unwrap();
    let _ = beatdesk_ingest::sources::reddit::listing_page(data.to_vec(), now).parse();
});
