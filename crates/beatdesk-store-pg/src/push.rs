//! `team push --from-home DIR`: a laptop's beats, with their sources,
//! records, stories, revisions, sign-offs, exports and audit, copied into the
//! shared store, one transaction per beat.
//!
//! Ids are translated and remembered in `push_map`, so a second push adds
//! only what is new. What cannot be merged is named and left out, never
//! half-written: a beat of the same name that did not come from this laptop,
//! a story whose revisions diverged in the store. The database's rules still
//! hold: a reporter's login cannot push sign-offs, export attempts or an
//! approved story, and the beat holding them is refused whole.

pub mod remap;
mod rows;
pub mod tables;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use postgres::{Client, Transaction};
use rusqlite::{Connection, OpenFlags};

use crate::error::{PgStoreError, Result};
use crate::migrate;
use rows::{drop_left_members, push_table, push_targets, read_rows};
use tables::{BEAT, STORY, TABLES};

/// What happened to one beat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeatPush {
    pub name: String,
    /// False when nothing of the beat was written (a conflict or a refusal).
    pub pushed: bool,
    /// Rows added per table (rows already in the store are not counted).
    pub added: BTreeMap<&'static str, u64>,
    /// Rows brought up to date (stories, memberships, decisions).
    pub updated: BTreeMap<&'static str, u64>,
    /// Each conflict in one sentence; the rest of the beat went in.
    pub conflicts: Vec<String>,
    /// What had to change to go in (text PostgreSQL cannot hold), named.
    pub notes: Vec<String>,
}

impl BeatPush {
    fn new(name: &str) -> BeatPush {
        BeatPush {
            name: name.to_string(),
            pushed: true,
            added: BTreeMap::new(),
            updated: BTreeMap::new(),
            conflicts: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn added_total(&self) -> u64 {
        self.added.values().sum()
    }

    pub fn updated_total(&self) -> u64 {
        self.updated.values().sum()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    pub beats: Vec<BeatPush>,
}

impl PushReport {
    pub fn added(&self) -> u64 {
        self.beats.iter().map(BeatPush::added_total).sum()
    }

    pub fn conflicts(&self) -> usize {
        self.beats.iter().map(|b| b.conflicts.len()).sum()
    }
}

/// The file a home keeps its store in.
pub const HOME_FILE: &str = "beatdesk.sqlite";

/// Pushes every beat of the home at `home` into the store behind `client`.
/// Errors only when nothing can be pushed at all (no home, an old file, a
/// store without `team init`); a beat's problem is in its `BeatPush`.
pub fn push_home(client: &mut Client, home: &Path) -> Result<PushReport> {
    let file = home.join(HOME_FILE);
    let bad = |problem: String| PgStoreError::Home {
        path: file.display().to_string(),
        problem,
    };
    if !file.is_file() {
        return Err(bad("no such file: is this a Beatdesk home?".into()));
    }
    let conn = Connection::open_with_flags(
        &file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| bad(e.to_string()))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    if version != migrate::SQLITE_VERSION {
        return Err(bad(format!(
            "its schema is version {version}, this Beatdesk pushes version {}: open the home with this Beatdesk first",
            migrate::SQLITE_VERSION
        )));
    }
    if migrate::version(client)? < 8 {
        return Err(PgStoreError::NotInitialised);
    }
    // One snapshot of the laptop for the whole push.
    conn.execute_batch("BEGIN")
        .map_err(|e| bad(e.to_string()))?;
    let beats: Vec<(i64, String, String, String, Option<String>)> = conn
        .prepare("SELECT id, name, config, created_at, removed_at FROM beats ORDER BY id")
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect()
        })
        .map_err(|e| bad(e.to_string()))?;
    let mut report = PushReport::default();
    for (i, (id, name, config, created_at, removed_at)) in beats.iter().enumerate() {
        let beat = LocalBeat {
            id: *id,
            name,
            config,
            created_at,
            removed_at: removed_at.as_deref(),
            origin: format!("{created_at}#{id}"),
            // Audit entries of no story (beats, targets…) travel with the first beat.
            first: i == 0,
        };
        let mut out = BeatPush::new(name);
        if let Err(e) = push_beat(client, &conn, &beat, &mut out) {
            out.pushed = false;
            out.added.clear();
            out.updated.clear();
            out.notes.clear();
            let hint = if e.is_denied() {
                ": sign-offs, export attempts and approved or exported stories need an editor's login"
            } else {
                ""
            };
            out.conflicts.push(format!("not pushed: {e}{hint}"));
        }
        report.beats.push(out);
    }
    Ok(report)
}

pub(crate) struct LocalBeat<'a> {
    pub(crate) id: i64,
    pub(crate) name: &'a str,
    pub(crate) config: &'a str,
    pub(crate) created_at: &'a str,
    pub(crate) removed_at: Option<&'a str>,
    pub(crate) origin: String,
    pub(crate) first: bool,
}

/// Laptop id → store id, per kind, for one beat's origin. New pairs are
/// written to `push_map` a table at a time (one statement, not one a row).
pub(crate) struct IdMap<'o> {
    pub(crate) origin: &'o str,
    pub(crate) ids: HashMap<(String, i64), i64>,
    pending: Vec<(String, i64, i64, Option<String>)>,
}

