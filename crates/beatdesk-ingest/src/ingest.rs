//! The ingest job: every due source of a beat, page by page (one transaction
//! per page; the next page is parsed on a second thread meanwhile), then web
//! citations, with per-source figures and progress.
//! One source failing (bad parameters, network, parse) never stops the others.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;

use beatdesk_store::{sources, Store};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::citations::{cite, pending_for_beat, CitationReport, CiteOptions};
use crate::config::{BeatConfig, SourceConfig};
use crate::error::Result;
use crate::guard::{NameLookup, SystemLookup};
use crate::http::Http;
use crate::pipeline::{fingerprint, Dedup, Fingerprint, Outcome, Policy, Verdict};
use crate::secrets::{bluesky_app_password, reddit_credentials, std_env, SecretStore};
use crate::sources::bluesky::BlueskySource;
use crate::sources::feed::FeedSource;
use crate::sources::reddit::RedditSource;
use crate::sources::{FetchState, Fetched, Page, Source};

/// Per-source figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceReport {
    pub source_id: i64,
    pub kind: String,
    pub label: String,
    /// Not due yet (next_check_at in the future) and not forced.
    pub skipped: bool,
    /// The feed answered 304 Not Modified.
    pub not_modified: bool,
    pub pages: usize,
    pub fetched: usize,
    pub new: usize,
    pub updated: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub rejected_reasons: BTreeMap<String, usize>,
    pub duplicate_reasons: BTreeMap<String, usize>,
    pub errors: Vec<String>,
    pub web: CitationReport,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestReport {
    pub beat_id: i64,
    pub sources: Vec<SourceReport>,
    /// Errors outside any one source (the store could not be read…).
    pub errors: Vec<String>,
    /// Links of earlier runs' records, tried again in this run.
    pub web_retried: CitationReport,
}

impl IngestReport {
    pub fn new_records(&self) -> usize {
        self.sources
            .iter()
            .map(|s| s.new + s.web.new)
            .sum::<usize>()
            + self.web_retried.new
    }
    pub fn error_count(&self) -> usize {
        self.errors.len()
            + self.web_retried.errors.len()
            + self
                .sources
                .iter()
                .map(|s| s.errors.len() + s.web.errors.len())
                .sum::<usize>()
    }
}

/// Progress for a per-source progress bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum SourceProgress {
    Started {
        source_id: i64,
        label: String,
    },
    Page {
        source_id: i64,
        page: usize,
        fetched: usize,
        limit: usize,
    },
    Citations {
        source_id: i64,
        links: usize,
    },
    Finished {
        source_id: i64,
        ok: bool,
        last_error: Option<String>,
    },
}

#[derive(Clone)]
pub struct IngestOptions {
    /// Fetch every source, due or not.
    pub force: bool,
    /// Environment lookup for the BEATDESK_* credential variables (injectable for tests).
    pub env: fn(&str) -> Option<String>,
    /// The web-citation pass: pool, per-host limit, deadlines, attempts.
    pub cite: CiteOptions,
    /// DNS for links found in records (the private-address guard checks its
    /// answers); None is the system resolver. Tests pass a table.
    pub link_lookup: Option<Arc<dyn NameLookup>>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            force: false,
            env: std_env,
            cite: CiteOptions::default(),
            link_lookup: None,
        }
    }
}

