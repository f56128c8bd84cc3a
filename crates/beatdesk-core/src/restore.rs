//! The analysis state across processes. Each pass saves a small note in
//! `settings` (the last record it saw and aggregates of the grouping it
//! wrote); a new process (`beatdesk ingest`, `beatdesk import`, the window
//! at start) that finds the note still true rebuilds the clusterer from the
//! stored stories — features only, every record straight to its story — and
//! clusters just the records that arrived since. Only what those records
//! can reach is rebuilt: the stories whose span comes within `window_days`
//! of theirs, and a story a relation of theirs names (a reply to an old
//! post, found in the store by key) or a later batch's time reaches, on
//! demand; every other story keeps its
//! stored grouping and signal (a window started with nothing new rebuilds
//! and re-ranks them all). Anything else having
//! changed the grouping (an editor's decision, a record collapsed, stories
//! added or retired elsewhere) makes the note false and the pass full.

use std::collections::{HashMap, HashSet};

use beatdesk_analyze::{Clusterer, Config, StoredStory};
use beatdesk_store::records::Outline;
use beatdesk_store::{decisions, records, settings, stories, Transaction};
use beatdesk_types::{Platform, RecordStatus, StoryStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::incremental::{stamp, BeatState};
use crate::Result;

fn key(beat_id: i64) -> String {
    format!("analysis_state:{beat_id}")
}

/// What a pass leaves for the next process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    last_record: i64,
    stories: (i64, i64, i64),
    decisions: (i64, String),
    /// Kept records up to `last_record`.
    kept: i64,
    /// Stories held as roundups (never joined).
    roundups: Vec<i64>,
    /// When the pass ran (the age of the stored signals).
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

/// The note as the store is now; `kept` is counted unless the caller
/// knows it (a pass counts the kept records it clustered for free).
fn note_now(
    tx: &Transaction,
    beat_id: i64,
    last_record: i64,
    roundups: Vec<i64>,
    kept: Option<i64>,
) -> Result<Note> {
    let s = stamp(tx, beat_id)?;
    let kept = match kept {
        Some(n) => n,
        None => records::count_kept_upto(tx, beat_id, last_record)?,
    };
    Ok(Note {
        last_record,
        stories: s.stories,
        decisions: s.decisions,
        kept,
        roundups,
        at: None,
    })
}

/// A hash of the beat's stored note (0 with none): it changes with every
/// pass, whichever process ran it.
pub(crate) fn note_version(tx: &Transaction, beat_id: i64) -> Result<i64> {
    use std::hash::{Hash, Hasher};
    let Some(text) = settings::get(tx, &key(beat_id))? else {
        return Ok(0);
    };
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    Ok(h.finish() as i64)
}

/// Saves the note of the pass that left `st`.
pub(crate) fn save(
    tx: &Transaction,
    beat_id: i64,
    st: &BeatState,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut roundups: Vec<i64> = st
        .story_of
        .iter()
        .filter(|(c, _)| st.clusterer.is_roundup(**c))
        .map(|(_, id)| *id)
        .chain(st.held.roundups())
        .collect();
    roundups.sort_unstable();
    let mut note = note_now(tx, beat_id, st.last_record, roundups, Some(st.kept))?;
    note.at = Some(now);
    settings::set(
        tx,
        &key(beat_id),
        &serde_json::to_string(&note).expect("note serializes"),
    )?;
    Ok(())
}

/// The state of the last pass, rebuilt from the store, if its note still
/// holds; `None`: a full pass is needed.
pub(crate) fn load(tx: &Transaction, beat_id: i64) -> Result<Option<BeatState>> {
    let Some(text) = settings::get(tx, &key(beat_id))? else {
        return Ok(None);
    };
    let Ok(note) = serde_json::from_str::<Note>(&text) else {
        return Ok(None);
    };
    // Only the records that are not plain kept ones are read (a count
    // gives the kept ones the note must match); the text only of stories rebuilt.
    let (total, odd) = records::unusual_for_beat(tx, beat_id, note.last_record)?;
    let kept = total
        - odd
            .iter()
            .filter(|r| r.status != RecordStatus::Kept)
            .count() as i64;
    let mut current = note_now(
        tx,
        beat_id,
        note.last_record,
        note.roundups.clone(),
        Some(kept),
    )?;
    current.at = note.at;
    if current != note {
        return Ok(None);
    }
    crate::timings::lap("restore: note check");
    let manual: HashSet<i64> = odd
        .iter()
        .filter(|r| r.platform == Platform::Manual)
        .map(|r| r.id)
        .collect();
    let decided: HashSet<i64> = decisions::for_beat(tx, beat_id)?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let roundups: HashSet<i64> = note.roundups.iter().copied().collect();
    // Outlines only (id, status, span): members and signals are read for
    // the stories rebuilt, now or on demand.
    let rows = stories::outlines_of_beat(tx, beat_id)?;
    crate::timings::lap("restore: story outlines");
    let stored: Vec<StoredStory> = rows
        .iter()
        .map(|s| StoredStory {
            story_id: s.id,
            record_ids: Vec::new(),
            pinned: s.status != StoryStatus::Candidate || decided.contains(&s.id),
            roundup: roundups.contains(&s.id),
        })
        .collect();
    // Manual sources attached to a story stay out of the clusterer, as in a full pass.
    let input: Vec<&Outline> = odd.iter().filter(|r| !manual.contains(&r.id)).collect();
    let dup_of: HashMap<i64, i64> = input
        .iter()
        .filter(|r| r.status == RecordStatus::Duplicate)
        .filter_map(|r| Some((r.id, r.duplicate_of?)))
        .collect();
    let dups = duplicates(&input, &manual, note.last_record);
    let not_kept: HashSet<i64> = input
        .iter()
        .filter(|r| r.status != RecordStatus::Kept)
        .map(|r| r.id)
        .collect();
    let (relations, index) = crate::relations::for_restore(tx, beat_id, note.last_record, dup_of)?;
    crate::timings::lap("restore: relations");
    let config = Config::default();
    let mut clusterer = Clusterer::new(config.clone());
    for &(from, to) in &relations {
        clusterer.relate(from, to);
    }
    // Only stories the new records can reach by time are rebuilt now; the
    // rest wait (a reply's old target is rebuilt when it is named).
    let spans: HashMap<i64, Span> = rows.iter().filter_map(|s| Some((s.id, s.span?))).collect();
    let near = near_stories(
        tx,
        beat_id,
        note.last_record,
        &stored,
        &spans,
        config.window_days,
    )?;
    let want: Vec<usize> = near.unwrap_or_else(|| (0..stored.len()).collect());
    let at = note.at.unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut st = BeatState {
        clusterer,
        last_record: note.last_record,
        stamp: stamp(tx, beat_id)?,
        story_of: HashMap::new(),
        dups,
        manual,
        index,
        signals: HashMap::new(),
        ranked_at: rows.iter().map(|s| (s.id, at)).collect(),
        kept: note.kept,
        last: Default::default(),
        held: Held::new(stored, &spans, not_kept),
    };
    crate::timings::lap("restore: spans and reach");
    rebuild(tx, &mut st, want)?;
    crate::timings::lap("restore: rebuild near stories");
    Ok(Some(st))
}

/// Kept record → copies collapsed into it (as `duplicate_counts`, from
/// outlines). `input` holds the beat's unusual records only: a target not
/// among them, nor manual, nor newer than `last_record`, is a plain kept one.
fn duplicates(input: &[&Outline], manual: &HashSet<i64>, last_record: i64) -> HashMap<i64, usize> {
    let by_id: HashMap<i64, &Outline> = input.iter().map(|r| (r.id, *r)).collect();
    let mut out: HashMap<i64, usize> = HashMap::new();
    for r in input.iter().filter(|r| r.status == RecordStatus::Duplicate) {
        let mut cur = r.duplicate_of;
        for _ in 0..16 {
            let Some(id) = cur else { break };
            match by_id.get(&id) {
                Some(k) if k.status == RecordStatus::Kept => {
                    *out.entry(k.id).or_default() += 1;
                    break;
                }
                Some(k) if k.status == RecordStatus::Duplicate => cur = k.duplicate_of,
                Some(_) => break,
                None if manual.contains(&id) || id > last_record => break,
                None => {
                    *out.entry(id).or_default() += 1;
                    break;
                }
            }
        }
    }
    out
}

/// The first and last times a story's records cover.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// Stored stories not rebuilt yet: out of reach of the records that
/// arrived when the process started. They keep their stored grouping; their
/// members and signals are read when they are rebuilt.
#[derive(Default)]
pub(crate) struct Held {
    stories: Vec<StoredStory>,
    /// The times each held story covers.
    spans: Vec<Option<Span>>,
    /// Story id → its index in `stories`.
    by_story: HashMap<i64, usize>,
    /// Records of the beat that are not kept (they stay out of the clusterer).
    not_kept: HashSet<i64>,
    done: Vec<bool>,
    /// Held stories not rebuilt yet.
    pub(crate) waiting: usize,
    /// Stories rebuilt since the last pass reported them.
    pub(crate) rebuilt: usize,
}

impl Held {
    fn new(stories: Vec<StoredStory>, spans: &HashMap<i64, Span>, not_kept: HashSet<i64>) -> Held {
        let spans = stories
            .iter()
            .map(|s| spans.get(&s.story_id).copied())
            .collect();
        let by_story = stories
            .iter()
            .enumerate()
            .map(|(i, s)| (s.story_id, i))
            .collect();
        Held {
            waiting: stories.len(),
            done: vec![false; stories.len()],
            stories,
            spans,
            by_story,
            not_kept,
            rebuilt: 0,
        }
    }

    /// Roundups among the stories still held (the note keeps them).
    fn roundups(&self) -> impl Iterator<Item = i64> + '_ {
        self.stories
            .iter()
            .zip(&self.done)
            .filter(|(s, done)| s.roundup && !**done)
            .map(|(s, _)| s.story_id)
    }
}

