//! Opening a connection to the shared store: the address (`address.rs`),
//! the password (`password.rs`), and TLS unless the server is this machine
//! (`tls.rs`).

use postgres::{Client, Config, NoTls};

pub use crate::address::{is_local, parse_address, Address, Roots, SslMode, Tls};
use crate::error::Result;
use crate::password::{self, Target};

/// Parses an address into the client's configuration (TLS already decided:
/// see `parse_address`). A password inside the address is refused.
pub fn parse(address: &str) -> Result<Config> {
    Ok(parse_address(address)?.config)
}

/// Connects to `address` with `password` (the caller's, from the keychain),
/// else `PGPASSWORD`, else the password file. `application_name` shows in
/// `pg_stat_activity`. Password-file warnings go to standard error, as
/// libpq's do; they never hold a password.
pub fn connect(address: &str, password: Option<&str>, application_name: &str) -> Result<Client> {
    connect_with(
        address,
        password,
        application_name,
        &password::std_env,
        &mut |w| eprintln!("beatdesk: warning: {w}"),
    )
}

/// `connect` with the environment and the warnings injectable (tests).
pub fn connect_with(
    address: &str,
    password: Option<&str>,
    application_name: &str,
    env: &dyn Fn(&str) -> Option<String>,
    warn: &mut dyn FnMut(String),
) -> Result<Client> {
    let Address { mut config, tls } = parse_address(address)?;
    let target = Target::of(&config, env);
    if let Some(found) = password::resolve(password, &target, env, warn) {
        config.password(found.password);
    }
    config.application_name(application_name);
    Ok(match tls {
        Tls::None => config.connect(NoTls)?,
        Tls::Verified { roots, check_name } => {
            config.connect(crate::tls::connector(&roots, check_name)?)?
        }
    })
}
