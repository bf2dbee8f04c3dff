use thiserror::Error;

/// Errors of the domain. Document problems are not errors (they become `unreadable`
/// decisions); these are configuration and port failures.
#[derive(Debug, Error)]
pub enum CoreError {
    #[error("rules file {path}: {detail}")]
    Rules { path: String, detail: String },
    #[error("sanctions list {list}: {detail}")]
    List { list: String, detail: String },
    #[error(transparent)]
    Port(#[from] crate::ports::PortError),
}
