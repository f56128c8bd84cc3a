//! Export to targets without the real CMSs: a Standard Webhooks receiver, a
//! stand-in WordPress replaying the real server's formats for retry paths,
//! sign-off rules, dry runs and ninjs files. The real WordPress and Ghost are
//! in `cms_real.rs`.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use beatdesk_cms::webhook::Receiver;
use beatdesk_core::{Beatdesk, CoreError, DocumentEdit, ExportOptions, NewTarget, RetryPolicy};
use serde_json::{json, Value};
use support::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!(
        "../../beatdesk-cms/schema/ninjs-schema_2.2.json"
    ))
    .unwrap();
    // The schema's one external reference (GeoJSON, for places) is never fetched.
    let geojson = jsonschema::Resource::from_contents(
        json!({ "$schema": "https://json-schema.org/draft/2020-12/schema" }),
    )
    .unwrap();
    jsonschema::draft202012::options()
        .with_resource("https://geojson.org/schema/GeoJSON.json", geojson)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid(doc: &Value) {
    let v = validator();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "ninjs invalid: {errors:#?}");
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

fn opts() -> ExportOptions {
    ExportOptions {
        policy: Some(quick_policy()),
        ..Default::default()
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_deliveries_are_signed_verified_and_replays_refused() {
    let rx = Arc::new(Receiver::new(SECRET).unwrap());
    let r2 = rx.clone();
    let (addr, seen) = serve(move |req| {
        let now = chrono::Utc::now().timestamp();
        match r2.verify(|n| req.header(n), &req.body, now) {
            Ok(_) => (204, "text/plain", String::new()),
            Err(beatdesk_cms::webhook::Refusal::Replay) => (409, "text/plain", "replay".into()),
            Err(e) => (401, "text/plain", format!("{e:?}")),
        }
    })
    .await;
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(
        &d,
        "wire",
        "webhook",
        &format!("http://{addr}/hooks/beatdesk"),
        None,
        SECRET,
    );

    let out = d
        .export_to_target(id, "wire", &opts(), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(
        (out.action.as_str(), out.kind.as_str()),
        ("create", "webhook")
    );
    let first = seen.lock().unwrap()[0].clone();
    assert_eq!(
        (first.method.as_str(), first.path.as_str()),
        ("POST", "/hooks/beatdesk")
    );
    let body: Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(body["type"], "story.approved");
    assert_eq!(body["data"]["event"], "approved");
    assert_eq!(body["data"]["ninjs"]["pubstatus"], "usable");
    assert_valid(&body["data"]["ninjs"]);

    // The same bytes again are a replay: the receiver refuses them.
    assert_eq!(send_raw(addr, &first.raw).await, 409);
    // Tampered bytes fail the signature.
    let tampered = String::from_utf8(first.raw.clone())
        .unwrap()
        .replace("story.approved", "story.spiked!!");
    assert_eq!(send_raw(addr, tampered.as_bytes()).await, 401);

    // Unchanged: nothing sent.
    let again = d
        .export_to_target(id, "wire", &opts(), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(again.action, "none");
    assert_eq!(
        seen.lock().unwrap().len(),
        3,
        "the delivery, the replay and the tampered copy only"
    );

    // A correction goes out as `corrected` with a new delivery id.
    correct(&d, id, "Corrected headline");
    sign(&d, id, None);
    let upd = d
        .export_to_target(id, "wire", &opts(), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(upd.action, "update");
    let last = seen.lock().unwrap().last().unwrap().clone();
    let body: Value = serde_json::from_slice(&last.body).unwrap();
    assert_eq!(body["data"]["event"], "corrected");
    assert_eq!(
        body["data"]["ninjs"]["headlines"][0]["value"],
        "Corrected headline"
    );
    assert_ne!(last.header("webhook-id"), first.header("webhook-id"));

    // Spiking after export withdraws it: a `spiked` event, ninjs `canceled`.
    // (The workflow that spikes a story is another workstream's; set the status directly.)
    d.store()
        .write(|tx| {
            beatdesk_store::stories::set_status(
                tx,
                id,
                beatdesk_types::StoryStatus::Spiked,
                chrono::Utc::now(),
            )
        })
        .unwrap();
    let spiked = d
        .export_to_target(id, "wire", &opts(), "Ana Ruiz")
        .await
        .unwrap();
    assert_eq!(
        (spiked.action.as_str(), spiked.status.as_str()),
        ("update", "spiked")
    );
    let last = seen.lock().unwrap().last().unwrap().clone();
    let body: Value = serde_json::from_slice(&last.body).unwrap();
    assert_eq!(
        (
            body["type"].as_str(),
            body["data"]["ninjs"]["pubstatus"].as_str()
        ),
        (Some("story.spiked"), Some("canceled"))
    );
    assert_valid(&body["data"]["ninjs"]);
    let other = signed_stories(&d, 2)[1];
    d.store()
        .write(|tx| {
            beatdesk_store::stories::set_status(
                tx,
                other,
                beatdesk_types::StoryStatus::Spiked,
                chrono::Utc::now(),
            )
        })
        .unwrap();
    let err = d
        .plan_export(other, "wire", &opts())
        .unwrap_err()
        .to_string();
    assert!(err.contains("spiked and was never sent"), "{err}");

    // A target with another secret is refused by the receiver, in the editor's terms.
    add(
        &d,
        "wire2",
        "webhook",
        &format!("http://{addr}/hooks/beatdesk"),
        None,
        "whsec_c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1zYW1l",
    );
    let err = d
        .export_to_target(id, "wire2", &opts(), "Ana Ruiz")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "target_auth", "{err}");
    assert!(err.to_string().contains("signing secret differs"), "{err}");
    let history = d.target_exports(id).unwrap();
    assert_eq!(history[0].action, "failed");
    assert_eq!(
        history
            .iter()
            .filter(|e| e.target == "wire")
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["update", "update", "none", "create"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_signed_revision_goes_out_and_a_dry_run_sends_nothing() {
    let (addr, seen) = serve(|_| (204, "text/plain", String::new())).await;
    let d = desk();
    let id = d.stories(beatdesk_core::DEMO_BEAT).unwrap()[0].id;
    add(
        &d,
        "wire",
        "webhook",
        &format!("http://{addr}/"),
        None,
        SECRET,
    );

    let err = d
        .export_to_target(id, "wire", &opts(), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, CoreError::Invalid(_)) && err.to_string().contains("sign it off first"),
        "{err}"
    );
    sign(&d, id, None);
    let plan = d.plan_export(id, "wire", &opts()).unwrap();
    assert_eq!(
        (
            plan.action.as_str(),
            plan.revision,
            plan.signed_off_by.as_str()
        ),
        ("create", 1, "Ana Ruiz")
    );
    assert!(plan.body_html.contains("<p>"), "the rendered body is shown");
    assert_eq!(seen.lock().unwrap().len(), 0, "a dry run sends nothing");
    assert!(
        d.target_exports(id).unwrap().is_empty(),
        "and records no attempt"
    );

    // An edit after the sign-off is not signed: refused, naming both revisions.
    correct(&d, id, "An unsigned edit");
    let err = d.plan_export(id, "wire", &opts()).unwrap_err().to_string();
    assert!(
        err.contains("revision 2 is not signed off") && err.contains("revision 1"),
        "{err}"
    );
    assert_eq!(seen.lock().unwrap().len(), 0);
}

/// The bodies below are the real WordPress 6.1's (shared/reference/cms-servers.md).
fn wp_created(id: i64, status: &str) -> String {
    json!({"id": id, "status": status, "link": format!("http://127.0.0.1/?p={id}"), "modified_gmt": "2026-12-02T03:00:00",
           "title": {"raw": "t", "rendered": "t"}, "content": {"raw": "", "rendered": "", "protected": false}, "type": "post"})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_and_failing_gateways_are_retried_then_reported_in_plain_terms() {
    let posts = Arc::new(AtomicUsize::new(0));
    let p2 = posts.clone();
    let (addr, _) = serve(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/wp-json/") => (200, "application/json", json!({"name": "desk", "namespaces": ["wp/v2"]}).to_string()),
        ("POST", "/wp-json/wp/v2/posts") => {
            if p2.fetch_add(1, Ordering::SeqCst) == 0 {
                (429, "application/json", json!({"code": "too_many_requests", "message": "slow down", "data": {"status": 429}}).to_string())
            } else {
                (201, "application/json", wp_created(41, "draft"))
            }
        }
        _ => (404, "application/json", json!({"code": "rest_no_route", "message": "No route", "data": {"status": 404}}).to_string()),
    })
    .await;
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(
        &d,
        "wp",
        "wordpress",
        &format!("http://{addr}"),
        Some("editor"),
        "abcd efgh ijkl mnop qrst uvwx",
    );
    let out = d.export_to_target(id, "wp", &opts(), "x").await.unwrap();
    assert_eq!(
        (out.action.as_str(), out.remote_id.as_deref()),
        ("create", Some("41"))
    );
    assert_eq!(posts.load(Ordering::SeqCst), 2, "one 429, then the post");

    let (addr2, seen2) = serve(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/wp-json/") => (
            200,
            "application/json",
            json!({"namespaces": ["wp/v2"]}).to_string(),
        ),
        _ => (
            502,
            "text/html",
            "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>".into(),
        ),
    })
    .await;
    add(
        &d,
        "wp-behind-proxy",
        "wordpress",
        &format!("http://{addr2}"),
        Some("editor"),
        "abcd efgh ijkl mnop qrst uvwx",
    );
    let err = d
        .export_to_target(id, "wp-behind-proxy", &opts(), "x")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "target_gateway");
    assert!(
        err.to_string()
            .contains("the gateway in front of WordPress failed (HTTP 502)"),
        "{err}"
    );
    // A 502 may hide a post that was made: before posting again the exporter
    // looks for it, and while it cannot tell, it does not post a second time.
    let seen2 = seen2.lock().unwrap();
    let posts: Vec<&str> = seen2
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(posts, ["/wp-json/wp/v2/posts"]);
    let lookups = seen2
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("search="))
        .count();
    assert_eq!(lookups, 3, "the look-up was retried by the policy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wordpress_on_plain_permalinks_is_reached_through_rest_route() {
    // Plain permalinks: /wp-json/ is the theme's 404 page; ?rest_route= works,
    // and further parameters join with `&` (cms-servers.md W11).
    let (addr, seen) = serve(|req| {
        let q = req.path.split_once('?').map(|(_, q)| q).unwrap_or("");
        match (req.method.as_str(), q) {
            (_, "") => (404, "text/html", "<html><body>Page not found</body></html>".into()),
            ("GET", "rest_route=%2F") => (200, "application/json", json!({"namespaces": ["wp/v2"]}).to_string()),
            ("GET", q) if q.starts_with("rest_route=%2Fwp%2Fv2%2Ftags&search=") => (200, "application/json", "[]".into()),
            ("POST", "rest_route=%2Fwp%2Fv2%2Ftags") => (400, "application/json", json!({"code": "term_exists", "message": "A term with the name provided already exists in this taxonomy.", "data": {"status": 400, "term_id": 2}, "additional_data": [2, 2]}).to_string()),
            ("POST", "rest_route=%2Fwp%2Fv2%2Fposts") => (201, "application/json", wp_created(9, "pending")),
            _ => (404, "application/json", json!({"code": "rest_no_route", "message": "No route was found matching the URL and request method.", "data": {"status": 404}}).to_string()),
        }
    })
    .await;
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(
        &d,
        "wp",
        "wordpress",
        &format!("http://{addr}/"),
        Some("editor"),
        "abcd efgh ijkl mnop qrst uvwx",
    );
    let o = ExportOptions {
        status: Some("pending".into()),
        tags: vec!["AI & chips".into()],
        ..opts()
    };
    let out = d.export_to_target(id, "wp", &o, "x").await.unwrap();
    assert_eq!(
        (
            out.action.as_str(),
            out.remote_id.as_deref(),
            out.status.as_str()
        ),
        ("create", Some("9"), "pending")
    );
    let seen = seen.lock().unwrap();
    let post = seen
        .iter()
        .find(|r| r.method == "POST" && r.path.ends_with("posts"))
        .expect("the post was sent");
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(
        body["tags"],
        json!([2]),
        "the term_exists answer named the tag to reuse"
    );
    assert_eq!(body["status"], "pending");
    let auth = post.header("authorization").unwrap();
    assert_eq!(
        auth, "Basic ZWRpdG9yOmFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eA==",
        "user:password with the spaces removed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_as_an_http_date_is_honoured() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let (addr, _) = serve_with_headers(move |_| {
        if c2.fetch_add(1, Ordering::SeqCst) == 0 {
            // Two seconds ahead, as an IMF-fixdate (RFC 9110).
            let at = chrono::Utc::now() + chrono::Duration::seconds(2);
            let date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            (
                503,
                vec![
                    ("retry-after".into(), date),
                    ("content-type".into(), "text/plain".into()),
                ],
                "busy".into(),
            )
        } else {
            (204, vec![], String::new())
        }
    })
    .await;
    let d = desk();
    let id = signed_stories(&d, 1)[0];
    add(
        &d,
        "wire",
        "webhook",
        &format!("http://{addr}/"),
        None,
        SECRET,
    );
    let started = Instant::now();
    // The policy's own back-off is 10 ms: only the header explains a longer wait.
    let policy = RetryPolicy {
        base_delay: Duration::from_millis(10),
        ..quick_policy()
    };
    let out = d
        .export_to_target(
            id,
            "wire",
            &ExportOptions {
                policy: Some(policy),
                ..Default::default()
            },
            "x",
        )
        .await
        .unwrap();
    assert_eq!(out.action, "create");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited until the date: {:?}",
        started.elapsed()
    );
}

#[test]
fn ninjs_files_validate_against_the_official_schema_signed_or_not() {
    let d = desk();
    let id = d.stories(beatdesk_core::DEMO_BEAT).unwrap()[0].id;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("story.json");
    let (text, rec) = d.export_ninjs(id, &out, "Ana Ruiz").unwrap();
    assert_eq!(rec.target, "ninjs");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc, serde_json::from_str::<Value>(&text).unwrap());
    assert_valid(&doc);
    assert_eq!(
        doc["pubstatus"], "withheld",
        "files may be written before sign-off, marked as such"
    );

    sign(&d, id, None);
    let doc = d.ninjs(id).unwrap();
    assert_valid(&doc);
    assert_eq!(doc["pubstatus"], "usable");
    assert_eq!(doc["by"], "Ana Ruiz");
    let story = d.story(id).unwrap();
    let draft = d.latest_draft(id).unwrap();
    assert_eq!(
        doc["headlines"][0]["value"],
        draft.document.headline.as_str()
    );
    assert_eq!(doc["descriptions"][0]["value"], draft.document.dek.as_str());
    assert!(doc["bodies"][0]["value"].as_str().unwrap().contains("<p>"));
    assert_eq!(doc["version"], draft.revision.to_string());
    // Every cited source is an association pointing at the record's URL.
    let urls: Vec<&str> = doc["associations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["uri"].as_str().unwrap())
        .collect();
    assert!(!urls.is_empty());
    for r in story
        .records
        .iter()
        .filter(|r| draft.document.cited_ids().contains(&r.record.id))
    {
        assert!(
            urls.contains(&r.record.url.as_str()),
            "{} is cited",
            r.record.url
        );
    }
    // The AI disclosure: a digital source type and the methodology line.
    assert!(doc["digitalsourcetype"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("http://cv.iptc.org/newscodes/digitalsourcetype/"));
    assert!(doc["descriptions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["role"] == "methodology" && !x["value"].as_str().unwrap().is_empty()));
}

#[test]
fn targets_are_checked_when_added_and_secrets_never_reach_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let d = Beatdesk::open(dir.path())
        .unwrap()
        .with_secrets(Arc::new(beatdesk_ingest_memory()));
    let bad = |name: &str, kind: &str, url: &str, user: Option<&str>, secret: &str| {
        d.add_target(
            &NewTarget {
                name: name.into(),
                kind: kind.into(),
                url: url.into(),
                user: user.map(str::to_string),
            },
            Some(secret),
            "t",
        )
        .unwrap_err()
        .to_string()
    };
    assert!(bad("ninjs", "webhook", "http://127.0.0.1/", None, SECRET).contains("file format"));
    assert!(bad("a b", "webhook", "http://127.0.0.1/", None, SECRET).contains("name"));
    assert!(bad("x", "drupal", "http://127.0.0.1/", None, SECRET)
        .contains("not wordpress, ghost or webhook"));
    assert!(bad("x", "wordpress", "http://127.0.0.1/", None, "pw").contains("--user"));
    let e = bad("x", "ghost", "http://news.example.org/", None, "a:0a0b");
    assert!(
        e.contains("target x: url: ") && e.contains("plain http"),
        "{e}"
    );
    let e = bad("x", "ghost", "https://news.example.org/", None, "not-a-key");
    assert!(
        e.contains("target x: secret: ") && e.contains("id:secret"),
        "{e}"
    );
    assert!(bad(
        "x",
        "webhook",
        "https://hooks.example.org/in",
        None,
        "plain"
    )
    .contains("whsec_"));
    assert!(d.targets().unwrap().is_empty(), "nothing half-added");

    let key =
        "6489f3c1a2b3c4d5e6f70812:9f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a";
    d.add_target(
        &NewTarget {
            name: "desk".into(),
            kind: "ghost".into(),
            url: "https://news.example.org".into(),
            user: None,
        },
        Some(key),
        "t",
    )
    .unwrap();
    let list = d.targets().unwrap();
    assert_eq!(
        (list[0].name.as_str(), list[0].secret_source.as_str()),
        ("desk", "keychain")
    );
    assert!(!serde_json::to_string(&list).unwrap().contains("9f3a2b1c"));
    drop(d);
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(16).any(|w| w == b"9f3a2b1c0d9e8f7a"),
            "the secret is not in the data directory"
        );
    }
}

fn beatdesk_ingest_memory() -> impl beatdesk_ingest::SecretStore {
    beatdesk_ingest::MemorySecrets::new()
}
