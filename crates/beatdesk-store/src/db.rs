//! One connection type over two engines (SQLite and PostgreSQL), shaped like
//! rusqlite's so table modules read the same on both. SQL is written once
//! with SQLite's `?N` placeholders; the PostgreSQL side rewrites them to
//! `$N` and binds each value by the type the server declared for it.

mod pg;
mod sqlite;
mod value;

use std::fmt;

pub use pg::PgConn;
pub use value::{params_from_iter, FromValue, Params, ToValue, Value, ValueRef};
// `params![..]` importable beside the types, as with rusqlite.
pub use crate::params;

/// Which engine a connection talks to, for the few statements whose dialect
/// really differs (pragmas, temporary triggers). Branch on it in the store's
/// table modules, never in the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Errors of either engine, plus the two the layer itself raises.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Sqlite(rusqlite::Error),
    #[error("{}", pg::describe(.0))]
    Postgres(#[from] postgres::Error),
    #[error("query returned no rows")]
    NoRows,
    #[error("column {index}: {message}")]
    Column { index: usize, message: String },
    #[error("parameter {index}: {message}")]
    Param { index: usize, message: String },
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NoRows,
            e => Error::Sqlite(e),
        }
    }
}

impl Error {
    /// PostgreSQL's SQLSTATE, when the server refused the statement.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            Error::Postgres(e) => e.as_db_error().map(|d| d.code().code()),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `.optional()` on a single-row query: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// One result row.
pub struct Row<'a>(RowInner<'a>);

enum RowInner<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

/// A column by position or by name.
pub trait RowIndex {
    fn index(&self, row: &Row<'_>) -> Result<usize>;
}
impl RowIndex for usize {
    fn index(&self, _: &Row<'_>) -> Result<usize> {
        Ok(*self)
    }
}
impl RowIndex for &str {
    fn index(&self, row: &Row<'_>) -> Result<usize> {
        let found = match &row.0 {
            RowInner::Sqlite(r) => r.as_ref().column_index(self).ok(),
            RowInner::Pg(r) => r.columns().iter().position(|c| c.name() == *self),
        };
        found.ok_or_else(|| Error::Column {
            index: 0,
            message: format!("no column named {self:?}"),
        })
    }
}

impl Row<'_> {
    pub fn get<I: RowIndex, T: FromValue>(&self, idx: I) -> Result<T> {
        let index = idx.index(self)?;
        let conv =
            |v: ValueRef<'_>| T::from_value(v).map_err(|message| Error::Column { index, message });
        match &self.0 {
            RowInner::Sqlite(r) => conv(sqlite::value(r, index)?),
            RowInner::Pg(r) => conv(pg::value(r, index)?.as_ref()),
        }
    }
}

/// A connection to either engine. A `Transaction` is the same type: the
/// store opens and closes the transaction around the caller's closure.
pub struct Connection {
    inner: Inner,
}

/// Inside `Store::write`: the connection with a transaction open on it.
pub type Transaction = Connection;

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(PgConn),
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Connection({:?})", self.engine())
    }
}

impl Connection {
    pub fn sqlite(conn: rusqlite::Connection) -> Connection {
        Connection {
            inner: Inner::Sqlite(conn),
        }
    }

    pub fn postgres(conn: PgConn) -> Connection {
        Connection {
            inner: Inner::Postgres(conn),
        }
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (the schema upgrade, pragmas).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    pub fn as_sqlite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match &mut self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    /// The PostgreSQL client, for what only PostgreSQL has (advisory locks, LISTEN).
    pub fn as_postgres(&self) -> Option<&PgConn> {
        match &self.inner {
            Inner::Sqlite(_) => None,
            Inner::Postgres(c) => Some(c),
        }
    }

    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// Runs an `INSERT` (without `RETURNING`) and gives the new row's id,
    /// `None` when it inserted nothing (`ON CONFLICT DO NOTHING`). SQLite
    /// reads `last_insert_rowid()`: its `RETURNING` builds a temporary table
    /// per statement, measurable on the ingest path; PostgreSQL appends
    /// `RETURNING id`.
    pub fn insert_id(&self, sql: &str, params: impl Params) -> Result<Option<i64>> {
        match &self.inner {
            Inner::Sqlite(c) => {
                let values = params.values();
                let n = c
                    .prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(values.iter().map(sqlite::Bind)))?;
                Ok((n == 1).then(|| c.last_insert_rowid()))
            }
            Inner::Postgres(_) => self
                .query_row(&format!("{sql} RETURNING id"), params, |r| r.get(0))
                .optional(),
        }
    }

    /// Opens a transaction (`Store::write`).
    pub(crate) fn begin(&self) -> Result<()> {
        match &self.inner {
            // IMMEDIATE takes SQLite's write lock up front, so two writers
            // wait on the busy timeout instead of failing at their first write.
            Inner::Sqlite(c) => Ok(c.execute_batch("BEGIN IMMEDIATE")?),
            Inner::Postgres(c) => c.begin(),
        }
    }

    /// Ends the open transaction with `COMMIT` or `ROLLBACK`.
    pub(crate) fn end(&self, commit: bool) -> Result<()> {
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(c) => c.end(sql),
        }
    }

    /// Several statements without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(c) => c.batch(sql),
        }
    }

    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement(match &self.inner {
            Inner::Sqlite(c) => StmtInner::Sqlite(c.prepare(sql)?),
            Inner::Postgres(c) => StmtInner::Pg(c, sql.to_string()),
        }))
    }

    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement(match &self.inner {
            Inner::Sqlite(c) => StmtInner::SqliteCached(c.prepare_cached(sql)?),
            Inner::Postgres(c) => StmtInner::Pg(c, sql.to_string()),
        }))
    }
}