/// The stored stories (by index) whose span comes within `window_days` of
/// the records stored after `last_record` (the clusterer looks no further
/// for a record's story by content); `None` when nothing new arrived (the
/// window at start: everything is rebuilt, as every story is re-ranked).
fn near_stories(
    tx: &Transaction,
    beat_id: i64,
    last_record: i64,
    stored: &[StoredStory],
    spans: &HashMap<i64, Span>,
    window_days: f32,
) -> Result<Option<Vec<usize>>> {
    let Some(new) = records::published_span_after(tx, beat_id, last_record)? else {
        return Ok(None);
    };
    let (lo, hi) = padded(new, window_days);
    // A story is within reach when its span comes within the window (a
    // story can span the new records' time with none of its own near).
    Ok(Some(
        (0..stored.len())
            .filter(|i| {
                spans
                    .get(&stored[*i].story_id)
                    .is_some_and(|(a, b)| *a <= hi && *b >= lo)
            })
            .collect(),
    ))
}

/// The times within `window_days` of a span.
fn padded(span: Span, window_days: f32) -> Span {
    let pad = chrono::Duration::seconds((window_days as f64 * 86_400.0).ceil() as i64);
    (span.0 - pad, span.1 + pad)
}

/// The times within `window_days` of some of `new`.
fn reach_of(new: &[beatdesk_types::Record], window_days: f32) -> Option<Span> {
    let lo = new.iter().map(|r| r.published_at).min()?;
    let hi = new.iter().map(|r| r.published_at).max()?;
    Some(padded((lo, hi), window_days))
}

