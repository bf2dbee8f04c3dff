//! The machine contract. `schemas/` holds a JSON Schema for the audit record and for every
//! `--json` output; this crate embeds them and validates documents against them, so that tests
//! prove real outputs conform. `schemas/lock.json` pins the exact schemas of each released
//! contract version: changing a schema without raising `SCHEMA_VERSION` fails the tests.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

pub use compliance_core::audit::SCHEMA_VERSION;

const BASE_URI: &str = "https://compliance.invalid/schemas/";

/// Every schema file of the contract: (file name, contents).
pub const SCHEMAS: &[(&str, &str)] = &[
    (
        "common.schema.json",
        include_str!("../../../schemas/common.schema.json"),
    ),
    (
        "audit-record.schema.json",
        include_str!("../../../schemas/audit-record.schema.json"),
    ),
    (
        "scan.schema.json",
        include_str!("../../../schemas/scan.schema.json"),
    ),
    (
        "extract.schema.json",
        include_str!("../../../schemas/extract.schema.json"),
    ),
    (
        "check-id.schema.json",
        include_str!("../../../schemas/check-id.schema.json"),
    ),
    (
        "alert.schema.json",
        include_str!("../../../schemas/alert.schema.json"),
    ),
    (
        "processor-response.schema.json",
        include_str!("../../../schemas/processor-response.schema.json"),
    ),
    (
        "rules-validate.schema.json",
        include_str!("../../../schemas/rules-validate.schema.json"),
    ),
    (
        "rules-show.schema.json",
        include_str!("../../../schemas/rules-show.schema.json"),
    ),
    (
        "screen.schema.json",
        include_str!("../../../schemas/screen.schema.json"),
    ),
    (
        "match.schema.json",
        include_str!("../../../schemas/match.schema.json"),
    ),
    (
        "customer.schema.json",
        include_str!("../../../schemas/customer.schema.json"),
    ),
    (
        "customer-alert.schema.json",
        include_str!("../../../schemas/customer-alert.schema.json"),
    ),
    (
        "case-file.schema.json",
        include_str!("../../../schemas/case-file.schema.json"),
    ),
    (
        "open-case.schema.json",
        include_str!("../../../schemas/open-case.schema.json"),
    ),
    (
        "document-file.schema.json",
        include_str!("../../../schemas/document-file.schema.json"),
    ),
    (
        "record-summary.schema.json",
        include_str!("../../../schemas/record-summary.schema.json"),
    ),
    (
        "review-outcome.schema.json",
        include_str!("../../../schemas/review-outcome.schema.json"),
    ),
    (
        "rescreen.schema.json",
        include_str!("../../../schemas/rescreen.schema.json"),
    ),
];

pub const LOCK: &str = include_str!("../../../schemas/lock.json");

/// The outputs that have a schema of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    AuditRecord,
    Scan,
    Extract,
    CheckId,
    Alert,
    ProcessorResponse,
    RulesValidate,
    RulesShow,
    Screen,
    Match,
    Customer,
    CustomerAlert,
    CaseFile,
    OpenCase,
    DocumentFile,
    RecordSummary,
    ReviewOutcome,
    Rescreen,
}

impl Output {
    pub fn file(self) -> &'static str {
        match self {
            Output::AuditRecord => "audit-record.schema.json",
            Output::Scan => "scan.schema.json",
            Output::Extract => "extract.schema.json",
            Output::CheckId => "check-id.schema.json",
            Output::Alert => "alert.schema.json",
            Output::ProcessorResponse => "processor-response.schema.json",
            Output::RulesValidate => "rules-validate.schema.json",
            Output::RulesShow => "rules-show.schema.json",
            Output::Screen => "screen.schema.json",
            Output::Match => "match.schema.json",
            Output::Customer => "customer.schema.json",
            Output::CustomerAlert => "customer-alert.schema.json",
            Output::CaseFile => "case-file.schema.json",
            Output::OpenCase => "open-case.schema.json",
            Output::DocumentFile => "document-file.schema.json",
            Output::RecordSummary => "record-summary.schema.json",
            Output::ReviewOutcome => "review-outcome.schema.json",
            Output::Rescreen => "rescreen.schema.json",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("schema {file} is not valid JSON: {detail}")]
    Parse { file: String, detail: String },
    #[error("schema {file} cannot be compiled: {detail}")]
    Compile { file: String, detail: String },
    #[error("{output:?} does not conform to {file}:\n{violations}")]
    Violations {
        output: Output,
        file: &'static str,
        violations: String,
    },
}

fn parse(file: &str, text: &str) -> Result<Value, ContractError> {
    serde_json::from_str(text).map_err(|e| ContractError::Parse {
        file: file.to_string(),
        detail: e.to_string(),
    })
}

/// Validators for every output, compiled once.
pub struct Contract {
    validators: BTreeMap<&'static str, jsonschema::Validator>,
}

impl Contract {
    pub fn load() -> Result<Self, ContractError> {
        let mut registry = jsonschema::Registry::new();
        for (file, text) in SCHEMAS {
            registry = registry
                .add(format!("{BASE_URI}{file}"), parse(file, text)?)
                .map_err(|e| ContractError::Compile {
                    file: file.to_string(),
                    detail: e.to_string(),
                })?;
        }
        let registry = registry.prepare().map_err(|e| ContractError::Compile {
            file: "schemas/".into(),
            detail: e.to_string(),
        })?;
        let mut validators = BTreeMap::new();
        for (file, text) in SCHEMAS {
            let schema = parse(file, text)?;
            let validator = jsonschema::options()
                .with_registry(&registry)
                .with_base_uri(format!("{BASE_URI}{file}"))
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| ContractError::Compile {
                    file: file.to_string(),
                    detail: e.to_string(),
                })?;
            validators.insert(*file, validator);
        }
        Ok(Self { validators })
    }

    /// Checks one output; the error lists every violation with its JSON pointer.
    pub fn validate(&self, output: Output, value: &Value) -> Result<(), ContractError> {
        let file = output.file();
        let Some(validator) = self.validators.get(file) else {
            return Err(ContractError::Compile {
                file: file.into(),
                detail: "not loaded".into(),
            });
        };
        let violations: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("  at {}: {}", e.instance_path(), e))
            .collect();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ContractError::Violations {
                output,
                file,
                violations: violations.join("\n"),
            })
        }
    }
}

/// A schema's fingerprint: SHA-256 of its JSON with object keys sorted and no whitespace, so
/// that reformatting is not a change and any change of meaning is.
pub fn fingerprint(text: &str) -> Result<String, ContractError> {
    fn canonical(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let sorted: BTreeMap<&String, &Value> = map.iter().collect();
                out.push('{');
                for (i, (k, v)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    canonical(v, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(v, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    canonical(&parse("schema", text)?, &mut out);
    Ok(hex::encode(Sha256::digest(out.as_bytes())))
}

/// The lock entry the current schemas would need: `{"<version>": {"<file>": "<fingerprint>"}}`.
pub fn current_lock_entry() -> Result<Value, ContractError> {
    let mut files = serde_json::Map::new();
    for (file, text) in SCHEMAS {
        files.insert(file.to_string(), Value::String(fingerprint(text)?));
    }
    Ok(serde_json::json!({ SCHEMA_VERSION.to_string(): files }))
}
