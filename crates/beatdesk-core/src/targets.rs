//! Export targets by name: WordPress, Ghost or a signed webhook. The row
//! holds kind, URL and user; the secret (application password, Admin API key,
//! signing secret) lives in the keychain or `BEATDESK_TARGET_<NAME>_SECRET`.

use beatdesk_cms::{RetryPolicy, Target, TargetKind};
use beatdesk_store::targets::{self, TargetRow};
use beatdesk_types::TargetInfo;
use serde_json::json;

use crate::{Beatdesk, CoreError, Result};

/// Names that `export --to` reads as file formats.
const RESERVED: [&str; 3] = ["markdown", "html", "ninjs"];

/// The keychain entry of a target's secret.
pub fn secret_key(name: &str) -> String {
    format!("target-secret:{name}")
}

/// `BEATDESK_TARGET_<NAME>_SECRET`, NAME upper-cased with `-` as `_`.
pub fn secret_env(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("BEATDESK_TARGET_{upper}_SECRET")
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(CoreError::bad_input(
            "target",
            "name",
            format!(
                "{name:?} must be 1-40 letters, digits, - or _, starting with a letter or digit"
            ),
        ));
    }
    if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(CoreError::bad_input(
            "target",
            "name",
            format!("{name:?} is a file format of `export --to`; choose another name"),
        ));
    }
    Ok(())
}

/// A new target's settings.
#[derive(Debug, Clone)]
pub struct NewTarget {
    pub name: String,
    pub kind: String,
    pub url: String,
    pub user: Option<String>,
}

impl Beatdesk {
    /// Adds a target. `secret` goes to the keychain; without one, the
    /// environment variable must already hold it.
    pub fn add_target(
        &self,
        t: &NewTarget,
        secret: Option<&str>,
        actor: &str,
    ) -> Result<TargetInfo> {
        let name = t.name.trim();
        check_name(name)?;
        let source = format!("target {name}");
        let kind = TargetKind::parse(&t.kind).ok_or_else(|| {
            CoreError::bad_input(
                &source,
                "kind",
                format!("{:?} is not wordpress, ghost or webhook", t.kind),
            )
        })?;
        let user = t.user.as_deref().map(str::trim).filter(|u| !u.is_empty());
        if kind == TargetKind::Wordpress && user.is_none() {
            return Err(CoreError::bad_input(
                &source,
                "user",
                "a WordPress target needs --user (the owner of the application password)",
            ));
        }
        let url = beatdesk_cms::http::parse_base(name, &t.url)
            .map_err(|e| CoreError::bad_input(&source, "url", strip_prefix(&e.to_string())))?;
        let url = if kind == TargetKind::Webhook {
            t.url.trim().to_string()
        } else {
            url.to_string()
        };
        let secret = secret.map(str::trim).filter(|s| !s.is_empty());
        let env_secret = std::env::var(secret_env(name))
            .ok()
            .filter(|s| !s.trim().is_empty());
        let Some(value) = secret.map(str::to_string).or(env_secret.clone()) else {
            return Err(CoreError::bad_input(
                &source,
                "secret",
                format!(
                    "is empty: give it on standard input, or set {}",
                    secret_env(name)
                ),
            ));
        };
        // A malformed key is refused now, not at the first export.
        beatdesk_cms::open(name, kind, &url, user, &value, RetryPolicy::default())
            .map_err(|e| CoreError::bad_input(&source, "secret", strip_prefix(&e.to_string())))?;
        let now = self.now();
        let row = self.store.write(|tx| {
            if targets::find(tx, name)?.is_some() {
                return Err(CoreError::Invalid(format!(
                    "a target named {name:?} already exists; remove it first"
                )));
            }
            let row = targets::insert(tx, name, kind.as_str(), &url, user, now)?;
            beatdesk_store::audit::append(
                tx,
                now,
                actor,
                "target_add",
                None,
                &json!({ "target": name, "kind": kind.as_str(), "url": url }),
            )?;
            // Stored last, inside the transaction: a keychain failure leaves no row behind.
            if let Some(s) = secret {
                self.secrets
                    .set(&secret_key(name), s)
                    .map_err(|e| CoreError::Keychain(e.to_string()))?;
            }
            Ok(row)
        })?;
        Ok(self.info(row))
    }

