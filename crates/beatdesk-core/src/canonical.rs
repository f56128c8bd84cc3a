//! Canonical URLs, so copies of one article collapse into one record.

/// Lowercases scheme and host, drops `www.`, the fragment, tracking
/// parameters (utm_*, fbclid, gclid, ref…), AMP suffixes and a trailing slash.
pub fn canonical_url(url: &str) -> String {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let rest = rest.split('#').next().unwrap_or("");
    let (host_path, query) = match rest.split_once('?') {
        Some((hp, q)) => (hp, Some(q)),
        None => (rest, None),
    };
    let (host, path) = match host_path.find('/') {
        Some(i) => (&host_path[..i], &host_path[i..]),
        None => (host_path, ""),
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let host = host.strip_prefix("amp.").unwrap_or(host);
    let mut path = path.to_string();
    for suffix in ["/amp/", "/amp", ".amp"] {
        if path.ends_with(suffix) {
            path.truncate(path.len() - suffix.len());
        }
    }
    while path.ends_with('/') {
        path.pop();
    }
    let kept: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty())
        .filter(|kv| {
            let k = kv.split('=').next().unwrap_or("").to_ascii_lowercase();
            !(k.starts_with("utm_")
                || matches!(
                    k.as_str(),
                    "fbclid"
                        | "gclid"
                        | "dclid"
                        | "mc_cid"
                        | "mc_eid"
                        | "ref"
                        | "ref_src"
                        | "cmpid"
                        | "smid"
                        | "amp"
                        | "outputtype"
                ))
        })
        .collect();
    let scheme = scheme.to_ascii_lowercase();
    let scheme = if scheme == "http" {
        "https"
    } else {
        scheme.as_str()
    };
    let mut out = format!("{scheme}://{host}{path}");
    if !kept.is_empty() {
        let mut kept = kept;
        kept.sort_unstable();
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    out
}

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
        ] {
            assert_eq!(canonical_url(u), want, "{u}");
        }
    }

    #[test]
    fn meaningful_query_parameters_stay() {
        assert_eq!(
            canonical_url("https://blog.example.org/?p=123&utm_campaign=x"),
            "https://blog.example.org?p=123"
        );
    }
}
