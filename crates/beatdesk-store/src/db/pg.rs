//! The PostgreSQL side of `db`: placeholders rewritten once per SQL string,
//! statements prepared once per connection, values bound by the type the
//! server declared for each parameter and read back from any column type.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::mpsc;

use bytes::BytesMut;
use postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use postgres::Client;

use super::{Error, Result, Value, ValueRef};

type BoxError = Box<dyn StdError + Sync + Send>;

/// The client lives on its own thread: the blocking `postgres` client runs
/// a private Tokio runtime and panics if called on a thread that is already
/// driving one (the core's async commands and tests). Callers block on the
/// reply exactly as they block on SQLite.
pub struct PgConn {
    requests: mpsc::Sender<Op>,
    replies: mpsc::Receiver<Result<Reply>>,
}

enum Op {
    Begin,
    End(&'static str),
    Batch(String),
    Execute(String, Vec<Value>),
    Query(String, Vec<Value>),
    Run(Box<dyn FnOnce(&mut Client) + Send>),
}

enum Reply {
    Done,
    Count(u64),
    Rows(Vec<postgres::Row>),
}

impl PgConn {
    /// Connects (on the connection's own thread) with `connect` and keeps
    /// the client there. A session the server ended (a restart, a dropped
    /// network) fails the call that meets it; the next call outside a
    /// transaction connects again with `connect`.
    pub fn open(
        connect: impl Fn() -> std::result::Result<Client, crate::StoreError> + Send + 'static,
    ) -> std::result::Result<PgConn, crate::StoreError> {
        let (requests, inbox) = mpsc::channel::<Op>();
        let (outbox, replies) = mpsc::channel();
        let (ready_tx, ready) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("beatdesk-pg".into())
            .spawn(move || {
                let client = match connect() {
                    Ok(c) => {
                        let _ = ready_tx.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let mut w = Worker {
                    client,
                    reconnect: Box::new(connect),
                    cache: HashMap::new(),
                    in_tx: false,
                    savepoint: false,
                    broken: false,
                };
                for op in inbox {
                    let reply = w.run(op);
                    if outbox.send(reply).is_err() {
                        break;
                    }
                }
            })
            .expect("spawn the PostgreSQL connection thread");
        ready.recv().map_err(|_| crate::StoreError::Corrupt {
            what: "PostgreSQL connection",
            detail: "the connection thread stopped".into(),
        })??;
        Ok(PgConn { requests, replies })
    }

    fn call(&self, op: Op) -> Result<Reply> {
        let gone = || Error::Param {
            index: 0,
            message: "the PostgreSQL connection thread stopped".into(),
        };
        self.requests.send(op).map_err(|_| gone())?;
        self.replies.recv().map_err(|_| gone())?
    }

    /// Runs `f` with the client itself, for what has no SQLite twin
    /// (advisory locks, LISTEN).
    pub fn with_client<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Client) -> R + Send + 'static,
    ) -> Result<R> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.call(Op::Run(Box::new(move |c| {
            let _ = tx.send(f(c));
        })))?;
        rx.recv().map_err(|_| Error::Param {
            index: 0,
            message: "the PostgreSQL call panicked".into(),
        })
    }

    pub(super) fn begin(&self) -> Result<()> {
        self.call(Op::Begin).map(|_| ())
    }

