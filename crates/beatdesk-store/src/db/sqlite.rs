//! The SQLite side of `db`: binding values and reading columns through
//! rusqlite without copying text or blobs.

use rusqlite::types::{ToSqlOutput, ValueRef as SqlRef};

use super::{Error, Result, ValueRef};

/// A value bound by reference.
pub(super) struct Bind<'a>(pub &'a ValueRef<'a>);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self.0 {
            ValueRef::Null => SqlRef::Null,
            ValueRef::Int(i) => SqlRef::Integer(i),
            ValueRef::Real(f) => SqlRef::Real(f),
            ValueRef::Text(s) => SqlRef::Text(s.as_bytes()),
            ValueRef::Blob(b) => SqlRef::Blob(b),
        }))
    }
}

/// Column `index` of a row, borrowed.
pub(super) fn value<'a>(row: &'a rusqlite::Row<'a>, index: usize) -> Result<ValueRef<'a>> {
    Ok(match row.get_ref(index)? {
        SqlRef::Null => ValueRef::Null,
        SqlRef::Integer(i) => ValueRef::Int(i),
        SqlRef::Real(f) => ValueRef::Real(f),
        SqlRef::Text(t) => ValueRef::Text(std::str::from_utf8(t).map_err(|e| Error::Column {
            index,
            message: format!("text is not UTF-8: {e}"),
        })?),
        SqlRef::Blob(b) => ValueRef::Blob(b),
    })
}
