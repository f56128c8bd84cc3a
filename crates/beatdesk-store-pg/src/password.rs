//! Where a login's password comes from, in libpq's order: the caller's (the
//! keychain's), then `PGPASSWORD`, then the password file (`PGPASSFILE` or
//! `~/.pgpass`). Nothing here ever prints a password: warnings name the file
//! and a line number, never a line.

use std::path::{Path, PathBuf};

use postgres::config::Host;
use postgres::Config;

/// Which of the three gave the password (for messages; never the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Explicit,
    Env,
    PassFile,
}

/// A password and where it came from. `Debug` hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Found {
    pub password: String,
    pub origin: Origin,
}

impl std::fmt::Debug for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Found {{ password: <redacted>, origin: {:?} }}",
            self.origin
        )
    }
}

/// What the password file is matched against: libpq's four fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The host as given: a name, an address, or a unix socket folder.
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
}

impl Target {
    /// The first host of `config`, with libpq's defaults: port 5432, the
    /// database named after the user, the user from `USER`.
    pub fn of(config: &Config, env: &dyn Fn(&str) -> Option<String>) -> Target {
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".to_string(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config
            .get_user()
            .map(str::to_string)
            .or_else(|| env("USER"))
            .unwrap_or_default();
        let database = config
            .get_dbname()
            .map(str::to_string)
            .unwrap_or_else(|| user.clone());
        Target {
            host,
            port,
            database,
            user,
        }
    }

    fn is_socket(&self) -> bool {
        self.host.starts_with('/')
    }
}

/// Resolves the password for `target`. `env` is injectable for tests
/// (production passes `std_env`); `warn` receives the file warnings.
pub fn resolve(
    explicit: Option<&str>,
    target: &Target,
    env: &dyn Fn(&str) -> Option<String>,
    warn: &mut dyn FnMut(String),
) -> Option<Found> {
    if let Some(pw) = explicit {
        return Some(Found {
            password: pw.to_string(),
            origin: Origin::Explicit,
        });
    }
    if let Some(pw) = env("PGPASSWORD").filter(|p| !p.is_empty()) {
        return Some(Found {
            password: pw,
            origin: Origin::Env,
        });
    }
    let file = pass_file(env)?;
    let text = read_private(&file, warn)?;
    lookup(&text, target, &file, warn).map(|password| Found {
        password,
        origin: Origin::PassFile,
    })
}

pub fn std_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `PGPASSFILE`, else `~/.pgpass`.
pub fn pass_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = env("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    env("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| Path::new(&h).join(".pgpass"))
}

/// The file's text, unless it is missing, not a regular file, or readable
/// by the group or others (then ignored with a warning, as libpq does).
fn read_private(file: &Path, warn: &mut dyn FnMut(String)) -> Option<String> {
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() {
        warn(format!(
            "password file {} is not a plain file: ignored",
            file.display()
        ));
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            warn(format!(
                "password file {} has group or world access (mode {:o}): ignored; permissions should be u=rw (0600) or less",
                file.display(),
                mode & 0o777
            ));
            return None;
        }
    }
    match std::fs::read_to_string(file) {
        Ok(t) => Some(t),
        Err(e) => {
            warn(format!(
                "password file {}: cannot be read ({}): ignored",
                file.display(),
                e.kind()
            ));
            None
        }
    }
}

/// The password of the first line matching `target`. A unix socket folder
/// also matches a line for `localhost`.
pub fn lookup(
    text: &str,
    target: &Target,
    file: &Path,
    warn: &mut dyn FnMut(String),
) -> Option<String> {
    let port = target.port.to_string();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(fields) = split_line(line) else {
            // The line may hold a password: say where, never what.
            warn(format!(
                "password file {} line {}: fewer than five fields: skipped",
                file.display(),
                n + 1
            ));
            continue;
        };
        let host_ok = fields[0].matches(&target.host)
            || (target.is_socket() && fields[0].matches("localhost"));
        if host_ok
            && fields[1].matches(&port)
            && fields[2].matches(&target.database)
            && fields[3].matches(&target.user)
        {
            return Some(fields[4].value.clone());
        }
    }
    None
}

struct Field {
    value: String,
    /// An unescaped `*` alone: matches anything (an escaped `\*` does not).
    wildcard: bool,
}

impl Field {
    fn matches(&self, s: &str) -> bool {
        self.wildcard || self.value == s
    }
}

