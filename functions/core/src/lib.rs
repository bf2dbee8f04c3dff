//! The pure domain of the compliance workflow: document intake, classification, field
//! extraction, compliance checks, the decision and the audit record, plus the ports that
//! adapters implement. No AWS SDK and no async runtime here.

pub mod assist;
pub mod audit;
pub mod case;
pub mod checks;
pub mod classify;
pub mod customer;
pub mod digest;
pub mod error;
pub mod eval;
pub mod extract;
pub mod identifiers;
pub mod intake;
pub mod mask;
pub mod mrz;
pub mod pipeline;
pub mod ports;
pub mod query;
pub mod report;
pub mod rescreen;
pub mod rules;
pub mod screening;
pub mod seal;
pub mod service;

pub use audit::{Alert, AuditRecord, Decision, SourceRef};
pub use error::CoreError;
pub use pipeline::Pipeline;
