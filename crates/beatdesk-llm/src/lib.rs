//! Beatdesk's editorial model: cited story drafts from local and hosted
//! models. Tauri-free; the core calls [`draft()`], [`regenerate_section`],
//! [`regenerate_faq`], [`preview`], [`probe_ollama`] and [`list_models`].
//!
//! - Providers: OpenAI-compatible chat completions ([`openai`]), Ollama's
//!   native `/api/chat` ([`ollama`]) and Anthropic Messages ([`anthropic`]),
//!   over one transport with streaming, retries and cancellation ([`client`]).
//! - The draft: evidence packing ([`evidence`]), byte-stable prompts
//!   ([`prompt`]), per-request schemas with citation enums ([`schema`]),
//!   validation ([`validate`]) and metadata ([`meta`]).

pub mod anthropic;
pub mod client;
pub mod config;
pub mod draft;
pub mod error;
pub mod evidence;
pub mod meta;
pub mod models;
pub mod ollama;
pub mod openai;
pub mod policy;
pub mod prompt;
pub mod regenerate;
pub mod retry;
pub mod schema;
pub mod sse;
pub mod text;
pub mod usage;
pub mod validate;
pub mod wire;

pub use config::{ModelConfig, Prices, ProviderKind, StructuredMode};
pub use draft::{draft, DraftEvent, DraftOptions, ModelDraft, OnEvent};
pub use error::LlmError;
pub use evidence::{EvidenceRecord, StoryEvidence};
pub use meta::DraftMeta;
pub use models::list_models;
pub use ollama::{ollama_config, probe_ollama, OllamaModel};
pub use policy::{api_key_env_var, api_key_from_env, ApiKey, ProviderPolicy};
pub use regenerate::{
    preview, regenerate_faq, regenerate_section, ModelFaq, ModelSection, PromptPreview,
};
pub use tokio_util::sync::CancellationToken;
pub use usage::Usage;