    pub(super) fn end(&self, sql: &'static str) -> Result<()> {
        self.call(Op::End(sql)).map(|_| ())
    }

    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        self.call(Op::Batch(sql.to_string())).map(|_| ())
    }

    pub(super) fn execute(&self, sql: &str, values: &[ValueRef<'_>]) -> Result<usize> {
        match self.call(Op::Execute(sql.to_string(), owned(values)))? {
            Reply::Count(n) => Ok(n as usize),
            _ => Ok(0),
        }
    }

    pub(super) fn query(&self, sql: &str, values: &[ValueRef<'_>]) -> Result<Vec<postgres::Row>> {
        match self.call(Op::Query(sql.to_string(), owned(values)))? {
            Reply::Rows(r) => Ok(r),
            _ => Ok(Vec::new()),
        }
    }
}

fn owned(values: &[ValueRef<'_>]) -> Vec<Value> {
    values
        .iter()
        .map(|v| match *v {
            ValueRef::Null => Value::Null,
            ValueRef::Int(i) => Value::Int(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(s) => Value::Text(s.to_string()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        })
        .collect()
}

/// A prepared statement and whether it may write.
#[derive(Clone)]
struct Prepared {
    stmt: postgres::Statement,
    writes: bool,
}

fn writes(sql: &str) -> bool {
    let first = sql
        .trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    !matches!(first.as_str(), "SELECT" | "VALUES" | "SHOW")
}

/// The connection thread's state.
struct Worker {
    client: Client,
    reconnect: Box<dyn Fn() -> std::result::Result<Client, crate::StoreError> + Send>,
    /// Statements prepared once per SQL string (SQLite dialect as the key).
    cache: HashMap<String, Prepared>,
    /// Inside `Store::write`: each write runs under a savepoint, so a
    /// refused statement (a unique key, a trigger) fails alone as it does on
    /// SQLite instead of aborting the whole transaction.
    in_tx: bool,
    savepoint: bool,
    /// The last call failed on the socket itself: connect again first.
    broken: bool,
}

impl Worker {
    fn run(&mut self, op: Op) -> Result<Reply> {
        // Never inside a transaction: its work so far died with the session.
        if (self.broken || self.client.is_closed()) && !self.in_tx {
            if let Ok(c) = (self.reconnect)() {
                self.client = c;
                self.cache.clear();
                self.broken = false;
            }
        }
        let reply = self.run_op(op);
        if let Err(Error::Postgres(e)) = &reply {
            self.broken |= e.is_closed()
                || e.as_db_error().is_none()
                    && e.source().is_some_and(|s| s.is::<std::io::Error>());
        }
        reply
    }

    fn run_op(&mut self, op: Op) -> Result<Reply> {
        match op {
            Op::Begin => {
                self.client.batch_execute("BEGIN")?;
                self.in_tx = true;
                self.savepoint = false;
                Ok(Reply::Done)
            }
            Op::End(sql) => {
                self.in_tx = false;
                self.savepoint = false;
                self.client.batch_execute(sql)?;
                Ok(Reply::Done)
            }
            Op::Batch(sql) => self
                .guarded(true, |c| c.batch_execute(&sql))
                .map(|_| Reply::Done),
            Op::Execute(sql, values) => {
                let p = self.prepare(&sql, &values)?;
                let params = bind(&p.stmt, &values)?;
                self.guarded(p.writes, |c| c.execute(&p.stmt, &refs(&params)))
                    .map(Reply::Count)
            }
            Op::Query(sql, values) => {
                let p = self.prepare(&sql, &values)?;
                let params = bind(&p.stmt, &values)?;
                self.guarded(p.writes, |c| c.query(&p.stmt, &refs(&params)))
                    .map(Reply::Rows)
            }
            Op::Run(f) => {
                f(&mut self.client);
                Ok(Reply::Done)
            }
        }
    }

    /// Prepares once per SQL string. Where the server cannot infer a
    /// parameter's type (`SELECT ?1`), the first call's values decide it.
    fn prepare(&mut self, sql: &str, values: &[Value]) -> Result<Prepared> {
        if let Some(p) = self.cache.get(sql) {
            return Ok(p.clone());
        }
        let text = super::to_dollar_placeholders(sql);
        let stmt = match self.guarded(true, |c| c.prepare(&text)) {
            Ok(s) => s,
            Err(e) if e.sqlstate() == Some("42P08") || e.sqlstate() == Some("42P18") => {
                // A NULL says nothing of its type: ids first (`?1 IS NULL OR
                // story_id = ?1`), then text.
                let typed = |null: &Type| -> Vec<Type> {
                    values
                        .iter()
                        .map(|v| match v {
                            Value::Int(_) => Type::INT8,
                            Value::Real(_) => Type::FLOAT8,
                            Value::Blob(_) => Type::BYTEA,
                            Value::Text(_) => Type::TEXT,
                            Value::Null => null.clone(),
                        })
                        .collect()
                };
                match self.guarded(true, |c| c.prepare_typed(&text, &typed(&Type::INT8))) {
                    Ok(s) => s,
                    Err(_) => {
                        self.guarded(true, |c| c.prepare_typed(&text, &typed(&Type::TEXT)))?
                    }
                }
            }
            Err(e) => return Err(e),
        };
        let p = Prepared {
            stmt,
            writes: writes(sql),
        };
        self.cache.insert(sql.to_string(), p.clone());
        Ok(p)
    }

    /// Runs `f`; in a transaction, a write gets a savepoint first (one
    /// round trip: release the last, set the next) and is undone alone if it fails.
    fn guarded<T>(
        &mut self,
        write: bool,
        f: impl FnOnce(&mut Client) -> std::result::Result<T, postgres::Error>,
    ) -> Result<T> {
        if !(write && self.in_tx) {
            return Ok(f(&mut self.client)?);
        }
        self.client.batch_execute(if self.savepoint {
            "RELEASE SAVEPOINT bd_stmt; SAVEPOINT bd_stmt"
        } else {
            "SAVEPOINT bd_stmt"
        })?;
        self.savepoint = true;
        f(&mut self.client).map_err(|e| {
            let _ = self.client.batch_execute("ROLLBACK TO SAVEPOINT bd_stmt");
            e.into()
        })
    }
}

fn refs<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn bind<'a>(s: &postgres::Statement, values: &'a [Value]) -> Result<Vec<Param<'a>>> {
    if s.params().len() != values.len() {
        return Err(Error::Param {
            index: values.len(),
            message: format!(
                "the statement takes {} parameters, {} given",
                s.params().len(),
                values.len()
            ),
        });
    }
    Ok(values.iter().map(|v| Param(v.as_ref())).collect())
}

/// Server error text with its detail, so a refusal by trigger reads whole.
pub(super) fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => match d.detail() {
            Some(detail) => format!("{} ({detail})", d.message()),
            None => d.message().to_string(),
        },
        None => e.to_string(),
    }
}