/// Ingests the beat's due sources. See `ingest_beat_with` to force or inject the environment.
pub async fn ingest_beat(
    store: &Store,
    beat_id: i64,
    config: &BeatConfig,
    http: &Http,
    secrets: &dyn SecretStore,
    now: DateTime<Utc>,
    progress: impl Fn(SourceProgress),
) -> IngestReport {
    ingest_beat_with(
        store,
        beat_id,
        config,
        http,
        secrets,
        now,
        &IngestOptions::default(),
        progress,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn ingest_beat_with(
    store: &Store,
    beat_id: i64,
    config: &BeatConfig,
    http: &Http,
    secrets: &dyn SecretStore,
    now: DateTime<Utc>,
    opts: &IngestOptions,
    progress: impl Fn(SourceProgress),
) -> IngestReport {
    let mut report = IngestReport {
        beat_id,
        ..IngestReport::default()
    };
    // The configuration is the truth: sync the rows (fetch state of unchanged sources is kept).
    let rows = store
        .write(|tx| -> Result<_> {
            sources::replace_for_beat(tx, beat_id, &config.to_source_rows(), now)?;
            Ok(sources::list_for_beat(tx, beat_id)?)
        })
        .and_then(|rows| Ok((rows, Dedup::load_from(store, beat_id)?)));
    let (rows, mut dedup) = match rows {
        Ok(x) => x,
        Err(e) => {
            report.errors.push(e.to_string());
            return report;
        }
    };
    let policy = Policy {
        window_days: config.window_days,
        allow_nsfw: config.allow_nsfw,
        now,
    };
    // Links of kept records, fetched after every source is stored: (record, link).
    let mut citing: Vec<(i64, String)> = Vec::new();
    // Citing record → index of its source's report, to attribute figures.
    let mut citer_source: HashMap<i64, usize> = HashMap::new();
    let mut deferred: Vec<SourceProgress> = Vec::new();
    for row in rows {
        let cfg = match SourceConfig::from_params(&row.kind, &row.params) {
            Ok(c) => c,
            Err(e) => {
                report.sources.push(SourceReport {
                    source_id: row.id,
                    kind: row.kind.clone(),
                    errors: vec![e.to_string()],
                    ..Default::default()
                });
                continue;
            }
        };
        let mut sr = SourceReport {
            source_id: row.id,
            kind: row.kind.clone(),
            label: cfg.label(),
            ..Default::default()
        };
        if !opts.force && row.next_check_at.is_some_and(|t| t > now) {
            sr.skipped = true;
            report.sources.push(sr);
            continue;
        }
        // One fetch of a source at a time across desks and cron (PostgreSQL);
        // one being fetched elsewhere is skipped, and one fetched elsewhere
        // while this run waited is not fetched again.
        let _lock = match store.try_lock_source(row.id) {
            Ok(Some(lock)) => lock,
            Ok(None) => {
                sr.skipped = true;
                report.sources.push(sr);
                continue;
            }
            Err(e) => {
                sr.errors.push(e.to_string());
                report.sources.push(sr);
                continue;
            }
        };
        let row = match store.read(|c| sources::get(c, row.id)) {
            Ok(Some(fresh)) => fresh,
            _ => row,
        };
        if !opts.force && row.next_check_at.is_some_and(|t| t > now) {
            sr.skipped = true;
            report.sources.push(sr);
            continue;
        }
        progress(SourceProgress::Started {
            source_id: row.id,
            label: sr.label.clone(),
        });
        let state = FetchState {
            etag: row.etag.clone(),
            last_modified: row.last_modified.clone(),
        };
        let mut run = SourceRun {
            store,
            dedup: &mut dedup,
            http,
            policy,
            source_id: row.id,
            progress: &progress,
            citing: Vec::new(),
            max_cites: config.max_web_citations as usize,
        };
        let outcome = match cfg {
            SourceConfig::Reddit {
                subreddit,
                query,
                base_url,
                oauth_base_url,
                limit,
            } => {
                let creds = match reddit_credentials(secrets, &opts.env) {
                    Ok(c) => c,
                    Err(e) => {
                        // No keychain: Reddit still works without OAuth.
                        sr.errors
                            .push(format!("{e}; continuing without Reddit credentials"));
                        None
                    }
                };
                let mut src = RedditSource::new(
                    subreddit,
                    query,
                    base_url,
                    oauth_base_url,
                    limit,
                    creds,
                    now,
                );
                run.pages(&mut src, &state, &mut sr).await
            }
            SourceConfig::Bluesky {
                query,
                actor,
                handle,
                base_url,
                limit,
            } => {
                let env = opts.env;
                let h = handle.clone();
                let password = Box::new(move || bluesky_app_password(secrets, &h, &env));
                let mut src = BlueskySource::new(
                    query, actor, handle, base_url, limit, now, secrets, password,
                );
                run.pages(&mut src, &state, &mut sr).await
            }
            SourceConfig::Feed { url } => {
                let mut src = FeedSource { url, now };
                run.pages(&mut src, &state, &mut sr).await
            }
        };
        let has_links = !run.citing.is_empty();
        for (id, link) in std::mem::take(&mut run.citing) {
            citer_source.insert(id, report.sources.len());
            citing.push((id, link));
        }
        let ok = outcome.is_ok();
        let last_error = outcome.as_ref().err().cloned();
        let state_write = store.write(|tx| -> Result<()> {
            match &outcome {
                Ok((etag, last_modified, cursor)) => sources::record_success(
                    tx,
                    row.id,
                    etag.as_deref(),
                    last_modified.as_deref(),
                    cursor.as_deref(),
                    now + Duration::minutes(config.refresh_minutes as i64),
                    now,
                )?,
                Err(e) => {
                    // Back off: refresh interval doubled per consecutive error, at most a day.
                    let factor = 1i64 << (row.error_count.clamp(0, 5) + 1);
                    let wait =
                        Duration::minutes((config.refresh_minutes as i64 * factor).min(24 * 60));
                    sources::record_failure(tx, row.id, e, now + wait)?
                }
            }
            Ok(())
        });
        if let Err(e) = state_write {
            sr.errors.push(e.to_string());
        }
        let finished = SourceProgress::Finished {
            source_id: row.id,
            ok,
            last_error,
        };
        // A source whose posts link to pages finishes after the citation pass.
        if has_links {
            deferred.push(finished);
        } else {
            progress(finished);
        }
        report.sources.push(sr);
    }
    cite_links(
        store,
        beat_id,
        config,
        http,
        &mut dedup,
        citing,
        citer_source,
        &policy,
        opts,
        &progress,
        &mut report,
    )
    .await;
    for finished in deferred {
        progress(finished);
    }
    report
}

/// The run's web-citation pass: this run's links plus those earlier runs
/// could not fetch, through the links' client (guarded unless the beat allows
/// private links). Figures go to the source of each page's first citer.
#[allow(clippy::too_many_arguments)]
async fn cite_links(
    store: &Store,
    beat_id: i64,
    config: &BeatConfig,
    http: &Http,
    dedup: &mut Dedup,
    mut citing: Vec<(i64, String)>,
    citer_source: HashMap<i64, usize>,
    policy: &Policy,
    opts: &IngestOptions,
    progress: &impl Fn(SourceProgress),
    report: &mut IngestReport,
) {
    match store.read(|c| pending_for_beat(c, beat_id)) {
        Ok(earlier) => citing.extend(earlier),
        Err(e) => report.errors.push(format!("links to retry: {e}")),
    }
    if citing.is_empty() {
        return;
    }
    let mut per_source: BTreeMap<usize, usize> = BTreeMap::new();
    for (id, _) in &citing {
        if let Some(&i) = citer_source.get(id) {
            *per_source.entry(i).or_default() += 1;
        }
    }
    for (i, links) in per_source {
        progress(SourceProgress::Citations {
            source_id: report.sources[i].source_id,
            links,
        });
    }
    // One page's retries must fit its deadline; links never wait minutes.
    let mut link_opts = http.options().clone();
    link_opts.max_attempts = link_opts.max_attempts.min(2);
    link_opts.timeout = link_opts.timeout.min(opts.cite.page_deadline);
    link_opts.max_wait = link_opts.max_wait.min(opts.cite.page_deadline / 4);
    let client = if config.allow_private_links {
        Http::new(link_opts)
    } else {
        let lookup = opts
            .link_lookup
            .clone()
            .unwrap_or_else(|| Arc::new(SystemLookup));
        Http::guarded(link_opts, lookup)
    };
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            report.errors.push(format!("web citations: {e}"));
            return;
        }
    };
    let sources = &mut report.sources;
    let mut elsewhere = CitationReport::default();
    let attribute = |citer: i64, one: &CitationReport| {
        let into = match citer_source.get(&citer) {
            Some(&i) => &mut sources[i].web,
            None => &mut elsewhere,
        };
        into.fetched += one.fetched;
        into.new += one.new;
        into.linked += one.linked;
        into.pending += one.pending;
        into.given_up += one.given_up;
        into.errors.extend(one.errors.iter().cloned());
    };
    cite(
        store, beat_id, dedup, &client, &citing, policy, &opts.cite, attribute,
    )
    .await;
    report.web_retried = elsewhere;
}