/// Rebuilds the held stories that `new` records can reach: by time (a
/// later batch of older records) or by a relation (a new reply to an old
/// post outside the window), before they are clustered.
pub(crate) fn reach(
    tx: &Transaction,
    st: &mut BeatState,
    new: &[beatdesk_types::Record],
    relations: &[(i64, i64)],
) -> Result<()> {
    let held = &mut st.held;
    if held.waiting == 0 {
        return Ok(());
    }
    // A relation's end the clusterer does not hold is looked up in the store.
    let mut want = Vec::new();
    for id in relations.iter().flat_map(|&(a, b)| [a, b]) {
        if st.clusterer.knows(id) {
            continue;
        }
        if let Some(i) = stories::live_story_of_record(tx, id)?.and_then(|s| held.by_story.get(&s))
        {
            if !held.done[*i] {
                want.push(*i);
            }
        }
    }
    if let Some((lo, hi)) = reach_of(new, st.clusterer.config.window_days) {
        want.extend(
            held.spans
                .iter()
                .enumerate()
                .filter(|(i, s)| !held.done[*i] && s.is_some_and(|(a, b)| a <= hi && b >= lo))
                .map(|(i, _)| i),
        );
    }
    rebuild(tx, st, want)
}

/// Rebuilds held stories (by index in `held.stories`) into the clusterer.
fn rebuild(tx: &Transaction, st: &mut BeatState, mut want: Vec<usize>) -> Result<()> {
    let held = &mut st.held;
    want.sort_unstable();
    want.dedup();
    if want.is_empty() {
        return Ok(());
    }
    let mut picked: Vec<StoredStory> = want.iter().map(|i| held.stories[*i].clone()).collect();
    let ids: Vec<i64> = picked.iter().map(|s| s.story_id).collect();
    let at: HashMap<i64, usize> = ids.iter().enumerate().map(|(k, id)| (*id, k)).collect();
    // Manual sources stay out of the clusterer, as in a full pass.
    for (story, record) in stories::records_of_stories(tx, &ids)? {
        if !st.manual.contains(&record) {
            picked[at[&story]].record_ids.push(record);
        }
    }
    st.signals.extend(stories::signals_of(tx, &ids)?);
    let mut kept: Vec<i64> = picked
        .iter()
        .flat_map(|s| s.record_ids.iter().copied())
        .filter(|id| !held.not_kept.contains(id))
        .collect();
    // In id order the reads walk the records table forwards.
    kept.sort_unstable();
    let recs = records::get_many(tx, &kept)?;
    crate::timings::lap("restore: read members and records");
    let placed = st.clusterer.restore(&recs, &picked);
    for ((c, s), i) in placed.iter().zip(&picked).zip(&want) {
        held.done[*i] = true;
        held.waiting -= 1;
        held.rebuilt += 1;
        if let Some(c) = c {
            st.story_of.insert(*c, s.story_id);
        }
    }
    Ok(())
}

