//! Signal: why a story ranks where it does, with every component visible.
//!
//! - **volume** `ln(unique records)` (0 for a lone record); duplicates
//!   collapsed at ingest are not records here, so they count once.
//! - **velocity** z-score of the records in the last 6 h: against the story's
//!   own EWMA of 6 h buckets, `(x − μ)/(σ + 1)`, once it is a day old;
//!   before that Poisson against the beat baseline, `(x − λ)/√λ`. A single
//!   record in the window is no burst: the total only uses a positive z
//!   when at least two records arrived.
//! - **engagement** mean of the three best per-platform percentiles of
//!   `log1p(score + comments)` (Reddit), `log1p(likes + reposts + replies)`
//!   (Bluesky), … (0–1).
//! - **diversity** `½ln(authors) + ½ln(sources) + ½(platforms − 1)`;
//!   sources are subreddits, feeds and domains.
//! - **origins** `ln(independent origins)`: only sources with their own
//!   reporting count (see `origins::trace`): copies, credits ("X reported"),
//!   posts, quotes and pointers relay; a single-origin story earns nothing
//!   here and is flagged single-sourced.
//! - **recency** `exp(−hours since newest record / 24)`.
//! - **total** `(volume + 0.6·clamp(velocity, 0, 5) + engagement +
//!   0.7·diversity + origins) × (0.2 + 0.8·recency)`, halved for roundups.
//!
//! So a lone record scores on engagement alone: off-beat noise stays a
//! low-signal singleton.
//!
//! `series` covers the whole story (or its last four weeks) in 28 buckets of
//! at least 6 h, ending now.

use beatdesk_types::{Platform, Signal, SignalPoint};
use chrono::{DateTime, Duration, Utc};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::doc::DocMeta;
use crate::origins::trace;

const BUCKET_SECS: i64 = 6 * 3600;
const BUCKETS: i64 = 28;
const EWMA_ALPHA: f64 = 0.3;

/// What a story's signal is computed from.
pub struct StoryInput<'a> {
    pub docs: Vec<&'a DocMeta>,
    /// Records collapsed into these at ingest.
    pub duplicates: usize,
    pub roundup: bool,
}

/// Beat-wide figures every story is compared with.
pub struct BeatContext {
    engagement: FxHashMap<Platform, Vec<f64>>,
    /// Expected records per story per 6 h bucket.
    lambda: f64,
    now: i64,
}

impl BeatContext {
    pub fn new(stories: &[StoryInput<'_>], now: DateTime<Utc>) -> BeatContext {
        let now_s = now.timestamp();
        let week = now_s - BUCKETS * BUCKET_SECS;
        let mut engagement: FxHashMap<Platform, Vec<f64>> = FxHashMap::default();
        let (mut recent, mut active) = (0usize, 0usize);
        for s in stories {
            let mut any = false;
            for d in &s.docs {
                if let Some(e) = d.engagement {
                    engagement.entry(d.platform).or_default().push(e);
                }
                if d.t > week && d.t <= now_s {
                    recent += 1;
                    any = true;
                }
            }
            active += any as usize;
        }
        for v in engagement.values_mut() {
            v.sort_unstable_by(|a, b| a.total_cmp(b));
        }
        let lambda = (recent as f64 / active.max(1) as f64 / BUCKETS as f64).max(0.05);
        BeatContext {
            engagement,
            lambda,
            now: now_s,
        }
    }

    fn percentile(&self, p: Platform, v: f64) -> f64 {
        let Some(all) = self.engagement.get(&p) else {
            return 0.0;
        };
        let below = all.partition_point(|x| *x < v);
        let upto = all.partition_point(|x| *x <= v);
        (below as f64 + 0.5 * (upto - below) as f64) / all.len() as f64
    }
}

fn short_list(items: &[&str], n: usize) -> String {
    let mut s = items.iter().take(n).copied().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        s.push_str(", …");
    }
    s
}

/// The part of the velocity the total uses: positive bursts of two or more
/// records, capped.
fn burst_of(z: f64, x: f64) -> f64 {
    if x >= 2.0 {
        z.clamp(0.0, 5.0)
    } else {
        0.0
    }
}

