//! One table of one beat into the store: rows read from the laptop, ids
//! translated, inserted or brought up to date, and what cannot go in named.

use std::collections::{BTreeMap, HashSet};

use postgres::types::ToSql;
use postgres::Transaction;
use rusqlite::Connection;

use super::tables::{self, Table, Val, RECORD, STORY, TARGET, TARGET_COLS};
use super::{BeatPush, IdMap, LocalBeat, HOME_FILE};
use crate::error::{PgStoreError, Result};

/// One laptop row: its id, its cells, and what had to change in them.
pub(super) struct Row {
    pub id: i64,
    pub vals: Vec<Val>,
    pub fixes: Vec<String>,
}

/// A table's rows of this beat, in the order they were written.
pub(super) fn read_rows(
    conn: &Connection,
    table: &Table,
    beat: &LocalBeat<'_>,
) -> Result<Vec<Row>> {
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
            let mut row = Row {
                id: r.get(0)?,
                vals: Vec::with_capacity(n),
                fixes: Vec::new(),
            };
            for i in 1..=n {
                let (v, fixed) = Val::from_sqlite(r.get_ref(i)?);
                if let Some(why) = fixed {
                    row.fixes.push(format!("{} {why}", table.cols[i - 1]));
                }
                row.vals.push(v);
            }
            Ok(row)
        })
        .map_err(home_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(home_err)?;
    Ok(rows)
}

/// Names a laptop row in a note: a record by its platform and id there.
fn row_name(table: &Table, row: &Row) -> String {
    let at = |c: &str| table.cols.iter().position(|x| *x == c);
    match (table.name, at("platform"), at("external_id")) {
        ("records", Some(p), Some(e)) => format!(
            "record {} {}",
            row.vals[p].text().unwrap_or("?"),
            row.vals[e].text().unwrap_or("?")
        ),
        _ => format!("{} row {}", table.name, row.id),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn push_table(
    tx: &mut Transaction<'_>,
    table: &Table,
    rows: Vec<Row>,
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
    'rows: for row in rows {
        // Said once, when the row goes in.
        let notes: Vec<String> = row
            .fixes
            .iter()
            .map(|fix| format!("{}: {fix}", row_name(table, &row)))
            .collect();
        let (local_id, mut vals) = (row.id, row.vals);
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
                vals[i] = Val::Text(super::remap::remap_json(t, &|k, l| map.get(k, l)));
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
                out.notes.extend(notes);
            }
            continue;
        };
        let remote: i64 = match tx.query_opt(&insert, &params).map_err(PgStoreError::from_db)? {
            Some(row) => {
                *out.added.entry(table.name).or_default() += 1;
                out.notes.extend(notes);
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
pub(super) fn drop_left_members(
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
pub(super) fn push_targets(
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
                .map(|i| r.get_ref(i).map(|v| Val::from_sqlite(v).0))
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
