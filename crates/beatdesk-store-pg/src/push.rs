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

pub mod tables;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use postgres::types::ToSql;
use postgres::{Client, Transaction};
use rusqlite::{Connection, OpenFlags};

use crate::error::{PgStoreError, Result};
use crate::migrate;
use tables::{Table, Val, BEAT, RECORD, STORY, TABLES, TARGET, TARGET_COLS};

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
}

impl BeatPush {
    fn new(name: &str) -> BeatPush {
        BeatPush {
            name: name.to_string(),
            pushed: true,
            added: BTreeMap::new(),
            updated: BTreeMap::new(),
            conflicts: Vec::new(),
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

struct LocalBeat<'a> {
    id: i64,
    name: &'a str,
    config: &'a str,
    created_at: &'a str,
    removed_at: Option<&'a str>,
    origin: String,
    first: bool,
}

/// Laptop id → store id, per kind, for one beat's origin. New pairs are
/// written to `push_map` a table at a time (one statement, not one a row).
struct IdMap<'o> {
    origin: &'o str,
    ids: HashMap<(String, i64), i64>,
    pending: Vec<(String, i64, i64, Option<String>)>,
}

impl IdMap<'_> {
    fn get(&self, kind: &str, local: i64) -> Option<i64> {
        self.ids.get(&(kind.to_string(), local)).copied()
    }

    fn add(&mut self, kind: &str, local: i64, remote: i64, actor: Option<&str>) {
        self.ids.insert((kind.to_string(), local), remote);
        self.pending
            .push((kind.to_string(), local, remote, actor.map(str::to_string)));
    }

