//! Export targets: where a signed-off story goes when it leaves Beatdesk.
//!
//! Each kind of system (WordPress, Ghost, a Standard Webhooks receiver) sits
//! behind one `Target` trait: `check` proves the credentials, `publish`
//! creates or updates one post and is idempotent, so a retry after a lost
//! reply never makes a second post. `ninjs` builds the IPTC document the
//! webhook carries and the file export writes. Nothing here touches the store.

pub mod error;
pub mod ghost;
pub mod http;
pub mod ninjs;
pub mod webhook;
pub mod wordpress;

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

pub use error::{CmsError, Result};
pub use http::RetryPolicy;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The kinds of system a target can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Wordpress,
    Ghost,
    Webhook,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Wordpress => "wordpress",
            TargetKind::Ghost => "ghost",
            TargetKind::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<TargetKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wordpress" => Some(TargetKind::Wordpress),
            "ghost" => Some(TargetKind::Ghost),
            "webhook" => Some(TargetKind::Webhook),
            _ => None,
        }
    }

    /// The status a post gets when the editor names none.
    pub fn default_status(self) -> &'static str {
        match self {
            TargetKind::Wordpress | TargetKind::Ghost => "draft",
            TargetKind::Webhook => "publish",
        }
    }
}

/// What the editor chose to happen on the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    Approved,
    Corrected,
    Spiked,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Approved => "approved",
            Event::Corrected => "corrected",
            Event::Spiked => "spiked",
        }
    }
}

/// One story as a target receives it. Built by the core from the signed revision.
#[derive(Debug, Clone, Serialize)]
pub struct Post {
    pub title: String,
    /// The dek; WordPress's excerpt, Ghost's custom excerpt.
    pub excerpt: Option<String>,
    /// Rendered by `beatdesk-write` (citations, methodology line).
    pub html: String,
    pub tags: Vec<String>,
    pub categories: Vec<String>,
    /// As the editor typed it (`draft`, `pending`, `publish`…); each target maps it.
    pub status: String,
    /// A token unique to this story and install, stored in the post so a lost
    /// reply can be recovered by looking the post up.
    pub marker: String,
    pub event: Event,
    /// The IPTC ninjs document (webhooks send it whole).
    pub ninjs: serde_json::Value,
    /// Stable per revision and event: the webhook delivery id.
    pub delivery_id: String,
}

/// What Beatdesk remembers about a post it made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Remote {
    pub id: String,
    pub url: Option<String>,
    /// Ghost's collision check needs the `updated_at` of our last write.
    pub updated_at: Option<String>,
}

/// Create or update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    None,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::None => "none",
        }
    }
}

/// The result of one publish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    pub action: Action,
    pub remote: Remote,
    /// The status the CMS reports for the post.
    pub status: String,
    /// True when a lost reply was recovered by finding the post already made.
    pub recovered: bool,
}

/// One configured export target.
pub trait Target: Send + Sync {
    fn kind(&self) -> TargetKind;

    /// Proves the credentials; returns who the target says we are.
    fn check(&self) -> BoxFuture<'_, Result<String>>;

    /// Creates the post, or updates `prior` when there is one.
    fn publish<'a>(
        &'a self,
        post: &'a Post,
        prior: Option<&'a Remote>,
    ) -> BoxFuture<'a, Result<Published>>;
}

/// Builds the target for a kind from its settings and secret.
pub fn open(
    name: &str,
    kind: TargetKind,
    url: &str,
    user: Option<&str>,
    secret: &str,
    policy: RetryPolicy,
) -> Result<Box<dyn Target>> {
    Ok(match kind {
        TargetKind::Wordpress => {
            let user = user
                .filter(|u| !u.trim().is_empty())
                .ok_or_else(|| CmsError::Config {
                    target: name.to_string(),
                    field: "user".into(),
                    problem:
                        "a WordPress target needs the user name the application password belongs to"
                            .into(),
                })?;
            Box::new(wordpress::WordPress::new(name, url, user, secret, policy)?)
        }
        TargetKind::Ghost => Box::new(ghost::Ghost::new(name, url, secret, policy)?),
        TargetKind::Webhook => Box::new(webhook::Webhook::new(name, url, secret, policy)?),
    })
}
