//! `team push` of a real home into a fresh store, twice: rows added and
//! rows a second; the second push must add nothing.
//!   BEATDESK_PG_FSYNC=on bash tests/pg/start.sh cargo run -p beatdesk-store-pg --example bench_push -- HOME
//! Make HOME with the `beatdesk` binary (see README, "Benchmarks").

use std::time::Instant;

use postgres::{Config, NoTls};

fn env(k: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| panic!("{k} unset: run under tests/pg/start.sh"))
}

fn main() {
    let home = std::env::args().nth(1).expect("usage: bench_push HOME");
    let db = format!("bd_bench_push_{}", std::process::id());
    let mut cfg = Config::new();
    cfg.host(&env("BEATDESK_PG_TEST_HOST"))
        .port(env("BEATDESK_PG_TEST_PORT").parse().unwrap())
        .user(&env("BEATDESK_PG_TEST_USER"))
        .password(env("BEATDESK_PG_TEST_PASSWORD"));
    let mut admin = cfg.clone().dbname("postgres").connect(NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    let mut c = cfg.dbname(&db).connect(NoTls).unwrap();
    beatdesk_store_pg::init(&mut c).unwrap();
    // As an editor would push: the owner is refused approved stories.
    let editor = format!("bench_ed_{}", std::process::id());
    beatdesk_store_pg::add_user(&mut c, &editor, beatdesk_store_pg::Role::Editor, "bench-pw")
        .unwrap();
    let mut ed = cfg
        .user(&editor)
        .password("bench-pw")
        .connect(NoTls)
        .unwrap();

    for run in ["first", "second"] {
        let t = Instant::now();
        let r = beatdesk_store_pg::push::push_home(&mut ed, std::path::Path::new(&home)).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let added = r.added();
        let mut per_table = std::collections::BTreeMap::new();
        for b in &r.beats {
            for (t, n) in &b.added {
                *per_table.entry(*t).or_insert(0u64) += n;
            }
        }
        println!(
            "{run} push: {added} rows added in {secs:.2} s ({:.0} rows/s), {} conflicts; {per_table:?}",
            added as f64 / secs,
            r.conflicts()
        );
    }
}
