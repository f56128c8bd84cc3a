//! The web-citation pass of an ingest run, off the sources' critical path:
//! records are stored first; the pages they link to are then fetched
//! concurrently (a small pool, at most two per host, a deadline per page and a
//! budget per run) and attached as they arrive. A host that fails in a way
//! another try cannot fix (DNS, connection refused, a proxy refusing the
//! tunnel, TLS, a 4xx other than a missing page) or misses a page's deadline is not tried again in the run. What was
//! not fetched is reported with the reason and kept in `pending_citations`,
//! to be tried at later runs, `max_attempts` times at most.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use beatdesk_store::{params, Connection};
use beatdesk_store::{to_sql_time, Store};
use beatdesk_types::Platform;
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;

use crate::error::{IngestError, Result};
use crate::http::Http;
use crate::normalize::canonical_url;
use crate::pipeline::{Dedup, Outcome, Policy};
use crate::web::{add_citations, fetch_article};

#[derive(Debug, Clone, PartialEq)]
pub struct CiteOptions {
    /// Pages fetched at once.
    pub pool: usize,
    /// Pages fetched at once from one host.
    pub per_host: usize,
    /// One page, retries included.
    pub page_deadline: Duration,
    /// The whole pass; links not started by then wait for a later run.
    pub run_budget: Duration,
    /// Runs that try a link before it is given up.
    pub max_attempts: u32,
}

