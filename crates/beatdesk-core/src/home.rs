use std::path::PathBuf;

/// The data directory: `--home`, else `BEATDESK_HOME`, else the OS data dir
/// (`~/.local/share/beatdesk` on Linux).
pub fn resolve_home(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| {
        std::env::var_os("BEATDESK_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .unwrap_or_else(|| {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("beatdesk")
    })
}

pub const DB_FILE: &str = "beatdesk.sqlite";