/// A parameter that adapts to the declared type: SQLite has one integer
/// type, PostgreSQL several, and booleans are integers on the SQLite side.
#[derive(Debug)]
struct Param<'a>(ValueRef<'a>);

fn is_text(ty: &Type) -> bool {
    [
        Type::TEXT,
        Type::VARCHAR,
        Type::BPCHAR,
        Type::NAME,
        Type::UNKNOWN,
    ]
    .contains(ty)
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Int(i) => {
                if *ty == Type::INT8 {
                    i.to_sql(ty, out)
                } else if *ty == Type::INT4 {
                    i32::try_from(i)?.to_sql(ty, out)
                } else if *ty == Type::INT2 {
                    i16::try_from(i)?.to_sql(ty, out)
                } else if *ty == Type::FLOAT8 {
                    (i as f64).to_sql(ty, out)
                } else if *ty == Type::FLOAT4 {
                    (i as f32).to_sql(ty, out)
                } else if *ty == Type::BOOL {
                    (i != 0).to_sql(ty, out)
                } else if *ty == Type::OID {
                    u32::try_from(i)?.to_sql(ty, out)
                } else if is_text(ty) {
                    i.to_string().as_str().to_sql(ty, out)
                } else {
                    Err(format!("cannot send an integer as {ty}").into())
                }
            }
            ValueRef::Real(f) => {
                if *ty == Type::FLOAT8 {
                    f.to_sql(ty, out)
                } else if *ty == Type::FLOAT4 {
                    (f as f32).to_sql(ty, out)
                } else if is_text(ty) {
                    f.to_string().as_str().to_sql(ty, out)
                } else {
                    Err(format!("cannot send a real as {ty}").into())
                }
            }
            ValueRef::Text(s) => {
                if is_text(ty) {
                    s.to_sql(ty, out)
                } else if *ty == Type::INT8 {
                    s.parse::<i64>()?.to_sql(ty, out)
                } else if *ty == Type::BYTEA {
                    s.as_bytes().to_sql(ty, out)
                } else {
                    Err(format!("cannot send text as {ty}").into())
                }
            }
            ValueRef::Blob(b) => {
                if *ty == Type::BYTEA {
                    b.to_sql(ty, out)
                } else {
                    Err(format!("cannot send a blob as {ty}").into())
                }
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Any column as a `Value`.
struct Any(Value);

impl<'a> FromSql<'a> for Any {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Any, BoxError> {
        Ok(Any(if *ty == Type::INT8 {
            Value::Int(i64::from_sql(ty, raw)?)
        } else if *ty == Type::INT4 {
            Value::Int(i32::from_sql(ty, raw)?.into())
        } else if *ty == Type::INT2 {
            Value::Int(i16::from_sql(ty, raw)?.into())
        } else if *ty == Type::OID {
            Value::Int(u32::from_sql(ty, raw)?.into())
        } else if *ty == Type::FLOAT8 {
            Value::Real(f64::from_sql(ty, raw)?)
        } else if *ty == Type::FLOAT4 {
            Value::Real(f32::from_sql(ty, raw)?.into())
        } else if *ty == Type::BOOL {
            Value::Int(bool::from_sql(ty, raw)? as i64)
        } else if *ty == Type::NUMERIC {
            numeric(raw)?
        } else if *ty == Type::BYTEA {
            Value::Blob(raw.to_vec())
        } else if is_text(ty) || *ty == Type::JSON {
            Value::Text(String::from_sql(&Type::TEXT, raw)?)
        } else {
            return Err(format!("cannot read a column of type {ty}").into());
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Any, BoxError> {
        Ok(Any(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// NUMERIC (what SUM of integers returns): an integer when it has no
/// fraction and fits, else a float.
fn numeric(raw: &[u8]) -> std::result::Result<Value, BoxError> {
    let word = |i: usize| -> std::result::Result<i16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "truncated NUMERIC".into())
    };
    let (ndigits, weight, sign, dscale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let mut int: Option<i128> = Some(0);
    let mut real = 0f64;
    for k in 0..ndigits as usize {
        let d = word(4 + k)? as i128;
        let power = weight as i32 - k as i32;
        real += d as f64 * 10000f64.powi(power);
        int = match (int, power >= 0) {
            (Some(acc), true) => 10000i128
                .checked_pow(power as u32)
                .and_then(|p| p.checked_mul(d))
                .and_then(|v| acc.checked_add(v)),
            (acc, false) if d == 0 => acc,
            _ => None,
        };
    }
    let negative = sign == 0x4000;
    match int.and_then(|i| i64::try_from(i).ok()) {
        Some(i) if dscale == 0 || real.fract() == 0.0 => {
            Ok(Value::Int(if negative { -i } else { i }))
        }
        _ => Ok(Value::Real(if negative { -real } else { real })),
    }
}

/// Column `index` of a row, owned.
pub(super) fn value(row: &postgres::Row, index: usize) -> Result<Value> {
    row.try_get::<_, Any>(index)
        .map(|a| a.0)
        .map_err(|e| Error::Column {
            index,
            message: match e.source() {
                Some(s) => s.to_string(),
                None => e.to_string(),
            },
        })
}