    pub fn targets(&self) -> Result<Vec<TargetInfo>> {
        let rows = self.store.read(targets::list)?;
        Ok(rows.into_iter().map(|r| self.info(r)).collect())
    }

    pub(crate) fn target_row(&self, name: &str) -> Result<TargetRow> {
        self.store.read(|c| targets::find(c, name))?.ok_or_else(|| {
            CoreError::not_found("target", format!("{name:?} (see `beatdesk target list`)"))
        })
    }

    /// Removes a target and its keychain entry; its export history stays.
    pub fn remove_target(&self, name: &str, actor: &str) -> Result<()> {
        let row = self.target_row(name)?;
        let now = self.now();
        self.store.write(|tx| {
            targets::remove(tx, row.id, now)?;
            beatdesk_store::audit::append(
                tx,
                now,
                actor,
                "target_remove",
                None,
                &json!({ "target": row.name }),
            )?;
            Ok::<_, CoreError>(())
        })?;
        // Best effort: with no keychain there is nothing stored to delete.
        let _ = self.secrets.delete(&secret_key(&row.name));
        Ok(())
    }

    /// The secret: the environment variable wins over the keychain.
    pub(crate) fn target_secret(&self, name: &str) -> Result<String> {
        if let Ok(v) = std::env::var(secret_env(name)) {
            if !v.trim().is_empty() {
                return Ok(v.trim().to_string());
            }
        }
        match self.secrets.get(&secret_key(name)) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(CoreError::bad_input(
                format!("target {name}"),
                "secret",
                format!(
                    "none in the keychain or {}; add the target again with its secret",
                    secret_env(name)
                ),
            )),
            Err(e) => Err(CoreError::Keychain(e.to_string())),
        }
    }

    pub(crate) fn open_target(
        &self,
        row: &TargetRow,
        policy: RetryPolicy,
    ) -> Result<Box<dyn Target>> {
        let kind = TargetKind::parse(&row.kind).ok_or_else(|| {
            CoreError::Invalid(format!("target {}: unknown kind {:?}", row.name, row.kind))
        })?;
        let secret = self.target_secret(&row.name)?;
        Ok(beatdesk_cms::open(
            &row.name,
            kind,
            &row.url,
            row.username.as_deref(),
            &secret,
            policy,
        )?)
    }

    /// Proves a target's credentials; the answer says who the CMS thinks we are.
    pub async fn check_target(&self, name: &str) -> Result<String> {
        self.check_target_with(name, RetryPolicy::default()).await
    }

    pub async fn check_target_with(&self, name: &str, policy: RetryPolicy) -> Result<String> {
        let row = self.target_row(name)?;
        let target = self.open_target(&row, policy)?;
        Ok(target.check().await?)
    }

    fn info(&self, r: TargetRow) -> TargetInfo {
        let env = std::env::var(secret_env(&r.name)).is_ok_and(|v| !v.trim().is_empty());
        let secret_source = if env {
            "env"
        } else if matches!(self.secrets.get(&secret_key(&r.name)), Ok(Some(_))) {
            "keychain"
        } else {
            "missing"
        };
        TargetInfo {
            id: r.id,
            name: r.name,
            kind: r.kind,
            url: r.url,
            user: r.username,
            secret_source: secret_source.into(),
            created_at: r.created_at,
        }
    }
}

/// `target X: field: problem` → `problem`, for errors re-wrapped as bad input.
fn strip_prefix(s: &str) -> String {
    s.splitn(3, ": ").nth(2).unwrap_or(s).to_string()
}
