//! What `team push` copies, table by table: the columns read from the
//! laptop's SQLite file, which of them are ids to translate, and how each
//! table's rows tie to one beat.

use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use rusqlite::types::ValueRef;

/// One cell, as SQLite stored it.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Val {
    /// The cell, and what had to change for PostgreSQL to take it: its text
    /// type holds neither NUL characters nor bytes that are not UTF-8, which
    /// SQLite keeps (source text is hostile). Both become U+FFFD.
    pub fn from_sqlite(v: ValueRef<'_>) -> (Val, Option<&'static str>) {
        let text = |b: &[u8]| match std::str::from_utf8(b) {
            Ok(t) if t.contains('\0') => (
                Val::Text(t.replace('\0', "\u{FFFD}")),
                Some(
                    "held a NUL character, which PostgreSQL text cannot hold: replaced with U+FFFD",
                ),
            ),
            Ok(t) => (Val::Text(t.to_string()), None),
            Err(_) => (
                Val::Text(String::from_utf8_lossy(b).replace('\0', "\u{FFFD}")),
                Some("was not UTF-8: the bad bytes were replaced with U+FFFD"),
            ),
        };
        match v {
            ValueRef::Null => (Val::Null, None),
            ValueRef::Integer(i) => (Val::Int(i), None),
            ValueRef::Real(r) => (Val::Real(r), None),
            ValueRef::Text(t) | ValueRef::Blob(t) => text(t),
        }
    }

    pub fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Text(t) => Some(t),
            _ => None,
        }
    }
}

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            // SQLite keeps a whole REAL as an integer when it can.
            Val::Int(i) if *ty == Type::FLOAT8 => (*i as f64).to_sql(ty, out),
            Val::Int(i) => i.to_sql(ty, out),
            Val::Real(r) => r.to_sql(ty, out),
            Val::Text(t) => t.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT8 | Type::FLOAT8 | Type::TEXT)
    }

    to_sql_checked!();
}

/// A kind of mapped row: the `push_map.kind` of its ids.
pub type Kind = &'static str;
pub const BEAT: Kind = "beat";
pub const SOURCE: Kind = "source";
pub const RECORD: Kind = "record";
pub const STORY: Kind = "story";
pub const DRAFT: Kind = "draft";
pub const TARGET: Kind = "target";

/// Rows of this beat: the `WHERE` on the SQLite side (`?1` is the beat).
const OF_BEAT: &str = "beat_id = ?1";
const OF_STORIES: &str = "story_id IN (SELECT id FROM stories WHERE beat_id = ?1)";

/// How a table is pushed.
pub struct Table {
    pub name: &'static str,
    /// Kind of its own id in `push_map` (None: keyed by its unique columns).
    pub own: Option<Kind>,
    /// Columns copied, without `id`.
    pub cols: &'static [&'static str],
    /// Columns holding ids of other rows, and their kind.
    pub refs: &'static [(&'static str, Kind)],
    pub filter: &'static str,
    /// For rows without an id: the conflict clause (`ON CONFLICT …`).
    pub on_conflict: &'static str,
    /// The laptop's actor column, kept in `push_map.original_actor` where
    /// the store stamps its own.
    pub actor: Option<&'static str>,
    /// JSON columns naming rows by id (a document's citations are record
    /// ids): translated with the rest.
    pub json: &'static [&'static str],
}

