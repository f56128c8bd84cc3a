//! The same schema on both engines, raw SQL (the core does not run on
//! PostgreSQL yet): 100k records written a page (500) per transaction, the
//! same 100k again (all duplicates), and opening a story of 200 records.
//!   BEATDESK_PG_FSYNC=on tests/pg/start.sh cargo run --release -p beatdesk-store-pg --example bench
//! Figures are for this slice's schema and indexes, not the core's import.

use std::time::{Duration, Instant};

use postgres::{Config, NoTls};

const RECORDS: usize = 100_000;
const PAGE: usize = 500;
const STORY: usize = 200;
const OPENS: usize = 200;

fn env(k: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| panic!("{k} unset: run under tests/pg/start.sh"))
}

fn record(i: usize) -> (String, String, String, String, String) {
    let text = format!(
        "Post {i}: the model release notes mention {} parameters, a licence change and benchmark results from lab {}. ",
        i * 7 % 1000,
        i % 37
    )
    .repeat(3);
    (
        format!("ext-{i}"),
        format!("https://example.org/p/{i}"),
        format!("Title {i}"),
        text,
        format!("2026-11-{:02}T{:02}:00:00Z", 1 + i % 28, i % 24),
    )
}

const INSERT_PG: &str = "INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at)
     VALUES (1, 'feed', $1, $2, $2, $3, $4, 'someone', $5, $5) ON CONFLICT DO NOTHING";
const INSERT_SQLITE: &str = "INSERT INTO records (beat_id, platform, external_id, url, canonical_url, title, text, author, published_at, fetched_at)
     VALUES (1, 'feed', ?1, ?2, ?2, ?3, ?4, 'someone', ?5, ?5) ON CONFLICT DO NOTHING";
const OPEN: &str =
    "SELECT r.id, r.title, r.text, r.url, r.author, r.published_at, sr.included, sr.why
     FROM story_records sr JOIN records r ON r.id = sr.record_id
     WHERE sr.story_id = 1 ORDER BY r.published_at";

fn pg() -> (Duration, Duration, Vec<Duration>) {
    let mut base = Config::new();
    base.host(&env("BEATDESK_PG_TEST_HOST"))
        .port(env("BEATDESK_PG_TEST_PORT").parse().unwrap())
        .user(&env("BEATDESK_PG_TEST_USER"))
        .password(env("BEATDESK_PG_TEST_PASSWORD"));
    let mut admin = base.clone().dbname("postgres").connect(NoTls).unwrap();
    admin
        .batch_execute("DROP DATABASE IF EXISTS bd_bench")
        .unwrap();
    admin.batch_execute("CREATE DATABASE bd_bench").unwrap();
    let mut c = base.clone().dbname("bd_bench").connect(NoTls).unwrap();
    beatdesk_store_pg::init(&mut c).unwrap();
    // start.sh logs every statement for the tests; a benchmark should not pay for that.
    c.batch_execute("SET log_statement = 'none'").unwrap();
    c.batch_execute("INSERT INTO beats (name, created_at) VALUES ('bench', 'x')")
        .unwrap();
    let write_all = |c: &mut postgres::Client| {
        let t = Instant::now();
        for page in (0..RECORDS).collect::<Vec<_>>().chunks(PAGE) {
            let mut tx = c.transaction().unwrap();
            let stmt = tx.prepare(INSERT_PG).unwrap();
            for &i in page {
                let (e, u, ti, te, p) = record(i);
                tx.execute(&stmt, &[&e, &u, &ti, &te, &p]).unwrap();
            }
            tx.commit().unwrap();
        }
        t.elapsed()
    };
    let first = write_all(&mut c);
    let again = write_all(&mut c);
    let n: i64 = c
        .query_one("SELECT count(*) FROM records", &[])
        .unwrap()
        .get(0);
    assert_eq!(n as usize, RECORDS, "duplicates must not count twice");
    c.batch_execute(&format!(
        "INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 's', 'x', 'x');
         INSERT INTO story_records (story_id, record_id, added_at)
             SELECT 1, id, 'x' FROM records ORDER BY id DESC LIMIT {STORY};
         ANALYZE;"
    ))
    .unwrap();
    let stmt = c.prepare(OPEN).unwrap();
    let opens = (0..OPENS)
        .map(|_| {
            let t = Instant::now();
            let rows = c.query(&stmt, &[]).unwrap();
            assert_eq!(rows.len(), STORY);
            t.elapsed()
        })
        .collect();
    (first, again, opens)
}

fn sqlite() -> (Duration, Duration, Vec<Duration>) {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = rusqlite::Connection::open(dir.path().join("bench.sqlite")).unwrap();
    // The pragmas of `beatdesk_store::Store::open`.
    conn.pragma_update(None, "page_size", 8192).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    beatdesk_store::schema::init(&mut conn).unwrap();
    conn.execute(
        "INSERT INTO beats (name, created_at) VALUES ('bench', 'x')",
        [],
    )
    .unwrap();
    let write_all = |conn: &mut rusqlite::Connection| {
        let t = Instant::now();
        for page in (0..RECORDS).collect::<Vec<_>>().chunks(PAGE) {
            let tx = conn.transaction().unwrap();
            {
                let mut stmt = tx.prepare_cached(INSERT_SQLITE).unwrap();
                for &i in page {
                    let (e, u, ti, te, p) = record(i);
                    stmt.execute(rusqlite::params![e, u, ti, te, p]).unwrap();
                }
            }
            tx.commit().unwrap();
        }
        t.elapsed()
    };
    let first = write_all(&mut conn);
    let again = write_all(&mut conn);
    conn.execute_batch(&format!(
        "INSERT INTO stories (beat_id, title, created_at, updated_at) VALUES (1, 's', 'x', 'x');
         INSERT INTO story_records (story_id, record_id, added_at)
             SELECT 1, id, 'x' FROM records ORDER BY id DESC LIMIT {STORY};
         ANALYZE;"
    ))
    .unwrap();
    let opens = (0..OPENS)
        .map(|_| {
            let t = Instant::now();
            let mut stmt = conn.prepare_cached(OPEN).unwrap();
            let n = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(2)?.len()))
                })
                .unwrap()
                .count();
            assert_eq!(n, STORY);
            t.elapsed()
        })
        .collect();
    (first, again, opens)
}

fn report(engine: &str, (first, again, mut opens): (Duration, Duration, Vec<Duration>)) {
    opens.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{engine:10} write {RECORDS} records: {:7.0} ms ({:6.0}/s) | same again (duplicates): {:7.0} ms | open a {STORY}-record story: median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(first),
        RECORDS as f64 / first.as_secs_f64(),
        ms(again),
        ms(opens[OPENS / 2]),
        ms(opens[OPENS * 95 / 100]),
        ms(*opens.last().unwrap()),
    );
}

fn main() {
    println!(
        "fsync on PostgreSQL: {}",
        std::env::var("BEATDESK_PG_FSYNC").unwrap_or("off".into())
    );
    report("sqlite", sqlite());
    report("postgresql", pg());
}
