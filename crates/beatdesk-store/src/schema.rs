//! The schema: the current SQL at the top, upgrades as match arms below.
//!
//! A new database gets `CURRENT_SQL` directly; an old one is walked through
//! `upgrade_from` one version at a time. `tests::upgrading_v1_matches_a_fresh_database`
//! keeps the two paths equal.

use rusqlite::{Connection, Transaction};

use crate::{Result, StoreError};

/// Versions 4–8 are reserved, one per workstream of the current wave, so
/// parallel branches never collide on a number; a reserved arm that nobody
/// filled upgrades nothing.
pub const VERSION: i64 = 9;

/// The whole schema at `VERSION`.
pub const CURRENT_SQL: &str = r#"
CREATE TABLE beats (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    config      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    beat_id       INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    params        TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    cursor        TEXT,
    next_check_at TEXT,
    error_count   INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    last_fetch_at TEXT
);

CREATE TABLE records (
    id            INTEGER PRIMARY KEY,
    beat_id       INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
    source_id     INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    platform      TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    url           TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    author        TEXT NOT NULL,
    community     TEXT,
    published_at  TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    metrics       TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL DEFAULT 'kept' CHECK (status IN ('kept','rejected','duplicate')),
    reason        TEXT,
    duplicate_of  INTEGER REFERENCES records(id) ON DELETE SET NULL,
    note          TEXT,
    added_by      TEXT,
    UNIQUE (beat_id, platform, external_id)
);
CREATE INDEX records_beat_published ON records(beat_id, published_at);
CREATE INDEX records_canonical ON records(beat_id, canonical_url);
CREATE INDEX records_unusual ON records(beat_id, id) WHERE status <> 'kept' OR platform = 'manual';
CREATE INDEX records_platform ON records(beat_id, platform);

CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    beat_id     INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'candidate',
    signal      REAL NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    signal_detail TEXT NOT NULL DEFAULT '{}',
    top_terms   TEXT NOT NULL DEFAULT '[]',
    retired     INTEGER NOT NULL DEFAULT 0,
    first_at    TEXT,
    last_at     TEXT
);
CREATE INDEX stories_beat ON stories(beat_id, signal);
CREATE INDEX stories_beat_retired ON stories(beat_id, retired, id);

CREATE TABLE story_records (
    story_id   INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    included   INTEGER NOT NULL DEFAULT 1,
    weight     REAL NOT NULL DEFAULT 1.0,
    added_at   TEXT NOT NULL,
    why        TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (story_id, record_id)
);
CREATE INDEX story_records_record ON story_records(record_id);

CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    revision    INTEGER NOT NULL,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('writer','editor')),
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    document    TEXT NOT NULL,
    meta        TEXT NOT NULL DEFAULT '{}',
    UNIQUE (story_id, revision)
);