/// Splits on unescaped `:` into four fields and the password (the rest of
/// the line), undoing `\:` and `\\`.
fn split_line(line: &str) -> Option<Vec<Field>> {
    let mut fields = Vec::with_capacity(5);
    let mut cur = String::new();
    let mut escaped_any = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                escaped_any = true;
                if let Some(next) = chars.next() {
                    cur.push(next);
                }
            }
            ':' if fields.len() < 4 => {
                let wildcard = cur == "*" && !escaped_any;
                fields.push(Field {
                    value: std::mem::take(&mut cur),
                    wildcard,
                });
                escaped_any = false;
            }
            c => cur.push(c),
        }
    }
    if fields.len() < 4 {
        return None;
    }
    fields.push(Field {
        value: cur,
        wildcard: false,
    });
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(host: &str) -> Target {
        Target {
            host: host.into(),
            port: 5432,
            database: "newsroom".into(),
            user: "ana".into(),
        }
    }

    fn find(text: &str, t: &Target) -> (Option<String>, Vec<String>) {
        let mut warnings = Vec::new();
        let pw = lookup(text, t, Path::new("/x/.pgpass"), &mut |w| warnings.push(w));
        (pw, warnings)
    }

    #[test]
    fn the_first_matching_line_wins_with_wildcards_and_escapes() {
        let text = "# comment: db.example.org:5432:*:ana:nope\n\
                    \n\
                    db.example.org:5432:newsroom:ben:ben-pw\n\
                    db.example.org:*:newsroom:ana:p\\:w\\\\1:still\n\
                    *:*:*:ana:fallback\n";
        let (pw, w) = find(text, &target("db.example.org"));
        assert_eq!(pw.as_deref(), Some("p:w\\1:still"));
        assert!(w.is_empty());
        let (pw, _) = find(text, &target("other.example.org"));
        assert_eq!(pw.as_deref(), Some("fallback"));
        let mut t = target("db.example.org");
        t.user = "carl".into();
        assert_eq!(find(text, &t).0, None);
    }

    #[test]
    fn an_escaped_star_and_colon_are_literal() {
        let text = "h\\:1:5432:\\*:ana:lit\n*:5432:*:ana:wild\n";
        let mut t = target("h:1");
        t.database = "*".into();
        assert_eq!(find(text, &t).0.as_deref(), Some("lit"));
        t.database = "other".into();
        assert_eq!(find(text, &t).0.as_deref(), Some("wild"));
    }

    #[test]
    fn a_unix_socket_matches_localhost_or_its_own_folder() {
        let t = target("/run/postgresql");
        assert_eq!(
            find("localhost:5432:newsroom:ana:local-pw\n", &t)
                .0
                .as_deref(),
            Some("local-pw")
        );
        assert_eq!(
            find("/run/postgresql:5432:newsroom:ana:sock-pw\n", &t)
                .0
                .as_deref(),
            Some("sock-pw")
        );
        // A TCP host named otherwise does not match localhost's line.
        assert_eq!(
            find("localhost:5432:newsroom:ana:x\n", &target("db")).0,
            None
        );
    }

    #[test]
    fn a_short_line_is_skipped_with_its_number_never_its_text() {
        let (pw, w) = find("db:5432:secret-looking-pw\n*:*:*:*:ok\n", &target("db"));
        assert_eq!(pw.as_deref(), Some("ok"));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("line 1"), "{}", w[0]);
        assert!(!w[0].contains("secret-looking-pw"), "{}", w[0]);
    }

    #[test]
    fn explicit_beats_pgpassword_beats_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "*:*:*:*:from-file\n").unwrap();
        set_mode(&file, 0o600);
        let f = file.display().to_string();
        let t = target("db");
        let none = |_: &str| None;
        let mut w = Vec::new();
        let with_env = |k: &str| match k {
            "PGPASSWORD" => Some("from-env".to_string()),
            "PGPASSFILE" => Some(f.clone()),
            _ => None,
        };
        let file_only = |k: &str| (k == "PGPASSFILE").then(|| f.clone());
        let got = |e: &dyn Fn(&str) -> Option<String>, x: Option<&str>, w: &mut Vec<String>| {
            resolve(x, &t, e, &mut |m| w.push(m))
        };
        let r = got(&with_env, Some("from-keychain"), &mut w).unwrap();
        assert_eq!(
            (r.password.as_str(), r.origin),
            ("from-keychain", Origin::Explicit)
        );
        let r = got(&with_env, None, &mut w).unwrap();
        assert_eq!((r.password.as_str(), r.origin), ("from-env", Origin::Env));
        let r = got(&file_only, None, &mut w).unwrap();
        assert_eq!(
            (r.password.as_str(), r.origin),
            ("from-file", Origin::PassFile)
        );
        assert!(format!("{r:?}").contains("redacted") && !format!("{r:?}").contains("from-file"));
        assert_eq!(got(&none, None, &mut w), None);
        assert!(w.is_empty(), "{w:?}");

        // Readable by the group: ignored, with a warning naming the file.
        set_mode(&file, 0o640);
        assert_eq!(got(&file_only, None, &mut w), None);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("group or world") && w[0].contains(&f),
            "{}",
            w[0]
        );
        assert!(!w[0].contains("from-file"));

        // ~/.pgpass when PGPASSFILE is not set.
        let home = dir.path().display().to_string();
        std::fs::write(dir.path().join(".pgpass"), "db:5432:newsroom:ana:home-pw\n").unwrap();
        set_mode(&dir.path().join(".pgpass"), 0o600);
        let home_env = |k: &str| (k == "HOME").then(|| home.clone());
        let r = got(&home_env, None, &mut w).unwrap();
        assert_eq!(r.password, "home-pw");
    }

    #[test]
    fn the_target_takes_libpq_defaults() {
        let c: Config = "host=/run/postgresql user=ana".parse().unwrap();
        let t = Target::of(&c, &|_| None);
        assert_eq!(
            t,
            Target {
                host: "/run/postgresql".into(),
                port: 5432,
                database: "ana".into(),
                user: "ana".into()
            }
        );
        let c: Config = "postgres://db.example.org:6543/news".parse().unwrap();
        let t = Target::of(&c, &|k| (k == "USER").then(|| "ben".to_string()));
        assert_eq!(
            (
                t.host.as_str(),
                t.port,
                t.database.as_str(),
                t.user.as_str()
            ),
            ("db.example.org", 6543, "news", "ben")
        );
    }

    fn set_mode(p: &Path, mode: u32) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
}
