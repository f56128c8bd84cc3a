//! A recorded stream through the real ingest path (a replay server on
//! 127.0.0.1 answers Reddit, Bluesky and a feed): the conversation's own
//! structure — a reply, a quote-post, a link card, a megathread's comments,
//! a crosspost — and a post in Japanese join their story; a launch by the
//! same company stays its own story, the roundup joins nothing, noise stays
//! out, and the story has one independent origin.

use std::collections::HashMap;
use std::sync::Arc;

use beatdesk_core::{Beatdesk, FixedClock};
use beatdesk_types::LinkKind;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves `routes` ("METHOD /path" → body) on 127.0.0.1 only.
async fn replay(routes: HashMap<String, String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let routes: HashMap<String, String> = routes
        .into_iter()
        .map(|(k, v)| (k, v.replace("{{BASE}}", &base)))
        .collect();
    let routes = Arc::new(routes);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                let mut parts = head.split_whitespace();
                let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let path = target.split('?').next().unwrap_or("");
                let (status, body) = match routes.get(&format!("{method} {path}")) {
                    Some(b) => ("200 OK", b.clone()),
                    None => ("404 Not Found", "not here".to_string()),
                };
                let ct = if body.starts_with('<') {
                    "application/rss+xml"
                } else {
                    "application/json"
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    base
}

const DEAL: &str = "{{BASE}}/site/northwind/orrin-delta";

fn post(rkey: &str, handle: &str, at: &str, text: &str) -> Value {
    json!({
        "uri": format!("at://did:plc:{handle}/app.bsky.feed.post/{rkey}"),
        "cid": format!("bafy{rkey}"),
        "author": {"did": format!("did:plc:{handle}"), "handle": format!("{handle}.bsky.social")},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": at},
        "indexedAt": at, "likeCount": 3, "repostCount": 1, "replyCount": 0
    })
}

fn uri(handle: &str, rkey: &str) -> String {
    format!("at://did:plc:{handle}/app.bsky.feed.post/{rkey}")
}

fn bluesky() -> String {
    let mut card = post("3aaa1", "ana", "2026-11-10T10:30:00Z", "whoa");
    card["record"]["embed"] = json!({"$type": "app.bsky.embed.external", "external": {"uri": DEAL, "title": "", "description": ""}});
    card["embed"] = json!({"$type": "app.bsky.embed.external#view", "external": {"uri": DEAL, "title": "", "description": ""}});
    // A reply two deep: its parent is the quote-post, its root the card.
    let mut reply = post("3aaa2", "ben", "2026-11-10T10:45:00Z", "big if true");
    reply["record"]["reply"] = json!({"parent": {"uri": uri("cy", "3aaa3"), "cid": "x"}, "root": {"uri": uri("ana", "3aaa1"), "cid": "x"}});
    let mut quote = post(
        "3aaa3",
        "cy",
        "2026-11-10T10:40:00Z",
        "their compiler team is the whole point",
    );
    quote["record"]["embed"] = json!({"$type": "app.bsky.embed.record", "record": {"uri": uri("ana", "3aaa1"), "cid": "x"}});
    let cjk = post(
        "3aaa4",
        "dai",
        "2026-11-10T11:20:00Z",
        "OrrinがDelta Labsを約21億ドルで買収へ。コンパイラ部門が狙いか #Orrin",
    );
    let mut launch = post(
        "3aaa5",
        "eve",
        "2026-11-10T15:30:00Z",
        "Z5 laptop chip benchmarks look strong, battery life claims are bold",
    );
    launch["record"]["embed"] = json!({"$type": "app.bsky.embed.external", "external": {"uri": "{{BASE}}/site/quay/orrin-z5", "title": "", "description": ""}});
    launch["embed"] = json!({"$type": "app.bsky.embed.external#view", "external": {"uri": "{{BASE}}/site/quay/orrin-z5", "title": "", "description": ""}});
    let noise = post(
        "3aaa6",
        "fay",
        "2026-11-10T12:00:00Z",
        "Anyone benchmarked AWQ against GGUF on a single card lately? #quantization",
    );
    json!({"posts": [launch, noise, cjk, quote, reply, card]}).to_string()
}

fn t3(id: &str, title: &str, selftext: &str, url: &str, extra: Value) -> Value {
    let mut d = json!({
        "kind": "t3",
        "data": {
            "id": id, "name": format!("t3_{id}"), "subreddit": "ChipDeals", "title": title,
            "selftext": selftext, "url": url, "permalink": format!("/r/ChipDeals/comments/{id}/x/"),
            "author": "mod_mira", "created_utc": 1_794_310_000.0, "score": 40, "num_comments": 2,
            "over_18": false, "is_self": selftext.len() > 0, "stickied": false
        }
    });
    if let Value::Object(m) = extra {
        for (k, v) in m {
            d["data"][k] = v;
        }
    }
    d
}

fn reddit() -> (String, String) {
    let mega = t3(
        "mega1",
        "Megathread: Orrin Systems buying Delta Labs",
        &format!("Keep discussion here. Report: {DEAL}"),
        "https://www.reddit.com/r/ChipDeals/comments/mega1/x/",
        json!({"stickied": true, "created_utc": 1_794_308_400.0}),
    );
    let xpost = t3(
        "xp1",
        "Orrin to buy Delta Labs",
        "",
        DEAL,
        json!({"crosspost_parent": "t3_parent9", "author": "xposter", "created_utc": 1_794_309_000.0}),
    );
    let listing =
        json!({"kind": "Listing", "data": {"after": null, "children": [xpost, mega]}}).to_string();
    let comment = |id: &str, parent: &str, body: &str, replies: Value| {
        json!({"kind": "t1", "data": {
            "id": id, "name": format!("t1_{id}"), "link_id": "t3_mega1", "parent_id": parent,
            "author": format!("user_{id}"), "body": body, "subreddit": "ChipDeals",
            "permalink": format!("/r/ChipDeals/comments/mega1/x/{id}/"), "created_utc": 1_794_309_600.0,
            "score": 5, "replies": replies
        }})
    };
    let source = comment("c2", "t1_c1", "source?", json!(""));
    let top = comment(
        "c1",
        "t3_mega1",
        "Regulators will look hard at this, the compiler teams overlap",
        json!({"kind": "Listing", "data": {"children": [source]}}),
    );
    let more =
        json!({"kind": "more", "data": {"id": "c9", "parent_id": "t3_mega1", "children": ["c9"]}});
    let comments = json!([
        {"kind": "Listing", "data": {"children": [mega]}},
        {"kind": "Listing", "data": {"children": [top, more]}}
    ])
    .to_string();
    (listing, comments)
}

fn item(title: &str, link: &str, date: &str, text: &str) -> String {
    format!("<item><title>{title}</title><link>{link}</link><guid>{link}</guid><pubDate>{date}</pubDate><description><![CDATA[{text}]]></description></item>")
}

fn feed() -> String {
    let deal = "Orrin Systems agreed to buy compiler startup Delta Labs for $2.1 billion in cash, according to three people familiar with the talks, in a deal that would give the chipmaker the team behind the Delta compiler. Orrin and Delta declined to comment. The deal is expected to close in the second quarter, pending regulatory approval.";
    let items = [
        item("Exclusive: Orrin Systems to buy compiler startup Delta Labs for $2.1 billion", DEAL, "Tue, 10 Nov 2026 10:00:00 GMT", deal),
        item(
            "Orrin to acquire Delta Labs in $2.1bn compiler deal -report",
            "{{BASE}}/site/quay/orrin-delta-report",
            "Tue, 10 Nov 2026 11:00:00 GMT",
            &format!("Orrin Systems agreed to buy compiler startup Delta Labs for $2.1 billion in cash, Northwind Wire reported on Tuesday, citing three people familiar with the talks. {}", &deal[95..]),
        ),
        item(
            "Orrin Systems launches Z5 laptop chip with a bigger neural engine",
            "{{BASE}}/site/quay/orrin-z5",
            "Tue, 10 Nov 2026 15:00:00 GMT",
            "Orrin Systems launched the Z5 laptop processor on Tuesday, with a neural engine twice the size of the Z4 and battery life the company says lasts 22 hours. Laptops with the Z5 ship in March.",
        ),
        item(
            "The Week in Chips: Orrin's Delta deal, the Z5 laptop chip, and Sable's licence",
            "{{BASE}}/site/quay/week",
            "Tue, 10 Nov 2026 20:00:00 GMT",
            "Orrin Systems agreed to buy Delta Labs for $2.1 billion. Orrin also launched the Z5 laptop processor with a bigger neural engine and 22 hours of battery life. And Tarnwell moved Sable to a community licence.",
        ),
    ];
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Quay Times</title><link>{{{{BASE}}}}/site/quay</link><description>chips</description>{}</channel></rss>", items.concat())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structure_joins_stories_and_traps_stay_apart() {
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let (listing, comments) = reddit();
    let routes = HashMap::from([
        ("GET /r/ChipDeals/new.json".to_string(), listing),
        ("GET /comments/mega1.json".to_string(), comments),
        (
            "POST /xrpc/com.atproto.server.createSession".to_string(),
            json!({"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:desk"}).to_string(),
        ),
        ("GET /xrpc/app.bsky.feed.searchPosts".to_string(), bluesky()),
        ("GET /feeds/quay.xml".to_string(), feed()),
    ]);
    let base = replay(routes).await;
    let config = format!(
        "window_days = 7\nmax_web_citations = 0\n\n[[source]]\nkind = \"reddit\"\nsubreddit = \"ChipDeals\"\nbase_url = \"{base}\"\n\n\
         [[source]]\nkind = \"bluesky\"\nquery = \"orrin\"\nhandle = \"desk.bsky.social\"\nbase_url = \"{base}\"\n\n\
         [[source]]\nkind = \"feed\"\nurl = \"{base}/feeds/quay.xml\"\n"
    );
    let now = "2026-11-10T22:00:00Z".parse().unwrap();
    let bd = Beatdesk::in_memory(Arc::new(FixedClock(now))).unwrap();
    bd.secrets()
        .set("bluesky-app-password:desk.bsky.social", "pw")
        .unwrap();
    let beat = bd.add_beat("Chips", Some(&config)).unwrap();
    let summary = bd.ingest(beat.id, true, &|_| {}).await.unwrap();
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    for s in &summary.sources {
        assert!(s.errors.is_empty(), "{}: {:?}", s.label, s.errors);
    }

    let records = bd.records("Chips").unwrap();
    let id_of = |needle: &str| {
        records
            .iter()
            .find(|r| r.external_id.ends_with(needle))
            .unwrap_or_else(|| {
                panic!(
                    "{needle} ingested: {:?}",
                    records.iter().map(|r| &r.external_id).collect::<Vec<_>>()
                )
            })
            .id
    };
    let mut story_of: HashMap<i64, i64> = HashMap::new();
    let mut origins: HashMap<i64, i64> = HashMap::new();
    for s in bd.stories("Chips").unwrap() {
        origins.insert(s.id, s.signal.independent_origins);
        for r in bd.story_records(s.id).unwrap() {
            story_of.insert(r.record.id, s.id);
        }
    }
    let deal = story_of[&id_of("orrin-delta")];
    for (what, needle) in [
        ("the credited copy", "orrin-delta-report"),
        ("a link card", "/3aaa1"),
        ("a reply to it", "/3aaa2"),
        ("a quote-post of it", "/3aaa3"),
        ("a post in Japanese", "/3aaa4"),
        ("the megathread", "t3_mega1"),
        ("a megathread comment", "t1_c1"),
        ("a reply under that comment", "t1_c2"),
        ("a crosspost", "t3_xp1"),
    ] {
        assert_eq!(
            story_of.get(&id_of(needle)),
            Some(&deal),
            "{what} ({needle}) joins the deal story"
        );
    }
    let launch = story_of[&id_of("orrin-z5")];
    assert_ne!(launch, deal, "same company, different event");
    assert_eq!(
        story_of.get(&id_of("/3aaa5")),
        Some(&launch),
        "a post linking the launch"
    );
    assert!(
        story_of
            .get(&id_of("/week"))
            .is_none_or(|s| *s != deal && *s != launch),
        "the roundup joins neither"
    );
    assert!(
        story_of
            .get(&id_of("/3aaa6"))
            .is_none_or(|s| *s != deal && *s != launch),
        "noise stays out"
    );
    assert_eq!(origins[&deal], 1, "the copy credits Northwind: one origin");

    // The relations are stored as the platforms stated them.
    let links = bd
        .store()
        .read(|c| beatdesk_store::links::for_beat(c, beat.id))
        .unwrap();
    for kind in [
        LinkKind::ReplyTo,
        LinkKind::ThreadRoot,
        LinkKind::Quotes,
        LinkKind::LinksTo,
        LinkKind::CommentOn,
        LinkKind::CrosspostOf,
    ] {
        assert!(
            links.iter().any(|l| l.kind == kind),
            "{kind:?} stored: {links:?}"
        );
    }
    let c2 = id_of("t1_c2");
    assert!(
        links.iter().any(|l| l.record_id == c2
            && l.kind == LinkKind::ReplyTo
            && l.target_record_id == Some(id_of("t1_c1"))),
        "a comment's reply resolves to the comment"
    );
}