impl Default for CiteOptions {
    fn default() -> Self {
        CiteOptions {
            pool: 6,
            per_host: 2,
            page_deadline: Duration::from_secs(15),
            run_budget: Duration::from_secs(60),
            max_attempts: 3,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CitationReport {
    /// Pages fetched.
    pub fetched: usize,
    /// New web records stored.
    pub new: usize,
    /// Citations recorded on web records (new or existing).
    pub linked: usize,
    /// Links kept for a later run.
    pub pending: usize,
    /// Links given up (tried `max_attempts` runs, or pointing at a private address).
    pub given_up: usize,
    /// Every link not fetched, with the reason; and store errors.
    pub errors: Vec<String>,
}

/// One distinct page to fetch and the records citing it.
struct Job {
    key: String,
    link: String,
    host: String,
    ids: Vec<i64>,
}

/// `host:port`: what fails together (a dead server, a refused tunnel).
fn origin(link: &str) -> String {
    match url::Url::parse(link) {
        Ok(u) => format!(
            "{}:{}",
            u.host_str().unwrap_or(""),
            u.port_or_known_default().unwrap_or(0)
        ),
        Err(_) => link.to_string(),
    }
}

/// Links of earlier runs still to fetch: `(citing record id, link)`.
pub fn pending_for_beat(conn: &Connection, beat_id: i64) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare(
        "SELECT record_id, url FROM pending_citations WHERE beat_id = ?1 AND given_up = 0 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([beat_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<beatdesk_store::db::Result<Vec<_>>>()?;
    Ok(rows)
}

fn note_failure(
    conn: &Connection,
    beat_id: i64,
    job: &Job,
    error: &str,
    give_up_now: bool,
    policy: &Policy,
    max_attempts: u32,
) -> Result<bool> {
    let mut given_up = false;
    for id in &job.ids {
        conn.execute(
            "INSERT INTO pending_citations (beat_id, record_id, url, attempts, last_error, given_up, updated_at)
             VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6)
             ON CONFLICT (beat_id, record_id, url) DO UPDATE SET
               attempts = pending_citations.attempts + 1, last_error = excluded.last_error,
               given_up = CASE WHEN excluded.given_up <> 0 OR pending_citations.attempts + 1 >= ?7
                          THEN 1 ELSE 0 END,
               updated_at = excluded.updated_at",
            params![beat_id, id, job.link, error, give_up_now, to_sql_time(policy.now), max_attempts],
        )?;
        given_up |= conn.query_row(
            "SELECT given_up FROM pending_citations WHERE beat_id = ?1 AND record_id = ?2 AND url = ?3",
            params![beat_id, id, job.link],
            |r| r.get::<_, bool>(0),
        )?;
    }
    Ok(given_up)
}

fn clear_pending(conn: &Connection, beat_id: i64, job: &Job) -> Result<()> {
    for id in &job.ids {
        conn.execute(
            "DELETE FROM pending_citations WHERE beat_id = ?1 AND record_id = ?2 AND url = ?3",
            params![beat_id, id, job.link],
        )?;
    }
    Ok(())
}

/// Stores web citations for `(citing record id, link)` pairs: each distinct
/// page is fetched once; a page already held just gains citers. `http` is
/// the links' client (guarded against private addresses unless the beat
/// allows them). Returns the figures; `on_result` also gets each page's
/// figures with its first citer, so the caller can attribute them to sources.
#[allow(clippy::too_many_arguments)]
pub async fn cite(
    store: &Store,
    beat_id: i64,
    dedup: &mut Dedup,
    http: &Http,
    citing: &[(i64, String)],
    policy: &Policy,
    opts: &CiteOptions,
    mut on_result: impl FnMut(i64, &CitationReport),
) -> CitationReport {
    let mut report = CitationReport::default();
    let mut jobs: Vec<Job> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (id, link) in citing {
        let key = canonical_url(link);
        let i = *index.entry(key.clone()).or_insert_with(|| {
            jobs.push(Job {
                key: key.clone(),
                link: link.clone(),
                host: origin(link),
                ids: Vec::new(),
            });
            jobs.len() - 1
        });
        if !jobs[i].ids.contains(id) {
            jobs[i].ids.push(*id);
        }
    }
    let mut queue: VecDeque<Job> = VecDeque::new();
    for job in jobs {
        if let Some(web_id) = dedup.id_of(Platform::Web, &job.key) {
            let done = store.write(|tx| -> Result<()> {
                add_citations(tx, web_id, &job.ids, policy.now)?;
                clear_pending(tx, beat_id, &job)
            });
            let mut one = CitationReport::default();
            match done {
                Ok(()) => one.linked += job.ids.len(),
                Err(e) => one.errors.push(format!("web citation {}: {e}", job.link)),
            }
            on_result(job.ids[0], &one);
            merge(&mut report, &one);
        } else {
            queue.push_back(job);
        }
    }

    let start = Instant::now();
    let mut in_flight = FuturesUnordered::new();
    let mut per_host: HashMap<String, usize> = HashMap::new();
    let mut dead: HashMap<String, String> = HashMap::new();
    loop {
        // Start what the pool, the hosts and the budget allow.
        while in_flight.len() < opts.pool.max(1) {
            let left = opts.run_budget.saturating_sub(start.elapsed());
            let Some(pos) = queue.iter().position(|j| {
                dead.contains_key(&j.host)
                    || per_host.get(&j.host).copied().unwrap_or(0) < opts.per_host.max(1)
            }) else {
                break;
            };
            let job = queue.remove(pos).expect("position is in the queue");
            // A host that failed for good, or a spent budget: recorded as not tried.
            let skip = if let Some(why) = dead.get(&job.host) {
                Some(format!("{} failed earlier in this run ({why})", job.host))
            } else if left.is_zero() {
                Some(format!(
                    "not tried: the run's {:.0} s budget for linked pages was used up",
                    opts.run_budget.as_secs_f64()
                ))
            } else {
                None
            };
            if let Some(err) = skip {
                settle(
                    store,
                    beat_id,
                    job,
                    Err(err),
                    false,
                    dedup,
                    policy,
                    opts,
                    &mut report,
                    &mut on_result,
                );
                continue;
            }
            *per_host.entry(job.host.clone()).or_default() += 1;
            let deadline = opts.page_deadline.min(left);
            in_flight.push(async move {
                let got = tokio::time::timeout(
                    deadline,
                    fetch_article(http, &job.link, Platform::Web, policy.now),
                )
                .await;
                (job, deadline, got)
            });
        }
        let Some((job, deadline, got)) = in_flight.next().await else {
            break;
        };
        if let Some(n) = per_host.get_mut(&job.host) {
            *n -= 1;
        }
        match got {
            Ok(Ok((item, _))) => {
                settle(
                    store,
                    beat_id,
                    job,
                    Ok(item),
                    false,
                    dedup,
                    policy,
                    opts,
                    &mut report,
                    &mut on_result,
                );
            }
            Ok(Err(e)) => {
                let private = matches!(e, IngestError::PrivateAddress { .. });
                // A missing page (404/410) says nothing about the host's other pages.
                let page_only = matches!(
                    e,
                    IngestError::Status {
                        status: 404 | 410,
                        ..
                    }
                );
                if e.is_permanent() && !private && !page_only {
                    dead.insert(job.host.clone(), e.to_string());
                }
                settle(
                    store,
                    beat_id,
                    job,
                    Err(e.to_string()),
                    private,
                    dedup,
                    policy,
                    opts,
                    &mut report,
                    &mut on_result,
                );
            }
            Err(_) => {
                let err = format!(
                    "{}: no page within the {:.1} s deadline",
                    job.link,
                    deadline.as_secs_f64()
                );
                // A host this slow would hold the pool: its other pages wait for a later run.
                dead.insert(job.host.clone(), err.clone());
                settle(
                    store,
                    beat_id,
                    job,
                    Err(err),
                    false,
                    dedup,
                    policy,
                    opts,
                    &mut report,
                    &mut on_result,
                );
            }
        }
    }
    report
}

fn merge(into: &mut CitationReport, one: &CitationReport) {
    into.fetched += one.fetched;
    into.new += one.new;
    into.linked += one.linked;
    into.pending += one.pending;
    into.given_up += one.given_up;
    into.errors.extend(one.errors.iter().cloned());
}

/// Stores a fetched page (or notes the failure) in one transaction.
#[allow(clippy::too_many_arguments)]
fn settle(
    store: &Store,
    beat_id: i64,
    job: Job,
    got: std::result::Result<crate::sources::Item, String>,
    give_up_now: bool,
    dedup: &mut Dedup,
    policy: &Policy,
    opts: &CiteOptions,
    report: &mut CitationReport,
    on_result: &mut impl FnMut(i64, &CitationReport),
) {
    let mut one = CitationReport::default();
    match got {
        Ok(item) => {
            one.fetched += 1;
            let result = store.write(|tx| -> Result<bool> {
                clear_pending(tx, beat_id, &job)?;
                // The page's rel=canonical may name a page already held.
                if let Some(web_id) = dedup.id_of(Platform::Web, &item.external_id) {
                    add_citations(tx, web_id, &job.ids, policy.now)?;
                    return Ok(false);
                }
                match dedup.apply(tx, &item, None, None, None, policy)? {
                    Outcome::New { id, .. } => {
                        add_citations(tx, id, &job.ids, policy.now)?;
                        Ok(true)
                    }
                    Outcome::Updated { id } => {
                        add_citations(tx, id, &job.ids, policy.now)?;
                        Ok(false)
                    }
                    Outcome::Repeated => Ok(false),
                }
            });
            match result {
                Ok(new) => {
                    one.linked += job.ids.len();
                    one.new += new as usize;
                }
                Err(e) => one.errors.push(format!("web citation {}: {e}", job.link)),
            }
        }
        Err(reason) => {
            let noted = store.write(|tx| {
                note_failure(
                    tx,
                    beat_id,
                    &job,
                    &reason,
                    give_up_now,
                    policy,
                    opts.max_attempts,
                )
            });
            match noted {
                Ok(true) => {
                    one.given_up += 1;
                    one.errors.push(format!(
                        "web citation {} not fetched (given up): {reason}",
                        job.link
                    ));
                }
                Ok(false) => {
                    one.pending += 1;
                    one.errors.push(format!(
                        "web citation {} not fetched (will retry): {reason}",
                        job.link
                    ));
                }
                Err(e) => one
                    .errors
                    .push(format!("web citation {}: {reason}; {e}", job.link)),
            }
        }
    }
    on_result(job.ids[0], &one);
    merge(report, &one);
}