/// A prepared statement.
pub struct Statement<'c>(StmtInner<'c>);

enum StmtInner<'c> {
    Sqlite(rusqlite::Statement<'c>),
    SqliteCached(rusqlite::CachedStatement<'c>),
    Pg(&'c PgConn, String),
}

impl<'c> Statement<'c> {
    fn sqlite(&mut self) -> Option<&mut rusqlite::Statement<'c>> {
        match &mut self.0 {
            StmtInner::Sqlite(s) => Some(s),
            StmtInner::SqliteCached(s) => Some(s),
            StmtInner::Pg(..) => None,
        }
    }

    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        let values = params.values();
        if let StmtInner::Pg(c, s) = &self.0 {
            return c.execute(s, &values);
        }
        let s = self.sqlite().expect("sqlite statement");
        Ok(s.execute(rusqlite::params_from_iter(values.iter().map(sqlite::Bind)))?)
    }

    /// Every row mapped by `f` (read eagerly on both engines).
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let values = params.values();
        let mut out = Vec::new();
        if let StmtInner::Pg(c, s) = &self.0 {
            for r in c.query(s, &values)? {
                out.push(f(&Row(RowInner::Pg(&r))));
            }
            return Ok(out.into_iter());
        }
        let s = self.sqlite().expect("sqlite statement");
        let mut rows = s.query(rusqlite::params_from_iter(values.iter().map(sqlite::Bind)))?;
        while let Some(r) = rows.next()? {
            out.push(f(&Row(RowInner::Sqlite(r))));
        }
        Ok(out.into_iter())
    }

    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let values = params.values();
        if let StmtInner::Pg(c, s) = &self.0 {
            let rows = c.query(s, &values)?;
            return match rows.first() {
                Some(r) => f(&Row(RowInner::Pg(r))),
                None => Err(Error::NoRows),
            };
        }
        let s = self.sqlite().expect("sqlite statement");
        let mut rows = s.query(rusqlite::params_from_iter(values.iter().map(sqlite::Bind)))?;
        match rows.next()? {
            Some(r) => f(&Row(RowInner::Sqlite(r))),
            None => Err(Error::NoRows),
        }
    }

    /// Whether the query returns at least one row.
    pub fn exists(&mut self, params: impl Params) -> Result<bool> {
        self.query_row(params, |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
    }
}

/// Runs `each` over `ids` in chunks small enough for every engine's limit
/// on bound parameters, with the `?, ?, …` list of each chunk (for an
/// `IN (…)`), and collects what it returns.
pub fn in_chunks<T, E>(
    ids: &[i64],
    mut each: impl FnMut(&str, &[i64]) -> std::result::Result<Vec<T>, E>,
) -> std::result::Result<Vec<T>, E> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        out.extend(each(&marks, chunk)?);
    }
    Ok(out)
}

/// Rewrites SQLite placeholders (`?`, `?N`) to PostgreSQL's (`$N`), leaving
/// quoted strings, quoted names and comments alone.
pub fn to_dollar_placeholders(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut i = 0;
    let mut highest = 0u32;
    let mut start = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'?' => {
                out.push_str(&sql[start..i]);
                let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                let n = if digits > 0 {
                    sql[i + 1..i + 1 + digits].parse::<u32>().unwrap_or(0)
                } else {
                    highest + 1
                };
                highest = highest.max(n);
                out.push('$');
                out.push_str(&n.to_string());
                i += 1 + digits;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[start.min(sql.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_outside_strings_and_comments() {
        assert_eq!(
            to_dollar_placeholders(
                "SELECT a FROM t WHERE b = ?1 AND c = ? AND d = '?2' -- ?3\n AND e = ?10"
            ),
            "SELECT a FROM t WHERE b = $1 AND c = $2 AND d = '?2' -- ?3\n AND e = $10"
        );
        assert_eq!(
            to_dollar_placeholders("VALUES (?, ?, \"?\")"),
            "VALUES ($1, $2, \"?\")"
        );
        assert_eq!(
            to_dollar_placeholders("/* ? */ SELECT ?2, ?"),
            "/* ? */ SELECT $2, $3"
        );
    }

    #[test]
    fn values_convert_and_say_what_was_wrong() {
        assert_eq!(i64::from_value(ValueRef::Int(7)), Ok(7));
        assert_eq!(Option::<String>::from_value(ValueRef::Null), Ok(None));
        assert!(bool::from_value(ValueRef::Int(2)).unwrap());
        let err = i64::from_value(ValueRef::Text("x")).unwrap_err();
        assert!(err.contains("expected an integer, found text"), "{err}");
        let err = i32::from_value(ValueRef::Int(1 << 40)).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
    }

    #[test]
    fn sqlite_connection_round_trips_every_kind() {
        let c = Connection::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        c.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b REAL, c BLOB, d INTEGER)",
        )
        .unwrap();
        let id: i64 = c
            .query_row(
                "INSERT INTO t (a, b, c, d) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                crate::params!["x", 1.5, vec![1u8, 2], None::<i64>],
                |r| r.get(0),
            )
            .unwrap();
        let row: (String, f64, Vec<u8>, Option<i64>) = c
            .query_row("SELECT a, b, c, d FROM t WHERE id = ?", [id], |r| {
                Ok((r.get(0)?, r.get("b")?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(row, ("x".into(), 1.5, vec![1, 2], None));
        let none = c
            .query_row("SELECT a FROM t WHERE id = ?1", [id + 1], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .unwrap();
        assert_eq!(none, None);
    }
}