/// In dependency order; history tables in the order rows were written.
pub const TABLES: &[Table] = &[
    Table {
        name: "sources",
        own: Some(SOURCE),
        cols: &[
            "beat_id",
            "kind",
            "params",
            "created_at",
            "etag",
            "last_modified",
            "cursor",
            "next_check_at",
            "error_count",
            "last_error",
            "last_fetch_at",
        ],
        refs: &[("beat_id", BEAT)],
        filter: OF_BEAT,
        on_conflict: "",
        actor: None,
        json: &[],
    },
    Table {
        name: "records",
        own: Some(RECORD),
        cols: &[
            "beat_id",
            "source_id",
            "platform",
            "external_id",
            "url",
            "canonical_url",
            "title",
            "text",
            "author",
            "community",
            "published_at",
            "fetched_at",
            "metrics",
            "status",
            "reason",
            "duplicate_of",
            "note",
            "added_by",
        ],
        refs: &[
            ("beat_id", BEAT),
            ("source_id", SOURCE),
            ("duplicate_of", RECORD),
        ],
        filter: OF_BEAT,
        // Someone's ingest on the server may have fetched the same item.
        on_conflict: "ON CONFLICT (beat_id, platform, external_id) DO NOTHING",
        actor: None,
        json: &[],
    },
    Table {
        name: "record_links",
        own: None,
        cols: &[
            "beat_id",
            "record_id",
            "kind",
            "target_key",
            "target_record_id",
            "created_at",
        ],
        refs: &[
            ("beat_id", BEAT),
            ("record_id", RECORD),
            ("target_record_id", RECORD),
        ],
        filter: OF_BEAT,
        on_conflict: "ON CONFLICT (record_id, kind, target_key) DO NOTHING",
        actor: None,
        json: &[],
    },
    Table {
        name: "pending_citations",
        own: None,
        cols: &[
            "beat_id",
            "record_id",
            "url",
            "attempts",
            "last_error",
            "given_up",
            "updated_at",
        ],
        refs: &[("beat_id", BEAT), ("record_id", RECORD)],
        filter: OF_BEAT,
        on_conflict: "ON CONFLICT (beat_id, record_id, url) DO NOTHING",
        actor: None,
        json: &[],
    },
    Table {
        name: "stories",
        own: Some(STORY),
        cols: &[
            "beat_id",
            "title",
            "status",
            "signal",
            "created_at",
            "updated_at",
            "signal_detail",
            "top_terms",
            "retired",
        ],
        refs: &[("beat_id", BEAT)],
        filter: OF_BEAT,
        on_conflict: "",
        actor: None,
        json: &[],
    },
    // Labels before memberships: the store's trigger numbers a record only
    // when it has no label yet, so the laptop's numbers are kept.
    Table {
        name: "story_labels",
        own: None,
        cols: &["story_id", "record_id", "label"],
        refs: &[("story_id", STORY), ("record_id", RECORD)],
        filter: OF_STORIES,
        on_conflict: "ON CONFLICT DO NOTHING",
        actor: None,
        json: &[],
    },
    Table {
        name: "story_records",
        own: None,
        cols: &[
            "story_id",
            "record_id",
            "included",
            "weight",
            "added_at",
            "why",
        ],
        refs: &[("story_id", STORY), ("record_id", RECORD)],
        filter: OF_STORIES,
        on_conflict: "ON CONFLICT (story_id, record_id) DO UPDATE
            SET included = EXCLUDED.included, weight = EXCLUDED.weight, why = EXCLUDED.why
            WHERE (story_records.included, story_records.weight, story_records.why)
                  IS DISTINCT FROM (EXCLUDED.included, EXCLUDED.weight, EXCLUDED.why)",
        actor: None,
        json: &[],
    },
    // Latest decision wins, as on the laptop.
    Table {
        name: "story_decisions",
        own: None,
        cols: &["record_id", "beat_id", "story_id", "actor", "created_at"],
        refs: &[
            ("record_id", RECORD),
            ("beat_id", BEAT),
            ("story_id", STORY),
        ],
        filter: OF_BEAT,
        on_conflict: "ON CONFLICT (record_id) DO UPDATE
            SET story_id = EXCLUDED.story_id, created_at = EXCLUDED.created_at
            WHERE story_decisions.created_at < EXCLUDED.created_at",
        actor: Some("actor"),
        json: &[],
    },
    Table {
        name: "drafts",
        own: Some(DRAFT),
        cols: &[
            "story_id",
            "revision",
            "author_kind",
            "author",
            "created_at",
            "document",
            "meta",
        ],
        refs: &[("story_id", STORY)],
        filter: OF_STORIES,
        on_conflict: "",
        actor: Some("author"),
        json: &["document", "meta"],
    },
    Table {
        name: "signoffs",
        own: Some("signoff"),
        cols: &[
            "story_id",
            "draft_id",
            "editor",
            "note",
            "created_at",
            "override_reason",
            "failures",
        ],
        refs: &[("story_id", STORY), ("draft_id", DRAFT)],
        filter: OF_STORIES,
        on_conflict: "",
        actor: Some("editor"),
        json: &["failures"],
    },
    Table {
        name: "exports",
        own: Some("export"),
        cols: &["story_id", "draft_id", "target", "location", "created_at"],
        refs: &[("story_id", STORY), ("draft_id", DRAFT)],
        filter: OF_STORIES,
        on_conflict: "",
        actor: None,
        json: &[],
    },
    Table {
        name: "target_exports",
        own: Some("target_export"),
        cols: &[
            "target_id",
            "story_id",
            "draft_id",
            "action",
            "remote_id",
            "url",
            "remote_updated_at",
            "status",
            "event",
            "content_hash",
            "error_code",
            "error",
            "actor",
            "created_at",
        ],
        refs: &[
            ("target_id", TARGET),
            ("story_id", STORY),
            ("draft_id", DRAFT),
        ],
        filter: OF_STORIES,
        on_conflict: "",
        actor: Some("actor"),
        json: &[],
    },
    Table {
        name: "audit_log",
        own: Some("audit"),
        cols: &["at", "actor", "action", "story_id", "detail"],
        refs: &[("story_id", STORY)],
        filter: OF_STORIES,
        on_conflict: "",
        actor: Some("actor"),
        json: &["detail"],
    },
    Table {
        name: "edit_buffers",
        own: None,
        cols: &["story_id", "base_revision", "document", "saved_at"],
        refs: &[("story_id", STORY)],
        filter: OF_STORIES,
        on_conflict: "ON CONFLICT (story_id) DO NOTHING",
        actor: None,
        json: &["document"],
    },
];

