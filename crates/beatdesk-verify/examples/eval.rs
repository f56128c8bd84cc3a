//! Claim-check evaluation: recall per edit kind and false alarms on clean
//! sentences, for the project's own set and for `claims-dev`.
//!
//! cargo run --release -p beatdesk-verify --example eval -- [DIR…] [--predictions OUT.json] [-v]
//! Without DIR: `crates/beatdesk-verify/eval/own` and `../shared/data/claims-dev`.

use std::path::PathBuf;

use beatdesk_types::CheckStatus;
use beatdesk_verify::eval::{score, ClaimSet};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let pred_out = args
        .iter()
        .position(|a| a == "--predictions")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let mut dirs: Vec<PathBuf> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with('-') && !(*i > 0 && args[i - 1] == "--predictions"))
        .map(|(_, a)| PathBuf::from(a))
        .collect();
    if dirs.is_empty() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        dirs.push(root.join("eval/own"));
        dirs.push(root.join("../../../shared/data/claims-dev"));
    }
    let mut failed_target = false;
    for dir in dirs {
        let set = match ClaimSet::load(&dir) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        };
        let mut verdicts = Vec::new();
        let mut preds = serde_json::Map::new();
        for c in &set.cases {
            let (v, notes) = set.verdict(c);
            let ok = c.expect.split('|').any(|e| e == v.as_str());
            let miss = if c.kind == "clean" {
                v == CheckStatus::Fail
            } else {
                !ok || (c.kind != "derived" && v == CheckStatus::Pass)
            };
            if verbose && (miss || (c.kind == "clean" && v == CheckStatus::Warn)) {
                println!(
                    "{} {} got {} want {}: {}\n    {}",
                    if miss { "MISS" } else { "warn" },
                    c.id,
                    v.as_str(),
                    c.expect,
                    c.text,
                    notes.join("\n    ")
                );
            }
            preds.insert(c.id.clone(), serde_json::Value::String(v.as_str().into()));
            verdicts.push(v);
        }
        let s = score(&set.cases, &verdicts);
        println!("\n{} ({} cases)", dir.display(), set.cases.len());
        println!("{:<10} {:>8} {:>6}", "kind", "caught", "recall");
        for (k, (hit, n)) in &s.per_kind {
            println!(
                "{:<10} {:>4}/{:<3} {:>6.3}",
                k,
                hit,
                n,
                *hit as f64 / *n as f64
            );
            let target = match k.as_str() {
                "number" | "quote" => Some(0.95),
                "entity" => Some(0.80),
                _ => None,
            };
            if target.is_some_and(|t| (*hit as f64 / *n as f64) < t) {
                failed_target = true;
            }
        }
        let fa = s.clean_fail as f64 / s.clean.max(1) as f64;
        println!(
            "false alarms (clean → fail): {}/{} = {:.3}; clean warned: {}/{} = {:.3}",
            s.clean_fail,
            s.clean,
            fa,
            s.clean_warn,
            s.clean,
            s.clean_warn as f64 / s.clean.max(1) as f64
        );
        failed_target |= fa > 0.05;
        if let Some(out) = &pred_out {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let path = format!("{out}.{name}.json");
            std::fs::write(&path, serde_json::to_string_pretty(&preds).unwrap())
                .expect("write predictions");
            println!("predictions: {path}");
        }
    }
    println!(
        "\ntargets (number, quote ≥ 0.95; entity ≥ 0.80; false alarms ≤ 0.05): {}",
        if failed_target { "MISSED" } else { "met" }
    );
}
