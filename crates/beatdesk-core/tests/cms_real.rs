//! Export against the real WordPress 6.1 and Ghost 5.130.6 that
//! `tests/cms/run.sh` starts on loopback. Ignored by a plain `cargo test`
//! (no servers there); run.sh runs them with `--ignored`, and then a missing
//! server is a failure, not a skip.

mod support;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use beatdesk_core::{Beatdesk, CoreError, DocumentEdit, ExportOptions, NewTarget, RetryPolicy};
use serde_json::{json, Value};
use support::*;

fn wp() -> (String, String, String) {
    (
        required("BEATDESK_TEST_WP_URL"),
        required("BEATDESK_TEST_WP_USER"),
        required("BEATDESK_TEST_WP_APP_PASSWORD"),
    )
}

fn ghost() -> (String, String) {
    (
        required("BEATDESK_TEST_GHOST_URL"),
        required("BEATDESK_TEST_GHOST_ADMIN_KEY"),
    )
}

fn add(d: &Beatdesk, name: &str, kind: &str, url: &str, user: Option<&str>, secret: &str) {
    d.add_target(
        &NewTarget {
            name: name.into(),
            kind: kind.into(),
            url: url.into(),
            user: user.map(str::to_string),
        },
        Some(secret),
        "test",
    )
    .unwrap();
}

fn opts(status: Option<&str>, tags: &[&str]) -> ExportOptions {
    ExportOptions {
        status: status.map(str::to_string),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        categories: vec![],
        policy: Some(quick_policy()),
    }
}

fn correct(d: &Beatdesk, id: i64, headline: &str) {
    let draft = d.latest_draft(id).unwrap();
    let mut doc = draft.document.clone();
    doc.headline = headline.to_string();
    d.save_document(
        id,
        &DocumentEdit {
            document: doc,
            base_revision: draft.revision,
            editor: "Ana Ruiz".into(),
        },
    )
    .unwrap();
    // The test headline carries a run marker no record has: verification
    // rightly flags it, so the editor signs over it with a reason.
    sign_over(
        &d,
        id,
        Some("correction"),
        Some("run marker in the test headline"),
    );
}

fn marker(d: &Beatdesk, story_id: i64) -> String {
    let install = d
        .store()
        .read(|c| beatdesk_store::settings::get(c, "install_id"))
        .unwrap()
        .expect("set by the first export");
    format!("{install}-s{story_id}")
}

fn addr_of(url: &str) -> SocketAddr {
    let u = url::Url::parse(url).unwrap();
    format!("{}:{}", u.host_str().unwrap(), u.port().unwrap())
        .parse()
        .unwrap()
}

/// A unique word so parallel tests and reruns on the same server never collide.
fn unique(prefix: &str) -> String {
    // Letters, not digits: Verify refuses a signed headline with a number no record states.
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000;
    let word: String = n
        .to_string()
        .bytes()
        .map(|b| (b'a' + (b - b'0')) as char)
        .collect();
    format!("{prefix} {word}")
}

// ----- WordPress -----

async fn wp_get(path_and_query: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let (url, user, pw) = wp();
    let r = reqwest::Client::new()
        .get(format!(
            "{}/wp-json/{path_and_query}",
            url.trim_end_matches('/')
        ))
        .basic_auth(user, Some(pw.replace(' ', "")))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap_or(Value::Null), headers)
}