/// The columns of `targets` (global, matched by live name).
pub const TARGET_COLS: &[&str] = &[
    "name",
    "kind",
    "url",
    "username",
    "created_at",
    "removed_at",
];

/// Story columns a second push brings up to date.
pub const STORY_MUTABLE: &[&str] = &[
    "title",
    "status",
    "signal",
    "updated_at",
    "signal_detail",
    "top_terms",
    "retired",
];

/// References that may stay empty when their row is not (yet) in the store.
pub fn nullable_ref(table: &str, col: &str) -> bool {
    matches!(
        (table, col),
        ("records", "source_id")
            | ("records", "duplicate_of")
            | ("record_links", "target_record_id")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_postgresql_cannot_hold_is_replaced_and_said() {
        assert_eq!(
            Val::from_sqlite(ValueRef::Text(b"plain")),
            (Val::Text("plain".into()), None)
        );
        let (v, why) = Val::from_sqlite(ValueRef::Text(b"a\0b"));
        assert_eq!(v, Val::Text("a\u{FFFD}b".into()));
        assert!(why.unwrap().contains("NUL"));
        let (v, why) = Val::from_sqlite(ValueRef::Text(b"caf\xe9\0"));
        assert_eq!(v, Val::Text("caf\u{FFFD}\u{FFFD}".into()));
        assert!(why.unwrap().contains("not UTF-8"));
        assert_eq!(Val::from_sqlite(ValueRef::Integer(7)), (Val::Int(7), None));
    }

    #[test]
    fn every_column_exists_in_the_sqlite_schema() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        beatdesk_store::schema::init(&mut conn).unwrap();
        for t in TABLES {
            let id = if t.own.is_some() { "id, " } else { "" };
            let sql = format!(
                "SELECT {id}{} FROM {} WHERE {}",
                t.cols.join(", "),
                t.name,
                t.filter
            );
            conn.prepare(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        conn.prepare(&format!(
            "SELECT id, {} FROM targets",
            TARGET_COLS.join(", ")
        ))
        .unwrap();
    }

    #[test]
    fn every_reference_is_a_copied_column_and_every_table_ties_to_a_beat() {
        for t in TABLES {
            for (col, _) in t.refs {
                assert!(t.cols.contains(col), "{}.{col}", t.name);
            }
            if let Some(a) = t.actor {
                assert!(t.cols.contains(&a), "{}.{a}", t.name);
            }
            assert!(t.filter.contains("?1"), "{}", t.name);
            if t.own.is_none() {
                assert!(
                    !t.on_conflict.is_empty(),
                    "{}: no id, so a unique key",
                    t.name
                );
            }
        }
    }
}