CREATE TABLE signoffs (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    draft_id    INTEGER NOT NULL REFERENCES drafts(id),
    editor      TEXT NOT NULL,
    note        TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE exports (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    draft_id    INTEGER NOT NULL REFERENCES drafts(id),
    target      TEXT NOT NULL,
    location    TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    story_id  INTEGER,
    detail    TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- v3: relations between records, from the platforms' own structure (a reply's
-- parent, a quote-post's record, a link card's URL, a comment's post, a web
-- citation's citing post). `target_key` is what the source said
-- ("<platform>:<external id>" or a canonical URL); `target_record_id` is filled
-- once that target is a record of the beat.
CREATE TABLE record_links (
    id               INTEGER PRIMARY KEY,
    beat_id          INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
    record_id        INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    target_key       TEXT NOT NULL,
    target_record_id INTEGER REFERENCES records(id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (record_id, kind, target_key)
);
CREATE INDEX record_links_beat ON record_links(beat_id, target_key);
CREATE INDEX record_links_target ON record_links(target_record_id);

-- v4 (ingest, issue 8): links found in records whose page could not be
-- fetched yet, one row per citing record, retried at later runs up to a cap.
CREATE TABLE pending_citations (
    id          INTEGER PRIMARY KEY,
    beat_id     INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
    record_id   INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL,
    given_up    INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL,
    UNIQUE (beat_id, record_id, url)
);

-- v5 (analyze, issue 9)
-- An editor's decision that a record belongs to a story (move, merge,
-- split): analysis keeps it, the latest decision per record wins.
CREATE TABLE story_decisions (
    record_id  INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,
    beat_id    INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
    story_id   INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    actor      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX story_decisions_beat ON story_decisions(beat_id, story_id);

-- v6 (verify and workflow, issue 10): a sign-off names the revision the
-- editor read and, when they signed over hard verification failures, why and
-- which; revisions, sign-offs and exports are history, never rewritten.
ALTER TABLE signoffs ADD COLUMN override_reason TEXT;
ALTER TABLE signoffs ADD COLUMN failures TEXT NOT NULL DEFAULT '[]';
CREATE TRIGGER drafts_no_delete BEFORE DELETE ON drafts
BEGIN SELECT RAISE(ABORT, 'drafts are append-only'); END;
CREATE TRIGGER signoffs_no_update BEFORE UPDATE ON signoffs
BEGIN SELECT RAISE(ABORT, 'sign-offs are append-only'); END;
CREATE TRIGGER signoffs_no_delete BEFORE DELETE ON signoffs
BEGIN SELECT RAISE(ABORT, 'sign-offs are append-only'); END;
CREATE TRIGGER exports_no_update BEFORE UPDATE ON exports
BEGIN SELECT RAISE(ABORT, 'exports are append-only'); END;
CREATE TRIGGER exports_no_delete BEFORE DELETE ON exports
BEGIN SELECT RAISE(ABORT, 'exports are append-only'); END;

-- v7 (CMS export, issue 12): export targets by name (their secrets live in the
-- keychain, never here) and every export attempt to them, append-only, with the
-- remote post id an update goes to. A removed target keeps its history.
CREATE TABLE targets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('wordpress','ghost','webhook')),
    url         TEXT NOT NULL,
    username    TEXT,
    created_at  TEXT NOT NULL,
    removed_at  TEXT
);
CREATE UNIQUE INDEX targets_live_name ON targets(name) WHERE removed_at IS NULL;
CREATE TABLE target_exports (
    id                INTEGER PRIMARY KEY,
    target_id         INTEGER NOT NULL REFERENCES targets(id),
    story_id          INTEGER NOT NULL REFERENCES stories(id),
    draft_id          INTEGER NOT NULL REFERENCES drafts(id),
    action            TEXT NOT NULL CHECK (action IN ('create','update','none','failed')),
    remote_id         TEXT,
    url               TEXT,
    remote_updated_at TEXT,
    status            TEXT,
    event             TEXT,
    content_hash      TEXT NOT NULL,
    error_code        TEXT,
    error             TEXT,
    actor             TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX target_exports_story ON target_exports(story_id, target_id);
CREATE TRIGGER target_exports_no_update BEFORE UPDATE ON target_exports
BEGIN SELECT RAISE(ABORT, 'export attempts are append-only'); END;
CREATE TRIGGER target_exports_no_delete BEFORE DELETE ON target_exports
BEGIN SELECT RAISE(ABORT, 'export attempts are append-only'); END;

-- v8 (review desk, issue 11)
-- A record's citation label in a story ([1], [2]…): given once, when the record
-- first joins the story, and never changed or reused, so "[8]" in the window,
-- an export and a sign-off note is the same source for the life of the story.
CREATE TABLE story_labels (
    story_id   INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    record_id  INTEGER NOT NULL,
    label      INTEGER NOT NULL,
    PRIMARY KEY (story_id, record_id),
    UNIQUE (story_id, label)
);
CREATE TRIGGER story_labels_assign AFTER INSERT ON story_records
BEGIN
    INSERT OR IGNORE INTO story_labels (story_id, record_id, label)
    VALUES (NEW.story_id, NEW.record_id,
            (SELECT COALESCE(MAX(label), 0) + 1 FROM story_labels WHERE story_id = NEW.story_id));
END;
CREATE TRIGGER story_labels_immutable BEFORE UPDATE ON story_labels
BEGIN SELECT RAISE(ABORT, 'citation labels are stable: they are never changed'); END;
-- A removed beat is hidden, not deleted: its revisions, sign-offs and exports are history.
ALTER TABLE beats ADD COLUMN removed_at TEXT;
-- An editor's unsaved text, one per story, so a crash loses nothing.
CREATE TABLE edit_buffers (
    story_id      INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    base_revision INTEGER NOT NULL,
    document      TEXT NOT NULL,
    saved_at      TEXT NOT NULL
);

-- Revisions and the audit log are history: they are appended, never rewritten.
CREATE TRIGGER drafts_immutable BEFORE UPDATE ON drafts
BEGIN SELECT RAISE(ABORT, 'drafts are immutable: write a new revision'); END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

/// v6's statements, shared by `CURRENT_SQL` and the upgrade arm.
const V6_SQL: &str = r#"
ALTER TABLE signoffs ADD COLUMN override_reason TEXT;
ALTER TABLE signoffs ADD COLUMN failures TEXT NOT NULL DEFAULT '[]';
CREATE TRIGGER drafts_no_delete BEFORE DELETE ON drafts
BEGIN SELECT RAISE(ABORT, 'drafts are append-only'); END;
CREATE TRIGGER signoffs_no_update BEFORE UPDATE ON signoffs
BEGIN SELECT RAISE(ABORT, 'sign-offs are append-only'); END;
CREATE TRIGGER signoffs_no_delete BEFORE DELETE ON signoffs
BEGIN SELECT RAISE(ABORT, 'sign-offs are append-only'); END;
CREATE TRIGGER exports_no_update BEFORE UPDATE ON exports
BEGIN SELECT RAISE(ABORT, 'exports are append-only'); END;
CREATE TRIGGER exports_no_delete BEFORE DELETE ON exports
BEGIN SELECT RAISE(ABORT, 'exports are append-only'); END;
"#;

/// The first released schema, kept verbatim so the upgrade test starts from it.
pub const V1_SQL: &str = r#"
CREATE TABLE beats (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    config      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    beat_id     INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    params      TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL
);
CREATE TABLE records (
    id            INTEGER PRIMARY KEY,
    beat_id       INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
    source_id     INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    platform      TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    url           TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    author        TEXT NOT NULL,
    community     TEXT,
    published_at  TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    metrics       TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL DEFAULT 'kept' CHECK (status IN ('kept','rejected','duplicate')),
    reason        TEXT,
    duplicate_of  INTEGER REFERENCES records(id) ON DELETE SET NULL,
    note          TEXT,
    added_by      TEXT,
    UNIQUE (beat_id, platform, external_id)
);
CREATE INDEX records_beat_published ON records(beat_id, published_at);
CREATE INDEX records_canonical ON records(beat_id, canonical_url);
CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    beat_id     INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'candidate',
    signal      REAL NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX stories_beat ON stories(beat_id, signal);
CREATE TABLE story_records (
    story_id   INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    included   INTEGER NOT NULL DEFAULT 1,
    weight     REAL NOT NULL DEFAULT 1.0,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (story_id, record_id)
);
CREATE INDEX story_records_record ON story_records(record_id);
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    revision    INTEGER NOT NULL,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('writer','editor')),
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    document    TEXT NOT NULL,
    meta        TEXT NOT NULL DEFAULT '{}',
    UNIQUE (story_id, revision)
);
CREATE TABLE signoffs (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    draft_id    INTEGER NOT NULL REFERENCES drafts(id),
    editor      TEXT NOT NULL,
    note        TEXT,
    created_at  TEXT NOT NULL
);
CREATE TABLE exports (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    draft_id    INTEGER NOT NULL REFERENCES drafts(id),
    target      TEXT NOT NULL,
    location    TEXT,
    created_at  TEXT NOT NULL
);
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    story_id  INTEGER,
    detail    TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER drafts_immutable BEFORE UPDATE ON drafts
