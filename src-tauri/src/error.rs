use serde::Serialize;

/// What crosses IPC on failure: `{code, message}`. The UI switches on `code`
/// (`not_found`, `invalid`, `no_evidence`, `error`) and shows `message`.
#[derive(Debug, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
}

impl IpcError {
    pub fn internal(message: String) -> IpcError {
        IpcError {
            code: "error",
            message,
        }
    }
}

impl From<beatdesk_core::CoreError> for IpcError {
    fn from(e: beatdesk_core::CoreError) -> IpcError {
        IpcError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}
