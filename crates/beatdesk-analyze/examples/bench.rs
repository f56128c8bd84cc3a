//! Benchmarks on synthetic records, printing figures:
//! `cargo run --release -p beatdesk-analyze --example bench [-- N]`
//!
//! - cluster N (default 100 000) records from scratch;
//! - add 1 000 new records to that clustering;
//! - recompute the signal of 1 000 stories (and of every story);
//! - build the full analysis (titles, reasons, ids, signals);
//! - peak RSS (VmHWM).
use std::time::Instant;

use beatdesk_analyze::eval::{bcubed, pairwise};
use beatdesk_analyze::signal::{compute_all, StoryInput};
use beatdesk_analyze::{synth, Clusterer};
use chrono::{Duration, TimeZone, Utc};

fn vm_hwm() -> String {
    vm("VmHWM")
}

/// A memory figure of this process from /proc/self/status.
fn vm(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "n/a".into())
}

/// A hash of a result's debug form.
fn fingerprint<T: std::fmt::Debug>(x: &T) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{x:?}").hash(&mut h);
    h.finish()
}

/// A candidate with its reasons as a sorted list.
type Canonical = (beatdesk_analyze::StoryCandidate, Vec<(i64, Vec<String>)>);

/// Candidates with their reasons in record order (a HashMap's order
/// differs between runs).
fn canonical(cands: Vec<beatdesk_analyze::StoryCandidate>) -> Vec<Canonical> {
    cands
        .into_iter()
        .map(|mut c| {
            let mut why: Vec<_> = std::mem::take(&mut c.why).into_iter().collect();
            why.sort();
            (c, why)
        })
        .collect()
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// CPU time of this process so far, in ms (user + system, from
/// /proc/self/stat): on a machine shared with other work, wall time
/// overstates what a phase costs.
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            let ticks: f64 =
                rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?;
            Some(ticks * 10.0)
        })
        .unwrap_or(f64::NAN)
}

