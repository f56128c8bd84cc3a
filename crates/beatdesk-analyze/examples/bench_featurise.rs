//! Featurising cost per record, as a new process pays it when it rebuilds
//! its clustering state:
//! `cargo run --release -p beatdesk-analyze --example bench_featurise [-- REPS [synthetic|fixture]]`
//!
//! Prints µs per record for `Featurizer::raw` and `DocMeta::from_record`
//! over 20 000 synthetic records and over the labelled fixture (min and
//! median of REPS runs, default 7).
use std::time::Instant;

use beatdesk_analyze::doc::DocMeta;
use beatdesk_analyze::eval::Fixture;
use beatdesk_analyze::features::Featurizer;
use beatdesk_analyze::synth;
use beatdesk_types::Record;

/// CPU time of this thread so far, in µs (user + system, from
/// /proc/thread-self/stat, 10 ms ticks): on a machine shared with other
/// work, wall time mostly measures the neighbours.
fn cpu_us() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            let ticks: f64 =
                rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?;
            Some(ticks * 10_000.0)
        })
        .unwrap_or(f64::NAN)
}

/// Min and median of the runs, in µs per record.
fn summary(mut us: Vec<f64>) -> (f64, f64) {
    us.sort_by(|a, b| a.total_cmp(b));
    (us[0], us[us.len() / 2])
}

/// `fresh_every`: records after which the featuriser starts afresh (its
/// word cache cold again).
fn bench(name: &str, recs: &[Record], reps: usize, fresh_every: usize) {
    let n = recs.len() as f64;
    let (mut raw_us, mut meta_us) = (Vec::new(), Vec::new());
    let (mut raw_cpu, mut meta_cpu) = (Vec::new(), Vec::new());
    // A checksum that uses the outputs, so the work is not optimised away.
    let mut check = 0usize;
    for _ in 0..reps {
        let mut f = Featurizer::new();
        let (t, c) = (Instant::now(), cpu_us());
        for (i, r) in recs.iter().enumerate() {
            if i % fresh_every == 0 {
                f = Featurizer::new();
            }
            check += f.raw(&r.title, &r.text).tf[1].len();
        }
        raw_us.push(t.elapsed().as_secs_f64() * 1e6 / n);
        raw_cpu.push((cpu_us() - c) / n);
        let (t, c) = (Instant::now(), cpu_us());
        for r in recs {
            check += DocMeta::from_record(r).sketch.len();
        }
        meta_us.push(t.elapsed().as_secs_f64() * 1e6 / n);
        meta_cpu.push((cpu_us() - c) / n);
    }
    let (rmin, rmed) = summary(raw_us);
    let (mmin, mmed) = summary(meta_us);
    let (rcmin, rcmed) = summary(raw_cpu);
    let (mcmin, mcmed) = summary(meta_cpu);
    println!(
        "{name} ({} records, µs per record, min / median) [check {check}]",
        recs.len()
    );
    println!("  raw      wall {rmin:6.2} / {rmed:6.2}   cpu {rcmin:6.2} / {rcmed:6.2}");
    println!("  DocMeta  wall {mmin:6.2} / {mmed:6.2}   cpu {mcmin:6.2} / {mcmed:6.2}");
}

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(7)
        .max(1);
    let only = std::env::args().nth(2).unwrap_or_default();
    if only != "fixture" {
        let (synthetic, _) = synth::records(20_000, 1000, 60, 7);
        bench("synthetic", &synthetic, reps, usize::MAX);
    }
    if only == "synthetic" {
        return;
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/open_source_ai.jsonl"
    );
    let fx = Fixture::parse(&std::fs::read_to_string(path).expect("fixture")).expect("fixture");
    // The fixture is small: repeat it so one run takes measurable time, each
    // copy with a fresh featuriser as a new process would have.
    let fixture: Vec<Record> = (0..100).flat_map(|_| fx.records.iter().cloned()).collect();
    bench("fixture (cold)", &fixture, reps, fx.records.len());
    // And with one featuriser for all copies: every word cached, as in a
    // long import where most words were seen before.
    bench("fixture (warm)", &fixture, reps, usize::MAX);
}