/// One source's paging through the store: what `ingest_beat` runs per
/// source. Public so that benchmarks drive the very same path.
pub struct SourceRun<'a, P: Fn(SourceProgress)> {
    pub store: &'a Store,
    pub dedup: &'a mut Dedup,
    pub http: &'a Http,
    pub policy: Policy,
    pub source_id: i64,
    pub progress: &'a P,
    /// (record id, link) of kept records whose links are to be fetched as web citations.
    pub citing: Vec<(i64, String)>,
    pub max_cites: usize,
}

/// Validators (ETag, Last-Modified) and the last cursor of a source's run.
pub type Validators = (Option<String>, Option<String>, Option<String>);

/// A parsed page with each item's near-duplicate fingerprint.
struct Prepared {
    page: Page,
    fingerprints: Vec<Fingerprint>,
}

fn prepare(fetched: Fetched) -> Result<Prepared> {
    let page = fetched.parse()?;
    let fingerprints = page.items.iter().map(fingerprint).collect();
    Ok(Prepared { page, fingerprints })
}

type Job = Box<dyn FnOnce() + Send>;
type Pending = tokio::sync::oneshot::Receiver<Result<Prepared>>;

/// Parses, normalises and fingerprints fetched pages on a second thread, so
/// that page N+1 is made ready while page N is judged and stored (both cores
/// busy). Without a thread (spawning failed) it works inline.
struct Parser {
    jobs: Option<std::sync::mpsc::Sender<Job>>,
}