/// The signal of one story.
pub fn story_signal(ctx: &BeatContext, s: &StoryInput<'_>) -> Signal {
    let n = s.docs.len();
    let now = ctx.now;
    let mut why: Vec<(f64, String)> = Vec::new();

    // Volume.
    let volume = (n.max(1) as f64).ln();
    let dup = if s.duplicates > 0 {
        format!(" ({} duplicates collapsed)", s.duplicates)
    } else {
        String::new()
    };
    why.push((
        volume,
        format!(
            "volume: {n} unique record{}{dup}",
            if n == 1 { "" } else { "s" }
        ),
    ));

    // Series and velocity.
    let newest = s.docs.iter().map(|d| d.t).max().unwrap_or(now);
    let first = s.docs.iter().map(|d| d.t).min().unwrap_or(now);
    // Velocity: fixed 6 h buckets over the last week, ending now.
    let mut counts = vec![0i64; BUCKETS as usize];
    for d in &s.docs {
        if d.t <= now && d.t > now - BUCKETS * BUCKET_SECS {
            let k = ((now - d.t) / BUCKET_SECS).min(BUCKETS - 1);
            counts[(BUCKETS - 1 - k) as usize] += 1;
        }
    }
    let x = counts[BUCKETS as usize - 1] as f64;
    let velocity = if now - first >= 24 * 3600 {
        let hist = &counts[..BUCKETS as usize - 1];
        let start = hist.iter().position(|c| *c > 0).unwrap_or(hist.len());
        let (mut mu, mut var) = (0.0f64, 0.0f64);
        for (i, c) in hist[start..].iter().enumerate() {
            let c = *c as f64;
            if i == 0 {
                mu = c;
            } else {
                let diff = c - mu;
                mu += EWMA_ALPHA * diff;
                var = (1.0 - EWMA_ALPHA) * (var + EWMA_ALPHA * diff * diff);
            }
        }
        let z = (x - mu) / (var.sqrt() + 1.0);
        why.push((
            0.6 * burst_of(z, x),
            format!("velocity: z = {z:+.1}, {x} records in the last 6 h vs a usual {mu:.1}"),
        ));
        z
    } else {
        let l = ctx.lambda;
        let z = (x - l) / l.sqrt();
        why.push((
            0.6 * burst_of(z, x),
            format!("velocity: z = {z:+.1} (new story), {x} records in the last 6 h vs {l:.2} expected on this beat"),
        ));
        z
    };

    let burst = burst_of(velocity, x);

    // Engagement.
    let mut pcts: Vec<f64> = s
        .docs
        .iter()
        .filter_map(|d| d.engagement.map(|e| ctx.percentile(d.platform, e)))
        .collect();
    pcts.sort_unstable_by(|a, b| b.total_cmp(a));
    let engagement = if pcts.is_empty() {
        why.push((0.0, "engagement: no platform reported numbers".to_string()));
        0.0
    } else {
        let top = &pcts[..pcts.len().min(3)];
        let e = top.iter().sum::<f64>() / top.len() as f64;
        why.push((
            e,
            format!(
                "engagement: best posts at the {:.0}th percentile of their platforms",
                e * 100.0
            ),
        ));
        e
    };

    // Diversity.
    let authors: FxHashSet<&str> = s
        .docs
        .iter()
        .map(|d| d.author.as_str())
        .filter(|a| !a.is_empty())
        .collect();
    let mut sources: Vec<&str> = Vec::new();
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut platforms: Vec<Platform> = Vec::new();
    for d in &s.docs {
        let src = match d.platform {
            Platform::News | Platform::Web => d.domain.as_deref().or(d.community.as_deref()),
            _ => d.community.as_deref(),
        };
        if let Some(src) = src {
            if seen.insert(src) {
                sources.push(src);
            }
        }
        if d.platform != Platform::Manual && !platforms.contains(&d.platform) {
            platforms.push(d.platform);
        }
    }
    let cross = platforms.len().saturating_sub(1) as f64;
    let diversity = 0.5 * (authors.len().max(1) as f64).ln()
        + 0.5 * (sources.len().max(1) as f64).ln()
        + 0.5 * cross;
    let plat: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
    why.push((
        0.7 * diversity,
        format!(
            "diversity: {} authors, {} sources ({}), {} platform{} ({})",
            authors.len(),
            sources.len(),
            short_list(&sources, 3),
            platforms.len(),
            if platforms.len() == 1 { "" } else { "s" },
            plat.join(", ")
        ),
    ));

    // Independent origins.
    let traced = trace(&s.docs);
    let k = traced.groups.len();
    let origins = (k.max(1) as f64).ln();
    let mut flags: Vec<String> = Vec::new();
    let name = |g: &Vec<usize>| {
        let d = s.docs[g[0]];
        d.outlet.clone().unwrap_or_else(|| d.title.clone())
    };
    let relays = match traced.relays {
        0 => String::new(),
        1 => "; 1 record relays it".to_string(),
        r => format!("; {r} records relay {}", if k == 1 { "it" } else { "them" }),
    };
    if k == 1 && n > 1 {
        let d = s.docs[traced.groups[0][0]];
        flags.push(format!(
            "single origin: all {n} records trace back to one report — 1 origin: {} ({}){relays}; single-sourced, unconfirmed",
            name(&traced.groups[0]),
            d.title
        ));
    } else if n == 1 {
        flags.push("single origin: one record, unconfirmed".to_string());
    }
    let names: Vec<String> = traced.groups.iter().map(name).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    why.push((
        origins,
        format!(
            "origins: {k} independent origin{} ({}) among {n} records{relays}",
            if k == 1 { "" } else { "s" },
            short_list(&names, 3)
        ),
    ));

    // Recency.
    let hours = ((now - newest).max(0)) as f64 / 3600.0;
    let recency = (-hours / 24.0).exp();
    let factor = 0.2 + 0.8 * recency;
    why.push((
        factor,
        format!("recency: newest record {hours:.0} h ago (×{factor:.2})"),
    ));

    let mut total = (volume + 0.6 * burst + engagement + 0.7 * diversity + origins) * factor;
    if s.roundup {
        total *= 0.5;
        flags.push("roundup: mentions several stories, kept apart from them (×0.5)".to_string());
    }
    why.sort_by(|a, b| b.0.total_cmp(&a.0));
    let series = series(&s.docs, first, newest, now);
    Signal {
        total,
        volume,
        velocity,
        engagement,
        diversity,
        origins,
        recency,
        independent_origins: k as i64,
        series,
        why: flags
            .into_iter()
            .chain(why.into_iter().map(|w| w.1))
            .collect(),
    }
}

