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
    d.sign_off(id, "Ana Ruiz", Some("correction")).unwrap();
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
    format!(
        "{prefix} {}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    )
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
    // WordPress stores `&` as `&amp;`, so search by the unique number alone.
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
    let CoreError::Cms(beatdesk_cms::CmsError::Rejected {
        field,
        detail,
        status,
        ..
    }) = &err
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

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