/// Time this thread has run on a CPU, in ms (/proc/thread-self/schedstat,
/// in ns): waiting for a core shared with other work does not count.
fn thread_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e6)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let events = n / 20;
    let days = 60;
    let t = Instant::now();
    let (mut records, mut gold) = synth::records(n + 1000, events, days, 7);
    // The last 1 000 records arrive later, as a new import.
    let extra: Vec<_> = records.split_off(n);
    let extra_gold = gold.split_off(n);
    println!(
        "generated {} + {} synthetic records ({} events, {days} days) in {:.0} ms",
        n,
        extra.len(),
        events,
        ms(t.elapsed())
    );

    println!("RSS with the records generated: {}", vm("VmRSS"));
    let mut cfg = beatdesk_analyze::Config::default();
    if let Some(v) = std::env::var("MERGE_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        cfg.merge_every = v;
    }
    if let Some(v) = std::env::var("MAX_CAND").ok().and_then(|v| v.parse().ok()) {
        cfg.max_candidates = v;
    }
    if let Some(v) = std::env::var("MERGE_TH").ok().and_then(|v| v.parse().ok()) {
        cfg.merge_threshold = v;
    }
    if let Some(v) = std::env::var("FLOOR").ok().and_then(|v| v.parse().ok()) {
        cfg.time_floor = v;
    }
    if let Some(v) = std::env::var("SIGMA").ok().and_then(|v| v.parse().ok()) {
        cfg.time_sigma_days = v;
    }
    if let Some(v) = std::env::var("TH").ok().and_then(|v| v.parse().ok()) {
        cfg.threshold = v;
    }
    let mut c = Clusterer::new(cfg);
    let t = Instant::now();
    let mut f = beatdesk_analyze::features::Featurizer::new();
    for r in &records {
        std::hint::black_box(f.raw(&r.title, &r.text));
    }
    println!("(featurising alone: {:.0} ms)", ms(t.elapsed()));
    let (t, cpu) = (Instant::now(), cpu_ms());
    c.add(&records);
    let cluster_time = t.elapsed();
    let cluster_cpu = cpu_ms() - cpu;
    println!(
        "RSS after clustering: {} (peak so far {})",
        vm("VmRSS"),
        vm_hwm()
    );
    let groups = c.groups();
    println!(
        "cluster {n} records: {:.0} ms ({cluster_cpu:.0} ms CPU, both threads) -> {} stories   [target <= 10 000 ms]",
        ms(cluster_time),
        groups.len()
    );

    let first = c.len();
    let (t, cpu, th) = (Instant::now(), cpu_ms(), thread_ms());
    c.add(&extra);
    let add_time = t.elapsed();
    println!(
        "add 1000 records to it: {:.1} ms ({:.0} ms CPU, {:.1} ms on the main thread)   [target <= 200 ms]",
        ms(add_time),
        cpu_ms() - cpu,
        thread_ms() - th
    );
    let now = records
        .iter()
        .chain(&extra)
        .map(|r| r.published_at)
        .max()
        .unwrap()
        + Duration::hours(1);

    // What an incremental pass then writes: the stories the add touched.
    let touched = c.touched(first);
    let dups = std::collections::HashMap::new();
    let reps = 5;
    let (t, th) = (Instant::now(), thread_ms());
    for _ in 0..reps {
        std::hint::black_box(c.analysis_of(&touched, &dups, now));
    }
    println!(
        "analysis_of the {} stories the add touched: {:.1} ms ({:.1} ms on the thread)",
        touched.len(),
        ms(t.elapsed()) / reps as f64,
        (thread_ms() - th) / reps as f64
    );
    // Speed work must not move a result: these change with any difference
    // in groups, titles, terms, reasons or signals.
    println!(
        "fingerprints: groups {:016x}, touched stories {:016x}",
        fingerprint(&c.groups()),
        fingerprint(&canonical(c.analysis_of(&touched, &dups, now))),
    );

    // Quality on the synthetic gold, for sanity.
    let by_id: std::collections::HashMap<i64, usize> = records
        .iter()
        .chain(&extra)
        .zip(gold.iter().chain(&extra_gold))
        .map(|(r, g)| (r.id, *g))
        .collect();
    let groups = c.groups();
    let (mut pred, mut lab) = (Vec::new(), Vec::new());
    for (i, g) in groups.iter().enumerate() {
        for id in g {
            pred.push(i);
            lab.push(by_id[id]);
        }
    }
    let (pw, b3) = (pairwise(&pred, &lab), bcubed(&pred, &lab));
    let mut sizes: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    println!("largest stories: {:?}", &sizes[..sizes.len().min(8)]);
    println!(
        "synthetic quality: pairwise P {:.3} R {:.3} F1 {:.3}; B3 F1 {:.3}",
        pw.precision, pw.recall, pw.f1, b3.f1
    );

    let t = Instant::now();
    let all = c.signals(now);
    println!(
        "signal for all {} stories: {:.1} ms",
        all.len(),
        ms(t.elapsed())
    );

    // 1 000 stories of a beat: a beat of 20 000 records.
    let (beat, _) = synth::records(20_000, 1_000, 14, 11);
    let mut cb = Clusterer::default();
    cb.add(&beat);
    let stories = cb.groups();
    let metas: std::collections::HashMap<i64, beatdesk_analyze::doc::DocMeta> = beat
        .iter()
        .map(|r| (r.id, beatdesk_analyze::doc::DocMeta::from_record(r)))
        .collect();
    let inputs: Vec<StoryInput<'_>> = stories
        .iter()
        .take(1000)
        .map(|g| StoryInput {
            docs: g.iter().map(|id| &metas[id]).collect(),
            duplicates: 0,
            roundup: false,
        })
        .collect();
    let now_b = Utc.with_ymd_and_hms(2026, 1, 15, 0, 0, 0).unwrap();
    let reps = 20;
    let (t, cpu) = (Instant::now(), cpu_ms());
    for _ in 0..reps {
        std::hint::black_box(compute_all(&inputs, now_b));
    }
    let recs: usize = inputs.iter().map(|i| i.docs.len()).sum();
    println!(
        "signal for {} stories ({} records): {:.2} ms ({:.2} ms CPU)   [target <= 50 ms]",
        inputs.len(),
        recs,
        ms(t.elapsed()) / reps as f64,
        (cpu_ms() - cpu) / reps as f64
    );

    let t = Instant::now();
    let a = c.analysis(&records, &[], now);
    let a = canonical(a.stories);
    println!(
        "full analysis of {} records (titles, reasons, ids, signals): {:.0} ms, {} stories",
        c.len(),
        ms(t.elapsed()),
        a.len()
    );
    println!("fingerprint: full analysis {:016x}", fingerprint(&a));
    println!("peak RSS (VmHWM): {}", vm_hwm());
}