impl IdMap<'_> {
    pub(crate) fn get(&self, kind: &str, local: i64) -> Option<i64> {
        self.ids.get(&(kind.to_string(), local)).copied()
    }

    pub(crate) fn add(&mut self, kind: &str, local: i64, remote: i64, actor: Option<&str>) {
        self.ids.insert((kind.to_string(), local), remote);
        self.pending
            .push((kind.to_string(), local, remote, actor.map(str::to_string)));
    }

    pub(crate) fn flush(&mut self, tx: &mut Transaction<'_>) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let kinds: Vec<&str> = pending.iter().map(|p| p.0.as_str()).collect();
        let locals: Vec<i64> = pending.iter().map(|p| p.1).collect();
        let remotes: Vec<i64> = pending.iter().map(|p| p.2).collect();
        let actors: Vec<Option<&str>> = pending.iter().map(|p| p.3.as_deref()).collect();
        tx.execute(
            "INSERT INTO push_map (origin, kind, local_id, remote_id, original_actor)
             SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[])",
            &[&self.origin, &kinds, &locals, &remotes, &actors],
        )
        .map_err(PgStoreError::from_db)?;
        Ok(())
    }
}

fn push_beat(
    client: &mut Client,
    conn: &Connection,
    beat: &LocalBeat<'_>,
    out: &mut BeatPush,
) -> Result<()> {
    let mut tx = client.transaction()?;
    // Two pushes of the same laptop take turns instead of racing.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        &[&beat.origin],
    )?;
    let mut map = IdMap {
        origin: &beat.origin,
        ids: HashMap::new(),
        pending: Vec::new(),
    };
    for r in tx.query(
        "SELECT kind, local_id, remote_id FROM push_map WHERE origin = $1",
        &[&beat.origin],
    )? {
        map.ids.insert((r.get(0), r.get(1)), r.get(2));
    }

    if map.get(BEAT, beat.id).is_none() {
        if let Some(row) = tx.query_opt(
            "SELECT b.created_at, (SELECT pushed_by FROM push_map m
                                   WHERE m.kind = 'beat' AND m.remote_id = b.id LIMIT 1)
             FROM beats b WHERE b.name = $1",
            &[&beat.name],
        )? {
            let (created, by): (String, Option<String>) = (row.get(0), row.get(1));
            let whose = match by {
                Some(login) => format!("pushed by {login} from another laptop"),
                None => "made in the store".to_string(),
            };
            out.pushed = false;
            out.conflicts.push(format!(
                "not pushed: a beat named {:?} is already in the store ({whose}, created {created}); rename one of them and push again",
                beat.name
            ));
            return Ok(());
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO beats (name, config, created_at, removed_at) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&beat.name, &beat.config, &beat.created_at, &beat.removed_at],
            )
            .map_err(PgStoreError::from_db)?
            .get(0);
        map.add(BEAT, beat.id, id, None);
        *out.added.entry("beats").or_default() += 1;
    }

    let known_stories: HashSet<i64> = map
        .ids
        .keys()
        .filter(|(k, _)| k == STORY)
        .map(|(_, l)| *l)
        .collect();
    let mut diverged: HashSet<i64> = HashSet::new();
    let mut held: BTreeMap<&'static str, u64> = BTreeMap::new();
    for table in TABLES {
        if table.name == "target_exports" {
            push_targets(&mut tx, conn, beat, &mut map, out)?;
        }
        let rows = read_rows(conn, table, beat)?;
        push_table(
            &mut tx,
            table,
            rows,
            &mut map,
            &known_stories,
            &mut diverged,
            &mut held,
            out,
        )?;
        map.flush(&mut tx)?;
        if table.name == "story_records" {
            drop_left_members(&mut tx, conn, &map, &known_stories, out)?;
        }
    }
    // Spans follow the members just pushed: a new process reads them to
    // continue the beat's analysis.
    if let Some(remote_beat) = map.get(BEAT, beat.id) {
        tx.execute(
            "UPDATE stories SET
               first_at = (SELECT MIN(r.published_at) FROM story_records sr JOIN records r ON r.id = sr.record_id
                           WHERE sr.story_id = stories.id AND r.platform <> 'manual'),
               last_at = (SELECT MAX(r.published_at) FROM story_records sr JOIN records r ON r.id = sr.record_id
                          WHERE sr.story_id = stories.id AND r.platform <> 'manual')
             WHERE beat_id = $1",
            &[&remote_beat],
        )
            .map_err(PgStoreError::from_db)?;
    }
    for (table, n) in held {
        out.conflicts.push(format!(
            "{n} row(s) of {table} held back: they belong to revisions not pushed"
        ));
    }
    if out.added_total() + out.updated_total() > 0 {
        let detail = serde_json::json!({
            "beat": beat.name,
            "origin": beat.origin,
            "added": out.added,
            "updated": out.updated,
        })
        .to_string();
        tx.execute(
            "INSERT INTO audit_log (at, actor, action, story_id, detail)
             VALUES (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), session_user, 'team_push', NULL, $1)",
            &[&detail],
        )
        .map_err(PgStoreError::from_db)?;
    }
    tx.commit().map_err(PgStoreError::from_db)?;
    Ok(())
}
