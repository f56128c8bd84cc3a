//! Phase timings for the analysis path, printed to standard error when
//! `BEATDESK_TIMINGS` is set: where a pass spends its time, measured in
//! the product rather than guessed from a bench.

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::Instant;

fn on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("BEATDESK_TIMINGS").is_some())
}

thread_local! {
    static LAST: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Marks the end of a phase: prints the time since the previous mark.
pub(crate) fn lap(what: &str) {
    if !on() {
        return;
    }
    let now = Instant::now();
    if let Some(t) = LAST.with(|l| l.replace(Some(now))) {
        eprintln!("timing {what}: {:.1} ms", (now - t).as_secs_f64() * 1000.0);
    }
}

/// Starts timing from now (the previous phase, if any, is not printed).
pub(crate) fn start() {
    if on() {
        LAST.with(|l| l.set(Some(Instant::now())));
    }
}
