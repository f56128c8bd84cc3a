//! Verify: every sentence of a story checked against the records its
//! paragraph cites.
//!
//! - **Citations** (hard): each cited id is an included record of the story,
//!   and every body sentence has one.
//! - **Quotes** (hard): a quotation of three or more words is in a cited
//!   record (NFKC, case, quote and dash styles, spacing ignored; an ellipsis
//!   splits it into ordered pieces). Otherwise it fails, showing the closest
//!   span, or naming the uncited record that has it ("miscited").
//! - **Numbers** (hard): parsed to value and unit (`numbers.rs`); a number
//!   computed from two of the sentence's figures is "derived — check" (warn).
//! - **Names** and **support** only warn.
//!
//! Headline and dek are checked against every record the story cites.
//! Source text is data: nothing in a record changes what is checked.

mod check;
mod document;
pub mod eval;
pub mod names;
pub mod numbers;
pub mod quotes;
pub mod sentences;
pub mod support;
pub mod text;

pub use check::{Scope, SourceDoc, Verifier};