/// How old a story's stored signal may get before a pass re-ranks it.
const RERANK_AFTER_MINUTES: i64 = 10;
/// Stories re-ranked per pass at most, highest signal first: the list an
/// editor sees is fresh at once, the tail within a few passes (the window
/// refreshes every minute).
const RERANK_PER_PASS: usize = 500;

/// Re-ranks stories no new record touched (recency moves with the clock;
/// an editor's exclusion changes what counts) without clustering: those in
/// `force`, then those whose signal is older than [`RERANK_AFTER_MINUTES`],
/// highest first, up to [`RERANK_PER_PASS`]. Writes a signal only when it
/// changed. Returns how many were rewritten.
pub(crate) fn resignal(
    tx: &Transaction,
    beat_id: i64,
    now: DateTime<Utc>,
    st: &mut BeatState,
    force: &[i64],
) -> Result<usize> {
    // A held story an editor just changed is rebuilt to be re-ranked.
    let forced_held: Vec<usize> = st
        .held
        .stories
        .iter()
        .enumerate()
        .filter(|(i, s)| !st.held.done[*i] && force.contains(&s.story_id))
        .map(|(i, _)| i)
        .collect();
    rebuild(tx, st, forced_held)?;
    let stale = now - chrono::Duration::minutes(RERANK_AFTER_MINUTES);
    let mut due: Vec<(bool, f64, u32, i64)> = st
        .story_of
        .iter()
        .filter_map(|(&c, &id)| {
            let forced = force.contains(&id);
            let old = st.ranked_at.get(&id).is_none_or(|t| *t <= stale);
            let total = st.signals.get(&id).map_or(0.0, |s| s.total);
            (forced || old).then_some((forced, total, c, id))
        })
        .collect();
    due.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.3.cmp(&b.3)));
    let forced = due.iter().filter(|d| d.0).count();
    due.truncate(RERANK_PER_PASS.max(forced));
    let clusters: Vec<u32> = due.iter().map(|d| d.2).collect();
    if clusters.is_empty() {
        return Ok(0);
    }
    // Read only when something is re-ranked: it scans the beat's links.
    st.clusterer
        .set_excluded(stories::excluded_for_beat(tx, beat_id)?);
    let mut n = 0;
    for (c, signal) in st.clusterer.signals_of(&clusters, &st.dups, now) {
        let Some(&id) = st.story_of.get(&c) else {
            continue;
        };
        st.ranked_at.insert(id, now);
        if st.signals.get(&id) != Some(&signal) {
            stories::set_signal(tx, id, &signal)?;
            st.signals.insert(id, signal);
            n += 1;
        }
    }
    Ok(n)
}
