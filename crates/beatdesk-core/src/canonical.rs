//! Canonical URLs, so copies of one article collapse into one record. Import
//! and ingest share one function (`beatdesk_ingest::normalize::canonical_url`),
//! so a record imported and the same article ingested meet as one.

pub use beatdesk_ingest::normalize::canonical_url;

#[cfg(test)]
mod tests {
    use super::canonical_url;

    #[test]
    fn tracking_www_amp_and_slashes_collapse() {
        let want = "https://news.example.com/2026/11/deepseek-round";
        for u in [
            "https://www.news.example.com/2026/11/deepseek-round/",
            "http://news.example.com/2026/11/deepseek-round?utm_source=bsky&utm_medium=social",
            "https://News.Example.com/2026/11/deepseek-round/amp/#comments",
            "https://amp.news.example.com/2026/11/deepseek-round?fbclid=abc",
            "https://m.news.example.com/2026/11/deepseek-round",
            "https://mobile.news.example.com/2026/11/deepseek-round/",
        ] {
            assert_eq!(canonical_url(u), want, "{u}");
        }
    }

    #[test]
    fn amp_html_pages_are_the_article() {
        assert_eq!(
            canonical_url("https://www.example.com/2026/11/story/amp.html"),
            canonical_url("https://example.com/2026/11/story.html")
        );
    }

    #[test]
    fn meaningful_query_parameters_stay() {
        assert_eq!(
            canonical_url("https://blog.example.org/?p=123&utm_campaign=x"),
            "https://blog.example.org?p=123"
        );
    }
}
