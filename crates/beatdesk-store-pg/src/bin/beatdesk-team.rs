//! `beatdesk-team init|add-user …` until the `beatdesk` CLI grows a `team` verb.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdin = std::io::stdin();
    if let Err(e) = beatdesk_store_pg::cli::run(&args, &mut stdin.lock(), &mut std::io::stdout()) {
        eprintln!("beatdesk-team: {e}");
        std::process::exit(1);
    }
}