/// Posts carrying the story's marker, in any status.
async fn wp_posts_with(marker: &str) -> Vec<Value> {
    let (_, v, _) = wp_get(&format!(
        "wp/v2/posts?search={marker}&status=publish,future,draft,pending,private&context=edit"
    ))
    .await;
    v.as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real WordPress: tests/cms/run.sh"]
async fn wordpress_create_update_unchanged_and_history() {
    let (url, user, pw) = wp();
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(&d, "wp", "wordpress", &url, Some(&user), &pw);
    assert!(d
        .check_target("wp")
        .await
        .unwrap()
        .contains(&format!("signed in to WordPress as {user}")));

    let created = d
        .export_to_target(id, "wp", &opts(Some("draft"), &[]), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(
        (created.action.as_str(), created.status.as_str()),
        ("create", "draft")
    );
    let remote = created.remote_id.clone().unwrap();
    let (_, post, _) = wp_get(&format!("wp/v2/posts/{remote}?context=edit")).await;
    let draft = d.latest_draft(id).unwrap();
    assert_eq!(post["title"]["raw"], draft.document.headline.as_str());
    assert_eq!(post["excerpt"]["raw"], draft.document.dek.as_str());
    assert!(post["content"]["raw"]
        .as_str()
        .unwrap()
        .contains(&marker(&d, id)));
    assert!(
        post["content"]["raw"].as_str().unwrap().contains("<p>"),
        "the rendered HTML body"
    );

    let same = d
        .export_to_target(id, "wp", &opts(Some("draft"), &[]), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(
        (same.action.as_str(), same.remote_id.as_deref()),
        ("none", Some(remote.as_str()))
    );

    // A correction after export goes to the same post.
    let headline = unique("Corrected:");
    correct(&d, id, &headline);
    let plan = d
        .plan_export(id, "wp", &opts(Some("publish"), &[]))
        .unwrap();
    assert_eq!(
        (
            plan.action.as_str(),
            plan.event.as_str(),
            plan.remote_id.as_deref()
        ),
        ("update", "corrected", Some(remote.as_str()))
    );
    let updated = d
        .export_to_target(id, "wp", &opts(Some("publish"), &[]), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(
        (
            updated.action.as_str(),
            updated.remote_id.as_deref(),
            updated.status.as_str()
        ),
        ("update", Some(remote.as_str()), "publish")
    );
    let (_, post, _) = wp_get(&format!("wp/v2/posts/{remote}?context=edit")).await;
    assert_eq!(post["title"]["raw"], headline.as_str());
    assert_eq!(post["status"], "publish");
    assert_eq!(
        wp_posts_with(&marker(&d, id)).await.len(),
        1,
        "one post, never a second"
    );

    let history = d.target_exports(id).unwrap();
    let actions: Vec<(&str, i64)> = history
        .iter()
        .map(|e| (e.action.as_str(), e.revision))
        .collect();
    assert_eq!(actions, [("update", 2), ("none", 1), ("create", 1)]);
    assert!(history
        .iter()
        .all(|e| e.actor == "Ana Ruiz" && e.remote_id.as_deref() == Some(remote.as_str())));
    let audit = d.audit(Some(id)).unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "export").count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real WordPress: tests/cms/run.sh"]
async fn wordpress_tags_and_categories_by_name_are_reused() {
    let (url, user, pw) = wp();
    let d = desk();
    let ids = signed_stories(&d, 2);
    add(&d, "wp", "wordpress", &url, Some(&user), &pw);
    let tag = unique("Open & AI");
    let cat = unique("Desk");
    let mut o = opts(None, &[&tag, "beatdesk"]);
    o.categories = vec![cat.clone()];
    for id in &ids {
        d.export_to_target(*id, "wp", &o, "x").await.unwrap();
    }
    // WordPress stores `&` as `&amp;`, so search by the unique word alone.
    let number = tag.rsplit(' ').next().unwrap();
    let (_, tags, _) = wp_get(&format!(
        "wp/v2/tags?search={}&per_page=100",
        urlencode(number)
    ))
    .await;
    let matching: Vec<&Value> = tags
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"].as_str().map(|n| n.replace("&amp;", "&")) == Some(tag.clone()))
        .collect();
    assert_eq!(matching.len(), 1, "one tag, made once and reused: {tags}");
    let tag_id = matching[0]["id"].as_i64().unwrap();
    for id in &ids {
        let remote = d.target_exports(*id).unwrap()[0].remote_id.clone().unwrap();
        let (_, post, _) = wp_get(&format!("wp/v2/posts/{remote}?context=edit")).await;
        assert!(post["tags"].as_array().unwrap().contains(&json!(tag_id)));
        assert_eq!(post["categories"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real WordPress: tests/cms/run.sh"]
async fn wordpress_wrong_password_and_invalid_status_are_explained() {
    let (url, user, _) = wp();
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(
        &d,
        "wp-bad",
        "wordpress",
        &url,
        Some(&user),
        "aaaa bbbb cccc dddd eeee ffff",
    );
    let err = d.check_target("wp-bad").await.unwrap_err();
    assert_eq!(err.code(), "target_auth");
    let msg = err.to_string();
    assert!(
        msg.contains("application password")
            && msg.contains("most likely wrong")
            && msg.contains("strips the Authorization header"),
        "{msg}"
    );
    let err = d
        .export_to_target(id, "wp-bad", &opts(None, &[]), "x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("401 rest_cannot_create"), "{err}");
    assert_eq!(d.target_exports(id).unwrap()[0].action, "failed");

    let (url, user, pw) = wp();
    add(&d, "wp", "wordpress", &url, Some(&user), &pw);
    let err = d
        .export_to_target(id, "wp", &opts(Some("bogus"), &[]), "x")
        .await
        .unwrap_err();
    let beatdesk_cms::CmsError::Rejected {
        field,
        detail,
        status,
        ..
    } = cms(&err)
    else {
        panic!("{err:?}")
    };
    assert_eq!((field.as_deref(), *status), (Some("status"), 400));
    assert!(
        detail.contains("publish, future, draft, pending"),
        "{detail}"
    );
    assert_eq!(
        wp_posts_with(&marker(&d, id)).await.len(),
        0,
        "nothing was posted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real WordPress: tests/cms/run.sh"]
async fn wordpress_lost_reply_is_recovered_without_a_duplicate() {
    let (url, user, pw) = wp();
    let proxy = SwallowProxy::start(addr_of(&url), 1).await;
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(
        &d,
        "wp-slow",
        "wordpress",
        &format!("http://{}", proxy.addr),
        Some(&user),
        &pw,
    );
    let policy = RetryPolicy {
        timeout: Duration::from_secs(3),
        ..quick_policy()
    };
    let o = ExportOptions {
        policy: Some(policy),
        ..Default::default()
    };
    let out = d.export_to_target(id, "wp-slow", &o, "x").await.unwrap();
    assert_eq!(
        proxy.swallowed.load(Ordering::SeqCst),
        1,
        "the create's reply was lost"
    );
    assert!(out.recovered, "{out:?}");
    assert_eq!(out.action, "create");
    let posts = wp_posts_with(&marker(&d, id)).await;
    assert_eq!(
        posts.len(),
        1,
        "WordPress holds exactly one post for the story"
    );
    assert_eq!(posts[0]["id"].to_string(), out.remote_id.unwrap());
}

// ----- Ghost -----

/// Another Admin API client (the night desk), with its own token.
async fn ghost_call(method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let (url, key) = ghost();
    let (id, secret) = beatdesk_cms::ghost::parse_key("test", &key).unwrap();
    let token = beatdesk_cms::ghost::jwt(&id, &secret, chrono::Utc::now().timestamp());
    let mut req = reqwest::Client::new()
        .request(
            method,
            format!("{}/ghost/api/admin/{path}", url.trim_end_matches('/')),
        )
        .header("Authorization", format!("Ghost {token}"))
        .header("Accept-Version", "v5.0");
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn ghost_posts_with(marker: &str) -> Vec<Value> {
    let (status, v) = ghost_call(
        reqwest::Method::GET,
        &format!("posts/?filter=tag:hash-beatdesk-{marker}&limit=all"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    v["posts"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real Ghost: tests/cms/run.sh"]
async fn ghost_create_update_unchanged_and_tags_by_name() {
    let (url, key) = ghost();
    let d = desk();
    let ids = signed_stories(&d, 2);
    add(&d, "ghost", "ghost", &url, None, &key);
    assert!(d
        .check_target("ghost")
        .await
        .unwrap()
        .contains("Ghost accepted the Admin API key"));

    let tag = unique("Open source AI");
    let created = d
        .export_to_target(ids[0], "ghost", &opts(Some("draft"), &[&tag]), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(
        (created.action.as_str(), created.status.as_str()),
        ("create", "draft")
    );
    let remote = created.remote_id.clone().unwrap();
    let (_, v) = ghost_call(
        reqwest::Method::GET,
        &format!("posts/{remote}/?formats=html&include=tags"),
        None,
    )
    .await;
    let post = &v["posts"][0];
    let draft = d.latest_draft(ids[0]).unwrap();
    assert_eq!(post["title"], draft.document.headline.as_str());
    assert_eq!(
        post["custom_excerpt"],
        draft
            .document
            .dek
            .chars()
            .take(300)
            .collect::<String>()
            .as_str()
    );
    assert!(post["html"].as_str().unwrap().contains("<p>"));
    let names: Vec<&str> = post["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&tag.as_str()), "{names:?}");

    let same = d
        .export_to_target(ids[0], "ghost", &opts(Some("draft"), &[&tag]), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(same.action, "none");

    // Ghost's updated_at has one-second resolution: let the clock move (cms-servers.md G11).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let headline = unique("Corrected:");
    correct(&d, ids[0], &headline);
    let updated = d
        .export_to_target(ids[0], "ghost", &opts(Some("publish"), &[&tag]), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(
        (
            updated.action.as_str(),
            updated.remote_id.as_deref(),
            updated.status.as_str()
        ),
        ("update", Some(remote.as_str()), "published")
    );
    let (_, v) = ghost_call(reqwest::Method::GET, &format!("posts/{remote}/"), None).await;
    assert_eq!(v["posts"][0]["title"], headline.as_str());
    assert_eq!(
        ghost_posts_with(&marker(&d, ids[0])).await.len(),
        1,
        "one post, never a second"
    );

    // A second story with the same tag name reuses the tag.
    d.export_to_target(ids[1], "ghost", &opts(None, &[&tag]), "Ana Ruiz")
        .await
        .unwrap();
    let filter = url::form_urlencoded::byte_serialize(format!("name:'{tag}'").as_bytes())
        .collect::<String>();
    let (_, tags) = ghost_call(
        reqwest::Method::GET,
        &format!("tags/?filter={filter}&limit=all"),
        None,
    )
    .await;
    assert_eq!(
        tags["tags"].as_array().unwrap().len(),
        1,
        "one tag for both posts: {tags}"
    );
    let history = d.target_exports(ids[0]).unwrap();
    assert_eq!(
        history
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["update", "none", "create"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real Ghost: tests/cms/run.sh"]
async fn ghost_collision_is_shown_and_never_overwritten() {
    let (url, key) = ghost();
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(&d, "ghost", "ghost", &url, None, &key);
    let created = d
        .export_to_target(id, "ghost", &opts(None, &[]), "Ana Ruiz")
        .await
        .unwrap();
    let remote = created.remote_id.unwrap();

    // Another client edits the post in Ghost in between.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, v) = ghost_call(reqwest::Method::GET, &format!("posts/{remote}/"), None).await;
    let theirs = unique("Night desk headline");
    let (status, _) = ghost_call(
        reqwest::Method::PUT,
        &format!("posts/{remote}/"),
        Some(json!({ "posts": [{ "title": theirs, "updated_at": v["posts"][0]["updated_at"] }] })),
    )
    .await;
    assert_eq!(status, 200);

    correct(&d, id, &unique("Our correction"));
    let err = d
        .export_to_target(id, "ghost", &opts(None, &[]), "Ana Ruiz")
        .await
        .unwrap_err();
    let CoreError::Cms(boxed) = &err else {
        panic!("{err:?}")
    };
    let beatdesk_cms::CmsError::Collision { changed_fields, .. } = boxed.as_ref() else {
        panic!("{err:?}")
    };
    assert!(
        changed_fields.contains(&"title".to_string()),
        "{changed_fields:?}"
    );
    assert!(
        err.to_string().contains("someone else changed the post")
            && err.to_string().contains("nothing was overwritten"),
        "{err}"
    );
    let (_, v) = ghost_call(reqwest::Method::GET, &format!("posts/{remote}/"), None).await;
    assert_eq!(v["posts"][0]["title"], theirs.as_str(), "their edit stands");
    let last = &d.target_exports(id).unwrap()[0];
    assert_eq!(
        (last.action.as_str(), last.remote_id.as_deref()),
        ("failed", Some(remote.as_str()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real Ghost: tests/cms/run.sh"]
async fn ghost_wrong_keys_and_invalid_status_are_explained() {
    let (url, key) = ghost();
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    let (kid, _) = key.split_once(':').unwrap();
    // The right key id with another secret: Ghost says the signature is invalid.
    add(
        &d,
        "ghost-bad-secret",
        "ghost",
        &url,
        None,
        &format!("{kid}:{}", "ab".repeat(32)),
    );
    let err = d.check_target("ghost-bad-secret").await.unwrap_err();
    assert_eq!(err.code(), "target_auth");
    assert!(
        err.to_string().contains("INVALID_JWT") && err.to_string().contains("secret is wrong"),
        "{err}"
    );
    // A key Ghost never issued.
    add(
        &d,
        "ghost-unknown",
        "ghost",
        &url,
        None,
        &format!("{}:{}", "0123456789abcdef01234567", "ab".repeat(32)),
    );
    let err = d
        .export_to_target(id, "ghost-unknown", &opts(None, &[]), "x")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("UNKNOWN_ADMIN_API_KEY")
            && err.to_string().contains("Settings → Integrations"),
        "{err}"
    );

    add(&d, "ghost", "ghost", &url, None, &key);
    let err = d
        .export_to_target(id, "ghost", &opts(Some("bogus"), &[]), "x")
        .await
        .unwrap_err();
    let beatdesk_cms::CmsError::Rejected {
        field,
        detail,
        status,
        ..
    } = cms(&err)
    else {
        panic!("{err:?}")
    };
    assert_eq!((field.as_deref(), *status), (Some("status"), 422));
    assert!(
        detail.contains("Validation failed for status") && detail.contains("published"),
        "{detail}"
    );
    assert!(
        ghost_posts_with(&marker(&d, id)).await.is_empty(),
        "nothing was posted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real Ghost: tests/cms/run.sh"]
async fn ghost_lost_reply_is_recovered_without_a_duplicate() {
    let (url, key) = ghost();
    let proxy = SwallowProxy::start(addr_of(&url), 1).await;
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(
        &d,
        "ghost-slow",
        "ghost",
        &format!("http://{}", proxy.addr),
        None,
        &key,
    );
    let policy = RetryPolicy {
        timeout: Duration::from_secs(4),
        ..quick_policy()
    };
    let out = d
        .export_to_target(
            id,
            "ghost-slow",
            &ExportOptions {
                policy: Some(policy),
                ..Default::default()
            },
            "x",
        )
        .await
        .unwrap();
    assert_eq!(
        proxy.swallowed.load(Ordering::SeqCst),
        1,
        "the create's reply was lost"
    );
    assert!(out.recovered && out.action == "create", "{out:?}");
    let posts = ghost_posts_with(&marker(&d, id)).await;
    assert_eq!(posts.len(), 1, "Ghost holds exactly one post for the story");
    assert_eq!(posts[0]["id"].as_str(), out.remote_id.as_deref());
    // The recovered post takes updates like any other.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    correct(&d, id, &unique("After recovery"));
    let upd = d
        .export_to_target(id, "ghost-slow", &opts(None, &[]), "x")
        .await
        .unwrap();
    assert_eq!(upd.action, "update");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real Ghost: tests/cms/run.sh"]
async fn ghost_reaches_nothing_beyond_loopback() {
    // Publishing a post with outside links makes Ghost look for webmention
    // endpoints; the preloaded guard must stop every one inside the process.
    let (url, key) = ghost();
    let guard_log = required("BEATDESK_TEST_GHOST_GUARD_LOG");
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(&d, "ghost", "ghost", &url, None, &key);
    let html = d
        .plan_export(id, "ghost", &opts(Some("publish"), &[]))
        .unwrap()
        .body_html;
    assert!(
        html.contains("href=\"https://"),
        "the story links to its sources"
    );
    d.export_to_target(id, "ghost", &opts(Some("publish"), &[]), "x")
        .await
        .unwrap();
    let mut blocked = String::new();
    for _ in 0..40 {
        blocked = std::fs::read_to_string(&guard_log).unwrap_or_default();
        if blocked.contains("blocked lookup") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        blocked.contains("blocked lookup"),
        "Ghost tried no outside host, or the guard did not log it: {blocked:?}"
    );
    let log = std::fs::read_to_string(required("BEATDESK_TEST_GHOST_LOG")).unwrap();
    assert!(
        !log.contains("Sent webmention"),
        "no webmention left the machine"
    );
}

fn cms(err: &CoreError) -> &beatdesk_cms::CmsError {
    match err {
        CoreError::Cms(e) => e,
        other => panic!("not a target error: {other:?}"),
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