BEGIN SELECT RAISE(ABORT, 'drafts are immutable: write a new revision'); END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

/// Brings `conn` to `VERSION`, in one transaction.
pub fn init(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction()?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: VERSION,
        });
    }
    if found == 0 {
        tx.execute_batch(CURRENT_SQL)?;
    } else {
        let mut version = found;
        while version < VERSION {
            upgrade_from(&tx, version)?;
            version += 1;
        }
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Upgrades a database at `version` to `version + 1`.
fn upgrade_from(tx: &Transaction, version: i64) -> Result<()> {
    match version {
        // v2: per-source fetch state for conditional GETs and back-off, stored
        // signal components and top terms, the "why in this story" terms, and settings.
        1 => tx.execute_batch(
            "ALTER TABLE sources ADD COLUMN etag TEXT;
             ALTER TABLE sources ADD COLUMN last_modified TEXT;
             ALTER TABLE sources ADD COLUMN cursor TEXT;
             ALTER TABLE sources ADD COLUMN next_check_at TEXT;
             ALTER TABLE sources ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0;
             ALTER TABLE sources ADD COLUMN last_error TEXT;
             ALTER TABLE sources ADD COLUMN last_fetch_at TEXT;
             ALTER TABLE stories ADD COLUMN signal_detail TEXT NOT NULL DEFAULT '{}';
             ALTER TABLE stories ADD COLUMN top_terms TEXT NOT NULL DEFAULT '[]';
             ALTER TABLE stories ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
             ALTER TABLE story_records ADD COLUMN why TEXT NOT NULL DEFAULT '[]';
             CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )?,
        // v3: relations between records (see `record_links` in CURRENT_SQL).
        2 => tx.execute_batch(
            "CREATE TABLE record_links (
                id               INTEGER PRIMARY KEY,
                beat_id          INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
                record_id        INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
                kind             TEXT NOT NULL,
                target_key       TEXT NOT NULL,
                target_record_id INTEGER REFERENCES records(id) ON DELETE SET NULL,
                created_at       TEXT NOT NULL,
                UNIQUE (record_id, kind, target_key)
             );
             CREATE INDEX record_links_beat ON record_links(beat_id, target_key);
             CREATE INDEX record_links_target ON record_links(target_record_id);
             UPDATE stories SET status = 'in_review' WHERE status = 'edited';",
        )?,
        // v4 (ingest, issue 8): links still to fetch, and web citations'
        // citing posts moved from a JSON `note` into `record_links` (cited_by).
        3 => tx.execute_batch(
            "CREATE TABLE pending_citations (
                id          INTEGER PRIMARY KEY,
                beat_id     INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
                record_id   INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
                url         TEXT NOT NULL,
                attempts    INTEGER NOT NULL DEFAULT 0,
                last_error  TEXT NOT NULL,
                given_up    INTEGER NOT NULL DEFAULT 0,
                updated_at  TEXT NOT NULL,
                UNIQUE (beat_id, record_id, url)
             );
             INSERT OR IGNORE INTO record_links (beat_id, record_id, kind, target_key, target_record_id, created_at)
               SELECT w.beat_id, w.id, 'cited_by', c.platform || ':' || c.external_id, c.id, w.fetched_at
               FROM records w, json_each(w.note, '$.cited_by') j JOIN records c ON c.id = j.value
               WHERE w.platform = 'web' AND json_valid(w.note) AND json_type(w.note, '$.cited_by') = 'array';
             UPDATE records SET note = NULL
               WHERE platform = 'web' AND json_valid(note) AND json_type(note, '$.cited_by') = 'array';",
        )?,
        // v5 (analyze, issue 9): editors' story decisions.
        4 => tx.execute_batch(
            "CREATE TABLE story_decisions (
                 record_id  INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,
                 beat_id    INTEGER NOT NULL REFERENCES beats(id) ON DELETE CASCADE,
                 story_id   INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
                 actor      TEXT NOT NULL,
                 created_at TEXT NOT NULL
             );
             CREATE INDEX story_decisions_beat ON story_decisions(beat_id, story_id);",
        )?,
        // v6 (verify and workflow, issue 10): sign-off overrides, append-only
        // drafts, sign-offs and exports (see CURRENT_SQL).
        5 => tx.execute_batch(V6_SQL)?,
        // v7 (CMS export, issue 12): targets and export attempts (see CURRENT_SQL).
        6 => tx.execute_batch(
            "CREATE TABLE targets (
                 id          INTEGER PRIMARY KEY,
                 name        TEXT NOT NULL,
                 kind        TEXT NOT NULL CHECK (kind IN ('wordpress','ghost','webhook')),
                 url         TEXT NOT NULL,
                 username    TEXT,
                 created_at  TEXT NOT NULL,
                 removed_at  TEXT
             );
             CREATE UNIQUE INDEX targets_live_name ON targets(name) WHERE removed_at IS NULL;
             CREATE TABLE target_exports (
                 id                INTEGER PRIMARY KEY,
                 target_id         INTEGER NOT NULL REFERENCES targets(id),
                 story_id          INTEGER NOT NULL REFERENCES stories(id),
                 draft_id          INTEGER NOT NULL REFERENCES drafts(id),
                 action            TEXT NOT NULL CHECK (action IN ('create','update','none','failed')),
                 remote_id         TEXT,
                 url               TEXT,
                 remote_updated_at TEXT,
                 status            TEXT,
                 event             TEXT,
                 content_hash      TEXT NOT NULL,
                 error_code        TEXT,
                 error             TEXT,
                 actor             TEXT NOT NULL,
                 created_at        TEXT NOT NULL
             );
             CREATE INDEX target_exports_story ON target_exports(story_id, target_id);
             CREATE TRIGGER target_exports_no_update BEFORE UPDATE ON target_exports
             BEGIN SELECT RAISE(ABORT, 'export attempts are append-only'); END;
             CREATE TRIGGER target_exports_no_delete BEFORE DELETE ON target_exports
             BEGIN SELECT RAISE(ABORT, 'export attempts are append-only'); END;",
        )?,
        // v8 (review desk, issue 11): stable citation labels (see `story_labels`
        // in CURRENT_SQL); existing stories number their records oldest first.
        7 => tx.execute_batch(
            "CREATE TABLE story_labels (
                story_id   INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
                record_id  INTEGER NOT NULL,
                label      INTEGER NOT NULL,
                PRIMARY KEY (story_id, record_id),
                UNIQUE (story_id, label)
             );
             INSERT INTO story_labels (story_id, record_id, label)
                SELECT sr.story_id, sr.record_id,
                       ROW_NUMBER() OVER (PARTITION BY sr.story_id ORDER BY r.published_at, r.id)
                FROM story_records sr JOIN records r ON r.id = sr.record_id;
             CREATE TRIGGER story_labels_assign AFTER INSERT ON story_records
             BEGIN
                 INSERT OR IGNORE INTO story_labels (story_id, record_id, label)
                 VALUES (NEW.story_id, NEW.record_id,
                         (SELECT COALESCE(MAX(label), 0) + 1 FROM story_labels WHERE story_id = NEW.story_id));
             END;
             CREATE TRIGGER story_labels_immutable BEFORE UPDATE ON story_labels
             BEGIN SELECT RAISE(ABORT, 'citation labels are stable: they are never changed'); END;
             ALTER TABLE beats ADD COLUMN removed_at TEXT;
             CREATE TABLE edit_buffers (
                story_id      INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
                base_revision INTEGER NOT NULL,
                document      TEXT NOT NULL,
                saved_at      TEXT NOT NULL
             );",
        )?,
        // v9 (issue 9): what a new process reads to continue the last
        // analysis pass without scanning the beat: each story's time span,
        // and indexes over the few records that are not plain kept ones, over
        // records by platform (web citations) and over stories' aggregates.
        8 => tx.execute_batch(
            "ALTER TABLE stories ADD COLUMN first_at TEXT;
             ALTER TABLE stories ADD COLUMN last_at TEXT;
             UPDATE stories SET
               first_at = (SELECT MIN(r.published_at) FROM story_records sr JOIN records r ON r.id = sr.record_id
                           WHERE sr.story_id = stories.id AND r.platform <> 'manual'),
               last_at = (SELECT MAX(r.published_at) FROM story_records sr JOIN records r ON r.id = sr.record_id
                          WHERE sr.story_id = stories.id AND r.platform <> 'manual');
             CREATE INDEX records_unusual ON records(beat_id, id) WHERE status <> 'kept' OR platform = 'manual';
             CREATE INDEX records_platform ON records(beat_id, platform);
             CREATE INDEX stories_beat_retired ON stories(beat_id, retired, id);",
        )?,
        other => {
            return Err(StoreError::Corrupt {
                what: "schema version",
                detail: format!("no upgrade path from version {other}"),
            })
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
