//! The PostgreSQL side of `db`: placeholders rewritten once per SQL string,
//! statements prepared once per connection, values bound by the type the
//! server declared for each parameter and read back from any column type.

use std::cell::{RefCell, RefMut};
use std::collections::HashMap;
use std::error::Error as StdError;

use bytes::BytesMut;
use postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use postgres::Client;

use super::{Error, Result, Value, ValueRef};

type BoxError = Box<dyn StdError + Sync + Send>;

/// A client and its prepared statements, keyed by the SQLite-dialect text.
pub struct PgConn {
    client: RefCell<Client>,
    cache: RefCell<HashMap<String, postgres::Statement>>,
}

impl PgConn {
    pub(super) fn new(client: Client) -> PgConn {
        PgConn {
            client: RefCell::new(client),
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// The client itself, for what has no SQLite twin (advisory locks, LISTEN).
    pub fn client(&self) -> RefMut<'_, Client> {
        self.client.borrow_mut()
    }

    pub(super) fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.cache.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = self
            .client
            .borrow_mut()
            .prepare(&super::to_dollar_placeholders(sql))?;
        self.cache.borrow_mut().insert(sql.to_string(), s.clone());
        Ok(s)
    }

    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }

    pub(super) fn execute(
        &self,
        s: &postgres::Statement,
        values: &[ValueRef<'_>],
    ) -> Result<usize> {
        let params = bind(s, values)?;
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Ok(self.client.borrow_mut().execute(s, &refs)? as usize)
    }

    pub(super) fn query(
        &self,
        s: &postgres::Statement,
        values: &[ValueRef<'_>],
    ) -> Result<Vec<postgres::Row>> {
        let params = bind(s, values)?;
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Ok(self.client.borrow_mut().query(s, &refs)?)
    }
}

fn bind<'a>(s: &postgres::Statement, values: &[ValueRef<'a>]) -> Result<Vec<Param<'a>>> {
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
    Ok(values.iter().map(|v| Param(*v)).collect())
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
