//! `beatdesk target …` and `export --to TARGET|ninjs` through the binary.
//! The secret comes from BEATDESK_TARGET_<NAME>_SECRET, so no keychain is needed;
//! the webhook receiver is a loopback socket that answers 204.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn beatdesk(home: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_beatdesk"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env("BEATDESK_NOW", "2026-11-29T12:00:00Z")
        .env("BEATDESK_TARGET_WIRE_DESK_SECRET", SECRET)
        .env_remove("BEATDESK_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = beatdesk(home, args);
    assert!(
        out.status.success(),
        "beatdesk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(home: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(home, args))
        .unwrap_or_else(|e| panic!("beatdesk {args:?}: not JSON: {e}"))
}

/// Answers every request with 204 and counts them.
fn receiver() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let n = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let n2 = n.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut buf = vec![0u8; 1 << 20];
            let mut got = Vec::new();
            // Read the head and the announced body, then answer.
            loop {
                let k = s.read(&mut buf).unwrap_or(0);
                if k == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..k]);
                let text = String::from_utf8_lossy(&got);
                if let Some(i) = text.find("\r\n\r\n") {
                    let len = text[..i]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if got.len() >= i + 4 + len {
                        break;
                    }
                }
            }
            n2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = s.write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n");
        }
    });
    (url, n)
}

#[test]
fn targets_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (url, delivered) = receiver();
    ok(home, &["demo"]);
    let added = json(
        home,
        &[
            "target",
            "add",
            "wire-desk",
            "--kind",
            "webhook",
            "--url",
            &url,
            "--json",
        ],
    );
    assert_eq!(
        (added["name"].as_str(), added["secret_source"].as_str()),
        (Some("wire-desk"), Some("env"))
    );
    let list = json(home, &["target", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        !serde_json::to_string(&list).unwrap().contains("MfKQ9r8"),
        "never the secret"
    );

    // Not signed off yet: refused, one line on stderr.
    let out = beatdesk(home, &["export", "1", "--to", "wire-desk"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sign it off first"));

    ok(home, &["signoff", "1", "--editor", "Ana Ruiz"]);
    let plan = json(
        home,
        &[
            "export",
            "1",
            "--to",
            "wire-desk",
            "--dry-run",
            "--json",
            "--tag",
            "AI",
        ],
    );
    assert_eq!(
        (
            plan["action"].as_str(),
            plan["revision"].as_i64(),
            plan["tags"][0].as_str()
        ),
        (Some("create"), Some(1), Some("AI"))
    );
    assert_eq!(
        delivered.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a dry run sends nothing"
    );

    let sent = json(
        home,
        &[
            "export",
            "1",
            "--to",
            "wire-desk",
            "--json",
            "--by",
            "Ana Ruiz",
        ],
    );
    for key in [
        "target",
        "kind",
        "action",
        "remote_id",
        "url",
        "revision",
        "status",
    ] {
        assert!(sent.get(key).is_some(), "{key} in {sent}");
    }
    assert_eq!(sent["action"], "create");
    assert_eq!(delivered.load(std::sync::atomic::Ordering::SeqCst), 1);
    let again = json(home, &["export", "1", "--to", "wire-desk", "--json"]);
    assert_eq!(again["action"], "none");

    let history = json(home, &["history", "1", "--json"]);
    let actions: Vec<&str> = history["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["none", "create"]);
    assert!(ok(home, &["history", "1"]).contains("wire-desk"));

    let file = home.join("story.json");
    ok(
        home,
        &[
            "export",
            "1",
            "--to",
            "ninjs",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["pubstatus"], "usable");
    assert_eq!(doc["standard"]["version"], "2.2");

    ok(home, &["target", "remove", "wire-desk"]);
    assert_eq!(
        json(home, &["target", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let out = beatdesk(home, &["export", "1", "--to", "wire-desk"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("target \"wire-desk\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