    fn flush(&mut self, tx: &mut Transaction<'_>) -> Result<()> {
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

/// A table's rows of this beat, in the order they were written.
fn read_rows(
    conn: &Connection,
    table: &Table,
    beat: &LocalBeat<'_>,
) -> Result<Vec<(i64, Vec<Val>)>> {
    let id = if table.own.is_some() { "id" } else { "rowid" };
    let mut filter = table.filter.to_string();
    if table.name == "audit_log" && beat.first {
        filter = format!("({filter} OR story_id IS NULL)");
    }
    let sql = format!(
        "SELECT {id}, {} FROM {} WHERE {filter} ORDER BY {id}",
        table.cols.join(", "),
        table.name
    );
    let home_err = |e: rusqlite::Error| PgStoreError::Home {
        path: format!("{} (table {})", HOME_FILE, table.name),
        problem: e.to_string(),
    };
    let mut stmt = conn.prepare(&sql).map_err(home_err)?;
    let n = table.cols.len();
    let rows = stmt
        .query_map([beat.id], |r| {
            let vals = (1..=n)
                .map(|i| r.get_ref(i).map(Val::from_sqlite))
                .collect::<rusqlite::Result<Vec<Val>>>()?;
            Ok((r.get::<_, i64>(0)?, vals))
        })
        .map_err(home_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(home_err)?;
    Ok(rows)
}

#[allow(clippy::too_many_arguments)]
fn push_table(
    tx: &mut Transaction<'_>,
    table: &Table,
    rows: Vec<(i64, Vec<Val>)>,
    map: &mut IdMap<'_>,
    known_stories: &HashSet<i64>,
    diverged: &mut HashSet<i64>,
    held: &mut BTreeMap<&'static str, u64>,
    out: &mut BeatPush,
) -> Result<()> {
    let placeholders: Vec<String> = (1..=table.cols.len()).map(|i| format!("${i}")).collect();
    let returning = if table.own.is_some() {
        "RETURNING id"
    } else {
        ""
    };
    let insert = tx.prepare(&format!(
        "INSERT INTO {} ({}) VALUES ({}) {} {returning}",
        table.name,
        table.cols.join(", "),
        placeholders.join(", "),
        table.on_conflict
    ))?;
    let col = |name: &str| table.cols.iter().position(|c| *c == name).unwrap();
    let mut fix_duplicates = Vec::new();
    'rows: for (local_id, mut vals) in rows {
        if let Some(kind) = table.own {
            if let Some(remote) = map.get(kind, local_id) {
                if table.name == "stories" {
                    update_story(tx, remote, &vals, table, out)?;
                }
                continue;
            }
        }
        let local_story = vals[0].int().unwrap_or_default();
        // Translate ids; a row whose parent was not pushed waits.
        let mut late_duplicate = None;
        for (c, kind) in table.refs {
            let i = col(c);
            let Some(local) = vals[i].int() else { continue };
            match map.get(kind, local) {
                Some(remote) => vals[i] = Val::Int(remote),
                None if tables::nullable_ref(table.name, c) => {
                    if *c == "duplicate_of" {
                        late_duplicate = Some(local);
                    }
                    vals[i] = Val::Null;
                }
                None => {
                    if table.name != "story_labels" {
                        *held.entry(table.name).or_default() += 1;
                    }
                    continue 'rows;
                }
            }
        }
        for c in table.json {
            let i = col(c);
            if let Val::Text(t) = &vals[i] {
                vals[i] = Val::Text(tables::remap_json(t, &|k, l| map.get(k, l)));
            }
        }
        if table.name == "drafts" {
            if diverged.contains(&local_story) {
                *held.entry("drafts").or_default() += 1;
                continue;
            }
            if known_stories.contains(&local_story) {
                if let Some(conflict) = diverges(tx, &vals)? {
                    out.conflicts.push(conflict);
                    diverged.insert(local_story);
                    continue;
                }
            }
        }
        let params: Vec<&(dyn ToSql + Sync)> =
            vals.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let Some(kind) = table.own else {
            let n = tx
                .execute(&insert, &params)
                .map_err(PgStoreError::from_db)?;
            if n > 0 {
                *out.added.entry(table.name).or_default() += n;
            }
            continue;
        };
        let remote: i64 = match tx.query_opt(&insert, &params).map_err(PgStoreError::from_db)? {
            Some(row) => {
                *out.added.entry(table.name).or_default() += 1;
                row.get(0)
            }
            // A record the store already has (fetched there too): the same row.
            None => tx
                .query_one(
                    "SELECT id FROM records WHERE beat_id = $1 AND platform = $2 AND external_id = $3",
                    &[&vals[col("beat_id")], &vals[col("platform")], &vals[col("external_id")]],
                )?
                .get(0),
        };
        let actor = table.actor.and_then(|a| vals[col(a)].text());
        map.add(kind, local_id, remote, actor);
        if let Some(dup) = late_duplicate {
            fix_duplicates.push((remote, dup));
        }
    }
    for (remote, dup) in fix_duplicates {
        if let Some(target) = map.get(RECORD, dup) {
            tx.execute(
                "UPDATE records SET duplicate_of = $1 WHERE id = $2",
                &[&target, &remote],
            )?;
        }
    }
    Ok(())
}

/// A revision the store already has a number for, written by someone else.
fn diverges(tx: &mut Transaction<'_>, draft: &[Val]) -> Result<Option<String>> {
    let (story, revision) = (
        draft[0].int().unwrap_or_default(),
        draft[1].int().unwrap_or_default(),
    );
    let row = tx.query_opt(
        "SELECT d.revision, d.actor, s.title FROM drafts d JOIN stories s ON s.id = d.story_id
         WHERE d.story_id = $1 ORDER BY d.revision DESC LIMIT 1",
        &[&story],
    )?;
    Ok(row.and_then(|r| {
        let (latest, actor, title): (i64, String, String) = (r.get(0), r.get(1), r.get(2));
        (revision <= latest).then(|| {
            format!(
                "story {title:?}: revision {revision} on this laptop diverged from revision {latest} by {actor} in the store; this laptop's revisions from {revision} on were not pushed"
            )
        })
    }))
}

fn update_story(
    tx: &mut Transaction<'_>,
    remote: i64,
    vals: &[Val],
    table: &Table,
    out: &mut BeatPush,
) -> Result<()> {
    let cols = tables::STORY_MUTABLE;
    let set: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 2))
        .collect();
    let new: Vec<String> = (0..cols.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "UPDATE stories SET {} WHERE id = $1 AND ({}) IS DISTINCT FROM ({})",
        set.join(", "),
        cols.join(", "),
        new.join(", ")
    );
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&remote];
    for c in cols {
        let i = table.cols.iter().position(|x| x == c).unwrap();
        params.push(&vals[i]);
    }
    let n = tx.execute(&sql, &params).map_err(PgStoreError::from_db)?;
    if n > 0 {
        *out.updated.entry("stories").or_default() += n;
    }
    Ok(())
}

