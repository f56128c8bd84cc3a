//! Beatdesk's domain types.
//!
//! Everything here is plain data: no I/O, no SQL. Types that cross IPC derive
//! `ts_rs::TS`; `cargo test` regenerates `ui/src/bindings/` from them, so the
//! UI never writes a type twice.

mod desk;
mod document;
mod links;
mod record;
mod sources;
mod store;
mod story;
mod targets;
mod verify;
mod writers;

pub use desk::{
    Attribution, DiffBlock, DiffOp, DiffWord, EditBuffer, RevisionDiff, StoryQuery, StorySort,
};
pub use document::{FaqItem, Paragraph, Section, StoryDocument};
pub use links::{post_key, LinkKind, RecordLink};
pub use record::{Metrics, Platform, Record, RecordStatus};
pub use story::{
    AppSettings, AuditEntry, Beat, DocumentEdit, Draft, DraftAuthor, DraftSummary, ExportFormat,
    ExportRecord, ExportResult, SignOff, Signal, SignalPoint, StoryRecord, StoryStatus,
    StorySummary, StoryView,
};

pub use sources::{IngestProgress, IngestSummary, SourceInfo, SourceRun};
pub use store::StoreSettings;
pub use targets::{ExportOutcome, ExportPlan, TargetExport, TargetInfo};
pub use verify::{
    Check, CheckKind, CheckStatus, Claim, ClaimLocation, ClaimPart, Evidence, SignOffRequest,
    VerifyReport, VerifySummary,
};
pub use writers::{BeatUsage, DraftProgress, ModelInfo, UsageDay};

/// Database row id. Serialized as a JSON number (ids stay far below 2^53).
pub type Id = i64;