/// Records per bucket for the sparkline: 28 buckets of at least 6 h (whole
/// hours) covering the story, or its last four weeks, ending now (or at its newest
/// record if the clock is behind).
fn series(docs: &[&DocMeta], first: i64, newest: i64, now: i64) -> Vec<SignalPoint> {
    let end = now.max(newest);
    let span = (end - first).clamp(0, 4 * BUCKETS * BUCKET_SECS);
    let width = ((span + BUCKETS * 3600 - 1) / (BUCKETS * 3600)).max(BUCKET_SECS / 3600) * 3600;
    let mut counts = vec![0i64; BUCKETS as usize];
    for d in docs {
        if d.t <= end && d.t >= end - BUCKETS * width {
            let k = ((end - d.t) / width).min(BUCKETS - 1);
            counts[(BUCKETS - 1 - k) as usize] += 1;
        }
    }
    let end_at = DateTime::<Utc>::from_timestamp(end, 0).unwrap_or_default();
    counts
        .into_iter()
        .enumerate()
        .map(|(i, c)| SignalPoint {
            at: end_at - Duration::seconds((BUCKETS - 1 - i as i64) * width),
            records: c,
        })
        .collect()
}

/// Signals of every story of a beat.
pub fn compute_all(stories: &[StoryInput<'_>], now: DateTime<Utc>) -> Vec<Signal> {
    let ctx = BeatContext::new(stories, now);
    stories.iter().map(|s| story_signal(&ctx, s)).collect()
}
