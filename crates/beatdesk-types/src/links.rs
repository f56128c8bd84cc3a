use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Id;

/// How one record relates to another record or to a page, as the platform
/// itself says it (never guessed from wording).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LinkKind {
    /// A Bluesky reply's parent (or a self-thread's previous post).
    ReplyTo,
    /// A Bluesky reply's thread root.
    ThreadRoot,
    /// A quote-post's embedded record.
    Quotes,
    /// A repost of another post.
    Reposts,
    /// A URL in the text, a facet or an external link card.
    LinksTo,
    /// A Reddit comment's post (`link_id`).
    CommentOn,
    /// A Reddit crosspost's parent.
    CrosspostOf,
    /// A Google News item and the publisher's article it points to.
    PointsTo,
    /// A wire copy and its original.
    WireCopyOf,
    /// A web citation and a post that cited it (record → the citing post).
    CitedBy,
}

impl LinkKind {
    pub const ALL: [LinkKind; 10] = [
        LinkKind::ReplyTo,
        LinkKind::ThreadRoot,
        LinkKind::Quotes,
        LinkKind::Reposts,
        LinkKind::LinksTo,
        LinkKind::CommentOn,
        LinkKind::CrosspostOf,
        LinkKind::PointsTo,
        LinkKind::WireCopyOf,
        LinkKind::CitedBy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::ReplyTo => "reply_to",
            LinkKind::ThreadRoot => "thread_root",
            LinkKind::Quotes => "quotes",
            LinkKind::Reposts => "reposts",
            LinkKind::LinksTo => "links_to",
            LinkKind::CommentOn => "comment_on",
            LinkKind::CrosspostOf => "crosspost_of",
            LinkKind::PointsTo => "points_to",
            LinkKind::WireCopyOf => "wire_copy_of",
            LinkKind::CitedBy => "cited_by",
        }
    }

    pub fn parse(s: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One stored relation. `target_key` is what the source named
/// (`"<platform>:<external id>"` or a canonical URL); `target_record_id` is
/// set once that target is a record of the same beat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordLink {
    #[ts(type = "number")]
    pub record_id: Id,
    pub kind: LinkKind,
    pub target_key: String,
    #[ts(type = "number | null")]
    pub target_record_id: Option<Id>,
}

/// The key a relation uses for a platform post.
pub fn post_key(platform: crate::Platform, external_id: &str) -> String {
    format!("{}:{external_id}", platform.as_str())
}