impl Parser {
    fn start() -> Parser {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("beatdesk-parse".into())
            .spawn(move || {
                for job in rx {
                    // A panicking parser drops its answer (reported as an error), not the thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
        Parser {
            jobs: spawned.ok().map(|_| tx),
        }
    }

    /// Starts preparing a fetched page; the answer arrives on the receiver.
    fn submit(&self, fetched: Fetched) -> Pending {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(prepare(fetched));
        });
        match &self.jobs {
            Some(jobs) => {
                if let Err(std::sync::mpsc::SendError(job)) = jobs.send(job) {
                    job();
                }
            }
            None => job(),
        }
        rx
    }
}

fn failed(sr: &mut SourceReport, msg: String) -> std::result::Result<Validators, String> {
    sr.errors.push(msg.clone());
    Err(msg)
}

impl<P: Fn(SourceProgress)> SourceRun<'_, P> {
    /// Pages through one source, one transaction per page (a page's records
    /// land whole or not at all; a failing page keeps the pages before it).
    /// While page N is judged and stored here, page N+1's request is out and,
    /// once it has arrived, its body is parsed, normalised and fingerprinted
    /// on a second thread.
    /// Returns the validators and last cursor, or the error text.
    pub async fn pages<S: Source>(
        &mut self,
        src: &mut S,
        state: &FetchState,
        sr: &mut SourceReport,
    ) -> std::result::Result<Validators, String> {
        let limit = src.limit();
        let parser = Parser::start();
        let mut pending = match src.fetch_page(self.http, None, state).await {
            Ok(f) => parser.submit(f),
            Err(e) => return failed(sr, format!("{}: {e}", sr.label)),
        };
        loop {
            let Prepared { page, fingerprints } = match pending.await {
                Ok(Ok(p)) => p,
                Ok(Err(e)) => return failed(sr, format!("{}: {e}", sr.label)),
                Err(_) => {
                    return failed(
                        sr,
                        format!("{}: parsing the page failed (the parser stopped)", sr.label),
                    )
                }
            };
            if page.not_modified {
                sr.not_modified = true;
                return Ok((page.etag, page.last_modified, None));
            }
            sr.pages += 1;
            let take = limit.saturating_sub(sr.fetched).min(page.items.len());
            let items = &page.items[..take];
            let fingerprints = &fingerprints[..take];
            sr.fetched += items.len();
            // Stop at the limit, at the end, or once a page holds nothing new
            // (we caught up). Known before storing, so the next page can be
            // fetched and parsed while this one is stored.
            let more = page.next.is_some()
                && sr.fetched < limit
                && items.iter().any(|it| self.dedup.is_new(it));
            let next = {
                let (store, http, policy, source_id) =
                    (self.store, self.http, self.policy, self.source_id);
                let (parser, cursor) = (&parser, page.next.as_deref());
                let src = &mut *src;
                let mut fetch_next = std::pin::pin!(async move {
                    if !more {
                        return None;
                    }
                    Some(
                        src.fetch_page(http, cursor, state)
                            .await
                            .map(|f| parser.submit(f)),
                    )
                });
                // Start on the next page first: a body at hand goes to the
                // parser thread, a request goes out (or waits out a rate
                // limit); this page is stored meanwhile, not after.
                let early =
                    std::future::poll_fn(|cx| std::task::Poll::Ready(fetch_next.as_mut().poll(cx)))
                        .await;
                let dedup = &mut *self.dedup;
                let written = store.write(|tx| -> Result<Vec<Outcome>> {
                    items
                        .iter()
                        .zip(fingerprints)
                        .map(|(it, fp)| {
                            dedup.apply_fingerprinted(tx, it, fp, Some(source_id), &policy)
                        })
                        .collect()
                });
                let outcomes = match written {
                    Ok(o) => o,
                    Err(e) => {
                        // The page was rolled back: rebuild the index from what is stored.
                        if let Ok(d) = Dedup::load_from(self.store, self.dedup.beat_id) {
                            *self.dedup = d;
                        }
                        let msg = format!("{}: storing page {}: {e}", sr.label, sr.pages);
                        return failed(sr, msg);
                    }
                };
                let mut new_in_page = 0;
                for (item, outcome) in items.iter().zip(outcomes) {
                    match outcome {
                        Outcome::Updated { .. } => sr.updated += 1,
                        Outcome::Repeated => {
                            sr.duplicates += 1;
                            *sr.duplicate_reasons
                                .entry("repeated in the same fetch".into())
                                .or_default() += 1;
                        }
                        Outcome::New { id, verdict } => {
                            new_in_page += 1;
                            match verdict {
                                Verdict::Kept => {
                                    sr.new += 1;
                                    for link in item.links.iter().take(self.max_cites) {
                                        self.citing.push((id, link.clone()));
                                    }
                                }
                                Verdict::Rejected { reason } => {
                                    sr.rejected += 1;
                                    *sr.rejected_reasons.entry(reason).or_default() += 1;
                                }
                                Verdict::Duplicate { kind, .. } => {
                                    sr.duplicates += 1;
                                    *sr.duplicate_reasons.entry(kind.to_string()).or_default() += 1;
                                }
                            }
                        }
                    }
                }
                // `is_new` foretold a new item; should another writer have stored it
                // meanwhile, stop as if it had not (the fetched next page is dropped).
                let caught_up = new_in_page == 0;
                (self.progress)(SourceProgress::Page {
                    source_id: self.source_id,
                    page: sr.pages,
                    fetched: sr.fetched,
                    limit,
                });
                match early {
                    _ if caught_up => None,
                    std::task::Poll::Ready(next) => next,
                    std::task::Poll::Pending => fetch_next.await,
                }
            };
            match next {
                None => return Ok((page.etag, page.last_modified, page.next)),
                Some(Ok(p)) => pending = p,
                Some(Err(e)) => return failed(sr, format!("{}: {e}", sr.label)),
            }
        }
    }
}