/// A record that left one of this laptop's stories since the last push leaves it in the store too.
fn drop_left_members(
    tx: &mut Transaction<'_>,
    conn: &Connection,
    map: &IdMap<'_>,
    known_stories: &HashSet<i64>,
    out: &mut BeatPush,
) -> Result<()> {
    for local_story in known_stories {
        let Some(remote_story) = map.get(STORY, *local_story) else {
            continue;
        };
        let members: Vec<i64> = conn
            .prepare("SELECT record_id FROM story_records WHERE story_id = ?1")
            .and_then(|mut s| {
                s.query_map([local_story], |r| r.get::<_, i64>(0))?
                    .collect()
            })
            .map_err(|e| PgStoreError::Home {
                path: HOME_FILE.into(),
                problem: e.to_string(),
            })?;
        let remote_members: Vec<i64> = members.iter().filter_map(|m| map.get(RECORD, *m)).collect();
        let n = tx
            .execute(
                // Only records this laptop pushed: others' additions in the store stay.
                "DELETE FROM story_records sr WHERE sr.story_id = $1
                   AND NOT (sr.record_id = ANY($3))
                   AND EXISTS (SELECT 1 FROM push_map m WHERE m.origin = $2
                               AND m.kind = 'record' AND m.remote_id = sr.record_id)",
                &[&remote_story, &map.origin, &remote_members],
            )
            .map_err(PgStoreError::from_db)?;
        if n > 0 {
            *out.updated.entry("story_records").or_default() += n;
        }
    }
    Ok(())
}

/// The CMS targets this beat's export attempts name, matched by live name
/// in the store (the newsroom's site), else added.
fn push_targets(
    tx: &mut Transaction<'_>,
    conn: &Connection,
    beat: &LocalBeat<'_>,
    map: &mut IdMap<'_>,
    out: &mut BeatPush,
) -> Result<()> {
    let home_err = |e: rusqlite::Error| PgStoreError::Home {
        path: format!("{HOME_FILE} (table targets)"),
        problem: e.to_string(),
    };
    let sql = format!(
        "SELECT id, {} FROM targets WHERE id IN (SELECT target_id FROM target_exports
           WHERE story_id IN (SELECT id FROM stories WHERE beat_id = ?1)) ORDER BY id",
        TARGET_COLS.join(", ")
    );
    let mut stmt = conn.prepare(&sql).map_err(home_err)?;
    let rows = stmt
        .query_map([beat.id], |r| {
            let vals = (1..=TARGET_COLS.len())
                .map(|i| r.get_ref(i).map(Val::from_sqlite))
                .collect::<rusqlite::Result<Vec<Val>>>()?;
            Ok((r.get::<_, i64>(0)?, vals))
        })
        .map_err(home_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(home_err)?;
    for (local, vals) in rows {
        if map.get(TARGET, local).is_some() {
            continue;
        }
        let live = tx.query_opt(
            "SELECT id FROM targets WHERE name = $1 AND removed_at IS NULL",
            &[&vals[0]],
        )?;
        let remote: i64 = match live {
            Some(r) if vals[5] == Val::Null => r.get(0),
            _ => {
                let params: Vec<&(dyn ToSql + Sync)> =
                    vals.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                *out.added.entry("targets").or_default() += 1;
                tx.query_one(
                    "INSERT INTO targets (name, kind, url, username, created_at, removed_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &params,
                )
                .map_err(PgStoreError::from_db)?
                .get(0)
            }
        };
        map.add(TARGET, local, remote, None);
    }
    Ok(())
}
